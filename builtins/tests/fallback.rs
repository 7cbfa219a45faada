//! The regorus fallback serves builtins without a native implementation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use regowasm_builtins::{BuiltinError, EvalContext, Registry, Served, Value};

#[test]
fn fallback_serves_a_builtin_without_native_code() {
    let r = Registry::with_defaults();
    let ctx = EvalContext::with_clock(0, 1);
    // `upper` is implemented natively inside OPA Wasm modules, so we have
    // no Rust version: regorus serves it.
    let b = r.get("upper").expect("upper registered");
    assert_eq!(b.served(), Served::RegorusFallback);
    assert_eq!(
        r.call(&ctx, "upper", &["héllo".into()]).unwrap(),
        Some(Value::string("HÉLLO"))
    );
    // Sets survive the trip both ways.
    let s = Value::parse_text(r#"{"b","a"}"#).unwrap();
    let t = Value::parse_text(r#"{"c","a"}"#).unwrap();
    assert_eq!(
        r.call(&ctx, "intersection", &[Value::set([s, t])]).unwrap(),
        Some(Value::parse_text(r#"{"a"}"#).unwrap())
    );
    // Big integers stay exact.
    let big = Value::parse_text("1208925819614629174706175").unwrap();
    assert_eq!(
        r.call(&ctx, "abs", std::slice::from_ref(&big)).unwrap(),
        Some(big)
    );
}

#[test]
fn fallback_errors_become_builtin_errors() {
    let r = Registry::with_defaults();
    let ctx = EvalContext::with_clock(0, 1);
    let err = r.call(&ctx, "upper", &[Value::int(1)]).unwrap_err();
    assert!(matches!(err, BuiltinError::Failed { .. }), "{err:?}");
}

#[test]
fn native_wins_over_fallback_and_custom_wins_over_native() {
    let mut r = Registry::with_defaults();
    assert_eq!(r.get("sprintf").unwrap().served(), Served::Native);
    r.register("sprintf", 2, |_, _| Ok(Some(Value::string("mine"))));
    let ctx = EvalContext::with_clock(0, 1);
    assert_eq!(
        r.call(&ctx, "sprintf", &["%d".into(), Value::array(vec![])])
            .unwrap(),
        Some(Value::string("mine"))
    );
    assert_eq!(r.get("sprintf").unwrap().served(), Served::Custom);
}
