//! Parse errors, worded and laid out as OPA's `rego_parse_error`s.
//!
//! OPA's text for one error at a location is
//! `<file>:<row>: rego_parse_error: <message>` followed by the source
//! line (leading tabs removed) and a caret under the column, each on its
//! own line after a tab; `ast.ParseModule` returns a list
//! (`1 error occurred: ...`), except for an empty module.

use regorus::unstable::Span;

/// A parse error found by regorus or by the conversion.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum ParseError {
    /// At a 1-based line and byte column.
    At { line: u32, col: u32, msg: String },
    /// At the end of the source: OPA reports the row after the last
    /// character and shows the line of the last token.
    AtEof { msg: String },
    /// At a location OPA prints without a source line.
    NoDetail { line: u32, msg: String },
    /// Several errors, in order.
    Multi(Vec<ParseError>),
    /// OPA's single, unlisted `<file>:0: rego_parse_error: empty module`.
    EmptyModule,
    /// A bound of this implementation (not OPA's) was hit: a resource
    /// limit, not a syntax error.
    Limit(String),
}

impl ParseError {
    /// At the start of a span.
    pub fn at(span: &Span, msg: &str) -> ParseError {
        let offset = usize::try_from(span.start).unwrap_or(usize::MAX);
        ParseError::at_offset(span.source.contents(), offset, msg)
    }

    /// At a byte offset of `contents`.
    pub fn at_offset(contents: &str, offset: usize, msg: &str) -> ParseError {
        let (line, col) = position(contents, offset);
        ParseError::At {
            line,
            col,
            msg: msg.to_string(),
        }
    }

    /// OPA's message text (after `rego.parse_module: `).
    pub fn opa_text(&self, file: &str, source: &str) -> String {
        match self {
            ParseError::EmptyModule => format!("{file}:0: rego_parse_error: empty module"),
            ParseError::Limit(msg) => msg.clone(),
            ParseError::Multi(errors) if errors.len() != 1 => {
                let lines: Vec<String> = errors.iter().map(|e| e.one(file, source)).collect();
                format!("{} errors occurred:\n{}", errors.len(), lines.join("\n"))
            }
            other => format!("1 error occurred: {}", other.one(file, source)),
        }
    }

    /// One error: `<file>:<row>: rego_parse_error: <msg>` and, when OPA
    /// shows them, the source line and a caret (at the byte column, after
    /// the line's leading tabs are removed).
    fn one(&self, file: &str, source: &str) -> String {
        match self {
            ParseError::EmptyModule => format!("{file}:0: rego_parse_error: empty module"),
            ParseError::Limit(msg) => msg.clone(),
            ParseError::Multi(errors) => errors
                .iter()
                .map(|e| e.one(file, source))
                .collect::<Vec<_>>()
                .join("\n"),
            ParseError::NoDetail { line, msg } => {
                format!("{file}:{line}: rego_parse_error: {msg}")
            }
            ParseError::At { line, col, msg } => {
                format!(
                    "{file}:{line}: rego_parse_error: {msg}{}",
                    detail(source, *line, *col)
                )
            }
            ParseError::AtEof { msg } => {
                let row = source.matches('\n').count().saturating_add(1);
                let (line, col) = last_token(source);
                format!(
                    "{file}:{row}: rego_parse_error: {msg}{}",
                    detail(source, line, col)
                )
            }
        }
    }
}

/// OPA's detail lines: the source line without its leading tabs, and a
/// caret under the byte column.
fn detail(source: &str, line: u32, col: u32) -> String {
    let idx = usize::try_from(line.saturating_sub(1)).unwrap_or(usize::MAX);
    let text = source.split('\n').nth(idx).unwrap_or_default();
    let text = text.strip_suffix('\r').unwrap_or(text);
    let stripped = text.trim_start_matches('\t');
    let tabs = text.len() - stripped.len();
    let byte_col = usize::try_from(col.saturating_sub(1)).unwrap_or(0);
    let indent = " ".repeat(byte_col.saturating_sub(tabs));
    format!("\n\t{stripped}\n\t{indent}^")
}

/// Line and byte column of the last character of the last token (OPA's
/// location for an unexpected end of file).
pub(super) fn last_token(source: &str) -> (u32, u32) {
    let mut offset = 0;
    for (i, line) in source.split('\n').enumerate() {
        let code = code_part(line);
        let trimmed = code.trim_end();
        if !trimmed.is_empty() {
            offset = source
                .split('\n')
                .take(i)
                .map(|l| l.len() + 1)
                .sum::<usize>()
                + trimmed.len().saturating_sub(1);
        }
    }
    position(source, offset)
}

