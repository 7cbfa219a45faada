//! Source rewrites that let regorus run Rego it would otherwise reject.
//!
//! OPA accepts a builtin call with one argument more than the builtin
//! takes, the last being the output: `io.jwt.decode(token, out)` means
//! `out = io.jwt.decode(token)`. OPA's own compiler emits this form (the
//! compliance suite is full of it) and older policies use it. regorus
//! supports it for its own builtins but not for extensions, which is how
//! regowasm's host builtins reach it, so calls of that shape to host
//! builtins are rewritten to the unification form before parsing.
//!
//! The rewrite is lexical: it skips strings, raw strings and comments, and
//! only touches a call that is a whole expression statement (it starts a
//! line, or follows `;`, `{` or `if`, and ends the line or is followed by
//! `;`, `}` or a comment). Anything else is left for the parser to judge.

use std::borrow::Cow;

/// Rewrite statement-level calls `name(a1, .., an, out)` to
/// `out = name(a1, .., an)` for every `name` whose arity `arity_of` knows
/// to be `n`. Returns the text unchanged (borrowed) when nothing matched.
pub fn rewrite_output_args<'a>(
    src: &'a str,
    arity_of: &dyn Fn(&str) -> Option<usize>,
) -> Cow<'a, str> {
    let bytes = src.as_bytes();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(next) = skip_trivia(bytes, i) {
            i = next;
            continue;
        }
        let c = bytes.get(i).copied().unwrap_or(b' ');
        let prev = i.checked_sub(1).and_then(|p| bytes.get(p)).copied();
        let starts_name = (c.is_ascii_alphabetic() || c == b'_')
            && !prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == b'_' || p == b'.');
        if !starts_name {
            i += 1;
            continue;
        }
        let mut j = i;
        while bytes
            .get(j)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
        {
            j += 1;
        }
        let name = src.get(i..j).unwrap_or_default();
        if bytes.get(j) == Some(&b'(')
            && let Some(n) = arity_of(name)
            && statement_start(bytes, i)
            && let Some((args, close)) = split_args(src, j)
            && args.len() == n + 1
            && statement_end(bytes, close + 1)
            && let Some((out, inputs)) = args.split_last()
        {
            let out = out.trim();
            let inputs: Vec<&str> = inputs.iter().map(|a| a.trim()).collect();
            edits.push((
                i,
                close + 1,
                format!("{out} = {name}({})", inputs.join(", ")),
            ));
            i = close + 1;
            continue;
        }
        i = j.max(i + 1);
    }
    if edits.is_empty() {
        return Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len() + 8 * edits.len());
    let mut at = 0;
    for (start, end, text) in edits {
        out.push_str(src.get(at..start).unwrap_or_default());
        out.push_str(&text);
        at = end;
    }
    out.push_str(src.get(at..).unwrap_or_default());
    Cow::Owned(out)
}

/// Deepest nesting of `[` and `{` a module may have. regorus's parser
/// first tries each `[`/`{` as a comprehension and re-reads it on failure,
/// so its time doubles with every level (about 5 s at 16 levels, 90 s at
/// 20 in a debug build) and deep enough nesting exhausts the stack. Real
/// policies stay far below (the Gatekeeper library and OPA's compliance
/// suite reach 13).
pub const MAX_BRACKET_NESTING: usize = 20;

/// The deepest `[`/`{` nesting of Rego source, strings and comments
/// skipped.
pub fn bracket_nesting(src: &str) -> usize {
    let bytes = src.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while let Some(&b) = bytes.get(i) {
        if let Some(next) = skip_trivia(bytes, i) {
            i = next;
            continue;
        }
        match b {
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    max
}

/// Where scanning resumes when a string literal or a comment starts at
/// `i`; `None` for any other byte.
fn skip_trivia(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'"' | b'`' => Some(skip_string(bytes, i)),
        b'#' => Some(skip_comment(bytes, i)),
        _ => None,
    }
}

/// Index just past the string literal starting at `i` (`"..."` with
/// escapes, or a raw `` `...` ``).
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let quote = bytes.get(i).copied().unwrap_or(b'"');
    let mut j = i + 1;
    while let Some(&b) = bytes.get(j) {
        if quote == b'"' && b == b'\\' {
            j += 2;
            continue;
        }
        j += 1;
        if b == quote || (quote == b'"' && b == b'\n') {
            break;
        }
    }
    j
}

