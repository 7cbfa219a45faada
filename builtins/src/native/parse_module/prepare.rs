//! The source as handed to regorus, and what is read from it directly.
//!
//! Where regorus's parser and OPA's disagree on valid Rego v1, or regorus
//! would be slow or recurse too deep, the text is handled here, keeping
//! every line and column in place (only characters within a line are
//! replaced):
//! - imports: OPA accepts an import anywhere at the top level (also after
//!   rules), repeated imports and repeated `future.keywords` imports;
//!   regorus does not. Imports are read here, with OPA's checks and
//!   messages, and blanked out of regorus's input;
//! - a `(` starting a new line inside a body starts a new expression in
//!   OPA; regorus reads it as a call of the term ending the previous line.
//!   A `;` replaces the last indentation character before such a `(`;
//! - a multi-value (`contains`) rule with several `{ ... }` bodies is
//!   rejected by regorus; [`contains_as_assign`] rewrites `contains` heads
//!   so that regorus reads them as `:=` heads (used on retry only);
//! - data literals (`[...]`, `{...}` of scalars) are read here and shown
//!   to regorus as a number: regorus tries each `[`/`{` as a
//!   comprehension first and then reads it again, which doubles the work
//!   per nesting level;
//! - `default p` without a value (OPA: `true`) is read here;
//! - a number literal beyond `f64` (which regorus rejects) is shown as
//!   `0` (the converter reads the literal from the source);
//! - nesting, minus runs and operator chains are bounded
//!   ([`MAX_COMPOSITE_NESTING`], [`MAX_NESTING`], [`MAX_OPERATORS`]).

use super::ast::{Import, Term};
use super::error::ParseError;
use crate::Number;

/// Words OPA's parser will not take as the last element of an import
/// path (keywords of Rego v1).
const KEYWORDS: &[&str] = &[
    "as", "contains", "default", "else", "every", "false", "if", "import", "in", "not", "null",
    "package", "some", "true", "with",
];

/// The future keywords OPA v1.20.2 knows (`import future.keywords.<kw>`).
const FUTURE_KEYWORDS: &[&str] = &["and", "contains", "every", "if", "in", "not", "or"];

/// Deepest nesting of `[` and `{` parsed: regorus's parser tries each
/// `[`/`{` as a comprehension first and re-reads it as a literal, which
/// doubles the work per level.
pub(super) const MAX_COMPOSITE_NESTING: usize = 16;

/// Deepest nesting of brackets of any kind, and the longest run of unary
/// minus signs, parsed (bounds on regorus's recursion).
pub(super) const MAX_NESTING: usize = 48;

/// Most operator characters in one expression (regorus builds operator
/// chains as nested trees it drops recursively).
pub(super) const MAX_OPERATORS: usize = 512;

/// Words after which a `(` on the next line continues the expression.
const CONTINUING: &[&str] = &[
    "not", "in", "if", "else", "with", "as", "some", "every", "contains", "default",
];

