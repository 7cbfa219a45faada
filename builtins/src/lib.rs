//! # regowasm-builtins
//!
//! OPA's builtin functions for host-side evaluation, independent of how a
//! policy is executed.
//!
//! What it is for:
//! - [`Value`]: the Rego value model (sets, objects with non-string keys,
//!   exact numbers) and OPA's value-dump text (what `opa_value_dump` writes
//!   and `opa_value_parse` reads);
//! - [`Registry`]: builtin name → implementation with arity, shared by the
//!   Wasm host (`opa_builtin0..4`) and the regorus engine (extensions);
//! - [`EvalContext`]: the per-evaluation state OPA keeps for
//!   non-deterministic builtins (frozen clock, seeded RNG, cache, prints);
//! - native Rust implementations, and a fallback to the regorus interpreter
//!   for builtins without one;
//! - [`catalogue`]: OPA's builtin catalogue, how each builtin is served, and
//!   OPA's capabilities document for this runtime.
//!
//! What it is not for: anything about Wasm, wasmtime or Kubernetes.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![warn(missing_docs)]

pub mod args;
pub mod capabilities;
pub mod catalogue;
pub mod context;
pub mod error;
pub mod fallback;
mod gofloat;
mod gostr;
mod native;
pub mod registry;
pub mod regorus_conv;
pub mod value;

pub use capabilities::Capabilities;
pub use context::EvalContext;
pub use error::BuiltinError;
pub use registry::{Builtin, BuiltinFn, Registry, Served};
pub use value::{DEFAULT_MAX_DEPTH, Number, NumberError, Value, ValueError};
