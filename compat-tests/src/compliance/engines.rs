//! The engines a compliance case can run on.

use super::case::{Case, RegoVersion};
use crate::oracle::{Oracle, OracleOutcome, OracleRequest};
use regowasm_builtins::{EvalContext, Registry};
use regowasm_runtime::rego::{
    prepare_module, register_host_builtins, rewrite_for_host_builtins, with_eval_context,
};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// What an engine produced for a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The solutions (query variable → value, as JSON); empty = undefined.
    Results(Vec<serde_json::Map<String, Json>>),
    /// Evaluation failed.
    Error {
        /// OPA's error code (`rego_parse_error`, `eval_conflict_error`, ...)
        /// when known.
        code: Option<String>,
        /// The message.
        message: String,
    },
    /// The engine cannot run this case; why.
    Skip(String),
}

/// An engine the runner can run cases on.
pub trait ComplianceEngine {
    /// Its name in reports (`rego`, `oracle`, `wasm`).
    fn name(&self) -> &'static str;
    /// Run one case.
    fn run(&mut self, case: &Case) -> Outcome;
    /// A known cause for a failure of this case on this engine (e.g. the
    /// builtins it calls that the engine lacks), used to classify failures.
    fn known_cause(&self, _case: &Case) -> Option<String> {
        None
    }
}

// ---------------------------------------------------------------- rego

/// The Rego-source engine (regorus, as `regowasm_runtime`'s Rego path uses
/// it).
#[derive(Debug)]
pub struct RegoEngine {
    /// Per-case time limit.
    pub timeout: Duration,
    /// Host builtins registered on every case's engine.
    pub registry: Registry,
}

impl Default for RegoEngine {
    fn default() -> Self {
        RegoEngine {
            timeout: Duration::from_secs(10),
            registry: Registry::with_defaults(),
        }
    }
}

/// Convert a regorus value to JSON as OPA's API does (sets → arrays,
/// non-string keys → their JSON text).
fn regorus_to_json(v: &regorus::Value) -> Json {
    serde_json::to_value(v).unwrap_or(Json::Null)
}

/// Evaluate a Rego term (an `input_term`) with regorus.
pub fn parse_term(term: &str) -> Result<regorus::Value, String> {
    let mut engine = regorus::Engine::new();
    let results = engine
        .eval_query(term.to_string(), false)
        .map_err(|e| format!("input_term {term:?}: {e}"))?;
    results
        .result
        .last()
        .and_then(|r| r.expressions.last())
        .map(|e| e.value.clone())
        .ok_or_else(|| format!("input_term {term:?} is undefined"))
}

/// Map a regorus error message to the OPA error code it corresponds to.
/// regorus does not carry OPA's codes, so this is a classification of its
/// message texts (parse → compile → conflict → operand type → builtin).
pub fn classify_regorus_error(message: &str) -> Option<String> {
    if let Some(code) = crate::oracle::find_opa_code(message) {
        return Some(code);
    }
    let m = super::condense(message).to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| m.contains(n));
    let code = if has(&[
        "`if` keyword",
        "parse error",
        "unexpected token",
        "expecting",
        "invalid token",
        "unexpected character",
    ]) {
        "rego_parse_error"
    } else if has(&["recursion", "recursive"]) {
        "rego_recursion_error"
    } else if has(&[
        "conflict",
        "multiple outputs",
        "multiple values",
        "generated multiple times",
        "object keys must be unique",
    ]) {
        "eval_conflict_error"
    } else if has(&[
        "could not find function",
        "undefined function",
        "is unsafe",
        "previously defined with",
        "unknown function",
    ]) {
        "rego_type_error"
    } else if has(&["operand", "expects", "requires", "expected"])
        || (m.contains("must be") && !m.contains("positive"))
    {
        "eval_type_error"
    } else {
        "eval_builtin_error"
    };
    Some(code.to_string())
}

