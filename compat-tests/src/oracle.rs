//! The OPA v1.20.2 differential oracle.
//!
//! OPA's evaluator ships as `libopabridge.so` in the PyPI wheel
//! `opa-golib-python-bindings==0.4.4` (`compat-tests/oracle/setup.sh` puts
//! it in `compat-tests/oracle/lib/`). It is loaded in a helper process of
//! its own, the `regowasm-oracle` binary of this crate (never beside
//! wasmtime: the Go runtime and wasmtime both install signal handlers), and
//! spoken to over JSON lines (see `src/bin/regowasm-oracle.rs`).
//!
//! ```no_run
//! use regowasm_compat::oracle::{Oracle, OracleRequest};
//! # fn main() -> Result<(), regowasm_compat::oracle::OracleError> {
//! let Some(mut oracle) = Oracle::spawn()? else {
//!     eprintln!("skipping: {}", regowasm_compat::oracle::absent_reason());
//!     return Ok(());
//! };
//! let outcome = oracle.call_builtin("concat", &[",".into(), regowasm_builtins::Value::array(vec!["a".into(), "b".into()])])?;
//! assert_eq!(outcome.single("x"), Some(&serde_json::json!("a,b")));
//! # Ok(()) }
//! ```
//!
//! ## Where the pieces are found
//! - The library: `$REGOWASM_OPA_BRIDGE`, else
//!   `<this crate>/oracle/lib/libopabridge.so`. Absent → [`Oracle::spawn`]
//!   returns `Ok(None)`; [`absent_reason`] says why (tests print it and skip).
//! - The helper binary: `$REGOWASM_ORACLE_HELPER`, else `regowasm-oracle`
//!   next to the running executable or in its parent directory (test
//!   binaries live in `target/<profile>/deps/`), else it is built once with
//!   `cargo build --workspace --all-targets` in this workspace (a no-op
//!   when the tree is built the team's way). Integration tests of this crate can pass
//!   `env!("CARGO_BIN_EXE_regowasm-oracle")` through [`OracleConfig`].
//!
//! ## Strict builtin errors
//! The bridge hard-codes `rego.StrictBuiltinErrors(true)` in its evaluation
//! path (there is no parameter for it), so the oracle always evaluates
//! strictly: a failing builtin aborts evaluation with `eval_builtin_error`
//! / `eval_type_error`. For a request with
//! [`OracleRequest::strict_builtin_errors`] `false`, such an error is
//! flagged [`OracleEvalError::lenient_unavailable`]: OPA's lenient mode would
//! have made that expression undefined instead, which the oracle cannot
//! reproduce for a general query. For a single builtin call
//! ([`Oracle::call_builtin_lenient`]) the lenient answer *is* known
//! (undefined), and is returned as such.
//!
//! ## Numbers
//! Results are `serde_json::Value`s parsed without arbitrary precision:
//! integers beyond 64 bits come back as floats. [`OracleSolution::raw`]
//! keeps OPA's exact JSON text of each solution.

use regowasm_builtins::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The helper binary's name.
pub const HELPER_NAME: &str = "regowasm-oracle";

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// A failure of the oracle machinery (not of the evaluated Rego: that is an
/// [`OracleOutcome::Error`]).
#[derive(Debug, thiserror::Error)]
pub enum OracleError {
    /// The helper binary could not be found or built.
    #[error("oracle helper `{HELPER_NAME}` unavailable: {0}")]
    HelperMissing(String),
    /// The helper process could not be started.
    #[error("cannot start oracle helper {path}: {source}")]
    Spawn {
        /// The helper path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The helper failed to load the library or answered its ping wrongly.
    #[error("oracle helper failed to start: {0}")]
    Startup(String),
    /// A request timed out; the helper was killed (and is respawned on the
    /// next request).
    #[error("oracle request timed out after {0:?} (helper killed)")]
    Timeout(Duration),
    /// The helper died while handling a request (e.g. the Go runtime
    /// crashed); it is respawned on the next request.
    #[error("oracle helper crashed: {0}")]
    Crashed(String),
    /// Writing to the helper failed.
    #[error("oracle I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The helper answered something that is not a valid response.
    #[error("oracle protocol error: {0}")]
    Protocol(String),
}

/// One query for OPA.
#[derive(Debug, Clone, Default)]
pub struct OracleRequest {
    /// Rego v1 modules as (file name, source); names appear in messages.
    pub modules: Vec<(String, String)>,
    /// The base data document (`null` = none).
    pub data: serde_json::Value,
    /// The input document; `None` leaves `input` undefined.
    pub input: Option<serde_json::Value>,
    /// The Rego query, e.g. `x := data.p.allow`.
    pub query: String,
    /// Whether the caller wants strict builtin errors. The oracle is always
    /// strict; see the module docs.
    pub strict_builtin_errors: bool,
}

/// One solution of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct OracleSolution {
    /// Query variable → value, as OPA returns them (sets as arrays).
    pub bindings: serde_json::Map<String, serde_json::Value>,
    /// The value of each query expression.
    pub expressions: Vec<serde_json::Value>,
    /// OPA's exact JSON text of this solution's bindings.
    pub raw: String,
}

