//! The OPA Wasm ABI host against hand-written modules that follow the ABI
//! (`tests/wasm/opa_test.wat`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use regowasm_builtins::{BuiltinError, Registry, Value};
use regowasm_runtime::Limits;
use regowasm_runtime::wasm::{
    BundleError, EvalPath, LimitKind, WasmError, WasmOptions, WasmPolicy,
};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[path = "support/abi_module.rs"]
mod abi_module;

/// Build a variant of the test module (see `support/abi_module.rs`).
fn module(major: i64, minor: i64, drop: &[&str]) -> Vec<u8> {
    abi_module::abi_module(major, minor, drop)
}

/// A module for ABI 1.x using the path that version calls for: 1.0/1.1
/// without `opa_eval`, 1.2/1.3 with it.
fn module_for(minor: i64) -> Vec<u8> {
    if minor >= 2 {
        module(1, minor, &[])
    } else {
        module(1, minor, &["opa_eval"])
    }
}

fn registry() -> Registry {
    let mut r = Registry::empty();
    r.register("test.zero", 0, |_, _| Ok(Some(Value::string("zero"))));
    r.register("test.one", 1, |_, a| {
        Ok(Some(Value::object([(Value::string("got"), a[0].clone())])))
    });
    r.register("test.two", 2, |_, a| Ok(Some(Value::array(a.to_vec()))));
    r.register("test.three", 3, |_, a| Ok(Some(Value::array(a.to_vec()))));
    r.register("test.four", 4, |_, a| Ok(Some(Value::array(a.to_vec()))));
    r.register("test.inspect", 1, |_, a| {
        Ok(Some(Value::string(a[0].type_name())))
    });
    r
}

fn options() -> WasmOptions {
    WasmOptions {
        registry: registry(),
        ..WasmOptions::default()
    }
}

fn json(text: &str) -> Value {
    Value::from_json_str(text).unwrap()
}

fn result_of(policy: &WasmPolicy, ep: &str, input: &Value) -> Value {
    let ev = policy.eval(ep, input).unwrap();
    Value::array(ev.results)
}

