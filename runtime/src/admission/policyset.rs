//! A set of admission policies and the decision they make together.

use super::doc::Doc;
use super::gatekeeper::ConstraintResult;
use super::opa::{OpaVerdict, POLICY_API_GROUP, POLICY_KIND};
use super::yaml::str_at;
use super::{
    AdmissionError, Constraint, ConstraintTemplate, EnforcementAction, FailurePolicy,
    GatekeeperPolicy, Inventory, OpaPolicy, ReviewRequest, Violation,
};
use kube::core::admission::{AdmissionResponse, AdmissionReview};
use kube::core::{DynamicObject, Status, TypeMeta};
use parking_lot::RwLock;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// HTTP status Gatekeeper uses for an allowed response with warnings.
const STATUS_WARNING: u16 = 299;

/// A loaded set of admission policies: Gatekeeper templates with their
/// constraints and Kubewarden-style OPA policies, plus the inventory that
/// referential policies read.
///
/// `Send + Sync`: load once, review from many threads. The inventory can
/// be replaced while reviews run ([`PolicySet::set_inventory`]).
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use regowasm_runtime::admission::PolicySet;
/// let set = PolicySet::from_dir("policies")?;
/// let review: serde_json::Value = serde_json::from_str("{}")?;
/// let answer = set.review_json(&review); // an AdmissionReview with a response
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct PolicySet {
    templates: Vec<GatekeeperPolicy>,
    opa: Vec<OpaPolicy>,
    inventory: RwLock<Arc<InventoryData>>,
}

#[derive(Debug, Default)]
struct InventoryData {
    inventory: Inventory,
    /// `{"inventory": <document>}`, or `None` when empty; its Rego form
    /// is made once and shared by every evaluation.
    data: Option<Doc>,
}

impl InventoryData {
    fn new(inventory: Inventory) -> InventoryData {
        let data = inventory_doc(&inventory);
        InventoryData { inventory, data }
    }
}

/// The data document of an inventory (`{"inventory": ...}`), `None` when
/// the inventory is empty.
fn inventory_doc(inventory: &Inventory) -> Option<Doc> {
    (!inventory.is_empty()).then(|| Doc::new(json!({"inventory": inventory.document()})))
}

/// What one constraint or policy contributed to a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `<Kind>/<name>` for a constraint, `<name>` for an OPA policy.
    pub policy: String,
    /// What happened.
    pub kind: OutcomeKind,
}

/// The kinds of [`Outcome`].
#[derive(Debug, Clone, PartialEq)]
pub enum OutcomeKind {
    /// A Gatekeeper constraint matched and reported these violations
    /// (possibly none).
    Violations(Vec<Violation>),
    /// An OPA policy answered.
    Verdict {
        /// Whether it allowed the request.
        allowed: bool,
        /// Its status message.
        message: String,
        /// Its warnings.
        warnings: Vec<String>,
        /// Whether it patched the object.
        mutated: bool,
    },
    /// The policy could not be evaluated.
    Error {
        /// The cause.
        message: String,
        /// Whether the error denied the request.
        denied: bool,
    },
}

/// The combined decision of a [`PolicySet`] on one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Whether the request is admitted.
    pub allowed: bool,
    /// HTTP status code: 200, 299 (allowed with warnings), 403 (denied by
    /// a policy), 500 (denied because a policy failed).
    pub code: u16,
    /// The denial message: one line per cause, `[<constraint>] <msg>` for
    /// Gatekeeper violations (empty when allowed).
    pub message: String,
    /// Warnings for the client.
    pub warnings: Vec<String>,
    /// The RFC 6902 patch to apply (mutating policies), already checked
    /// to apply to the object.
    pub patch: Option<json_patch::Patch>,
    /// Everything each matching policy said, including `dryrun`
    /// violations (recorded, not enforced).
    pub outcomes: Vec<Outcome>,
}

impl Decision {
    /// Every Gatekeeper violation, whatever its enforcement action.
    pub fn violations(&self) -> impl Iterator<Item = &Violation> {
        self.outcomes.iter().flat_map(|o| match &o.kind {
            OutcomeKind::Violations(v) => v.as_slice(),
            _ => &[],
        })
    }

