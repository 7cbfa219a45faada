//! Go `encoding/json` behaviour that OPA's builtins expose: the compact,
//! key-sorted, HTML-escaping marshalling of `json.Marshal`, and the syntax
//! error messages of its scanner (`invalid character 'x' after object key`).

use crate::Value;
use std::fmt::Write as _;

/// `json.Marshal` of `ast.JSON(v)`: compact, object keys sorted, sets as
/// arrays, `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub(crate) fn marshal(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(a) => write_seq(out, a.iter()),
        Value::Set(s) => write_seq(out, s.iter()),
        Value::Object(o) => {
            let mut entries: Vec<(String, &Value)> = o
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::String(s) => s.to_string(),
                        other => marshal(other),
                    };
                    (key, v)
                })
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, v);
            }
            out.push('}');
        }
    }
}

fn write_seq<'a>(out: &mut String, items: impl Iterator<Item = &'a Value>) {
    out.push('[');
    for (i, v) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_value(out, v);
    }
    out.push(']');
}

/// A JSON string literal as Go's encoder writes it (HTML-safe).
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `quoteChar`: how the scanner names an offending byte.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        c if c.is_ascii() => {
            let q = format!("{:?}", c as char);
            // Rust's char Debug is close to Go's strconv.Quote for ASCII;
            // Go writes control characters as \x.. where Rust writes \u{..}.
            if c < 0x20 && !matches!(c, b'\n' | b'\r' | b'\t') {
                format!("'\\x{c:02x}'")
            } else {
                q
            }
        }
        c => format!("'\\x{c:02x}'"),
    }
}

/// Check `text` as Go's `json.Valid` / `json.Unmarshal` would, returning the
/// scanner's error message on invalid input.
pub(crate) fn validate(text: &[u8]) -> Result<(), String> {
    let mut p = Scanner { b: text, i: 0 };
    p.ws();
    p.value(0)?;
    p.ws();
    match p.peek() {
        None => Ok(()),
        Some(c) => Err(format!(
            "invalid character {} after top-level value",
            quote_char(c)
        )),
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

const EOF: &str = "unexpected end of JSON input";
const MAX_DEPTH: usize = 10_000;

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek();
        self.i += 1;
        c
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn bad(c: u8, ctx: &str) -> String {
        format!("invalid character {} {ctx}", quote_char(c))
    }
    fn value(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("exceeded max depth".to_string());
        }
        let Some(c) = self.peek() else {
            return Err(EOF.to_string());
        };
        match c {
            b'{' => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    match self.peek() {
                        None => return Err(EOF.to_string()),
                        Some(b'"') => self.string()?,
                        Some(c) => {
                            return Err(Self::bad(c, "looking for beginning of object key string"));
                        }
                    }
                    self.ws();
                    match self.next() {
                        None => return Err(EOF.to_string()),
                        Some(b':') => {}
                        Some(c) => return Err(Self::bad(c, "after object key")),
                    }
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.next() {
                        None => return Err(EOF.to_string()),
                        Some(b',') => continue,
                        Some(b'}') => return Ok(()),
                        Some(c) => return Err(Self::bad(c, "after object key:value pair")),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.next() {
                        None => return Err(EOF.to_string()),
                        Some(b',') => continue,
                        Some(b']') => return Ok(()),
                        Some(c) => return Err(Self::bad(c, "after array element")),
                    }
                }
            }
            b'"' => self.string(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            c => Err(Self::bad(c, "looking for beginning of value")),
        }
    }
    fn literal(&mut self, word: &[u8]) -> Result<(), String> {
        let name = String::from_utf8_lossy(word).to_string();
        for (k, want) in word.iter().enumerate() {
            match self.next() {
                None => return Err(EOF.to_string()),
                Some(c) if c == *want => {}
                Some(c) => {
                    let _ = k;
                    return Err(format!(
                        "invalid character {} in literal {name} (expecting {})",
                        quote_char(c),
                        quote_char(*want)
                    ));
                }
            }
        }
        Ok(())
    }
    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }
    fn number(&mut self) -> Result<(), String> {
        if self.peek() == Some(b'-') {
            self.i += 1;
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(b'0'..=b'9') => {}
                Some(c) => return Err(Self::bad(c, "in numeric literal")),
            }
        }
        if self.peek() == Some(b'0') {
            self.i += 1;
        } else {
            self.digits();
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(b'0'..=b'9') => {
                    self.digits();
                }
                Some(c) => return Err(Self::bad(c, "after decimal point in numeric literal")),
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(b'0'..=b'9') => {
                    self.digits();
                }
                Some(c) => return Err(Self::bad(c, "in exponent of numeric literal")),
            }
        }
        Ok(())
    }
    fn string(&mut self) -> Result<(), String> {
        self.i += 1; // opening quote
        loop {
            match self.next() {
                None => return Err(EOF.to_string()),
                Some(b'"') => return Ok(()),
                Some(b'\\') => match self.next() {
                    None => return Err(EOF.to_string()),
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                    Some(b'u') => {
                        for _ in 0..4 {
                            match self.next() {
                                None => return Err(EOF.to_string()),
                                Some(c) if c.is_ascii_hexdigit() => {}
                                Some(c) => {
                                    return Err(Self::bad(
                                        c,
                                        "in \\u hexadecimal character escape",
                                    ));
                                }
                            }
                        }
                    }
                    Some(c) => return Err(Self::bad(c, "in string escape code")),
                },
                Some(c) if c < 0x20 => return Err(Self::bad(c, "in string literal")),
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn go_scanner_messages() {
        assert_eq!(
            validate(b"{\"typ:\"JWT\"}").unwrap_err(),
            "invalid character 'J' after object key"
        );
        assert_eq!(validate(b"").unwrap_err(), "unexpected end of JSON input");
        assert_eq!(
            validate(b"nul").unwrap_err(),
            "unexpected end of JSON input"
        );
        assert_eq!(
            validate(b"nulx").unwrap_err(),
            "invalid character 'x' in literal null (expecting 'l')"
        );
        assert_eq!(
            validate(b"{} x").unwrap_err(),
            "invalid character 'x' after top-level value"
        );
        assert!(validate(b" {\"a\": [1, -2.5e3, true, null, \"\\u00e9\"]} ").is_ok());
    }

    #[test]
    fn marshal_sorts_and_escapes() {
        let v = Value::from_json_str(r#"{"b": "<&>", "a": [1, {"d": null, "c": true}]}"#).unwrap();
        assert_eq!(
            marshal(&v),
            r#"{"a":[1,{"c":true,"d":null}],"b":"\u003c\u0026\u003e"}"#
        );
    }
}
