//! # regowasm-runtime
//!
//! Runs Rego policies — compiled by OPA to WebAssembly, or as Rego source —
//! behind one [`Policy`] API, and puts the Kubernetes admission interface on
//! top.
//!
//! Rooms (each knows nothing of the ones above it):
//! - [`wasm`]: the OPA Wasm ABI host on wasmtime (load, instantiate, pool,
//!   limits, marshalling, builtin dispatch);
//! - [`rego`]: the regorus engine behind the same API;
//! - [`policy`]: a [`Policy`] is one engine choice + entrypoints + data,
//!   with shadow mode;
//! - [`admission`]: AdmissionReview, Gatekeeper templates and constraints,
//!   Kubewarden-style policies; asks a [`Policy`] for decisions;
//! - [`regotest`]: Rego unit tests (`test_*` rules), as `opa test` runs them;
//! - `server` (feature `server`): the webhook server.
//!
//! What it is not for: builtin implementations (see `regowasm-builtins`).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![warn(missing_docs)]

pub mod admission;
pub mod policy;
pub mod rego;
pub mod regotest;
#[cfg(feature = "server")]
pub mod server;
pub mod wasm;

pub use policy::{EngineKind, Evaluation, Limits, Policy, PolicyError, PolicyOptions};
pub use regowasm_builtins::{Registry, Value};
