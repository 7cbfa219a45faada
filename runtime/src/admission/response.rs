//! JSON patches (RFC 6902) in admission responses.

use serde_json::Value;

/// Parse a JSON patch (an array of operations).
pub(crate) fn parse_patch(ops: &Value) -> Result<json_patch::Patch, String> {
    if !ops.is_array() {
        return Err("a JSON patch must be an array of operations".into());
    }
    serde_json::from_value(ops.clone()).map_err(|e| format!("invalid JSON patch: {e}"))
}

/// Apply a patch to a copy of `object`.
pub(crate) fn apply_patch(patch: &json_patch::Patch, object: &Value) -> Result<Value, String> {
    let mut doc = object.clone();
    json_patch::patch(&mut doc, patch)
        .map_err(|e| format!("the patch does not apply to the object: {e}"))?;
    Ok(doc)
}

/// Check that `patch` (a JSON array of RFC 6902 operations) is well formed
/// and applies to `object`; returns the patched object.
pub fn validate_patch(patch: &Value, object: &Value) -> Result<Value, String> {
    let p = parse_patch(patch)?;
    apply_patch(&p, object)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_are_checked_against_the_object() {
        let obj = json!({"metadata": {"name": "x"}});
        let ok = json!([{"op": "add", "path": "/metadata/labels", "value": {"a": "b"}}]);
        assert_eq!(
            validate_patch(&ok, &obj).unwrap()["metadata"]["labels"]["a"],
            "b"
        );
        let missing_parent = json!([{"op": "add", "path": "/spec/x", "value": 1}]);
        assert!(validate_patch(&missing_parent, &obj).is_err());
        let bad_op = json!([{"op": "frobnicate", "path": "/a"}]);
        assert!(validate_patch(&bad_op, &obj).is_err());
        assert!(validate_patch(&json!({"op": "add"}), &obj).is_err());
        let failing_test = json!([{"op": "test", "path": "/metadata/name", "value": "y"}]);
        assert!(validate_patch(&failing_test, &obj).is_err());
    }
}
