//! Kubewarden-style OPA policies.
//!
//! The policy's input is the whole AdmissionReview (`input.request`), its
//! settings are the data document (`data.<setting>`), and its entrypoint
//! (default `policy/main`) returns an AdmissionReview-shaped value:
//!
//! ```json
//! {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
//!  "response": {"uid": "...", "allowed": false,
//!               "status": {"code": 403, "message": "..."},
//!               "warnings": ["..."],
//!               "patchType": "JSONPatch", "patch": "<base64 RFC 6902 patch>"}}
//! ```
//!
//! `patch` may also be given as a JSON array of operations. A patch is only
//! accepted from a policy declared `mutating`, and only if it applies to
//! the object under review. Anything else that does not fit this shape is
//! a malformed result: the request fails closed.

use super::engine::{
    CompiledEvaluator, EngineChoice, Evaluator, FailurePolicy, RegoEvaluator, RegoVersion,
    ShadowEvaluator,
};
use super::response::parse_patch;
use super::yaml::str_at;
use super::{AdmissionError, Match, ReviewRequest};
use base64::Engine as _;
use serde_json::Value;
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// The `apiVersion` of our policy definition documents.
pub(crate) const POLICY_API_GROUP: &str = "policies.regowasm.dev/";
/// The `kind` of our policy definition documents.
pub(crate) const POLICY_KIND: &str = "AdmissionPolicy";

/// A Kubewarden-style OPA admission policy.
pub struct OpaPolicy {
    name: String,
    entrypoint: String,
    evaluator: Box<dyn Evaluator>,
    matcher: Option<Match>,
    mutating: bool,
    failure_policy: FailurePolicy,
}

impl fmt::Debug for OpaPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpaPolicy")
            .field("name", &self.name)
            .field("entrypoint", &self.entrypoint)
            .field("engine", &self.evaluator.engine_name())
            .field("mutating", &self.mutating)
            .field("failure_policy", &self.failure_policy)
            .finish()
    }
}

/// What one OPA policy said about a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OpaVerdict {
    pub(crate) allowed: bool,
    pub(crate) message: String,
    pub(crate) code: Option<u16>,
    pub(crate) warnings: Vec<String>,
    pub(crate) patch: Option<json_patch::Patch>,
    /// The object after the patch (when there is one).
    pub(crate) patched_object: Option<Value>,
}

impl OpaPolicy {
    /// Compile a policy from Rego modules (`(name, source)`), with its
    /// settings (the data document) and entrypoint (`policy/main` or
    /// `data.policy.main`).
    pub fn compile(
        name: &str,
        modules: &[(String, String)],
        entrypoint: &str,
        settings: Option<&Value>,
    ) -> Result<OpaPolicy, AdmissionError> {
        OpaPolicy::compile_with(
            name,
            modules,
            entrypoint,
            settings,
            None,
            EngineChoice::Auto,
            Duration::from_secs(1),
        )
    }

    /// [`OpaPolicy::compile`] with a compiled module of the same policy, an
    /// engine choice and a per-evaluation deadline.
    pub fn compile_with(
        name: &str,
        modules: &[(String, String)],
        entrypoint: &str,
        settings: Option<&Value>,
        compiled: Option<crate::Policy>,
        engine: EngineChoice,
        timeout: Duration,
    ) -> Result<OpaPolicy, AdmissionError> {
        let err = |reason: String| AdmissionError::InvalidPolicy {
            name: name.to_string(),
            reason,
        };
        if let Some(s) = settings
            && !s.is_object()
            && !s.is_null()
        {
            return Err(err("settings must be a mapping".into()));
        }
        let settings = settings.filter(|s| !s.is_null());
        let entrypoint = normalise_entrypoint(entrypoint);
        let rego = if modules.is_empty() {
            None
        } else {
            let (mut rego, _) =
                RegoEvaluator::compile(modules, RegoVersion::Auto, settings, timeout)
                    .map_err(err)?;
            rego.warm_up(&entrypoint);
            Some(rego)
        };
        let evaluator: Box<dyn Evaluator> = match (engine, compiled, rego) {
            (EngineChoice::Rego | EngineChoice::Auto, None, Some(rego))
            | (EngineChoice::Rego, Some(_), Some(rego)) => Box::new(rego),
            (EngineChoice::Wasm | EngineChoice::Auto, Some(policy), _) => {
                Box::new(CompiledEvaluator { policy })
            }
            (EngineChoice::Shadow, Some(policy), Some(rego)) => Box::new(ShadowEvaluator {
                primary: Box::new(CompiledEvaluator { policy }),
                shadow: Box::new(rego),
            }),
            (choice, compiled, rego) => {
                return Err(err(format!(
                    "engine {choice:?} cannot run with {} and {}",
                    if compiled.is_some() {
                        "a compiled module"
                    } else {
                        "no compiled module"
                    },
                    if rego.is_some() {
                        "Rego source"
                    } else {
                        "no Rego source"
                    }
                )));
            }
        };
        Ok(OpaPolicy {
            name: name.to_string(),
            entrypoint,
            evaluator,
            matcher: None,
            mutating: false,
            failure_policy: FailurePolicy::Fail,
        })
    }

