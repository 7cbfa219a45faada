//! The OPA Wasm ABI host on wasmtime.
//!
//! Loads OPA-compiled modules (`opa build -t wasm`) — bare `.wasm` files or
//! bundles — and evaluates their entrypoints, speaking ABI 1.0 to 1.3:
//! `opa_eval` when the module has it (1.2+), else the evaluation-context
//! calls. Builtins the module leaves to the host are dispatched to a
//! [`regowasm_builtins::Registry`]. A [`WasmPolicy`] is `Send + Sync` and
//! keeps a bounded pool of warm instances; every evaluation runs under the
//! [`crate::Limits`] (deadline via epoch interruption, memory cap, optional
//! fuel), and an instance that hits one is discarded.
//!
//! Knows nothing about Kubernetes or Rego source.

pub mod bundle;
mod engine;
mod error;
mod instance;
mod module;
mod policy;

pub use bundle::{Bundle, BundleLimits, Manifest, WasmEntry, merge_at, read_bundle};
pub use engine::TICK;
pub use error::{BundleError, LimitKind, WasmError};
pub use instance::EvalPath;
pub use policy::{
    AbiVersion, BuiltinInfo, InstanceStats, ModuleInfo, PolicyInfo, SourceKind, WasmOptions,
    WasmPolicy,
};
