//! `regex.split/find_n/replace/template_match`, `glob.quote_meta`,
//! `strings.count/reverse`, `indexof_n`: Go `regexp` (RE2) semantics on
//! the Rust `regex` engine (ASCII `\d \w \s \b` as in Go, Go's rules for
//! empty matches, Go's error texts).

use super::native;
use crate::{BuiltinError, Registry, Value, args};
use parking_lot::Mutex;
use regex::{Regex, RegexBuilder};
use regex_syntax::ast::ErrorKind;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

const CACHE_MAX: usize = 256;

fn cache() -> &'static Mutex<HashMap<String, Arc<Regex>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Rewrite Go-only or differently-meant syntax for the Rust engine: Perl
/// classes are ASCII in Go, `\Q..\E` quotes literally.
fn translate(pat: &str) -> String {
    let mut out = String::with_capacity(pat.len() + 8);
    let mut in_class = false;
    let mut chars = pat.chars().peekable();
    let mut class_start = false;
    while let Some(c) = chars.next() {
        if c == '\\' {
            let Some(n) = chars.next() else {
                out.push('\\');
                break;
            };
            let (outside, inside) = match n {
                'd' => ("[0-9]", Some("0-9")),
                'D' => ("[^0-9]", None),
                'w' => ("[0-9A-Za-z_]", Some("0-9A-Za-z_")),
                'W' => ("[^0-9A-Za-z_]", None),
                's' => ("[\\t\\n\\f\\r ]", Some("\\t\\n\\f\\r ")),
                'S' => ("[^\\t\\n\\f\\r ]", None),
                'b' if !in_class => ("(?-u:\\b)", None),
                'B' if !in_class => ("(?-u:\\B)", None),
                'Q' => {
                    let mut lit = String::new();
                    loop {
                        match chars.next() {
                            None => break,
                            Some('\\') if chars.peek() == Some(&'E') => {
                                chars.next();
                                break;
                            }
                            Some(x) => lit.push(x),
                        }
                    }
                    out.push_str(&regex::escape(&lit));
                    class_start = false;
                    continue;
                }
                _ => {
                    out.push('\\');
                    out.push(n);
                    class_start = false;
                    continue;
                }
            };
            if in_class {
                match inside {
                    Some(s) => out.push_str(s),
                    None => {
                        out.push('\\');
                        out.push(n);
                    }
                }
            } else {
                out.push_str(outside);
            }
            class_start = false;
            continue;
        }
        if in_class {
            if c == ']' && !class_start {
                in_class = false;
            }
            if c == '[' && chars.peek() == Some(&':') {
                // POSIX class [:name:] — copy through to the closing `:]`.
                out.push(c);
                for x in chars.by_ref() {
                    out.push(x);
                    if x == ']' {
                        break;
                    }
                }
                class_start = false;
                continue;
            }
            class_start = class_start && c == '^';
            out.push(c);
            continue;
        }
        if c == '[' {
            in_class = true;
            class_start = true;
        }
        out.push(c);
    }
    out
}

