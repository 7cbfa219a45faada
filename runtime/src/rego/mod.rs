//! The regorus engine behind the [`crate::Policy`] API.
//!
//! A [`RegoPolicy`] is Rego source (one or more modules, Rego v0 or v1)
//! plus a data document, evaluated by the regorus interpreter with the
//! same result shape as the Wasm engine: `[{"result": v}]`, or `[]` when
//! the entrypoint is undefined.
//!
//! ## How evaluation is organised
//! The policy keeps one *prepared* engine (modules parsed and analysed,
//! data loaded, host builtins registered) and a pool of engines cloned
//! from it. An evaluation takes an engine from the pool (cloning the
//! prepared one when the pool is empty), sets the input, evaluates and
//! puts the engine back. Cloning shares the parsed modules and the data
//! document (reference-counted), so a large `data.inventory` is converted
//! once per [`RegoPolicy::set_data`] and never re-serialised per
//! evaluation. The pool avoids even the clone on the hot path; clone-per-
//! evaluation versus pool has NOT been measured yet (a `bench/` case with
//! a large data document is still to be written). An engine whose
//! evaluation failed is dropped, never reused.
//!
//! ## Limits
//! [`crate::Limits::timeout`] becomes regorus's `ExecutionTimerConfig`. The
//! timer is *cooperative*: the interpreter checks the clock between units
//! of work (expressions, statements, loop iterations, rule and function
//! calls). It therefore bounds loops and recursion written in Rego, but not
//! a single long-running step: one builtin call (a huge `regex.match`,
//! `json.unmarshal` of a large string, a slow host builtin or extension),
//! converting the input, or parsing and analysing modules (done once at
//! load or on [`RegoPolicy::set_data`], outside any evaluation). A runaway
//! builtin is still stopped at the next check after it returns.
//! [`crate::Limits::max_depth`] and [`crate::Limits::max_input_bytes`]
//! (an estimate of the JSON size) are checked while converting the
//! input. `max_memory_bytes` and `fuel` are Wasm-only and do not apply.

mod convert;
mod errors;
mod host;
mod rewrite;

use crate::policy::{EngineKind, Evaluation, Limits, PolicyError, PolicyOptions};
use convert::{Budget, from_regorus, to_regorus, to_regorus_limited};
use parking_lot::Mutex;
use regowasm_builtins::{EvalContext, Value};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use convert::ConvertError;
pub use errors::opa_error_text;

/// The default builtin registry ([`regowasm_builtins::Registry::with_defaults`]),
/// built once per process and shared by the Rego paths that do not take a
/// registry of their own (admission policies, `regowasm test`).
pub(crate) fn default_registry() -> &'static regowasm_builtins::Registry {
    static REGISTRY: std::sync::OnceLock<regowasm_builtins::Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(regowasm_builtins::Registry::with_defaults)
}

/// Register a [`Registry`]'s host builtins (the ones it serves natively,
/// custom ones, and the capability-gated ones) on a bare regorus engine,
/// as [`RegoPolicy`] does. For harnesses that drive regorus directly (the
/// compliance runner); embedders should use [`RegoPolicy`].
///
/// Evaluate inside [`with_eval_context`] so that the builtins of one
/// evaluation share a clock, seed and cache; without it each call gets a
/// fresh context.
pub fn register_host_builtins(
    engine: &mut regorus::Engine,
    registry: &regowasm_builtins::Registry,
    strict: bool,
) -> Result<(), PolicyError> {
    host::register(engine, registry, strict).map_err(load_err)
}

/// Rewrite output-argument calls of host builtins (`f(x, out)` →
/// `out = f(x)`) that regorus cannot run for extensions; see
/// [`rewrite_output_args`]. [`RegoPolicy`] applies it to every module.
pub fn rewrite_for_host_builtins<'a>(
    src: &'a str,
    registry: &regowasm_builtins::Registry,
) -> std::borrow::Cow<'a, str> {
    let arity_of = |name: &str| {
        registry
            .get(name)
            .filter(|b| host::is_extension(b))
            .map(|b| b.arity())
    };
    rewrite_output_args(src, &arity_of)
}

