//! `sprintf` against OPA v1.20.2.
//!
//! - `golden_corpus_replays`: replays `golden/sprintf.json` (format,
//!   arguments in OPA value text, OPA's result) through the default
//!   registry on every machine.
//! - `generated_cases_match_live_oracle`: generates 2,400 seeded cases
//!   (formats × values: flags, widths, precisions, `*`, argument indexes,
//!   every verb, mistakes, unicode, big numbers, floats, sets, nested
//!   objects) and compares with the live oracle when the OPA library is
//!   present (skips with a message otherwise). With
//!   `REGOWASM_UPDATE_GOLDEN=1` it rewrites the golden corpus from OPA's
//!   answers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use regowasm_builtins::{EvalContext, Registry, Value};
use regowasm_compat::oracle::{Oracle, OracleConfig, absent_reason};
use std::path::PathBuf;

const CASES: usize = 2400;

/// Longest answer kept in the stored corpus.
const GOLDEN_MAX_ANSWER: usize = 2048;

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden/sprintf.json")
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick(&mut self, xs: &[&'static str]) -> &'static str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "42",
    "255",
    "65",
    "9731",
    "128512",
    "-9223372036854775808",
    "9223372036854775807",
    "9223372036854775808",
    "1208925819614629174706175",
    "-1208925819614629174706175",
    "0.1",
    "1.5",
    "-2.25",
    "1.0",
    "3.14159",
    "1e21",
    "1e-7",
    "1e400",
    "2.5e-3",
    "100000",
    "1000000.0",
    "123456789.125",
    "-0.0",
    "\"\"",
    "\"x\"",
    "\"hello\"",
    "\"héllo wörld\"",
    "\"😀\"",
    "\"a\\\"b\"",
    "\"tab\\there\"",
    "\"line\\nbreak\"",
    "\"\\u0001\"",
    "\"back`tick\"",
    "\"日本語\"",
    "true",
    "false",
    "null",
    "[]",
    "[\"x\", 1]",
    "[1.0, [2, {\"a\": null}]]",
    "set()",
    "{\"owner\", \"a\"}",
    "{1, \"b\", [2]}",
    "{}",
    "{\"k\": \"v\"}",
    "{\"b\": {\"c\": {1, 2}}, \"a\": [true]}",
    "{1: \"one\", \"two\": 2}",
];

const FLAGS: &[&str] = &["", "", "", "-", "+", "#", " ", "0", "-0", "+0", "# ", "+#"];
const WIDTHS: &[&str] = &["", "", "", "1", "5", "12", "*"];
const PRECS: &[&str] = &["", "", "", ".0", ".1", ".3", ".10", ".", ".*"];
const VERBS: &[&str] = &[
    "v", "v", "s", "s", "d", "d", "q", "t", "T", "x", "X", "o", "O", "b", "e", "E", "f", "F", "g",
    "G", "c", "U", "%", "z", "!", "é",
];
const TEXT: &[&str] = &["", "", "id=", " ", "héllo ", "100%% ", ": ", "[", "😀"];

fn gen_case(r: &mut Rng) -> (String, Vec<Value>) {
    let mut format = String::new();
    let directives = 1 + r.below(3);
    let mut needed = 0usize;
    for _ in 0..directives {
        format.push_str(r.pick(TEXT));
        format.push('%');
        if r.below(8) == 0 {
            format.push_str(&format!("[{}]", 1 + r.below(3)));
        }
        format.push_str(r.pick(FLAGS));
        let w = r.pick(WIDTHS);
        format.push_str(w);
        let p = r.pick(PRECS);
        format.push_str(p);
        format.push_str(r.pick(VERBS));
        needed += 1 + usize::from(w == "*") + usize::from(p == ".*");
    }
    if r.below(10) == 0 {
        format.push('%');
    }
    format.push_str(r.pick(TEXT));
    // Usually the right number of arguments, sometimes fewer or more.
    let n = match r.below(10) {
        0 => needed.saturating_sub(1),
        1 => needed + 1,
        _ => needed,
    };
    let args = (0..n)
        .map(|_| Value::parse_text(r.pick(VALUES)).unwrap())
        .collect();
    (format, args)
}

fn ours(registry: &Registry, format: &str, args: &[Value]) -> Option<String> {
    let ctx = EvalContext::with_clock(0, 1);
    registry
        .call(
            &ctx,
            "sprintf",
            &[Value::string(format), Value::array(args.to_vec())],
        )
        .ok()
        .flatten()
        .and_then(|v| v.as_str().map(str::to_string))
}

#[test]
fn golden_corpus_replays() {
    let Ok(text) = std::fs::read_to_string(golden_path()) else {
        eprintln!(
            "SKIP: {} is absent; generate it with REGOWASM_UPDATE_GOLDEN=1 and the OPA oracle",
            golden_path().display()
        );
        return;
    };
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert!(
        cases.len() >= 2000,
        "golden corpus has {} cases",
        cases.len()
    );
    let registry = Registry::with_defaults();
    let mut mismatches = Vec::new();
    for c in &cases {
        let format = c["format"].as_str().unwrap();
        let args = Value::parse_text(c["args"].as_str().unwrap()).unwrap();
        let want = c["want"].as_str().map(str::to_string);
        let got = ours(&registry, format, args.as_array().unwrap());
        if got != want {
            mismatches.push(format!(
                "sprintf({format:?}, {args}) = {got:?}, OPA: {want:?}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} golden cases differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}

#[test]
fn generated_cases_match_live_oracle() {
    let Some(config) = OracleConfig::with_helper(env!("CARGO_BIN_EXE_regowasm-oracle")) else {
        eprintln!("SKIP: sprintf live oracle check: {}", absent_reason());
        return;
    };
    let mut oracle = Oracle::spawn_with(config).expect("oracle starts");
    let registry = Registry::with_defaults();
    let mut r = Rng(0x5eed_0005);
    let mut golden = Vec::new();
    let mut mismatches = Vec::new();
    for _ in 0..CASES {
        let (format, args) = gen_case(&mut r);
        let call = [Value::string(format.as_str()), Value::array(args.clone())];
        let outcome = oracle
            .call_builtin("sprintf", &call)
            .expect("oracle answers");
        let want = outcome
            .single("x")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let got = ours(&registry, &format, &args);
        if got != want {
            mismatches.push(format!(
                "sprintf({format:?}, {}) = {got:?}, OPA: {want:?}",
                Value::array(args.clone())
            ));
        }
        // Huge widths (`*` fed 128512, say) make megabyte answers: the live
        // run checks them, the stored corpus leaves them out.
        if want.as_ref().is_some_and(|w| w.len() > GOLDEN_MAX_ANSWER) {
            continue;
        }
        golden.push(serde_json::json!({
            "format": format,
            "args": Value::array(args).to_text(),
            "want": want,
        }));
    }
    if std::env::var_os("REGOWASM_UPDATE_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(&golden).unwrap();
        std::fs::write(golden_path(), text + "\n").unwrap();
    }
    eprintln!(
        "sprintf oracle: {} cases, {} mismatches",
        CASES,
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {CASES} cases differ from OPA:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
