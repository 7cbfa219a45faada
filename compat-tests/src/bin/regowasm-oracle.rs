//! `regowasm-oracle`: the helper process of the OPA v1.20.2 oracle.
//!
//! Usage: `regowasm-oracle <path/to/libopabridge.so>`.
//!
//! Loads OPA's evaluator (the Go c-shared library from the
//! `opa-golib-python-bindings` wheel) and answers JSON-line requests on
//! stdin with JSON-line responses on stdout, one response per request, in
//! order. It runs in a process of its own because the Go runtime installs
//! signal handlers that clash with wasmtime's.
//!
//! Request (one line):
//! `{"modules": [["test-0.rego", "<src>"], ...], "data": {...} | null,
//!   "input": <json> (optional), "query": "<rego query>"}`
//!
//! Response (one line): `{"stage": "<stage>", "envelope": <bridge JSON>}`
//! where stage is `add_policy`, `add_data` or `eval` (the step that
//! produced the envelope: the first failing step, or `eval`), and the
//! envelope is the bridge's own answer, `{"result": [...]}` or
//! `{"error": {"code": ..., "message": ...}}`. A request the helper itself
//! cannot handle yields `{"stage": "request", "envelope": {"error": ...}}`.
//!
//! A line `{"op": "ping"}` answers `{"stage": "ping", "envelope": {}}`.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::ffi::{CStr, CString, c_char, c_int};
use std::io::{BufRead, Write};
use std::process::ExitCode;

type NewFn = unsafe extern "C" fn() -> u64;
type DestroyFn = unsafe extern "C" fn(u64);
type FreeFn = unsafe extern "C" fn(*mut c_char);
type AddFn = unsafe extern "C" fn(u64, *const c_char, *const c_char) -> *mut c_char;
type EvalFn = unsafe extern "C" fn(u64, *const c_char, *const c_char, c_int, c_int) -> *mut c_char;

/// The bridge's entry points, resolved once.
struct Bridge {
    new: NewFn,
    destroy: DestroyFn,
    free: FreeFn,
    add_policy: AddFn,
    add_data: AddFn,
    eval_query: EvalFn,
    // Keeps the library mapped while the function pointers above are used.
    _lib: libloading::Library,
}

impl Bridge {
    fn load(path: &str) -> Result<Bridge, String> {
        // SAFETY: loading runs the library's initialisers (the Go runtime
        // start-up). This process exists only to host this library, and
        // nothing else in it installs signal handlers.
        let lib = unsafe { libloading::Library::new(path) }
            .map_err(|e| format!("cannot load {path}: {e}"))?;
        // SAFETY: the signatures below are the ones the wheel's ctypes
        // wrapper (`opa_bindings/_native.py`) declares for these symbols:
        // handles are uint64, strings are NUL-terminated char*, and fallible
        // calls return a malloc'd char* freed with OpaFreeString.
        unsafe {
            let new = *lib
                .get::<NewFn>(b"OpaNew\0")
                .map_err(|e| format!("OpaNew: {e}"))?;
            let destroy = *lib
                .get::<DestroyFn>(b"OpaDestroy\0")
                .map_err(|e| format!("OpaDestroy: {e}"))?;
            let free = *lib
                .get::<FreeFn>(b"OpaFreeString\0")
                .map_err(|e| format!("OpaFreeString: {e}"))?;
            let add_policy = *lib
                .get::<AddFn>(b"OpaAddPolicy\0")
                .map_err(|e| format!("OpaAddPolicy: {e}"))?;
            let add_data = *lib
                .get::<AddFn>(b"OpaAddData\0")
                .map_err(|e| format!("OpaAddData: {e}"))?;
            let eval_query = *lib
                .get::<EvalFn>(b"OpaEvalQuery\0")
                .map_err(|e| format!("OpaEvalQuery: {e}"))?;
            Ok(Bridge {
                new,
                destroy,
                free,
                add_policy,
                add_data,
                eval_query,
                _lib: lib,
            })
        }
    }

