//! How the admission layer asks an engine for a decision.
//!
//! The admission code knows nothing about how a policy is executed: it
//! calls an [`Evaluator`] with an entrypoint, an input and (optionally) an
//! extra data document, and gets the entrypoint's value back (`None` when
//! undefined). Rego source runs on regorus ([`RegoEvaluator`]); a policy may
//! also run on a [`crate::Policy`] (compiled module), and in shadow mode on
//! both, with the compiled engine deciding.

use super::doc::{Doc, Input};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

/// Which engine evaluates a policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    /// The compiled module when one is given, the Rego source otherwise.
    #[default]
    Auto,
    /// Always the Rego source (regorus).
    Rego,
    /// Always the compiled module.
    Wasm,
    /// Both: the compiled module decides, the Rego source runs alongside
    /// and disagreements are logged.
    Shadow,
}

/// What happens when a policy cannot be evaluated (error, trap, deadline,
/// missing builtin, malformed result).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailurePolicy {
    /// Deny the request, naming the cause (the default).
    #[default]
    Fail,
    /// Allow the request; the cause is returned as a warning.
    Ignore,
}

impl FailurePolicy {
    /// Parse `Fail` / `Ignore` (case-insensitive).
    pub fn parse(s: &str) -> Result<FailurePolicy, String> {
        match s.to_ascii_lowercase().as_str() {
            "fail" => Ok(FailurePolicy::Fail),
            "ignore" => Ok(FailurePolicy::Ignore),
            other => Err(format!(
                "failurePolicy must be Fail or Ignore, not {other:?}"
            )),
        }
    }
}

/// Evaluates an entrypoint of a loaded policy.
pub(crate) trait Evaluator: Send + Sync + fmt::Debug {
    /// The value of `entrypoint` (a `data.` path) for `input`, with `data`
    /// merged into the data document for this evaluation only. `Ok(None)`
    /// when undefined.
    fn evaluate(
        &self,
        entrypoint: &str,
        input: &Input<'_>,
        data: Option<&Doc>,
    ) -> Result<Option<Value>, String>;

    /// A short name of the engine, for messages (`rego`, `wasm`).
    fn engine_name(&self) -> &'static str;
}

/// Which Rego syntax a module is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum RegoVersion {
    /// Try v1 first, then v0 (Gatekeeper's rule).
    #[default]
    Auto,
    /// Rego v0 (`violation[x] { ... }`).
    V0,
    /// Rego v1 (`violation contains x if { ... }`).
    V1,
}

impl RegoVersion {
    /// From a template's `source.version` (`v0`, `v1`, or absent).
    pub(crate) fn parse(s: Option<&str>) -> Result<RegoVersion, String> {
        match s {
            None | Some("") => Ok(RegoVersion::Auto),
            Some("v0") => Ok(RegoVersion::V0),
            Some("v1") => Ok(RegoVersion::V1),
            Some(other) => Err(format!("unknown Rego version {other:?} (want v0 or v1)")),
        }
    }
}

/// Rego source modules on the regorus interpreter.
#[derive(Clone)]
pub(crate) struct RegoEvaluator {
    engine: regorus::Engine,
}

impl fmt::Debug for RegoEvaluator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegoEvaluator").finish_non_exhaustive()
    }
}

/// Add one module to an engine in the requested syntax. Returns the
/// module's package path (`data.x.y`).
pub(crate) fn add_module(
    engine: &mut regorus::Engine,
    name: &str,
    source: &str,
    version: RegoVersion,
) -> Result<String, String> {
    let source = super::compat::separate_paren_lines(source);
    let attempt_v0 = |engine: &mut regorus::Engine| {
        engine.set_rego_v0(true);
        engine
            .add_policy(name.to_string(), source.clone())
            .or_else(|first| match super::compat::split_chained_bodies(&source) {
                Some(split) => engine.add_policy(name.to_string(), split),
                None => Err(first),
            })
    };
    let attempt_v1 = |engine: &mut regorus::Engine| {
        engine.set_rego_v0(false);
        engine.add_policy(name.to_string(), source.clone())
    };
    let result = match version {
        RegoVersion::V0 => attempt_v0(engine),
        RegoVersion::V1 => attempt_v1(engine),
        RegoVersion::Auto => match attempt_v1(engine) {
            Ok(p) => Ok(p),
            Err(v1_err) => attempt_v0(engine).map_err(|v0_err| {
                anyhow::anyhow!("{v0_err} (as Rego v1: {})", first_line(&v1_err.to_string()))
            }),
        },
    };
    result.map_err(|e| format!("{name}: {e}"))
}