    /// Every evaluation error.
    pub fn errors(&self) -> impl Iterator<Item = (&str, &str)> {
        self.outcomes.iter().filter_map(|o| match &o.kind {
            OutcomeKind::Error { message, .. } => Some((o.policy.as_str(), message.as_str())),
            _ => None,
        })
    }

    /// The AdmissionResponse for a request (`uid` echoed, `types` = the
    /// request's AdmissionReview type).
    pub fn to_response(&self, uid: &str, types: TypeMeta) -> AdmissionResponse {
        let mut resp = AdmissionResponse::invalid("");
        resp.types = types;
        resp.uid = uid.to_string();
        resp.allowed = self.allowed;
        resp.result = if self.allowed {
            Status::default().with_code(self.code)
        } else {
            let reason = if self.code == 403 {
                "Forbidden"
            } else {
                "InternalError"
            };
            Status::failure(&self.message, reason).with_code(self.code)
        };
        resp.warnings = (!self.warnings.is_empty()).then(|| self.warnings.clone());
        if let (true, Some(patch)) = (self.allowed, &self.patch) {
            match resp.clone().with_patch(patch.clone()) {
                Ok(r) => resp = r,
                Err(e) => {
                    // A patch is plain data; failing to serialise it is a bug,
                    // and still must not admit an unpatched object silently.
                    resp.allowed = false;
                    resp.result =
                        Status::failure(&format!("serialising patch: {e}"), "InternalError")
                            .with_code(500);
                }
            }
        }
        resp
    }
}

impl PolicySet {
    /// An empty set (admits everything).
    pub fn new() -> PolicySet {
        PolicySet::default()
    }