/// Go's error text for a pattern that does not compile.
fn go_error(pat: &str) -> String {
    let mut parser = regex_syntax::ast::parse::ParserBuilder::new()
        .nest_limit(1000)
        .build();
    let Err(e) = parser.parse(pat) else {
        return format!("error parsing regexp: invalid or unsupported Perl syntax: `{pat}`");
    };
    let span = e.span();
    let frag = |a: usize, b: usize| pat.get(a..b).unwrap_or("").to_string();
    let (code, expr) = match e.kind() {
        ErrorKind::GroupUnclosed => ("missing closing )", pat.to_string()),
        ErrorKind::GroupUnopened => ("unexpected )", pat.to_string()),
        ErrorKind::ClassUnclosed => ("missing closing ]", frag(span.start.offset, pat.len())),
        ErrorKind::RepetitionMissing => {
            let at = span.start.offset;
            let op_len = pat
                .get(at..)
                .and_then(|r| r.chars().next())
                .map_or(0, char::len_utf8);
            let op = frag(at, (at + op_len).max(span.end.offset));
            let before = pat.get(..at).unwrap_or("");
            match before.chars().last() {
                Some(p @ ('*' | '+' | '?')) => {
                    ("invalid nested repetition operator", format!("{p}{op}"))
                }
                _ => ("missing argument to repetition operator", op),
            }
        }
        ErrorKind::RepetitionCountInvalid
        | ErrorKind::RepetitionCountUnclosed
        | ErrorKind::RepetitionCountDecimalEmpty
        | ErrorKind::DecimalInvalid
        | ErrorKind::DecimalEmpty => (
            "invalid repeat count",
            frag(span.start.offset, span.end.offset),
        ),
        ErrorKind::EscapeUnrecognized
        | ErrorKind::EscapeHexInvalid
        | ErrorKind::EscapeHexInvalidDigit
        | ErrorKind::EscapeHexEmpty
        | ErrorKind::UnicodeClassInvalid => (
            "invalid escape sequence",
            frag(span.start.offset, span.end.offset),
        ),
        ErrorKind::EscapeUnexpectedEof => {
            ("trailing backslash at end of expression", String::new())
        }
        ErrorKind::ClassRangeInvalid | ErrorKind::ClassRangeLiteral => (
            "invalid character class range",
            frag(span.start.offset, span.end.offset),
        ),
        ErrorKind::GroupNameEmpty
        | ErrorKind::GroupNameInvalid
        | ErrorKind::GroupNameUnexpectedEof
        | ErrorKind::GroupNameDuplicate { .. } => {
            let start = pat
                .get(..span.start.offset)
                .and_then(|b| b.rfind('('))
                .unwrap_or(span.start.offset);
            (
                "invalid named capture",
                frag(start, (span.end.offset + 1).min(pat.len())),
            )
        }
        ErrorKind::FlagUnrecognized
        | ErrorKind::FlagDanglingNegation
        | ErrorKind::FlagDuplicate { .. }
        | ErrorKind::FlagRepeatedNegation { .. }
        | ErrorKind::FlagUnexpectedEof
        | ErrorKind::UnsupportedLookAround
        | ErrorKind::UnsupportedBackreference => {
            let start = pat
                .get(..span.start.offset)
                .and_then(|b| b.rfind('('))
                .unwrap_or(span.start.offset);
            (
                "invalid or unsupported Perl syntax",
                frag(start, span.end.offset),
            )
        }
        ErrorKind::NestLimitExceeded(_) => ("expression nests too deeply", pat.to_string()),
        _ => (
            "invalid character class",
            frag(span.start.offset, span.end.offset),
        ),
    };
    format!("error parsing regexp: {code}: `{expr}`")
}

