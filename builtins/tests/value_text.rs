//! The value model's text forms: OPA value-dump text, strict JSON, exact
//! numbers, and robustness against arbitrary input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use regowasm_builtins::{DEFAULT_MAX_DEPTH, Number, Value, ValueError};

fn num(s: &str) -> Value {
    Value::Number(Number::parse_literal(s).unwrap())
}

#[test]
fn dump_text_matches_opa_value_dump() {
    let v =
        Value::parse_text(r#"{"a":[1,2.50,"x\n\"\u0001é"],"s":{3,1,2},"e":set(),1:{"k":null}}"#)
            .unwrap();
    // Keys in OPA order (numbers before strings), compact, numbers as
    // written, control bytes as \u00xx, UTF-8 as is.
    assert_eq!(
        v.to_text(),
        r#"{1:{"k":null},"a":[1,2.50,"x\n\"\u0001é"],"e":set(),"s":{1,2,3}}"#
    );
    assert_eq!(
        v.to_json_text(),
        r#"{"1":{"k":null},"a":[1,2.50,"x\n\"\u0001é"],"e":[],"s":[1,2,3]}"#
    );
}

#[test]
fn rego_syntax_like_opa_go() {
    let v = Value::parse_text(r#"[{"owner","a"},{"k":"v","n":1.0},set(),null,true,"é\u00a0"]"#)
        .unwrap();
    assert_eq!(
        v.to_rego(),
        r#"[{"a", "owner"}, {"k": "v", "n": 1.0}, set(), null, true, "é\u00a0"]"#
    );
}

#[test]
fn value_order_is_opas() {
    let mut vals = [
        Value::set([Value::int(1)]),
        Value::object([(Value::int(1), Value::Null)]),
        Value::array(vec![]),
        Value::string("a"),
        num("1.5"),
        Value::Bool(true),
        Value::Bool(false),
        Value::Null,
    ];
    vals.sort();
    let names: Vec<_> = vals.iter().map(Value::type_name).collect();
    assert_eq!(
        names,
        [
            "null", "boolean", "boolean", "number", "string", "array", "object", "set"
        ]
    );
}

#[test]
fn exact_numbers() {
    let v = Value::from_json_str("[1208925819614629174706175, 0.1, 1e400, -0.0, 1.0]").unwrap();
    assert_eq!(
        v.to_text(),
        "[1208925819614629174706175,0.1,1e400,-0.0,1.0]"
    );
    assert_eq!(num("1"), num("1.0"));
    assert_eq!(
        Value::set([num("1"), num("1.0"), num("1e0")])
            .as_set()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn strict_json_rejections_have_offsets() {
    let cases = [
        ("", 0),
        ("[1,]", 3),
        ("{1:2}", 1),
        ("{\"a\" 1}", 5),
        ("[1 2]", 3),
        ("\"a\u{1}\"", 2),
        ("01", 0),
        ("tru", 0),
        ("{\"a\":1}x", 7),
        ("set()", 0),
        ("{1,2}", 1),
        ("\"\\x\"", 1),
        ("[\"abc", 1),
    ];
    for (text, offset) in cases {
        match Value::from_json_str(text) {
            Err(ValueError::Syntax { offset: o, .. }) => assert_eq!(o, offset, "{text:?}"),
            other => panic!("{text:?}: {other:?}"),
        }
    }
    // ...while the value-dump parser accepts sets and non-string keys.
    assert_eq!(Value::parse_text("{1:2}").unwrap().to_text(), "{1:2}");
    assert_eq!(Value::parse_text("{2,1}").unwrap().to_text(), "{1,2}");
}

#[test]
fn surrogates() {
    assert_eq!(
        Value::from_json_str(r#""\ud83d\ude00""#).unwrap(),
        Value::string("😀")
    );
    assert_eq!(
        Value::from_json_str(r#""\ud83dx""#).unwrap(),
        Value::string("\u{FFFD}x")
    );
}

#[test]
fn depth_limit_without_stack_overflow() {
    let deep = "[".repeat(1_000_000);
    match Value::from_json_str(&deep) {
        Err(ValueError::TooDeep { limit, .. }) => assert_eq!(limit, DEFAULT_MAX_DEPTH),
        other => panic!("{other:?}"),
    }
    let ok = format!(
        "{}{}",
        "[".repeat(DEFAULT_MAX_DEPTH),
        "]".repeat(DEFAULT_MAX_DEPTH)
    );
    assert!(Value::from_json_str(&ok).is_ok());
    let over = format!(
        "{}{}",
        "[".repeat(DEFAULT_MAX_DEPTH + 1),
        "]".repeat(DEFAULT_MAX_DEPTH + 1)
    );
    assert!(matches!(
        Value::from_json_str(&over),
        Err(ValueError::TooDeep { .. })
    ));
    assert!(Value::parse_text_with_depth("{{1}}", 1).is_err());
}

fn arb_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::int),
        "-?[1-9][0-9]{18,40}".prop_map(|s| num(&s)),
        "-?(0|[1-9][0-9]{0,5})\\.[0-9]{1,8}".prop_map(|s| num(&s)),
        "-?[1-9](\\.[0-9]{1,4})?[eE][+-]?[12]?[0-9]{1,2}".prop_map(|s| num(&s)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| Value::float(f).unwrap()),
    ]
}

fn arb_value(json_only: bool) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        arb_number(),
        any::<String>().prop_map(Value::string),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        let key = if json_only {
            any::<String>().prop_map(Value::string).boxed()
        } else {
            inner.clone().boxed()
        };
        let mut options = vec![
            prop::collection::vec(inner.clone(), 0..6)
                .prop_map(Value::array)
                .boxed(),
            prop::collection::vec((key, inner.clone()), 0..6)
                .prop_map(Value::object)
                .boxed(),
        ];
        if !json_only {
            options.push(
                prop::collection::vec(inner, 0..6)
                    .prop_map(Value::set)
                    .boxed(),
            );
        }
        prop::strategy::Union::new(options)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn text_round_trip(v in arb_value(false)) {
        let text = v.to_text();
        let back = Value::parse_text(&text).unwrap();
        prop_assert_eq!(&back, &v);
        // Printing is stable, numbers keep their literal text.
        prop_assert_eq!(back.to_text(), text);
    }

    #[test]
    fn json_round_trip(v in arb_value(true)) {
        let text = v.to_json_text();
        let back = Value::from_json_str(&text).unwrap();
        prop_assert_eq!(back.to_json_text(), text);
        prop_assert_eq!(back, v);
    }

    #[test]
    fn serde_json_agrees_on_valid_json(v in arb_value(true)) {
        // serde_json accepts everything we print as JSON.
        let text = v.to_json_text();
        prop_assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = Value::from_json_slice(&bytes);
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = Value::parse_text(s);
        }
    }

    #[test]
    fn random_token_soup_never_panics(parts in prop::collection::vec(
        prop::sample::select(vec!["{", "}", "[", "]", ",", ":", "1", "-", "1.5e3", "\"a\"", "\"\\u", "set()", "null", "tru", " ", "\\", "e", "."]), 0..64)) {
        let s: String = parts.concat();
        let _ = Value::from_json_str(&s);
        let _ = Value::parse_text(&s);
    }

    #[test]
    fn number_order_matches_f64_when_exact(a in -1e15f64..1e15, b in -1e15f64..1e15) {
        let (x, y) = (Number::from_f64(a).unwrap(), Number::from_f64(b).unwrap());
        prop_assert_eq!(x.cmp(&y), a.partial_cmp(&b).unwrap());
    }
}
