//! Builtins: regowasm's native implementations (`Registry::with_defaults`)
//! vs the regorus fallback path (`regowasm_builtins::fallback::call`, what
//! serves a builtin without a native implementation), on the same
//! arguments.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{Criterion, criterion_group, criterion_main};
use regowasm_builtins::{EvalContext, Registry, Served, Value, fallback};
use std::hint::black_box;
use std::time::Duration;

fn v(json: &str) -> Value {
    Value::from_json_str(json).unwrap()
}

/// (label, builtin, arguments as JSON)
fn cases() -> Vec<(&'static str, &'static str, Vec<Value>)> {
    vec![
        (
            "sprintf",
            "sprintf",
            vec![
                v(r#""container <%v> has an invalid image repo <%v>, allowed repos are %v""#),
                v(r#"["app-1", "registry.example.com/team/app:1.2.0", ["gcr.io/", "quay.io/"]]"#),
            ],
        ),
        (
            "regex.match",
            "regex.match",
            vec![
                v(r#""^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$""#),
                v(r#""registry.example.com""#),
            ],
        ),
        (
            "regex.replace",
            "regex.replace",
            vec![
                v(r#""registry.example.com/team/app:1.2.0""#),
                v(r#"":[0-9.]+$""#),
                v(r#"":latest""#),
            ],
        ),
        (
            "time.parse_rfc3339_ns",
            "time.parse_rfc3339_ns",
            vec![v(r#""2024-03-15T10:20:30.123456789+02:00""#)],
        ),
        ("time.date", "time.date", vec![v("1710490830123456789")]),
        ("units.parse", "units.parse", vec![v(r#""512Mi""#)]),
        (
            "json.patch",
            "json.patch",
            vec![
                v(r#"{"metadata": {"labels": {"app": "web"}}, "spec": {"replicas": 1}}"#),
                v(
                    r#"[{"op": "add", "path": "/metadata/labels/owner", "value": "team-a"},
                      {"op": "replace", "path": "/spec/replicas", "value": 3},
                      {"op": "remove", "path": "/metadata/labels/app"}]"#,
                ),
            ],
        ),
        (
            "yaml.marshal",
            "yaml.marshal",
            vec![v(
                r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "b"}}, "data": {"k": "v", "n": "1"}, "list": [1, 2.5, true, null]}"#,
            )],
        ),
        (
            "yaml.unmarshal",
            "yaml.unmarshal",
            vec![v(
                r#""apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    a: b\ndata:\n  k: v\n  n: \"1\"\nlist: [1, 2.5, true, null]\n""#,
            )],
        ),
    ]
}

fn builtins(c: &mut Criterion) {
    let registry = Registry::with_defaults();
    let ctx = EvalContext::new();
    let mut g = c.benchmark_group("builtins");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for (label, name, args) in cases() {
        let builtin = registry.get(name).expect("builtin registered");
        if builtin.served() != Served::Native {
            eprintln!(
                "builtins: {name} is served as {:?}, not natively",
                builtin.served()
            );
        }
        let native = registry.call(&ctx, name, &args).unwrap();
        let fell = fallback::call(name, &args);
        match &fell {
            Ok(r) if *r == native => {}
            other => eprintln!(
                "builtins: {name}: native and regorus differ: {:?} vs {:?}",
                native.as_ref().map(|x| x.to_json()),
                other.as_ref().map(|o| o.as_ref().map(|x| x.to_json()))
            ),
        }
        g.bench_function(format!("{label}/native"), |b| {
            b.iter(|| black_box(registry.call(&ctx, name, black_box(&args)).unwrap()))
        });
        if fell.is_ok() {
            g.bench_function(format!("{label}/regorus"), |b| {
                b.iter(|| black_box(fallback::call(name, black_box(&args))))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, builtins);
criterion_main!(benches);
