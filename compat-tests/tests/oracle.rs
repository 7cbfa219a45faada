//! Tests of the OPA oracle client against the real libopabridge.so. They
//! skip (with a message) when the library is absent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use regowasm_builtins::Value;
use regowasm_compat::oracle::{
    Oracle, OracleConfig, OracleError, OracleOutcome, OracleRequest, absent_reason,
};
use serde_json::json;
use std::time::Duration;

fn oracle() -> Option<Oracle> {
    let Some(config) = OracleConfig::with_helper(env!("CARGO_BIN_EXE_regowasm-oracle")) else {
        eprintln!("SKIP: {}", absent_reason());
        return None;
    };
    Some(Oracle::spawn_with(config).expect("oracle starts"))
}

#[test]
fn evaluates_modules_data_and_input() {
    let Some(mut o) = oracle() else { return };
    let out = o
        .eval_query(&OracleRequest {
            modules: vec![(
                "test-0.rego".into(),
                "package p\nallow if input.user == data.admin\nnames contains n if some n in data.names\n"
                    .into(),
            )],
            data: json!({"admin": "alice", "names": ["b", "a", "b"]}),
            input: Some(json!({"user": "alice"})),
            query: "x := data.p.allow; y := data.p.names".into(),
            strict_builtin_errors: false,
        })
        .unwrap();
    assert_eq!(out.single("x"), Some(&json!(true)));
    // Sets come back as arrays (OPA sorts set members).
    assert_eq!(out.single("y"), Some(&json!(["a", "b"])));

    // Without input, the rule is undefined → no solution.
    let out = o
        .eval_query(&OracleRequest {
            modules: vec![(
                "test-0.rego".into(),
                "package p\nallow if input.user == \"alice\"\n".into(),
            )],
            query: "data.p.allow".into(),
            ..OracleRequest::default()
        })
        .unwrap();
    assert!(out.is_undefined(), "{out:?}");
}

#[test]
fn multiple_solutions_and_exact_numbers() {
    let Some(mut o) = oracle() else { return };
    let out = o
        .eval_query(&OracleRequest {
            query: "x := [1, 2, 3][_]; y := 100000000000000000000000000001".into(),
            ..OracleRequest::default()
        })
        .unwrap();
    let OracleOutcome::Results(sols) = &out else {
        panic!("{out:?}")
    };
    let xs: Vec<_> = sols.iter().map(|s| s.bindings["x"].clone()).collect();
    assert_eq!(xs, vec![json!(1), json!(2), json!(3)]);
    assert!(
        sols[0].raw.contains("100000000000000000000000000001"),
        "{}",
        sols[0].raw
    );
}

#[test]
fn reports_parse_compile_conflict_and_builtin_errors() {
    let Some(mut o) = oracle() else { return };
    let parse = o
        .eval_query(&OracleRequest {
            modules: vec![("test-0.rego".into(), "package p\np { true }\n".into())],
            query: "data.p.p".into(),
            ..OracleRequest::default()
        })
        .unwrap();
    let e = parse.error().expect("parse error");
    assert_eq!(e.opa_code.as_deref(), Some("rego_parse_error"), "{e:?}");
    assert!(e.message.contains("test-0.rego:2"), "{e:?}");

    let compile = o
        .eval_query(&OracleRequest {
            query: "x := nosuchfn(1)".into(),
            ..OracleRequest::default()
        })
        .unwrap();
    assert_eq!(
        compile.error().unwrap().opa_code.as_deref(),
        Some("rego_type_error")
    );

    let conflict = o
        .eval_query(&OracleRequest {
            modules: vec![(
                "test-0.rego".into(),
                "package p\nx := 1 if input.a\nx := 2 if input.a\n".into(),
            )],
            input: Some(json!({"a": true})),
            query: "y := data.p.x".into(),
            ..OracleRequest::default()
        })
        .unwrap();
    assert_eq!(
        conflict.error().unwrap().opa_code.as_deref(),
        Some("eval_conflict_error"),
        "{conflict:?}"
    );

    let strict = o
        .call_builtin("to_number", &[Value::string("abc")])
        .unwrap();
    let e = strict.error().expect("strict builtin error");
    assert_eq!(e.opa_code.as_deref(), Some("eval_builtin_error"));
    assert!(!e.lenient_unavailable);
    let lenient = o
        .call_builtin_lenient("to_number", &[Value::string("abc")])
        .unwrap();
    assert!(lenient.is_undefined(), "{lenient:?}");

    // A general query asking for lenient errors gets the flag.
    let flagged = o
        .eval_query(&OracleRequest {
            query: "x := 1 / 0".into(),
            strict_builtin_errors: false,
            ..OracleRequest::default()
        })
        .unwrap();
    assert!(flagged.error().unwrap().lenient_unavailable, "{flagged:?}");
}

