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
mod x509_constraints;

use crate::registry::Builtin;
use crate::{BuiltinError, EvalContext, Registry, Served, Value};
use std::sync::Arc;

mod aws;
mod checked;
mod crypto;
mod deprecated;
mod encoding;
mod fastjson;
mod globs;
mod gojsonschema;
mod goprintf;
mod gotemplate;
mod gotime;
mod goyaml;
mod graphql;
mod http_client;
mod jsonx;
mod misc;
mod net;
mod parse_module;
mod regexes;
mod semver;
pub(crate) mod sprintf;
mod time;
mod units;
mod yaml_decode;
mod yaml_events;

/// Register every native builtin.
pub(crate) fn register_all(r: &mut Registry) {
    sprintf::register(r);
    checked::register(r);
    aws::register(r);
    jwt::register(r);
    outside::register(r);
    x509::register(r);
    crypto::register(r);
    deprecated::register(r);
    encoding::register(r);
    jsonx::register(r);
    misc::register(r);
    net::register(r);
    parse_module::register(r);
    regexes::register(r);
    globs::register(r);
    semver::register(r);
    graphql::register(r);
    time::register(r);
    units::register(r);
    gotemplate::register(r);
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

/// A number value from its decimal text (exact once the value model
/// holds big numbers exactly); `None` when the value model cannot hold it.
pub(crate) fn try_number_value(text: &str) -> Option<Value> {
    match Value::parse_text(text) {
        Ok(v @ Value::Number(_)) => Some(v),
        _ => text
            .parse::<f64>()
            .ok()
            .and_then(crate::Number::from_f64)
            .map(Value::Number),
    }
}

/// [`try_number_value`] for text known to be a representable number.
pub(crate) fn number_value(text: &str) -> Value {
    try_number_value(text).unwrap_or_else(|| Value::int(0))
}

/// Go's `strconv.Quote` (how OPA quotes strings in error messages).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if go_is_print(c) => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint`.
fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF | 0xF0000..=0x10FFFF)
}

/// Operand `pos` (0-based) as an `i64` integer, with OPA's type error for
/// non-integers (`operand N must be integer number but got
/// floating-point number`).
pub(crate) fn int_operand(name: &str, a: &[Value], pos: usize) -> Result<i64, BuiltinError> {
    let n = crate::args::number(name, a, pos)?;
    match n.as_i64() {
        Some(i) => Ok(i),
        None if n.is_integer() => Err(BuiltinError::failed(
            name,
            format!("operand {} must be a 64-bit integer", pos + 1),
        )),
        None => Err(BuiltinError::Type {
            name: name.to_string(),
            pos: pos + 1,
            expected: "integer number".to_string(),
            got: "floating-point number".to_string(),
        }),
    }
}