/// Builtin-looking calls (`name(` or `a.b.c(`) in a case's modules and
/// query that are neither regorus builtins nor functions the modules
/// define.
pub fn unknown_calls(case: &Case) -> Vec<String> {
    let mut defined = std::collections::BTreeSet::new();
    let sources: Vec<&str> = case
        .modules
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(case.query.as_str()))
        .collect();
    for src in &sources {
        for line in src.lines() {
            let head: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            if !head.is_empty() && line.get(head.len()..).is_some_and(|r| r.starts_with('(')) {
                defined.insert(head.rsplit('.').next().unwrap_or(&head).to_string());
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    for src in &sources {
        let bytes = src.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes.get(i).copied().unwrap_or(b' ');
            // Skip string literals and comments.
            if c == b'"' || c == b'`' {
                let mut j = i + 1;
                while let Some(&b) = bytes.get(j) {
                    if c == b'"' && b == b'\\' {
                        j += 2;
                        continue;
                    }
                    j += 1;
                    if b == c {
                        break;
                    }
                }
                i = j;
                continue;
            }
            if c == b'#' {
                while bytes.get(i).is_some_and(|b| *b != b'\n') {
                    i += 1;
                }
                continue;
            }
            let prev = if i == 0 {
                b' '
            } else {
                bytes.get(i - 1).copied().unwrap_or(b' ')
            };
            if (c.is_ascii_alphabetic() || c == b'_')
                && !(prev.is_ascii_alphanumeric() || prev == b'_' || prev == b'.' || prev == b'"')
            {
                let mut j = i;
                while bytes
                    .get(j)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
                {
                    j += 1;
                }
                if bytes.get(j) == Some(&b'(') {
                    let name = src.get(i..j).unwrap_or_default();
                    let last = name.rsplit('.').next().unwrap_or(name);
                    let known = regorus::unstable::BUILTINS.contains_key(name)
                        || name.starts_with("data.")
                        || defined.contains(last)
                        || matches!(
                            name,
                            "if" | "contains"
                                | "some"
                                | "every"
                                | "not"
                                | "with"
                                | "else"
                                | "in"
                                | "set"
                        );
                    if !known {
                        out.insert(name.to_string());
                    }
                }
                i = j.max(i + 1);
            } else {
                i += 1;
            }
        }
    }
    out.into_iter().collect()
}

impl RegoEngine {
    fn run_inner(&self, case: &Case) -> Result<Outcome, String> {
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(case.version == RegoVersion::V0);
        regowasm_runtime::rego::lift_source_limits(&mut engine);
        engine.set_strict_builtin_errors(case.strict_error);
        if let Some(check) = std::num::NonZeroU32::new(1024) {
            engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
                limit: self.timeout,
                check_interval: check,
            });
        }
        let data = regorus::Value::from_json_str(&case.data.to_string())
            .map_err(|e| format!("data: {e}"))?;
        if let Err(e) = engine.add_data(data) {
            return Ok(error_outcome(&e.to_string()));
        }
        if let Some(term) = &case.input_term {
            engine.set_input(parse_term(term)?);
        } else if let Some(input) = &case.input {
            let v = regorus::Value::from_json_str(&input.to_string())
                .map_err(|e| format!("input: {e}"))?;
            engine.set_input(v);
        }
        for (name, src) in case.named_modules() {
            let src = match prepare_module(&name, &src, &self.registry) {
                Ok(src) => src.into_owned(),
                Err(e) => return Ok(error_outcome(&e.to_string())),
            };
            if let Err(e) = engine.add_policy(name, src) {
                return Ok(error_outcome(&e.to_string()));
            }
        }
        // The builtins regowasm serves itself override regorus's, as on
        // the runtime's Rego path.
        register_host_builtins(&mut engine, &self.registry, case.strict_error)
            .map_err(|e| format!("host builtins: {e}"))?;
        let mut ctx = EvalContext::new();
        ctx.set_strict(case.strict_error);
        let evaluated = with_eval_context(Arc::new(ctx), || {
            let query = rewrite_for_host_builtins(&case.query, &self.registry);
            engine.eval_query(query.into_owned(), false)
        });
        match evaluated {
            Ok(results) => Ok(Outcome::Results(
                results
                    .result
                    .iter()
                    .map(|r| match regorus_to_json(&r.bindings) {
                        Json::Object(m) => m,
                        _ => serde_json::Map::new(),
                    })
                    .collect(),
            )),
            Err(e) => Ok(error_outcome(&e.to_string())),
        }
    }
}