    /// Load every policy under a directory (recursively, in path order):
    /// ConstraintTemplates, Constraints (`constraints.gatekeeper.sh/*`) and
    /// `AdmissionPolicy` documents (`policies.regowasm.dev/v1alpha1`) in
    /// `*.yaml`, `*.yml` and `*.json` files. Other documents (test suites,
    /// example objects) are ignored. Constraints are added after all
    /// templates, so file order does not matter.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<PolicySet, AdmissionError> {
        let dir = dir.as_ref();
        let mut files = Vec::new();
        collect_files(dir, &mut files)?;
        let mut set = PolicySet::new();
        let mut constraints = Vec::new();
        for file in &files {
            let docs = super::yaml::read_documents(file)?;
            let base = file.parent().unwrap_or(dir);
            for doc in docs {
                set.load_document(&doc, base, &mut constraints)?;
            }
        }
        for c in constraints {
            set.add_constraint(c)?;
        }
        Ok(set)
    }

    /// Load policies from YAML/JSON text (several documents allowed).
    /// `base_dir` resolves file names in `AdmissionPolicy` documents.
    pub fn load_yaml(&mut self, text: &str, base_dir: &Path) -> Result<(), AdmissionError> {
        let docs = super::yaml::documents(text, &base_dir.display().to_string())?;
        let mut constraints = Vec::new();
        for doc in &docs {
            self.load_document(doc, base_dir, &mut constraints)?;
        }
        for c in constraints {
            self.add_constraint(c)?;
        }
        Ok(())
    }

    fn load_document(
        &mut self,
        doc: &Value,
        base: &Path,
        constraints: &mut Vec<Constraint>,
    ) -> Result<(), AdmissionError> {
        let api_version = str_at(doc, &["apiVersion"]).unwrap_or("");
        let kind = str_at(doc, &["kind"]).unwrap_or("");
        if api_version.starts_with("templates.gatekeeper.sh/") && kind == "ConstraintTemplate" {
            let template = ConstraintTemplate::from_value(doc)?;
            self.add_template(GatekeeperPolicy::compile(template)?)?;
        } else if api_version.starts_with("constraints.gatekeeper.sh/") {
            constraints.push(Constraint::from_value(doc)?);
        } else if api_version.starts_with(POLICY_API_GROUP) && kind == POLICY_KIND {
            self.add_opa_policy(OpaPolicy::from_value(doc, base)?)?;
        }
        Ok(())
    }

    /// Add a compiled template (its constraints come with it).
    pub fn add_template(&mut self, policy: GatekeeperPolicy) -> Result<(), AdmissionError> {
        if self
            .templates
            .iter()
            .any(|t| t.template().kind == policy.template().kind)
        {
            return Err(AdmissionError::Duplicate {
                what: "ConstraintTemplate kind",
                name: policy.template().kind.clone(),
            });
        }
        self.templates.push(policy);
        Ok(())
    }

    /// Add a constraint to the template of its kind (replacing one of the
    /// same name). Its parameters are validated against the template's
    /// schema.
    pub fn add_constraint(&mut self, constraint: Constraint) -> Result<(), AdmissionError> {
        let template = self
            .templates
            .iter_mut()
            .find(|t| t.template().kind == constraint.kind)
            .ok_or_else(|| AdmissionError::UnknownConstraintKind {
                kind: constraint.kind.clone(),
                name: constraint.name.clone(),
            })?;
        template.add_constraint(constraint)
    }

    /// Add a Kubewarden-style OPA policy.
    pub fn add_opa_policy(&mut self, policy: OpaPolicy) -> Result<(), AdmissionError> {
        if self.opa.iter().any(|p| p.name() == policy.name()) {
            return Err(AdmissionError::Duplicate {
                what: "policy",
                name: policy.name().to_string(),
            });
        }
        self.opa.push(policy);
        Ok(())
    }

    /// Replace the inventory (`data.inventory`, and the Namespaces that
    /// namespace selectors read).
    pub fn set_inventory(&self, inventory: Inventory) {
        *self.inventory.write() = Arc::new(InventoryData::new(inventory));
    }

    /// The Gatekeeper templates loaded.
    pub fn templates(&self) -> &[GatekeeperPolicy] {
        &self.templates
    }

    /// The OPA policies loaded.
    pub fn opa_policies(&self) -> &[OpaPolicy] {
        &self.opa
    }

    /// Number of enforcing units: constraints plus OPA policies.
    pub fn len(&self) -> usize {
        self.templates
            .iter()
            .map(|t| t.constraints().len())
            .sum::<usize>()
            + self.opa.len()
    }

    /// True when nothing would be enforced.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Review a typed AdmissionReview and answer with the response to put
    /// in the returned AdmissionReview (`response.into_review()`). A review
    /// without a request, or with a malformed one, gets an `invalid`
    /// response (denied).
    pub fn review(&self, review: &AdmissionReview<DynamicObject>) -> AdmissionResponse {
        let uid = review
            .request
            .as_ref()
            .map(|r| r.uid.clone())
            .unwrap_or_default();
        let types = review.types.clone();
        let decoded = serde_json::to_value(review)
            .map_err(|e| AdmissionError::InvalidReview(e.to_string()))
            .and_then(|v| ReviewRequest::from_admission_review(&v));
        match decoded {
            Ok(request) => self.decide(&request).to_response(request.uid(), types),
            Err(e) => {
                let mut resp = AdmissionResponse::invalid(e.to_string());
                resp.uid = uid;
                if !types.api_version.is_empty() {
                    resp.types = types;
                }
                resp
            }
        }
    }

    /// Review an AdmissionReview given as JSON and answer with an
    /// AdmissionReview (same `apiVersion`, `response` set, `uid` echoed).
    pub fn review_json(&self, review: &Value) -> Value {
        let api_version = match str_at(review, &["apiVersion"]) {
            Some(super::request::API_V1BETA1) => super::request::API_V1BETA1,
            _ => super::request::API_V1,
        };
        let types = TypeMeta {
            api_version: api_version.to_string(),
            kind: "AdmissionReview".to_string(),
        };
        let response = match ReviewRequest::from_admission_review(review) {
            Ok(request) => self.decide(&request).to_response(request.uid(), types),
            Err(e) => {
                let mut resp = AdmissionResponse::invalid(e.to_string());
                resp.uid = str_at(review, &["request", "uid"])
                    .unwrap_or("")
                    .to_string();
                resp.types = types;
                resp
            }
        };
        review_to_json(response.into_review())
    }

    /// The set's policies in review order, each with whether it can
    /// mutate: OPA policies by name, Gatekeeper templates by their kind
    /// lower-cased (`k8srequiredlabels`). These are the names
    /// [`PolicySet::decide_only`] takes (the webhook's `/validate/<name>`).
    pub fn policy_names(&self) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = self
            .opa
            .iter()
            .map(|p| (p.name().to_string(), p.is_mutating()))
            .collect();
        out.extend(
            self.templates
                .iter()
                .map(|t| (t.template().kind.to_ascii_lowercase(), false)),
        );
        out
    }

    /// The decision of one policy alone (a name from
    /// [`PolicySet::policy_names`]; a template with all its constraints),
    /// with the set's inventory; `None` when the set has no such policy.
    pub fn decide_only(&self, policy: &str, request: &ReviewRequest) -> Option<Decision> {
        let inv = self.inventory.read().clone();
        let namespace = inv.inventory.namespace(request.namespace());
        let mut acc = Accumulator::default();
        if let Some(p) = self.opa.iter().find(|p| p.name() == policy) {
            let patch_ops = acc
                .run_opa(p, request, namespace)
                .and_then(|v| v.patch)
                .map(|patch| patch.0)
                .unwrap_or_default();
            return Some(acc.finish(patch_ops));
        }
        let t = self
            .templates
            .iter()
            .find(|t| t.template().kind.eq_ignore_ascii_case(policy))?;
        for r in t.review(request, namespace, inv.data.as_ref()) {
            acc.constraint(r);
        }
        Some(acc.finish(Vec::new()))
    }

    /// The decision on a request, with the set's inventory.
    pub fn decide(&self, request: &ReviewRequest) -> Decision {
        let inv = self.inventory.read().clone();
        self.decide_inner(request, &inv.inventory, inv.data.as_ref())
    }

    /// The decision on a request with a given inventory (instead of the
    /// set's).
    pub fn decide_with_inventory(
        &self,
        request: &ReviewRequest,
        inventory: &Inventory,
    ) -> Decision {
        let data = inventory_doc(inventory);
        self.decide_inner(request, inventory, data.as_ref())
    }

    fn decide_inner(
        &self,
        request: &ReviewRequest,
        inventory: &Inventory,
        data: Option<&Doc>,
    ) -> Decision {
        let namespace = inventory.namespace(request.namespace());
        let mut acc = Accumulator::default();

        // 1. Mutating OPA policies, in order, each on the object as the
        //    previous ones left it.
        let mut current = request.clone();
        let mut patch_ops = Vec::new();
        for p in self.opa.iter().filter(|p| p.is_mutating()) {
            if let Some(verdict) = acc.run_opa(p, &current, namespace)
                && let (Some(patch), Some(obj)) = (verdict.patch, verdict.patched_object)
            {
                patch_ops.extend(patch.0);
                current = current.with_object(obj);
            }
        }

        // 2. Validating policies see the mutated object.
        for p in self.opa.iter().filter(|p| !p.is_mutating()) {
            acc.run_opa(p, &current, namespace);
        }
        for t in &self.templates {
            for r in t.review(&current, namespace, data) {
                acc.constraint(r);
            }
        }
        acc.finish(patch_ops)
    }
}

