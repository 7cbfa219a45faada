//! The admission request policies see.

use super::AdmissionError;
use super::doc::Doc;
use super::yaml::{group_version, str_at};
use serde_json::{Map, Value, json};

/// The admission API versions accepted.
pub(crate) const API_V1: &str = "admission.k8s.io/v1";
/// The older admission API version, still accepted.
pub(crate) const API_V1BETA1: &str = "admission.k8s.io/v1beta1";

/// An admission request, decoded once and normalised the way the
/// Kubernetes API types serialise it (so `input.review` is what Gatekeeper
/// would show a policy): `uid`, `kind`, `resource`, `operation` and
/// `userInfo` are always present, empty optional fields are absent, and on
/// `DELETE` the object under review is the old object.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRequest {
    api_version: String,
    request: Doc,
}

impl ReviewRequest {
    /// From an `AdmissionReview` document (`admission.k8s.io/v1` or
    /// `v1beta1`) with a `request`.
    pub fn from_admission_review(review: &Value) -> Result<ReviewRequest, AdmissionError> {
        let bad = |m: &str| AdmissionError::InvalidReview(m.to_string());
        let obj = review.as_object().ok_or_else(|| bad("not a JSON object"))?;
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind != "AdmissionReview" {
            return Err(bad(&format!(
                "kind is {kind:?}, expected \"AdmissionReview\""
            )));
        }
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if api_version != API_V1 && api_version != API_V1BETA1 {
            return Err(bad(&format!(
                "apiVersion {api_version:?} is not {API_V1} or {API_V1BETA1}"
            )));
        }
        let request = match obj.get("request") {
            Some(r @ Value::Object(_)) => r.clone(),
            Some(Value::Null) | None => return Err(bad("missing request")),
            Some(_) => return Err(bad("request is not an object")),
        };
        ReviewRequest::from_request(api_version, request)
    }

    /// From the `request` of an AdmissionReview of the given API version.
    pub fn from_request(
        api_version: &str,
        request: Value,
    ) -> Result<ReviewRequest, AdmissionError> {
        let bad = |m: String| AdmissionError::InvalidReview(m);
        let Value::Object(mut req) = request else {
            return Err(bad("request is not an object".into()));
        };
        for key in ["object", "oldObject"] {
            match req.get(key) {
                None | Some(Value::Null) | Some(Value::Object(_)) => {}
                Some(_) => return Err(bad(format!("request.{key} is not an object"))),
            }
        }
        let present = |req: &Map<String, Value>, k: &str| req.get(k).is_some_and(|v| !v.is_null());
        if !present(&req, "object") && !present(&req, "oldObject") {
            return Err(bad(
                "request does not contain an \"object\" or \"oldObject\" to review".into(),
            ));
        }
        let operation = req.get("operation").and_then(Value::as_str).unwrap_or("");
        if operation == "DELETE"
            && !present(&req, "object")
            && let Some(old) = req.get("oldObject").cloned()
        {
            req.insert("object".into(), old);
        }
        normalise(&mut req)?;
        Ok(ReviewRequest {
            api_version: api_version.to_string(),
            request: Doc::new(Value::Object(req)),
        })
    }

    /// From a plain Kubernetes object, as `gator` reviews one: kind, name
    /// and namespace come from the object; no operation, uid or user.
    pub fn from_object(object: &Value) -> Result<ReviewRequest, AdmissionError> {
        if !object.is_object() {
            return Err(AdmissionError::InvalidReview(
                "the object to review is not a mapping".into(),
            ));
        }
        let (group, version) = group_version(str_at(object, &["apiVersion"]).unwrap_or(""));
        let kind = str_at(object, &["kind"]).unwrap_or("");
        let mut req = Map::new();
        req.insert(
            "kind".into(),
            json!({"group": group, "version": version, "kind": kind}),
        );
        if let Some(name) = str_at(object, &["metadata", "name"]) {
            req.insert("name".into(), json!(name));
        }
        if let Some(ns) = str_at(object, &["metadata", "namespace"]) {
            req.insert("namespace".into(), json!(ns));
        }
        req.insert("object".into(), object.clone());
        ReviewRequest::from_request(API_V1, Value::Object(req))
    }

    /// The AdmissionReview API version the request came in
    /// (`admission.k8s.io/v1` or `v1beta1`).
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// The normalised `request` document.
    pub fn request(&self) -> &Value {
        self.request.json()
    }

    /// The request as a shared document (its Rego form made once).
    pub(crate) fn doc(&self) -> &Doc {
        &self.request
    }

    /// The request uid (empty when the request had none).
    pub fn uid(&self) -> &str {
        self.str("uid")
    }

    /// `CREATE`, `UPDATE`, `DELETE`, `CONNECT` (empty for a plain object).
    pub fn operation(&self) -> &str {
        self.str("operation")
    }

