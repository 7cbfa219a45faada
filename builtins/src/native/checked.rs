//! Builtins whose results regorus computes as OPA does but whose operand
//! errors it words differently: here they check their operands with OPA's
//! exact messages and codes, then compute natively (`bits.*`,
//! `array.concat`, `numbers.range`, and `array.flatten`, which regorus
//! lacks) or hand the checked call to the regorus fallback
//! (`json.remove`, `object.remove`, `object.union`, `strings.replace_n`,
//! `format_int`). Also two small builtins regorus lacks:
//! `strings.split_n` and `internal.test_case`.

use super::native;
use crate::{BuiltinError, Registry, Value, args, fallback};
use num_bigint::BigInt;

pub(crate) fn register(r: &mut Registry) {
    bits(r);
    // `internal.test_case(case)`: `opa test` notes a parameterised test
    // case; evaluation only checks the operand and succeeds (a void
    // builtin in OPA).
    native(r, "internal.test_case", 1, |_, a| {
        let case = args::array("internal.test_case", a, 0)?;
        tracing::debug!(fields = case.len(), "internal.test_case");
        Ok(Some(Value::Bool(true)))
    });
    // `strings.split_n(x, delimiter, n)`: the first `n` parts of the split
    // (the last `-n` for a negative `n`; all of them when `|n|` is larger).
    native(r, "strings.split_n", 3, |_, a| {
        let name = "strings.split_n";
        let s = args::string(name, a, 0)?;
        let delimiter = args::string(name, a, 1)?;
        let n = args::int(name, a, 2)?;
        let parts: Vec<&str> = if delimiter.is_empty() {
            let mut chars = Vec::new();
            let mut rest = s;
            while let Some(c) = rest.chars().next() {
                let (head, tail) = rest.split_at(c.len_utf8());
                chars.push(head);
                rest = tail;
            }
            chars
        } else {
            s.split(delimiter).collect()
        };
        let len = parts.len();
        let keep = usize::try_from(n.unsigned_abs())
            .unwrap_or(usize::MAX)
            .min(len);
        let picked = if n >= 0 {
            parts.get(..keep)
        } else {
            parts.get(len - keep..)
        };
        Ok(Some(Value::array(
            picked
                .unwrap_or_default()
                .iter()
                .map(|p| Value::string(*p))
                .collect(),
        )))
    });
    native(r, "array.flatten", 1, |_, a| {
        let items = args::array("array.flatten", a, 0)?;
        let mut out = Vec::with_capacity(items.len());
        for v in items {
            match v {
                Value::Array(inner) => out.extend(inner.iter().cloned()),
                other => out.push(other.clone()),
            }
        }
        Ok(Some(Value::array(out)))
    });
    native(r, "json.remove", 2, |_, a| {
        let name = "json.remove";
        args::object(name, a, 0)?;
        let paths = match args::any(name, a, 1)? {
            Value::Array(x) => x.iter().collect::<Vec<_>>(),
            Value::Set(x) => x.iter().collect(),
            other => return Err(args::type_error(name, 1, "one of {set, array}", other)),
        };
        for p in paths {
            if !matches!(p, Value::String(_) | Value::Array(_)) {
                return Err(args::type_error(
                    name,
                    1,
                    "one of {set, array} containing string paths or array of path segments",
                    p,
                ));
            }
        }
        fallback::call(name, a)
    });
    native(r, "object.remove", 2, |_, a| {
        let name = "object.remove";
        args::object(name, a, 0)?;
        match args::any(name, a, 1)? {
            Value::Object(_) | Value::Set(_) | Value::Array(_) => fallback::call(name, a),
            other => Err(args::type_error(
                name,
                1,
                "one of {object, set, array}",
                other,
            )),
        }
    });
    native(r, "object.union", 2, |_, a| {
        args::object("object.union", a, 0)?;
        args::object("object.union", a, 1)?;
        fallback::call("object.union", a)
    });
    native(r, "array.concat", 2, |_, a| {
        let x = args::array("array.concat", a, 0)?;
        let y = args::array("array.concat", a, 1)?;
        Ok(Some(Value::array(x.iter().chain(y).cloned().collect())))
    });
    native(r, "numbers.range", 2, |_, a| {
        let x = args::big_int("numbers.range", a, 0)?;
        let y = args::big_int("numbers.range", a, 1)?;
        range("numbers.range", x, &y, &BigInt::from(1))
    });
    native(r, "numbers.range_step", 3, |_, a| {
        let name = "numbers.range_step";
        let x = super::int_operand(name, a, 0)?;
        let y = super::int_operand(name, a, 1)?;
        let step = super::int_operand(name, a, 2)?;
        if step <= 0 {
            return Err(BuiltinError::failed(
                name,
                "step must be a positive number above zero",
            ));
        }
        range(name, BigInt::from(x), &BigInt::from(y), &BigInt::from(step))
    });
    native(r, "strings.replace_n", 2, |_, a| {
        let name = "strings.replace_n";
        let patterns = args::object(name, a, 0)?;
        for (k, v) in patterns {
            let (what, ok) = match (k, v) {
                (Value::String(_), Value::String(_)) => ("", true),
                (Value::String(_), _) => ("value", false),
                _ => ("key", false),
            };
            if !ok {
                return Err(BuiltinError::Operand {
                    name: name.to_string(),
                    message: format!("operand 1 non-string {what} found in pattern object"),
                });
            }
        }
        args::string(name, a, 1)?;
        fallback::call(name, a)
    });
    native(r, "format_int", 2, |_, a| {
        args::number("format_int", a, 0)?;
        let base = args::number("format_int", a, 1)?;
        if !matches!(base.as_i64(), Some(2 | 8 | 10 | 16)) || !base.is_integer() {
            return Err(BuiltinError::Operand {
                name: "format_int".to_string(),
                message: "operand 2 must be one of {2, 8, 10, 16}".to_string(),
            });
        }
        fallback::call("format_int", a)
    });
}