    /// Read an `AdmissionPolicy` document (`policies.regowasm.dev/v1alpha1`);
    /// `spec.rego` files are resolved against `base_dir`.
    pub fn from_value(doc: &Value, base_dir: &Path) -> Result<OpaPolicy, AdmissionError> {
        let name = str_at(doc, &["metadata", "name"]).unwrap_or("").to_string();
        let err = |reason: String| AdmissionError::InvalidPolicy {
            name: name.clone(),
            reason,
        };
        if name.is_empty() {
            return Err(err("missing metadata.name".into()));
        }
        let spec = doc.get("spec").ok_or_else(|| err("missing spec".into()))?;
        match str_at(spec, &["type"]).unwrap_or("opa") {
            "opa" => {}
            other => return Err(err(format!("unsupported policy type {other:?} (want opa)"))),
        }
        let mut modules = Vec::new();
        match spec.get("rego") {
            None | Some(Value::Null) => {}
            Some(Value::Array(files)) => {
                for f in files {
                    let f = f
                        .as_str()
                        .ok_or_else(|| err("spec.rego must list file names".into()))?;
                    let path = base_dir.join(f);
                    let text = super::yaml::read_text(&path)?;
                    modules.push((f.to_string(), text));
                }
            }
            Some(_) => return Err(err("spec.rego must list file names".into())),
        }
        if let Some(src) = str_at(spec, &["regoSource"]) {
            modules.push((format!("{name}.rego"), src.to_string()));
        }
        if spec.get("module").is_some() {
            return Err(err(
                "spec.module: loading compiled modules is not available in this build; use spec.rego"
                    .into(),
            ));
        }
        let engine = match spec.get("engine") {
            None | Some(Value::Null) => EngineChoice::Auto,
            Some(v) => {
                serde_json::from_value(v.clone()).map_err(|e| err(format!("spec.engine: {e}")))?
            }
        };
        let entrypoint = str_at(spec, &["entrypoint"]).unwrap_or("policy/main");
        let timeout = match spec.get("timeoutSeconds").and_then(Value::as_f64) {
            Some(s) if s > 0.0 && s <= 30.0 => Duration::from_secs_f64(s),
            Some(s) => return Err(err(format!("timeoutSeconds {s} is not in (0, 30]"))),
            None => Duration::from_secs(1),
        };
        let mut policy = OpaPolicy::compile_with(
            &name,
            &modules,
            entrypoint,
            spec.get("settings"),
            None,
            engine,
            timeout,
        )?;
        if let Some(m) = spec.get("match").filter(|m| !m.is_null()) {
            policy.matcher = Some(Match::from_value(m).map_err(err)?);
        }
        policy.mutating = spec
            .get("mutating")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if let Some(fp) = str_at(spec, &["failurePolicy"]) {
            policy.failure_policy = FailurePolicy::parse(fp).map_err(err)?;
        }
        Ok(policy)
    }

    /// Restrict the policy to matching objects (Gatekeeper `match` rules).
    pub fn with_match(mut self, matcher: Match) -> OpaPolicy {
        self.matcher = Some(matcher);
        self
    }

    /// Allow the policy to return patches.
    pub fn with_mutating(mut self, mutating: bool) -> OpaPolicy {
        self.mutating = mutating;
        self
    }

