//! Errors of the Wasm host.

use std::fmt;
use std::time::Duration;

/// A per-evaluation limit that stopped an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// The wall-clock deadline ([`crate::Limits::timeout`]).
    Timeout(Duration),
    /// The linear-memory cap ([`crate::Limits::max_memory_bytes`]).
    Memory(usize),
    /// The fuel budget ([`crate::Limits::fuel`]).
    Fuel(u64),
    /// The input size cap ([`crate::Limits::max_input_bytes`]).
    InputSize(usize),
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitKind::Timeout(d) => write!(f, "timeout limit ({} ms)", d.as_millis()),
            LimitKind::Memory(b) => write!(f, "memory limit ({b} bytes)"),
            LimitKind::Fuel(n) => write!(f, "fuel limit ({n})"),
            LimitKind::InputSize(b) => write!(f, "input size limit ({b} bytes)"),
        }
    }
}

/// Why an OPA bundle could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The archive is not a valid gzip-compressed tar file.
    #[error("bundle is not a valid .tar.gz archive: {0}")]
    Archive(String),
    /// A member path escapes the bundle root (`..`) or is otherwise unsafe.
    #[error("bundle member {path:?} has an unsafe path (path traversal)")]
    PathTraversal {
        /// The offending path as stored in the archive.
        path: String,
    },
    /// A member is a link or device, which bundles never contain.
    #[error("bundle member {path:?} is not a regular file or directory")]
    NotAFile {
        /// The offending path.
        path: String,
    },
    /// A member is larger than the configured limit.
    #[error("bundle member {path:?} is larger than the limit of {limit} bytes")]
    MemberTooLarge {
        /// The offending path.
        path: String,
        /// The configured limit in bytes.
        limit: u64,
    },
    /// The bundle's total unpacked size exceeds the configured limit.
    #[error("bundle unpacks to more than the limit of {limit} bytes")]
    TooLarge {
        /// The configured limit in bytes.
        limit: u64,
    },
    /// The `.manifest` is not valid.
    #[error("bundle .manifest is invalid: {0}")]
    Manifest(String),
    /// A data file could not be parsed.
    #[error("bundle data file {path:?} is invalid: {message}")]
    Data {
        /// The data file's path.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// Two data files or a data file and a module's data disagree.
    #[error("bundle data conflict at {path:?}: {message}")]
    DataConflict {
        /// The data path (`a/b`).
        path: String,
        /// What conflicted.
        message: String,
    },
    /// The manifest names a module that the bundle does not contain.
    #[error("bundle .manifest names Wasm module {0:?}, which is not in the bundle")]
    MissingModule(String),
    /// The bundle contains no Wasm module.
    #[error("bundle contains no Wasm module (expected /policy.wasm or manifest `wasm` entries)")]
    NoModule,
}

/// An error loading or evaluating an OPA-compiled Wasm module.
#[derive(Debug, thiserror::Error)]
pub enum WasmError {
    /// The bytes are not a valid WebAssembly module.
    #[error("not a valid WebAssembly module: {0}")]
    InvalidModule(String),
    /// The module is valid Wasm but lacks exports the OPA ABI requires.
    #[error("not an OPA policy module: missing required export(s) {}", .missing.join(", "))]
    NotOpaModule {
        /// The missing export names.
        missing: Vec<String>,
    },
    /// The module speaks an OPA Wasm ABI version this host does not.
    #[error("unsupported OPA Wasm ABI version {major}.{minor} (supported: 1.0 to 1.3)")]
    UnsupportedAbi {
        /// `opa_wasm_abi_version`.
        major: i64,
        /// `opa_wasm_abi_minor_version`.
        minor: i64,
    },
    /// The module imports something the OPA ABI does not define.
    #[error("module imports {module}.{name} ({kind}), which the OPA Wasm ABI does not provide")]
    UnsupportedImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// What kind of item it is, or why it does not fit.
        kind: String,
    },
    /// The module needs builtins the registry cannot serve.
    #[error("module needs builtin(s) this runtime cannot serve: {}", .names.join(", "))]
    MissingBuiltins {
        /// The unserved builtin names.
        names: Vec<String>,
    },
    /// The module's initial memory does not fit the memory limit.
    #[error(
        "module needs {needed} bytes of memory at start, above the memory limit of {limit} bytes"
    )]
    InitialMemoryTooLarge {
        /// Bytes the module needs.
        needed: u64,
        /// The configured cap.
        limit: usize,
    },
    /// Setting up an instance failed.
    #[error("cannot instantiate module: {0}")]
    Instantiate(String),
    /// The bundle could not be read.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// No entrypoint of that name or id.
    #[error("unknown entrypoint {name:?} (available: {})", .available.join(", "))]
    UnknownEntrypoint {
        /// The requested entrypoint.
        name: String,
        /// The entrypoints the policy has.
        available: Vec<String>,
    },
    /// An evaluation limit was hit; the instance was discarded.
    #[error("evaluation stopped: {0} exceeded")]
    LimitExceeded(LimitKind),
    /// The policy called `opa_abort`.
    #[error("policy aborted: {0}")]
    Abort(String),
    /// A builtin failed and strict builtin errors are on (OPA's message).
    #[error("{message}")]
    Builtin {
        /// The builtin's name.
        name: String,
        /// OPA's error message (`<name>: <detail>`).
        message: String,
    },
    /// The module broke the ABI (bad pointer, unterminated string, bad JSON).
    #[error("module broke the OPA Wasm ABI: {0}")]
    Abi(String),
    /// Evaluation trapped for another reason (e.g. `unreachable`).
    #[error("evaluation trapped: {0}")]
    Trap(String),
    /// The input or data document is not usable.
    #[error("invalid document: {0}")]
    Document(String),
}

impl WasmError {
    /// Whether this error was caused by hitting an evaluation limit.
    pub fn is_limit(&self) -> bool {
        matches!(self, WasmError::LimitExceeded(_))
    }
}

/// Errors raised inside host functions; they unwind the Wasm stack as traps
/// and are turned back into [`WasmError`]s.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HostTrap {
    #[error("opa_abort: {0}")]
    Abort(String),
    #[error("memory limit of {0} bytes exceeded")]
    MemoryLimit(usize),
    #[error("{message}")]
    Builtin { name: String, message: String },
    #[error("{0}")]
    Abi(String),
}
