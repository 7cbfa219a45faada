//! Every native builtin, called with a spread of odd arguments, returns a
//! value, undefined or an error — never panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use regowasm_builtins::{EvalContext, Registry, Served, Value};

fn odd_values() -> Vec<Value> {
    let j = |s: &str| Value::from_json_str(s).expect("test value");
    vec![
        Value::Null,
        Value::Bool(true),
        Value::int(0),
        Value::int(-1),
        Value::int(i64::MAX),
        Value::int(i64::MIN),
        j("1.5"),
        j("1e300"),
        Value::from(""),
        Value::from("é\u{0}\u{FFFD}🙂"),
        Value::from("1.2.3-a+b"),
        Value::from("10.0.0.0/30"),
        Value::from("2006-01-02T15:04:05Z07:00"),
        Value::from("%zz(["),
        Value::from("1e999999Ki"),
        Value::from("{{.a}"),
        j("[]"),
        j(r#"[1, "a", null, [2], {"op": "add", "path": "/a", "value": 1}]"#),
        j("{}"),
        j(r#"{"a": {"b": [1, {"c": null}]}, "pretty": true, "indent": "  "}"#),
        Value::set([]),
        Value::set([Value::int(1), Value::from("a"), Value::array(vec![])]),
        Value::object([(Value::int(1), Value::set([Value::Null]))]),
    ]
}

fn call_all(reg: &Registry, ctx: &EvalContext, name: &str, arity: usize, vals: &[Value]) -> usize {
    let n = vals.len();
    let total = n.pow(u32::try_from(arity).unwrap());
    // Full cross product up to arity 2; a strided sample above.
    let step = if total > 4000 { total / 4000 + 1 } else { 1 };
    let mut calls = 0;
    let mut i = 0;
    while i < total {
        let mut k = i;
        let args: Vec<Value> = (0..arity)
            .map(|_| {
                let v = vals[k % n].clone();
                k /= n;
                v
            })
            .collect();
        let _ = reg.call(ctx, name, &args);
        calls += 1;
        i += step;
    }
    // Wrong arity is an error, not a panic.
    assert!(reg.call(ctx, name, &vec![Value::Null; arity + 1]).is_err());
    calls
}

#[test]
fn native_builtins_never_panic() {
    let reg = Registry::with_defaults();
    let ctx = EvalContext::with_clock(1_700_000_000_000_000_000, 42);
    let vals = odd_values();
    let mut names = 0;
    let mut calls = 0;
    for b in reg.iter().filter(|b| b.served() == Served::Native) {
        calls += call_all(&reg, &ctx, b.name(), b.arity(), &vals);
        names += 1;
    }
    assert!(names > 50, "only {names} native builtins registered");
    assert!(calls > names);
}
