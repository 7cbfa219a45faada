//! Host builtins from a [`Registry`] as regorus extensions.
//!
//! regorus resolves a call in this order: user functions, `with`
//! replacements, extensions, `print`, its own builtins. An extension
//! registered under a builtin's name (e.g. `sprintf`) therefore overrides
//! regorus's implementation, which is what we want for builtins the
//! registry serves natively (OPA-exact) or that the embedder registered.
//!
//! Builtins served by [`Served::RegorusFallback`] are regorus's own and are
//! not registered (that would be a loop). A few names regorus treats
//! specially (`print`, `walk`) are never overridden.
//!
//! The per-evaluation [`EvalContext`] (frozen clock, RNG seed, cache,
//! strictness) reaches the extension through a thread-local set for the
//! duration of one evaluation: regorus evaluates synchronously on the
//! calling thread, so this is exact even when engines are cloned or pooled.

use super::convert::{from_regorus, to_regorus};
use regowasm_builtins::{Builtin, EvalContext, Registry, Served};
use std::cell::RefCell;
use std::sync::Arc;

/// Names regorus implements inside the interpreter (not as plain
/// builtins); overriding them would change evaluation itself.
const RESERVED: &[&str] = &["print", "internal.print", "walk"];

thread_local! {
    static CURRENT: RefCell<Option<Arc<EvalContext>>> = const { RefCell::new(None) };
}

/// Makes a context current on this thread until dropped (restoring the
/// previous one, so nested evaluations are fine).
pub(crate) struct ContextGuard {
    prev: Option<Arc<EvalContext>>,
}

impl ContextGuard {
    pub(crate) fn enter(ctx: Arc<EvalContext>) -> ContextGuard {
        let prev = CURRENT.with(|c| c.replace(Some(ctx)));
        ContextGuard { prev }
    }
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        CURRENT.with(|c| *c.borrow_mut() = prev);
    }
}

fn current_context(strict: bool) -> Arc<EvalContext> {
    CURRENT.with(|c| c.borrow().clone()).unwrap_or_else(|| {
        let mut ctx = EvalContext::new();
        ctx.set_strict(strict);
        Arc::new(ctx)
    })
}

/// Whether a registry builtin is handed to regorus as an extension.
pub(crate) fn is_extension(b: &Builtin) -> bool {
    matches!(b.served(), Served::Native | Served::Custom | Served::Gated)
        && !RESERVED.contains(&b.name())
        && u8::try_from(b.arity()).is_ok()
}

/// The builtin names that will be registered as extensions.
pub(crate) fn extension_names(registry: &Registry) -> Vec<String> {
    registry
        .iter()
        .filter(|b| is_extension(b))
        .map(|b| b.name().to_string())
        .collect()
}

/// Register every eligible registry builtin on the engine.
pub(crate) fn register(
    engine: &mut regorus::Engine,
    registry: &Registry,
    strict: bool,
) -> anyhow::Result<()> {
    for b in registry.iter().filter(|b| is_extension(b)) {
        let nargs = u8::try_from(b.arity())?;
        let builtin = b.clone();
        let ext = move |args: Vec<regorus::Value>| -> anyhow::Result<regorus::Value> {
            call(&builtin, strict, &args)
        };
        engine.add_extension(b.name().to_string(), nargs, Box::new(ext))?;
    }
    Ok(())
}

fn call(
    builtin: &Builtin,
    strict: bool,
    args: &[regorus::Value],
) -> anyhow::Result<regorus::Value> {
    let ctx = current_context(strict);
    let mut converted = Vec::with_capacity(args.len());
    for a in args {
        match from_regorus(a)? {
            Some(v) => converted.push(v),
            None => return Ok(regorus::Value::Undefined),
        }
    }
    match builtin.call(&ctx, &converted) {
        Ok(Some(v)) => Ok(to_regorus(&v)?),
        Ok(None) => Ok(regorus::Value::Undefined),
        // OPA's error text carries the code (`eval_type_error: ...`).
        Err(e) if ctx.strict() || e.is_fatal() => {
            Err(anyhow::anyhow!("{}: {}", e.opa_code(), e.opa_message()))
        }
        Err(e) => {
            tracing::debug!(builtin = builtin.name(), error = %e, "builtin error (undefined)");
            Ok(regorus::Value::Undefined)
        }
    }
}
