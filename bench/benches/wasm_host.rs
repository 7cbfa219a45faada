//! Wasm host overhead per evaluation: regowasm's `WasmPolicy` vs the
//! `opa-wasm` crate (0.3.x, same wasmtime 48), on the hand-written ABI test
//! module `runtime/tests/wasm/opa_test.wat`, which does almost nothing, so
//! the host is what is measured.
//!
//! The module is adapted for this benchmark (see `bench_module`): its
//! memory import declares the 4 pages its data segments need (opa-wasm
//! creates the memory with the declared minimum and cannot instantiate the
//! original), its builtin table names real builtins both hosts serve
//! (`hex.encode`, arity 1; `time.add_date`, arity 4) and the builtin
//! calls pass `input` as every argument, and its JSON parser drops a
//! trailing NUL (opa-wasm counts the NUL of its C strings in the length). opa-wasm 0.3.4 implements no
//! arity-3 builtin (its `regex.find_n` and `io.jwt.encode_sign*` are
//! "not implemented"), so arity 3 (`numbers.range_step`) is measured on
//! regowasm alone and arity 4 is the multi-argument comparison.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{Criterion, criterion_group, criterion_main};
use opa_wasm::wasmtime;
use regowasm_bench::pod_review_of_size;
use regowasm_builtins::Value;
use regowasm_runtime::wasm::{WasmOptions, WasmPolicy};
use std::hint::black_box;
use std::time::Duration;

const TEMPLATE: &str = include_str!("../../runtime/tests/wasm/opa_test.wat");

/// The ABI test module (ABI 1.3) with `builtins` as its builtin table.
fn bench_module(builtins: &str) -> Vec<u8> {
    let mut text: String = TEMPLATE
        .lines()
        .filter(|l| !l.contains("[opt:noprint]"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("{MAJOR}", "1")
        .replace("{MINOR}", "3");
    let edits = [
        // opa-wasm passes C strings with their NUL in the length (OPA's
        // own parser stops there); this module's parser copies raw bytes,
        // so it drops a trailing NUL.
        (
            "(if (i32.eqz (local.get $len)) (then (return (i32.const 0))))\n    (call $mkrec",
            "(if (i32.and (i32.gt_u (local.get $len) (i32.const 0))\n               (i32.eqz (i32.load8_u (i32.sub (i32.add (local.get $ptr) (local.get $len)) (i32.const 1)))))\n      (then (local.set $len (i32.sub (local.get $len) (i32.const 1)))))\n    (if (i32.eqz (local.get $len)) (then (return (i32.const 0))))\n    (call $mkrec"
                .to_string(),
        ),
        (
            r#"(import "env" "memory" (memory 1))"#,
            r#"(import "env" "memory" (memory 4))"#.to_string(),
        ),
        (
            r#"(data (i32.const 2048) "{\"test.zero\":0,\"test.one\":1,\"test.two\":2,\"test.three\":3,\"test.four\":4,\"test.inspect\":5}\00")"#,
            format!(
                r#"(data (i32.const 2048) "{}\00")"#,
                builtins.replace('"', "\\\"")
            ),
        ),
        (
            "local.get $input\n             local.get $data\n             local.get $input\n             call $b3",
            "local.get $input\n             local.get $input\n             local.get $input\n             call $b3"
                .to_string(),
        ),
        (
            "local.get $input\n            local.get $data\n            local.get $input\n            local.get $data\n            call $b4",
            "local.get $input\n            local.get $input\n            local.get $input\n            local.get $input\n            call $b4"
                .to_string(),
        ),
    ];
    for (from, to) in edits {
        assert!(text.contains(from), "the test module changed: {from}");
        text = text.replace(from, &to);
    }
    wat::parse_str(&text).expect("bench module compiles")
}

/// The shared cases: (name, entrypoint, input JSON).
fn cases() -> Vec<(&'static str, &'static str, serde_json::Value)> {
    vec![
        // Entrypoint call with a tiny input and result: fixed overhead.
        ("call_empty", "a/b", serde_json::json!({})),
        // Input copy + parse and result dump of a 10 KB document.
        ("echo_10k", "echo/input", pod_review_of_size(10_000)),
        // One builtin round trip: hex.encode("abc").
        ("builtin_arity1", "call/b1", serde_json::json!("abc")),
        // One builtin round trip: time.add_date(0, 0, 0, 0).
        ("builtin_arity4", "call/b4", serde_json::json!(0)),
    ]
}

fn wasm_host(c: &mut Criterion) {
    let shared = bench_module(r#"{"hex.encode":1,"time.add_date":4}"#);
    let with_arity3 = bench_module(r#"{"hex.encode":1,"numbers.range_step":3,"time.add_date":4}"#);

    // regowasm
    let ours = WasmPolicy::load(&shared, &WasmOptions::default()).expect("regowasm loads");
    let ours3 = WasmPolicy::load(&with_arity3, &WasmOptions::default()).expect("regowasm loads");

    // opa-wasm: async API on a current-thread runtime, as its README does.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let config = wasmtime::Config::new();
    let engine = wasmtime::Engine::new(&config).unwrap();
    let module = wasmtime::Module::new(&engine, &shared).unwrap();
    let mut store = wasmtime::Store::new(&engine, ());
    let theirs = rt
        .block_on(async {
            let runtime = opa_wasm::Runtime::new(&mut store, &module).await?;
            runtime.without_data(&mut store).await
        })
        .expect("opa-wasm loads the bench module");

    let mut g = c.benchmark_group("wasm_host");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for (name, entrypoint, input) in cases() {
        let ours_input = Value::from_serde(&input);
        // Both hosts must give the same answer before they are timed.
        let a = ours.eval(entrypoint, &ours_input).unwrap();
        let a = Value::array(a.results).to_json();
        let b: serde_json::Value = rt
            .block_on(theirs.evaluate(&mut store, entrypoint, &input))
            .unwrap();
        assert_eq!(a, b, "{name}: regowasm and opa-wasm disagree");

        g.bench_function(format!("{name}/regowasm"), |bch| {
            bch.iter(|| black_box(ours.eval(entrypoint, black_box(&ours_input)).unwrap()))
        });
        // The same through the JSON-text API (no input Value to print).
        let text = input.to_string();
        g.bench_function(format!("{name}/regowasm_text"), |bch| {
            bch.iter(|| {
                black_box(
                    ours.eval_json(entrypoint, Some(black_box(text.as_bytes())))
                        .unwrap(),
                )
            })
        });
        g.bench_function(format!("{name}/opa_wasm"), |bch| {
            bch.iter(|| {
                let r: serde_json::Value = rt
                    .block_on(theirs.evaluate(&mut store, entrypoint, black_box(&input)))
                    .unwrap();
                black_box(r)
            })
        });
    }
    // Arity 3: regowasm only (no arity-3 builtin in opa-wasm 0.3.4).
    let one = Value::from_serde(&serde_json::json!(1));
    let r = ours3.eval("call/b3", &one).unwrap();
    assert_eq!(
        Value::array(r.results).to_json(),
        serde_json::json!([{"result": [1]}])
    );
    g.bench_function("builtin_arity3/regowasm", |bch| {
        bch.iter(|| black_box(ours3.eval("call/b3", black_box(&one)).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, wasm_host);
criterion_main!(benches);