/// An evaluation error reported by OPA.
#[derive(Debug, Clone, PartialEq)]
pub struct OracleEvalError {
    /// Which step failed: `add_policy` (parse), `add_data`, `eval`
    /// (prepare or evaluation) or `request`.
    pub stage: String,
    /// The bridge's code: `parse_error`, `prepare_error`, `eval_error`,
    /// `merge_conflict`, ...
    pub code: String,
    /// The OPA error code found in the message (`rego_parse_error`,
    /// `rego_type_error`, `eval_conflict_error`, `eval_builtin_error`, ...).
    pub opa_code: Option<String>,
    /// The full message.
    pub message: String,
    /// The request asked for lenient builtin errors, and this is a builtin
    /// error that lenient OPA would have turned into "undefined".
    pub lenient_unavailable: bool,
}

/// What OPA answered.
#[derive(Debug, Clone, PartialEq)]
pub enum OracleOutcome {
    /// The solutions; empty when the query is undefined.
    Results(Vec<OracleSolution>),
    /// Evaluation (or parsing/compiling) failed.
    Error(OracleEvalError),
}

impl OracleOutcome {
    /// The value of `var` when there is exactly one solution.
    pub fn single(&self, var: &str) -> Option<&serde_json::Value> {
        match self {
            OracleOutcome::Results(sols) if sols.len() == 1 => {
                sols.first().and_then(|s| s.bindings.get(var))
            }
            _ => None,
        }
    }

    /// True when the query had no solution.
    pub fn is_undefined(&self) -> bool {
        matches!(self, OracleOutcome::Results(s) if s.is_empty())
    }

    /// The error, if evaluation failed.
    pub fn error(&self) -> Option<&OracleEvalError> {
        match self {
            OracleOutcome::Error(e) => Some(e),
            OracleOutcome::Results(_) => None,
        }
    }
}

/// Where the oracle's pieces are.
#[derive(Debug, Clone)]
pub struct OracleConfig {
    /// The `regowasm-oracle` helper binary.
    pub helper: PathBuf,
    /// `libopabridge.so`.
    pub library: PathBuf,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// The library path this crate would use (it may not exist).
pub fn library_path() -> PathBuf {
    match std::env::var_os("REGOWASM_OPA_BRIDGE") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("oracle/lib/libopabridge.so"),
    }
}

/// Why the oracle is absent (a message for skipping tests), or `None` when
/// the library is present.
pub fn absent_reason() -> String {
    let lib = library_path();
    if lib.is_file() {
        "the OPA oracle library is present".to_string()
    } else {
        format!(
            "OPA oracle library not found at {} (run compat-tests/oracle/setup.sh or set REGOWASM_OPA_BRIDGE)",
            lib.display()
        )
    }
}

fn helper_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("REGOWASM_ORACLE_HELPER") {
        out.push(PathBuf::from(p));
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        out.push(dir.join(HELPER_NAME));
        if let Some(parent) = dir.parent() {
            out.push(parent.join(HELPER_NAME));
        }
    }
    out
}