    /// Set the failure policy.
    pub fn with_failure_policy(mut self, failure_policy: FailurePolicy) -> OpaPolicy {
        self.failure_policy = failure_policy;
        self
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The entrypoint (`data.policy.main`).
    pub fn entrypoint(&self) -> &str {
        &self.entrypoint
    }

    /// Whether the policy may return patches.
    pub fn is_mutating(&self) -> bool {
        self.mutating
    }

    /// The failure policy.
    pub fn failure_policy(&self) -> FailurePolicy {
        self.failure_policy
    }

    /// Does the policy apply to the request? (`Ok(true)` without a match
    /// block.)
    pub(crate) fn applies(
        &self,
        request: &ReviewRequest,
        namespace: Option<&Value>,
    ) -> Result<bool, String> {
        match &self.matcher {
            None => Ok(true),
            Some(m) => m
                .matches_request(request.object(), request.old_object(), namespace)
                .map_err(|e| format!("matching policy: {e}")),
        }
    }

    /// Evaluate the policy on a request.
    pub(crate) fn review(&self, request: &ReviewRequest) -> Result<OpaVerdict, String> {
        let input = request.to_admission_review();
        let value = self
            .evaluator
            .evaluate(&self.entrypoint, &super::doc::Input::Whole(&input), None)
            .map_err(|e| format!("evaluating {}: {e}", self.entrypoint))?
            .ok_or_else(|| format!("malformed result: {} is undefined", self.entrypoint))?;
        self.verdict(&value, request)
    }

    fn verdict(&self, value: &Value, request: &ReviewRequest) -> Result<OpaVerdict, String> {
        let malformed = |m: &str| format!("malformed result: {m}");
        let response = value
            .get("response")
            .filter(|r| r.is_object())
            .ok_or_else(|| malformed("expected an AdmissionReview with a response object"))?;
        let allowed = response
            .get("allowed")
            .and_then(Value::as_bool)
            .ok_or_else(|| malformed("response.allowed is not a boolean"))?;
        let status = response.get("status");
        let message = match status.and_then(|s| s.get("message")) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(malformed("response.status.message is not a string")),
        };
        let code = match status.and_then(|s| s.get("code")) {
            None | Some(Value::Null) => None,
            Some(c) => Some(
                c.as_u64()
                    .and_then(|c| u16::try_from(c).ok())
                    .filter(|c| (100..600).contains(c))
                    .ok_or_else(|| malformed("response.status.code is not an HTTP status code"))?,
            ),
        };
        let warnings = match response.get("warnings") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(ws)) => ws
                .iter()
                .map(|w| w.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| malformed("response.warnings must be strings"))?,
            Some(_) => return Err(malformed("response.warnings is not a list")),
        };
        let (patch, patched_object) = match response.get("patch") {
            None | Some(Value::Null) => (None, None),
            Some(p) => {
                if !self.mutating {
                    return Err(format!(
                        "policy {} is not mutating but returned a patch",
                        self.name
                    ));
                }
                match str_at(response, &["patchType"]) {
                    None | Some("JSONPatch") => {}
                    Some(other) => {
                        return Err(malformed(&format!("patchType {other:?} is not JSONPatch")));
                    }
                }
                let ops = match p {
                    Value::String(b64) => {
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(b64.trim())
                            .map_err(|e| malformed(&format!("patch is not base64: {e}")))?;
                        serde_json::from_slice::<Value>(&bytes)
                            .map_err(|e| malformed(&format!("patch is not JSON: {e}")))?
                    }
                    other => other.clone(),
                };
                let patch = parse_patch(&ops).map_err(|e| malformed(&e))?;
                let object = request
                    .object()
                    .cloned()
                    .ok_or_else(|| "cannot patch: the request has no object".to_string())?;
                let patched = super::response::apply_patch(&patch, &object)?;
                (Some(patch), Some(patched))
            }
        };
        if !allowed && patch.is_some() {
            return Err(malformed("a denied response cannot carry a patch"));
        }
        Ok(OpaVerdict {
            allowed,
            message,
            code,
            warnings,
            patch,
            patched_object,
        })
    }
}

/// `policy/main`, `data.policy.main` and `policy.main` all name
/// `data.policy.main`.
fn normalise_entrypoint(e: &str) -> String {
    let e = e.trim().trim_start_matches('/');
    let e = e
        .strip_prefix("data.")
        .or_else(|| e.strip_prefix("data/"))
        .unwrap_or(e);
    format!("data.{}", e.replace('/', "."))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn entrypoint_forms() {
        assert_eq!(normalise_entrypoint("policy/main"), "data.policy.main");
        assert_eq!(normalise_entrypoint("data.policy.main"), "data.policy.main");
        assert_eq!(normalise_entrypoint("/a/b"), "data.a.b");
    }
}