    /// Copy and free an envelope returned by the bridge.
    fn take(&self, ptr: *mut c_char) -> String {
        if ptr.is_null() {
            return error_envelope("internal", "native call returned NULL");
        }
        // SAFETY: a non-NULL return of the bridge is a NUL-terminated string
        // it malloc'd; we copy it before handing it back to OpaFreeString,
        // exactly once.
        let text = unsafe { CStr::from_ptr(ptr) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: see above; `ptr` came from the bridge and is freed once.
        unsafe { (self.free)(ptr) };
        text
    }
}

#[derive(serde::Deserialize)]
struct Request {
    #[serde(default)]
    op: Option<String>,
    #[serde(default)]
    modules: Vec<(String, String)>,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default)]
    input: Option<serde_json::Value>,
    #[serde(default)]
    query: String,
}

fn error_envelope(code: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message}}).to_string()
}

fn has_error(envelope: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(envelope) {
        Ok(v) => v.get("error").is_some_and(|e| !e.is_null()),
        Err(_) => true,
    }
}

fn cstring(what: &str, s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| error_envelope("invalid_argument", &format!("{what} contains NUL")))
}

/// Run one request on a fresh engine; returns (stage, envelope).
fn handle(bridge: &Bridge, req: &Request) -> (&'static str, String) {
    let strings = (|| -> Result<_, String> {
        let mut modules = Vec::with_capacity(req.modules.len());
        for (name, src) in &req.modules {
            modules.push((cstring("module name", name)?, cstring("module", src)?));
        }
        let data = match &req.data {
            Some(d) if !d.is_null() => Some(cstring("data", &d.to_string())?),
            _ => None,
        };
        let input = match &req.input {
            Some(i) => cstring("input", &i.to_string())?,
            None => CString::default(),
        };
        let query = cstring("query", &req.query)?;
        Ok((modules, data, input, query))
    })();
    let (modules, data, input, query) = match strings {
        Ok(s) => s,
        Err(envelope) => return ("request", envelope),
    };
    // SAFETY: OpaNew takes no arguments and returns a handle.
    let handle = unsafe { (bridge.new)() };
    let root = CString::default();
    let mut answer = None;
    for (name, src) in &modules {
        // SAFETY: valid handle and NUL-terminated strings that outlive the call.
        let env = bridge.take(unsafe { (bridge.add_policy)(handle, name.as_ptr(), src.as_ptr()) });
        if has_error(&env) {
            answer = Some(("add_policy", env));
            break;
        }
    }
    if answer.is_none()
        && let Some(data) = &data
    {
        // SAFETY: as above; an empty path means the data root.
        let env = bridge.take(unsafe { (bridge.add_data)(handle, root.as_ptr(), data.as_ptr()) });
        if has_error(&env) {
            answer = Some(("add_data", env));
        }
    }
    let answer = answer.unwrap_or_else(|| {
        // SAFETY: as above; an empty input string means "no input";
        // coverage and trace are off.
        let env = bridge
            .take(unsafe { (bridge.eval_query)(handle, query.as_ptr(), input.as_ptr(), 0, 0) });
        ("eval", env)
    });
    // SAFETY: the handle came from OpaNew and is destroyed once.
    unsafe { (bridge.destroy)(handle) };
    answer
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: regowasm-oracle <path/to/libopabridge.so>");
        return ExitCode::from(2);
    };
    let bridge = match Bridge::load(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("regowasm-oracle: {e}");
            return ExitCode::from(3);
        }
    };
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let (stage, envelope) = match serde_json::from_str::<Request>(&line) {
            Ok(req) if req.op.as_deref() == Some("ping") => ("ping", "{}".to_string()),
            Ok(req) => handle(&bridge, &req),
            Err(e) => ("request", error_envelope("bad_request", &e.to_string())),
        };
        // The envelope is JSON; bare newlines in it can only be whitespace.
        let envelope = envelope.replace(['\n', '\r'], " ");
        let out = format!("{{\"stage\":\"{stage}\",\"envelope\":{envelope}}}");
        if writeln!(stdout, "{out}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            break;
        }
    }
    ExitCode::SUCCESS
}
