//! OPA's compliance corpus on the `rego` engine (must not regress against
//! `compat-tests/baseline/rego.json`), and on the oracle when present.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use regowasm_compat::compliance::{
    Baseline, OracleEngine, RegoEngine, Status, load_corpus, run_engine,
};
use regowasm_compat::oracle::{Oracle, OracleConfig, absent_reason};
use regowasm_compat::{baseline_path, compliance_corpus_dir};

#[test]
fn rego_engine_does_not_regress() {
    let Some(dir) = compliance_corpus_dir() else {
        eprintln!(
            "SKIP: OPA compliance corpus not found (../shared/opa-compliance or $REGOWASM_COMPLIANCE_DIR)"
        );
        return;
    };
    let cases = load_corpus(&dir).unwrap();
    assert!(
        cases.len() > 100,
        "only {} cases in {}",
        cases.len(),
        dir.display()
    );
    let report = run_engine(&mut RegoEngine::default(), &cases);
    eprintln!(
        "rego: {} pass, {} fail, {} skipped ({:.1}% of run)",
        report.total.pass,
        report.total.fail,
        report.total.skip,
        report.total.rate()
    );
    let text = std::fs::read_to_string(baseline_path("rego")).expect("baseline/rego.json");
    let baseline: Baseline = serde_json::from_str(&text).unwrap();
    let regressions = baseline.regressions(&report);
    for r in &regressions {
        eprintln!("REGRESSION {} ({}): {}", r.id, r.note, r.detail);
    }
    assert!(
        regressions.is_empty(),
        "{} case(s) regressed",
        regressions.len()
    );
    assert!(report.total.pass >= baseline.passing.len().saturating_sub(report.total.skip));
}

#[test]
fn oracle_engine_passes_the_corpus() {
    let Some(dir) = compliance_corpus_dir() else {
        eprintln!("SKIP: OPA compliance corpus not found");
        return;
    };
    let Some(config) = OracleConfig::with_helper(env!("CARGO_BIN_EXE_regowasm-oracle")) else {
        eprintln!("SKIP: {}", absent_reason());
        return;
    };
    let cases = load_corpus(&dir).unwrap();
    let mut engine = OracleEngine::new(Oracle::spawn_with(config).unwrap());
    let report = run_engine(&mut engine, &cases);
    eprintln!(
        "oracle: {} pass, {} fail, {} skipped ({:.1}% of run)",
        report.total.pass,
        report.total.fail,
        report.total.skip,
        report.total.rate()
    );
    for c in report.cases.iter().filter(|c| c.status == Status::Fail) {
        eprintln!("FAIL {} ({}): {}", c.id, c.note, c.detail);
    }
    // OPA itself: every case that runs must pass, bar a handful the
    // bridge cannot reproduce (documented in COMPATIBILITY.md).
    assert!(
        report.total.rate() >= 98.0,
        "oracle pass rate {:.1}%",
        report.total.rate()
    );
}
