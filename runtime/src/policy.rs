//! One Policy API over two engines.
//!
//! A [`Policy`] is `Send + Sync` and cheap to clone: load it once,
//! evaluate it from many threads.
//!
//! Engine choice: an OPA-compiled module (or a bundle holding one) runs on
//! the Wasm engine; Rego source runs on regorus ([`crate::rego`]). The
//! choice is logged at load (`tracing`, target `regowasm_runtime::policy`)
//! and visible through [`Policy::engine`] and [`Policy::info`].
//!
//! Shadow mode ([`Policy::with_shadow`]): a second policy (typically the
//! Rego source the module was compiled from) is evaluated on every call
//! too; the primary's answer is returned, and every divergence is logged
//! (`warn`, with the SHA-256 of the input and both results), counted
//! ([`Policy::shadow_stats`]) and kept (the most recent
//! [`MAX_KEPT_DIVERGENCES`], [`Policy::shadow_divergences`]).

use crate::rego::{
    ConvertError, QueryOptions, QueryRow, RegoData, RegoOptions, RegoPolicy, RegoSource,
    RegoVersion,
};
use crate::wasm::{WasmOptions, WasmPolicy};
use parking_lot::Mutex;
use regowasm_builtins::{Registry, Value};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Which engine evaluates a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    /// An OPA-compiled Wasm module on wasmtime.
    Wasm,
    /// Rego source on the regorus interpreter.
    Rego,
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EngineKind::Wasm => "wasm",
            EngineKind::Rego => "rego",
        })
    }
}

/// Per-evaluation limits. Hitting one is an error naming the limit.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall-clock deadline for one evaluation. Default: 1 s.
    pub timeout: Duration,
    /// Maximum linear memory of one Wasm instance. Default: 256 MiB.
    pub max_memory_bytes: usize,
    /// Optional fuel (Wasm instructions, roughly) per evaluation. Default: none.
    pub fuel: Option<u64>,
    /// Maximum size of an input document in bytes. Default: 8 MiB.
    pub max_input_bytes: usize,
    /// Maximum nesting depth of input and data documents. Default: 512.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(1),
            max_memory_bytes: 256 << 20,
            fuel: None,
            max_input_bytes: 8 << 20,
            max_depth: 512,
        }
    }
}

/// Options for loading a policy.
#[derive(Debug, Clone, Default)]
pub struct PolicyOptions {
    /// Evaluation limits.
    pub limits: Limits,
    /// Fail evaluation on a builtin error instead of making it undefined.
    pub strict_builtin_errors: bool,
    /// The builtins served to the policy.
    pub registry: Registry,
}

/// The outcome of one evaluation.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// OPA's result set: `[{"result": <value>}]` for an entrypoint, `[]`
    /// when undefined.
    pub results: Vec<Value>,
    /// Lines printed by the policy (`print`).
    pub prints: Vec<String>,
    /// The engine that produced the result.
    pub engine: EngineKind,
}

/// An error loading or evaluating a policy.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Not supported (yet) by this runtime.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// Loading or evaluating an OPA-compiled Wasm module failed.
    #[error(transparent)]
    Wasm(#[from] crate::wasm::WasmError),
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The policy could not be loaded (parse, compile or analysis error).
    #[error("loading the policy on the {engine} engine failed: {message}")]
    Load {
        /// The engine that rejected it.
        engine: EngineKind,
        /// What was wrong (with file and line where known).
        message: String,
    },
    /// A bundle is malformed.
    #[error("invalid bundle: {0}")]
    Bundle(String),
    /// A data document was rejected.
    #[error("invalid data document: {0}")]
    Data(String),
    /// The input was rejected (too deep, too large).
    #[error("invalid input: {0}")]
    Input(#[source] ConvertError),
    /// The policy produced a value that cannot be represented.
    #[error("invalid result: {0}")]
    Output(#[source] ConvertError),
    /// Evaluation failed (a builtin error in strict mode, a conflict, ...).
    #[error("evaluation on the {engine} engine failed: {message}")]
    Eval {
        /// The engine that failed.
        engine: EngineKind,
        /// The engine's message.
        message: String,
    },
    /// Evaluation exceeded [`Limits::timeout`].
    #[error("evaluation exceeded the time limit of {limit:?}")]
    Timeout {
        /// The limit.
        limit: Duration,
    },
    /// The entrypoint is not defined by the policy.
    #[error("unknown entrypoint {0:?}")]
    UnknownEntrypoint(String),
}

/// What a policy is, for `regowasm inspect` and logs.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyInfo {
    /// The engine answering evaluations.
    pub engine: EngineKind,
    /// The shadow engine, when shadow mode is on.
    pub shadow: Option<EngineKind>,
    /// The entrypoints of the primary engine.
    pub entrypoints: Vec<String>,
    /// Where the policy came from (module names, file paths).
    pub sources: Vec<String>,
}

/// Shadow-mode counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShadowStats {
    /// Evaluations run on both engines.
    pub evaluations: u64,
    /// Evaluations whose outcomes differed.
    pub divergences: u64,
}

