//! One [`Policy`] API over both engines: a Wasm module (the hand-written
//! ABI module in `tests/wasm/opa_test.wat`) and Rego source, bundles of
//! either kind, and shadow mode across the two engines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use regowasm_runtime::policy::{EngineKind, PolicyError, PolicyOptions};
use regowasm_runtime::rego::{RegoOptions, RegoSource};
use regowasm_runtime::{Policy, Registry, Value};
use std::io::Write;

#[path = "support/abi_module.rs"]
mod abi_module;

/// The ABI 1.3 variant of the test module, every optional part kept.
fn wasm_module() -> Vec<u8> {
    abi_module::abi_module(1, 3, &[])
}

fn options() -> PolicyOptions {
    let mut registry = Registry::with_defaults();
    for (name, arity) in [
        ("test.zero", 0),
        ("test.one", 1),
        ("test.two", 2),
        ("test.three", 3),
        ("test.four", 4),
        ("test.inspect", 1),
    ] {
        registry.register(name, arity, |_, a| Ok(Some(Value::array(a.to_vec()))));
    }
    PolicyOptions {
        registry,
        ..PolicyOptions::default()
    }
}

fn json(text: &str) -> Value {
    Value::from_json_str(text).unwrap()
}

fn result(policy: &Policy, entrypoint: &str, input: &Value) -> Value {
    Value::array(policy.eval(entrypoint, input).unwrap().results)
}

/// A bundle (`.tar.gz`) with the given members.
fn bundle(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, bytes) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, path, *bytes).unwrap();
    }
    let raw = tar.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&raw).unwrap();
    gz.finish().unwrap()
}

#[test]
fn a_wasm_module_runs_behind_the_policy_api() {
    let p = Policy::from_wasm(&wasm_module(), &options()).unwrap();
    assert_eq!(p.engine(), EngineKind::Wasm);
    assert!(p.entrypoints().contains(&"echo/input".to_string()));
    let input = json(r#"{"a": [1, 2.5, "x"], "b": null}"#);
    assert_eq!(
        result(&p, "echo/input", &input),
        Value::array(vec![Value::object([(
            Value::string("result"),
            input.clone()
        )])])
    );
    // Data reaches the module.
    p.set_data(json(r#"{"k": "v"}"#)).unwrap();
    assert_eq!(
        result(&p, "echo/data", &Value::Null),
        json(r#"[{"result": {"k": "v"}}]"#)
    );
    // Queries need Rego source.
    assert!(matches!(
        p.eval_query("x := 1", None, Default::default()),
        Err(PolicyError::Unsupported(_))
    ));
    // Unknown entrypoints are an error, not an empty result.
    assert!(p.eval("no/such", &Value::Null).is_err());
}

#[test]
fn bundles_pick_the_engine_from_their_contents() {
    let module = wasm_module();
    let manifest = br#"{"revision": "r1", "roots": [""], "wasm": [{"entrypoint": "echo/input", "module": "/policy.wasm"}]}"#;
    let wasm_bundle = bundle(&[
        (".manifest", manifest),
        ("policy.wasm", &module),
        ("cfg/data.json", br#"{"level": 3}"#),
    ]);
    let p = Policy::from_bundle(&wasm_bundle, &options()).unwrap();
    assert_eq!(p.engine(), EngineKind::Wasm);
    assert_eq!(
        result(&p, "echo/data", &Value::Null),
        json(r#"[{"result": {"cfg": {"level": 3}}}]"#)
    );

    let rego_bundle = bundle(&[
        (".manifest", br#"{"revision": "r2", "rego_version": 0}"#),
        // Rego v0 syntax: only valid because the manifest says so.
        (
            "policy/main.rego",
            b"package policy\n\nallow { input.level >= data.cfg.min }\n",
        ),
        ("cfg/data.json", br#"{"min": 2}"#),
    ]);
    let p = Policy::from_bundle(&rego_bundle, &options()).unwrap();
    assert_eq!(p.engine(), EngineKind::Rego);
    assert_eq!(
        result(&p, "policy/allow", &json(r#"{"level": 3}"#)),
        json(r#"[{"result": true}]"#)
    );
    assert_eq!(
        result(&p, "policy/allow", &json(r#"{"level": 1}"#)),
        json("[]")
    );

    // A member escaping the bundle is refused.
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o644);
    // `append_data` refuses `..`; write the raw name the way an attacker would.
    h.as_gnu_mut().unwrap().name[..14].copy_from_slice(b"../x/data.json");
    h.set_cksum();
    tar.append(&h, &b"{} "[..]).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    let err = Policy::from_bundle(&gz.finish().unwrap(), &options()).unwrap_err();
    assert!(matches!(err, PolicyError::Bundle(_)), "{err}");
    assert!(err.to_string().contains(".."), "{err}");
}

#[test]
fn shadow_mode_reports_divergence_between_wasm_and_rego() {
    // The module's `call/b1` is `test.one(input)`. The Rego shadow computes
    // the same through the same host builtin, except on inputs carrying
    // `"odd": true`, where it answers something else.
    let rego = "package call\n\nb1 := test.one(input) if not input.odd\n\nb1 := \"different\" if input.odd\n";
    let primary = Policy::from_wasm(&wasm_module(), &options()).unwrap();
    let shadow = Policy::from_rego(
        &[RegoSource::new("call.rego", rego)],
        &RegoOptions {
            policy: options(),
            ..RegoOptions::default()
        },
    )
    .unwrap();
    let p = primary.with_shadow(shadow).unwrap();
    assert_eq!(p.engine(), EngineKind::Wasm);

    let same = json(r#"{"odd": false, "n": 1}"#);
    let differ = json(r#"{"odd": true, "n": 2}"#);
    let a = p.eval_shadowed("call/b1", &same);
    let b = p.eval_shadowed("call/b1", &differ);
    // The primary's answer is returned either way.
    let want = |v: &Value| {
        Value::array(vec![Value::object([(
            Value::string("result"),
            Value::array(vec![v.clone()]),
        )])])
    };
    assert_eq!(Value::array(a.primary.unwrap().results), want(&same));
    assert_eq!(Value::array(b.primary.unwrap().results), want(&differ));
    let stats = p.shadow_stats().unwrap();
    assert_eq!(stats.evaluations, 2, "{stats:?}");
    assert_eq!(stats.divergences, 1, "{stats:?}");
    let divergences = p.shadow_divergences();
    assert_eq!(divergences.len(), 1);
    assert_eq!(
        divergences[0].input_sha256,
        regowasm_runtime::policy::input_sha256(&differ)
    );
}
