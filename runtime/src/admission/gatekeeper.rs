//! Gatekeeper ConstraintTemplates and Constraints.
//!
//! A [`ConstraintTemplate`] carries Rego (in `targets[].rego` or in a
//! `targets[].code[]` entry with `engine: Rego`, plus `libs`) and a
//! parameter schema; a [`Constraint`] of the template's kind says where it
//! applies (`spec.match`), with which `spec.parameters`, and what a
//! violation does (`spec.enforcementAction`). A [`GatekeeperPolicy`] is a
//! compiled template with its constraints.
//!
//! Evaluation is Gatekeeper's: for each matching constraint the input is
//! `{"review": <admission request>, "parameters": <spec.parameters>}`,
//! `data.inventory` holds the synced cluster objects, and the entrypoint is
//! `<package>.violation` (by name). Every violation must be an object with
//! a string `msg`; `details` is kept (default `{}`).

use super::doc::{Doc, Input, Part};
use super::engine::{
    CompiledEvaluator, EngineChoice, Evaluator, FailurePolicy, RegoEvaluator, RegoVersion,
    ShadowEvaluator,
};
use super::yaml::str_at;
use super::{AdmissionError, Match, ReviewRequest};
use serde_json::{Value, json};
use std::fmt;
use std::time::Duration;

/// The Gatekeeper target this runtime implements.
pub(crate) const ADMISSION_TARGET: &str = "admission.k8s.gatekeeper.sh";

/// Annotation (on a template or constraint) choosing `Fail` or `Ignore`.
pub(crate) const FAILURE_POLICY_ANNOTATION: &str = "regowasm.dev/failure-policy";

/// What a constraint's violation does to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnforcementAction {
    /// Deny the request (the default).
    Deny,
    /// Allow the request and return a warning.
    Warn,
    /// Allow the request; the violation is only recorded.
    Dryrun,
}

impl EnforcementAction {
    /// Parse `deny`, `warn` or `dryrun` (empty = `deny`).
    pub fn parse(s: &str) -> Result<EnforcementAction, String> {
        match s {
            "" | "deny" => Ok(EnforcementAction::Deny),
            "warn" => Ok(EnforcementAction::Warn),
            "dryrun" => Ok(EnforcementAction::Dryrun),
            other => Err(format!(
                "enforcementAction {other:?} is not one of deny, warn, dryrun, scoped"
            )),
        }
    }

    /// The lowercase name, as written in a constraint.
    pub fn as_str(&self) -> &'static str {
        match self {
            EnforcementAction::Deny => "deny",
            EnforcementAction::Warn => "warn",
            EnforcementAction::Dryrun => "dryrun",
        }
    }
}

impl fmt::Display for EnforcementAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The Rego of a template target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSource {
    /// The entrypoint module (its package holds `violation`).
    pub rego: String,
    /// Library modules (packages under `lib.`).
    pub libs: Vec<String>,
    /// `source.version` (`v0` / `v1`); absent = try v1, then v0.
    pub version: Option<String>,
}

/// A Gatekeeper ConstraintTemplate (`templates.gatekeeper.sh/v1`,
/// `v1beta1` or `v1alpha1`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConstraintTemplate {
    /// `metadata.name`.
    pub name: String,
    /// The constraint kind it defines (`spec.crd.spec.names.kind`).
    pub kind: String,
    /// `spec.crd.spec.validation.openAPIV3Schema`: the schema of
    /// `spec.parameters`.
    pub parameters_schema: Option<Value>,
    /// The Rego of the `admission.k8s.gatekeeper.sh` target.
    pub source: TemplateSource,
    /// Failure policy from the `regowasm.dev/failure-policy` annotation.
    pub failure_policy: Option<FailurePolicy>,
}