pub use rewrite::{MAX_BRACKET_NESTING, bracket_nesting, rewrite_output_args};

/// A module's source made ready for a regorus engine with host builtins:
/// refused when its brackets nest deeper than [`MAX_BRACKET_NESTING`]
/// (regorus would take exponential time, or overflow its stack, to parse
/// it), otherwise with output-argument calls of host builtins rewritten
/// ([`rewrite_for_host_builtins`]). Every Rego path adds modules through
/// this.
pub fn prepare_module<'a>(
    name: &str,
    src: &'a str,
    registry: &regowasm_builtins::Registry,
) -> Result<std::borrow::Cow<'a, str>, PolicyError> {
    check_nesting(name, src)?;
    Ok(rewrite_for_host_builtins(src, registry))
}

/// Refuse source whose brackets nest deeper than [`MAX_BRACKET_NESTING`]
/// (the part of [`prepare_module`] to run before any regorus parse).
pub fn check_nesting(name: &str, src: &str) -> Result<(), PolicyError> {
    let depth = bracket_nesting(src);
    if depth > MAX_BRACKET_NESTING {
        return Err(PolicyError::Load {
            engine: EngineKind::Rego,
            message: format!(
                "{name}: brackets nest {depth} levels deep, more than the {MAX_BRACKET_NESTING} \
                 this runtime parses (the Rego parser's time doubles with every level)"
            ),
        });
    }
    Ok(())
}

/// Run `f` with `ctx` as the evaluation context host builtins see (on
/// this thread, until `f` returns).
pub fn with_eval_context<T>(ctx: Arc<EvalContext>, f: impl FnOnce() -> T) -> T {
    let _guard = host::ContextGuard::enter(ctx);
    f()
}

/// The Rego language version a module is parsed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegoVersion {
    /// Rego v0 (OPA before 1.0): `if`/`contains` optional, unless the
    /// module imports `rego.v1` or `future.keywords`.
    V0,
    /// Rego v1 (OPA 1.0 and later; the default).
    #[default]
    V1,
}

impl RegoVersion {
    /// From a bundle `.manifest`'s `rego_version` (`0` or `1`); `None` when
    /// absent or not understood.
    pub fn from_manifest(manifest: &serde_json::Value) -> Option<RegoVersion> {
        match manifest.get("rego_version")?.as_u64()? {
            0 => Some(RegoVersion::V0),
            1 => Some(RegoVersion::V1),
            _ => None,
        }
    }

    /// From a Gatekeeper ConstraintTemplate target's `source.version`
    /// (`"v1"` selects v1; anything else, including absent, is v0, as in
    /// Gatekeeper).
    pub fn from_gatekeeper(version: Option<&str>) -> RegoVersion {
        match version {
            Some(v) if v.eq_ignore_ascii_case("v1") => RegoVersion::V1,
            _ => RegoVersion::V0,
        }
    }
}

/// One Rego module.
#[derive(Debug, Clone)]
pub struct RegoSource {
    /// A name for messages (usually the file path).
    pub name: String,
    /// The module text.
    pub text: String,
    /// The version to parse it as; `None` uses [`RegoOptions::version`].
    pub version: Option<RegoVersion>,
}

impl RegoSource {
    /// A module from a name and its text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> RegoSource {
        RegoSource {
            name: name.into(),
            text: text.into(),
            version: None,
        }
    }

    /// The same module, parsed as `version`.
    pub fn with_version(mut self, version: RegoVersion) -> RegoSource {
        self.version = Some(version);
        self
    }

    /// Read a `.rego` file.
    pub fn from_file(path: &Path) -> Result<RegoSource, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Ok(RegoSource::new(path.display().to_string(), text))
    }
}

/// Options for loading Rego source.
#[derive(Debug, Clone, Default)]
pub struct RegoOptions {
    /// The default Rego version of the modules (v1 unless set).
    pub version: RegoVersion,
    /// Limits, strictness and builtins.
    pub policy: PolicyOptions,
}

impl RegoOptions {
    /// Options with a given default Rego version.
    pub fn with_version(version: RegoVersion) -> RegoOptions {
        RegoOptions {
            version,
            ..RegoOptions::default()
        }
    }
}