#[derive(Default)]
struct Accumulator {
    deny: Vec<String>,
    deny_code: Option<u16>,
    policy_denied: bool,
    warnings: Vec<String>,
    outcomes: Vec<Outcome>,
}

impl Accumulator {
    fn error(
        &mut self,
        policy: String,
        message: String,
        failure_policy: FailurePolicy,
        enforcing: bool,
    ) {
        let denied = enforcing && failure_policy == FailurePolicy::Fail;
        if denied {
            self.deny.push(format!("[{policy}] {message}"));
        } else if enforcing {
            self.warnings.push(format!(
                "[{policy}] ignored (failurePolicy: Ignore): {message}"
            ));
        }
        tracing::warn!(policy, error = %message, denied, "admission policy failed");
        self.outcomes.push(Outcome {
            policy,
            kind: OutcomeKind::Error { message, denied },
        });
    }

    fn run_opa(
        &mut self,
        p: &OpaPolicy,
        request: &ReviewRequest,
        namespace: Option<&Value>,
    ) -> Option<OpaVerdict> {
        let name = p.name().to_string();
        let result = p.applies(request, namespace).and_then(|applies| {
            if applies {
                p.review(request).map(Some)
            } else {
                Ok(None)
            }
        });
        match result {
            Ok(None) => None,
            Err(e) => {
                self.error(name, e, p.failure_policy(), true);
                None
            }
            Ok(Some(v)) => {
                if !v.allowed {
                    let msg = if v.message.is_empty() {
                        format!("[{name}] request denied")
                    } else {
                        format!("[{name}] {}", v.message)
                    };
                    self.deny.push(msg);
                    self.policy_denied = true;
                    if self.deny_code.is_none() {
                        self.deny_code = v.code.filter(|c| *c >= 400);
                    }
                }
                self.warnings
                    .extend(v.warnings.iter().map(|w| format!("[{name}] {w}")));
                self.outcomes.push(Outcome {
                    policy: name,
                    kind: OutcomeKind::Verdict {
                        allowed: v.allowed,
                        message: v.message.clone(),
                        warnings: v.warnings.clone(),
                        mutated: v.patch.is_some(),
                    },
                });
                Some(v)
            }
        }
    }

