//! The OPA Wasm ABI host on wasmtime.