/// The line of a regorus error that says what is wrong (`error: ...`).
pub(crate) fn first_line(s: &str) -> &str {
    s.lines()
        .map(str::trim)
        .find(|l| l.starts_with("error:"))
        .or_else(|| s.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or(s)
}

impl RegoEvaluator {
    /// Compile modules (`(name, source)`) with an optional base data
    /// document and an evaluation deadline. Returns the evaluator and the
    /// package path of each module, in order.
    pub(crate) fn compile(
        modules: &[(String, String)],
        version: RegoVersion,
        data: Option<&Value>,
        timeout: Duration,
    ) -> Result<(RegoEvaluator, Vec<String>), String> {
        let mut engine = regorus::Engine::new();
        engine.set_strict_builtin_errors(false);
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: timeout,
            check_interval: NonZeroU32::MIN,
        });
        crate::rego::lift_source_limits(&mut engine);
        // regowasm's builtins (OPA-exact, e.g. `sprintf`) override regorus's.
        let registry = crate::rego::default_registry();
        crate::rego::register_host_builtins(&mut engine, registry, false)
            .map_err(|e| e.to_string())?;
        let mut packages = Vec::with_capacity(modules.len());
        for (name, source) in modules {
            let source =
                crate::rego::prepare_module(name, source, registry).map_err(|e| e.to_string())?;
            packages.push(add_module(&mut engine, name, &source, version)?);
        }
        if let Some(data) = data {
            engine
                .add_data(regorus::Value::from(data.clone()))
                .map_err(|e| format!("data: {e}"))?;
        }
        Ok((RegoEvaluator { engine }, packages))
    }

    /// Evaluate once with an empty input so that clones start from an
    /// analysed engine. The result is irrelevant.
    pub(crate) fn warm_up(&mut self, entrypoint: &str) {
        let _ = self.engine.eval_rule(entrypoint.to_string());
    }
}

impl Evaluator for RegoEvaluator {
    fn evaluate(
        &self,
        entrypoint: &str,
        input: &Input<'_>,
        data: Option<&Doc>,
    ) -> Result<Option<Value>, String> {
        let mut engine = self.engine.clone();
        if let Some(data) = data {
            engine
                .add_data(data.rego())
                .map_err(|e| format!("adding data: {e}"))?;
        }
        engine.set_input(input.to_rego());
        let ctx = std::sync::Arc::new(regowasm_builtins::EvalContext::new());
        let value = crate::rego::with_eval_context(ctx, || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                engine.eval_rule(entrypoint.to_string())
            }))
            .unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "internal error: the Rego interpreter panicked"
                ))
            })
        })
        .map_err(|e| {
            let msg = e.to_string();
            if msg.contains("not a valid rule path") {
                format!("entrypoint {entrypoint} is not defined by the policy")
            } else {
                msg
            }
        })?;
        if value == regorus::Value::Undefined {
            return Ok(None);
        }
        serde_json::to_value(&value)
            .map(Some)
            .map_err(|e| format!("result is not JSON: {e}"))
    }

    fn engine_name(&self) -> &'static str {
        "rego"
    }
}

/// A policy evaluated through the shared [`crate::Policy`] API (e.g. an
/// OPA-compiled Wasm module). The extra data document is not supported by
/// that API: a policy that needs it must run on its Rego source.
#[derive(Debug)]
pub(crate) struct CompiledEvaluator {
    pub(crate) policy: crate::Policy,
}

