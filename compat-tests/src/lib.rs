//! # regowasm-compat
//!
//! The compatibility harness: a runner for OPA's compliance YAML cases over
//! regowasm's engines, and a client for the OPA v1.20.2 differential oracle
//! (OPA's evaluator from the `opa-golib-python-bindings` wheel, loaded in a
//! helper process of its own).
//!
//! What it is not for: anything a production embedder needs.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![warn(missing_docs)]
pub mod oracle;
