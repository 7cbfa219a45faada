//! Re-check a stored golden corpus against the live OPA oracle: run its
//! generator (`compat-tests/golden/<script> --check`), which calls OPA
//! v1.20.2 through `libopabridge.so`. Skips, with a message, when the
//! library or python3 is absent.

use std::path::Path;

/// Run `compat-tests/golden/<script> --check`; fail when OPA now answers
/// differently from the stored corpus.
pub fn corpus_matches_live_opa(script: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../compat-tests");
    let lib = root.join("oracle/lib/libopabridge.so");
    if !lib.exists() {
        eprintln!(
            "skipped: OPA oracle library absent ({}); run compat-tests/oracle/setup.sh",
            lib.display()
        );
        return;
    }
    let out = match std::process::Command::new("python3")
        .arg(root.join("golden").join(script))
        .arg("--check")
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: python3 not available to drive the oracle ({e})");
            return;
        }
    };
    assert!(
        out.status.success(),
        "{script}: the golden corpus drifted from OPA: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
