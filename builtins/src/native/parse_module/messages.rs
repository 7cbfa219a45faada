//! regorus's parse error messages in OPA's words.
//!
//! OPA's parser reports most syntax errors as `unexpected <token>[: note]`
//! at the offending token (`tokens.go` names: `}` → `} token`, `+` →
//! `plus token`, `if` → `if keyword`, end of input → `eof token`, located
//! at the last token). regorus words them differently (`expecting
//! expression`, `expecting `]` while parsing array`, ...); the common
//! ones are translated here, using the source text to name the token at
//! the error position. An error in a rule's `:=` value also gets OPA's
//! second error (`expected rule value term (e.g., p := <VALUE> { ... })`).
//! Anything else keeps regorus's wording at regorus's location.

use super::error::{ParseError, position};

/// OPA's keywords (tokens named `<word> keyword`).
const KEYWORDS: &[&str] = &[
    "package", "import", "as", "default", "else", "not", "some", "with", "null", "true", "false",
    "every", "contains", "if", "in",
];

/// Byte offset of a 1-based line and byte column.
pub(super) fn offset_of(text: &str, line: u32, col: u32) -> usize {
    let idx = usize::try_from(line.saturating_sub(1)).unwrap_or(usize::MAX);
    let start: usize = text.split('\n').take(idx).map(|l| l.len() + 1).sum();
    start
        .saturating_add(usize::try_from(col.saturating_sub(1)).unwrap_or(0))
        .min(text.len())
}

/// Whether only whitespace and comments follow `offset`.
fn at_eof(text: &str, offset: usize) -> bool {
    text.get(offset..)
        .unwrap_or_default()
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

/// OPA's name of the token at `offset` (`None` for a character no token
/// starts with).
fn token_name(text: &str, offset: usize) -> Option<String> {
    let rest = text.get(offset..).unwrap_or_default();
    let c = rest.chars().next()?;
    if c == '"' || c == '`' {
        return Some("string token".into());
    }
    if c.is_ascii_digit() {
        return Some("number token".into());
    }
    if c.is_ascii_alphabetic() || c == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        return Some(if KEYWORDS.contains(&word.as_str()) {
            format!("{word} keyword")
        } else {
            "identifier token".into()
        });
    }
    let two = rest.get(..2).unwrap_or_default();
    let name = match two {
        ":=" => "assign",
        "==" => "equal",
        "!=" => "neq",
        "<=" => "lte",
        ">=" => "gte",
        _ => match c {
            '=' => "eq",
            '<' => "lt",
            '>' => "gt",
            '+' => "plus",
            '-' => "minus",
            '*' => "mul",
            '/' => "div",
            '%' => "rem",
            '&' => "and",
            '|' => "or",
            '$' => "dollar",
            '[' => "[",
            ']' => "]",
            '{' => "{",
            '}' => "}",
            '(' => "(",
            ')' => ")",
            ',' => ",",
            ':' => ":",
            '.' => ".",
            ';' => ";",
            _ => return None,
        },
    };
    Some(format!("{name} token"))
}

/// OPA's `unexpected <token>[: note]` at `offset`.
fn unexpected(text: &str, offset: usize, note: &str) -> ParseError {
    let suffix = if note.is_empty() {
        String::new()
    } else {
        format!(": {note}")
    };
    if at_eof(text, offset) {
        return ParseError::AtEof {
            msg: format!("unexpected eof token{suffix}"),
        };
    }
    let (line, col) = position(text, offset);
    let msg = match token_name(text, offset) {
        Some(t) => format!("unexpected {t}{suffix}"),
        None => "illegal token".to_string(),
    };
    ParseError::At { line, col, msg }
}

/// The last significant byte before `offset` (comments skipped).
fn previous_significant(text: &str, offset: usize) -> Option<u8> {
    let before = text.get(..offset).unwrap_or_default();
    before
        .lines()
        .rev()
        .flat_map(|l| {
            let code = l.split('#').next().unwrap_or_default();
            code.trim_end().bytes().last()
        })
        .next()
}

/// Reword a regorus parse error (located in `text`, the source regorus
/// parsed) as OPA's parser reports it.
pub(super) fn to_opa(e: ParseError, text: &str) -> ParseError {
    let ParseError::At { line, col, msg } = &e else {
        return e;
    };
    let off = offset_of(text, *line, *col);
    match translate(text, off, *line, msg) {
        Some(primary) => with_head_value_error(primary, text),
        None => e,
    }
}