/// An error as the runtime reports it (OPA's `file:row: code: message`
/// form), followed by regorus's own report.
fn error_outcome(message: &str) -> Outcome {
    let opa = regowasm_runtime::rego::opa_error_text(message);
    Outcome::Error {
        code: classify_regorus_error(&opa),
        message: format!("{opa}\n{message}"),
    }
}

impl ComplianceEngine for RegoEngine {
    fn name(&self) -> &'static str {
        "rego"
    }

    fn known_cause(&self, case: &Case) -> Option<String> {
        let missing: Vec<String> = unknown_calls(case)
            .into_iter()
            .filter(|name| self.registry.get(name).is_none())
            .collect();
        (!missing.is_empty()).then(|| format!("missing builtin: {}", missing.join(", ")))
    }

    fn run(&mut self, case: &Case) -> Outcome {
        // regorus may panic on odd input; a panic is a failure of this case,
        // not of the run.
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_inner(case)));
        match run {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(setup)) => Outcome::Error {
                code: None,
                message: format!("harness: {setup}"),
            },
            Err(p) => {
                let what = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Outcome::Error {
                    code: None,
                    message: format!("regorus panicked: {what}"),
                }
            }
        }
    }
}

// ---------------------------------------------------------------- oracle

/// OPA v1.20.2 itself, through [`crate::oracle`].
#[derive(Debug)]
pub struct OracleEngine {
    oracle: Oracle,
}

impl OracleEngine {
    /// Wrap a running oracle.
    pub fn new(oracle: Oracle) -> OracleEngine {
        OracleEngine { oracle }
    }
}

impl ComplianceEngine for OracleEngine {
    fn name(&self) -> &'static str {
        "oracle"
    }

    fn run(&mut self, case: &Case) -> Outcome {
        if case.version == RegoVersion::V0 {
            return Outcome::Skip("the oracle bridge parses Rego v1 only".into());
        }
        let mut query = case.query.clone();
        let input = match (&case.input_term, &case.input) {
            (Some(term), _) => match parse_term(term) {
                Ok(v) => {
                    let json = regorus_to_json(&v);
                    // JSON-representable terms cross the bridge as input;
                    // others (sets, non-string keys) are bound with `with`.
                    match regorus::Value::from_json_str(&json.to_string()) {
                        Ok(back) if back == v => Some(json),
                        _ => match with_input_term(&case.query, term) {
                            Some(q) => {
                                query = q;
                                None
                            }
                            None => {
                                return Outcome::Skip(
                                    "input_term is not JSON and the query cannot take `with`"
                                        .into(),
                                );
                            }
                        },
                    }
                }
                Err(e) => return Outcome::Skip(e),
            },
            (None, input) => input.clone(),
        };
        let req = OracleRequest {
            modules: case.named_modules(),
            data: case.data.clone(),
            input,
            query,
            strict_builtin_errors: case.strict_error,
        };
        match self.oracle.eval_query(&req) {
            Ok(OracleOutcome::Results(sols)) => {
                Outcome::Results(sols.into_iter().map(|s| s.bindings).collect())
            }
            Ok(OracleOutcome::Error(e)) if e.lenient_unavailable => Outcome::Skip(format!(
                "lenient builtin errors unavailable (the bridge is always strict): {}",
                e.message
            )),
            Ok(OracleOutcome::Error(e)) => Outcome::Error {
                code: e.opa_code,
                message: e.message,
            },
            Err(e) => Outcome::Error {
                code: None,
                message: format!("oracle: {e}"),
            },
        }
    }
}