/// A data document converted once for regorus, shareable between many
/// policies (e.g. Gatekeeper's `data.inventory`) without copying.
#[derive(Debug, Clone)]
pub struct RegoData {
    value: regorus::Value,
}

impl RegoData {
    /// Convert a data document (must be an object).
    pub fn new(data: &Value) -> Result<RegoData, PolicyError> {
        if !matches!(data, Value::Object(_)) {
            return Err(PolicyError::Data(format!(
                "the data document must be an object, not {}",
                data.type_name()
            )));
        }
        Ok(RegoData {
            value: to_regorus(data).map_err(|e| PolicyError::Data(e.to_string()))?,
        })
    }
}

/// One row of a query's result set.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRow {
    /// The query's variables and their values.
    pub bindings: BTreeMap<String, Value>,
    /// The value of each top-level expression of the query.
    pub expressions: Vec<Value>,
}

/// Options for [`RegoPolicy::eval_query`].
#[derive(Debug, Clone, Copy, Default)]
pub struct QueryOptions {
    /// Fail on a builtin error instead of making the expression undefined;
    /// `None` keeps the policy's setting.
    pub strict_builtin_errors: Option<bool>,
}

/// The prepared engine and its generation (bumped on every data change so
/// pooled engines from before the change are discarded).
struct Prepared {
    engine: regorus::Engine,
    generation: u64,
}

/// Rego source on the regorus interpreter. `Send + Sync`.
pub struct RegoPolicy {
    prepared: Mutex<Prepared>,
    pool: Mutex<Vec<(u64, regorus::Engine)>>,
    generation: AtomicU64,
    entrypoints: Vec<String>,
    sources: Vec<String>,
    limits: Limits,
    strict: bool,
}

impl std::fmt::Debug for RegoPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegoPolicy")
            .field("sources", &self.sources)
            .field("entrypoints", &self.entrypoints)
            .finish_non_exhaustive()
    }
}

/// Largest number of idle engines kept per policy.
const MAX_POOL: usize = 64;

fn eval_err(e: anyhow::Error, limits: &Limits) -> PolicyError {
    let timed_out = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<regorus::LimitError>(),
            Some(regorus::LimitError::TimeLimitExceeded { .. })
        )
    }) || e.to_string().contains("execution exceeded time limit");
    if timed_out {
        PolicyError::Timeout {
            limit: limits.timeout,
        }
    } else {
        PolicyError::Eval {
            engine: EngineKind::Rego,
            message: opa_error_text(&format!("{e:#}")),
        }
    }
}

fn load_err(e: anyhow::Error) -> PolicyError {
    PolicyError::Load {
        engine: EngineKind::Rego,
        message: format!("{e:#}"),
    }
}

/// Turn `a/b`, `a.b`, `data.a.b` or `data/a/b` into a Rego reference
/// (`data.a.b`, with `["..."]` for components that are not identifiers).
/// Text already containing brackets is taken as a reference as written.
pub fn entrypoint_ref(entrypoint: &str) -> String {
    let e = entrypoint.trim();
    if e.contains('[') {
        return if e == "data" || e.starts_with("data.") || e.starts_with("data[") {
            e.to_string()
        } else {
            format!("data.{e}")
        };
    }
    let sep = if e.contains('/') { '/' } else { '.' };
    let mut parts = e.split(sep).filter(|p| !p.is_empty()).peekable();
    if parts.peek() == Some(&"data") {
        parts.next();
    }
    let mut out = String::from("data");
    for p in parts {
        let ident = p
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if ident {
            out.push('.');
            out.push_str(p);
        } else {
            out.push('[');
            out.push_str(&serde_json::Value::String(p.to_string()).to_string());
            out.push(']');
        }
    }
    out
}

