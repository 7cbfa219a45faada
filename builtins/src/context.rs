//! Per-evaluation state for builtins.

use crate::Value;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// State that lives for one policy evaluation, as in OPA: a frozen clock
/// (`time.now_ns` returns the same value throughout), a seed for `rand.*`
/// and `uuid.rfc4122`, a cache so such builtins return the same value for
/// the same arguments, and captured `print` output.
#[derive(Debug)]
pub struct EvalContext {
    now_ns: i64,
    seed: u64,
    strict: bool,
    cache: Mutex<HashMap<(String, Vec<Value>), Value>>,
    prints: Mutex<Vec<String>>,
}

impl Default for EvalContext {
    fn default() -> Self {
        EvalContext::new()
    }
}

impl EvalContext {
    /// A context with the clock frozen at the current time and a seed
    /// derived from it.
    pub fn new() -> EvalContext {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        EvalContext::with_clock(now, now.unsigned_abs())
    }

    /// A context with a given clock (ns since the Unix epoch) and RNG seed,
    /// for reproducible evaluations.
    pub fn with_clock(now_ns: i64, seed: u64) -> EvalContext {
        EvalContext {
            now_ns,
            seed,
            strict: false,
            cache: Mutex::new(HashMap::new()),
            prints: Mutex::new(Vec::new()),
        }
    }

    /// Turn strict builtin errors on or off (off by default, as in OPA).
    pub fn set_strict(&mut self, strict: bool) {
        self.strict = strict;
    }

    /// Whether builtin errors abort evaluation (`true`) or make the
    /// expression undefined (`false`).
    pub fn strict(&self) -> bool {
        self.strict
    }

    /// The frozen evaluation time, in ns since the Unix epoch.
    pub fn now_ns(&self) -> i64 {
        self.now_ns
    }

    /// The RNG seed of this evaluation.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Return the cached value for `(name, args)`, computing and caching
    /// it on first use. Used by non-deterministic builtins.
    pub fn cached<E>(
        &self,
        name: &str,
        args: &[Value],
        compute: impl FnOnce() -> Result<Value, E>,
    ) -> Result<Value, E> {
        let key = (name.to_string(), args.to_vec());
        if let Some(v) = self.cache.lock().get(&key) {
            return Ok(v.clone());
        }
        let v = compute()?;
        self.cache.lock().insert(key, v.clone());
        Ok(v)
    }

    /// Record one line of `print` output.
    pub fn print(&self, line: impl Into<String>) {
        self.prints.lock().push(line.into());
    }

    /// Take the `print` output recorded so far.
    pub fn take_prints(&self) -> Vec<String> {
        std::mem::take(&mut *self.prints.lock())
    }
}