/// Rewrite a query so each of its expressions evaluates `with input as
/// (<term>)`: expressions are split at top-level `;` and newlines. `None`
/// when an expression cannot take a `with` modifier (`some` declarations).
pub fn with_input_term(query: &str, term: &str) -> Option<String> {
    let mut exprs = Vec::new();
    let mut depth = 0i32;
    let mut in_str: Option<char> = None;
    let mut escaped = false;
    let mut cur = String::new();
    for c in query.chars() {
        if let Some(q) = in_str {
            cur.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                in_str = None;
            }
            continue;
        }
        match c {
            '"' | '`' => {
                in_str = Some(c);
                cur.push(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                cur.push(c);
            }
            ')' | ']' | '}' => {
                depth -= 1;
                cur.push(c);
            }
            ';' | '\n' if depth == 0 => exprs.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    exprs.push(cur);
    let exprs: Vec<String> = exprs
        .into_iter()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect();
    if exprs.is_empty() || exprs.iter().any(|e| e.starts_with("some ")) {
        return None;
    }
    Some(
        exprs
            .iter()
            .map(|e| format!("{e} with input as ({term})"))
            .collect::<Vec<_>>()
            .join("; "),
    )
}

// ---------------------------------------------------------------- wasm

/// The package of the entrypoint wrapped around a case's query.
pub const WRAPPER_PACKAGE: &str = "regowasm_compliance";
/// The wrapper's rule: the set of the query's binding objects.
pub const WRAPPER_RULE: &str = "bindings";

/// The query variables reported for a case: the keys of its expected
/// solutions (the query's output variables). Cases expecting an error or
/// undefined report none.
pub fn output_vars(case: &Case) -> Vec<String> {
    let mut vars: Vec<String> = case
        .want_result
        .iter()
        .flatten()
        .flat_map(|row| row.keys().cloned())
        .collect();
    vars.sort();
    vars.dedup();
    vars
}

/// The entrypoint module wrapped around a case's query: a partial set rule
/// whose members are the binding objects of the query's solutions.
/// Written so it parses both as Rego v1 and (with the future-keyword
/// imports) as v0.
pub fn wrapper_module(case: &Case) -> String {
    let fields: Vec<String> = output_vars(case)
        .iter()
        .map(|v| format!("{}: {v}", Json::String(v.clone())))
        .collect();
    let imports = match case.version {
        RegoVersion::V0 => "import future.keywords.contains\nimport future.keywords.if\n\n",
        RegoVersion::V1 => "",
    };
    format!(
        "package {WRAPPER_PACKAGE}\n\n{imports}{WRAPPER_RULE} contains __regowasm_b if {{\n\t{}\n\t__regowasm_b := {{{}}}\n}}\n",
        case.query.replace('\n', "\n\t"),
        fields.join(", ")
    )
}

/// The files written for `opa build`, relative to a work directory.
pub fn build_files(case: &Case) -> Vec<(String, String)> {
    let mut files = case.named_modules();
    files.push((
        "regowasm-compliance-wrapper.rego".into(),
        wrapper_module(case),
    ));
    files.push(("data.json".into(), case.data.to_string()));
    files
}

/// The `opa build` command line for a case whose files are in `dir`.
pub fn opa_build_args(case: &Case, dir: &Path, bundle: &Path) -> Vec<String> {
    let mut args = vec![
        "build".to_string(),
        "-t".into(),
        "wasm".into(),
        "-e".into(),
        format!("{WRAPPER_PACKAGE}/{WRAPPER_RULE}"),
    ];
    if case.version == RegoVersion::V0 {
        args.push("--v0-compatible".into());
    }
    args.push("-o".into());
    args.push(bundle.display().to_string());
    for (name, _) in build_files(case) {
        args.push(dir.join(name).display().to_string());
    }
    args
}

/// The file name a precompiled module of a case has in `--wasm-dir`:
/// the case id with `/` → `__` and `#` → `--`, plus `.wasm`.
pub fn precompiled_name(case: &Case) -> String {
    format!("{}.wasm", case.id().replace('/', "__").replace('#', "--"))
}

/// Find an `opa` executable: `--opa PATH`, `$OPA`, then `PATH`.
pub fn find_opa(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("OPA") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("opa"))
            .find(|p| p.is_file())
    })
}