/// Build the helper with cargo in this workspace (once per process).
fn build_helper() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            let workspace = manifest.parent().unwrap_or(manifest);
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let out = Command::new(&cargo)
                .current_dir(workspace)
                // The same selection as the team's `cargo build --workspace
                // --all-targets`: with `-p` or without `--all-targets`,
                // cargo resolves features differently and rebuilds
                // wasmtime from scratch.
                .args([
                    "build",
                    "--workspace",
                    "--all-targets",
                    "--message-format=json-render-diagnostics",
                ])
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| format!("cannot run cargo: {e}"))?;
            if !out.status.success() {
                return Err(format!("cargo build of {HELPER_NAME} failed"));
            }
            // Find the executable cargo reports for our binary.
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter(|m| {
                    m.get("target")
                        .and_then(|t| t.get("name"))
                        .and_then(|n| n.as_str())
                        == Some(HELPER_NAME)
                        && m.get("profile")
                            .and_then(|p| p.get("test"))
                            .and_then(|t| t.as_bool())
                            == Some(false)
                })
                .find_map(|m| {
                    m.get("executable")
                        .and_then(|e| e.as_str())
                        .map(PathBuf::from)
                })
                .ok_or_else(|| "cargo did not report the helper executable".to_string())
        })
        .clone()
}

impl OracleConfig {
    /// Find the library and the helper (building the helper if needed).
    /// `Ok(None)` when the library is absent.
    pub fn discover() -> Result<Option<OracleConfig>, OracleError> {
        let library = library_path();
        if !library.is_file() {
            return Ok(None);
        }
        let helper = match helper_candidates().into_iter().find(|p| p.is_file()) {
            Some(p) => p,
            None => build_helper().map_err(OracleError::HelperMissing)?,
        };
        Ok(Some(OracleConfig {
            helper,
            library,
            timeout: DEFAULT_TIMEOUT,
        }))
    }

    /// A config with the given helper; the library as [`library_path`].
    /// `None` when the library is absent.
    pub fn with_helper(helper: impl Into<PathBuf>) -> Option<OracleConfig> {
        let library = library_path();
        library.is_file().then(|| OracleConfig {
            helper: helper.into(),
            library,
            timeout: DEFAULT_TIMEOUT,
        })
    }
}

/// A running helper process.
struct Helper {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Helper {
    fn start(config: &OracleConfig) -> Result<Helper, OracleError> {
        let mut child = Command::new(&config.helper)
            .arg(&config.library)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| OracleError::Spawn {
                path: config.helper.clone(),
                source,
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(OracleError::Startup("helper pipes unavailable".into()));
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let tail = Arc::new(Mutex::new(String::new()));
        let tail_writer = Arc::clone(&tail);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut t) = tail_writer.lock() {
                    t.push_str(&line);
                    t.push('\n');
                    if t.len() > 8192 {
                        let cut = t.len() - 4096;
                        let cut = (cut..t.len()).find(|i| t.is_char_boundary(*i)).unwrap_or(0);
                        t.drain(..cut);
                    }
                }
            }
        });
        let mut helper = Helper {
            child,
            stdin,
            lines: rx,
            stderr: tail,
        };
        // The ping proves the library loaded.
        match helper.roundtrip("{\"op\":\"ping\"}", config.timeout) {
            Ok(line) if line.contains("\"ping\"") => Ok(helper),
            Ok(line) => Err(OracleError::Startup(format!(
                "unexpected ping answer: {line}"
            ))),
            Err(OracleError::Crashed(msg)) => Err(OracleError::Startup(msg)),
            Err(e) => Err(e),
        }
    }

    fn roundtrip(&mut self, line: &str, timeout: Duration) -> Result<String, OracleError> {
        let written = writeln!(self.stdin, "{line}").and_then(|()| self.stdin.flush());
        if written.is_err() {
            return Err(OracleError::Crashed(self.death_note()));
        }
        match self.lines.recv_timeout(timeout) {
            Ok(answer) => Ok(answer),
            Err(RecvTimeoutError::Timeout) => {
                self.kill();
                Err(OracleError::Timeout(timeout))
            }
            Err(RecvTimeoutError::Disconnected) => Err(OracleError::Crashed(self.death_note())),
        }
    }

    fn death_note(&mut self) -> String {
        // Give the stderr reader a moment to drain.
        let status = match self.child.wait() {
            Ok(s) => s.to_string(),
            Err(e) => e.to_string(),
        };
        std::thread::sleep(Duration::from_millis(50));
        let tail = self.stderr.lock().map(|t| t.clone()).unwrap_or_default();
        let tail: String = tail
            .lines()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        format!("helper exited ({status}); stderr tail:\n{tail}")
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A client of the oracle helper process. Not `Sync`: one request at a
/// time; spawn one per thread if needed.
pub struct Oracle {
    config: OracleConfig,
    helper: Option<Helper>,
    restarts: usize,
}

impl std::fmt::Debug for Oracle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oracle")
            .field("config", &self.config)
            .field("running", &self.helper.is_some())
            .field("restarts", &self.restarts)
            .finish()
    }
}