/// One evaluation on which the two engines disagreed.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// The entrypoint evaluated.
    pub entrypoint: String,
    /// SHA-256 (hex) of the input's value-dump text.
    pub input_sha256: String,
    /// The primary engine.
    pub primary_engine: EngineKind,
    /// The primary's outcome: the result set as text, or `error: ...`.
    pub primary: String,
    /// The shadow engine.
    pub shadow_engine: EngineKind,
    /// The shadow's outcome: the result set as text, or `error: ...`.
    pub shadow: String,
}

/// How many divergences [`Policy::shadow_divergences`] keeps.
pub const MAX_KEPT_DIVERGENCES: usize = 100;

/// The outcome of an evaluation on both engines.
#[derive(Debug)]
pub struct ShadowedEvaluation {
    /// The primary engine's outcome (what [`Policy::eval`] returns).
    pub primary: Result<Evaluation, PolicyError>,
    /// The divergence, if the shadow engine disagreed.
    pub divergence: Option<Divergence>,
}

enum Backend {
    Rego(Box<RegoPolicy>),
    Wasm(Box<WasmPolicy>),
}

impl Backend {
    fn kind(&self) -> EngineKind {
        match self {
            Backend::Rego(_) => EngineKind::Rego,
            Backend::Wasm(_) => EngineKind::Wasm,
        }
    }

    fn eval(&self, entrypoint: &str, input: &Value) -> Result<Evaluation, PolicyError> {
        match self {
            Backend::Rego(p) => p.eval(entrypoint, input),
            Backend::Wasm(p) => Ok(p.eval(entrypoint, input)?),
        }
    }

    fn entrypoints(&self) -> Vec<String> {
        match self {
            Backend::Rego(p) => p.entrypoints().to_vec(),
            Backend::Wasm(p) => p.entrypoints(),
        }
    }

    fn sources(&self) -> Vec<String> {
        match self {
            Backend::Rego(p) => p.sources().to_vec(),
            Backend::Wasm(p) => p.info().modules.iter().map(|m| m.path.clone()).collect(),
        }
    }

    fn set_data(&self, data: &Value) -> Result<(), PolicyError> {
        match self {
            Backend::Rego(p) => p.set_data(data),
            Backend::Wasm(p) => Ok(p.set_data(data.clone())?),
        }
    }
}

struct Shadow {
    backend: Backend,
    evaluations: AtomicU64,
    divergences: AtomicU64,
    kept: Mutex<VecDeque<Divergence>>,
}

struct Inner {
    primary: Backend,
    shadow: Option<Shadow>,
}

/// A loaded policy: one engine (plus an optional shadow), its entrypoints
/// and data.
#[derive(Clone)]
pub struct Policy {
    inner: Arc<Inner>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("engine", &self.engine())
            .field(
                "shadow",
                &self.inner.shadow.as_ref().map(|s| s.backend.kind()),
            )
            .finish_non_exhaustive()
    }
}

fn outcome_text(r: &Result<Evaluation, PolicyError>) -> String {
    match r {
        Ok(e) => Value::array(e.results.clone()).to_text(),
        Err(e) => format!("error: {e}"),
    }
}

fn same_outcome(a: &Result<Evaluation, PolicyError>, b: &Result<Evaluation, PolicyError>) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => a.results == b.results,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