fn one(result: &str) -> Value {
    json(&format!(r#"[{{"result":{result}}}]"#))
}

#[test]
fn every_minor_version_uses_its_path_and_echoes_input() {
    for minor in 0..=3 {
        let p = WasmPolicy::load(&module_for(minor), &options()).unwrap();
        let info = &p.info().modules[0];
        assert_eq!(info.abi.minor, minor);
        assert!(info.abi.declared);
        let want_path = if minor >= 2 {
            EvalPath::OpaEval
        } else {
            EvalPath::EvalContext
        };
        assert_eq!(info.eval_path, want_path, "ABI 1.{minor}");
        let via = if minor >= 2 {
            "\"opa_eval\""
        } else {
            "\"eval\""
        };
        assert_eq!(
            result_of(&p, "path", &Value::Null),
            one(via),
            "ABI 1.{minor}"
        );
        let input = json(r#"{"user":"alice","n":[1,2.5,-3],"deep":{"x":null}}"#);
        assert_eq!(result_of(&p, "echo/input", &input), one(&input.to_text()));
    }
}

#[test]
fn minor_1_with_opa_eval_export_still_uses_eval_context() {
    let p = WasmPolicy::load(&module(1, 1, &[]), &options()).unwrap();
    assert_eq!(p.info().modules[0].eval_path, EvalPath::EvalContext);
    assert_eq!(result_of(&p, "path", &Value::Null), one("\"eval\""));
}

#[test]
fn module_without_version_globals_is_abi_1_0() {
    let p = WasmPolicy::load(&module(1, 0, &["abi", "opa_eval"]), &options()).unwrap();
    let abi = p.info().modules[0].abi;
    assert_eq!((abi.major, abi.minor, abi.declared), (1, 0, false));
    assert_eq!(result_of(&p, "echo/input", &json("[1]")), one("[1]"));
}

#[test]
fn wrong_abi_versions_are_rejected() {
    for (major, minor) in [(2, 0), (0, 1), (1, 4)] {
        let err = WasmPolicy::load(&module(major, minor, &[]), &options()).unwrap_err();
        match err {
            WasmError::UnsupportedAbi { major: a, minor: b } => assert_eq!((a, b), (major, minor)),
            other => panic!("{major}.{minor}: {other}"),
        }
    }
}

#[test]
fn builtins_of_arity_0_to_4() {
    for minor in [1, 3] {
        let p = WasmPolicy::load(&module_for(minor), &options()).unwrap();
        p.set_data(json(r#"{"d":true}"#)).unwrap();
        let input = json(r#"{"i":7}"#);
        assert_eq!(result_of(&p, "call/b0", &input), one("\"zero\""));
        assert_eq!(result_of(&p, "call/b1", &input), one(r#"{"got":{"i":7}}"#));
        assert_eq!(
            result_of(&p, "call/b2", &input),
            one(r#"[{"i":7},{"d":true}]"#)
        );
        assert_eq!(
            result_of(&p, "call/b3", &input),
            one(r#"[{"i":7},{"d":true},{"i":7}]"#)
        );
        assert_eq!(
            result_of(&p, "call/b4", &input),
            one(r#"[{"i":7},{"d":true},{"i":7},{"d":true}]"#)
        );
    }
}

#[test]
fn builtin_returning_undefined_makes_the_result_undefined() {
    let mut opts = options();
    opts.registry.register("test.one", 1, |_, _| Ok(None));
    let p = WasmPolicy::load(&module_for(2), &opts).unwrap();
    let ev = p.eval("call/b1", &json("1")).unwrap();
    assert!(ev.results.is_empty(), "{:?}", ev.results);
}

#[test]
fn builtin_errors_are_undefined_unless_strict() {
    let mut opts = options();
    opts.registry.register("test.one", 1, |_, _| {
        Err(BuiltinError::failed("test.one", "it broke"))
    });
    let lenient = WasmPolicy::load(&module_for(3), &opts).unwrap();
    assert!(
        lenient
            .eval("call/b1", &json("1"))
            .unwrap()
            .results
            .is_empty()
    );
    opts.strict_builtin_errors = true;
    let strict = WasmPolicy::load(&module_for(3), &opts).unwrap();
    let err = strict.eval("call/b1", &json("1")).unwrap_err();
    match &err {
        WasmError::Builtin { name, message } => {
            assert_eq!(name, "test.one");
            assert_eq!(message, "test.one: it broke");
        }
        other => panic!("{other}"),
    }
    // The instance was discarded; the next evaluation works.
    assert_eq!(result_of(&strict, "echo/input", &json("2")), one("2"));
}

#[test]
fn builtin_result_set_survives_the_round_trip() {
    // test.one returns a set; the module hands it to test.inspect, which
    // sees what arrived on the host side.
    let mut opts = options();
    opts.registry.register("test.one", 1, |_, _| {
        Ok(Some(Value::set([Value::int(1), Value::string("a")])))
    });
    let seen = Arc::new(parking_lot::Mutex::new(None));
    let seen2 = seen.clone();
    opts.registry.register("test.inspect", 1, move |_, a| {
        *seen2.lock() = Some(a[0].clone());
        Ok(Some(Value::string(a[0].type_name())))
    });
    let p = WasmPolicy::load(&module_for(2), &opts).unwrap();
    assert_eq!(result_of(&p, "call/chain", &json("0")), one("\"set\""));
    assert_eq!(
        seen.lock().clone().unwrap(),
        Value::set([Value::int(1), Value::string("a")])
    );
}

#[test]
fn non_string_keys_survive_the_round_trip() {
    let mut opts = options();
    let key_obj = Value::object([(Value::int(1), Value::string("one"))]);
    let k2 = key_obj.clone();
    opts.registry
        .register("test.one", 1, move |_, _| Ok(Some(k2.clone())));
    let seen = Arc::new(parking_lot::Mutex::new(None));
    let seen2 = seen.clone();
    opts.registry.register("test.inspect", 1, move |_, a| {
        *seen2.lock() = Some(a[0].clone());
        Ok(Some(Value::Bool(true)))
    });
    let p = WasmPolicy::load(&module_for(3), &opts).unwrap();
    assert_eq!(result_of(&p, "call/chain", &json("0")), one("true"));
    assert_eq!(seen.lock().clone().unwrap(), key_obj);
}

#[test]
fn opa_abort_stops_evaluation_with_its_message() {
    for minor in [0, 2] {
        let p = WasmPolicy::load(&module_for(minor), &options()).unwrap();
        match p.eval("abort", &Value::Null).unwrap_err() {
            WasmError::Abort(m) => assert_eq!(m, "boom: policy gave up"),
            other => panic!("{other}"),
        }
        assert_eq!(result_of(&p, "echo/input", &json("3")), one("3"));
    }
}

#[test]
fn opa_println_is_captured_per_evaluation() {
    let p = WasmPolicy::load(&module_for(3), &options()).unwrap();
    let ev = p.eval("print", &json("5")).unwrap();
    assert_eq!(ev.prints, vec!["hello from wasm".to_string()]);
    assert_eq!(Value::array(ev.results), one("5"));
    let ev = p.eval("echo/input", &json("5")).unwrap();
    assert!(ev.prints.is_empty());
    // A module that does not import opa_println still loads.
    let q = WasmPolicy::load(&module(1, 3, &["println"]), &options()).unwrap();
    assert!(q.eval("print", &json("5")).unwrap().prints.is_empty());
}

#[test]
fn memory_is_sized_for_data_segments_and_grows_for_large_input() {
    for minor in [1, 2] {
        let p = WasmPolicy::load(&module_for(minor), &options()).unwrap();
        let info = &p.info().modules[0];
        assert_eq!(info.declared_min_pages, 1);
        assert_eq!(info.initial_pages, 4);
        let before = p.idle_instance_stats(0)[0].memory_bytes;
        let big = "x".repeat(3 << 20);
        let input = Value::object([(Value::string("blob"), Value::string(big.as_str()))]);
        let got = result_of(&p, "echo/input", &input);
        assert_eq!(
            got,
            Value::array(vec![Value::object([(Value::string("result"), input)])])
        );
        let after = p.idle_instance_stats(0)[0].memory_bytes;
        assert!(after > before + (3 << 20), "{before} -> {after}");
    }
}

#[test]
fn heap_is_reset_so_memory_stays_flat_over_10000_evaluations() {
    for minor in [1, 3] {
        let mut opts = options();
        opts.max_idle_instances = 1;
        let p = WasmPolicy::load(&module_for(minor), &opts).unwrap();
        p.set_data(json(r#"{"k":"v"}"#)).unwrap();
        let input = json(r#"{"payload":"0123456789abcdef0123456789abcdef"}"#);
        for _ in 0..10 {
            p.eval("call/b2", &input).unwrap();
        }
        let first = p.idle_instance_stats(0);
        assert_eq!(first.len(), 1);
        for i in 0..10_000 {
            let ev = p.eval("call/b2", &input).unwrap();
            if i % 2500 == 0 {
                assert_eq!(
                    Value::array(ev.results),
                    one(r#"[{"payload":"0123456789abcdef0123456789abcdef"},{"k":"v"}]"#)
                );
            }
        }
        let last = p.idle_instance_stats(0);
        assert_eq!(last[0].memory_bytes, first[0].memory_bytes);
        assert_eq!(last[0].data_heap_ptr, first[0].data_heap_ptr);
        assert_eq!(last[0].heap_ptr, first[0].heap_ptr);
    }
}

#[test]
fn entrypoints_by_name_spelling_and_id() {
    let p = WasmPolicy::load(&module_for(2), &options()).unwrap();
    assert!(p.entrypoints().contains(&"echo/input".to_string()));
    assert_eq!(p.entrypoints().len(), 14);
    let input = json("42");
    for ep in ["echo/input", "data.echo.input", "0"] {
        assert_eq!(result_of(&p, ep, &input), one("42"), "{ep}");
    }
    p.set_data(json(r#"{"z":1}"#)).unwrap();
    assert_eq!(result_of(&p, "data.a.b", &input), one(r#"{"z":1}"#));
    assert_eq!(result_of(&p, "13", &input), one(r#"{"z":1}"#));
    match p.eval("no/such", &input).unwrap_err() {
        WasmError::UnknownEntrypoint { name, available } => {
            assert_eq!(name, "no/such");
            assert!(available.contains(&"a/b".to_string()));
        }
        other => panic!("{other}"),
    }
    assert!(matches!(
        p.eval("99", &input),
        Err(WasmError::UnknownEntrypoint { .. })
    ));
}

#[test]
fn module_without_entrypoints_export_has_entrypoint_0() {
    let p = WasmPolicy::load(&module(1, 1, &["entrypoints", "opa_eval"]), &options()).unwrap();
    assert!(p.entrypoints().is_empty());
    assert!(p.info().modules[0].entrypoints.is_none());
    assert_eq!(result_of(&p, "0", &json("7")), one("7"));
    assert_eq!(result_of(&p, "whatever/name", &json("7")), one("7"));
    assert!(matches!(
        p.eval("1", &json("7")),
        Err(WasmError::UnknownEntrypoint { .. })
    ));
}

#[test]
fn data_is_loaded_and_updated_without_reloading() {
    for minor in [0, 3] {
        let p = WasmPolicy::load(&module_for(minor), &options()).unwrap();
        assert_eq!(result_of(&p, "echo/data", &Value::Null), one("{}"));
        p.set_data(json(r#"{"roles":["admin"]}"#)).unwrap();
        assert_eq!(
            result_of(&p, "echo/data", &Value::Null),
            one(r#"{"roles":["admin"]}"#)
        );
        assert_eq!(p.data(), json(r#"{"roles":["admin"]}"#));
        p.set_data(json(r#"{"roles":[]}"#)).unwrap();
        assert_eq!(
            result_of(&p, "echo/data", &Value::Null),
            one(r#"{"roles":[]}"#)
        );
    }
}

#[test]
fn no_input_means_undefined_input() {
    let p = WasmPolicy::load(&module_for(2), &options()).unwrap();
    assert!(p.eval_json("echo/input", None).unwrap().results.is_empty());
    let q = WasmPolicy::load(&module_for(0), &options()).unwrap();
    assert!(q.eval_json("echo/input", None).unwrap().results.is_empty());
}

#[test]
fn infinite_loop_is_stopped_by_the_deadline() {
    for minor in [1, 2] {
        let mut opts = options();
        opts.limits.timeout = Duration::from_millis(100);
        let p = WasmPolicy::load(&module_for(minor), &opts).unwrap();
        let t = Instant::now();
        let err = p.eval("loop", &Value::Null).unwrap_err();
        assert!(
            matches!(err, WasmError::LimitExceeded(LimitKind::Timeout(d)) if d == Duration::from_millis(100)),
            "{err}"
        );
        assert!(err.to_string().contains("timeout"), "{err}");
        assert!(t.elapsed() >= Duration::from_millis(100));
        assert_eq!(result_of(&p, "echo/input", &json("1")), one("1"));
    }
}

#[test]
fn fuel_limit_stops_a_loop() {
    let mut opts = options();
    opts.limits.fuel = Some(1_000_000);
    opts.limits.timeout = Duration::from_secs(30);
    let p = WasmPolicy::load(&module_for(3), &opts).unwrap();
    let err = p.eval("loop", &Value::Null).unwrap_err();
    assert!(
        matches!(err, WasmError::LimitExceeded(LimitKind::Fuel(1_000_000))),
        "{err}"
    );
    assert_eq!(result_of(&p, "echo/input", &json("1")), one("1"));
}

#[test]
fn unbounded_memory_growth_is_stopped_by_the_cap() {
    for minor in [0, 3] {
        let mut opts = options();
        opts.limits.max_memory_bytes = 16 << 20;
        // Let the input past the size check so that the memory cap is what stops it.
        opts.limits.max_input_bytes = 64 << 20;
        let p = WasmPolicy::load(&module_for(minor), &opts).unwrap();
        let err = p.eval("grow", &Value::Null).unwrap_err();
        assert!(
            matches!(err, WasmError::LimitExceeded(LimitKind::Memory(n)) if n == 16 << 20),
            "{err}"
        );
        assert!(err.to_string().contains("memory limit"), "{err}");
        // A large input beyond the cap is refused the same way.
        let big = Value::string("y".repeat(20 << 20).as_str());
        let err = p.eval("echo/input", &big).unwrap_err();
        assert!(
            matches!(err, WasmError::LimitExceeded(LimitKind::Memory(_))),
            "{err}"
        );
        assert_eq!(result_of(&p, "echo/input", &json("1")), one("1"));
    }
}

#[test]
fn input_size_limit() {
    let mut opts = options();
    opts.limits.max_input_bytes = 100;
    let p = WasmPolicy::load(&module_for(2), &opts).unwrap();
    let err = p
        .eval("echo/input", &Value::string("z".repeat(200).as_str()))
        .unwrap_err();
    assert!(
        matches!(err, WasmError::LimitExceeded(LimitKind::InputSize(100))),
        "{err}"
    );
}

#[test]
fn initial_memory_above_the_cap_fails_to_load() {
    let mut opts = options();
    opts.limits.max_memory_bytes = 2 * 65536;
    let err = WasmPolicy::load(&module_for(2), &opts).unwrap_err();
    assert!(
        matches!(err, WasmError::InitialMemoryTooLarge { .. }),
        "{err}"
    );
}

#[test]
fn bad_modules_get_clear_errors() {
    let good = module_for(2);
    let truncated = &good[..good.len() / 2];
    let err = WasmPolicy::load(truncated, &options()).unwrap_err();
    assert!(matches!(err, WasmError::InvalidModule(_)), "{err}");

    let not_opa = wat::parse_str(
        r#"(module (func (export "add") (param i32 i32) (result i32)
             local.get 0 local.get 1 i32.add))"#,
    )
    .unwrap();
    match WasmPolicy::load(&not_opa, &options()).unwrap_err() {
        WasmError::NotOpaModule { missing } => {
            assert!(missing.contains(&"opa_malloc".to_string()));
            assert!(missing.contains(&"eval".to_string()));
        }
        other => panic!("{other}"),
    }

    let no_ctx = module(1, 1, &["ctx", "opa_eval"]);
    match WasmPolicy::load(&no_ctx, &options()).unwrap_err() {
        WasmError::NotOpaModule { missing } => {
            assert!(
                missing.contains(&"opa_eval_ctx_new".to_string()),
                "{missing:?}"
            )
        }
        other => panic!("{other}"),
    }

    let err = WasmPolicy::load(b"hello world", &options()).unwrap_err();
    assert!(err.to_string().contains("neither a Wasm module"), "{err}");

    let odd_import =
        wat::parse_str(r#"(module (import "wasi" "fd_write" (func (param i32))))"#).unwrap();
    assert!(matches!(
        WasmPolicy::load(&odd_import, &options()).unwrap_err(),
        WasmError::UnsupportedImport { .. }
    ));
}

#[test]
fn unserved_builtins_fail_loading_unless_allowed() {
    let mut opts = options();
    opts.registry = Registry::empty();
    opts.registry
        .register("test.zero", 0, |_, _| Ok(Some(Value::Null)));
    match WasmPolicy::load(&module_for(2), &opts).unwrap_err() {
        WasmError::MissingBuiltins { names } => assert_eq!(
            names,
            [
                "test.four",
                "test.inspect",
                "test.one",
                "test.three",
                "test.two"
            ]
        ),
        other => panic!("{other}"),
    }
    opts.allow_missing_builtins = true;
    let p = WasmPolicy::load(&module_for(2), &opts).unwrap();
    let info = p.info();
    assert_eq!(info.missing_builtins().len(), 5);
    let zero = info.modules[0]
        .host_builtins
        .iter()
        .find(|b| b.name == "test.zero")
        .unwrap();
    assert_eq!(zero.served, Some(regowasm_builtins::Served::Custom));
    let err = p.eval("call/b1", &json("1")).unwrap_err();
    assert!(
        matches!(&err, WasmError::Builtin { name, .. } if name == "test.one"),
        "{err}"
    );
    assert_eq!(result_of(&p, "call/b0", &json("1")), one("null"));
}

#[test]
fn eight_threads_times_1000_distinct_inputs() {
    let p = Arc::new(WasmPolicy::load(&module_for(3), &options()).unwrap());
    let ok = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let p = p.clone();
            let ok = ok.clone();
            std::thread::spawn(move || {
                for i in 0..1000 {
                    let input = json(&format!(r#"{{"thread":{t},"i":{i}}}"#));
                    let (ep, want) = if i % 2 == 0 {
                        ("echo/input", one(&input.to_text()))
                    } else {
                        ("call/b1", one(&format!(r#"{{"got":{}}}"#, input.to_text())))
                    };
                    assert_eq!(result_of(&p, ep, &input), want);
                    ok.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(ok.load(Ordering::Relaxed), 8000);
}

fn bundle(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, bytes) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        // Write the raw name so unsafe paths reach the reader unchanged.
        let name = h.as_old_mut().name.as_mut();
        name[..path.len()].copy_from_slice(path.as_bytes());
        h.set_cksum();
        tar.append(&h, *bytes).unwrap();
    }
    let raw = tar.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&raw).unwrap();
    gz.finish().unwrap()
}

#[test]
fn bundle_with_manifest_data_and_yaml() {
    let wasm = module_for(2);
    let manifest = br#"{"revision":"r1","roots":["echo","a"],"rego_version":1,
        "wasm":[{"entrypoint":"echo/data","module":"/policy.wasm"},
                {"entrypoint":"echo/input","module":"/policy.wasm"}]}"#;
    let b = bundle(&[
        ("/.manifest", manifest),
        ("/policy.wasm", &wasm),
        ("/data.json", br#"{"top":1}"#),
        ("/a/b/data.json", br#"{"x":[1,2]}"#),
        ("/a/c/data.yaml", b"y: hello\n"),
    ]);
    let p = WasmPolicy::load(&b, &options()).unwrap();
    let m = p.info().manifest.clone().unwrap();
    assert_eq!(m.rego_version, Some(1));
    assert_eq!(m.roots.unwrap(), vec!["echo", "a"]);
    assert_eq!(m.wasm.len(), 2);
    let want = json(r#"{"top":1,"a":{"b":{"x":[1,2]},"c":{"y":"hello"}}}"#);
    assert_eq!(p.data(), want);
    assert_eq!(
        result_of(&p, "echo/data", &Value::Null),
        one(&want.to_text())
    );
}

#[test]
fn bundle_with_two_modules_routes_entrypoints_by_manifest() {
    let m2 = module_for(2);
    let m0 = module_for(0);
    let manifest = br#"{"wasm":[{"entrypoint":"path","module":"/legacy/old.wasm"},
                               {"entrypoint":"echo/input","module":"/policy.wasm"}]}"#;
    let b = bundle(&[
        ("/.manifest", manifest),
        ("/policy.wasm", &m2),
        ("/legacy/old.wasm", &m0),
    ]);
    let p = WasmPolicy::load(&b, &options()).unwrap();
    assert_eq!(p.info().modules.len(), 2);
    assert_eq!(result_of(&p, "path", &Value::Null), one("\"eval\""));
    assert_eq!(result_of(&p, "echo/input", &json("1")), one("1"));
}

#[test]
fn bundle_path_traversal_and_size_limits() {
    let wasm = module_for(2);
    let b = bundle(&[("/policy.wasm", &wasm), ("../../etc/data.json", b"{}")]);
    match WasmPolicy::load(&b, &options()).unwrap_err() {
        WasmError::Bundle(BundleError::PathTraversal { path }) => {
            assert_eq!(path, "../../etc/data.json")
        }
        other => panic!("{other}"),
    }
    let b = bundle(&[("/policy.wasm", &wasm), ("/a/../../data.json", b"{}")]);
    assert!(matches!(
        WasmPolicy::load(&b, &options()).unwrap_err(),
        WasmError::Bundle(BundleError::PathTraversal { .. })
    ));

    let mut opts = options();
    opts.bundle_limits.max_member_bytes = 1000;
    let b = bundle(&[("/policy.wasm", &wasm)]);
    match WasmPolicy::load(&b, &opts).unwrap_err() {
        WasmError::Bundle(BundleError::MemberTooLarge { path, limit }) => {
            assert_eq!((path.as_str(), limit), ("/policy.wasm", 1000))
        }
        other => panic!("{other}"),
    }

    let b = bundle(&[("/data.json", b"{}")]);
    assert!(matches!(
        WasmPolicy::load(&b, &options()).unwrap_err(),
        WasmError::Bundle(BundleError::NoModule)
    ));
    let b = bundle(&[("/policy.wasm", &wasm), ("/data.json", b"{not json")]);
    assert!(matches!(
        WasmPolicy::load(&b, &options()).unwrap_err(),
        WasmError::Bundle(BundleError::Data { .. })
    ));
    let b = bundle(&[
        (
            "/.manifest",
            br#"{"wasm":[{"entrypoint":"x","module":"/nope.wasm"}]}"#,
        ),
        ("/policy.wasm", &wasm),
    ]);
    assert!(matches!(
        WasmPolicy::load(&b, &options()).unwrap_err(),
        WasmError::Bundle(BundleError::MissingModule(_))
    ));
    let garbage = [0x1f, 0x8b, 0, 1, 2, 3];
    assert!(matches!(
        WasmPolicy::load(&garbage, &options()).unwrap_err(),
        WasmError::Bundle(BundleError::Archive(_))
    ));
}

#[test]
fn policy_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<WasmPolicy>();
    let _ = Limits::default();
}