/// A line without its comment (a `#` outside string literals).
fn code_part(line: &str) -> &str {
    let b = line.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while let Some(&c) = b.get(i) {
        match quote {
            Some(q) => {
                if c == b'\\' && q == b'"' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'`' => quote = Some(c),
                b'#' => return line.get(..i).unwrap_or(line),
                _ => {}
            },
        }
        i += 1;
    }
    line
}

/// 1-based line and byte column of a byte offset.
pub(super) fn position(contents: &str, offset: usize) -> (u32, u32) {
    let before = contents
        .get(..offset.min(contents.len()))
        .unwrap_or_default();
    let line = before.matches('\n').count().saturating_add(1);
    let col = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        .saturating_add(1);
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// The byte column of a regorus column on `line` of `source` (regorus
/// counts a tab as four columns).
fn byte_col(source: &str, line: u32, col: u32) -> u32 {
    let idx = usize::try_from(line.saturating_sub(1)).unwrap_or(usize::MAX);
    let text = source.split('\n').nth(idx).unwrap_or_default();
    let mut regorus_col = 1_u32;
    for (i, c) in text.char_indices() {
        if regorus_col >= col {
            return u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
        }
        let width = if c == '\t' { 4 } else { c.len_utf8() };
        regorus_col = regorus_col.saturating_add(u32::try_from(width).unwrap_or(1));
    }
    let past = u32::try_from(text.len()).unwrap_or(u32::MAX);
    past.saturating_add(1)
        .saturating_add(col.saturating_sub(regorus_col))
}

/// Read a regorus error (`\n--> file:line:col\n ... \nerror: msg`, or
/// `file:line:col error: msg`) on `source` back into a location (a byte
/// column) and a message.
pub(super) fn from_regorus(file: &str, source: &str, text: &str) -> ParseError {
    let located = |loc: &str, msg: &str| -> Option<ParseError> {
        let rest = loc.strip_prefix(file)?.strip_prefix(':')?;
        let (line, col) = rest.split_once(':')?;
        let line: u32 = line.trim().parse().ok()?;
        let col: u32 = col.trim().parse().ok()?;
        Some(ParseError::At {
            line,
            col: byte_col(source, line, col),
            msg: msg.trim().to_string(),
        })
    };
    if let Some(i) = text.find("--> ") {
        let after = text.get(i + 4..).unwrap_or_default();
        let loc = after.lines().next().unwrap_or_default();
        if let Some(j) = after.find("\nerror: ") {
            let msg = after.get(j + 8..).unwrap_or_default();
            if let Some(e) = located(loc, msg) {
                return e;
            }
        }
    }
    if let Some((loc, msg)) = text.split_once(" error: ")
        && let Some(e) = located(loc.trim(), msg)
    {
        return e;
    }
    ParseError::NoDetail {
        line: 1,
        msg: text.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opa_layout_strips_leading_tabs_from_the_source_line() {
        let e = ParseError::At {
            line: 2,
            col: 8,
            msg: "unexpected ] token".into(),
        };
        assert_eq!(
            e.opa_text("x.rego", "package a\n\t\tx := ]\n"),
            "1 error occurred: x.rego:2: rego_parse_error: unexpected ] token\n\tx := ]\n\t     ^"
        );
    }

    #[test]
    fn regorus_error_text_is_read_back() {
        let text = "\n--> x.rego:3:5\n  |\n3 | p { }\n  |     ^\nerror: bad thing";
        assert_eq!(
            from_regorus("x.rego", "\n\n\tp { }", text),
            ParseError::At {
                line: 3,
                col: 2,
                msg: "bad thing".into()
            }
        );
        assert_eq!(
            from_regorus("a:b.rego", "", "a:b.rego:2:1 error: encountered `x`"),
            ParseError::At {
                line: 2,
                col: 1,
                msg: "encountered `x`".into()
            }
        );
    }

    #[test]
    fn end_of_file_errors_show_the_last_token() {
        let e = ParseError::AtEof {
            msg: "unexpected eof token".into(),
        };
        assert_eq!(
            e.opa_text("x.rego", "package a\np := 1 + # c\n\n"),
            "1 error occurred: x.rego:4: rego_parse_error: unexpected eof token\n\tp := 1 + # c\n\t       ^"
        );
    }

    #[test]
    fn byte_offsets_become_lines_and_columns() {
        assert_eq!(position("ab\ncd", 4), (2, 2));
        assert_eq!(position("ab", 0), (1, 1));
    }
}