/// The regorus input and the imports read from the source.
pub(super) struct Prepared {
    pub text: String,
    /// Imports in source order, with the line each starts on.
    pub imports: Vec<(u32, Import)>,
    /// `default <ref>` rules without a value (OPA's value `true`; regorus
    /// requires one): the byte offset and the ref's parts.
    pub bare_defaults: Vec<(usize, Vec<String>)>,
    /// Data literals read here, shown to regorus as a `0` (at the
    /// literal's last byte): the `0`'s offset and the literal's term.
    pub literals: Vec<(usize, Term)>,
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Read imports and fix up the text for regorus.
pub(super) fn prepare(source: &str) -> Result<Prepared, ParseError> {
    let src = source.as_bytes();
    let mut out: Vec<u8> = src.to_vec();
    let mut imports = Vec::new();
    let mut bare_defaults = Vec::new();
    let mut literals = Vec::new();
    let mut stack: Vec<u8> = Vec::new();
    // Last significant byte, the word it ends (if any), and whether a
    // newline came after it.
    let mut last_sig: Option<u8> = None;
    let mut last_word: Option<&str> = None;
    let mut newline_since = false;
    let mut minus_run = 0_usize;
    let mut operators = 0_usize;
    let mut i = 0;
    while let Some(&b) = src.get(i) {
        match b {
            b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'<' | b'>' | b'=' | b'!' => {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return Err(ParseError::Limit(format!(
                        "more than {MAX_OPERATORS} operators in one expression"
                    )));
                }
            }
            b',' | b';' | b':' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => operators = 0,
            b'\n'
                if !matches!(
                    last_sig,
                    Some(
                        b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'<' | b'>' | b'=' | b'!'
                    )
                ) =>
            {
                operators = 0;
            }
            _ => {}
        }
        if b == b'-' {
            minus_run += 1;
            if minus_run > MAX_NESTING {
                return Err(ParseError::Limit(format!(
                    "more than {MAX_NESTING} consecutive minus signs"
                )));
            }
        } else if !matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            minus_run = 0;
        }
        match b {
            b'#' => {
                while src.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'\n' => {
                newline_since = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'"' => {
                i = skip_string(src, i);
                last_sig = Some(b'"');
                last_word = None;
                newline_since = false;
                continue;
            }
            b'`' => {
                i += 1;
                while src.get(i).is_some_and(|&c| c != b'`') {
                    i += 1;
                }
                i += 1;
                last_sig = Some(b'`');
                last_word = None;
                newline_since = false;
                continue;
            }
            _ => {}
        }
        if b.is_ascii_digit() {
            // A number literal; regorus rejects those beyond `f64` (OPA
            // keeps them exactly): it is shown `0` (the converter reads the
            // literal from the source).
            let start = i;
            let end = number_end(src, i);
            let finite = source
                .get(start..end)
                .and_then(|t| t.parse::<f64>().ok())
                .is_some_and(f64::is_finite);
            if !finite {
                for (k, c) in out.iter_mut().enumerate().take(end).skip(start) {
                    *c = if k == start { b'0' } else { b' ' };
                }
            }
            i = end.max(start + 1);
            last_sig = Some(b'0');
            last_word = None;
            newline_since = false;
            continue;
        }
        if is_ident_byte(b) {
            let start = i;
            while src.get(i).is_some_and(|&c| is_ident_byte(c)) {
                i += 1;
            }
            let word = source.get(start..i).unwrap_or_default();
            if stack.is_empty()
                && word == "default"
                && (last_sig != Some(b'.') || newline_since)
                && let Some((parts, end)) = bare_default(source, i)
            {
                bare_defaults.push((start, parts));
                for c in out.iter_mut().take(end).skip(start) {
                    if *c != b'\n' && *c != b'\r' {
                        *c = b' ';
                    }
                }
                i = end;
                last_sig = None;
                last_word = None;
                newline_since = false;
                continue;
            }
            let after_dot = last_sig == Some(b'.') && !newline_since;
            let next = src.get(i).copied();
            if stack.is_empty()
                && word == "import"
                && !after_dot
                && !matches!(next, Some(b'.') | Some(b'['))
            {
                let (import, end) = read_import(source, start)?;
                let line = line_of(source, start);
                imports.push((line, import));
                for c in out.iter_mut().take(end).skip(start) {
                    if *c != b'\n' && *c != b'\r' {
                        *c = b' ';
                    }
                }
                i = end;
                last_sig = None;
                last_word = None;
                newline_since = false;
                continue;
            }
            last_sig = src.get(i.saturating_sub(1)).copied();
            last_word = Some(word);
            newline_since = false;
            continue;
        }
        // A data literal where a term starts (not a rule or `every` body,
        // not a ref's brackets) is read here: regorus reads each `[`/`{`
        // twice (as a comprehension first), which doubles per level.
        if matches!(b, b'[' | b'{') && term_may_start(last_sig, last_word, newline_since) {
            let mut reader = Literal {
                src,
                text: source,
                i,
            };
            if let Some(term) = reader.value(0)
                && src.get(reader.i) != Some(&b'.')
            {
                let end = reader.i;
                let last = end.saturating_sub(1);
                for (k, c) in out.iter_mut().enumerate().take(end).skip(i) {
                    if *c != b'\n' {
                        *c = if k == last { b'0' } else { b' ' };
                    }
                }
                literals.push((last, term));
                i = end;
                last_sig = Some(b'0');
                last_word = None;
                newline_since = false;
                continue;
            }
        }
        match b {
            b'(' | b'[' | b'{' => {
                if b == b'(' && newline_since && stack.last() == Some(&b'{') {
                    let ends_term = last_sig.is_some_and(|c| {
                        is_ident_byte(c) || matches!(c, b']' | b')' | b'}' | b'"' | b'`')
                    });
                    let continuing = last_word.is_some_and(|w| CONTINUING.contains(&w));
                    if ends_term && !continuing {
                        // The indentation just before `(`, on its line.
                        if let Some(prev) = i.checked_sub(1)
                            && matches!(src.get(prev), Some(b' ') | Some(b'\t'))
                            && let Some(c) = out.get_mut(prev)
                        {
                            *c = b';';
                        }
                    }
                }
                stack.push(b);
                let composite = stack.iter().filter(|c| matches!(c, b'[' | b'{')).count();
                if stack.len() > MAX_NESTING || composite > MAX_COMPOSITE_NESTING {
                    return Err(ParseError::Limit(format!(
                        "nesting deeper than {MAX_COMPOSITE_NESTING} levels of [ and {{ (or {MAX_NESTING} brackets)"
                    )));
                }
            }
            b')' | b']' | b'}' => {
                stack.pop();
            }
            _ => {}
        }
        last_sig = Some(b);
        last_word = None;
        newline_since = false;
        i += 1;
    }
    let text = String::from_utf8(out).map_err(|_| ParseError::NoDetail {
        line: 1,
        msg: "invalid UTF-8 after preparing the source".into(),
    })?;
    Ok(Prepared {
        text,
        imports,
        bare_defaults,
        literals,
    })
}

/// Whether a `[` or `{` after this token starts a term (a literal), not a
/// ref's index or a body.
fn term_may_start(last_sig: Option<u8>, last_word: Option<&str>, newline_since: bool) -> bool {
    match last_word {
        // After `if`/`else` a brace is a body; after other words (a var, a
        // ref's last field) a bracket is an index, a brace an `every`
        // body.
        Some(w) => matches!(w, "in" | "as" | "not" | "contains"),
        None => match last_sig {
            None => true,
            Some(c) => {
                matches!(
                    c,
                    b'=' | b'('
                        | b'['
                        | b'{'
                        | b','
                        | b':'
                        | b'+'
                        | b'-'
                        | b'*'
                        | b'/'
                        | b'%'
                        | b'&'
                        | b'|'
                        | b'<'
                        | b'>'
                        | b';'
                ) || (newline_since && !matches!(c, b'}' | b']' | b')'))
            }
        },
    }
}

/// A reader of plain data literals: strings, numbers, `true`, `false`,
/// `null`, and arrays, objects and sets of them (comments and blanks
/// between). Anything else (a var, an operator, a comprehension) makes
/// it give up.
struct Literal<'a> {
    src: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Literal<'_> {
    fn blanks(&mut self) {
        loop {
            match self.src.get(self.i) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.i += 1,
                Some(b'#') => {
                    while self.src.get(self.i).is_some_and(|&c| c != b'\n') {
                        self.i += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// A value.
    fn value(&mut self, nesting: usize) -> Option<Term> {
        if nesting > MAX_NESTING * 4 {
            return None;
        }
        self.blanks();
        let b = *self.src.get(self.i)?;
        match b {
            b'[' => {
                self.i += 1;
                Some(Term::Array(self.items(b']', nesting)?))
            }
            b'{' => self.brace(nesting),
            b'"' => {
                let end = skip_string(self.src, self.i);
                let lit = self.text.get(self.i..end)?;
                let s: String = serde_json::from_str(lit).ok()?;
                self.i = end;
                Some(Term::String(s))
            }
            b'`' => {
                let start = self.i + 1;
                let close = self.text.get(start..)?.find('`')? + start;
                let s = self.text.get(start..close)?.to_string();
                self.i = close + 1;
                Some(Term::String(s))
            }
            b'-' | b'0'..=b'9' => {
                let mut j = self.i;
                if b == b'-' {
                    j += 1;
                    while self.src.get(j).is_some_and(|c| matches!(c, b' ' | b'\t')) {
                        j += 1;
                    }
                }
                if !self.src.get(j).is_some_and(u8::is_ascii_digit) {
                    return None;
                }
                // No leading zeros (OPA rejects them).
                if self.src.get(j) == Some(&b'0')
                    && self.src.get(j + 1).is_some_and(u8::is_ascii_digit)
                {
                    return None;
                }
                let end = number_end(self.src, j);
                if self
                    .src
                    .get(end)
                    .is_some_and(|&c| is_ident_byte(c) || c == b'.')
                {
                    return None;
                }
                let digits = self.text.get(j..end)?;
                let literal = if b == b'-' {
                    format!("-{digits}")
                } else {
                    digits.to_string()
                };
                let n = Number::parse_literal(&literal).ok()?;
                self.i = end;
                Some(Term::Number(n))
            }
            _ if is_ident_byte(b) => {
                let start = self.i;
                while self.src.get(self.i).is_some_and(|&c| is_ident_byte(c)) {
                    self.i += 1;
                }
                let term = match self.text.get(start..self.i)? {
                    "true" => Term::Bool(true),
                    "false" => Term::Bool(false),
                    "null" => Term::Null,
                    _ => return None,
                };
                Some(term)
            }
            _ => None,
        }
    }

    /// Comma-separated values up to `close`.
    fn items(&mut self, close: u8, nesting: usize) -> Option<Vec<Term>> {
        let mut items = Vec::new();
        loop {
            self.blanks();
            if self.src.get(self.i) == Some(&close) {
                self.i += 1;
                return Some(items);
            }
            items.push(self.value(nesting + 1)?);
            self.blanks();
            match self.src.get(self.i) {
                Some(b',') => self.i += 1,
                Some(&c) if c == close => {
                    self.i += 1;
                    return Some(items);
                }
                _ => return None,
            }
        }
    }

    /// `{}`, an object or a set.
    fn brace(&mut self, nesting: usize) -> Option<Term> {
        self.i += 1;
        self.blanks();
        if self.src.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Some(Term::object(Vec::new()));
        }
        let first = self.value(nesting + 1)?;
        self.blanks();
        if self.src.get(self.i) != Some(&b':') {
            // A set.
            let mut items = vec![first];
            match self.src.get(self.i) {
                Some(b',') => {
                    self.i += 1;
                    items.extend(self.items(b'}', nesting)?);
                }
                Some(b'}') => self.i += 1,
                _ => return None,
            }
            return Some(Term::set(items));
        }
        let mut pairs = Vec::new();
        let mut key = first;
        loop {
            // At the `:` after `key`.
            self.i += 1;
            let v = self.value(nesting + 1)?;
            pairs.push((key, v));
            self.blanks();
            match self.src.get(self.i) {
                Some(b',') => {
                    self.i += 1;
                    self.blanks();
                    if self.src.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        break;
                    }
                    key = self.value(nesting + 1)?;
                    self.blanks();
                    if self.src.get(self.i) != Some(&b':') {
                        return None;
                    }
                }
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        Some(Term::object(pairs))
    }
}

/// After `default` (at `i`): a dotted ref and then the end of the
/// statement (line end, comment or end of input) — a default rule
/// without a value. Its parts and the end of the ref.
fn bare_default(source: &str, i: usize) -> Option<(Vec<String>, usize)> {
    let src = source.as_bytes();
    let mut j = i;
    while src.get(j).is_some_and(|c| matches!(c, b' ' | b'\t')) {
        j += 1;
    }
    if j == i {
        return None;
    }
    let mut parts = Vec::new();
    loop {
        let s = j;
        while src.get(j).is_some_and(|&c| is_ident_byte(c)) {
            j += 1;
        }
        if j == s || src.get(s).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        parts.push(source.get(s..j)?.to_string());
        if src.get(j) == Some(&b'.') {
            j += 1;
        } else {
            break;
        }
    }
    let mut k = j;
    while src
        .get(k)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r'))
    {
        k += 1;
    }
    match src.get(k) {
        None | Some(b'\n') | Some(b'#') => Some((parts, j)),
        _ => None,
    }
}

/// The end of a number literal starting at `i` (digits, fraction,
/// exponent).
fn number_end(src: &[u8], mut i: usize) -> usize {
    let digits = |i: &mut usize| {
        while src.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
    };
    digits(&mut i);
    if src.get(i) == Some(&b'.') && src.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        digits(&mut i);
    }
    if matches!(src.get(i), Some(b'e') | Some(b'E')) {
        let mut j = i + 1;
        if matches!(src.get(j), Some(b'+') | Some(b'-')) {
            j += 1;
        }
        if src.get(j).is_some_and(u8::is_ascii_digit) {
            i = j;
            digits(&mut i);
        }
    }
    i
}

/// Index just past a `"..."` string starting at `i` (or the end of its
/// line when unterminated).
fn skip_string(src: &[u8], mut i: usize) -> usize {
    i += 1;
    while let Some(&c) = src.get(i) {
        match c {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    i.min(src.len())
}

/// 1-based line of a byte offset.
fn line_of(source: &str, offset: usize) -> u32 {
    let n = source
        .get(..offset)
        .unwrap_or_default()
        .matches('\n')
        .count()
        .saturating_add(1);
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An error at a byte offset; at the end of input (only blanks and
/// comments after), OPA's end-of-file location.
fn at(source: &str, offset: usize, msg: &str) -> ParseError {
    let rest = source.get(offset..).unwrap_or_default();
    if rest
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return ParseError::AtEof {
            msg: msg.to_string(),
        };
    }
    ParseError::at_offset(source, offset, msg)
}

/// OPA's name of the token at `i` (for "unexpected X token" messages).
fn token_at(source: &str, i: usize) -> String {
    let rest = source.get(i..).unwrap_or_default();
    let Some(c) = rest.chars().next() else {
        return "eof token".into();
    };
    if c == '"' || c == '`' {
        return "string token".into();
    }
    if c.is_ascii_digit() {
        return "number token".into();
    }
    if c.is_ascii_alphabetic() || c == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        return if KEYWORDS.contains(&word.as_str()) {
            format!("{word} keyword")
        } else {
            "var token".into()
        };
    }
    format!("{c} token")
}

/// Read `import <path> [as <var>]` starting at `start` (the `import`
/// keyword), with OPA's checks; the import and the index just past it.
fn read_import(source: &str, start: usize) -> Result<(Import, usize), ParseError> {
    let src = source.as_bytes();
    let skip_ws = |mut i: usize| {
        while src
            .get(i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        {
            i += 1;
        }
        i
    };
    let ident = |i: usize| {
        let mut j = i;
        while src.get(j).is_some_and(|&c| is_ident_byte(c)) {
            j += 1;
        }
        j
    };
    let mut i = skip_ws(start + "import".len());
    let path_start = i;
    let first_end = ident(i);
    if first_end == i || src.get(i).is_some_and(u8::is_ascii_digit) {
        return Err(at(
            source,
            i,
            &format!("unexpected {}", token_at(source, i)),
        ));
    }
    let root = source.get(i..first_end).unwrap_or_default().to_string();
    // Each further element and its offset.
    let mut parts: Vec<(String, usize)> = Vec::new();
    i = first_end;
    loop {
        match src.get(i) {
            Some(b'.') => {
                let s = i + 1;
                let e = ident(s);
                if e == s || src.get(s).is_some_and(u8::is_ascii_digit) {
                    let what = if src
                        .get(s)
                        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
                        && !at_end(source, s)
                    {
                        // `data . x`: OPA scans `.x` as a malformed number.
                        "identifier token: expected number".to_string()
                    } else {
                        format!("{}: expected identifier", token_at(source, s))
                    };
                    let first = at(source, s, &format!("unexpected {what}"));
                    if matches!(first, ParseError::AtEof { .. }) {
                        return Err(ParseError::Multi(vec![
                            first,
                            at(source, s, "expected path"),
                        ]));
                    }
                    return Err(first);
                }
                parts.push((source.get(s..e).unwrap_or_default().to_string(), s));
                i = e;
            }
            Some(b'[') => {
                let s = skip_ws(i + 1);
                if src.get(s) != Some(&b'"') {
                    let token = token_at(source, s).replace(" keyword", " token");
                    return Err(at(
                        source,
                        s,
                        &format!("unexpected {token}: expecting string"),
                    ));
                }
                let e = skip_string(src, s);
                let lit = source.get(s..e).unwrap_or_default();
                let Ok(text) = serde_json::from_str::<String>(lit) else {
                    return Err(at(source, s, "non-terminated string"));
                };
                let close = skip_ws(e);
                if src.get(close) != Some(&b']') {
                    return Err(at(
                        source,
                        close,
                        &format!("unexpected {}", token_at(source, close)),
                    ));
                }
                parts.push((text, s));
                i = close + 1;
            }
            _ => break,
        }
    }
    let path_end = i;
    // An alias, on the same line.
    let mut j = i;
    while src.get(j).is_some_and(|c| matches!(c, b' ' | b'\t')) {
        j += 1;
    }
    let mut alias = None;
    if source.get(j..).is_some_and(|r| r.starts_with("as"))
        && !src.get(j + 2).is_some_and(|&c| is_ident_byte(c))
    {
        let s = skip_ws(j + 2);
        let e = ident(s);
        let word = source.get(s..e).unwrap_or_default();
        if e == s || src.get(s).is_some_and(u8::is_ascii_digit) || KEYWORDS.contains(&word) {
            return Err(at(
                source,
                s,
                &format!("unexpected {}: expected var", token_at(source, s)),
            ));
        }
        alias = Some(word.to_string());
        i = e;
    } else {
        i = path_end;
    }

    if !matches!(root.as_str(), "data" | "input" | "future" | "rego") {
        return Err(at(
            source,
            path_start,
            &format!(
                "unexpected import path, must begin with one of: {{data, future, input, rego}}, got: {root} (hint: if this is unexpected, try updating OPA)"
            ),
        ));
    }
    match root.as_str() {
        "future" => {
            let ok = match parts.as_slice() {
                [(k, _)] => k == "keywords",
                [(k, _), (kw, _)] if k == "keywords" => {
                    if !FUTURE_KEYWORDS.contains(&kw.as_str()) {
                        return Err(at(
                            source,
                            path_start,
                            &format!(
                                "unexpected keyword, must be one of [{}]",
                                FUTURE_KEYWORDS.join(" ")
                            ),
                        ));
                    }
                    true
                }
                _ => false,
            };
            if !ok {
                return Err(at(
                    source,
                    path_start,
                    "invalid import, must be `future.keywords`",
                ));
            }
            if alias.is_some() {
                return Err(at(source, path_start, "`future` imports cannot be aliased"));
            }
        }
        "rego" => {
            if !matches!(parts.as_slice(), [(v, _)] if v == "v1") {
                let path: Vec<&str> = std::iter::once(root.as_str())
                    .chain(parts.iter().map(|(p, _)| p.as_str()))
                    .collect();
                return Err(at(
                    source,
                    path_start,
                    &format!("invalid import `{}`, must be `rego.v1`", path.join(".")),
                ));
            }
        }
        _ => {
            if alias.is_none()
                && let Some((last, off)) = parts.last()
                && KEYWORDS.contains(&last.as_str())
            {
                return Err(at(
                    source,
                    *off,
                    &format!(
                        "unexpected import path, must not end with a keyword, got: {last} (hint: import a different path or use an alias)"
                    ),
                ));
            }
        }
    }
    let mut path = vec![Term::Var(root)];
    path.extend(parts.into_iter().map(|(p, _)| Term::String(p)));
    Ok((
        Import {
            path: Term::Ref(path),
            alias,
        },
        i,
    ))
}

/// Whether only blanks and comments follow `offset`.
fn at_end(source: &str, offset: usize) -> bool {
    source
        .get(offset..)
        .unwrap_or_default()
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

/// `contains` rule-head keywords rewritten as `:=` (padded to the same
/// length), so that regorus reads such heads as single-value heads; the
/// byte offsets of the rewritten keywords.
pub(super) fn contains_as_assign(text: &str) -> (String, Vec<u32>) {
    let src = text.as_bytes();
    let mut out = src.to_vec();
    let mut offsets = Vec::new();
    let mut i = 0;
    while let Some(&b) = src.get(i) {
        match b {
            b'#' => {
                while src.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'"' => i = skip_string(src, i),
            b'`' => {
                i += 1;
                while src.get(i).is_some_and(|&c| c != b'`') {
                    i += 1;
                }
                i += 1;
            }
            _ if is_ident_byte(b) => {
                let start = i;
                while src.get(i).is_some_and(|&c| is_ident_byte(c)) {
                    i += 1;
                }
                let before = start.checked_sub(1).and_then(|p| src.get(p));
                let after = src.get(i);
                if text.get(start..i) == Some("contains")
                    && before.is_some_and(|c| matches!(c, b' ' | b'\t'))
                    && after.is_some_and(|c| matches!(c, b' ' | b'\t'))
                {
                    for (k, c) in out.iter_mut().enumerate().take(i).skip(start) {
                        *c = match k - start {
                            0 => b':',
                            1 => b'=',
                            _ => b' ',
                        };
                    }
                    offsets.push(u32::try_from(start).unwrap_or(u32::MAX));
                }
            }
            _ => i += 1,
        }
    }
    (
        String::from_utf8(out).unwrap_or_else(|_| text.to_string()),
        offsets,
    )
}

/// The `}` matching the `{` at `open` (strings and comments skipped).
pub(super) fn matching_close(text: &str, open: usize) -> Option<usize> {
    let src = text.as_bytes();
    let mut depth = 0_usize;
    let mut i = open;
    while let Some(&b) = src.get(i) {
        match b {
            b'#' => {
                while src.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i = skip_string(src, i);
                continue;
            }
            b'`' => {
                i += 1;
                while src.get(i).is_some_and(|&c| c != b'`') {
                    i += 1;
                }
            }
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The rule body (`{` after `if` or `else`, or a further `{ ... }` body)
/// enclosing `offset`: the offsets of its braces (the closing one, if the
/// body is closed).
pub(super) fn enclosing_body(text: &str, offset: usize) -> Option<(usize, Option<usize>)> {
    let src = text.as_bytes();
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let mut found: Option<usize> = None;
    let mut last_word = "";
    let mut last_sig: Option<u8> = None;
    let mut i = 0;
    while let Some(&b) = src.get(i) {
        if i >= offset && found.is_none() {
            found = stack.iter().find(|(_, body)| *body).map(|(o, _)| *o);
            found?;
        }
        match b {
            b'#' => {
                while src.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i = skip_string(src, i);
                last_sig = Some(b'"');
                continue;
            }
            b'`' => {
                i += 1;
                while src.get(i).is_some_and(|&c| c != b'`') {
                    i += 1;
                }
                i += 1;
                last_sig = Some(b'`');
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        if is_ident_byte(b) {
            let start = i;
            while src.get(i).is_some_and(|&c| is_ident_byte(c)) {
                i += 1;
            }
            last_word = text.get(start..i).unwrap_or_default();
            last_sig = Some(b'a');
            continue;
        }
        match b {
            b'{' => {
                let body = stack.iter().all(|(_, body)| !body)
                    && (matches!(last_word, "if" | "else") && last_sig == Some(b'a')
                        || last_sig == Some(b'}') && stack.is_empty());
                stack.push((i, body));
            }
            b'(' | b'[' => stack.push((i, false)),
            b'}' | b')' | b']' => {
                let opener = match b {
                    b'}' => b'{',
                    b')' => b'(',
                    _ => b'[',
                };
                if stack
                    .last()
                    .is_some_and(|(o, _)| src.get(*o) == Some(&opener))
                    && let Some((open, body)) = stack.pop()
                    && body
                    && found == Some(open)
                {
                    return Some((open, Some(i)));
                }
            }
            _ => {}
        }
        last_sig = Some(b);
        last_word = "";
        i += 1;
    }
    if found.is_none() {
        found = stack.iter().find(|(_, body)| *body).map(|(o, _)| *o);
    }
    found.map(|o| (o, None))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::*;

    #[test]
    fn imports_are_read_and_blanked() {
        let p = prepare("package a\nimport data.x as y\np := 1 import input[\"z\"]\n").unwrap();
        let blank = |n: usize| " ".repeat(n);
        assert_eq!(
            p.text,
            format!("package a\n{}\np := 1{}\n", blank(18), blank(18))
        );
        assert_eq!(p.imports.len(), 2);
        assert_eq!(p.imports[0].1.alias.as_deref(), Some("y"));
        assert_eq!(p.imports[1].0, 3);
    }

    #[test]
    fn imports_inside_strings_and_refs_are_left_alone() {
        let p = prepare("package a\np := \"import data.x\"\nq := import.x\n").unwrap();
        assert!(p.imports.is_empty());
    }

    #[test]
    fn paren_on_a_new_line_starts_an_expression() {
        let p = prepare("package a\np if {\n  x\n  (y)\n  f(\n  (z))\n}\n").unwrap();
        assert_eq!(p.text, "package a\np if {\n  x\n ;(y)\n  f(\n  (z))\n}\n");
    }

    #[test]
    fn bodies_enclosing_an_offset() {
        let t = "package a\np if { x := {1} }\nq := {2}\nr if {\n";
        assert_eq!(enclosing_body(t, 17), Some((15, Some(26))));
        assert_eq!(enclosing_body(t, 33), None);
        assert_eq!(enclosing_body(t, t.len()), Some((42, None)));
    }

    #[test]
    fn data_literals_are_read_and_replaced_in_place() {
        let p = prepare("package a\np := [1, {\"a\": [true]},\n null] if { [x] }\nq := x[[1]]")
            .unwrap();
        assert_eq!(
            p.text,
            "package a\np :=                   \n     0 if { [x] }\nq := x[  0]"
        );
        assert_eq!(p.literals.len(), 2);
        assert!(matches!(&p.literals[0].1, Term::Array(items) if items.len() == 3));
        // Not literals: a body, a ref index, a comprehension, `.` after.
        let p =
            prepare("package a\np if { true }\nq := x[1]\nr := [y | y := 1]\ns := {\"a\": 1}.a")
                .unwrap();
        assert!(p.literals.is_empty());
    }

    #[test]
    fn contains_heads_become_assignments() {
        let (t, offs) = contains_as_assign("p contains x if { contains(\"a\", \"b\") }");
        assert_eq!(t, "p :=       x if { contains(\"a\", \"b\") }");
        assert_eq!(offs, vec![2]);
    }
}
