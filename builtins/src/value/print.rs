//! Printers: OPA value-dump / JSON-dump text, and Rego syntax.

use super::Value;

/// A string as `opa_json_writer_emit_string` writes it: `"` and `\`
/// escaped, bytes below 0x20 as `\n`, `\r`, `\t` or `\u00xx`, everything
/// else as is.
pub(crate) fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.push_str(s.get(start..i).unwrap_or(""));
        start = i + 1;
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\u00");
                out.push_str(&format!("{b:02x}"));
            }
        }
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

/// `opa_value_dump` (`literals`) or `opa_json_dump` (`!literals`).
pub(crate) fn write_text(v: &Value, out: &mut String, literals: bool) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_json_string(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_text(x, out, literals);
            }
            out.push(']');
        }
        Value::Set(s) => {
            if literals && s.is_empty() {
                out.push_str("set()");
                return;
            }
            out.push(if literals { '{' } else { '[' });
            for (i, x) in s.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_text(x, out, literals);
            }
            out.push(if literals { '}' } else { ']' });
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match k {
                    Value::String(_) => write_text(k, out, literals),
                    _ if literals => write_text(k, out, literals),
                    _ => {
                        let mut key = String::new();
                        write_text(k, &mut key, false);
                        write_json_string(&key, out);
                    }
                }
                out.push(':');
                write_text(x, out, literals);
            }
            out.push('}');
        }
    }
}

/// OPA's Go `Value.String()`.
pub(crate) fn write_rego(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&crate::gostr::quote(s, false)),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_rego(x, out);
            }
            out.push(']');
        }
        Value::Set(s) => {
            if s.is_empty() {
                out.push_str("set()");
                return;
            }
            out.push('{');
            for (i, x) in s.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_rego(x, out);
            }
            out.push('}');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_rego(k, out);
                out.push_str(": ");
                write_rego(x, out);
            }
            out.push('}');
        }
    }
}