impl Oracle {
    /// Start the oracle as found by [`OracleConfig::discover`]; `Ok(None)`
    /// when the library is absent (see [`absent_reason`]).
    pub fn spawn() -> Result<Option<Oracle>, OracleError> {
        match OracleConfig::discover()? {
            Some(config) => Oracle::spawn_with(config).map(Some),
            None => Ok(None),
        }
    }

    /// Start the oracle with an explicit configuration.
    pub fn spawn_with(config: OracleConfig) -> Result<Oracle, OracleError> {
        let helper = Helper::start(&config)?;
        Ok(Oracle {
            config,
            helper: Some(helper),
            restarts: 0,
        })
    }

    /// Set the per-request timeout.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.config.timeout = timeout;
    }

    /// How many times the helper was restarted after a crash or timeout.
    pub fn restarts(&self) -> usize {
        self.restarts
    }

    /// Evaluate a query on a fresh OPA engine holding the request's modules
    /// and data.
    pub fn eval_query(&mut self, req: &OracleRequest) -> Result<OracleOutcome, OracleError> {
        let line = serde_json::json!({
            "modules": req.modules,
            "data": req.data,
            "input": req.input,
            "query": req.query,
        });
        let mut line = line;
        if req.input.is_none()
            && let Some(obj) = line.as_object_mut()
        {
            obj.remove("input");
        }
        let answer = self.send(&line.to_string())?;
        parse_response(&answer, req.strict_builtin_errors)
    }

    fn send(&mut self, line: &str) -> Result<String, OracleError> {
        let helper = match self.helper.as_mut() {
            Some(h) => h,
            None => {
                self.restarts += 1;
                self.helper.insert(Helper::start(&self.config)?)
            }
        };
        match helper.roundtrip(line, self.config.timeout) {
            Ok(answer) => Ok(answer),
            Err(e) => {
                // Whatever went wrong, the next request gets a new helper.
                self.helper = None;
                Err(e)
            }
        }
    }

    /// Evaluate `x := name(args...)` strictly (builtin errors are errors).
    /// The arguments are written as Rego terms ([`Value::to_text`]).
    pub fn call_builtin(
        &mut self,
        name: &str,
        args: &[Value],
    ) -> Result<OracleOutcome, OracleError> {
        self.eval_query(&OracleRequest {
            query: builtin_call_query(name, args),
            strict_builtin_errors: true,
            ..OracleRequest::default()
        })
    }

    /// Like [`Oracle::call_builtin`], with the arguments already written as
    /// Rego terms (for callers holding another value type).
    pub fn call_builtin_terms(
        &mut self,
        name: &str,
        args: &[&str],
    ) -> Result<OracleOutcome, OracleError> {
        self.eval_query(&OracleRequest {
            query: format!("x := {name}({})", args.join(", ")),
            strict_builtin_errors: true,
            ..OracleRequest::default()
        })
    }

    /// Evaluate `x := name(args...)` as lenient OPA would: a builtin error
    /// (`eval_builtin_error` / `eval_type_error`) becomes undefined.
    pub fn call_builtin_lenient(
        &mut self,
        name: &str,
        args: &[Value],
    ) -> Result<OracleOutcome, OracleError> {
        match self.call_builtin(name, args)? {
            OracleOutcome::Error(e) if is_builtin_error_code(e.opa_code.as_deref()) => {
                Ok(OracleOutcome::Results(Vec::new()))
            }
            other => Ok(other),
        }
    }
}

/// The query [`Oracle::call_builtin`] evaluates.
pub fn builtin_call_query(name: &str, args: &[Value]) -> String {
    let args: Vec<String> = args.iter().map(Value::to_text).collect();
    format!("x := {name}({})", args.join(", "))
}

