//! `strings.render_template`: Go `text/template` rendering as OPA v1.20.2
//! does it.
//!
//! OPA decodes `vars` into Go values (`map[string]interface{}`, numbers as
//! `json.Number`, see [`vars`]), parses the template with a method-less
//! copy of Go's `text/template`, executes it with the default
//! `missingkey` option and replaces every `<no value>` in the output with
//! `<undefined>`. Errors carry Go's texts (`template: template:1: ...`
//! for parse errors, `template: template:1:2: executing "template" at
//! <...>: ...` for execution errors).
//!
//! Everything text/template offers without user functions is here: text,
//! comments, trim markers, pipelines, variables, `if`/`else if`/`with`/
//! `else with`/`range` (slices, maps in key order, integers, `break`,
//! `continue`, `else`), `define`/`template`/`block`, and the predefined
//! functions. Differences from Go, all resource bounds: execution nests
//! (template calls, control structures and parentheses together) at most
//! [`exec::MAX_NESTING`] deep — a template call past that fails with Go's
//! "exceeded maximum template depth (100000)" text, which is what an
//! unbounded recursion gets in OPA; parentheses and control structures
//! nest at most 100 deep in the source; output is capped at
//! [`exec::MAX_OUTPUT`] bytes and execution at [`exec::MAX_WORK`] steps.
//! `printf "%p"` (an address in Go) prints as a bad verb.

mod exec;
mod fmt;
mod funcs;
mod lex;
mod node;
mod num;
mod parse;
mod value;
mod vars;

use crate::native::native;
use crate::{BuiltinError, Registry, Value, args};
use std::collections::BTreeMap;

const NAME: &str = "strings.render_template";

/// Register `strings.render_template`.
pub(crate) fn register(r: &mut Registry) {
    native(r, NAME, 2, |_, a| {
        let template = args::string(NAME, a, 0)?;
        let vars = args::object(NAME, a, 1)?;
        render(template, vars).map(|s| Some(Value::string(s)))
    });
}

/// Render `template` over the `vars` object as OPA does.
pub(crate) fn render(
    template: &str,
    vars: &BTreeMap<Value, Value>,
) -> Result<String, BuiltinError> {
    let dot = vars::convert(vars).map_err(|e| BuiltinError::failed(NAME, e))?;
    let name = b"template";
    let set = parse::parse(name, template).map_err(|e| match e {
        parse::ParseError::Go(m) => BuiltinError::failed(NAME, m),
        parse::ParseError::Limit(m) => BuiltinError::Limit {
            name: NAME.to_string(),
            message: m,
        },
    })?;
    let out = exec::execute(&set, template, name, value::Val::C(dot)).map_err(|e| match e {
        exec::Flow::Limit(m) => BuiltinError::Limit {
            name: NAME.to_string(),
            message: m,
        },
        exec::Flow::Err(m) => BuiltinError::failed(NAME, m),
        exec::Flow::Break | exec::Flow::Continue => BuiltinError::failed(NAME, "unexpected break"),
    })?;
    Ok(value::to_utf8_lossy(&out).replace("<no value>", "<undefined>"))
}
