//! The compliance runner's Wasm executor on regowasm's Wasm engine, with
//! the runtime's hand-written ABI module standing in for an
//! `opa build -t wasm` output (there is no `opa` here).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use regowasm_compat::compliance::{
    Outcome, WRAPPER_ENTRYPOINT, runtime_executor, wasm_result_to_outcome,
};
use serde_json::json;

#[path = "../../runtime/tests/support/abi_module.rs"]
mod abi_module;

/// The runtime's test module, with its `a/b` entrypoint (which returns
/// `data`) renamed to the runner's wrapper entrypoint.
fn module() -> Vec<u8> {
    let renamed = format!("\\\"{WRAPPER_ENTRYPOINT}\\\":13");
    abi_module::abi_module_with(1, 3, &[], &[("\\\"a/b\\\":13", &renamed)])
}

#[test]
fn the_executor_runs_a_module_with_the_cases_data() {
    let mut exec = runtime_executor();
    let data = json!({"result_rows": [{"x": 1}]});
    let result_set = exec(&module(), &data, None).unwrap();
    assert_eq!(result_set, json!([{"result": data}]));
    // The wrapper's result is the array of binding rows.
    let rows = json!([{"result": [{"x": 1}, {"x": 2}]}]);
    match wasm_result_to_outcome(&rows) {
        Outcome::Results(r) => assert_eq!(r.len(), 2),
        other => panic!("{other:?}"),
    }
    // A module that is not one is an error, not a panic.
    assert!(exec(b"not wasm", &data, None).is_err());
}