/// Runs a compiled module's entrypoint on an input; returns OPA's result
/// set (`[{"result": <value>}]`). Supplied by whoever links the Wasm
/// runtime (the CLI), so that this crate's tests need no wasmtime.
pub type WasmExecutor = Box<dyn FnMut(&[u8], &Json, Option<&Json>) -> Result<Json, String>>;

/// The entrypoint [`wrapper_module`] defines.
pub const WRAPPER_ENTRYPOINT: &str = "regowasm_compliance/bindings";

/// The executor that runs a case's module on regowasm's Wasm engine
/// ([`regowasm_runtime::wasm::WasmPolicy`]): load, set the case's data,
/// evaluate [`WRAPPER_ENTRYPOINT`] on its input, return OPA's result set.
pub fn runtime_executor() -> WasmExecutor {
    Box::new(|module: &[u8], data: &Json, input: Option<&Json>| {
        use regowasm_runtime::wasm::{WasmOptions, WasmPolicy};
        let options = WasmOptions {
            // A case that calls a builtin nobody serves fails on the call,
            // like OPA's own Wasm SDKs, instead of failing to load.
            allow_missing_builtins: true,
            ..WasmOptions::default()
        };
        let policy = WasmPolicy::load_module(module, &options).map_err(|e| e.to_string())?;
        policy
            .set_data(regowasm_builtins::Value::from_serde(data))
            .map_err(|e| e.to_string())?;
        let input = input.map(|i| i.to_string());
        let evaluation = policy
            .eval_json(WRAPPER_ENTRYPOINT, input.as_deref().map(str::as_bytes))
            .map_err(|e| e.to_string())?;
        Ok(Json::Array(
            evaluation.results.iter().map(|r| r.to_json()).collect(),
        ))
    })
}

/// The Wasm engine: compile each case with `opa build -t wasm` (or take a
/// precompiled module from `--wasm-dir`) and run it through an executor.
pub struct WasmEngine {
    /// The `opa` executable, if any.
    pub opa: Option<PathBuf>,
    /// Precompiled modules.
    pub wasm_dir: Option<PathBuf>,
    /// Where bundles are built.
    pub work_dir: PathBuf,
    /// Runs a module; `None` → cases skip.
    pub executor: Option<WasmExecutor>,
}

impl std::fmt::Debug for WasmEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmEngine")
            .field("opa", &self.opa)
            .field("wasm_dir", &self.wasm_dir)
            .field("executor", &self.executor.is_some())
            .finish()
    }
}

impl WasmEngine {
    fn module_for(&self, case: &Case) -> Result<Vec<u8>, Outcome> {
        if let Some(dir) = &self.wasm_dir {
            let path = dir.join(precompiled_name(case));
            if path.is_file() {
                return std::fs::read(&path)
                    .map_err(|e| Outcome::Skip(format!("{}: {e}", path.display())));
            }
        }
        let Some(opa) = &self.opa else {
            return Err(Outcome::Skip(
                "no `opa` executable (--opa, $OPA, PATH) and no precompiled module".into(),
            ));
        };
        let dir = self
            .work_dir
            .join(precompiled_name(case).replace(".wasm", ""));
        let io = |e: std::io::Error| Outcome::Skip(format!("{}: {e}", dir.display()));
        std::fs::create_dir_all(&dir).map_err(io)?;
        for (name, text) in build_files(case) {
            std::fs::write(dir.join(name), text).map_err(io)?;
        }
        let bundle = dir.join("bundle.tar.gz");
        let out = std::process::Command::new(opa)
            .args(opa_build_args(case, &dir, &bundle))
            .output()
            .map_err(|e| Outcome::Skip(format!("cannot run {}: {e}", opa.display())))?;
        if !out.status.success() {
            // A compile error is the case's outcome (e.g. rego_type_error).
            let message = String::from_utf8_lossy(&out.stderr).into_owned();
            return Err(Outcome::Error {
                code: crate::oracle::find_opa_code(&message),
                message,
            });
        }
        let file = std::fs::File::open(&bundle).map_err(io)?;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let entries = archive.entries().map_err(io)?;
        for entry in entries {
            let mut entry = entry.map_err(io)?;
            let is_wasm = entry
                .path()
                .map(|p| p.extension().is_some_and(|e| e == "wasm"))
                .unwrap_or(false);
            if is_wasm {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut bytes).map_err(io)?;
                return Ok(bytes);
            }
        }
        Err(Outcome::Skip("bundle has no policy.wasm".into()))
    }
}