fn skip_comment(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|b| *b != b'\n') {
        i += 1;
    }
    i
}

/// Whether the token at `i` begins an expression statement.
fn statement_start(bytes: &[u8], i: usize) -> bool {
    let mut k = i;
    while k > 0 && matches!(bytes.get(k - 1), Some(b' ' | b'\t')) {
        k -= 1;
    }
    if k == 0 {
        return true;
    }
    match bytes.get(k - 1) {
        Some(b'\n' | b'\r' | b';' | b'{') => true,
        Some(b'f') => {
            // `if` as a whole word.
            k >= 2
                && bytes.get(k - 2) == Some(&b'i')
                && (k == 2
                    || bytes
                        .get(k - 3)
                        .is_some_and(|b| !(b.is_ascii_alphanumeric() || *b == b'_')))
        }
        _ => false,
    }
}

/// Whether the statement ends at `i`.
fn statement_end(bytes: &[u8], mut i: usize) -> bool {
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    matches!(
        bytes.get(i),
        None | Some(b'\n' | b'\r' | b';' | b'}' | b'#')
    )
}

/// The top-level arguments of the call whose `(` is at `open`, and the
/// index of the matching `)`.
fn split_args(src: &str, open: usize) -> Option<(Vec<&str>, usize)> {
    let bytes = src.as_bytes();
    let mut depth = 0usize;
    let mut args = Vec::new();
    let mut start = open + 1;
    let mut i = open;
    while let Some(&b) = bytes.get(i) {
        if let Some(next) = skip_trivia(bytes, i) {
            i = next;
            continue;
        }
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    if b != b')' {
                        return None;
                    }
                    // An empty last argument is a trailing comma (or `f()`).
                    let last = src.get(start..i)?;
                    if !last.trim().is_empty() {
                        args.push(last);
                    }
                    return Some((args, i));
                }
            }
            b',' if depth == 1 => {
                args.push(src.get(start..i)?);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::rewrite_output_args;

    fn arity(name: &str) -> Option<usize> {
        match name {
            "io.jwt.decode" => Some(1),
            "net.cidr_contains_matches" => Some(2),
            "f" => Some(0),
            _ => None,
        }
    }

    fn rw(src: &str) -> String {
        rewrite_output_args(src, &arity).into_owned()
    }

    #[test]
    fn statement_calls_with_an_output_argument_become_unifications() {
        assert_eq!(
            rw("p if {\n  io.jwt.decode(\"a,b\", [h, p, s])\n}"),
            "p if {\n  [h, p, s] = io.jwt.decode(\"a,b\")\n}"
        );
        assert_eq!(
            rw("net.cidr_contains_matches({\"a\": 1}, [1, (2)], x); y = x"),
            "x = net.cidr_contains_matches({\"a\": 1}, [1, (2)]); y = x"
        );
        assert_eq!(rw("p if f(x)"), "p if x = f()");
        assert_eq!(
            rw("p if {\n\tio.jwt.decode(\n\t\tt,\n\t\t[a, b],\n\t)\n}"),
            "p if {\n\t[a, b] = io.jwt.decode(t)\n}"
        );
        assert_eq!(rw("p if { f(x) } # f(y)"), "p if { x = f() } # f(y)");
    }

    #[test]
    fn bracket_nesting_skips_strings_and_comments() {
        assert_eq!(super::bracket_nesting("x := [[1], {\"a\": [2]}]"), 3);
        assert_eq!(super::bracket_nesting("x := \"[[[[\" # {{{{\ny := `[[`"), 0);
        assert_eq!(super::bracket_nesting(""), 0);
    }

    #[test]
    fn other_calls_are_left_alone() {
        for src in [
            "x := io.jwt.decode(t)",
            "io.jwt.decode(t)",
            "y := [io.jwt.decode(t, x)]",
            "\"io.jwt.decode(t, x)\"",
            "# io.jwt.decode(t, x)",
            "foo.io.jwt.decode(t, x)",
            "g(t, x)",
            "io.jwt.decode(t, x) == 1",
        ] {
            assert_eq!(rw(src), src);
        }
    }
}
