//! The default [`PolicyLoader`]: policy sets from the admission layer.
//!
//! [`load_policy_set`] reads the configuration's `policySet` directory
//! (ConstraintTemplates, Constraints and `AdmissionPolicy` documents, see
//! `policies/README.md`), then each explicitly listed policy (a Wasm
//! module, an OPA bundle, Rego files, a Gatekeeper template with its
//! constraints), then the inventory files, into one
//! [`PolicySet`] served by a [`PolicySetHandler`].

use super::config::{PolicyEntry, PolicyKind, ServerConfig};
use super::handler::{AdmissionHandler, LoadError, PolicyDecision, PolicyInfo, ReviewError};
use crate::admission::{EngineChoice, Inventory, OpaPolicy, OutcomeKind, PolicySet, ReviewRequest};
use crate::policy::{Limits, Policy, PolicyOptions};
use std::path::Path;
use std::sync::Arc;

/// A loaded [`PolicySet`] served policy by policy.
#[derive(Debug)]
pub struct PolicySetHandler {
    set: PolicySet,
    infos: Vec<PolicyInfo>,
}

impl PolicySetHandler {
    /// Wrap a loaded set.
    pub fn new(set: PolicySet) -> Self {
        let infos = set
            .policy_names()
            .into_iter()
            .map(|(name, mutating)| PolicyInfo {
                mutating,
                ..PolicyInfo::validating(name)
            })
            .collect();
        PolicySetHandler { set, infos }
    }

    /// The wrapped set.
    pub fn set(&self) -> &PolicySet {
        &self.set
    }
}

/// Sort an evaluation failure into a limit hit or another failure, by the
/// engines' messages (both name the limit they hit).
fn classify(message: String) -> ReviewError {
    let m = message.to_ascii_lowercase();
    if [
        "time limit",
        "deadline",
        "timed out",
        "memory limit",
        "fuel",
        "size limit",
        "limit exceeded",
    ]
    .iter()
    .any(|k| m.contains(k))
    {
        ReviewError::Limit(message)
    } else {
        ReviewError::Eval(message)
    }
}

impl AdmissionHandler for PolicySetHandler {
    fn policies(&self) -> Vec<PolicyInfo> {
        self.infos.clone()
    }

    fn review(
        &self,
        policy: &str,
        mutate: bool,
        review: &serde_json::Value,
    ) -> Result<PolicyDecision, ReviewError> {
        let request = ReviewRequest::from_admission_review(review)
            .map_err(|e| ReviewError::BadReview(e.to_string()))?;
        let d = self
            .set
            .decide_only(policy, &request)
            .ok_or_else(|| ReviewError::UnknownPolicy(policy.to_string()))?;
        // An evaluation error: hand it to the server, which applies the
        // configured failure policy and counts the cause.
        if let Some(msg) = d.outcomes.iter().find_map(|o| match &o.kind {
            OutcomeKind::Error {
                message,
                denied: true,
            } => Some(format!("[{}] {message}", o.policy)),
            _ => None,
        }) {
            return Err(classify(msg));
        }
        let patch = if mutate && d.allowed {
            d.patch
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| ReviewError::Result(format!("encoding patch: {e}")))?
        } else {
            None
        };
        Ok(PolicyDecision {
            allowed: d.allowed,
            // The set prefixes an OPA policy's message with its name; on
            // the policy's own endpoint that is noise (the server adds it
            // when merging). Gatekeeper's `[constraint] msg` lines stay.
            messages: if d.allowed {
                Vec::new()
            } else {
                let own = format!("[{policy}] ");
                d.message
                    .lines()
                    .map(|l| l.strip_prefix(&own).unwrap_or(l).to_string())
                    .collect()
            },
            warnings: d.warnings,
            patch,
            code: (!d.allowed).then_some(d.code),
            audit_annotations: Vec::new(),
        })
    }

    fn warm(&self) -> Result<(), ReviewError> {
        // One evaluation per policy so engines fill their pools and caches
        // before traffic; the decisions are discarded.
        let sample = serde_json::json!({
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": "warm-up", "operation": "CREATE",
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "namespace": "default", "name": "warm-up",
                "userInfo": {"username": "regowasm"},
                "object": {"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "warm-up", "namespace": "default"},
                    "spec": {"containers": [{"name": "c", "image": "busybox:1"}]}}}
        });
        for p in &self.infos {
            if let Err(e) = self.review(&p.name, p.mutating, &sample) {
                tracing::warn!(policy = %p.name, error = %e, "warm-up evaluation failed");
            }
        }
        Ok(())
    }
}

fn load_err(what: impl std::fmt::Display) -> LoadError {
    LoadError(what.to_string())
}

fn read_text(p: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(p).map_err(|e| load_err(format!("{}: {e}", p.display())))
}