    /// The request's namespace (empty for cluster-scoped objects).
    pub fn namespace(&self) -> &str {
        self.str("namespace")
    }

    /// The request's name.
    pub fn name(&self) -> &str {
        self.str("name")
    }

    /// The object under review (on DELETE, the old object).
    pub fn object(&self) -> Option<&Value> {
        self.request().get("object").filter(|v| !v.is_null())
    }

    /// The previous version of the object, on UPDATE and DELETE.
    pub fn old_object(&self) -> Option<&Value> {
        self.request().get("oldObject").filter(|v| !v.is_null())
    }

    /// The request wrapped in an AdmissionReview document, as a
    /// Kubewarden-style policy receives it.
    pub fn to_admission_review(&self) -> Value {
        json!({
            "apiVersion": self.api_version,
            "kind": "AdmissionReview",
            "request": self.request(),
        })
    }

    /// The same request with a different object under review (used after
    /// a mutation).
    pub(crate) fn with_object(&self, object: Value) -> ReviewRequest {
        let mut request = self.request().clone();
        if let Value::Object(m) = &mut request {
            m.insert("object".into(), object);
        }
        ReviewRequest {
            api_version: self.api_version.clone(),
            request: Doc::new(request),
        }
    }

    fn str(&self, key: &str) -> &str {
        self.request()
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// Apply the Kubernetes Go types' JSON shape: required fields defaulted,
/// `omitempty` fields dropped when empty.
fn normalise(req: &mut Map<String, Value>) -> Result<(), AdmissionError> {
    for key in [
        "subResource",
        "requestKind",
        "requestResource",
        "requestSubResource",
        "name",
        "namespace",
        "object",
        "oldObject",
        "dryRun",
        "options",
    ] {
        let empty = match req.get(key) {
            Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            _ => false,
        };
        if empty {
            req.remove(key);
        }
    }
    for (key, default) in [("uid", json!("")), ("operation", json!(""))] {
        match req.get(key) {
            None | Some(Value::Null) => {
                req.insert(key.into(), default);
            }
            Some(Value::String(_)) => {}
            Some(_) => {
                return Err(AdmissionError::InvalidReview(format!(
                    "request.{key} is not a string"
                )));
            }
        }
    }
    for (key, fields) in [
        ("kind", ["group", "version", "kind"]),
        ("resource", ["group", "version", "resource"]),
    ] {
        let mut m = match req.remove(key) {
            Some(Value::Object(m)) => m,
            None | Some(Value::Null) => Map::new(),
            Some(_) => {
                return Err(AdmissionError::InvalidReview(format!(
                    "request.{key} is not an object"
                )));
            }
        };
        for f in fields {
            if !m.get(f).is_some_and(Value::is_string) {
                m.insert(f.into(), json!(""));
            }
        }
        req.insert(key.into(), Value::Object(m));
    }
    let mut user = match req.remove("userInfo") {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => Map::new(),
        Some(_) => {
            return Err(AdmissionError::InvalidReview(
                "request.userInfo is not an object".into(),
            ));
        }
    };
    user.retain(|_, v| match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    });
    req.insert("userInfo".into(), Value::Object(user));
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn plain_object_review_has_gatekeeper_shape() {
        let obj = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "ns"}});
        let r = ReviewRequest::from_object(&obj).unwrap();
        assert_eq!(
            r.request(),
            &json!({
                "uid": "", "operation": "", "userInfo": {},
                "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
                "resource": {"group": "", "version": "", "resource": ""},
                "name": "d", "namespace": "ns", "object": obj
            })
        );
    }

    #[test]
    fn delete_reviews_the_old_object() {
        let old = json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p"}});
        let r = ReviewRequest::from_admission_review(&json!({
            "apiVersion": API_V1BETA1, "kind": "AdmissionReview",
            "request": {"uid": "u1", "operation": "DELETE", "oldObject": old, "object": null}
        }))
        .unwrap();
        assert_eq!(r.object(), Some(&old));
        assert_eq!(r.uid(), "u1");
        assert_eq!(r.api_version(), API_V1BETA1);
    }

    #[test]
    fn malformed_reviews_are_rejected() {
        let no_obj =
            json!({"apiVersion": API_V1, "kind": "AdmissionReview", "request": {"uid": "x"}});
        assert!(ReviewRequest::from_admission_review(&no_obj).is_err());
        let wrong_kind = json!({"apiVersion": API_V1, "kind": "Pod"});
        assert!(ReviewRequest::from_admission_review(&wrong_kind).is_err());
        let wrong_version = json!({"apiVersion": "admission.k8s.io/v2", "kind": "AdmissionReview", "request": {"object": {}}});
        assert!(ReviewRequest::from_admission_review(&wrong_version).is_err());
        let no_request = json!({"apiVersion": API_V1, "kind": "AdmissionReview"});
        assert!(ReviewRequest::from_admission_review(&no_request).is_err());
    }
}