/// The rules each module defines, as `pkg/path/rule` (functions excluded).
fn rule_entrypoints(engine: &mut regorus::Engine) -> Result<Vec<String>, PolicyError> {
    use regorus::unstable::{Parser, Rule, RuleHead};
    let packages = engine.get_policy_package_components().map_err(load_err)?;
    let mut out = Vec::new();
    for (module, pkg) in engine.get_modules().iter().zip(packages) {
        for rule in &module.policy {
            let head = match rule.as_ref() {
                Rule::Spec { head, .. } => match head {
                    RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. } => refr,
                    RuleHead::Func { .. } => continue,
                },
                Rule::Default { refr, args, .. } => {
                    if !args.is_empty() {
                        continue;
                    }
                    refr
                }
            };
            let comps = Parser::get_path_ref_components(head).map_err(load_err)?;
            if let Some(name) = comps.first() {
                let mut path = pkg.components.clone();
                path.push(name.text().to_string());
                out.push(path.join("/"));
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

impl RegoPolicy {
    /// Parse and prepare Rego modules. Errors name the module and line.
    pub fn new(sources: &[RegoSource], options: &RegoOptions) -> Result<RegoPolicy, PolicyError> {
        if sources.is_empty() {
            return Err(PolicyError::Load {
                engine: EngineKind::Rego,
                message: "no Rego modules given".into(),
            });
        }
        let limits = options.policy.limits.clone();
        let strict = options.policy.strict_builtin_errors;
        let mut engine = regorus::Engine::new();
        lift_source_limits(&mut engine);
        for s in sources {
            let v = s.version.unwrap_or(options.version);
            engine.set_rego_v0(v == RegoVersion::V0);
            let text = prepare_module(&s.name, &s.text, &options.policy.registry)?;
            engine
                .add_policy(s.name.clone(), text.into_owned())
                .map_err(load_err)?;
        }
        engine.set_gather_prints(true);
        engine.set_strict_builtin_errors(strict);
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: limits.timeout,
            check_interval: NonZeroU32::MIN,
        });
        host::register(&mut engine, &options.policy.registry, strict).map_err(load_err)?;
        let entrypoints = rule_entrypoints(&mut engine)?;
        prepare(&mut engine)?;
        let names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
        tracing::info!(
            engine = "rego",
            modules = names.len(),
            entrypoints = entrypoints.len(),
            host_builtins = host::extension_names(&options.policy.registry).len(),
            "loaded Rego policy on regorus"
        );
        Ok(RegoPolicy {
            prepared: Mutex::new(Prepared {
                engine,
                generation: 0,
            }),
            pool: Mutex::new(Vec::new()),
            generation: AtomicU64::new(0),
            entrypoints,
            sources: names,
            limits,
            strict,
        })
    }

    /// Load `.rego` files from a file or a directory (recursively). A
    /// directory may carry a bundle `.manifest` (its `rego_version` sets
    /// the default version) and `data.json` files (merged at their
    /// directory's path).
    pub fn from_path(path: &Path, options: &RegoOptions) -> Result<RegoPolicy, PolicyError> {
        let mut options = options.clone();
        let (sources, data) = read_tree(path, &mut options)?;
        let policy = RegoPolicy::new(&sources, &options)?;
        if let Some(data) = data {
            policy.set_data(&data)?;
        }
        Ok(policy)
    }

    /// The rules defined by the modules, as `pkg/path/rule`.
    pub fn entrypoints(&self) -> &[String] {
        &self.entrypoints
    }

    /// The module names, in load order.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// Replace the data document (must be an object).
    pub fn set_data(&self, data: &Value) -> Result<(), PolicyError> {
        self.set_shared_data(&RegoData::new(data)?)
    }

    /// Replace the data document with one converted earlier (shared, not
    /// copied).
    pub fn set_shared_data(&self, data: &RegoData) -> Result<(), PolicyError> {
        self.change_data(|e| {
            e.clear_data();
            e.add_data(data.value.clone())
        })
    }

    /// Deep-merge a document into the data (a conflict is an error and
    /// leaves the data unchanged).
    pub fn add_data(&self, data: &Value) -> Result<(), PolicyError> {
        let data = RegoData::new(data)?;
        self.change_data(|e| e.add_data(data.value.clone()))
    }

    fn change_data(
        &self,
        f: impl FnOnce(&mut regorus::Engine) -> anyhow::Result<()>,
    ) -> Result<(), PolicyError> {
        let mut prepared = self.prepared.lock();
        // Work on a copy so a failure leaves the policy as it was.
        let mut engine = prepared.engine.clone();
        f(&mut engine).map_err(|e| PolicyError::Data(format!("{e:#}")))?;
        prepare(&mut engine)?;
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        *prepared = Prepared { engine, generation };
        drop(prepared);
        self.pool.lock().clear();
        Ok(())
    }

    fn checkout(&self) -> (u64, regorus::Engine) {
        let current = self.generation.load(Ordering::SeqCst);
        {
            let mut pool = self.pool.lock();
            while let Some((generation, engine)) = pool.pop() {
                if generation == current {
                    return (generation, engine);
                }
            }
        }
        let prepared = self.prepared.lock();
        (prepared.generation, prepared.engine.clone())
    }

    fn checkin(&self, generation: u64, mut engine: regorus::Engine) {
        if generation != self.generation.load(Ordering::SeqCst) {
            return;
        }
        // Do not keep the last input alive.
        engine.set_input(regorus::Value::Undefined);
        let mut pool = self.pool.lock();
        if pool.len() < MAX_POOL {
            pool.push((generation, engine));
        }
    }

    fn convert_input(&self, input: &Value) -> Result<regorus::Value, PolicyError> {
        to_regorus_limited(
            input,
            Budget {
                max_depth: self.limits.max_depth,
                max_bytes: self.limits.max_input_bytes,
            },
        )
        .map_err(PolicyError::Input)
    }

    /// Run `f` on a pooled engine with `input` set and a fresh evaluation
    /// context current; collect prints.
    fn with_engine<T>(
        &self,
        input: Option<&Value>,
        strict: bool,
        f: impl FnOnce(&mut regorus::Engine) -> anyhow::Result<T>,
    ) -> Result<(T, Vec<String>), PolicyError> {
        let input = match input {
            Some(i) => self.convert_input(i)?,
            None => regorus::Value::Undefined,
        };
        let (generation, mut engine) = self.checkout();
        engine.set_input(input);
        if strict != self.strict {
            engine.set_strict_builtin_errors(strict);
        }
        let mut ctx = EvalContext::new();
        ctx.set_strict(strict);
        let ctx = Arc::new(ctx);
        let result = {
            let _guard = host::ContextGuard::enter(ctx.clone());
            // regorus is not written to be panic-free on every input; a
            // panic fails this evaluation (the engine is dropped below)
            // instead of unwinding into the caller.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut engine)))
                .unwrap_or_else(|_| {
                    Err(anyhow::anyhow!(
                        "internal error: the Rego interpreter panicked"
                    ))
                })
        };
        let mut prints = engine.take_prints().unwrap_or_default();
        for p in &mut prints {
            *p = strip_location(p, &self.sources);
        }
        prints.extend(ctx.take_prints());
        match result {
            Ok(v) => {
                if strict != self.strict {
                    engine.set_strict_builtin_errors(self.strict);
                }
                self.checkin(generation, engine);
                Ok((v, prints))
            }
            // The engine may be mid-`with` or otherwise inconsistent: drop it.
            Err(e) => Err(eval_err(e, &self.limits)),
        }
    }

    /// Evaluate an entrypoint (`a/b`, `a.b` or `data.a.b`; a rule, a
    /// package or any path below `data`).
    pub fn eval(&self, entrypoint: &str, input: &Value) -> Result<Evaluation, PolicyError> {
        let reference = entrypoint_ref(entrypoint);
        let (value, prints) = self.with_engine(Some(input), self.strict, |engine| {
            match engine.eval_rule(reference.clone()) {
                Ok(v) => Ok(v),
                Err(e) if e.to_string() == "not a valid rule path" => {
                    // Not a rule: a package, `data`, or a path into a rule's value.
                    let results = engine.eval_query(reference.clone(), false)?;
                    Ok(results
                        .result
                        .into_iter()
                        .next()
                        .and_then(|r| r.expressions.into_iter().next())
                        .map(|x| x.value)
                        .unwrap_or(regorus::Value::Undefined))
                }
                Err(e) => Err(e),
            }
        })?;
        let results = match from_regorus(&value).map_err(PolicyError::Output)? {
            Some(v) => vec![Value::object([(Value::string("result"), v)])],
            None => Vec::new(),
        };
        Ok(Evaluation {
            results,
            prints,
            engine: EngineKind::Rego,
        })
    }

    /// Evaluate a Rego query (e.g. `x := data.a.b[_]; x > 1`) and return
    /// its result set: one row per solution, with variable bindings and
    /// expression values. `input` of `None` leaves `input` undefined.
    pub fn eval_query(
        &self,
        query: &str,
        input: Option<&Value>,
        options: QueryOptions,
    ) -> Result<Vec<QueryRow>, PolicyError> {
        let strict = options.strict_builtin_errors.unwrap_or(self.strict);
        let (results, _prints) = self.with_engine(input, strict, |engine| {
            engine.eval_query(query.to_string(), false)
        })?;
        let mut rows = Vec::with_capacity(results.result.len());
        for r in results.result {
            // regorus reports a failed comparison as a row whose expression
            // is `false`; in OPA that solution does not exist.
            if r.expressions
                .iter()
                .any(|x| x.value == regorus::Value::Bool(false))
            {
                continue;
            }
            let mut bindings = BTreeMap::new();
            if let regorus::Value::Object(o) = &r.bindings {
                for (k, v) in o.iter() {
                    let (regorus::Value::String(name), Some(v)) =
                        (k, from_regorus(v).map_err(PolicyError::Output)?)
                    else {
                        continue;
                    };
                    bindings.insert(name.to_string(), v);
                }
            }
            let mut expressions = Vec::with_capacity(r.expressions.len());
            for x in &r.expressions {
                if let Some(v) = from_regorus(&x.value).map_err(PolicyError::Output)? {
                    expressions.push(v);
                }
            }
            rows.push(QueryRow {
                bindings,
                expressions,
            });
        }
        Ok(rows)
    }

    /// Number of idle engines in the pool (for metrics and tests).
    pub fn pooled_engines(&self) -> usize {
        self.pool.lock().len()
    }
}

/// regorus refuses source lines over 1,024 columns by default; real
/// policies carry certificates and JWTs on one line, and OPA has no such
/// limit. Keep generous bounds (a 1 MiB line, 64 MiB file, 1 Mi lines).
pub fn lift_source_limits(engine: &mut regorus::Engine) {
    if let (Some(max_col), Some(max_file_bytes), Some(max_lines)) = (
        NonZeroU32::new(1 << 20),
        std::num::NonZeroUsize::new(64 << 20),
        std::num::NonZeroUsize::new(1 << 20),
    ) {
        engine.set_policy_length_config(regorus::utils::limits::PolicyLengthConfig {
            max_col,
            max_file_bytes,
            max_lines,
        });
    }
}

/// Analyse the modules now (so errors surface at load, and evaluations
/// start from a prepared engine).
fn prepare(engine: &mut regorus::Engine) -> Result<(), PolicyError> {
    engine
        .eval_query("true".to_string(), false)
        .map_err(load_err)?;
    let _ = engine.take_prints();
    Ok(())
}

/// regorus prefixes captured prints with `file:line: `; OPA's print hook
/// receives the message alone.
fn strip_location(line: &str, sources: &[String]) -> String {
    for s in sources {
        if let Some(rest) = line
            .strip_prefix(s.as_str())
            .and_then(|r| r.strip_prefix(':'))
        {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            if digits > 0
                && let Some(msg) = rest.get(digits..).and_then(|r| r.strip_prefix(": "))
            {
                return msg.to_string();
            }
        }
    }
    line.to_string()
}

/// Read `.rego` modules and `data.json` documents below `path`.
/// Every file under `root` (recursively), each directory's entries in
/// name order; the failing path with the error.
pub(crate) fn files_under(root: &Path) -> Result<Vec<PathBuf>, (PathBuf, std::io::Error)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| (dir.clone(), e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    Ok(files)
}

fn read_tree(
    path: &Path,
    options: &mut RegoOptions,
) -> Result<(Vec<RegoSource>, Option<Value>), PolicyError> {
    let io = |p: &Path, e: std::io::Error| PolicyError::Io {
        path: p.display().to_string(),
        source: e,
    };
    let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
    if meta.is_file() {
        return Ok((vec![RegoSource::from_file(path)?], None));
    }
    let manifest_path = path.join(".manifest");
    if manifest_path.is_file() {
        let text = std::fs::read_to_string(&manifest_path).map_err(|e| io(&manifest_path, e))?;
        let manifest: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| PolicyError::Bundle(format!("{}: {e}", manifest_path.display())))?;
        if let Some(v) = RegoVersion::from_manifest(&manifest) {
            options.version = v;
        }
    }
    let mut sources = Vec::new();
    let mut data: Vec<(Vec<String>, Value)> = Vec::new();
    for p in files_under(path).map_err(|(p, e)| io(&p, e))? {
        if p.extension().is_some_and(|x| x == "rego") {
            sources.push(RegoSource::from_file(&p)?);
        } else if p.file_name().is_some_and(|n| n == "data.json") {
            let text = std::fs::read_to_string(&p).map_err(|e| io(&p, e))?;
            let v = Value::from_json_str(&text)
                .map_err(|e| PolicyError::Data(format!("{}: {e}", p.display())))?;
            let dir = p.parent().unwrap_or(path);
            let rel = dir.strip_prefix(path).unwrap_or(Path::new(""));
            let at = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            data.push((at, v));
        }
    }
    if sources.is_empty() {
        return Err(PolicyError::Load {
            engine: EngineKind::Rego,
            message: format!("no .rego files under {}", path.display()),
        });
    }
    let data = if data.is_empty() {
        None
    } else {
        let mut root = Value::object([]);
        for (at, v) in data {
            root = merge_at(&root, &at, v)?;
        }
        Some(root)
    };
    Ok((sources, data))
}

