//! regorus's error reports, rewritten in OPA's words.
//!
//! regorus reports an evaluation error as a source excerpt:
//! `error: <message>` with a `--> file:row:col` pointer. OPA prints
//! `file:row: <code>: <message>`, with its own message texts for the
//! interpreter's own errors (conflicts, division by zero, `count` of a
//! non-collection). Users comparing the two engines, and OPA's compliance
//! suite, expect OPA's form; [`opa_error_text`] produces it.

/// The interpreter errors whose wording differs, as (regorus text
/// fragment, OPA code, OPA message).
const REWORDED: &[(&str, &str, &str)] = &[
    (
        "rule conflicts with rule at",
        "eval_conflict_error",
        "complete rules must not produce multiple outputs",
    ),
    (
        "function produced multiple outputs",
        "eval_conflict_error",
        "functions must not produce multiple outputs for same inputs",
    ),
    (
        "generated multiple times",
        "eval_conflict_error",
        "object keys must be unique",
    ),
    (
        "divide by zero",
        "eval_builtin_error",
        "div: divide by zero",
    ),
    (
        "modulo by zero",
        "eval_builtin_error",
        "rem: modulo by zero",
    ),
];

/// Rewrite a regorus error message as OPA would print it:
/// `file:row: code: message`. Messages without a source pointer, or that
/// this module does not recognise, keep regorus's text (still prefixed by
/// the location when there is one).
pub fn opa_error_text(message: &str) -> String {
    let location = message.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("-->")?.trim();
        // `file:row:col` → `file:row`
        let (file_row, _col) = rest.rsplit_once(':')?;
        Some(file_row.to_string())
    });
    let text = message
        .lines()
        .rev()
        .find_map(|l| l.split_once("error:").map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| message.trim().to_string());
    let body = reword(&text);
    match location {
        Some(loc) => format!("{loc}: {body}"),
        None => body,
    }
}

fn reword(text: &str) -> String {
    if starts_with_code(text) {
        return text.to_string();
    }
    for (fragment, code, opa) in REWORDED {
        if text.contains(fragment) {
            return format!("{code}: {opa}");
        }
    }
    if let Some(got) = text
        .strip_prefix("`count` requires array/object/set/string argument. Got `")
        .and_then(|r| r.strip_suffix("`."))
    {
        let kind = regowasm_builtins::Value::from_json_str(got)
            .map(|v| v.type_name().to_string())
            .unwrap_or_else(|_| "string".to_string());
        return format!(
            "eval_type_error: count: operand 1 must be one of {{array, object, set, string}} but got {kind}"
        );
    }
    text.to_string()
}

fn starts_with_code(text: &str) -> bool {
    let head = text.split(':').next().unwrap_or_default();
    (head.starts_with("eval_") || head.starts_with("rego_"))
        && head.ends_with("_error")
        && !head.contains(' ')
}

#[cfg(test)]
mod tests {
    use super::opa_error_text;

    #[test]
    fn located_errors_take_opas_form() {
        let msg = "error: rule conflicts with rule at test-0.rego:3:1\n   --> test-0.rego:9:1\n    |\n  9 | p := 2\n";
        assert_eq!(
            opa_error_text(msg),
            "test-0.rego:9: eval_conflict_error: complete rules must not produce multiple outputs"
        );
        let msg = "--> test-0.rego:4:29\nerror: eval_type_error: strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number";
        assert_eq!(
            opa_error_text(msg),
            "test-0.rego:4: eval_type_error: strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number"
        );
        let msg = "--> t.rego:4:16\nerror: `count` requires array/object/set/string argument. Got `null`.";
        assert_eq!(
            opa_error_text(msg),
            "t.rego:4: eval_type_error: count: operand 1 must be one of {array, object, set, string} but got null"
        );
    }

    #[test]
    fn unknown_messages_are_kept() {
        assert_eq!(opa_error_text("something odd"), "something odd");
        assert_eq!(
            opa_error_text("--> a.rego:1:2\nerror: strange"),
            "a.rego:1: strange"
        );
    }
}
