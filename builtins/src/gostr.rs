//! Go's string quoting (`strconv.Quote`, `QuoteToASCII`, `QuoteRune`,
//! `CanBackquote`) and `unicode.IsPrint`, which OPA uses to print strings
//! inside composite values and `sprintf` uses for `%q`.

use unicode_general_category::{GeneralCategory as G, get_general_category};

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_ascii() {
        return c.is_ascii_graphic();
    }
    !matches!(
        get_general_category(c),
        G::Control
            | G::Format
            | G::PrivateUse
            | G::Surrogate
            | G::Unassigned
            | G::SpaceSeparator
            | G::LineSeparator
            | G::ParagraphSeparator
    )
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_digit(v: u32) -> char {
    char::from(
        HEX.get(usize::try_from(v & 0xf).unwrap_or(0))
            .copied()
            .unwrap_or(b'0'),
    )
}

/// Append `c` as `strconv.Quote` writes it inside `quote`s.
pub(crate) fn escape_rune(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        _ => {
            let r = u32::from(c);
            if r < 0x20 || r == 0x7f {
                out.push_str("\\x");
                out.push(hex_digit(r >> 4));
                out.push(hex_digit(r));
            } else if r < 0x10000 {
                out.push_str("\\u");
                for s in [12, 8, 4, 0] {
                    out.push(hex_digit(r >> s));
                }
            } else {
                out.push_str("\\U");
                for s in [28, 24, 20, 16, 12, 8, 4, 0] {
                    out.push(hex_digit(r >> s));
                }
            }
        }
    }
}

/// `strconv.Quote` (or `QuoteToASCII` when `ascii_only`).
pub(crate) fn quote(s: &str, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        escape_rune(&mut out, c, '"', ascii_only);
    }
    out.push('"');
    out
}

/// `strconv.QuoteRune` (or `QuoteRuneToASCII`).
pub(crate) fn quote_rune(c: char, ascii_only: bool) -> String {
    let mut out = String::from('\'');
    escape_rune(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

/// `strconv.CanBackquote`.
pub(crate) fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c < ' ' || c == '\u{7f}')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(quote("a\"b\\c", false), r#""a\"b\\c""#);
        assert_eq!(quote("\n\t\u{1}\u{7f}", false), r#""\n\t\x01\x7f""#);
        assert_eq!(quote("héllo", false), "\"héllo\"");
        assert_eq!(quote("héllo", true), r#""h\u00e9llo""#);
        assert_eq!(quote("\u{a0}", false), r#""\u00a0""#);
        assert_eq!(quote("😀", true), r#""\U0001f600""#);
        assert_eq!(quote_rune('\'', false), r"'\''");
        assert!(can_backquote("a\tb"));
        assert!(!can_backquote("a`b"));
    }
}