/// Deep-merge `v` into `root` at path `at`.
pub(crate) fn merge_at(root: &Value, at: &[String], v: Value) -> Result<Value, PolicyError> {
    let Some((first, rest)) = at.split_first() else {
        return merge(root, v);
    };
    let Value::Object(o) = root else {
        return Err(PolicyError::Data(format!(
            "cannot place data below a {}",
            root.type_name()
        )));
    };
    let mut o = (**o).clone();
    let key = Value::string(first.as_str());
    let child = o.get(&key).cloned().unwrap_or_else(|| Value::object([]));
    o.insert(key, merge_at(&child, rest, v)?);
    Ok(Value::Object(Arc::new(o)))
}

fn merge(a: &Value, b: Value) -> Result<Value, PolicyError> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut out = (**x).clone();
            for (k, v) in y.iter() {
                let merged = match out.get(k) {
                    Some(existing) => merge(existing, v.clone())?,
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Ok(Value::Object(Arc::new(out)))
        }
        (Value::Object(x), b) if x.is_empty() => Ok(b),
        (a, b) if *a == b => Ok(b),
        (_, b) => Err(PolicyError::Data(format!(
            "conflicting data documents at value {b}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn entrypoint_spellings() {
        assert_eq!(entrypoint_ref("a/b"), "data.a.b");
        assert_eq!(entrypoint_ref("data.a.b"), "data.a.b");
        assert_eq!(entrypoint_ref("data/a/b"), "data.a.b");
        assert_eq!(entrypoint_ref("a.b"), "data.a.b");
        assert_eq!(entrypoint_ref("data"), "data");
        assert_eq!(entrypoint_ref("a/x-y/1"), "data.a[\"x-y\"][\"1\"]");
        assert_eq!(entrypoint_ref("data.a[\"x-y\"]"), "data.a[\"x-y\"]");
    }

    #[test]
    fn strips_print_locations() {
        let s = vec!["p.rego".to_string()];
        assert_eq!(strip_location("p.rego:12: hello: x", &s), "hello: x");
        assert_eq!(strip_location("other:1: hi", &s), "other:1: hi");
    }
}