/// `bits.*` over integers of any size, as OPA's `big.Int` operations.
fn bits(r: &mut Registry) {
    type Op = fn(&BigInt, &BigInt) -> BigInt;
    let binary: [(&'static str, Op); 3] = [
        ("bits.and", |x, y| x & y),
        ("bits.or", |x, y| x | y),
        ("bits.xor", |x, y| x ^ y),
    ];
    for (name, op) in binary {
        native(r, name, 2, move |_, a| {
            let x = args::big_int(name, a, 0)?;
            let y = args::big_int(name, a, 1)?;
            Ok(Some(Value::Number(op(&x, &y).into())))
        });
    }
    native(r, "bits.negate", 1, |_, a| {
        let x = args::big_int("bits.negate", a, 0)?;
        Ok(Some(Value::Number(crate::Number::from(
            -x - BigInt::from(1),
        ))))
    });
    for (name, left) in [("bits.lsh", true), ("bits.rsh", false)] {
        native(r, name, 2, move |_, a| {
            let x = args::big_int(name, a, 0)?;
            let s = args::big_int(name, a, 1)?;
            if s < BigInt::from(0) {
                return Err(BuiltinError::Type {
                    name: name.to_string(),
                    pos: 2,
                    expected: "an unsigned integer number".to_string(),
                    got: "a negative integer".to_string(),
                });
            }
            // A shift past this many bits is either zero/-1 (right) or a
            // number no policy can use (left): refuse rather than allocate.
            let s = u32::try_from(&s).ok().filter(|s| *s <= MAX_SHIFT);
            let Some(s) = s else {
                return Err(BuiltinError::Limit {
                    name: name.to_string(),
                    message: format!("shift amount must be at most {MAX_SHIFT}"),
                });
            };
            let v = if left { x << s } else { x >> s };
            Ok(Some(Value::Number(v.into())))
        });
    }
}

/// The integers from `x` towards `y` (included when reached) by `step`
/// (positive), counting down when `x > y`; at most [`MAX_RANGE`] of them.
fn range(name: &str, x: BigInt, y: &BigInt, step: &BigInt) -> Result<Option<Value>, BuiltinError> {
    let len = (&x - y).magnitude() / step.magnitude() + 1u32;
    if len > num_bigint::BigUint::from(MAX_RANGE) {
        return Err(BuiltinError::Limit {
            name: name.to_string(),
            message: format!("a range of {len} numbers is more than the {MAX_RANGE} allowed"),
        });
    }
    let down = x > *y;
    let mut out = Vec::new();
    let mut i = x;
    while (!down && i <= *y) || (down && i >= *y) {
        out.push(Value::Number(crate::Number::from(i.clone())));
        if down {
            i -= step;
        } else {
            i += step;
        }
    }
    Ok(Some(Value::array(out)))
}

/// Longest array `numbers.range` / `numbers.range_step` build (OPA has no limit but the
/// evaluation's deadline; this keeps one call from exhausting memory).
const MAX_RANGE: u64 = 10_000_000;

/// Largest shift `bits.lsh` / `bits.rsh` accept.
const MAX_SHIFT: u32 = 1 << 16;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::{EvalContext, Registry, Value};

    fn call(name: &str, args: &str) -> Result<Option<Value>, String> {
        let r = Registry::with_defaults();
        let args = match Value::parse_text(args).unwrap() {
            Value::Array(a) => a.to_vec(),
            _ => unreachable!(),
        };
        r.call(&EvalContext::new(), name, &args)
            .map_err(|e| format!("{} {}", e.opa_code(), e.opa_message()))
    }

    #[test]
    fn bits_over_big_integers_with_opa_errors() {
        assert_eq!(call("bits.and", "[12, 10]").unwrap(), Some(Value::int(8)));
        assert_eq!(call("bits.negate", "[5]").unwrap(), Some(Value::int(-6)));
        assert_eq!(
            call("bits.lsh", "[1, 70]").unwrap().unwrap().to_text(),
            "1180591620717411303424"
        );
        assert_eq!(
            call("bits.xor", "[7.2, 1]").unwrap_err(),
            "eval_type_error bits.xor: operand 1 must be integer number but got floating-point number"
        );
        assert_eq!(
            call("bits.rsh", "[1, -1]").unwrap_err(),
            "eval_type_error bits.rsh: operand 2 must be an unsigned integer number but got a negative integer"
        );
        assert!(call("bits.lsh", "[1, 100000000]").is_err());
    }

    #[test]
    fn test_case_takes_an_array_and_succeeds() {
        assert_eq!(
            call("internal.test_case", r#"[["a", 1]]"#).unwrap(),
            Some(Value::Bool(true))
        );
        assert_eq!(
            call("internal.test_case", r#"[{"name": "t"}]"#).unwrap_err(),
            "eval_type_error internal.test_case: operand 1 must be array but got object"
        );
    }

    /// Answers of OPA v1.20.2 for the same calls.
    #[test]
    fn split_n_keeps_the_first_or_last_parts() {
        for (args, want) in [
            (r#"["a,b,c", ",", 2]"#, r#"["a","b"]"#),
            (r#"["a,b,c", ",", 0]"#, "[]"),
            (r#"["a,b,c", ",", -1]"#, r#"["c"]"#),
            (r#"["a,b,c", ",", -2]"#, r#"["b","c"]"#),
            (r#"["a,b,c", ",", -5]"#, r#"["a","b","c"]"#),
            (r#"["a,b,c", ",", 5]"#, r#"["a","b","c"]"#),
            (r#"["abc", "", 2]"#, r#"["a","b"]"#),
            (r#"["a,,b", ",", 3]"#, r#"["a","","b"]"#),
            (r#"["a,b", ",", 1.0]"#, r#"["a"]"#),
        ] {
            assert_eq!(
                call("strings.split_n", args).unwrap().unwrap().to_text(),
                want,
                "{args}"
            );
        }
        assert_eq!(
            call("strings.split_n", r#"["a", ",", 1.5]"#).unwrap_err(),
            "eval_type_error strings.split_n: operand 3 must be integer number but got floating-point number"
        );
    }

    #[test]
    fn checked_operands_then_regorus_computes() {
        assert_eq!(
            call("json.remove", r#"[{"a": {"b": 1, "c": 2}}, ["a/b"]]"#)
                .unwrap()
                .unwrap()
                .to_text(),
            r#"{"a":{"c":2}}"#
        );
        assert_eq!(
            call("json.remove", r#"["foo", []]"#).unwrap_err(),
            "eval_type_error json.remove: operand 1 must be object but got string"
        );
        assert_eq!(
            call("json.remove", r#"[{}, [1]]"#).unwrap_err(),
            "eval_type_error json.remove: operand 2 must be one of {set, array} containing string paths or array of path segments but got number"
        );
        assert_eq!(
            call("strings.replace_n", r#"[{"a": 1}, "x"]"#).unwrap_err(),
            "eval_type_error strings.replace_n: operand 1 non-string value found in pattern object"
        );
        assert_eq!(
            call("strings.replace_n", r#"[{"a": "b"}, "xax"]"#).unwrap(),
            Some(Value::string("xbx"))
        );
        assert_eq!(
            call("numbers.range_step", "[1, 5, 0]").unwrap_err(),
            "eval_builtin_error numbers.range_step: step must be a positive number above zero"
        );
        assert_eq!(
            call("array.flatten", "[[[1], 2, [[3]]]]")
                .unwrap()
                .unwrap()
                .to_text(),
            "[1,2,[3]]"
        );
        assert_eq!(
            call("numbers.range", "[3, 1]").unwrap().unwrap().to_text(),
            "[3,2,1]"
        );
        assert_eq!(
            call("numbers.range", "[1.5, 2]").unwrap_err(),
            "eval_type_error numbers.range: operand 1 must be integer number but got floating-point number"
        );
        assert!(call("numbers.range", "[0, 100000000000]").is_err());
        assert_eq!(
            call("format_int", "[10, 3]").unwrap_err(),
            "eval_type_error format_int: operand 2 must be one of {2, 8, 10, 16}"
        );
    }
}
