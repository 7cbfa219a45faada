//! OPA's conversion of `vars` to Go values: `ast.As` prints the object
//! with Go's `Value.String()` and decodes that text with `encoding/json`
//! (numbers as `json.Number`). Text that is not JSON fails with the JSON
//! scanner's message: sets print as `{1, 2}` / `set()`, non-string keys
//! print bare, and strings are `strconv.Quote`d, whose `\a`, `\v`, `\x..`
//! and `\U........` escapes JSON rejects.

use super::value::{Conc, Elem, GoMap, Slice};
use crate::Value;
use std::collections::BTreeMap;
use std::rc::Rc;

fn invalid_char(c: char, context: &str) -> String {
    let shown = match c {
        '\'' => "'\\''".to_string(),
        '"' => "'\"'".to_string(),
        c => {
            let q = super::value::quote(&c.to_string());
            format!("'{}'", q.trim_start_matches('"').trim_end_matches('"'))
        }
    };
    format!("invalid character {shown} {context}")
}

/// The first character of a value's Go text.
fn first_char(v: &Value) -> char {
    match v {
        Value::Null => 'n',
        Value::Bool(true) => 't',
        Value::Bool(false) => 'f',
        Value::Number(n) => n.to_string().chars().next().unwrap_or('0'),
        Value::String(_) => '"',
        Value::Array(_) => '[',
        Value::Object(_) => '{',
        Value::Set(s) if s.is_empty() => 's',
        Value::Set(_) => '{',
    }
}

/// A string's quoted form must be valid JSON: the first escape JSON
/// rejects is the error.
fn check_string(s: &str) -> Result<(), String> {
    for c in s.chars() {
        if crate::gostr::is_print(c) {
            continue;
        }
        let bad = match c {
            '\u{7}' => 'a',
            '\u{b}' => 'v',
            '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => continue,
            c if (c as u32) < 0x20 || c == '\u{7f}' => 'x',
            c if (c as u32) < 0x10000 => continue,
            _ => 'U',
        };
        return Err(invalid_char(bad, "in string escape code"));
    }
    Ok(())
}

/// An object key (or the first element of a set, which JSON reads as a
/// key).
fn check_key(k: &Value) -> Result<(), String> {
    match k {
        Value::String(s) => check_string(s),
        other => Err(invalid_char(
            first_char(other),
            "looking for beginning of object key string",
        )),
    }
}

/// The error `encoding/json` reports for `v`'s Go text, if any.
fn check(v: &Value) -> Result<(), String> {
    match v {
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
        Value::String(s) => check_string(s),
        Value::Array(a) => a.iter().try_for_each(check),
        Value::Object(o) => o.iter().try_for_each(|(k, v)| {
            check_key(k)?;
            check(v)
        }),
        Value::Set(s) => {
            let Some(first) = s.iter().next() else {
                return Err(invalid_char('s', "looking for beginning of value"));
            };
            check_key(first)?;
            let next = if s.len() > 1 { ',' } else { '}' };
            Err(invalid_char(next, "after object key"))
        }
    }
}

fn to_go(v: &Value) -> Elem {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => Conc::Bool(*b),
        Value::Number(n) => Conc::Num(n.to_string().into_bytes().into()),
        Value::String(s) => Conc::Str(s.as_bytes().into()),
        Value::Array(a) => Conc::Slice(Slice::decoded(a.iter().map(to_go).collect())),
        Value::Object(o) => Conc::Map(Rc::new(to_map(o.iter()))),
        // Unreachable after `check`.
        Value::Set(_) => return None,
    })
}

fn to_map<'a>(entries: impl Iterator<Item = (&'a Value, &'a Value)>) -> GoMap {
    entries
        .filter_map(|(k, v)| Some((k.as_str()?.as_bytes().to_vec(), to_go(v))))
        .collect()
}

/// The Go value OPA executes the template with (the decoded `vars`
/// object), or the JSON decoder's error text.
pub(super) fn convert(vars: &BTreeMap<Value, Value>) -> Result<Conc, String> {
    vars.iter().try_for_each(|(k, v)| {
        check_key(k)?;
        check(v)
    })?;
    Ok(Conc::Map(Rc::new(to_map(vars.iter()))))
}