impl ConstraintTemplate {
    /// Read a ConstraintTemplate document.
    pub fn from_value(doc: &Value) -> Result<ConstraintTemplate, AdmissionError> {
        let name = str_at(doc, &["metadata", "name"]).unwrap_or("").to_string();
        let err = |reason: String| AdmissionError::InvalidTemplate {
            name: name.clone(),
            reason,
        };
        let api_version = str_at(doc, &["apiVersion"]).unwrap_or("");
        if !api_version.starts_with("templates.gatekeeper.sh/") {
            return Err(err(format!(
                "apiVersion {api_version:?} is not templates.gatekeeper.sh/*"
            )));
        }
        if str_at(doc, &["kind"]) != Some("ConstraintTemplate") {
            return Err(err("kind is not ConstraintTemplate".into()));
        }
        let kind = str_at(doc, &["spec", "crd", "spec", "names", "kind"])
            .filter(|k| !k.is_empty())
            .ok_or_else(|| err("missing spec.crd.spec.names.kind".into()))?
            .to_string();
        let parameters_schema = super::yaml::at(
            doc,
            &["spec", "crd", "spec", "validation", "openAPIV3Schema"],
        )
        .filter(|v| !v.is_null())
        .cloned();
        let targets = super::yaml::at(doc, &["spec", "targets"])
            .and_then(Value::as_array)
            .ok_or_else(|| err("missing spec.targets".into()))?;
        let target = targets
            .iter()
            .find(|t| str_at(t, &["target"]) == Some(ADMISSION_TARGET))
            .ok_or_else(|| err(format!("no target {ADMISSION_TARGET}")))?;
        let source = target_source(target).map_err(err)?;
        let failure_policy = annotation(doc, FAILURE_POLICY_ANNOTATION)
            .map(FailurePolicy::parse)
            .transpose()
            .map_err(err)?;
        Ok(ConstraintTemplate {
            name,
            kind,
            parameters_schema,
            source,
            failure_policy,
        })
    }
}

/// A string annotation of a document.
pub(crate) fn annotation<'a>(doc: &'a Value, key: &str) -> Option<&'a str> {
    doc.get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

fn string_list(v: Option<&Value>, what: &str) -> Result<Vec<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{what} must be a list of strings"))
            })
            .collect(),
        Some(_) => Err(format!("{what} must be a list of strings")),
    }
}

/// The Rego of a target: a `code[]` entry with `engine: Rego` wins over the
/// legacy `rego`/`libs` fields.
fn target_source(target: &Value) -> Result<TemplateSource, String> {
    if let Some(code) = target.get("code").and_then(Value::as_array)
        && let Some(entry) = code.iter().find(|c| str_at(c, &["engine"]) == Some("Rego"))
    {
        let source = entry
            .get("source")
            .ok_or("code[engine=Rego] has no source")?;
        let rego = str_at(source, &["rego"])
            .filter(|r| !r.trim().is_empty())
            .ok_or("code[engine=Rego].source.rego is missing or empty")?;
        return Ok(TemplateSource {
            rego: rego.to_string(),
            libs: string_list(source.get("libs"), "source.libs")?,
            version: str_at(source, &["version"]).map(str::to_string),
        });
    }
    match str_at(target, &["rego"]) {
        Some(r) if !r.trim().is_empty() => Ok(TemplateSource {
            rego: r.to_string(),
            libs: string_list(target.get("libs"), "libs")?,
            version: None,
        }),
        _ => Err("the target has no Rego (CEL-only templates are not supported)".into()),
    }
}

