//! AdmissionReview in (checked once) and out (merged decisions).

use super::config::{Enforcement, FailurePolicy};
use super::handler::PolicyDecision;
use base64::Engine as _;
use serde_json::{Map, Value, json};

/// The AdmissionReview API versions the server accepts.
pub const API_VERSIONS: [&str; 2] = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"];

/// A request body that is not a usable AdmissionReview (answered 400).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct MalformedReview(pub String);

/// The parts of a review the server itself needs.
#[derive(Debug, Clone)]
pub struct ReviewHead {
    /// `apiVersion`, echoed in the response.
    pub api_version: String,
    /// `request.uid`, echoed in the response.
    pub uid: String,
    /// `request.kind.kind`, for logs.
    pub kind: String,
    /// `request.namespace` / `request.name`, for logs.
    pub object: String,
    /// `request.operation`, for logs.
    pub operation: String,
}

/// Parse a body into a review document and check its envelope: an
/// `AdmissionReview` of a known version with a `request` holding a `uid`.
pub fn parse_review(body: &[u8]) -> Result<(Value, ReviewHead), MalformedReview> {
    if body.is_empty() {
        return Err(MalformedReview(
            "empty body: expected an AdmissionReview JSON document".into(),
        ));
    }
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| MalformedReview(format!("body is not JSON: {e}")))?;
    let head = check_envelope(&doc)?;
    Ok((doc, head))
}

fn check_envelope(doc: &Value) -> Result<ReviewHead, MalformedReview> {
    let obj = doc
        .as_object()
        .ok_or_else(|| MalformedReview("expected a JSON object (an AdmissionReview)".into()))?;
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind != "AdmissionReview" {
        return Err(MalformedReview(format!(
            "kind is {kind:?}, expected \"AdmissionReview\""
        )));
    }
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if !API_VERSIONS.contains(&api_version) {
        return Err(MalformedReview(format!(
            "apiVersion {api_version:?} is not one of {API_VERSIONS:?}"
        )));
    }
    let request = obj
        .get("request")
        .and_then(Value::as_object)
        .ok_or_else(|| MalformedReview("missing object field \"request\"".into()))?;
    let uid = request
        .get("uid")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| MalformedReview("missing string field \"request.uid\"".into()))?;
    let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    let ns = s(request.get("namespace"));
    let name = s(request.get("name"));
    Ok(ReviewHead {
        api_version: api_version.to_string(),
        uid: uid.to_string(),
        kind: s(request.get("kind").and_then(|k| k.get("kind"))),
        object: if ns.is_empty() {
            name
        } else {
            format!("{ns}/{name}")
        },
        operation: s(request.get("operation")),
    })
}

/// How one policy's outcome was classified (metrics label `result`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Allowed by the policy.
    Allowed,
    /// Denied by the policy.
    Denied,
    /// Denial turned into warnings (enforcement `warn`).
    Warned,
    /// Denial only recorded (enforcement `dryrun`).
    DryrunDenied,
    /// The policy could not decide; denied (failure policy `Fail`).
    FailedClosed,
    /// The policy could not decide; allowed (failure policy `Ignore`).
    FailedOpen,
}

impl Outcome {
    /// The metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
            Outcome::Warned => "warned",
            Outcome::DryrunDenied => "dryrun_denied",
            Outcome::FailedClosed => "failed_closed",
            Outcome::FailedOpen => "failed_open",
        }
    }
}

/// Apply a policy's enforcement mode to its decision.
pub fn enforce(
    policy: &str,
    mode: Enforcement,
    mut d: PolicyDecision,
) -> (PolicyDecision, Outcome) {
    if d.allowed {
        return (d, Outcome::Allowed);
    }
    match mode {
        Enforcement::Deny => (d, Outcome::Denied),
        Enforcement::Warn => {
            let msgs = std::mem::take(&mut d.messages);
            d.warnings
                .extend(msgs.into_iter().map(|m| format!("[{policy}] {m}")));
            d.allowed = true;
            d.code = None;
            (d, Outcome::Warned)
        }
        Enforcement::Dryrun => {
            d.allowed = true;
            d.messages.clear();
            d.code = None;
            (d, Outcome::DryrunDenied)
        }
    }
}

/// The decision standing in for a policy that could not decide.
pub fn on_failure(policy: &str, fp: FailurePolicy, why: &str) -> (PolicyDecision, Outcome) {
    match fp {
        FailurePolicy::Fail => (
            PolicyDecision {
                allowed: false,
                messages: vec![format!("policy {policy} could not decide: {why}")],
                code: Some(500),
                ..Default::default()
            },
            Outcome::FailedClosed,
        ),
        FailurePolicy::Ignore => (
            PolicyDecision {
                allowed: true,
                warnings: vec![format!(
                    "policy {policy} could not decide and is ignored: {why}"
                )],
                ..Default::default()
            },
            Outcome::FailedOpen,
        ),
    }
}

/// Merge several policies' decisions: any deny denies, messages joined
/// (each prefixed with its policy when more than one policy speaks),
/// warnings concatenated, the first denial's code kept, patches dropped
/// unless exactly one policy was asked.
pub fn merge(decisions: Vec<(String, PolicyDecision)>) -> PolicyDecision {
    if decisions.len() == 1 {
        if let Some((_, d)) = decisions.into_iter().next() {
            return d;
        }
        return PolicyDecision::allow();
    }
    let mut out = PolicyDecision::allow();
    for (name, d) in decisions {
        if !d.allowed {
            out.allowed = false;
            if out.code.is_none() {
                out.code = d.code;
            }
            out.messages
                .extend(d.messages.into_iter().map(|m| format!("[{name}] {m}")));
        }
        out.warnings.extend(d.warnings);
        out.audit_annotations.extend(
            d.audit_annotations
                .into_iter()
                .map(|(k, v)| (format!("{name}/{k}"), v)),
        );
    }
    out
}

