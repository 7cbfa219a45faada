//! The regorus fallback: OPA builtins without a native implementation are
//! evaluated by the regorus interpreter, through its public `Engine` API.
//!
//! For builtin `name` of arity `n`, a tiny policy
//! `package __rw_fallback  x := name(input[0], ..., input[n-1])` is
//! compiled once per thread and builtin, the arguments are passed as the
//! input array, and rule `x` is read back (undefined → `Ok(None)`).
//! regorus runs with strict builtin errors so that a failure reaches the
//! caller as a [`BuiltinError`], which then applies OPA's semantics
//! (undefined unless strict).

use crate::registry::Builtin;
use crate::regorus_conv::{from_regorus, to_regorus};
use crate::{BuiltinError, Registry, Served, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

thread_local! {
    static ENGINES: RefCell<HashMap<String, regorus::Engine>> = RefCell::new(HashMap::new());
}

/// Names and arities of the builtins regorus implements (its builtin
/// table, published under `regorus::unstable`).
pub fn regorus_builtins() -> Vec<(&'static str, usize)> {
    let mut v: Vec<(&'static str, usize)> = regorus::unstable::BUILTINS
        .iter()
        .map(|(name, f)| (*name, usize::from(f.1)))
        .collect();
    v.sort_unstable();
    v
}

fn engine_for(name: &str, arity: usize) -> Result<regorus::Engine, BuiltinError> {
    let args: Vec<String> = (0..arity).map(|i| format!("input[{i}]")).collect();
    let policy = format!(
        "package __rw_fallback\n\nx := {name}({})\n",
        args.join(", ")
    );
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    engine
        .add_policy("__rw_fallback.rego".into(), policy)
        .map_err(|e| BuiltinError::failed(name, format!("regorus fallback: {e}")))?;
    Ok(engine)
}

/// Evaluate `name(args)` through regorus.
pub fn call(name: &str, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    ENGINES.with(|cell| {
        let mut engines = cell.borrow_mut();
        if !engines.contains_key(name) {
            let e = engine_for(name, args.len())?;
            engines.insert(name.to_string(), e);
        }
        let engine = engines
            .get_mut(name)
            .ok_or_else(|| BuiltinError::failed(name, "regorus fallback unavailable"))?;
        engine.set_input(to_regorus(&Value::array(args.to_vec())));
        // A panic inside regorus on hostile arguments becomes this call's
        // error; the engine is dropped, not reused.
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            engine.eval_rule("data.__rw_fallback.x".into())
        }));
        match out {
            Ok(Ok(out)) => Ok(from_regorus(&out)),
            Ok(Err(e)) => Err(BuiltinError::failed(
                name,
                clean_message(name, &e.to_string()),
            )),
            Err(_) => {
                engines.remove(name);
                Err(BuiltinError::failed(
                    name,
                    "internal error in the regorus implementation (it panicked)",
                ))
            }
        }
    })
}

/// regorus prefixes errors with source locations of the generated
/// policy; keep the message itself.
fn clean_message(name: &str, msg: &str) -> String {
    let last = msg
        .lines()
        .rev()
        .find(|l| l.contains("error:"))
        .map(|l| l.rsplit("error:").next().unwrap_or(l).trim().to_string())
        .unwrap_or_else(|| msg.trim().to_string());
    last.strip_prefix(&format!("{name}: "))
        .map(str::to_string)
        .unwrap_or(last)
}

/// Register the fallback for every regorus builtin not already served.
pub(crate) fn register_missing(r: &mut Registry) {
    for (name, arity) in regorus_builtins() {
        if r.get(name).is_some() {
            continue;
        }
        let owned = name.to_string();
        r.insert(Builtin::new(
            name,
            arity,
            Served::RegorusFallback,
            Arc::new(move |_, args| call(&owned, args)),
        ));
    }
}