/// OPA reports a failed rule value term twice: the term's own error, then
/// `expected rule value term (e.g., ...)` at the same token. Added when
/// the (last) error lies in the first term of a top-level head's value.
pub(super) fn with_head_value_error(primary: ParseError, text: &str) -> ParseError {
    let off = match &primary {
        ParseError::At { line, col, .. } => offset_of(text, *line, *col),
        ParseError::AtEof { .. } => text.len(),
        ParseError::Multi(v) => match v.last() {
            Some(ParseError::At { line, col, .. }) => offset_of(text, *line, *col),
            Some(ParseError::AtEof { .. }) => text.len(),
            _ => return primary,
        },
        _ => return primary,
    };
    let last_msg = match &primary {
        ParseError::Multi(v) => v.last(),
        p => Some(p),
    }
    .and_then(|e| match e {
        ParseError::At { msg, .. } | ParseError::AtEof { msg } => Some(msg.as_str()),
        _ => None,
    })
    .unwrap_or_default();
    // Errors OPA reports once the value term itself was read.
    if last_msg.starts_with("illegal ref") || last_msg == "found empty body" {
        return primary;
    }
    let Some(note) = head_value_note(text, off) else {
        return primary;
    };
    let mut all = match primary {
        ParseError::Multi(v) => v,
        p => vec![p],
    };
    let second = match all.last() {
        Some(ParseError::At { line, col, msg }) if msg.starts_with("illegal") => ParseError::At {
            line: *line,
            col: *col,
            msg: "illegal token".into(),
        },
        Some(ParseError::At { line, col, .. }) => {
            unexpected(text, offset_of(text, *line, *col), &note)
        }
        Some(ParseError::AtEof { .. }) => ParseError::AtEof {
            msg: format!("unexpected eof token: {note}"),
        },
        _ => return ParseError::Multi(all),
    };
    all.push(second);
    ParseError::Multi(all)
}

/// Where a string token starts, when regorus points just inside it.
fn token_start(text: &str, off: usize) -> usize {
    let Some(prev) = off.checked_sub(1) else {
        return off;
    };
    let quote = text.as_bytes().get(prev).copied();
    if !matches!(quote, Some(b'"') | Some(b'`')) {
        return off;
    }
    // An opening quote: an even number of quotes before it on its line.
    let line_start = text
        .get(..prev)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |n| n + 1);
    let before = text.get(line_start..prev).unwrap_or_default();
    let q = char::from(quote.unwrap_or(b'"'));
    let count = before.matches(q).count() - before.matches(&format!("\\{q}")[..]).count();
    if count % 2 == 0 { prev } else { off }
}

/// The start of the last term of the text (a trailing `,` skipped).
fn last_term_start(text: &str) -> usize {
    let t = text.trim_end();
    let t = t.strip_suffix(',').unwrap_or(t).trim_end();
    let b = t.as_bytes();
    let mut i = t.len();
    match b.last() {
        Some(&q) if q == b'"' || q == b'`' => {
            i = i.saturating_sub(1);
            while let Some(p) = i.checked_sub(1) {
                i = p;
                if b.get(p) == Some(&q) && (q == b'`' || b.get(p.wrapping_sub(1)) != Some(&b'\\')) {
                    break;
                }
            }
        }
        _ => {
            while i > 0
                && b.get(i - 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
            {
                i -= 1;
            }
        }
    }
    i
}

/// The start of the top-level statement holding `offset`: the last line
/// at or before it that begins with a non-blank character other than `#`
/// or `}`.
fn statement_start(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or_default();
    let mut start = 0;
    let mut pos = 0;
    for l in before.split_inclusive('\n') {
        if l.chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != '#' && c != '}')
        {
            start = pos;
        }
        pos += l.len();
    }
    start
}

/// The word ending just before `offset` (whitespace skipped).
fn previous_word(text: &str, offset: usize) -> &str {
    let before = text.get(..offset).unwrap_or_default().trim_end();
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    before.get(start..).unwrap_or_default()
}