    fn constraint(&mut self, r: ConstraintResult) {
        let policy = format!("{}/{}", r.constraint.kind, r.constraint.name);
        match r.result {
            Ok(None) => {}
            Err(e) => {
                let enforcing = r
                    .constraint
                    .strongest_action()
                    .is_some_and(|a| a != EnforcementAction::Dryrun);
                self.error(policy, e, r.failure_policy, enforcing);
            }
            Ok(Some(violations)) => {
                for v in &violations {
                    for action in &r.constraint.actions {
                        match action {
                            EnforcementAction::Deny => {
                                self.deny.push(v.formatted());
                                self.policy_denied = true;
                            }
                            EnforcementAction::Warn => self.warnings.push(v.formatted()),
                            EnforcementAction::Dryrun => {
                                tracing::info!(constraint = %policy, msg = %v.msg, "dryrun violation");
                            }
                        }
                    }
                }
                self.outcomes.push(Outcome {
                    policy,
                    kind: OutcomeKind::Violations(violations),
                });
            }
        }
    }

    fn finish(self, patch_ops: Vec<json_patch::PatchOperation>) -> Decision {
        if !self.deny.is_empty() {
            let code = if self.policy_denied {
                self.deny_code.unwrap_or(403)
            } else {
                500
            };
            return Decision {
                allowed: false,
                code,
                message: self.deny.join("\n"),
                warnings: self.warnings,
                patch: None,
                outcomes: self.outcomes,
            };
        }
        Decision {
            allowed: true,
            code: if self.warnings.is_empty() {
                200
            } else {
                STATUS_WARNING
            },
            message: String::new(),
            warnings: self.warnings,
            patch: (!patch_ops.is_empty()).then_some(json_patch::Patch(patch_ops)),
            outcomes: self.outcomes,
        }
    }
}

/// Encode an AdmissionReview (with a response) as the API server expects
/// it: like serde would, but with `response.patch` as a base64 string (the
/// Kubernetes wire form of a byte field; kube's serde writes a number
/// array).
pub fn review_to_json(review: AdmissionReview<DynamicObject>) -> Value {
    use base64::Engine as _;
    let api_version = review.types.api_version.clone();
    let mut v = serde_json::to_value(&review).unwrap_or_else(|e| {
        json!({"apiVersion": api_version, "kind": "AdmissionReview",
               "response": {"uid": "", "allowed": false,
                            "status": {"code": 500, "message": format!("encoding response: {e}")}}})
    });
    if let Some(patch) = v.get_mut("response").and_then(|r| r.get_mut("patch"))
        && let Value::Array(items) = patch
    {
        let bytes: Option<Vec<u8>> = items
            .iter()
            .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
            .collect();
        if let Some(bytes) = bytes {
            *patch = Value::String(base64::engine::general_purpose::STANDARD.encode(bytes));
        }
    }
    v
}

/// Policy files under `dir`, sorted; hidden entries are skipped.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), AdmissionError> {
    let io = |source| AdmissionError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
    Ok(())
}
