//! OPA's builtin catalogue against the registry: every builtin OPA's Wasm
//! compiler leaves to the host is in the catalogue and served with OPA's
//! arity, and the published `capabilities.json` is what the registry
//! generates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use regowasm_builtins::catalogue::{
    self, OPA_VERSION, RegoServing, WASM_HOST_BUILTINS, WasmServing, capabilities_document,
    coverage, opa_catalogue,
};
use regowasm_builtins::{Registry, Served};
use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn catalogue_is_opa_v1_20_2() {
    let c = opa_catalogue().unwrap();
    assert_eq!(c.opa_version, OPA_VERSION);
    assert_eq!(c.builtins.len(), 206);
    let names: BTreeSet<&str> = c.builtins.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names.len(), c.builtins.len(), "duplicate names");
    for name in WASM_HOST_BUILTINS {
        assert!(names.contains(name), "{name} is not in OPA's catalogue");
    }
    let sprintf = c.builtins.iter().find(|b| b.name == "sprintf").unwrap();
    assert_eq!(sprintf.arity(), 2);
    assert!(
        c.builtins
            .iter()
            .any(|b| b.name == "plus" && b.infix.as_deref() == Some("+"))
    );
}

#[test]
fn host_builtins_have_opa_arities() {
    let registry = Registry::with_defaults();
    let c = opa_catalogue().unwrap();
    let mut wrong = Vec::new();
    for b in &c.builtins {
        if let Some(r) = registry.get(&b.name)
            && r.arity() != b.arity()
        {
            wrong.push(format!("{}: ours {}, OPA {}", b.name, r.arity(), b.arity()));
        }
    }
    assert!(wrong.is_empty(), "arity differs from OPA: {wrong:?}");
}

#[test]
fn coverage_classifies_both_paths() {
    let rows = coverage(&Registry::with_defaults()).unwrap();
    let find = |n: &str| rows.iter().find(|r| r.builtin.name == n).unwrap();
    assert_eq!(find("count").wasm, WasmServing::InModule);
    assert_eq!(find("sprintf").wasm, WasmServing::Host(Served::Native));
    assert_eq!(find("sprintf").rego, RegoServing::Host(Served::Native));
    assert_eq!(find("http.send").wasm, WasmServing::Host(Served::Gated));
    assert_eq!(find("plus").rego, RegoServing::Interpreter);
    assert_eq!(find("count").rego, RegoServing::Regorus);
    let host = rows
        .iter()
        .filter(|r| r.wasm != WasmServing::InModule)
        .count();
    assert_eq!(host, WASM_HOST_BUILTINS.len());
}

#[test]
fn custom_builtin_shows_as_custom() {
    let mut registry = Registry::with_defaults();
    registry.register("units.parse", 1, |_, _| Ok(None));
    let rows = coverage(&registry).unwrap();
    let row = rows
        .iter()
        .find(|r| r.builtin.name == "units.parse")
        .unwrap();
    assert_eq!(row.wasm, WasmServing::Host(Served::Custom));
}

#[test]
fn capabilities_leave_out_what_is_not_served() {
    let mut registry = Registry::with_defaults();
    let full = capabilities_document(&registry, true).unwrap();
    let names = |doc: &serde_json::Value| -> BTreeSet<String> {
        doc["builtins"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap().to_string())
            .collect()
    };
    let with_gated = names(&full);
    assert!(with_gated.contains("http.send"));
    assert!(with_gated.contains("count"));
    let without = names(&capabilities_document(&registry, false).unwrap());
    assert!(!without.contains("http.send"));
    assert!(without.contains("sprintf"));
    // A registry without sprintf: the document must not promise it.
    let mut bare = Registry::empty();
    for b in registry.iter() {
        if b.name() != "sprintf" {
            bare.insert(b.clone());
        }
    }
    registry = bare;
    assert!(!names(&capabilities_document(&registry, false).unwrap()).contains("sprintf"));
    let abi = full["wasm_abi_versions"].as_array().unwrap();
    assert_eq!(abi.len(), catalogue::WASM_ABI_VERSIONS.len());
    assert_eq!(
        abi[0],
        serde_json::json!({"version": 1, "minor_version": 0})
    );
}

/// `builtins/capabilities.json` is generated: rerun
/// `regowasm capabilities -o builtins/capabilities.json` when it differs.
#[test]
fn published_capabilities_are_generated() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities.json");
    let published: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let generated = capabilities_document(&Registry::with_defaults(), false).unwrap();
    assert!(
        published == generated,
        "{} is stale: run `cargo run -- capabilities -o builtins/capabilities.json`",
        path.display()
    );
}

/// Every builtin OPA v1.20.2's Wasm compiler leaves to the host is served
/// (natively, or behind a capability), none through the regorus fallback.
#[test]
fn every_wasm_host_builtin_is_served_natively() {
    let rows = coverage(&Registry::with_defaults()).unwrap();
    let not_native: Vec<String> = rows
        .iter()
        .filter(|r| {
            !matches!(
                r.wasm,
                WasmServing::InModule
                    | WasmServing::Host(Served::Native)
                    | WasmServing::Host(Served::Gated)
            )
        })
        .map(|r| format!("{}: {}", r.builtin.name, r.wasm))
        .collect();
    assert!(not_native.is_empty(), "{not_native:?}");
    let gated: Vec<&str> = rows
        .iter()
        .filter(|r| r.wasm == WasmServing::Host(Served::Gated))
        .map(|r| r.builtin.name.as_str())
        .collect();
    assert_eq!(gated, ["http.send", "net.lookup_ip_addr", "opa.runtime"]);
}