fn is_builtin_error_code(code: Option<&str>) -> bool {
    matches!(code, Some("eval_builtin_error" | "eval_type_error"))
}

/// The first OPA error code (`rego_*_error`, `eval_*_error`) in a message.
pub fn find_opa_code(message: &str) -> Option<String> {
    let bytes = message.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let rest = message.get(start..)?;
        let pos = ["rego_", "eval_"]
            .iter()
            .filter_map(|p| rest.find(p))
            .min()?;
        let begin = start + pos;
        let word: String = message
            .get(begin..)?
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        let boundary_ok = begin == 0
            || !message
                .get(..begin)
                .and_then(|s| s.chars().last())
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if boundary_ok && word.ends_with("_error") {
            return Some(word);
        }
        start = begin + word.len().max(1);
    }
    None
}

fn parse_response(line: &str, strict: bool) -> Result<OracleOutcome, OracleError> {
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| OracleError::Protocol(format!("{e}: {line}")))?;
    let stage = v
        .get("stage")
        .and_then(|s| s.as_str())
        .unwrap_or("unknown")
        .to_string();
    let envelope = v
        .get("envelope")
        .ok_or_else(|| OracleError::Protocol(format!("no envelope: {line}")))?;
    if let Some(err) = envelope.get("error").filter(|e| !e.is_null()) {
        let code = err
            .get("code")
            .and_then(|c| c.as_str())
            .unwrap_or("unknown")
            .to_string();
        let message = err
            .get("message")
            .and_then(|c| c.as_str())
            .unwrap_or("")
            .to_string();
        let opa_code = find_opa_code(&message);
        let lenient_unavailable = !strict && is_builtin_error_code(opa_code.as_deref());
        return Ok(OracleOutcome::Error(OracleEvalError {
            stage,
            code,
            opa_code,
            message,
            lenient_unavailable,
        }));
    }
    let results = match envelope.get("result") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(rs)) => rs.clone(),
        Some(other) => {
            return Err(OracleError::Protocol(format!(
                "result is not a list: {other}"
            )));
        }
    };
    // Exact texts: re-extract each solution's bindings from the raw line.
    let raw_bindings = raw_solution_bindings(line);
    let mut sols = Vec::with_capacity(results.len());
    for (i, r) in results.into_iter().enumerate() {
        let bindings = match r.get("bindings") {
            Some(serde_json::Value::Object(m)) => m.clone(),
            _ => serde_json::Map::new(),
        };
        let expressions = match r.get("expressions") {
            Some(serde_json::Value::Array(es)) => es
                .iter()
                .map(|e| e.get("value").cloned().unwrap_or(serde_json::Value::Null))
                .collect(),
            _ => Vec::new(),
        };
        let raw = raw_bindings
            .as_ref()
            .and_then(|rb| rb.get(i).cloned())
            .unwrap_or_else(|| serde_json::Value::Object(bindings.clone()).to_string());
        sols.push(OracleSolution {
            bindings,
            expressions,
            raw,
        });
    }
    Ok(OracleOutcome::Results(sols))
}

/// The raw JSON text of `envelope.result[i].bindings` for each i, cut out
/// of the response line without converting numbers.
fn raw_solution_bindings(line: &str) -> Option<Vec<String>> {
    let b = line.as_bytes();
    let (s, e) = field_span(b, skip_ws(b, 0), "envelope")?;
    let env = line.get(s..e)?;
    let eb = env.as_bytes();
    let (rs, re) = field_span(eb, skip_ws(eb, 0), "result")?;
    let result = env.get(rs..re)?;
    let mut out = Vec::new();
    for (s, e) in array_spans(result.as_bytes())? {
        let sol = result.get(s..e)?;
        let sb = sol.as_bytes();
        out.push(match field_span(sb, 0, "bindings") {
            Some((bs, be)) => sol.get(bs..be)?.to_string(),
            None => "{}".to_string(),
        });
    }
    Some(out)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// End (exclusive) of the JSON value starting at `i`.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => {
            let mut j = i + 1;
            loop {
                match b.get(j)? {
                    b'\\' => j += 2,
                    b'"' => return Some(j + 1),
                    _ => j += 1,
                }
            }
        }
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = value_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while b
                .get(j)
                .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
            {
                j += 1;
            }
            Some(j)
        }
    }
}

