//! `rego.parse_module` on hostile input: deep nesting, long inputs and
//! random mutations of the golden corpus's modules return a value or an
//! error, never panic or overflow the stack; the source size is bounded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use regowasm_builtins::{BuiltinError, EvalContext, Registry, Value};
use std::path::Path;
use std::time::Instant;

fn parse(reg: &Registry, src: &str) -> Result<Option<Value>, BuiltinError> {
    let ctx = EvalContext::new();
    reg.call(
        &ctx,
        "rego.parse_module",
        &[Value::from("x.rego"), Value::from(src)],
    )
}

#[test]
fn deep_nesting_is_an_error_or_a_value_not_a_crash() {
    let reg = Registry::with_defaults();
    for depth in [10, 16, 17, 40, 300, 5_000, 100_000] {
        let cases = [
            format!(
                "package a\np := {}1{}",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
            format!(
                "package a\np := {}1{}",
                "(".repeat(depth),
                ")".repeat(depth)
            ),
            format!(
                "package a\np := {}",
                "{\"a\": ".repeat(depth) + "1" + &"}".repeat(depth)
            ),
            format!(
                "package a\np := {}x{}",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
            format!(
                "package a\np := {}",
                "{\"a\": [x, ".repeat(depth) + "1" + &"]}".repeat(depth)
            ),
            format!("package a\np := {}", "-".repeat(depth) + "x"),
            format!("package a\np := {}1", "1 + ".repeat(depth)),
            format!("package a\np := x{}", ".a".repeat(depth)),
            format!("package a\np := x{}", "[0]".repeat(depth)),
            format!(
                "package a\np := {}1{}",
                "[x | x := ".repeat(depth),
                "]".repeat(depth)
            ),
            format!(
                "package a\np if {{ {}true{} }}",
                "every x in y { ".repeat(depth),
                " }".repeat(depth)
            ),
            format!(
                "package a\np := {}",
                "f(".repeat(depth) + &")".repeat(depth)
            ),
            format!("package a\np := [{}]", "[".repeat(depth)),
        ];
        for src in &cases {
            let t = Instant::now();
            match parse(&reg, src) {
                Ok(Some(_)) => {}
                Err(e) => assert!(e.opa_message().starts_with("rego.parse_module: "), "{e:?}"),
                Ok(None) => panic!("undefined"),
            }
            assert!(
                t.elapsed().as_secs() < 20,
                "depth {depth}: too slow: {}",
                &src[..40]
            );
        }
    }
}

#[test]
fn nesting_bounds_are_limit_errors() {
    let reg = Registry::with_defaults();
    // Nesting with vars (data literals are read without regorus).
    let deep = format!("package a\np := {}x{}", "[".repeat(17), "]".repeat(17));
    assert!(matches!(
        parse(&reg, &deep),
        Err(BuiltinError::Limit { .. })
    ));
    let fine = format!("package a\np := {}x{}", "[".repeat(15), "]".repeat(15));
    assert!(parse(&reg, &fine).is_ok());
    let data = format!("package a\np := {}1{}", "[".repeat(100), "]".repeat(100));
    assert!(parse(&reg, &data).is_ok());
    let chain = format!("package a\np := {}1", "1 + ".repeat(1000));
    assert!(matches!(
        parse(&reg, &chain),
        Err(BuiltinError::Limit { .. })
    ));
}

#[test]
fn long_flat_inputs_are_parsed() {
    let reg = Registry::with_defaults();
    let rules: String = (0..5000).map(|i| format!("r{i} := {i}\n")).collect();
    let v = parse(&reg, &format!("package a\n{rules}"))
        .unwrap()
        .unwrap();
    assert_eq!(
        v.get("rules").and_then(Value::as_array).map(<[Value]>::len),
        Some(5000)
    );
    let items: Vec<String> = (0..50_000).map(|i| i.to_string()).collect();
    assert!(parse(&reg, &format!("package a\np := [{}]", items.join(", "))).is_ok());
}

#[test]
fn oversized_sources_are_refused() {
    let reg = Registry::with_defaults();
    let src = format!("package a\np := \"{}\"", "x".repeat(2 << 20));
    match parse(&reg, &src) {
        Err(e @ BuiltinError::Limit { .. }) => assert!(e.is_fatal()),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap()).unwrap()
    }
}

#[test]
fn mutated_corpus_modules_never_panic() {
    let reg = Registry::with_defaults();
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../compat-tests/golden/parse_module.json");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let sources: Vec<String> = cases
        .iter()
        .filter_map(|c| c["args"][1]["json"].as_str().map(str::to_string))
        .filter(|s| s.len() < 4000)
        .collect();
    let pieces = [
        "{", "}", "[", "]", "(", ")", "\"", "`", "#", "\n", ":=", "=", "_", "-", "if", "else",
        "contains", "some", "every", "in", "with", "as", "not", "import", "default", ".", ",", ";",
        "|", "0", "1e400", "\t", "ü", "package", "x",
    ];
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut ok = 0;
    for round in 0..3000 {
        let mut s: Vec<char> = sources[round % sources.len()].chars().collect();
        for _ in 0..=rng.below(4) {
            let at = rng.below(s.len() + 1);
            match rng.below(3) {
                0 if !s.is_empty() => {
                    let end = (at + 1 + rng.below(8)).min(s.len());
                    s.drain(at.min(end)..end);
                }
                1 => {
                    let p = pieces[rng.below(pieces.len())];
                    for (k, c) in p.chars().enumerate() {
                        s.insert(at + k, c);
                    }
                }
                _ => {
                    if at < s.len() {
                        s[at] = pieces[rng.below(pieces.len())].chars().next().unwrap();
                    }
                }
            }
        }
        let src: String = s.into_iter().collect();
        match parse(&reg, &src) {
            Ok(Some(_)) => ok += 1,
            Ok(None) => panic!("undefined for {src:?}"),
            Err(e) => {
                let m = e.opa_message();
                assert!(m.starts_with("rego.parse_module: "), "{m}");
                assert!(!m.contains("panicked"), "regorus panicked on {src:?}: {m}");
            }
        }
    }
    assert!(ok > 100, "too few mutated modules parse: {ok}");
}
