//! The comments of a module, as OPA's scanner records them: regorus's
//! lexer skips comments, so they are found here by a scan that knows
//! Rego's string literals (`"..."` with escapes, raw `` `...` ``).

use super::ast::Comment;

/// Every `#` comment outside string literals: its 1-based row, 1-based
/// column in characters (as OPA's scanner counts), and its text after the
/// `#` up to the end of the line (a trailing `\r` dropped, as OPA does).
pub(super) fn scan(source: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut row = 1;
    let mut col = 1;
    let mut chars = source.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\n' => {
                row += 1;
                col = 1;
                continue;
            }
            '#' => {
                let start = i + 1;
                let mut end = source.len();
                while let Some(&(j, d)) = chars.peek() {
                    if d == '\n' {
                        end = j;
                        break;
                    }
                    chars.next();
                }
                let text = source.get(start..end).unwrap_or_default();
                out.push(Comment {
                    row,
                    col,
                    text: text.strip_suffix('\r').unwrap_or(text).to_string(),
                });
                // The newline (if any) is handled by the outer loop.
                continue;
            }
            '"' => {
                col += 1;
                let mut escaped = false;
                while let Some(&(_, d)) = chars.peek() {
                    if d == '\n' {
                        // Unterminated: the parser reports it.
                        break;
                    }
                    chars.next();
                    col += 1;
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == '"' {
                        break;
                    }
                }
                continue;
            }
            '`' => {
                col += 1;
                for (_, d) in chars.by_ref() {
                    if d == '\n' {
                        row += 1;
                        col = 1;
                    } else {
                        col += 1;
                    }
                    if d == '`' {
                        break;
                    }
                }
                continue;
            }
            _ => {}
        }
        col += 1;
    }
    out
}

/// Whether the source holds nothing but whitespace and comments (OPA's
/// "empty module").
pub(super) fn is_blank(source: &str) -> bool {
    source
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn comments_outside_strings_with_character_columns() {
        let c = scan("package a # x\ny := \"# no\" # ü\nz := `#\n#` #end\r\n");
        let got: Vec<_> = c.iter().map(|c| (c.row, c.col, c.text.as_str())).collect();
        assert_eq!(got, vec![(1, 11, " x"), (2, 13, " ü"), (4, 4, "end")]);
    }

    #[test]
    fn escaped_quote_does_not_end_a_string() {
        let c = scan(r##"x := "a\"#b" #c"##);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].text, "c");
    }
}
