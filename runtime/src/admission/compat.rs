//! Source-level adjustments that make regorus read Rego the way OPA does.
//!
//! Two constructs found in real Gatekeeper templates are read differently
//! by regorus 0.14:
//! - a body line starting with `(` right after a line ending in a term:
//!   OPA reads two expressions (a newline separates them), regorus reads a
//!   call of the first term; we insert the separating `;`;
//! - Rego v0 rules with chained bodies, `head { a } { b }` (= two rules
//!   with the same head): regorus refuses them for set rules; we repeat the
//!   head before each further body.
//!
//! Both rewrites keep every line where it was (no line is added or
//! removed), so error positions stay right.

/// A scanner over Rego source that skips strings and comments.
struct Scan<'a> {
    bytes: &'a [u8],
}

impl Scan<'_> {
    /// Index just past the string or comment starting at `i`, if one does.
    fn skip_literal(&self, i: usize) -> Option<usize> {
        let b = *self.bytes.get(i)?;
        match b {
            b'"' => {
                let mut j = i + 1;
                while let Some(&c) = self.bytes.get(j) {
                    match c {
                        b'\\' => j += 2,
                        b'"' => return Some(j + 1),
                        b'\n' => return Some(j),
                        _ => j += 1,
                    }
                }
                Some(j)
            }
            b'`' => {
                let mut j = i + 1;
                while let Some(&c) = self.bytes.get(j) {
                    if c == b'`' {
                        return Some(j + 1);
                    }
                    j += 1;
                }
                Some(j)
            }
            b'#' => {
                let mut j = i;
                while let Some(&c) = self.bytes.get(j) {
                    if c == b'\n' {
                        break;
                    }
                    j += 1;
                }
                Some(j)
            }
            _ => None,
        }
    }
}

/// Insert `;` where a body line starts with `(` right after a line that
/// ends a term, outside any parentheses or brackets.
pub(crate) fn separate_paren_lines(src: &str) -> String {
    let bytes = src.as_bytes();
    let scan = Scan { bytes };
    let mut paren_depth: i64 = 0;
    let mut brace_depth: i64 = 0;
    let mut last_sig: Option<(usize, u8)> = None; // last significant byte
    let mut inserts: Vec<usize> = Vec::new();
    let mut at_line_start = true;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let Some(end) = scan.skip_literal(i) {
            if b != b'#' {
                last_sig = Some((end.saturating_sub(1), b'"'));
            }
            i = end.max(i + 1);
            at_line_start = false;
            continue;
        }
        match b {
            b'\n' => {
                at_line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        if at_line_start
            && b == b'('
            && paren_depth == 0
            && brace_depth > 0
            && let Some((pos, c)) = last_sig
            && (c.is_ascii_alphanumeric() || c == b'_' || c == b']' || c == b')')
        {
            inserts.push(pos + 1);
        }
        at_line_start = false;
        match b {
            b'(' | b'[' => paren_depth += 1,
            b')' | b']' => paren_depth -= 1,
            b'{' => brace_depth += 1,
            b'}' => brace_depth -= 1,
            _ => {}
        }
        last_sig = Some((i, b));
        i += 1;
    }
    if inserts.is_empty() {
        return src.to_string();
    }
    let mut out = String::with_capacity(src.len() + inserts.len());
    let mut prev = 0;
    for at in inserts {
        out.push_str(src.get(prev..at).unwrap_or(""));
        out.push(';');
        prev = at;
    }
    out.push_str(src.get(prev..).unwrap_or(""));
    out
}

/// Rewrite v0 chained bodies `head { a } { b }` as `head { a } head { b }`.
/// Returns `None` when there is nothing to rewrite.
pub(crate) fn split_chained_bodies(src: &str) -> Option<String> {
    let bytes = src.as_bytes();
    let scan = Scan { bytes };
    let mut depth: i64 = 0;
    let mut stmt_start: Option<usize> = None;
    let mut head: Option<(usize, usize)> = None;
    let mut last_sig: u8 = b'\n';
    let mut just_closed_body = false;
    let mut body_open_at_depth0 = false;
    let mut inserts: Vec<(usize, (usize, usize))> = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let Some(end) = scan.skip_literal(i) {
            if b != b'#' {
                if depth == 0 && stmt_start.is_none() {
                    stmt_start = Some(i);
                }
                last_sig = b'"';
                just_closed_body = false;
            }
            i = end.max(i + 1);
            continue;
        }
        if b.is_ascii_whitespace() {
            if b == b'\n' && depth == 0 && !just_closed_body {
                stmt_start = None;
            }
            i += 1;
            continue;
        }
        if depth == 0 {
            if b == b'{' {
                let value_position =
                    matches!(last_sig, b'=' | b':' | b',' | b'(' | b'[' | b'|' | b'&');
                if just_closed_body {
                    if let Some(h) = head {
                        inserts.push((i, h));
                    }
                    body_open_at_depth0 = true;
                } else if !value_position {
                    if let Some(start) = stmt_start {
                        head = Some((start, i));
                    }
                    body_open_at_depth0 = true;
                } else {
                    body_open_at_depth0 = false;
                }
            } else if just_closed_body {
                // Anything else than `{` after a body: `else`, or a new rule.
                if !src.get(i..).is_some_and(|r| r.starts_with("else")) {
                    stmt_start = Some(i);
                    head = None;
                }
            } else if stmt_start.is_none() {
                stmt_start = Some(i);
            }
            just_closed_body = false;
        }
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 && b == b'}' && body_open_at_depth0 {
                    just_closed_body = true;
                    last_sig = b;
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        last_sig = b;
        i += 1;
    }
    if inserts.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(src.len() + 64 * inserts.len());
    let mut prev = 0;
    for (at, (hs, he)) in inserts {
        // `} {`  →  `} <head> {` on the same line
        out.push_str(src.get(prev..at).unwrap_or(""));
        let head_text = src.get(hs..he).unwrap_or("").trim_end();
        // keep the head on one line so that line numbers do not move
        let one_line: String = head_text
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&one_line);
        out.push(' ');
        prev = at;
    }
    out.push_str(src.get(prev..).unwrap_or(""));
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn paren_lines_are_separated_inside_bodies_only() {
        let src = "p {\n  input.x\n  (input.a - input.b) >= 1\n}\nq := f(\n  (1)\n)\n";
        let out = separate_paren_lines(src);
        assert_eq!(
            out,
            "p {\n  input.x;\n  (input.a - input.b) >= 1\n}\nq := f(\n  (1)\n)\n"
        );
        let untouched = "p {\n  x := [1,\n  (2)]\n  y := \"a\" # (c)\n}\n";
        assert_eq!(separate_paren_lines(untouched), untouched);
    }

    #[test]
    fn chained_bodies_are_split() {
        let src = "package x\nf(o) = s {\n  s := 1\n} {\n  s := 2\n}\nv[{\"msg\": m}] {\n  m := \"a\"\n} {\n  m := \"b\"\n}\nw = {\"a\": 1} { true }\nz { true } else = false { true }\n";
        let out = split_chained_bodies(src).unwrap();
        assert_eq!(
            out,
            "package x\nf(o) = s {\n  s := 1\n} f(o) = s {\n  s := 2\n}\nv[{\"msg\": m}] {\n  m := \"a\"\n} v[{\"msg\": m}] {\n  m := \"b\"\n}\nw = {\"a\": 1} { true }\nz { true } else = false { true }\n"
        );
        assert_eq!(out.lines().count(), src.lines().count());
        assert!(split_chained_bodies("package x\np { true }\nq { false }\n").is_none());
    }
}
