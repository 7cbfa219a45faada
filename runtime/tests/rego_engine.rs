//! The regorus engine behind the `Policy` API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use regowasm_runtime::policy::{EngineKind, Limits, PolicyError, PolicyOptions};
use regowasm_runtime::rego::{QueryOptions, RegoOptions, RegoSource, RegoVersion};
use regowasm_runtime::{Policy, Registry, Value};
use std::time::{Duration, Instant};

fn json(s: &str) -> Value {
    Value::from_json_str(s).unwrap()
}

fn result(eval: &regowasm_runtime::Evaluation) -> Option<Value> {
    assert!(eval.results.len() <= 1);
    eval.results
        .first()
        .map(|r| r.get("result").unwrap().clone())
}

fn v1(src: &str) -> Policy {
    Policy::from_rego(&[RegoSource::new("p.rego", src)], &RegoOptions::default()).unwrap()
}

const V1: &str = r#"
package authz

default allow := false

allow if {
    input.user == "admin"
}

names contains n if {
    some n in input.names
}

greeting := sprintf("hello %s", [input.user])
"#;

const V0: &str = r#"
package authz

default allow = false

allow {
    input.user == "admin"
}

names[n] {
    n := input.names[_]
}
"#;

#[test]
fn v1_policy_evaluates_with_result_shape() {
    let p = v1(V1);
    assert_eq!(p.engine(), EngineKind::Rego);
    let e = p.eval("authz/allow", &json(r#"{"user":"admin"}"#)).unwrap();
    assert_eq!(e.engine, EngineKind::Rego);
    assert_eq!(e.results, vec![json(r#"{"result": true}"#)]);
    let e = p.eval("authz/allow", &json(r#"{"user":"bob"}"#)).unwrap();
    assert_eq!(result(&e), Some(Value::Bool(false)));
    let e = p
        .eval("authz/names", &json(r#"{"names":["b","a","b"]}"#))
        .unwrap();
    assert_eq!(
        result(&e),
        Some(Value::set([Value::string("a"), Value::string("b")]))
    );
    let e = p.eval("authz/greeting", &json(r#"{"user":"x"}"#)).unwrap();
    assert_eq!(result(&e), Some(Value::string("hello x")));
}

#[test]
fn v0_policy_needs_v0_and_v1_rejects_it() {
    let err =
        Policy::from_rego(&[RegoSource::new("p.rego", V0)], &RegoOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            PolicyError::Load {
                engine: EngineKind::Rego,
                ..
            }
        ),
        "{err}"
    );
    let p = Policy::from_rego(
        &[RegoSource::new("p.rego", V0)],
        &RegoOptions::with_version(RegoVersion::V0),
    )
    .unwrap();
    let e = p.eval("authz/allow", &json(r#"{"user":"admin"}"#)).unwrap();
    assert_eq!(result(&e), Some(Value::Bool(true)));
    let e = p
        .eval("data.authz.names", &json(r#"{"names":["x"]}"#))
        .unwrap();
    assert_eq!(result(&e), Some(Value::set([Value::string("x")])));
}

#[test]
fn v0_mode_accepts_rego_v1_import_and_per_file_versions() {
    let with_import = "package a\nimport rego.v1\nx if { true }\n";
    let p = Policy::from_rego(
        &[
            RegoSource::new("a.rego", with_import),
            RegoSource::new("b.rego", "package b\ny { true }\n"),
            RegoSource::new("c.rego", "package c\nz if { data.b.y }\n")
                .with_version(RegoVersion::V1),
        ],
        &RegoOptions::with_version(RegoVersion::V0),
    )
    .unwrap();
    let input = Value::object([]);
    assert_eq!(
        result(&p.eval("a/x", &input).unwrap()),
        Some(Value::Bool(true))
    );
    assert_eq!(
        result(&p.eval("c/z", &input).unwrap()),
        Some(Value::Bool(true))
    );
}

#[test]
fn gatekeeper_version_defaults_to_v0() {
    assert_eq!(RegoVersion::from_gatekeeper(None), RegoVersion::V0);
    assert_eq!(RegoVersion::from_gatekeeper(Some("v0")), RegoVersion::V0);
    assert_eq!(RegoVersion::from_gatekeeper(Some("v1")), RegoVersion::V1);
    assert_eq!(
        RegoVersion::from_manifest(&serde_json::json!({"rego_version": 0})),
        Some(RegoVersion::V0)
    );
    assert_eq!(RegoVersion::from_manifest(&serde_json::json!({})), None);
}

#[test]
fn entrypoint_spellings_and_undefined() {
    let p = v1("package a.b\nx := input.v\nobj := {\"k\": 1}\n");
    let input = json(r#"{"v": 7}"#);
    for ep in ["a/b/x", "data.a.b.x", "a.b.x", "data/a/b/x"] {
        assert_eq!(
            result(&p.eval(ep, &input).unwrap()),
            Some(Value::int(7)),
            "{ep}"
        );
    }
    // Undefined rule → empty result set.
    assert!(
        p.eval("a/b/x", &Value::object([]))
            .unwrap()
            .results
            .is_empty()
    );
    // A path that no rule defines is undefined too (as in OPA).
    assert!(p.eval("a/b/nope", &input).unwrap().results.is_empty());
    // A package is an object of its rules; a path into a rule's value works.
    assert_eq!(
        result(&p.eval("a/b", &input).unwrap()),
        Some(json(r#"{"x": 7, "obj": {"k": 1}}"#))
    );
    assert_eq!(
        result(&p.eval("a/b/obj/k", &input).unwrap()),
        Some(Value::int(1))
    );
    let mut eps = p.entrypoints();
    eps.sort();
    assert_eq!(eps, vec!["a/b/obj".to_string(), "a/b/x".to_string()]);
}

#[test]
fn data_documents_replace_and_share() {
    let p = v1("package a\nallowed if { input.name in data.names }\nn := count(data.names)\n");
    let input = json(r#"{"name":"x"}"#);
    assert!(p.eval("a/allowed", &input).unwrap().results.is_empty());
    p.set_data(json(r#"{"names":["x","y"]}"#)).unwrap();
    assert_eq!(
        result(&p.eval("a/allowed", &input).unwrap()),
        Some(Value::Bool(true))
    );
    assert_eq!(result(&p.eval("a/n", &input).unwrap()), Some(Value::int(2)));
    // Replace, not merge.
    p.set_data(json(r#"{"names":["y"]}"#)).unwrap();
    assert!(p.eval("a/allowed", &input).unwrap().results.is_empty());
    assert_eq!(result(&p.eval("a/n", &input).unwrap()), Some(Value::int(1)));
    // Shared data for many policies.
    let shared = regowasm_runtime::policy::SharedData::new(&json(r#"{"names":["x"]}"#)).unwrap();
    let q = v1("package b\nn := count(data.names)\n");
    p.set_shared_data(&shared).unwrap();
    q.set_shared_data(&shared).unwrap();
    assert_eq!(
        result(&p.eval("a/allowed", &input).unwrap()),
        Some(Value::Bool(true))
    );
    assert_eq!(result(&q.eval("b/n", &input).unwrap()), Some(Value::int(1)));
    // Non-object data is rejected and leaves the data as it was.
    assert!(matches!(p.set_data(json("[1]")), Err(PolicyError::Data(_))));
    assert_eq!(result(&p.eval("a/n", &input).unwrap()), Some(Value::int(1)));
}

#[test]
fn looping_policy_times_out_and_policy_stays_usable() {
    let mut options = RegoOptions::default();
    options.policy.limits = Limits {
        timeout: Duration::from_millis(100),
        ..Limits::default()
    };
    let p = Policy::from_rego(
        &[RegoSource::new(
            "loop.rego",
            "package l\nslow := count([x | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000); x := i * j])\nfast := 1\n",
        )],
        &options,
    )
    .unwrap();
    let start = Instant::now();
    let err = p.eval("l/slow", &Value::object([])).unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(err, PolicyError::Timeout { limit } if limit == Duration::from_millis(100)),
        "{err}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    // The policy still answers afterwards.
    assert_eq!(
        result(&p.eval("l/fast", &Value::object([])).unwrap()),
        Some(Value::int(1))
    );
    let err = p.eval("l/slow", &Value::object([])).unwrap_err();
    assert!(matches!(err, PolicyError::Timeout { .. }));
}

#[test]
fn prints_are_captured_without_location() {
    let p = v1("package p\nx := 1 if { print(\"hello\", input.n) }\n");
    let e = p.eval("p/x", &json(r#"{"n": 5}"#)).unwrap();
    assert_eq!(result(&e), Some(Value::int(1)));
    assert_eq!(e.prints, vec!["hello 5".to_string()]);
    // Prints do not leak into the next evaluation.
    let e = p.eval("p/x", &json(r#"{"n": 6}"#)).unwrap();
    assert_eq!(e.prints, vec!["hello 6".to_string()]);
}

#[test]
fn many_threads_share_one_policy() {
    let p = v1("package t\nsum := s if { s := sum([x | some x in input.xs]) }\n");
    p.set_data(json(r#"{"big": {"k": [1,2,3]}}"#)).unwrap();
    std::thread::scope(|scope| {
        for t in 0..8i64 {
            let p = p.clone();
            scope.spawn(move || {
                for i in 0..500i64 {
                    let input = Value::object([(
                        Value::string("xs"),
                        Value::array(vec![Value::int(t), Value::int(i)]),
                    )]);
                    let e = p.eval("t/sum", &input).unwrap();
                    assert_eq!(result(&e), Some(Value::int(t + i)));
                }
            });
        }
    });
}

#[test]
fn custom_builtin_reaches_rego_source() {
    let mut registry = Registry::empty();
    registry.register("acme.double", 1, |_ctx, args| {
        let n = args[0].as_number().and_then(|n| n.as_i64()).unwrap_or(0);
        Ok(Some(Value::int(n * 2)))
    });
    // Overrides regorus's own builtin of the same name.
    registry.register("upper", 1, |_ctx, args| {
        Ok(Some(Value::string(format!(
            "UP:{}",
            args[0].as_str().unwrap_or("")
        ))))
    });
    registry.register("acme.fail", 1, |_ctx, _args| {
        Err(regowasm_builtins::BuiltinError::failed("acme.fail", "nope"))
    });
    let src = "package c\nd := acme.double(input.n)\nu := upper(\"a\")\nf := acme.fail(1)\n";
    let options = RegoOptions {
        version: RegoVersion::V1,
        policy: PolicyOptions {
            registry: registry.clone(),
            ..PolicyOptions::default()
        },
    };
    let p = Policy::from_rego(&[RegoSource::new("c.rego", src)], &options).unwrap();
    let input = json(r#"{"n": 21}"#);
    assert_eq!(
        result(&p.eval("c/d", &input).unwrap()),
        Some(Value::int(42))
    );
    assert_eq!(
        result(&p.eval("c/u", &input).unwrap()),
        Some(Value::string("UP:a"))
    );
    // Non-strict: a builtin error makes the expression undefined.
    assert!(p.eval("c/f", &input).unwrap().results.is_empty());
    // Strict: it fails the evaluation with OPA's message.
    let mut strict = options.clone();
    strict.policy.strict_builtin_errors = true;
    let p = Policy::from_rego(&[RegoSource::new("c.rego", src)], &strict).unwrap();
    let err = p.eval("c/f", &input).unwrap_err();
    assert!(err.to_string().contains("acme.fail: nope"), "{err}");
}

#[test]
fn query_api_returns_bindings() {
    let p = v1("package q\nxs := [1, 2, 3]\n");
    let rows = p
        .eval_query("x := data.q.xs[_]; x > 1", None, QueryOptions::default())
        .unwrap();
    let xs: Vec<Value> = rows.iter().map(|r| r.bindings["x"].clone()).collect();
    assert_eq!(xs, vec![Value::int(2), Value::int(3)]);
    let rows = p
        .eval_query(
            "input.a == 1",
            Some(&json(r#"{"a":1}"#)),
            QueryOptions::default(),
        )
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].bindings.is_empty());
    let rows = p
        .eval_query(
            "input.a == 2",
            Some(&json(r#"{"a":1}"#)),
            QueryOptions::default(),
        )
        .unwrap();
    assert!(rows.is_empty());
    // Strict builtin errors per query.
    let strict = QueryOptions {
        strict_builtin_errors: Some(true),
    };
    assert!(p.eval_query("x := 1 / 0", None, strict).is_err());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let mut options = RegoOptions::default();
    options.policy.limits.max_depth = 4;
    let p = Policy::from_rego(
        &[RegoSource::new("p.rego", "package p\nx := input\n")],
        &options,
    )
    .unwrap();
    let deep = json(r#"{"a":{"b":{"c":{"d":{"e":1}}}}}"#);
    assert!(matches!(p.eval("p/x", &deep), Err(PolicyError::Input(_))));
    assert!(matches!(
        Policy::from_rego(
            &[RegoSource::new("bad.rego", "package p\nx := \n")],
            &RegoOptions::default()
        ),
        Err(PolicyError::Load { .. })
    ));
    assert!(Policy::from_rego(&[], &RegoOptions::default()).is_err());
}

#[test]
fn from_path_reads_directory_with_manifest_and_data() {
    let dir = std::env::temp_dir().join(format!("regowasm-rego-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("lib/users")).unwrap();
    std::fs::write(dir.join(".manifest"), r#"{"rego_version": 0}"#).unwrap();
    std::fs::write(
        dir.join("p.rego"),
        "package p\nok { data.lib.users.names[_] == input.u }\n",
    )
    .unwrap();
    std::fs::write(dir.join("lib/users/data.json"), r#"{"names":["ann"]}"#).unwrap();
    let p = Policy::from_path(&dir, &PolicyOptions::default()).unwrap();
    assert_eq!(p.engine(), EngineKind::Rego);
    assert_eq!(
        result(&p.eval("p/ok", &json(r#"{"u":"ann"}"#)).unwrap()),
        Some(Value::Bool(true))
    );
    assert!(
        p.eval("p/ok", &json(r#"{"u":"bob"}"#))
            .unwrap()
            .results
            .is_empty()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn shadow_mode_reports_divergences() {
    // The same Rego source; the shadow's host builtin answers differently.
    let src = "package s\nv := acme.f(input.n)\n";
    let policy_with = |k: i64| {
        let mut registry = Registry::empty();
        registry.register("acme.f", 1, move |_ctx, args| {
            let n = args[0].as_number().and_then(|n| n.as_i64()).unwrap_or(0);
            Ok(Some(Value::int(if n > 10 { n * k } else { n })))
        });
        let options = RegoOptions {
            version: RegoVersion::V1,
            policy: PolicyOptions {
                registry,
                ..PolicyOptions::default()
            },
        };
        Policy::from_rego(&[RegoSource::new("s.rego", src)], &options).unwrap()
    };
    let p = policy_with(1).with_shadow(policy_with(2)).unwrap();
    assert_eq!(p.info().shadow, Some(EngineKind::Rego));
    // Agreement.
    let e = p.eval("s/v", &json(r#"{"n": 3}"#)).unwrap();
    assert_eq!(result(&e), Some(Value::int(3)));
    assert_eq!(p.shadow_stats().unwrap().divergences, 0);
    // Divergence: the primary's answer is returned, the divergence recorded.
    let input = json(r#"{"n": 11}"#);
    let shadowed = p.eval_shadowed("s/v", &input);
    assert_eq!(result(&shadowed.primary.unwrap()), Some(Value::int(11)));
    let d = shadowed.divergence.unwrap();
    assert_eq!(d.primary, r#"[{"result":11}]"#);
    assert_eq!(d.shadow, r#"[{"result":22}]"#);
    assert_eq!(
        d.input_sha256,
        regowasm_runtime::policy::input_sha256(&input)
    );
    assert_eq!(d.input_sha256.len(), 64);
    let stats = p.shadow_stats().unwrap();
    assert_eq!((stats.evaluations, stats.divergences), (2, 1));
    assert_eq!(p.shadow_divergences(), vec![d]);
    // Undefined on one side only is a divergence too.
    let q = v1("package s\nv := 1 if input.n > 100\n")
        .with_shadow(v1("package s\nv := 1\n"))
        .unwrap();
    let e = q.eval("s/v", &json(r#"{"n": 1}"#)).unwrap();
    assert!(e.results.is_empty());
    assert_eq!(q.shadow_stats().unwrap().divergences, 1);
    assert_eq!(q.shadow_divergences()[0].primary, "[]");
    // Without a shadow there are no stats.
    assert_eq!(v1("package s\nv := 1\n").shadow_stats(), None);
}

/// Brackets nested past what the Rego parser handles in bounded time are
/// refused at load, at once and with the reason; the limit itself loads.
#[test]
fn deeply_nested_brackets_are_refused_quickly() {
    let nested = |d: usize| format!("package n\n\nx := {}1{}\n", "[".repeat(d), "]".repeat(d));
    let t = Instant::now();
    let err = Policy::from_rego(
        &[RegoSource::new("deep.rego", nested(200))],
        &RegoOptions::default(),
    )
    .unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    let msg = err.to_string();
    assert!(
        msg.contains("deep.rego") && msg.contains("200 levels") && msg.contains("more than the 20"),
        "{msg}"
    );
    // Within the limit (kept small here: parsing time doubles per level).
    let p = v1(&nested(8));
    let e = p.eval("n/x", &json("{}")).unwrap();
    assert!(result(&e).is_some());
}
