//! The builtin registry: name → implementation.

use crate::{BuiltinError, EvalContext, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A builtin implementation: arguments in, a value out (`Ok(None)` means
/// undefined).
pub type BuiltinFn =
    Arc<dyn Fn(&EvalContext, &[Value]) -> Result<Option<Value>, BuiltinError> + Send + Sync>;

/// How a builtin is served by this runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Served {
    /// A native Rust implementation in this crate.
    Native,
    /// Registered by the embedder.
    Custom,
    /// Evaluated through the regorus interpreter.
    RegorusFallback,
    /// Native, but behind a capability that is off by default.
    Gated,
}

impl fmt::Display for Served {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Served::Native => "host (Rust)",
            Served::Custom => "host (custom)",
            Served::RegorusFallback => "host (regorus fallback)",
            Served::Gated => "host (capability-gated)",
        })
    }
}

/// One registered builtin.
#[derive(Clone)]
pub struct Builtin {
    name: Arc<str>,
    arity: usize,
    served: Served,
    func: BuiltinFn,
}

impl fmt::Debug for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builtin")
            .field("name", &self.name)
            .field("arity", &self.arity)
            .field("served", &self.served)
            .finish()
    }
}

impl Builtin {
    /// A builtin from its parts.
    pub fn new(name: &str, arity: usize, served: Served, func: BuiltinFn) -> Builtin {
        Builtin {
            name: name.into(),
            arity,
            served,
            func,
        }
    }

    /// The builtin's name, e.g. `sprintf`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of arguments.
    pub fn arity(&self) -> usize {
        self.arity
    }

    /// How it is served.
    pub fn served(&self) -> Served {
        self.served
    }

    /// Call it. Checks the arity first.
    pub fn call(&self, ctx: &EvalContext, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
        if args.len() != self.arity {
            return Err(BuiltinError::Arity {
                name: self.name.to_string(),
                expected: self.arity,
                got: args.len(),
            });
        }
        (self.func)(ctx, args)
    }
}

/// Builtin name → implementation. Cheap to clone; `Send + Sync`.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    builtins: BTreeMap<Arc<str>, Builtin>,
}

impl Registry {
    /// An empty registry.
    pub fn empty() -> Registry {
        Registry::default()
    }

    /// The default registry: every native builtin, plus the regorus
    /// fallback for OPA builtins without a native implementation.
    pub fn with_defaults() -> Registry {
        let mut r = Registry::empty();
        crate::native::register_all(&mut r);
        crate::fallback::register_missing(&mut r);
        r
    }

    /// The default registry with the outside-world builtins that `caps`
    /// enables (`http.send`, `net.lookup_ip_addr`, `opa.runtime`); the
    /// others stay [`Served::Gated`].
    pub fn with_capabilities(caps: &crate::Capabilities) -> Registry {
        let mut r = Registry::with_defaults();
        crate::native::enable_capabilities(&mut r, caps);
        r
    }

    /// Insert a builtin, replacing any of the same name.
    pub fn insert(&mut self, builtin: Builtin) {
        self.builtins.insert(builtin.name.clone(), builtin);
    }

    /// Register an embedder's builtin (a closure by name and arity). It
    /// takes precedence over a default builtin of the same name.
    pub fn register<F>(&mut self, name: &str, arity: usize, func: F)
    where
        F: Fn(&EvalContext, &[Value]) -> Result<Option<Value>, BuiltinError>
            + Send
            + Sync
            + 'static,
    {
        self.insert(Builtin::new(name, arity, Served::Custom, Arc::new(func)));
    }

    /// The builtin of this name, if served.
    pub fn get(&self, name: &str) -> Option<&Builtin> {
        self.builtins.get(name)
    }

    /// Call a builtin by name.
    pub fn call(
        &self,
        ctx: &EvalContext,
        name: &str,
        args: &[Value],
    ) -> Result<Option<Value>, BuiltinError> {
        match self.get(name) {
            Some(b) => b.call(ctx, args),
            None => Err(BuiltinError::NotAvailable(name.to_string())),
        }
    }

    /// All registered builtins, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Builtin> {
        self.builtins.values()
    }
}
