//! One Policy API over two engines.
//!
//! A [`Policy`] is `Send + Sync`: load it once, evaluate it from many
//! threads.

use regowasm_builtins::{Registry, Value};
use std::time::Duration;

/// Which engine evaluates a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    /// An OPA-compiled Wasm module on wasmtime.
    Wasm,
    /// Rego source on the regorus interpreter.
    Rego,
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
    /// Not implemented yet.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// Loading or evaluating an OPA-compiled Wasm module failed.
    #[error(transparent)]
    Wasm(#[from] crate::wasm::WasmError),
}

/// A loaded policy.
#[derive(Debug, Clone)]
pub struct Policy {
    engine: EngineKind,
}

impl Policy {
    /// The engine evaluating this policy.
    pub fn engine(&self) -> EngineKind {
        self.engine
    }

    /// Evaluate an entrypoint (`a/b` or `data.a.b`) on an input.
    pub fn eval(&self, entrypoint: &str, _input: &Value) -> Result<Evaluation, PolicyError> {
        Err(PolicyError::Unsupported(entrypoint.to_string()))
    }
}
