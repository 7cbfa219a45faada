//! A mechanical Rego v0 → v1 rewrite of rule heads, for benchmarking
//! policies on an evaluator that only takes Rego v1 (OPA v1.20's library
//! build refuses v0 modules).
//!
//! It adds `if` before every rule body and turns partial-set heads
//! `name[x] { ... }` into `name contains x if { ... }`. Nothing else is
//! changed: a module using other v0-only syntax (deprecated builtins,
//! keywords as variable names, chained bodies) is left for the target
//! evaluator to refuse. The rewrite is a benchmark aid, not a migration
//! tool: callers check that the rewritten module gives the same results
//! as the original before measuring it.

/// Rewrite the rule heads of a Rego v0 module into v1 syntax.
pub fn to_v1(src: &str) -> String {
    let bytes: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len() + 64);
    // Nesting of (), [] and {} (bodies included).
    let mut depth: usize = 0;
    // Start (in `out`) of the current top-level statement.
    let mut stmt_start = 0usize;
    // Last significant (non-space, non-comment) char emitted at any depth.
    let mut last_sig: Option<char> = None;
    let mut i = 0usize;
    while let Some(&c) = bytes.get(i) {
        match c {
            '#' => {
                while let Some(&d) = bytes.get(i) {
                    if d == '\n' {
                        break;
                    }
                    out.push(d);
                    i += 1;
                }
                continue;
            }
            '"' => {
                out.push(c);
                i += 1;
                while let Some(&d) = bytes.get(i) {
                    out.push(d);
                    i += 1;
                    if d == '\\' {
                        if let Some(&e) = bytes.get(i) {
                            out.push(e);
                            i += 1;
                        }
                    } else if d == '"' {
                        break;
                    }
                }
                last_sig = Some('"');
                continue;
            }
            '`' => {
                out.push(c);
                i += 1;
                while let Some(&d) = bytes.get(i) {
                    out.push(d);
                    i += 1;
                    if d == '`' {
                        break;
                    }
                }
                last_sig = Some('`');
                continue;
            }
            '\n' => {
                out.push(c);
                if depth == 0 {
                    stmt_start = out.len();
                }
            }
            '(' | '[' => {
                depth += 1;
                out.push(c);
            }
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                out.push(c);
            }
            '{' => {
                let opens_body = depth == 0
                    && !matches!(
                        last_sig,
                        Some('=' | ',' | '(' | '[' | '{' | ':' | '|' | '&')
                    )
                    && !ends_with_word(out.get(stmt_start..).unwrap_or(""), "contains");
                if opens_body {
                    let head = out.get(stmt_start..).unwrap_or("").to_string();
                    out.truncate(stmt_start);
                    out.push_str(&rewrite_head(&head));
                }
                depth += 1;
                out.push(c);
            }
            '}' => {
                depth = depth.saturating_sub(1);
                out.push(c);
                if depth == 0 {
                    stmt_start = out.len();
                }
            }
            _ => out.push(c),
        }
        if !c.is_whitespace() {
            last_sig = Some(c);
        }
        i += 1;
    }
    out
}

/// Whether `text` ends (ignoring whitespace) with the word `word`.
fn ends_with_word(text: &str, word: &str) -> bool {
    let t = text.trim_end();
    t.strip_suffix(word)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with(|c: char| c.is_whitespace()))
}

/// Rewrite one rule head (the text before its body's `{`, trailing
/// whitespace included).
fn rewrite_head(head: &str) -> String {
    let trimmed_end = head.trim_end();
    let trailing = head.get(trimmed_end.len()..).unwrap_or("");
    let lead_len = trimmed_end.len() - trimmed_end.trim_start().len();
    let lead = trimmed_end.get(..lead_len).unwrap_or("");
    let core = trimmed_end.trim_start();
    if core.is_empty()
        || core.ends_with(" if")
        || core == "if"
        || core.starts_with("package ")
        || core.starts_with("import ")
        || core.starts_with("default ")
    {
        return head.to_string();
    }
    let space = if trailing.is_empty() { " " } else { trailing };
    let core = partial_set(core).unwrap_or_else(|| core.to_string());
    format!("{lead}{core} if{space}")
}

/// `name[key]` (a partial set head) → `name contains key`.
fn partial_set(core: &str) -> Option<String> {
    let open = core.find('[')?;
    let name = core.get(..open)?;
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    if !core.ends_with(']') || core.contains(" contains ") {
        return None;
    }
    // The bracket opened after the name must close at the very end.
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let inner = core.get(open..)?;
    for (k, ch) in inner.char_indices() {
        if in_str {
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_str = true,
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 && k + ch.len_utf8() != inner.len() {
                    return None;
                }
            }
            _ => {}
        }
    }
    let key = inner.get(1..inner.len() - 1)?;
    Some(format!("{name} contains {key}"))
}

#[cfg(test)]
mod tests {
    use super::to_v1;

    #[test]
    fn rewrites_partial_sets_functions_and_else() {
        let v0 = r#"package k8s

import data.lib.x

violation[{"msg": msg, "details": {"a": [1, 2]}}] {
  c := input.review.object.spec.containers[_]
  not startswith(c.image, "a{")
  msg := sprintf("bad %v", [c.name])
}

f(x) = y {
  y := x + 1
}

g(x) { x > 1 }

mem("Ki") = 1024 { true }

obj[k] = v { v := input.m[k] }

name = input.review.object.metadata.name

msg := "a" {
  false
} else := sprintf(
  "%v", [1]
) {
  true
}

allowed := {"a", "b"}
"#;
        let v1 = to_v1(v0);
        assert!(v1.contains(r#"violation contains {"msg": msg, "details": {"a": [1, 2]}} if {"#));
        assert!(v1.contains("f(x) = y if {"));
        assert!(v1.contains("g(x) if { x > 1 }"));
        assert!(v1.contains(r#"mem("Ki") = 1024 if { true }"#));
        assert!(v1.contains("obj[k] = v if { v := input.m[k] }"));
        assert!(v1.contains("name = input.review.object.metadata.name\n"));
        assert!(v1.contains(r#"msg := "a" if {"#));
        assert!(v1.contains("} else := sprintf(\n  \"%v\", [1]\n) if {"));
        assert!(v1.contains(r#"allowed := {"a", "b"}"#));
        assert!(v1.contains(r#"not startswith(c.image, "a{")"#));
        // Already-v1 text is left alone.
        assert_eq!(to_v1(&v1), v1);
    }
}