#[test]
fn call_builtin_passes_sets_and_non_string_keys() {
    let Some(mut o) = oracle() else { return };
    let set = Value::set(vec![Value::int(3), Value::int(1), Value::string("a")]);
    let out = o.call_builtin("count", &[set]).unwrap();
    assert_eq!(out.single("x"), Some(&json!(3)));
    let obj = Value::object(vec![
        (Value::int(1), Value::string("one")),
        (Value::string("k"), Value::set(Vec::new())),
    ]);
    let out = o.call_builtin_terms("count", &["{1, 2, {3}}"]).unwrap();
    assert_eq!(out.single("x"), Some(&json!(3)));
    let out = o.call_builtin("object.keys", &[obj]).unwrap();
    assert_eq!(out.single("x"), Some(&json!([1, "k"])));
    let out = o
        .call_builtin(
            "concat",
            &[
                Value::string("\"\n"),
                Value::array(vec!["a".into(), "b".into()]),
            ],
        )
        .unwrap();
    assert_eq!(out.single("x"), Some(&json!("a\"\nb")));
    let out = o
        .call_builtin(
            "object.get",
            &[
                Value::object(Vec::new()),
                Value::string("k"),
                Value::from(serde_json::json!(0.5)),
            ],
        )
        .unwrap();
    assert_eq!(out.single("x"), Some(&json!(0.5)));
}

#[test]
fn survives_a_hanging_query() {
    let Some(mut o) = oracle() else { return };
    o.set_timeout(Duration::from_millis(1500));
    // A query that runs (practically) forever.
    let err = o
        .eval_query(&OracleRequest {
            query: "x := count([y | some i in numbers.range(1, 100000000); y := i * i])".into(),
            ..OracleRequest::default()
        })
        .unwrap_err();
    assert!(matches!(err, OracleError::Timeout(_)), "{err:?}");
    o.set_timeout(Duration::from_secs(20));
    // The next request gets a fresh helper.
    let out = o.call_builtin("upper", &[Value::string("ok")]).unwrap();
    assert_eq!(out.single("x"), Some(&json!("OK")));
    assert_eq!(o.restarts(), 1);
}

#[test]
fn survives_a_bad_request() {
    let Some(mut o) = oracle() else { return };
    // A NUL inside a module cannot cross into C: an error, not a crash.
    let out = o
        .eval_query(&OracleRequest {
            modules: vec![("test-0.rego".into(), "package p\0".into())],
            query: "x := 1".into(),
            ..OracleRequest::default()
        })
        .unwrap();
    assert_eq!(out.error().unwrap().code, "invalid_argument");
    let out = o.call_builtin("abs", &[Value::int(-2)]).unwrap();
    assert_eq!(out.single("x"), Some(&json!(2)));
    assert_eq!(o.restarts(), 0);
}

#[test]
fn spawn_discovers_the_helper() {
    match Oracle::spawn() {
        Ok(None) => eprintln!("SKIP: {}", absent_reason()),
        Ok(Some(mut o)) => {
            let out = o.call_builtin("lower", &[Value::string("AB")]).unwrap();
            assert_eq!(out.single("x"), Some(&json!("ab")));
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn survives_a_crashing_helper() {
    use std::os::unix::fs::PermissionsExt;
    if OracleConfig::with_helper("unused").is_none() {
        eprintln!("SKIP: {}", absent_reason());
        return;
    }
    // A stand-in helper that answers the ping, then dies on the first
    // request, like a Go runtime crash would.
    let dir = std::env::temp_dir().join(format!("regowasm-oracle-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("crashing-helper.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nread l\necho '{\"stage\":\"ping\",\"envelope\":{}}'\nread l\necho 'fatal error: boom' >&2\nexit 2\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut o = Oracle::spawn_with(OracleConfig::with_helper(&script).unwrap()).unwrap();
    for round in 1..=2 {
        let err = o.call_builtin("abs", &[Value::int(-1)]).unwrap_err();
        let OracleError::Crashed(msg) = &err else {
            panic!("{err:?}")
        };
        assert!(msg.contains("fatal error: boom"), "{msg}");
        assert_eq!(o.restarts(), round - 1);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