impl ComplianceEngine for WasmEngine {
    fn name(&self) -> &'static str {
        "wasm"
    }

    fn run(&mut self, case: &Case) -> Outcome {
        if case.input_term.is_some() {
            return Outcome::Skip("input_term needs a Rego-term input; not wired for wasm".into());
        }
        let module = match self.module_for(case) {
            Ok(m) => m,
            Err(outcome) => return outcome,
        };
        let Some(exec) = self.executor.as_mut() else {
            return Outcome::Skip("no Wasm executor linked".into());
        };
        match exec(&module, &case.data, case.input.as_ref()) {
            Ok(result_set) => wasm_result_to_outcome(&result_set),
            Err(message) => Outcome::Error {
                code: crate::oracle::find_opa_code(&message),
                message,
            },
        }
    }
}

/// Turn the wrapper entrypoint's result set into solutions.
pub fn wasm_result_to_outcome(result_set: &Json) -> Outcome {
    let rows = result_set
        .as_array()
        .and_then(|rs| rs.first())
        .and_then(|r| r.get("result"))
        .and_then(|r| r.as_array());
    match rows {
        None => Outcome::Results(Vec::new()),
        Some(rows) => Outcome::Results(
            rows.iter()
                .map(|r| r.as_object().cloned().unwrap_or_default())
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use crate::compliance::case::parse_file;

    fn case(version_dir: &str, query: &str) -> Case {
        let text = format!(
            "cases:\n  - note: n\n    query: '{query}'\n    modules: ['package p']\n    data: {{a: 1}}\n    want_result:\n      - x: 1\n        y: 2\n"
        );
        parse_file(&format!("{version_dir}/f/t.yaml"), &text)
            .unwrap()
            .remove(0)
    }

    #[test]
    fn wraps_the_query_in_an_entrypoint() {
        let c = case("v1", "data.p.a = x; y := 2");
        assert_eq!(output_vars(&c), vec!["x", "y"]);
        let w = wrapper_module(&c);
        assert!(
            w.starts_with("package regowasm_compliance\n\nbindings contains __regowasm_b if {"),
            "{w}"
        );
        assert!(w.contains("\tdata.p.a = x; y := 2\n"), "{w}");
        assert!(w.contains(r#"__regowasm_b := {"x": x, "y": y}"#), "{w}");
        // The wrapper is valid Rego for regorus too.
        let mut e = regorus::Engine::new();
        e.add_policy("w.rego".into(), w).unwrap();
        e.add_policy("p.rego".into(), "package p\na := 1".into())
            .unwrap();
        let r = e
            .eval_rule("data.regowasm_compliance.bindings".into())
            .unwrap();
        assert_eq!(regorus_to_json(&r), serde_json::json!([{"x": 1, "y": 2}]));

        let v0 = wrapper_module(&case("v0", "data.p.a = x"));
        assert!(
            v0.contains("import future.keywords.contains\nimport future.keywords.if"),
            "{v0}"
        );
    }

    #[test]
    fn binds_non_json_input_terms_with_with() {
        assert_eq!(
            with_input_term("data.p.x = x; y := \"a;b\"", "{1: {2}}").as_deref(),
            Some("data.p.x = x with input as ({1: {2}}); y := \"a;b\" with input as ({1: {2}})")
        );
        assert_eq!(
            with_input_term("f({1; 2})", "1").as_deref(),
            Some("f({1; 2}) with input as (1)")
        );
        assert_eq!(with_input_term("some x; x = 1", "1"), None);
        assert_eq!(with_input_term("  ", "1"), None);
    }

    #[test]
    fn builds_the_opa_command() {
        let c = case("v0", "data.p.a = x");
        let args = opa_build_args(&c, Path::new("/w"), Path::new("/w/b.tar.gz"));
        assert_eq!(
            args,
            [
                "build",
                "-t",
                "wasm",
                "-e",
                "regowasm_compliance/bindings",
                "--v0-compatible",
                "-o",
                "/w/b.tar.gz",
                "/w/test-0.rego",
                "/w/regowasm-compliance-wrapper.rego",
                "/w/data.json"
            ]
        );
        let v1 = opa_build_args(&case("v1", "x := 1"), Path::new("/w"), Path::new("/w/b"));
        assert!(!v1.contains(&"--v0-compatible".to_string()));
        assert_eq!(
            build_files(&c)[2],
            ("data.json".into(), r#"{"a":1}"#.into())
        );
        assert_eq!(precompiled_name(&c), "v0__f__t.yaml--0.wasm");
    }

    #[test]
    fn wasm_engine_without_opa_skips_and_reads_result_sets() {
        let mut e = WasmEngine {
            opa: None,
            wasm_dir: None,
            work_dir: std::env::temp_dir(),
            executor: None,
        };
        assert!(matches!(e.run(&case("v1", "x := 1")), Outcome::Skip(_)));
        let rs = serde_json::json!([{"result": [{"x": 1}, {"x": 2}]}]);
        let Outcome::Results(rows) = wasm_result_to_outcome(&rs) else {
            panic!()
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(
            wasm_result_to_outcome(&serde_json::json!([])),
            Outcome::Results(vec![])
        );
    }

    #[test]
    fn classifies_regorus_errors() {
        assert_eq!(
            classify_regorus_error("x.rego:1: rego_parse_error: boom").as_deref(),
            Some("rego_parse_error")
        );
        assert_eq!(
            classify_regorus_error("complete rules should not produce multiple outputs").as_deref(),
            Some("eval_conflict_error")
        );
        let cases = [
            (
                "--> t.rego:3:1\n  |\nerror: `if` keyword is required before rule body",
                "rego_parse_error",
            ),
            ("error: could not find function foo.bar", "rego_type_error"),
            (
                "error: `count` requires array/object/set/string argument. Got `5`.",
                "eval_type_error",
            ),
            (
                "error: `bits.or` expects integer arguments. Got `7.2`",
                "eval_type_error",
            ),
            ("error: divide by zero", "eval_builtin_error"),
            (
                "error: initial vertices must be array/set",
                "eval_type_error",
            ),
            (
                "error: step must be a positive integer",
                "eval_builtin_error",
            ),
            (
                "error: rule conflicts with rule at t.rego:3:1",
                "eval_conflict_error",
            ),
        ];
        for (msg, code) in cases {
            assert_eq!(classify_regorus_error(msg).as_deref(), Some(code), "{msg}");
        }
    }

    #[test]
    fn finds_calls_regorus_lacks() {
        let c = parse_file(
            "v1/f/t.yaml",
            "cases:\n- note: n\n  query: data.p.x = x\n  modules:\n  - |\n    package p\n    f(a) := a\n    x := [f(1), count([1]), graphql.is_valid(\"q\", \"s\"), crypto.md5(\"a\"), \"s(1)\", `t(2)`] if { data.p.g(1) } # u(3)\n",
        )
        .unwrap()
        .remove(0);
        assert_eq!(unknown_calls(&c), vec!["crypto.md5", "graphql.is_valid"]);
        // Both are served by the host registry now, so neither is a cause.
        assert_eq!(RegoEngine::default().known_cause(&c), None);
        let mut unknown = c.clone();
        unknown.query = "x := acme.frobnicate(1)".into();
        assert_eq!(
            RegoEngine::default().known_cause(&unknown).as_deref(),
            Some("missing builtin: acme.frobnicate")
        );
    }
}
