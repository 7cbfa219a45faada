//! The OPA v1.20.2 differential oracle (contract; implemented by the
//! compat work).
//!
//! OPA's evaluator ships as `libopabridge.so` in the PyPI wheel
//! `opa-golib-python-bindings==0.4.4` (`compat-tests/oracle/setup.sh` puts
//! it in `compat-tests/oracle/lib/`). It is loaded in a helper process of
//! its own (never beside wasmtime: both install signal handlers) and spoken
//! to over JSON lines.