/// A Constraint: an instance of a template's kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// The constraint kind (the template's `names.kind`).
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.match` (default: everything).
    pub matcher: Match,
    /// `spec.parameters` (default `{}`).
    pub parameters: Value,
    /// The enforcement actions at the admission webhook: one, or several
    /// with `enforcementAction: scoped`. Empty when a scoped constraint
    /// does not apply to the webhook.
    pub actions: Vec<EnforcementAction>,
    /// Failure policy from the `regowasm.dev/failure-policy` annotation.
    pub failure_policy: Option<FailurePolicy>,
}

impl Constraint {
    /// Read a Constraint document (`constraints.gatekeeper.sh/*`).
    pub fn from_value(doc: &Value) -> Result<Constraint, AdmissionError> {
        let kind = str_at(doc, &["kind"]).unwrap_or("").to_string();
        let name = str_at(doc, &["metadata", "name"]).unwrap_or("").to_string();
        let err = |reason: String| AdmissionError::InvalidConstraint {
            kind: kind.clone(),
            name: name.clone(),
            reason,
        };
        if kind.is_empty() {
            return Err(err("missing kind".into()));
        }
        if name.is_empty() {
            return Err(err("missing metadata.name".into()));
        }
        let spec = doc.get("spec").cloned().unwrap_or(Value::Null);
        let matcher = match spec.get("match") {
            None | Some(Value::Null) => Match::default(),
            Some(m) => Match::from_value(m).map_err(err)?,
        };
        let parameters = match spec.get("parameters") {
            None | Some(Value::Null) => json!({}),
            Some(p) => p.clone(),
        };
        let action = str_at(&spec, &["enforcementAction"]).unwrap_or("");
        let actions = if action == "scoped" {
            scoped_actions(&spec).map_err(err)?
        } else {
            vec![EnforcementAction::parse(action).map_err(err)?]
        };
        let failure_policy = annotation(doc, FAILURE_POLICY_ANNOTATION)
            .map(FailurePolicy::parse)
            .transpose()
            .map_err(err)?;
        Ok(Constraint {
            kind,
            name,
            matcher,
            parameters,
            actions,
            failure_policy,
        })
    }

    /// The strongest action: deny over warn over dryrun (`None` when the
    /// constraint does not act at the webhook).
    pub fn strongest_action(&self) -> Option<EnforcementAction> {
        [
            EnforcementAction::Deny,
            EnforcementAction::Warn,
            EnforcementAction::Dryrun,
        ]
        .into_iter()
        .find(|a| self.actions.contains(a))
    }
}

/// `scopedEnforcementActions` entries that apply to the validating webhook
/// (`validation.gatekeeper.sh`) or to every enforcement point (`*`).
fn scoped_actions(spec: &Value) -> Result<Vec<EnforcementAction>, String> {
    let entries = spec
        .get("scopedEnforcementActions")
        .and_then(Value::as_array)
        .ok_or("enforcementAction scoped needs scopedEnforcementActions")?;
    let mut actions = Vec::new();
    for e in entries {
        let action = EnforcementAction::parse(str_at(e, &["action"]).unwrap_or(""))?;
        let points = e.get("enforcementPoints").and_then(Value::as_array);
        let applies = points.is_none_or(|ps| {
            ps.iter().any(|p| {
                matches!(
                    str_at(p, &["name"]),
                    Some("*") | Some("validation.gatekeeper.sh")
                )
            })
        });
        if applies && !actions.contains(&action) {
            actions.push(action);
        }
    }
    Ok(actions)
}

/// One violation reported by a constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The constraint kind.
    pub constraint_kind: String,
    /// The constraint name.
    pub constraint_name: String,
    /// The message (`msg`) as the policy produced it.
    pub msg: String,
    /// `details` (default `{}`).
    pub details: Value,
    /// What the violation does.
    pub action: EnforcementAction,
}

impl Violation {
    /// The message as Gatekeeper returns it: `[<constraint name>] <msg>`.
    pub fn formatted(&self) -> String {
        format!("[{}] {}", self.constraint_name, self.msg)
    }
}

/// The result of one constraint on one request.
#[derive(Debug, Clone)]
pub(crate) struct ConstraintResult {
    pub(crate) constraint: Constraint,
    /// `Ok(None)`: the constraint does not match the request.
    pub(crate) result: Result<Option<Vec<Violation>>, String>,
    pub(crate) failure_policy: FailurePolicy,
}

/// A compiled ConstraintTemplate and the constraints of its kind.
pub struct GatekeeperPolicy {
    template: ConstraintTemplate,
    entrypoint: String,
    evaluator: Box<dyn Evaluator>,
    schema: Option<jsonschema::Validator>,
    constraints: Vec<Constraint>,
    /// Whether any module can reach the data document other than through
    /// the template's own `data.lib` libraries (e.g. `data.inventory`).
    reads_data: bool,
}

impl fmt::Debug for GatekeeperPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatekeeperPolicy")
            .field("template", &self.template.name)
            .field("kind", &self.template.kind)
            .field("entrypoint", &self.entrypoint)
            .field("engine", &self.evaluator.engine_name())
            .field("constraints", &self.constraints.len())
            .finish()
    }
}

impl GatekeeperPolicy {
    /// Compile a template's Rego (through regorus) with the default
    /// deadline of one second per evaluation.
    pub fn compile(template: ConstraintTemplate) -> Result<GatekeeperPolicy, AdmissionError> {
        GatekeeperPolicy::compile_with(template, None, EngineChoice::Auto, Duration::from_secs(1))
    }

    /// Compile a template, optionally with a compiled module of the same
    /// policy (`compiled`), choosing the engine as `engine` says, with a
    /// per-evaluation deadline.
    pub fn compile_with(
        template: ConstraintTemplate,
        compiled: Option<crate::Policy>,
        engine: EngineChoice,
        timeout: Duration,
    ) -> Result<GatekeeperPolicy, AdmissionError> {
        let err = |reason: String| AdmissionError::InvalidTemplate {
            name: template.name.clone(),
            reason,
        };
        let version = RegoVersion::parse(template.source.version.as_deref()).map_err(err)?;
        let mut modules = vec![("template.rego".to_string(), template.source.rego.clone())];
        for (i, lib) in template.source.libs.iter().enumerate() {
            modules.push((format!("lib_{i}.rego"), lib.clone()));
        }
        let (mut rego, packages) =
            RegoEvaluator::compile(&modules, version, None, timeout).map_err(err)?;
        let package = packages
            .first()
            .ok_or_else(|| err("no Rego module".into()))?
            .clone();
        for (i, p) in packages.iter().enumerate().skip(1) {
            if !p.starts_with("data.lib.") && p != "data.lib" {
                return Err(err(format!(
                    "libs[{}] has package {}, but template libraries must be under data.lib",
                    i - 1,
                    p.trim_start_matches("data.")
                )));
            }
        }
        if !declares_rule(&template.source.rego, "violation") {
            return Err(err(format!(
                "package {} has no violation rule",
                package.trim_start_matches("data.")
            )));
        }
        let entrypoint = format!("{package}.violation");
        let reads_data = modules.iter().any(|(_, src)| references_data(src));
        rego.warm_up(&entrypoint);
        let evaluator: Box<dyn Evaluator> = match (engine, compiled) {
            (EngineChoice::Rego, _) | (EngineChoice::Auto, None) => Box::new(rego),
            (EngineChoice::Wasm, Some(policy)) | (EngineChoice::Auto, Some(policy)) => {
                Box::new(CompiledEvaluator { policy })
            }
            (EngineChoice::Shadow, Some(policy)) => Box::new(ShadowEvaluator {
                primary: Box::new(CompiledEvaluator { policy }),
                shadow: Box::new(rego),
            }),
            (EngineChoice::Wasm | EngineChoice::Shadow, None) => {
                return Err(err(format!(
                    "engine {engine:?} needs a compiled module, and none was given"
                )));
            }
        };
        let schema = match &template.parameters_schema {
            Some(s) => Some(
                jsonschema::draft4::options()
                    .build(&openapi_to_json_schema(s))
                    .map_err(|e| err(format!("openAPIV3Schema: {e}")))?,
            ),
            None => None,
        };
        Ok(GatekeeperPolicy {
            template,
            entrypoint,
            evaluator,
            schema,
            constraints: Vec::new(),
            reads_data,
        })
    }

    /// The template.
    pub fn template(&self) -> &ConstraintTemplate {
        &self.template
    }

    /// The entrypoint evaluated, `data.<package>.violation`.
    pub fn entrypoint(&self) -> &str {
        &self.entrypoint
    }

    /// The constraints added so far.
    pub fn constraints(&self) -> &[Constraint] {
        &self.constraints
    }

    /// Validate a constraint's parameters against the template's schema.
    pub fn validate_constraint(&self, constraint: &Constraint) -> Result<(), AdmissionError> {
        if constraint.kind != self.template.kind {
            return Err(AdmissionError::InvalidConstraint {
                kind: constraint.kind.clone(),
                name: constraint.name.clone(),
                reason: format!(
                    "template {} defines kind {}",
                    self.template.name, self.template.kind
                ),
            });
        }
        if let Some(schema) = &self.schema {
            let errors: Vec<String> = schema
                .iter_errors(&constraint.parameters)
                .map(|e| {
                    let path = e.instance_path().to_string();
                    if path.is_empty() {
                        format!("spec.parameters: {e}")
                    } else {
                        format!("spec.parameters{}: {e}", path.replace('/', "."))
                    }
                })
                .collect();
            if !errors.is_empty() {
                return Err(AdmissionError::Schema {
                    kind: constraint.kind.clone(),
                    name: constraint.name.clone(),
                    errors,
                });
            }
        }
        Ok(())
    }

    /// Add (or replace, by name) a constraint after validating it.
    pub fn add_constraint(&mut self, constraint: Constraint) -> Result<(), AdmissionError> {
        self.validate_constraint(&constraint)?;
        self.constraints.retain(|c| c.name != constraint.name);
        self.constraints.push(constraint);
        Ok(())
    }

    /// Evaluate every constraint on a request. `namespace` is the
    /// request's Namespace object when known; `data` the extra data
    /// document (`{"inventory": ...}`).
    pub(crate) fn review(
        &self,
        request: &ReviewRequest,
        namespace: Option<&Value>,
        data: Option<&Doc>,
    ) -> Vec<ConstraintResult> {
        self.constraints
            .iter()
            .map(|c| ConstraintResult {
                constraint: c.clone(),
                failure_policy: c
                    .failure_policy
                    .or(self.template.failure_policy)
                    .unwrap_or_default(),
                result: self.review_one(c, request, namespace, data),
            })
            .collect()
    }

    fn review_one(
        &self,
        c: &Constraint,
        request: &ReviewRequest,
        namespace: Option<&Value>,
        data: Option<&Doc>,
    ) -> Result<Option<Vec<Violation>>, String> {
        let matched = c
            .matcher
            .matches_request(request.object(), request.old_object(), namespace)
            .map_err(|e| format!("matching constraint: {e}"))?;
        if !matched {
            return Ok(None);
        }
        // The request's regorus form is made once per AdmissionReview and
        // shared by every constraint.
        let input = Input::Object(vec![
            ("review", Part::Shared(request.doc())),
            ("parameters", Part::Own(&c.parameters)),
        ]);
        // A policy that cannot reach the data document does not get it.
        let data = if self.reads_data { data } else { None };
        let value = self
            .evaluator
            .evaluate(&self.entrypoint, &input, data)
            .map_err(|e| format!("evaluating {}: {e}", self.entrypoint))?;
        let action = c.strongest_action().unwrap_or(EnforcementAction::Dryrun);
        let items = match value {
            None => return Ok(Some(Vec::new())),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(format!(
                    "malformed result: {} is {}, expected a set of violations",
                    self.entrypoint,
                    json_type(&other)
                ));
            }
        };
        let mut violations = Vec::with_capacity(items.len());
        for item in items {
            let msg = match item.get("msg") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => {
                    return Err(format!(
                        "malformed result: violation msg is {}, expected a string",
                        json_type(other)
                    ));
                }
                None => {
                    return Err(format!("malformed result: violation {item} has no msg"));
                }
            };
            violations.push(Violation {
                constraint_kind: c.kind.clone(),
                constraint_name: c.name.clone(),
                msg,
                details: item.get("details").cloned().unwrap_or_else(|| json!({})),
                action,
            });
        }
        Ok(Some(violations))
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Does the Rego text declare a rule called `name` at the top level?
/// (A head starts a line: `violation[...]`, `violation contains`,
/// `violation {`, `violation =`, `violation :=`, `violation if`.)
fn declares_rule(rego: &str, name: &str) -> bool {
    rego.lines().any(|line| {
        line.trim_start().strip_prefix(name).is_some_and(|rest| {
            let rest = rest.trim_start();
            rest.is_empty()
                || rest.starts_with(['[', '{', '=', ':', '('])
                || rest.starts_with("contains")
                || rest.starts_with("if")
        })
    })
}

/// Whether Rego source can reach the data document other than through
/// `data.lib` (the template's own libraries): a reference rooted at `data`
/// (`data.inventory`, `data[k]`, `import data.x`, a bare `data`). The root
/// `data` is a whole word not preceded by `.` (`input.data` is a field).
/// Comments and strings are not skipped, so a mention there errs towards
/// `true` (the data document is then attached, as before).
fn references_data(rego: &str) -> bool {
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = rego.as_bytes();
    rego.match_indices("data").any(|(i, _)| {
        let before = i.checked_sub(1).and_then(|j| bytes.get(j)).copied();
        if before.is_some_and(|b| is_ident(b) || b == b'.') {
            return false;
        }
        let rest = bytes.get(i + 4..).unwrap_or_default();
        if rest.first().is_some_and(|&b| is_ident(b)) {
            return false;
        }
        let lib = rest
            .strip_prefix(b".lib")
            .is_some_and(|after| !after.first().is_some_and(|&b| is_ident(b)));
        !lib
    })
}

/// Turn an OpenAPI v3 schema (as in a CRD) into a JSON Schema: `nullable`
/// allows `null`, `x-kubernetes-int-or-string` allows integers and
/// strings, `x-kubernetes-preserve-unknown-fields` is implied.
pub(crate) fn openapi_to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                match k.as_str() {
                    "properties" | "patternProperties" | "definitions" => {
                        let props = v
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(pk, pv)| (pk.clone(), openapi_to_json_schema(pv)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Object(props));
                    }
                    "items" | "additionalProperties" | "not" => {
                        out.insert(k.clone(), openapi_to_json_schema(v));
                    }
                    "allOf" | "anyOf" | "oneOf" => {
                        let list = v
                            .as_array()
                            .map(|a| a.iter().map(openapi_to_json_schema).collect())
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Array(list));
                    }
                    "nullable" | "format" | "example" | "externalDocs" => {}
                    _ if k.starts_with("x-kubernetes-") => {}
                    _ => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            if m.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
                out.remove("type");
                out.insert("type".into(), json!(["integer", "string"]));
            }
            if m.get("nullable") == Some(&Value::Bool(true))
                && let Some(t) = out.get("type").cloned()
            {
                let mut types = match t {
                    Value::Array(a) => a,
                    other => vec![other],
                };
                types.push(json!("null"));
                out.insert("type".into(), Value::Array(types));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn openapi_conversion() {
        let s = openapi_to_json_schema(&json!({
            "type": "object",
            "properties": {
                "a": {"type": "string", "nullable": true},
                "b": {"x-kubernetes-int-or-string": true, "format": "int-or-string"}
            }
        }));
        assert_eq!(s["properties"]["a"]["type"], json!(["string", "null"]));
        assert_eq!(s["properties"]["b"]["type"], json!(["integer", "string"]));
    }

    #[test]
    fn rule_declarations_are_found() {
        assert!(declares_rule(
            "package x\nviolation[{\"msg\": m}] {\n}",
            "violation"
        ));
        assert!(declares_rule(
            "package x\nviolation contains r if {",
            "violation"
        ));
        assert!(!declares_rule("package x\nviolations[x] {", "violation"));
        assert!(!declares_rule("package x\n  # violation[x]", "violation"));
    }

    #[test]
    fn data_references_are_found() {
        assert!(references_data("x := data.inventory.cluster"));
        assert!(references_data("x := data[\"inventory\"]"));
        assert!(references_data("import data.inventory\nx := inventory"));
        assert!(references_data("x := data"));
        assert!(references_data("import data.lib.a\ny := data.libs.b"));
        assert!(!references_data(
            "import data.lib.helpers\nx := data.lib.y(input.data)"
        ));
        assert!(!references_data("x := input.review.object.metadata.name"));
        assert!(!references_data("x := input.review.object.data.key"));
        assert!(!references_data("mydata := 1\ndata_x := 2"));
    }

    #[test]
    fn data_goes_only_to_policies_that_read_it() {
        let template = |rego: &str| ConstraintTemplate {
            name: "t".into(),
            kind: "T".into(),
            parameters_schema: None,
            source: TemplateSource {
                rego: rego.into(),
                libs: Vec::new(),
                version: Some("v1".into()),
            },
            failure_policy: None,
        };
        let constraint = Constraint::from_value(&json!({
            "apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "T",
            "metadata": {"name": "c"}, "spec": {}
        }))
        .unwrap();
        let request = ReviewRequest::from_object(&json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}
        }))
        .unwrap();
        let data = Doc::new(json!({"inventory": {"n": 3}}));
        let msgs = |rego: &str| {
            let mut p = GatekeeperPolicy::compile(template(rego)).unwrap();
            p.add_constraint(constraint.clone()).unwrap();
            let results = p.review(&request, None, Some(&data));
            let violations = results[0].result.clone().unwrap().unwrap();
            violations.into_iter().map(|v| v.msg).collect::<Vec<_>>()
        };
        let reader =
            "package t\nviolation contains {\"msg\": sprintf(\"%v\", [data.inventory.n])} if true";
        assert!(references_data(reader));
        assert_eq!(msgs(reader), vec!["3"]);
        let blind =
            "package t\nviolation contains {\"msg\": input.review.object.metadata.name} if true";
        assert!(!references_data(blind));
        assert_eq!(msgs(blind), vec!["p"]);
    }

    #[test]
    fn scoped_actions_pick_the_webhook() {
        let c = Constraint::from_value(&json!({
            "apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K", "metadata": {"name": "n"},
            "spec": {"enforcementAction": "scoped", "scopedEnforcementActions": [
                {"action": "warn", "enforcementPoints": [{"name": "validation.gatekeeper.sh"}]},
                {"action": "deny", "enforcementPoints": [{"name": "audit.gatekeeper.sh"}]}
            ]}
        }))
        .unwrap();
        assert_eq!(c.actions, vec![EnforcementAction::Warn]);
        let bad = Constraint::from_value(&json!({
            "kind": "K", "metadata": {"name": "n"}, "spec": {"enforcementAction": "block"}
        }));
        assert!(bad.is_err());
    }
}