/// The response AdmissionReview for a decision.
pub fn response(head: &ReviewHead, d: &PolicyDecision) -> Value {
    let mut resp = Map::new();
    resp.insert("uid".into(), Value::String(head.uid.clone()));
    resp.insert("allowed".into(), Value::Bool(d.allowed));
    if !d.allowed {
        let message = if d.messages.is_empty() {
            "denied by policy".to_string()
        } else {
            d.messages.join("; ")
        };
        let code = d.code.unwrap_or(403);
        let reason = if code >= 500 {
            "InternalError"
        } else {
            "Forbidden"
        };
        resp.insert(
            "status".into(),
            json!({"code": code, "message": message, "reason": reason}),
        );
    }
    if !d.warnings.is_empty() {
        resp.insert("warnings".into(), json!(d.warnings));
    }
    if d.allowed
        && let Some(patch) = &d.patch
        && patch.as_array().is_some_and(|a| !a.is_empty())
    {
        let text = patch.to_string();
        resp.insert(
            "patch".into(),
            Value::String(base64::engine::general_purpose::STANDARD.encode(text)),
        );
        resp.insert("patchType".into(), Value::String("JSONPatch".into()));
    }
    if !d.audit_annotations.is_empty() {
        let m: Map<String, Value> = d
            .audit_annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        resp.insert("auditAnnotations".into(), Value::Object(m));
    }
    json!({
        "apiVersion": head.api_version,
        "kind": "AdmissionReview",
        "response": Value::Object(resp),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn review(v: &str) -> Vec<u8> {
        json!({"apiVersion": v, "kind": "AdmissionReview",
               "request": {"uid": "u1", "kind": {"kind": "Pod"}, "namespace": "ns", "name": "p", "operation": "CREATE"}})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn envelope_checks() {
        let (_, h) = parse_review(&review("admission.k8s.io/v1")).unwrap();
        assert_eq!((h.uid.as_str(), h.object.as_str()), ("u1", "ns/p"));
        assert!(parse_review(&review("admission.k8s.io/v1beta1")).is_ok());
        let e = parse_review(&review("admission.k8s.io/v2")).unwrap_err();
        assert!(e.0.contains("apiVersion"), "{e}");
        assert!(parse_review(b"").unwrap_err().0.contains("empty"));
        assert!(parse_review(b"{").unwrap_err().0.contains("not JSON"));
        assert!(parse_review(b"[]").unwrap_err().0.contains("object"));
        let no_uid =
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}"#;
        assert!(parse_review(no_uid).unwrap_err().0.contains("uid"));
    }

    #[test]
    fn merge_any_deny_denies() {
        let m = merge(vec![
            ("a".into(), PolicyDecision::allow()),
            (
                "b".into(),
                PolicyDecision {
                    warnings: vec!["w1".into()],
                    ..PolicyDecision::deny(["no"])
                },
            ),
            (
                "c".into(),
                PolicyDecision {
                    warnings: vec!["w2".into()],
                    ..PolicyDecision::allow()
                },
            ),
        ]);
        assert!(!m.allowed);
        assert_eq!(m.messages, vec!["[b] no"]);
        assert_eq!(m.warnings, vec!["w1", "w2"]);
        let all_ok = merge(vec![
            ("a".into(), PolicyDecision::allow()),
            ("b".into(), PolicyDecision::allow()),
        ]);
        assert!(all_ok.allowed);
    }

    #[test]
    fn enforcement_modes() {
        let (d, o) = enforce("p", Enforcement::Warn, PolicyDecision::deny(["bad"]));
        assert!(d.allowed && o == Outcome::Warned);
        assert_eq!(d.warnings, vec!["[p] bad"]);
        let (d, o) = enforce("p", Enforcement::Dryrun, PolicyDecision::deny(["bad"]));
        assert!(d.allowed && d.warnings.is_empty() && o == Outcome::DryrunDenied);
        let (d, o) = enforce("p", Enforcement::Deny, PolicyDecision::deny(["bad"]));
        assert!(!d.allowed && o == Outcome::Denied);
    }

    #[test]
    fn response_shape() {
        let (_, h) = parse_review(&review("admission.k8s.io/v1beta1")).unwrap();
        let d = PolicyDecision {
            patch: Some(json!([{"op": "add", "path": "/a", "value": 1}])),
            ..PolicyDecision::allow()
        };
        let r = response(&h, &d);
        assert_eq!(r["apiVersion"], "admission.k8s.io/v1beta1");
        assert_eq!(r["response"]["uid"], "u1");
        assert_eq!(r["response"]["patchType"], "JSONPatch");
        let raw = base64::engine::general_purpose::STANDARD
            .decode(r["response"]["patch"].as_str().unwrap())
            .unwrap();
        let p: Value = serde_json::from_slice(&raw).unwrap();
        assert_eq!(p[0]["path"], "/a");
        let r = response(&h, &PolicyDecision::deny(["x", "y"]));
        assert_eq!(r["response"]["status"]["message"], "x; y");
        assert_eq!(r["response"]["status"]["code"], 403);
    }
}
