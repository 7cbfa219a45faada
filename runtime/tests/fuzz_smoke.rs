//! Fuzz smoke: property tests that feed the loaders and the admission path
//! arbitrary and mutated input and require a clean answer (a value or a
//! typed error), never a panic, a hang or a stack overflow. They run in CI
//! with a few hundred cases each; `PROPTEST_CASES=100000 cargo test
//! --release -p regowasm-runtime --test fuzz_smoke` runs them longer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use regowasm_runtime::admission::PolicySet;
use regowasm_runtime::policy::PolicyOptions;
use regowasm_runtime::wasm::{WasmOptions, WasmPolicy};
use regowasm_runtime::{Policy, Value};
use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

#[path = "support/abi_module.rs"]
mod abi_module;

fn valid_module() -> &'static [u8] {
    static M: OnceLock<Vec<u8>> = OnceLock::new();
    M.get_or_init(|| abi_module::abi_module(1, 3, &[]))
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn tar(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut t = tar::Builder::new(Vec::new());
    for (path, bytes) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        // Names tar refuses (absolute, `..`) are simply not added.
        let _ = t.append_data(&mut h, path, bytes.as_slice());
    }
    t.into_inner().unwrap()
}

/// The project's default policy set, loaded once.
fn default_set() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    SET.get_or_init(|| {
        PolicySet::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies")).unwrap()
    })
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-zA-Z0-9:/._-]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("request".to_string()),
                    Just("object".to_string()),
                    Just("kind".to_string()),
                    Just("metadata".to_string()),
                    Just("spec".to_string()),
                    Just("containers".to_string()),
                    Just("uid".to_string()),
                    Just("operation".to_string()),
                    "[a-z]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A Pod AdmissionReview with `object` replaced by arbitrary JSON.
fn review_with(object: serde_json::Value, uid: &str) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "default",
            "operation": "CREATE",
            "userInfo": {"username": "fuzz"},
            "object": object
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes_are_rejected_as_modules_or_bundles(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let opts = PolicyOptions::default();
        let _ = Policy::from_wasm(&bytes, &opts);
        let _ = Policy::from_bundle(&bytes, &opts);
        let _ = Policy::from_bundle(&gz(&bytes), &opts);
    }

    #[test]
    fn mutated_modules_load_cleanly_or_fail_cleanly(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut m = valid_module().to_vec();
        for (at, byte) in flips {
            let i = at.index(m.len());
            m[i] = byte;
        }
        let opts = WasmOptions { allow_missing_builtins: true, ..WasmOptions::default() };
        if let Ok(p) = WasmPolicy::load(&m, &opts) {
            // Whatever loaded must evaluate to an answer or an error.
            for ep in p.entrypoints() {
                if ep == "loop" || ep == "grow" {
                    continue;
                }
                let _ = p.eval(&ep, &Value::Null);
            }
        }
        // A prefix may end on a section boundary (then it is a valid module
        // without its trailing custom sections); any other cut is an error.
        let short = &valid_module()[..cut.index(valid_module().len())];
        let _ = WasmPolicy::load(short, &opts);
    }

    #[test]
    fn bundles_with_arbitrary_members(
        members in prop::collection::vec(
            (
                prop_oneof![
                    Just(".manifest".to_string()),
                    Just("data.json".to_string()),
                    Just("a/b/data.json".to_string()),
                    Just("data.yaml".to_string()),
                    Just("policy.wasm".to_string()),
                    Just("x/policy.rego".to_string()),
                    "[a-z./]{1,20}",
                ],
                prop_oneof![
                    prop::collection::vec(any::<u8>(), 0..256),
                    arb_json().prop_map(|j| j.to_string().into_bytes()),
                ],
            ),
            0..6,
        )
    ) {
        let _ = Policy::from_bundle(&gz(&tar(&members)), &PolicyOptions::default());
    }

    #[test]
    fn arbitrary_reviews_always_get_a_decision(object in arb_json(), uid in "[a-z0-9-]{0,12}") {
        let review = review_with(object, &uid);
        let answer = default_set().review_json(&review);
        prop_assert_eq!(&answer["kind"], "AdmissionReview");
        prop_assert!(answer["response"]["allowed"].is_boolean(), "{answer}");
        prop_assert_eq!(&answer["response"]["uid"], uid.as_str());
        // Not a review at all: still an answer, never a panic.
        let _ = default_set().review_json(&review["request"]);
    }

    #[test]
    fn mutated_templates_load_or_fail_cleanly(
        cut in any::<prop::sample::Index>(),
        junk in "[ -~\n]{0,40}",
        at in any::<prop::sample::Index>(),
    ) {
        let text = include_str!("../../policies/gatekeeper/no-privileged/template.yaml");
        let i = at.index(text.len());
        let mut mutated = String::new();
        mutated.push_str(text.get(..i).unwrap_or(text));
        mutated.push_str(&junk);
        mutated.push_str(text.get(i..).unwrap_or(""));
        let mut set = PolicySet::new();
        let _ = set.load_yaml(&mutated, Path::new("."));
        let j = cut.index(text.len());
        let mut set = PolicySet::new();
        let _ = set.load_yaml(text.get(..j).unwrap_or(text), Path::new("."));
    }
}

#[test]
fn deeply_nested_documents_get_a_clear_error() {
    for depth in [1_000usize, 100_000] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let err = Value::from_json_str(&text).unwrap_err();
        assert!(err.to_string().contains("deep"), "{err}");
        let object = format!(r#"{{"metadata": {{"name": "x"}}, "spec": {}}}"#, text);
        let review = format!(
            r#"{{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {{"uid": "d", "operation": "CREATE", "kind": {{"group": "", "version": "v1", "kind": "Pod"}}, "namespace": "default", "object": {object}}}}}"#
        );
        // serde_json refuses the nesting itself (its recursion limit); the
        // admission path must not be reached with it, and must not crash.
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&review);
        assert!(parsed.is_err());
    }
    // Just under serde's limit, through the whole admission path.
    let nested = (0..100).fold(serde_json::json!("leaf"), |acc, _| serde_json::json!([acc]));
    let answer = default_set().review_json(&review_with(
        serde_json::json!({"metadata": {"name": "x"}, "spec": {"containers": [], "deep": nested}}),
        "deep",
    ));
    assert!(answer["response"]["allowed"].is_boolean(), "{answer}");
}