impl Evaluator for CompiledEvaluator {
    fn evaluate(
        &self,
        entrypoint: &str,
        input: &Input<'_>,
        data: Option<&Doc>,
    ) -> Result<Option<Value>, String> {
        if data.is_some_and(|d| d.json().as_object().is_some_and(|o| !o.is_empty())) {
            return Err("this compiled policy cannot receive per-request data (data.inventory); run it on its Rego source".to_string());
        }
        let entry = entrypoint
            .strip_prefix("data.")
            .unwrap_or(entrypoint)
            .replace('.', "/");
        let eval = self
            .policy
            .eval(&entry, &crate::Value::from_serde(&input.to_json()))
            .map_err(|e| e.to_string())?;
        match eval.results.as_slice() {
            [] => Ok(None),
            [one] => match one.get("result") {
                Some(v) => Ok(Some(v.to_json())),
                None => Err(format!("malformed result set entry {one}")),
            },
            many => Err(format!(
                "entrypoint produced {} results, expected one",
                many.len()
            )),
        }
    }

    fn engine_name(&self) -> &'static str {
        "wasm"
    }
}

/// Runs a primary evaluator and a shadow one; the primary decides,
/// disagreements are logged.
#[derive(Debug)]
pub(crate) struct ShadowEvaluator {
    pub(crate) primary: Box<dyn Evaluator>,
    pub(crate) shadow: Box<dyn Evaluator>,
}

impl Evaluator for ShadowEvaluator {
    fn evaluate(
        &self,
        entrypoint: &str,
        input: &Input<'_>,
        data: Option<&Doc>,
    ) -> Result<Option<Value>, String> {
        let primary = self.primary.evaluate(entrypoint, input, data);
        let shadow = self.shadow.evaluate(entrypoint, input, data);
        if primary != shadow {
            tracing::warn!(
                entrypoint,
                primary = self.primary.engine_name(),
                shadow = self.shadow.engine_name(),
                primary_result = ?primary,
                shadow_result = ?shadow,
                "shadow evaluation disagrees"
            );
        }
        primary
    }

    fn engine_name(&self) -> &'static str {
        self.primary.engine_name()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    #[test]
    fn v0_and_v1_modules_compile_and_evaluate() {
        let modules = vec![
            (
                "a.rego".to_string(),
                "package a\nviolation[{\"msg\": m}] { m := input.x }".to_string(),
            ),
            (
                "b.rego".to_string(),
                "package b\nallow if input.x == \"ok\"".to_string(),
            ),
        ];
        let (ev, pkgs) =
            RegoEvaluator::compile(&modules, RegoVersion::Auto, None, Duration::from_secs(1))
                .unwrap();
        assert_eq!(pkgs, vec!["data.a", "data.b"]);
        let v = ev
            .evaluate("data.a.violation", &Input::Whole(&json!({"x": "hi"})), None)
            .unwrap();
        assert_eq!(v, Some(json!([{"msg": "hi"}])));
        assert_eq!(
            ev.evaluate("data.b.allow", &Input::Whole(&json!({"x": "no"})), None)
                .unwrap(),
            None
        );
        assert_eq!(
            ev.evaluate("data.b.allow", &Input::Whole(&json!({"x": "ok"})), None)
                .unwrap(),
            Some(json!(true))
        );
    }

    #[test]
    fn per_evaluation_data_is_visible_and_not_kept() {
        let modules = vec![(
            "a.rego".to_string(),
            "package a\nn := count(data.inventory.items)".to_string(),
        )];
        let (ev, _) =
            RegoEvaluator::compile(&modules, RegoVersion::V1, None, Duration::from_secs(1))
                .unwrap();
        let data = Doc::new(json!({"inventory": {"items": [1, 2, 3]}}));
        assert_eq!(
            ev.evaluate("data.a.n", &Input::Whole(&json!({})), Some(&data))
                .unwrap(),
            Some(json!(3))
        );
        assert_eq!(
            ev.evaluate("data.a.n", &Input::Whole(&json!({})), None)
                .unwrap(),
            None
        );
    }

    #[test]
    fn syntax_errors_name_the_module() {
        let modules = vec![(
            "broken.rego".to_string(),
            "package a\nviolation[ {".to_string(),
        )];
        let err = RegoEvaluator::compile(&modules, RegoVersion::Auto, None, Duration::from_secs(1))
            .unwrap_err();
        assert!(err.contains("broken.rego"), "{err}");
    }
}
