//! Argument decoding helpers for builtin implementations: each returns
//! OPA's type error (`<name>: operand N must be T but got U`) on a mismatch.

use crate::{BuiltinError, Number, Value};
use std::collections::{BTreeMap, BTreeSet};

fn type_err(name: &str, args: &[Value], pos: usize, expected: &str) -> BuiltinError {
    BuiltinError::Type {
        name: name.to_string(),
        pos: pos + 1,
        expected: expected.to_string(),
        got: args
            .get(pos)
            .map(Value::type_name)
            .unwrap_or("nothing")
            .to_string(),
    }
}

/// Operand `pos` (0-based) as a value.
pub fn any<'a>(name: &str, args: &'a [Value], pos: usize) -> Result<&'a Value, BuiltinError> {
    args.get(pos)
        .ok_or_else(|| type_err(name, args, pos, "any"))
}

/// Operand `pos` (0-based) as a string.
pub fn string<'a>(name: &str, args: &'a [Value], pos: usize) -> Result<&'a str, BuiltinError> {
    match args.get(pos) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(type_err(name, args, pos, "string")),
    }
}

/// Operand `pos` (0-based) as a number.
pub fn number<'a>(name: &str, args: &'a [Value], pos: usize) -> Result<&'a Number, BuiltinError> {
    match args.get(pos) {
        Some(Value::Number(n)) => Ok(n),
        _ => Err(type_err(name, args, pos, "number")),
    }
}

/// Operand `pos` (0-based) as an integer that fits `i64`.
pub fn int(name: &str, args: &[Value], pos: usize) -> Result<i64, BuiltinError> {
    let n = number(name, args, pos)?;
    if !n.is_integer() {
        return Err(not_integer(name, pos));
    }
    n.as_i64().ok_or_else(|| {
        BuiltinError::failed(
            name,
            format!("operand {} is too large for a 64-bit integer", pos + 1),
        )
    })
}

/// OPA's type error for a floating-point number where an integer is
/// needed.
pub fn not_integer(name: &str, pos: usize) -> BuiltinError {
    BuiltinError::Type {
        name: name.to_string(),
        pos: pos + 1,
        expected: "integer number".to_string(),
        got: "floating-point number".to_string(),
    }
}

/// Operand `pos` (0-based) as a whole number of any size.
pub fn big_int(name: &str, args: &[Value], pos: usize) -> Result<num_bigint::BigInt, BuiltinError> {
    let n = number(name, args, pos)?;
    if !n.is_integer() {
        return Err(not_integer(name, pos));
    }
    n.to_bigint().ok_or_else(|| not_integer(name, pos))
}

/// A type error with OPA's `must be <expected> but got <got>` wording.
pub fn type_error(name: &str, pos: usize, expected: &str, got: &Value) -> BuiltinError {
    BuiltinError::Type {
        name: name.to_string(),
        pos: pos + 1,
        expected: expected.to_string(),
        got: got.type_name().to_string(),
    }
}

/// Operand `pos` (0-based) as a boolean.
pub fn boolean(name: &str, args: &[Value], pos: usize) -> Result<bool, BuiltinError> {
    match args.get(pos) {
        Some(Value::Bool(b)) => Ok(*b),
        _ => Err(type_err(name, args, pos, "boolean")),
    }
}

/// Operand `pos` (0-based) as an array.
pub fn array<'a>(name: &str, args: &'a [Value], pos: usize) -> Result<&'a [Value], BuiltinError> {
    match args.get(pos) {
        Some(Value::Array(a)) => Ok(a.as_slice()),
        _ => Err(type_err(name, args, pos, "array")),
    }
}

/// Operand `pos` (0-based) as a set.
pub fn set<'a>(
    name: &str,
    args: &'a [Value],
    pos: usize,
) -> Result<&'a BTreeSet<Value>, BuiltinError> {
    match args.get(pos) {
        Some(Value::Set(s)) => Ok(s.as_ref()),
        _ => Err(type_err(name, args, pos, "set")),
    }
}

/// Operand `pos` (0-based) as an object.
pub fn object<'a>(
    name: &str,
    args: &'a [Value],
    pos: usize,
) -> Result<&'a BTreeMap<Value, Value>, BuiltinError> {
    match args.get(pos) {
        Some(Value::Object(o)) => Ok(o.as_ref()),
        _ => Err(type_err(name, args, pos, "object")),
    }
}

/// Operand `pos` (0-based) as the elements of an array or a set
/// (OPA's `any<array[T], set[T]>` operands).
pub fn collection<'a>(
    name: &str,
    args: &'a [Value],
    pos: usize,
) -> Result<Vec<&'a Value>, BuiltinError> {
    match args.get(pos) {
        Some(Value::Array(a)) => Ok(a.iter().collect()),
        Some(Value::Set(s)) => Ok(s.iter().collect()),
        _ => Err(type_err(name, args, pos, "any<array, set>")),
    }
}