/// `.rego` files (not `_test.rego`) of a file or a directory tree, sorted.
fn rego_modules(path: &Path) -> Result<Vec<(String, String)>, LoadError> {
    let mut files = if path.is_dir() {
        crate::rego::files_under(path)
            .map_err(|(p, e)| load_err(format!("{}: {e}", p.display())))?
            .into_iter()
            .filter(|p| {
                p.extension().is_some_and(|x| x == "rego")
                    && !p.to_string_lossy().ends_with("_test.rego")
            })
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.sort();
    files
        .into_iter()
        .map(|f| Ok((f.display().to_string(), read_text(&f)?)))
        .collect()
}

/// The entry's data document: `settings`, then `data`, then `dataFiles`
/// merged key by key (later wins).
fn entry_data(e: &PolicyEntry) -> Result<Option<serde_json::Value>, LoadError> {
    let mut out: Option<serde_json::Map<String, serde_json::Value>> = None;
    let mut merge = |v: &serde_json::Value, what: &str| -> Result<(), LoadError> {
        match v {
            serde_json::Value::Object(o) => {
                out.get_or_insert_with(Default::default)
                    .extend(o.iter().map(|(k, v)| (k.clone(), v.clone())));
                Ok(())
            }
            serde_json::Value::Null => Ok(()),
            _ => Err(load_err(format!(
                "policy {}: {what} must be a mapping",
                e.name
            ))),
        }
    };
    if let Some(s) = &e.settings {
        merge(s, "settings")?;
    }
    if let Some(d) = &e.data {
        merge(d, "data")?;
    }
    for f in &e.data_files {
        let v: serde_json::Value = serde_yaml::from_str(&read_text(f)?)
            .map_err(|x| load_err(format!("policy {}: {}: {x}", e.name, f.display())))?;
        merge(&v, &f.display().to_string())?;
    }
    Ok(out.map(serde_json::Value::Object))
}

fn is_compiled(path: &Path) -> bool {
    let p = path.to_string_lossy();
    p.ends_with(".wasm") || p.ends_with(".tar.gz") || p.ends_with(".tgz")
}

fn load_entry(set: &mut PolicySet, cfg: &ServerConfig, e: &PolicyEntry) -> Result<(), LoadError> {
    let ctx = |x: &dyn std::fmt::Display| load_err(format!("policy {}: {x}", e.name));
    let settings = cfg.settings_for(&e.name);
    match e.kind {
        PolicyKind::Gatekeeper => {
            let base = e.path.parent().unwrap_or(Path::new("."));
            set.load_yaml(&read_text(&e.path)?, base)
                .map_err(|x| ctx(&x))?;
            for c in &e.constraints {
                let cbase = c.parent().unwrap_or(Path::new("."));
                set.load_yaml(&read_text(c)?, cbase).map_err(|x| ctx(&x))?;
            }
            Ok(())
        }
        PolicyKind::Wasm | PolicyKind::Bundle | PolicyKind::Rego | PolicyKind::Kubewarden => {
            let data = entry_data(e)?;
            let entrypoint = e.entrypoint.as_deref().unwrap_or("policy/main");
            let compiled = matches!(e.kind, PolicyKind::Wasm | PolicyKind::Bundle)
                || (e.kind == PolicyKind::Kubewarden && is_compiled(&e.path));
            let policy = if compiled {
                let options = PolicyOptions {
                    limits: Limits {
                        timeout: settings.timeout,
                        max_memory_bytes: usize::try_from(settings.memory_bytes)
                            .unwrap_or(usize::MAX),
                        ..Limits::default()
                    },
                    ..PolicyOptions::default()
                };
                let module = Policy::from_path(&e.path, &options).map_err(|x| ctx(&x))?;
                if let Some(d) = &data {
                    module
                        .set_data(crate::Value::from_serde(d))
                        .map_err(|x| ctx(&x))?;
                }
                OpaPolicy::compile_with(
                    &e.name,
                    &[],
                    entrypoint,
                    None,
                    Some(module),
                    EngineChoice::Wasm,
                    settings.timeout,
                )
            } else {
                OpaPolicy::compile_with(
                    &e.name,
                    &rego_modules(&e.path)?,
                    entrypoint,
                    data.as_ref(),
                    None,
                    EngineChoice::Rego,
                    settings.timeout,
                )
            }
            .map_err(|x| ctx(&x))?
            .with_mutating(e.mutating);
            set.add_opa_policy(policy).map_err(|x| ctx(&x))
        }
    }
}

/// Read inventory files: Kubernetes objects, lists (`items`) or several
/// YAML documents per file.
fn load_inventory(files: &[std::path::PathBuf]) -> Result<Inventory, LoadError> {
    let mut inv = Inventory::new();
    for f in files {
        let text = read_text(f)?;
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let v: serde_json::Value = serde::Deserialize::deserialize(doc)
                .map_err(|e| load_err(format!("inventory {}: {e}", f.display())))?;
            let items = match v.get("items").and_then(|i| i.as_array()) {
                Some(items) => items.clone(),
                None if v.is_null() => Vec::new(),
                None => vec![v],
            };
            for item in items {
                inv.add(item)
                    .map_err(|e| load_err(format!("inventory {}: {e}", f.display())))?;
            }
        }
    }
    Ok(inv)
}

/// The loader `regowasm serve` uses: `policySet` (a directory), then the
/// explicit `policies`, then inventory files. Any error fails the whole
/// load: the server never serves a partial set (on reload it keeps the
/// previous one).
pub fn load_policy_set(cfg: &ServerConfig) -> Result<Arc<dyn AdmissionHandler>, LoadError> {
    let mut set = match &cfg.policy_set {
        Some(dir) => PolicySet::from_dir(dir)
            .map_err(|e| load_err(format!("policy set {}: {e}", dir.display())))?,
        None => PolicySet::new(),
    };
    for e in &cfg.policies {
        load_entry(&mut set, cfg, e)?;
    }
    if !cfg.inventory.files.is_empty() {
        set.set_inventory(load_inventory(&cfg.inventory.files)?);
    }
    tracing::info!(policies = set.len(), "policy set loaded");
    Ok(Arc::new(PolicySetHandler::new(set)))
}

/// The loader `regowasm serve` uses ([`load_policy_set`]).
pub fn default_loader()
-> impl Fn(&ServerConfig) -> Result<Arc<dyn AdmissionHandler>, LoadError> + Send + Sync + 'static {
    load_policy_set
}

/// Start syncing inventory from the cluster (feature `cluster-sync`).
pub fn start_cluster_sync(_cfg: &ServerConfig) -> Result<(), LoadError> {
    Err(LoadError(
        "inventory sync from a cluster needs the `cluster-sync` build feature".into(),
    ))
}
