//! The lenient JSON reading OPA v1.20.2's JWS library (`jwsbb`) applies to
//! a raw JWT header: the valyala/fastjson rules and error texts. Numbers
//! are not validated (`e` parses, as a number), string escapes are decoded
//! best-effort, an object lookup takes the first key of a name; errors read
//! `cannot parse JSON: <what>; unparsed tail: "<rest>"`.

/// A parsed value: only what a header lookup needs.
#[derive(Debug)]
pub(crate) enum Json<'a> {
    /// `{...}`: raw keys and values, in order.
    Object(Vec<(&'a str, Json<'a>)>),
    /// `[...]`.
    Array,
    /// A string, raw (escapes still in).
    Str(&'a str),
    /// A number, unvalidated.
    Number,
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
}

impl Json<'_> {
    fn type_name(&self) -> &'static str {
        match self {
            Json::Object(_) => "object",
            Json::Array => "array",
            Json::Str(_) => "string",
            Json::Number => "number",
            Json::Bool(true) => "true",
            Json::Bool(false) => "false",
            Json::Null => "null",
        }
    }
}

use super::go_quote;

const MAX_DEPTH: usize = 300;

fn skip_ws(s: &str) -> &str {
    s.trim_start_matches([' ', '\t', '\n', '\r'])
}

/// fastjson's shortening of a long tail in messages.
fn tail_text(s: &str) -> String {
    if s.len() <= 40 {
        return go_quote(s);
    }
    let head: String = s.chars().take(20).collect();
    let rev: Vec<char> = s.chars().rev().take(20).collect();
    let end: String = rev.into_iter().rev().collect();
    go_quote(&format!("{head}...{end}"))
}

/// Parse a whole document.
pub(crate) fn parse(s: &str) -> Result<Json<'_>, String> {
    let s = skip_ws(s);
    match value(s, 0) {
        Err((e, tail)) => Err(format!(
            "cannot parse JSON: {e}; unparsed tail: {}",
            tail_text(tail)
        )),
        Ok((v, tail)) => {
            let tail = skip_ws(tail);
            if tail.is_empty() {
                Ok(v)
            } else {
                Err(format!("unexpected tail: {}", tail_text(tail)))
            }
        }
    }
}

type Step<'a, T> = Result<(T, &'a str), (String, &'a str)>;

fn value(s: &str, depth: usize) -> Step<'_, Json<'_>> {
    let Some(first) = s.chars().next() else {
        return Err(("cannot parse empty string".into(), s));
    };
    if depth + 1 > MAX_DEPTH {
        return Err((
            format!("too big depth for the nested JSON; it exceeds {MAX_DEPTH}"),
            s,
        ));
    }
    let rest = s.get(first.len_utf8()..).unwrap_or("");
    match first {
        '{' => object(rest, depth + 1).map_err(|(e, t)| (format!("cannot parse object: {e}"), t)),
        '[' => array(rest, depth + 1).map_err(|(e, t)| (format!("cannot parse array: {e}"), t)),
        '"' => raw_string(rest)
            .map(|(v, t)| (Json::Str(v), t))
            .map_err(|(e, t)| (format!("cannot parse string: {e}"), t)),
        't' | 'f' | 'n' => {
            let (word, v) = match first {
                't' => ("true", Json::Bool(true)),
                'f' => ("false", Json::Bool(false)),
                _ => ("null", Json::Null),
            };
            if let Some(t) = s.strip_prefix(word) {
                return Ok((v, t));
            }
            if first == 'n' && s.get(..3).is_some_and(|x| x.eq_ignore_ascii_case("nan")) {
                return Ok((Json::Number, s.get(3..).unwrap_or("")));
            }
            Err((format!("unexpected value found: {}", go_quote(s)), s))
        }
        _ => number(s).map_err(|(e, t)| (format!("cannot parse number: {e}"), t)),
    }
}

fn number(s: &str) -> Step<'_, Json<'_>> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E' | '+')))
        .unwrap_or(s.len());
    let signed = s.starts_with(['-', '+']);
    if end == 0 || (end == 1 && signed) {
        let rest = s.get(end..).unwrap_or("");
        if rest
            .get(..3)
            .is_some_and(|x| x.eq_ignore_ascii_case("inf") || x.eq_ignore_ascii_case("nan"))
        {
            return Ok((Json::Number, rest.get(3..).unwrap_or("")));
        }
        let first: String = s.chars().take(1).collect();
        return Err((format!("unexpected char: {}", go_quote(&first)), s));
    }
    Ok((Json::Number, s.get(end..).unwrap_or("")))
}

/// A string body up to its closing quote (after the opening one).
fn raw_string(s: &str) -> Step<'_, &str> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => return Ok((s.get(..i).unwrap_or(""), s.get(i + 1..).unwrap_or(""))),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    Err(("missing closing '\"'".into(), ""))
}