/// The span of member `key`'s value in the object starting at `i`.
fn field_span(b: &[u8], i: usize, key: &str) -> Option<(usize, usize)> {
    if b.get(i)? != &b'{' {
        return None;
    }
    let mut j = skip_ws(b, i + 1);
    while b.get(j)? == &b'"' {
        let kend = value_end(b, j)?;
        let k: String = serde_json::from_slice(b.get(j..kend)?).ok()?;
        j = skip_ws(b, kend);
        if b.get(j)? != &b':' {
            return None;
        }
        let vs = skip_ws(b, j + 1);
        let ve = value_end(b, vs)?;
        if k == key {
            return Some((vs, ve));
        }
        j = skip_ws(b, ve);
        if b.get(j)? == &b',' {
            j = skip_ws(b, j + 1);
        }
    }
    None
}

/// The spans of the elements of the array starting at `b[0]`.
fn array_spans(b: &[u8]) -> Option<Vec<(usize, usize)>> {
    let i = skip_ws(b, 0);
    if b.get(i)? != &b'[' {
        return None;
    }
    let mut out = Vec::new();
    let mut j = skip_ws(b, i + 1);
    while b.get(j)? != &b']' {
        let e = value_end(b, j)?;
        out.push((j, e));
        j = skip_ws(b, e);
        if b.get(j)? == &b',' {
            j = skip_ws(b, j + 1);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    #[test]
    fn finds_opa_codes() {
        assert_eq!(
            find_opa_code("1/0: eval_builtin_error: div: divide by zero").as_deref(),
            Some("eval_builtin_error")
        );
        assert_eq!(
            find_opa_code("1 error occurred: q.rego:2: rego_parse_error: `if` keyword").as_deref(),
            Some("rego_parse_error")
        );
        assert_eq!(find_opa_code("my_eval_thing happened"), None);
        assert_eq!(find_opa_code("nothing"), None);
    }

    #[test]
    fn parses_results_and_errors() {
        let line = r#"{"stage":"eval","envelope":{"result":[{"expressions":[{"value":true,"text":"x := 1"}],"bindings":{"x":100000000000000000000000001}}]}}"#;
        let out = parse_response(line, true).unwrap();
        let OracleOutcome::Results(sols) = &out else {
            panic!("{out:?}")
        };
        assert_eq!(sols.len(), 1);
        assert_eq!(sols[0].raw, r#"{"x":100000000000000000000000001}"#);
        assert_eq!(sols[0].expressions, vec![serde_json::json!(true)]);

        let line = r#"{"stage":"eval","envelope":{"error":{"code":"eval_error","message":"to_number(\"a\"): eval_builtin_error: to_number: bad"}}}"#;
        let out = parse_response(line, false).unwrap();
        let e = out.error().unwrap();
        assert_eq!(e.opa_code.as_deref(), Some("eval_builtin_error"));
        assert!(e.lenient_unavailable);
        assert!(
            !parse_response(line, true)
                .unwrap()
                .error()
                .unwrap()
                .lenient_unavailable
        );

        let tricky = r#"{"stage":"eval","envelope":{"result":[{"expressions":[{"value":"\"bindings\":{"}],"bindings":{"s":"a}\"]","n":1e400}},{"bindings":{}}]}}"#;
        let raw = raw_solution_bindings(tricky).unwrap();
        assert_eq!(
            raw,
            vec![r#"{"s":"a}\"]","n":1e400}"#.to_string(), "{}".to_string()]
        );

        let undefined = r#"{"stage":"eval","envelope":{"result":null}}"#;
        assert!(parse_response(undefined, true).unwrap().is_undefined());
        assert!(parse_response("not json", true).is_err());
    }

    #[test]
    fn builtin_query_uses_rego_terms() {
        let args = [
            Value::set(vec![Value::int(1), Value::string("a")]),
            Value::object(vec![(Value::int(1), Value::set(Vec::new()))]),
        ];
        assert_eq!(
            builtin_call_query("f", &args),
            r#"x := f({1,"a"}, {1:set()})"#
        );
    }
}
