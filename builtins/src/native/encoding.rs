//! `hex.*`, `base64url.encode_no_pad` and `urlquery.*` with Go's
//! `encoding/hex`, `encoding/base64` and `net/url` semantics.

use super::{go_quote, native};
use crate::{BuiltinError, Registry, Value, args};
use base64::Engine;
use std::collections::BTreeMap;

/// Bytes as a Rego string (invalid UTF-8 replaced, as OPA's JSON does).
pub(crate) fn bytes_to_string(b: Vec<u8>) -> Value {
    match String::from_utf8(b) {
        Ok(s) => Value::string(s),
        Err(e) => Value::string(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Go's `%#U` of a byte taken as a rune.
fn go_sharp_u(b: u8) -> String {
    let c = char::from(b);
    if c.is_control() {
        format!("U+{:04X}", u32::from(b))
    } else {
        format!("U+{:04X} '{c}'", u32::from(b))
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Go's `hex.DecodeString`, with its error texts.
fn hex_decode(s: &[u8]) -> Result<Vec<u8>, String> {
    let invalid = |b: u8| format!("encoding/hex: invalid byte: {}", go_sharp_u(b));
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut pairs = s.chunks_exact(2);
    for pair in pairs.by_ref() {
        let (a, b) = match pair {
            [a, b] => (*a, *b),
            _ => continue,
        };
        let hi = hex_val(a).ok_or_else(|| invalid(a))?;
        let lo = hex_val(b).ok_or_else(|| invalid(b))?;
        out.push((hi << 4) | lo);
    }
    if let [last] = pairs.remainder() {
        if hex_val(*last).is_none() {
            return Err(invalid(*last));
        }
        return Err("encoding/hex: odd length hex string".into());
    }
    Ok(out)
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's `url.QueryUnescape`, with its error text.
pub(crate) fn query_unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    // Go validates every escape before decoding.
    while i < b.len() {
        if b.get(i) == Some(&b'%') {
            let ok = matches!((b.get(i + 1), b.get(i + 2)), (Some(x), Some(y)) if hex_val(*x).is_some() && hex_val(*y).is_some());
            if !ok {
                let end = (i + 3).min(b.len());
                let bad = String::from_utf8_lossy(b.get(i..end).unwrap_or(&[])).into_owned();
                return Err(format!("invalid URL escape {}", go_quote(&bad)));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'%' => {
                let hi = b.get(i + 1).and_then(|x| hex_val(*x)).unwrap_or(0);
                let lo = b.get(i + 2).and_then(|x| hex_val(*x)).unwrap_or(0);
                out.push((hi << 4) | lo);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Go's `url.ParseQuery`: all pairs, and the first error.
fn parse_query(q: &str) -> (BTreeMap<String, Vec<String>>, Option<String>) {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut err: Option<String> = None;
    for key in q.split('&') {
        if key.contains(';') {
            err = Some("invalid semicolon separator in query".into());
            continue;
        }
        if key.is_empty() {
            continue;
        }
        let (k, v) = key.split_once('=').unwrap_or((key, ""));
        let k = match query_unescape(k) {
            Ok(k) => k,
            Err(e) => {
                err.get_or_insert(e);
                continue;
            }
        };
        let v = match query_unescape(v) {
            Ok(v) => v,
            Err(e) => {
                err.get_or_insert(e);
                continue;
            }
        };
        m.entry(k).or_default().push(v);
    }
    (m, err)
}

fn encode_object(name: &str, a: &[Value]) -> Result<String, BuiltinError> {
    let obj = args::object(name, a, 0)?;
    let bad = || {
        BuiltinError::failed(
            name,
            "operand 1 values must be string, array[string], or set[string]",
        )
    };
    let mut pairs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in obj.iter() {
        let key = match k {
            Value::String(s) => s.to_string(),
            other => other.to_json().to_string(),
        };
        match v {
            Value::String(s) => {
                pairs.insert(key, vec![s.to_string()]);
            }
            Value::Array(_) | Value::Set(_) => {
                let items: Vec<&Value> = match v {
                    Value::Array(x) => x.iter().collect(),
                    Value::Set(x) => x.iter().collect(),
                    _ => Vec::new(),
                };
                let entry = pairs.entry(key).or_default();
                for item in items {
                    match item {
                        Value::String(s) => entry.push(s.to_string()),
                        _ => return Err(bad()),
                    }
                }
            }
            _ => return Err(bad()),
        }
    }
    let mut out = String::new();
    for (k, vs) in &pairs {
        let ke = query_escape(k);
        for v in vs {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&ke);
            out.push('=');
            out.push_str(&query_escape(v));
        }
    }
    Ok(out)
}

/// Register the encoding builtins.
pub(crate) fn register(r: &mut Registry) {
    native(r, "hex.encode", 1, |_, a| {
        let s = args::string("hex.encode", a, 0)?;
        Ok(Some(Value::string(
            data_encoding::HEXLOWER.encode(s.as_bytes()),
        )))
    });
    native(r, "hex.decode", 1, |_, a| {
        let name = "hex.decode";
        let s = args::string(name, a, 0)?;
        hex_decode(s.as_bytes())
            .map(|b| Some(bytes_to_string(b)))
            .map_err(|m| BuiltinError::failed(name, m))
    });
    native(r, "base64url.encode_no_pad", 1, |_, a| {
        let s = args::string("base64url.encode_no_pad", a, 0)?;
        Ok(Some(Value::string(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s.as_bytes()),
        )))
    });
    native(r, "urlquery.encode", 1, |_, a| {
        let s = args::string("urlquery.encode", a, 0)?;
        Ok(Some(Value::string(query_escape(s))))
    });
    native(r, "urlquery.decode", 1, |_, a| {
        let name = "urlquery.decode";
        let s = args::string(name, a, 0)?;
        query_unescape(s)
            .map(|s| Some(Value::string(s)))
            .map_err(|m| BuiltinError::failed(name, m))
    });
    native(r, "urlquery.encode_object", 1, |_, a| {
        encode_object("urlquery.encode_object", a).map(|s| Some(Value::string(s)))
    });
    native(r, "urlquery.decode_object", 1, |_, a| {
        let name = "urlquery.decode_object";
        let s = args::string(name, a, 0)?;
        let (m, err) = parse_query(s);
        if let Some(e) = err {
            return Err(BuiltinError::failed(name, e));
        }
        Ok(Some(Value::object(m.into_iter().map(|(k, vs)| {
            (
                Value::string(k),
                Value::array(vs.into_iter().map(Value::string).collect()),
            )
        }))))
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hex_errors_follow_go() {
        assert_eq!(hex_decode(b"6869").unwrap(), b"hi");
        assert_eq!(
            hex_decode(b"6g").unwrap_err(),
            "encoding/hex: invalid byte: U+0067 'g'"
        );
        assert_eq!(
            hex_decode(b"686").unwrap_err(),
            "encoding/hex: odd length hex string"
        );
        assert_eq!(
            hex_decode(b"68z").unwrap_err(),
            "encoding/hex: invalid byte: U+007A 'z'"
        );
    }

    #[test]
    fn query_escaping_follows_go() {
        assert_eq!(query_escape("a b&c=d/é~"), "a+b%26c%3Dd%2F%C3%A9~");
        assert_eq!(query_unescape("a+b%26").unwrap(), "a b&");
        assert_eq!(
            query_unescape("a%zzb").unwrap_err(),
            "invalid URL escape \"%zz\""
        );
        assert_eq!(
            query_unescape("a%2").unwrap_err(),
            "invalid URL escape \"%2\""
        );
        let (m, e) = parse_query("a=1&b=2&a=3&&c");
        assert!(e.is_none());
        assert_eq!(m.get("a").unwrap(), &vec!["1".to_string(), "3".to_string()]);
        assert_eq!(m.get("c").unwrap(), &vec![String::new()]);
        assert_eq!(
            parse_query("a=1;b=2").1.unwrap(),
            "invalid semicolon separator in query"
        );
    }
}