/// SHA-256 (hex) of a value's value-dump text.
pub fn input_sha256(input: &Value) -> String {
    let digest = Sha256::digest(input.to_text().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Policy {
    fn new(primary: Backend) -> Policy {
        tracing::info!(
            engine = %primary.kind(),
            entrypoints = ?primary.entrypoints(),
            "policy loaded"
        );
        Policy {
            inner: Arc::new(Inner {
                primary,
                shadow: None,
            }),
        }
    }

    /// Rego source, evaluated by regorus.
    pub fn from_rego(sources: &[RegoSource], options: &RegoOptions) -> Result<Policy, PolicyError> {
        Ok(Policy::new(Backend::Rego(Box::new(RegoPolicy::new(
            sources, options,
        )?))))
    }

    /// Rego modules from a `.rego` file or a directory (with an optional
    /// `.manifest` and `data.json` files), evaluated by regorus.
    pub fn from_rego_path(path: &Path, options: &RegoOptions) -> Result<Policy, PolicyError> {
        Ok(Policy::new(Backend::Rego(Box::new(RegoPolicy::from_path(
            path, options,
        )?))))
    }

    /// A policy from a path: a `.rego` file or a directory of Rego source
    /// (regorus), a `.wasm` module or a `.tar.gz` bundle (Wasm engine).
    pub fn from_path(path: &Path, options: &PolicyOptions) -> Result<Policy, PolicyError> {
        let name = path.to_string_lossy();
        if name.ends_with(".wasm") || name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            let bytes = std::fs::read(path).map_err(|e| PolicyError::Io {
                path: name.to_string(),
                source: e,
            })?;
            return if name.ends_with(".wasm") {
                Policy::from_wasm(&bytes, options)
            } else {
                Policy::from_bundle(&bytes, options)
            };
        }
        Policy::from_rego_path(
            path,
            &RegoOptions {
                version: RegoVersion::V1,
                policy: options.clone(),
            },
        )
    }

    /// An OPA-compiled Wasm module, on the Wasm engine. Builtins the
    /// module needs are served by `options.registry` (native, or through
    /// the regorus fallback); loading fails, naming them, when some cannot
    /// be served at all.
    pub fn from_wasm(module: &[u8], options: &PolicyOptions) -> Result<Policy, PolicyError> {
        let wasm = WasmPolicy::load_module(module, &WasmOptions::from(options))?;
        Ok(Policy::new(Backend::Wasm(Box::new(wasm))))
    }

    /// A policy on the Wasm engine with every Wasm option (instance pool
    /// size, bundle limits, missing builtins allowed).
    pub fn from_wasm_policy(policy: WasmPolicy) -> Policy {
        Policy::new(Backend::Wasm(Box::new(policy)))
    }

    /// An OPA bundle (`.tar.gz`): its `policy.wasm` runs on the Wasm
    /// engine; a bundle with only Rego source runs on regorus (Rego
    /// version from the `.manifest`'s `rego_version`, default v1).
    pub fn from_bundle(bytes: &[u8], options: &PolicyOptions) -> Result<Policy, PolicyError> {
        let wasm_options = WasmOptions::from(options);
        let bundle = crate::wasm::read_bundle(bytes, wasm_options.bundle_limits)
            .map_err(|e| PolicyError::Bundle(e.to_string()))?;
        if !bundle.modules.is_empty() {
            let wasm = WasmPolicy::from_bundle(bundle, &wasm_options)?;
            return Ok(Policy::new(Backend::Wasm(Box::new(wasm))));
        }
        let manifest = bundle.manifest.unwrap_or_default();
        let version_of = |v: i64| {
            if v == 0 {
                RegoVersion::V0
            } else {
                RegoVersion::V1
            }
        };
        let version = manifest
            .rego_version
            .map(version_of)
            .unwrap_or(RegoVersion::V1);
        let sources: Vec<RegoSource> = bundle
            .rego
            .into_iter()
            .map(|(path, text)| {
                let file_version = manifest
                    .file_rego_versions
                    .iter()
                    .find(|(f, _)| f.trim_start_matches('/') == path)
                    .map(|(_, v)| version_of(*v));
                let source = RegoSource::new(path, text);
                match file_version {
                    Some(v) => source.with_version(v),
                    None => source,
                }
            })
            .collect();
        let policy = Policy::from_rego(
            &sources,
            &RegoOptions {
                version,
                policy: options.clone(),
            },
        )?;
        if matches!(&bundle.data, Value::Object(o) if !o.is_empty()) {
            policy.set_data(bundle.data)?;
        }
        Ok(policy)
    }

    /// Add a shadow: `shadow` is evaluated on every [`Policy::eval`] too,
    /// and divergences are reported; `self` stays the primary. A shadow's
    /// own shadow is ignored.
    pub fn with_shadow(self, shadow: Policy) -> Result<Policy, PolicyError> {
        let primary = Arc::try_unwrap(self.inner)
            .map_err(|_| {
                PolicyError::Unsupported("with_shadow on a policy that is already shared".into())
            })?
            .primary;
        let shadow = Arc::try_unwrap(shadow.inner)
            .map_err(|_| {
                PolicyError::Unsupported("a shadow policy must not be shared elsewhere".into())
            })?
            .primary;
        tracing::info!(
            primary = %primary.kind(),
            shadow = %shadow.kind(),
            "shadow mode on"
        );
        Ok(Policy {
            inner: Arc::new(Inner {
                primary,
                shadow: Some(Shadow {
                    backend: shadow,
                    evaluations: AtomicU64::new(0),
                    divergences: AtomicU64::new(0),
                    kept: Mutex::new(VecDeque::new()),
                }),
            }),
        })
    }

    /// The engine answering evaluations.
    pub fn engine(&self) -> EngineKind {
        self.inner.primary.kind()
    }

    /// Engine, shadow engine, entrypoints and sources (for `inspect`).
    pub fn info(&self) -> PolicyInfo {
        PolicyInfo {
            engine: self.engine(),
            shadow: self.inner.shadow.as_ref().map(|s| s.backend.kind()),
            entrypoints: self.entrypoints(),
            sources: self.inner.primary.sources(),
        }
    }

    /// The entrypoints, as `pkg/rule` paths (for Rego source: every rule
    /// of every module; any path below `data` can be evaluated).
    pub fn entrypoints(&self) -> Vec<String> {
        self.inner.primary.entrypoints()
    }

    /// Replace the data document (on the shadow too).
    pub fn set_data(&self, data: Value) -> Result<(), PolicyError> {
        self.inner.primary.set_data(&data)?;
        if let Some(s) = &self.inner.shadow {
            s.backend.set_data(&data)?;
        }
        Ok(())
    }

    /// Replace the data document with one converted once and shared by
    /// many policies (a large `data.inventory`). Rego engines share it
    /// without copying.
    pub fn set_shared_data(&self, data: &SharedData) -> Result<(), PolicyError> {
        for b in std::iter::once(&self.inner.primary)
            .chain(self.inner.shadow.as_ref().map(|s| &s.backend))
        {
            match b {
                Backend::Rego(p) => p.set_shared_data(&data.rego)?,
                Backend::Wasm(p) => p.set_data(data.value.clone())?,
            }
        }
        Ok(())
    }

    /// Evaluate an entrypoint (`a/b` or `data.a.b`) on an input.
    pub fn eval(&self, entrypoint: &str, input: &Value) -> Result<Evaluation, PolicyError> {
        self.eval_shadowed(entrypoint, input).primary
    }

    /// Evaluate on the primary and (in shadow mode) the shadow engine, and
    /// report whether they diverged.
    pub fn eval_shadowed(&self, entrypoint: &str, input: &Value) -> ShadowedEvaluation {
        let primary = self.inner.primary.eval(entrypoint, input);
        let Some(shadow) = &self.inner.shadow else {
            return ShadowedEvaluation {
                primary,
                divergence: None,
            };
        };
        let other = shadow.backend.eval(entrypoint, input);
        shadow.evaluations.fetch_add(1, Ordering::Relaxed);
        let divergence = if same_outcome(&primary, &other) {
            None
        } else {
            shadow.divergences.fetch_add(1, Ordering::Relaxed);
            let d = Divergence {
                entrypoint: entrypoint.to_string(),
                input_sha256: input_sha256(input),
                primary_engine: self.inner.primary.kind(),
                primary: outcome_text(&primary),
                shadow_engine: shadow.backend.kind(),
                shadow: outcome_text(&other),
            };
            tracing::warn!(
                entrypoint = %d.entrypoint,
                input_sha256 = %d.input_sha256,
                primary_engine = %d.primary_engine,
                primary = %d.primary,
                shadow_engine = %d.shadow_engine,
                shadow = %d.shadow,
                "shadow divergence"
            );
            let mut kept = shadow.kept.lock();
            if kept.len() >= MAX_KEPT_DIVERGENCES {
                kept.pop_front();
            }
            kept.push_back(d.clone());
            Some(d)
        };
        ShadowedEvaluation {
            primary,
            divergence,
        }
    }

    /// Shadow-mode counters (`None` without a shadow).
    pub fn shadow_stats(&self) -> Option<ShadowStats> {
        self.inner.shadow.as_ref().map(|s| ShadowStats {
            evaluations: s.evaluations.load(Ordering::Relaxed),
            divergences: s.divergences.load(Ordering::Relaxed),
        })
    }

    /// The most recent divergences (oldest first).
    pub fn shadow_divergences(&self) -> Vec<Divergence> {
        self.inner
            .shadow
            .as_ref()
            .map(|s| s.kept.lock().iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Evaluate a Rego query and return its result set (bindings per
    /// solution). Rego source only; `input` of `None` leaves it undefined.
    pub fn eval_query(
        &self,
        query: &str,
        input: Option<&Value>,
        options: QueryOptions,
    ) -> Result<Vec<QueryRow>, PolicyError> {
        match &self.inner.primary {
            Backend::Rego(p) => p.eval_query(query, input, options),
            Backend::Wasm(_) => Err(PolicyError::Unsupported(
                "ad-hoc queries need Rego source; a Wasm module only evaluates its entrypoints"
                    .into(),
            )),
        }
    }
}

/// A data document prepared once for every engine, to share between many
/// policies (e.g. Gatekeeper's `data.inventory`).
#[derive(Debug, Clone)]
pub struct SharedData {
    rego: RegoData,
    value: Value,
}

impl SharedData {
    /// Prepare a data document (must be an object).
    pub fn new(data: &Value) -> Result<SharedData, PolicyError> {
        Ok(SharedData {
            rego: RegoData::new(data)?,
            value: data.clone(),
        })
    }
}