fn translate(text: &str, off: usize, line: u32, msg: &str) -> Option<ParseError> {
    let off = token_start(text, off);
    let no_detail = |m: &str| ParseError::NoDetail {
        line,
        msg: m.to_string(),
    };
    let at = |o: usize, m: &str| {
        let (line, col) = position(text, o);
        ParseError::At {
            line,
            col,
            msg: m.to_string(),
        }
    };
    let token = token_name(text, off).unwrap_or_default();
    if msg == "expecting expression" || msg.starts_with("expecting `)`") {
        return Some(unexpected(text, off, ""));
    }
    if msg == "expecting identifier. Failed to parse rule-ref." {
        let kind = match text.get(off..).and_then(|r| r.chars().next()) {
            Some('"') | Some('`') => Some("string"),
            Some(c) if c.is_ascii_digit() => Some("number"),
            Some('[') => Some("array"),
            _ => None,
        };
        return Some(match kind {
            Some(k) => no_detail(&format!("{k} cannot be used for rule name")),
            None => unexpected(text, off, ""),
        });
    }
    if msg.starts_with("expecting identifier") {
        let note = if token == "string token" {
            ""
        } else if previous_word(text, off) == "with" {
            "expected ident"
        } else {
            "expected identifier"
        };
        return Some(unexpected(text, off, note));
    }
    if msg.starts_with("expecting `package`") {
        return Some(no_detail("package expected"));
    }
    if msg == "`if` keyword is required before rule body" {
        let start = statement_start(text, off);
        let head = text.get(start..off).unwrap_or_default();
        let function = head.contains('(');
        let first = no_detail(if function {
            "`if` keyword is required before function body"
        } else {
            msg
        });
        let head = head.trim();
        let partial_set = !function
            && head.ends_with(']')
            && !head.contains(":=")
            && !head.contains('=')
            && head.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
        return Some(if partial_set {
            ParseError::Multi(vec![
                first,
                no_detail("`contains` keyword is required for partial set rules"),
            ])
        } else {
            first
        });
    }
    if msg == "`contains` keyword is required for partial set rules" {
        return Some(no_detail(msg));
    }
    if msg == "rule must have a body or assignment" {
        let rest = text.get(off..).unwrap_or_default();
        let head = rest.lines().next().unwrap_or_default().trim();
        if head.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Some(no_detail("var cannot be used for rule name"));
        }
        if let Some(paren) = head.find('(')
            && let Some(kw) = rest.find(" contains")
        {
            let name = head.get(..paren).unwrap_or_default();
            return Some(unexpected(
                text,
                off + kw + 1,
                &format!(
                    "the contains keyword can only be used with multi-value rule definitions (e.g., {name} contains <VALUE> {{ ... }})"
                ),
            ));
        }
        return None;
    }
    if msg == "expected assignment or query after `else`" {
        return Some(unexpected(
            text,
            off,
            "expected else value term or rule body",
        ));
    }
    if msg == "invalid character" {
        let c = text
            .get(off..)
            .and_then(|r| r.chars().next())
            .unwrap_or('?');
        return Some(at(off, &format!("illegal {c} character")));
    }
    if let Some(kw) = msg
        .strip_prefix("unexpected keyword `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return Some(at(off, &format!("unexpected {kw} keyword")));
    }
    if msg.starts_with("encountered `") && msg.ends_with("while expecting identifier") {
        return Some(unexpected(text, off, "expected var"));
    }
    if msg.starts_with("expecting `{`") && msg.contains("`every`") {
        return Some(unexpected(text, off, "missing body"));
    }
    if msg.starts_with("expecting `in`") && msg.contains("`every`") {
        return Some(unexpected(
            text,
            off,
            "expected `x[, y] in xs { ... }` expression",
        ));
    }
    if msg.starts_with("expecting `as`") {
        return Some(unexpected(text, off, "expected as keyword"));
    }
    if msg.starts_with("expecting `]` while parsing array") {
        let note = match previous_significant(text, off) {
            Some(b',') | Some(b'[') => "",
            _ => "expected \",\" or \"]\"",
        };
        return Some(unexpected(text, off, note));
    }
    if msg == "expecting `}` while parsing query" {
        return Some(unexpected(text, off, "expected \\n or ; or }"));
    }
    if msg == "expecting `]` while parsing query" {
        return Some(unexpected(text, off, "expected \\n or ; or ]"));
    }
    if let Some(kind) = match msg {
        "expecting `}` while parsing set" => Some("set"),
        "expecting `}` while parsing object" => Some("object"),
        _ => None,
    } {
        // At the end of input OPA points at the last element.
        let off = if at_eof(text, off) {
            last_term_start(text)
        } else {
            off
        };
        return Some(unexpected(text, off, &format!("non-terminated {kind}")));
    }
    if msg == "expected string" {
        let token = if token == "identifier token" {
            "var token".to_string()
        } else {
            token.replace(" keyword", " token")
        };
        return Some(at(off, &format!("unexpected {token}: expecting string")));
    }
    if msg == "unmatched \"" || msg == "unmatched `" || msg == "invalid escape sequence" {
        // OPA points at the opening quote and adds an illegal token.
        let quote = if msg.ends_with('`') { '`' } else { '"' };
        let start = text
            .get(..=off.min(text.len().saturating_sub(1)))
            .and_then(|b| b.rfind(quote))
            .unwrap_or(off);
        let first = if msg.starts_with("invalid") {
            "illegal escape sequence"
        } else {
            "non-terminated string"
        };
        return Some(ParseError::Multi(vec![
            at(start, first),
            at(start, "illegal token"),
        ]));
    }
    if msg == "invalid number" {
        let before = text.get(..off).unwrap_or_default();
        let start = before
            .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(0, |i| i + 1);
        let literal: String = text
            .get(start..)
            .unwrap_or_default()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if literal.ends_with('.') {
            return Some(ParseError::Multi(vec![
                at(start, "expected fraction"),
                at(start, "illegal token"),
            ]));
        }
        return Some(unexpected(
            text,
            start,
            "expected number without leading zero",
        ));
    }
    if (msg == "invalid whitespace before [" || msg == "invalid whitespace before .")
        && let Some(q) = text.get(..off).and_then(|b| b.trim_end().chars().last())
        && (q == '"' || q == '`')
    {
        let before = text.get(..off).unwrap_or_default().trim_end();
        let close = before.len().saturating_sub(1);
        let open = text.get(..close).and_then(|b| b.rfind(q)).unwrap_or(close);
        return Some(at(open, "illegal ref (head cannot be string)"));
    }
    None
}