fn array(s: &str, depth: usize) -> Step<'_, Json<'_>> {
    let mut s = skip_ws(s);
    if s.is_empty() {
        return Err(("missing ']'".into(), s));
    }
    if let Some(t) = s.strip_prefix(']') {
        return Ok((Json::Array, t));
    }
    loop {
        let (_, t) = value(skip_ws(s), depth)
            .map_err(|(e, t)| (format!("cannot parse array value: {e}"), t))?;
        s = skip_ws(t);
        if s.is_empty() {
            return Err(("unexpected end of array".into(), s));
        }
        if let Some(t) = s.strip_prefix(',') {
            s = t;
        } else if let Some(t) = s.strip_prefix(']') {
            return Ok((Json::Array, t));
        } else {
            return Err(("missing ',' after array value".into(), s));
        }
    }
}

fn object(s: &str, depth: usize) -> Step<'_, Json<'_>> {
    let mut s = skip_ws(s);
    if s.is_empty() {
        return Err(("missing '}'".into(), s));
    }
    if let Some(t) = s.strip_prefix('}') {
        return Ok((Json::Object(Vec::new()), t));
    }
    let mut entries = Vec::new();
    loop {
        s = skip_ws(s);
        let Some(t) = s.strip_prefix('"') else {
            return Err(("cannot find opening '\"\" for object key".into(), s));
        };
        let (key, t) =
            raw_string(t).map_err(|(e, t)| (format!("cannot parse object key: {e}"), t))?;
        s = skip_ws(t);
        let Some(t) = s.strip_prefix(':') else {
            return Err(("missing ':' after object key".into(), s));
        };
        let (v, t) = value(skip_ws(t), depth)
            .map_err(|(e, t)| (format!("cannot parse object value: {e}"), t))?;
        entries.push((key, v));
        s = skip_ws(t);
        if s.is_empty() {
            return Err(("unexpected end of object".into(), s));
        }
        if let Some(t) = s.strip_prefix(',') {
            s = t;
        } else if let Some(t) = s.strip_prefix('}') {
            return Ok((Json::Object(entries), t));
        } else {
            return Err(("missing ',' after object value".into(), s));
        }
    }
}

/// Best-effort unescaping (an invalid escape is kept as written).
fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some(e @ ('"' | '\\' | '/')) => {
                out.push(e);
                chars.next();
            }
            Some('b') => {
                out.push('\u{8}');
                chars.next();
            }
            Some('f') => {
                out.push('\u{c}');
                chars.next();
            }
            Some('n') => {
                out.push('\n');
                chars.next();
            }
            Some('r') => {
                out.push('\r');
                chars.next();
            }
            Some('t') => {
                out.push('\t');
                chars.next();
            }
            Some('u') => {
                let hex: String = chars.clone().skip(1).take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        for _ in 0..5 {
                            chars.next();
                        }
                    }
                    _ => out.push('\\'),
                }
            }
            _ => out.push('\\'),
        }
    }
    out
}

/// `jwsbb`'s header lookup: the first `name` member of a JSON object, as
/// a string.
pub(crate) fn header_string(headers: &str, name: &str) -> Result<String, String> {
    let doc = parse(headers)?;
    let found = match &doc {
        Json::Object(entries) => entries
            .iter()
            .find(|(k, _)| unescape(k) == name)
            .map(|(_, v)| v),
        _ => None,
    };
    match found {
        None => Err(format!("jwsbb: header {} not found", go_quote(name))),
        Some(Json::Str(raw)) => Ok(unescape(raw)),
        Some(v) => Err(format!(
            "value doesn't contain string; it contains {}",
            v.type_name()
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::header_string;

    /// Answers of OPA v1.20.2's `io.jwt.encode_sign_raw` for these headers
    /// (the text after "missing or invalid 'alg' header: ").
    #[test]
    fn header_errors_as_opa_reports_them() {
        let cases = [
            (
                "",
                "cannot parse JSON: cannot parse empty string; unparsed tail: \"\"",
            ),
            (
                " ",
                "cannot parse JSON: cannot parse empty string; unparsed tail: \"\"",
            ),
            ("e", "jwsbb: header \"alg\" not found"),
            ("[]", "jwsbb: header \"alg\" not found"),
            ("null", "jwsbb: header \"alg\" not found"),
            (
                "{",
                "cannot parse JSON: cannot parse object: missing '}'; unparsed tail: \"\"",
            ),
            (
                "{\"typ:\"JWT\"}",
                "cannot parse JSON: cannot parse object: missing ':' after object key; unparsed tail: \"JWT\\\"}\"",
            ),
            (
                "{\"alg\":1}",
                "value doesn't contain string; it contains number",
            ),
            (
                "{\"alg\":\"HS256\"",
                "cannot parse JSON: cannot parse object: unexpected end of object; unparsed tail: \"\"",
            ),
            ("{\"alg\":\"HS256\"} x", "unexpected tail: \"x\""),
            (
                "{\"a\":tru}",
                "cannot parse JSON: cannot parse object: cannot parse object value: unexpected value found: \"tru}\"; unparsed tail: \"tru}\"",
            ),
            ("{\"a\":\"\\x\"}", "jwsbb: header \"alg\" not found"),
        ];
        for (input, want) in cases {
            assert_eq!(header_string(input, "alg").unwrap_err(), want, "{input:?}");
        }
        assert_eq!(
            header_string("{\"alg\":\"HS256\",\"alg\":\"HS512\"}", "alg").unwrap(),
            "HS256"
        );
    }
}
