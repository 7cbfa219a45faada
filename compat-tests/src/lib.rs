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
pub mod compliance;
pub mod oracle;

use std::path::{Path, PathBuf};

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// Where OPA's compliance corpus is: `$REGOWASM_COMPLIANCE_DIR`, else the
/// first existing `shared/opa-compliance` beside the workspace root or one
/// level further up (git worktrees live one level deeper). `None` when
/// absent.
pub fn compliance_corpus_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("REGOWASM_COMPLIANCE_DIR") {
        return Some(PathBuf::from(p)).filter(|p| p.is_dir());
    }
    let root = workspace_root();
    [
        root.join("../shared/opa-compliance"),
        root.join("../../shared/opa-compliance"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

/// The checked-in baseline of an engine: `compat-tests/baseline/<engine>.json`.
pub fn baseline_path(engine: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("baseline/{engine}.json"))
}