/// OPA's note for a failed head value, when `offset` lies in the first
/// term of the value of a top-level rule head (`p := `, `f(x) := `,
/// `default p := `, `p = `), before any `if`.
fn head_value_note(text: &str, offset: usize) -> Option<String> {
    let start = statement_start(text, offset);
    let stmt = text.get(start..offset)?;
    let (default, stmt) = match stmt.strip_prefix("default") {
        Some(rest) if rest.starts_with([' ', '\t']) => (true, rest.trim_start()),
        _ => (false, stmt),
    };
    // The head: a ref with optional args, up to `:=` or `=` at depth 0.
    let mut depth = 0_i32;
    let mut split = None;
    for (i, c) in stmt.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '"' | '`' | '#' if depth == 0 => return None,
            ':' if depth == 0 && stmt.get(i..).is_some_and(|r| r.starts_with(":=")) => {
                split = Some((i, 2));
                break;
            }
            '=' if depth == 0 => {
                if stmt.get(i..).is_some_and(|r| r.starts_with("==")) {
                    return None;
                }
                split = Some((i, 1));
                break;
            }
            _ => {}
        }
    }
    let (at, op_len) = split?;
    let head: String = stmt
        .get(..at)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let first = head.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    let value = stmt.get(at + op_len..)?;
    // Only inside the value's first term: within its brackets, or at its
    // start (after an optional unary minus).
    let mut depth = 0_i32;
    let mut quote: Option<char> = None;
    let mut word = String::new();
    for c in value.chars().chain(std::iter::once(' ')) {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        // A body (`if`) or an `else` branch: past the value.
        if depth == 0 && (word == "if" || word == "else") {
            return None;
        }
        word.clear();
        match c {
            '"' | '`' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    let lead = value.trim();
    if depth <= 0 && !(lead.is_empty() || lead == "-") {
        return None;
    }
    let (reference, function) = match head.split_once('(') {
        Some((r, _)) => (r.to_string(), true),
        None => (head.clone(), false),
    };
    let assign = op_len == 2;
    Some(match (default, function, assign) {
        (true, _, true) => {
            format!("expected default rule value term (e.g., default {reference} := <VALUE>)")
        }
        (_, true, true) => {
            format!("expected function value term (e.g., {reference}(...) := <VALUE> {{ ... }})")
        }
        (_, _, true) => {
            format!("expected rule value term (e.g., {reference} := <VALUE> {{ ... }})")
        }
        (_, _, false) => {
            format!("expected rule value term (e.g., {reference}[<nil>] = <VALUE> {{ ... }})")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_named_as_opa_does() {
        let t = "x := } + if foo 1 \"s\" ~";
        assert_eq!(token_name(t, 2).as_deref(), Some("assign token"));
        assert_eq!(token_name(t, 5).as_deref(), Some("} token"));
        assert_eq!(token_name(t, 7).as_deref(), Some("plus token"));
        assert_eq!(token_name(t, 9).as_deref(), Some("if keyword"));
        assert_eq!(token_name(t, 12).as_deref(), Some("identifier token"));
        assert_eq!(token_name(t, 16).as_deref(), Some("number token"));
        assert_eq!(token_name(t, 18).as_deref(), Some("string token"));
        assert_eq!(token_name(t, 22), None);
    }

    #[test]
    fn no_head_value_error_after_if() {
        let t = "package a\np := 1 if { input.a } else := 2 if { }";
        assert_eq!(head_value_note(t, t.len() - 1), None);
    }

    #[test]
    fn head_values_are_recognised() {
        let t = "package a\np := [1,\nq if { x := [1, }\nf(x) := -\nr := 1 $";
        assert_eq!(
            head_value_note(t, 18).as_deref(),
            Some("expected rule value term (e.g., p := <VALUE> { ... })")
        );
        assert_eq!(head_value_note(t, 34), None);
        assert_eq!(
            head_value_note(t, 47).as_deref(),
            Some("expected function value term (e.g., f(...) := <VALUE> { ... })")
        );
        assert_eq!(head_value_note(t, t.len() - 1), None);
    }
}
