//! The builtins OPA deprecated before Rego v1 (`all`, `any`, `re_match`,
//! `set_diff`; `net.cidr_overlap` lives with the `net` family). OPA's v1
//! compiler rejects them, but Rego v0 policies (old bundles, Gatekeeper
//! templates written for OPA 0.x) still call them, and regorus has none.

use super::native;
use crate::{BuiltinError, Registry, Value, args};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Register the deprecated builtins.
pub(crate) fn register(r: &mut Registry) {
    // `all`: every element is `true` (vacuously true when empty).
    native(r, "all", 1, |_, a| {
        let xs = args::collection("all", a, 0)?;
        Ok(Some(Value::Bool(
            xs.iter().all(|x| matches!(x, Value::Bool(true))),
        )))
    });
    // `any`: some element is `true`.
    native(r, "any", 1, |_, a| {
        let xs = args::collection("any", a, 0)?;
        Ok(Some(Value::Bool(
            xs.iter().any(|x| matches!(x, Value::Bool(true))),
        )))
    });
    native(r, "set_diff", 2, |_, a| {
        let (x, y) = (args::set("set_diff", a, 0)?, args::set("set_diff", a, 1)?);
        let out: BTreeSet<Value> = x.difference(y).cloned().collect();
        Ok(Some(Value::Set(Arc::new(out))))
    });
    // `re_match` is `regex.match` under its old name.
    native(r, "re_match", 2, |_, a| {
        args::string("re_match", a, 0)?;
        args::string("re_match", a, 1)?;
        crate::fallback::call("regex.match", a).map_err(|e| rename(e, "regex.match", "re_match"))
    });
}

fn rename(e: BuiltinError, from: &str, to: &str) -> BuiltinError {
    BuiltinError::failed(to, e.to_string().replace(&format!("{from}: "), ""))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use crate::{EvalContext, Registry, Value};

    fn call(name: &str, args: &[&str]) -> Result<Option<Value>, String> {
        let args: Vec<Value> = args.iter().map(|t| Value::parse_text(t).unwrap()).collect();
        Registry::with_defaults()
            .call(&EvalContext::default(), name, &args)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn all_and_any_over_arrays_and_sets() {
        let t = Some(Value::Bool(true));
        let f = Some(Value::Bool(false));
        assert_eq!(call("all", &["[true, true]"]).unwrap(), t);
        assert_eq!(call("all", &["[true, 1]"]).unwrap(), f);
        assert_eq!(call("all", &["[]"]).unwrap(), t);
        assert_eq!(call("all", &["{true, false}"]).unwrap(), f);
        assert_eq!(call("any", &["[false, true]"]).unwrap(), t);
        assert_eq!(call("any", &["set()"]).unwrap(), f);
        assert_eq!(call("any", &["[\"true\"]"]).unwrap(), f);
        assert!(call("any", &["1"]).unwrap_err().contains("operand 1"));
    }

    #[test]
    fn set_diff_and_re_match() {
        assert_eq!(
            call("set_diff", &["{1, 2, 3}", "{2}"]).unwrap(),
            Some(Value::parse_text("{1, 3}").unwrap())
        );
        assert!(call("set_diff", &["{1}", "[1]"]).is_err());
        assert_eq!(
            call("re_match", &["\"^a+$\"", "\"aaa\""]).unwrap(),
            Some(Value::Bool(true))
        );
        let e = call("re_match", &["\"(\"", "\"a\""]).unwrap_err();
        assert!(e.starts_with("re_match: "), "{e}");
        assert!(!e.contains("regex.match"), "{e}");
    }

    #[test]
    fn cidr_overlap_is_cidr_contains() {
        assert_eq!(
            call("net.cidr_overlap", &["\"10.0.0.0/8\"", "\"10.1.2.3\""]).unwrap(),
            Some(Value::Bool(true))
        );
        assert_eq!(
            call("net.cidr_overlap", &["\"::/0\"", "\"10.1.2.3\""]).unwrap(),
            Some(Value::Bool(false))
        );
    }
}
