//! Native Rust implementations of OPA builtins, one module per family.
//!
//! Each family module has a `register(&mut Registry)` that inserts its
//! builtins with [`Served::Native`] (or [`Served::Gated`]); `register_all`
//! calls them all. Add a family: a module here plus one line in
//! `register_all`.

mod gojson;
mod jose;
mod jwt;
mod outside;
mod x509;

use crate::registry::Builtin;
use crate::{BuiltinError, EvalContext, Registry, Served, Value};
use std::sync::Arc;

pub(crate) mod sprintf;

/// Register every native builtin.
pub(crate) fn register_all(r: &mut Registry) {
    sprintf::register(r);
    jwt::register(r);
    outside::register(r);
    x509::register(r);
}

/// Insert one native builtin.
pub(crate) fn native<F>(r: &mut Registry, name: &str, arity: usize, f: F)
where
    F: Fn(&EvalContext, &[Value]) -> Result<Option<Value>, BuiltinError> + Send + Sync + 'static,
{
    r.insert(Builtin::new(name, arity, Served::Native, Arc::new(f)));
}

/// Enable the capability-gated builtins `caps` turns on.
pub(crate) fn enable_capabilities(r: &mut Registry, caps: &crate::Capabilities) {
    outside::enable(r, caps);
}