/// Go rejects stacked repetition operators (`a**`, `a+*`, `a{2}*`) that
/// the Rust parser accepts: the offending text, if any.
fn nested_repetition(pat: &str) -> Option<String> {
    let b = pat.as_bytes();
    let mut i = 0;
    let mut last_repeat: Option<usize> = None;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(0);
        let start = i;
        let op_end = match c {
            b'*' | b'+' | b'?' => Some(i + 1),
            b'{' => {
                let mut j = i + 1;
                let d0 = j;
                while b.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
                let mut ok = j > d0;
                if ok && b.get(j) == Some(&b',') {
                    j += 1;
                    while b.get(j).is_some_and(u8::is_ascii_digit) {
                        j += 1;
                    }
                }
                ok = ok && b.get(j) == Some(&b'}');
                ok.then_some(j + 1)
            }
            _ => None,
        };
        if let Some(mut end) = op_end {
            if b.get(end) == Some(&b'?') {
                end += 1;
            }
            if let Some(prev) = last_repeat {
                return Some(pat.get(prev..end).unwrap_or("").to_string());
            }
            last_repeat = Some(start);
            i = end;
            continue;
        }
        last_repeat = None;
        match c {
            b'\\' => {
                if b.get(i + 1) == Some(&b'Q') {
                    i = pat
                        .get(i + 2..)
                        .and_then(|r| r.find("\\E"))
                        .map_or(b.len(), |k| i + 2 + k + 2);
                } else if matches!(b.get(i + 1), Some(b'p' | b'P')) && b.get(i + 2) == Some(&b'{') {
                    i = pat
                        .get(i..)
                        .and_then(|r| r.find('}'))
                        .map_or(b.len(), |k| i + k + 1);
                } else {
                    i += 2;
                }
            }
            b'[' => {
                let mut j = i + 1;
                if b.get(j) == Some(&b'^') {
                    j += 1;
                }
                if b.get(j) == Some(&b']') {
                    j += 1;
                }
                while j < b.len() && b.get(j) != Some(&b']') {
                    if b.get(j) == Some(&b'\\') {
                        j += 1;
                    } else if b.get(j) == Some(&b'[') && b.get(j + 1) == Some(&b':') {
                        j = pat
                            .get(j + 2..)
                            .and_then(|r| r.find(":]"))
                            .map_or(j, |k| j + 2 + k + 1);
                    }
                    j += 1;
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// Compile a Go pattern (cached).
pub(crate) fn compile(name: &str, pat: &str) -> Result<Arc<Regex>, BuiltinError> {
    if let Some(re) = cache().lock().get(pat) {
        return Ok(re.clone());
    }
    let re = RegexBuilder::new(&translate(pat))
        .nest_limit(1000)
        .size_limit(64 << 20)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => BuiltinError::failed(
                name,
                format!("error parsing regexp: expression too large: `{pat}`"),
            ),
            _ => BuiltinError::failed(name, go_error(pat)),
        })?;
    if let Some(text) = nested_repetition(pat) {
        return Err(BuiltinError::failed(
            name,
            format!("error parsing regexp: invalid nested repetition operator: `{text}`"),
        ));
    }
    let re = Arc::new(re);
    let mut c = cache().lock();
    if c.len() >= CACHE_MAX {
        c.clear();
    }
    c.insert(pat.to_string(), re.clone());
    Ok(re)
}

fn char_width(s: &str, pos: usize) -> usize {
    s.get(pos..)
        .and_then(|r| r.chars().next())
        .map_or(1, char::len_utf8)
}

/// Go's `FindAllStringIndex(s, n)` (n < 0: all).
pub(crate) fn find_all(re: &Regex, s: &str, n: i64) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut prev_end: Option<usize> = None;
    while (n < 0 || (out.len() as u64) < n.unsigned_abs()) && pos <= s.len() {
        let Some(m) = re.find_at(s, pos) else { break };
        let mut accept = true;
        if m.end() == pos {
            if Some(m.start()) == prev_end {
                accept = false;
            }
            pos += char_width(s, pos);
        } else {
            pos = m.end();
        }
        prev_end = Some(m.end());
        if accept {
            out.push((m.start(), m.end()));
        }
    }
    out
}

/// Go's `Regexp.Split(s, -1)`.
fn split(re: &Regex, pat: &str, s: &str) -> Vec<String> {
    if !pat.is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let mut parts = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (a, b) in find_all(re, s, -1) {
        end = a;
        if b != 0 {
            parts.push(s.get(beg..end).unwrap_or("").to_string());
        }
        beg = b;
    }
    if end != s.len() {
        parts.push(s.get(beg..).unwrap_or("").to_string());
    }
    parts
}

/// Go's `ReplaceAllString` (with `$1` / `${name}` expansion).
fn replace_all(re: &Regex, src: &str, repl: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut last_end = 0;
    let mut search = 0;
    while search <= src.len() {
        let Some(caps) = re.captures_at(src, search) else {
            break;
        };
        let Some(m) = caps.get(0) else { break };
        let (a0, a1) = (m.start(), m.end());
        out.push_str(src.get(last_end..a0).unwrap_or(""));
        if a1 > last_end || a0 == 0 {
            caps.expand(repl, &mut out);
        }
        last_end = a1;
        let w = char_width(src, search);
        if search + w > a1 {
            search += w;
        } else if search + 1 > a1 {
            search += 1;
        } else {
            search = a1;
        }
    }
    out.push_str(src.get(last_end..).unwrap_or(""));
    out
}

/// OPA's `regex.template_match` pattern construction (gorilla/mux style).
fn template_regex(name: &str, tpl: &str, ds: u8, de: u8) -> Result<Arc<Regex>, BuiltinError> {
    let unbalanced = || {
        BuiltinError::failed(
            name,
            format!("unbalanced braces in {}", super::go_quote(tpl)),
        )
    };
    let b = tpl.as_bytes();
    let mut idxs = Vec::new();
    let (mut level, mut idx) = (0i64, 0usize);
    for (i, &c) in b.iter().enumerate() {
        if c == ds {
            level += 1;
            if level == 1 {
                idx = i;
            }
        } else if c == de {
            level -= 1;
            if level == 0 {
                idxs.push((idx, i + 1));
            } else if level < 0 {
                return Err(unbalanced());
            }
        }
    }
    if level != 0 {
        return Err(unbalanced());
    }
    let mut pattern = String::from("^");
    let mut end = 0;
    for &(s, e) in &idxs {
        let raw = tpl.get(end..s).unwrap_or("");
        let patt = tpl.get(s + 1..e - 1).unwrap_or("");
        end = e;
        pattern.push_str(&regex::escape(raw));
        pattern.push('(');
        pattern.push_str(patt);
        pattern.push(')');
        compile(name, &format!("^{patt}$"))?;
    }
    pattern.push_str(&regex::escape(tpl.get(end..).unwrap_or("")));
    pattern.push('$');
    compile(name, &pattern)
}

/// gobwas/glob `QuoteMeta`.
fn glob_quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if matches!(c, '*' | '?' | '\\' | '[' | ']' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Register the regex and string-search builtins.
pub(crate) fn register(r: &mut Registry) {
    native(r, "regex.split", 2, |_, a| {
        let name = "regex.split";
        let pat = args::string(name, a, 0)?;
        let s = args::string(name, a, 1)?;
        let re = compile(name, pat)?;
        Ok(Some(Value::array(
            split(&re, pat, s).into_iter().map(Value::string).collect(),
        )))
    });
    native(r, "regex.find_n", 3, |_, a| {
        let name = "regex.find_n";
        let pat = args::string(name, a, 0)?;
        let s = args::string(name, a, 1)?;
        let n = super::int_operand(name, a, 2)?;
        let re = compile(name, pat)?;
        Ok(Some(Value::array(
            find_all(&re, s, n)
                .into_iter()
                .map(|(x, y)| Value::string(s.get(x..y).unwrap_or("")))
                .collect(),
        )))
    });
    native(r, "regex.replace", 3, |_, a| {
        let name = "regex.replace";
        let s = args::string(name, a, 0)?;
        let pat = args::string(name, a, 1)?;
        let repl = args::string(name, a, 2)?;
        let re = compile(name, pat)?;
        Ok(Some(Value::string(replace_all(&re, s, repl))))
    });
    native(r, "regex.template_match", 4, |_, a| {
        let name = "regex.template_match";
        let tpl = args::string(name, a, 0)?;
        let s = args::string(name, a, 1)?;
        let start = args::string(name, a, 2)?;
        let end = args::string(name, a, 3)?;
        if start.len() != 1 {
            return Err(BuiltinError::failed(
                name,
                format!(
                    "start delimiter has to be exactly one character long but is {} long",
                    start.len()
                ),
            ));
        }
        if end.len() != 1 {
            // OPA reports the start delimiter's length here.
            return Err(BuiltinError::failed(
                name,
                format!(
                    "end delimiter has to be exactly one character long but is {} long",
                    start.len()
                ),
            ));
        }
        let (ds, de) = (
            start.as_bytes().first().copied().unwrap_or(b'{'),
            end.as_bytes().first().copied().unwrap_or(b'}'),
        );
        let re = template_regex(name, tpl, ds, de)?;
        Ok(Some(Value::Bool(re.is_match(s))))
    });
    native(r, "glob.quote_meta", 1, |_, a| {
        let s = args::string("glob.quote_meta", a, 0)?;
        Ok(Some(Value::string(glob_quote_meta(s))))
    });
    native(r, "strings.count", 2, |_, a| {
        let name = "strings.count";
        let s = args::string(name, a, 0)?;
        let sub = args::string(name, a, 1)?;
        let n = if sub.is_empty() {
            s.chars().count() + 1
        } else {
            s.matches(sub).count()
        };
        Ok(Some(Value::int(i64::try_from(n).unwrap_or(i64::MAX))))
    });
    native(r, "strings.reverse", 1, |_, a| {
        let s = args::string("strings.reverse", a, 0)?;
        Ok(Some(Value::string(s.chars().rev().collect::<String>())))
    });
    native(r, "indexof_n", 2, |_, a| {
        let name = "indexof_n";
        let base = args::string(name, a, 0)?;
        let search = args::string(name, a, 1)?;
        if search.is_empty() {
            return Err(BuiltinError::failed(name, "empty search character"));
        }
        let b: Vec<char> = base.chars().collect();
        let s: Vec<char> = search.chars().collect();
        let out = b
            .windows(s.len())
            .enumerate()
            .filter(|(_, w)| *w == s.as_slice())
            .map(|(i, _)| Value::int(i64::try_from(i).unwrap_or(i64::MAX)))
            .collect();
        Ok(Some(Value::array(out)))
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn go_error_texts() {
        for (pat, want) in [
            ("(", "error parsing regexp: missing closing ): `(`"),
            ("a)", "error parsing regexp: unexpected ): `a)`"),
            ("[a", "error parsing regexp: missing closing ]: `[a`"),
            (
                "*",
                "error parsing regexp: missing argument to repetition operator: `*`",
            ),
            (
                "\\q",
                "error parsing regexp: invalid escape sequence: `\\q`",
            ),
            (
                "[z-a]",
                "error parsing regexp: invalid character class range: `z-a`",
            ),
            (
                "a\\",
                "error parsing regexp: trailing backslash at end of expression: ``",
            ),
        ] {
            assert_eq!(
                compile("x", pat).unwrap_err().to_string(),
                format!("x: {want}"),
                "{pat}"
            );
        }
    }

    #[test]
    fn go_match_semantics() {
        let re = compile("x", "a*").unwrap();
        assert_eq!(find_all(&re, "baaac", -1), vec![(0, 0), (1, 4), (5, 5)]);
        assert_eq!(replace_all(&re, "baaac", "-"), "-b-c-");
        let re = compile("x", "").unwrap();
        assert_eq!(split(&re, "", "abc"), vec!["a", "b", "c"]);
        let re = compile("x", "\\d").unwrap();
        assert_eq!(split(&re, "\\d", "a1b٣c"), vec!["a", "b٣c"]);
        let re = compile("x", "(b)").unwrap();
        assert_eq!(replace_all(&re, "abc", "[$1$$]"), "a[b$]c");
    }

    #[test]
    fn templates() {
        let re = template_regex("t", "urn:foo:{.*}", b'{', b'}').unwrap();
        assert!(re.is_match("urn:foo:bar:baz"));
        assert_eq!(
            template_regex("t", "urn:foo:{.*", b'{', b'}')
                .unwrap_err()
                .to_string(),
            "t: unbalanced braces in \"urn:foo:{.*\""
        );
        assert_eq!(glob_quote_meta("a,b*?[]{}\\"), "a,b\\*\\?\\[\\]\\{\\}\\\\");
    }
}
