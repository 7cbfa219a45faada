//! The Rego value model.
//!
//! [`Value`] keeps what JSON loses: sets, objects with non-string keys and
//! numbers as OPA holds them (arbitrary-precision integers and decimals,
//! see [`Number`]). Values are cheap to clone (shared, immutable) and
//! `Send + Sync`. Ordering is OPA's (`ast.Compare`): null < booleans <
//! numbers < strings < arrays < objects < sets.
//!
//! Text forms:
//! - [`Value::to_text`] / [`Value::parse_text`]: OPA's value-dump text, the
//!   format `opa_value_dump` writes and `opa_value_parse` reads (JSON plus
//!   sets `{1,2}` / `set()` and non-string object keys);
//! - [`Value::to_json_text`] / [`Value::from_json_str`]: plain JSON as
//!   `opa_json_dump` writes it (sets become arrays, non-string keys become
//!   their JSON text), read strictly with exact numbers;
//! - [`Value::to_rego`]: Rego syntax as OPA's Go `Value.String()` prints
//!   it (`{"a", "owner"}`, `{"k": "v"}`), used by `sprintf`.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

mod number;
mod parse;
mod print;
pub use number::{MAX_EXACT_EXPONENT, Number, NumberError};

/// An error reading a value from text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// The text is not valid JSON / value-dump text.
    #[error("invalid value text at byte {offset}: {message}")]
    Syntax {
        /// Byte offset of the problem.
        offset: usize,
        /// What was wrong.
        message: String,
    },
    /// The document nests deeper than the configured limit.
    #[error("value nests deeper than {limit} levels (at byte {offset})")]
    TooDeep {
        /// The limit that was exceeded.
        limit: usize,
        /// Byte offset of the container that went too deep.
        offset: usize,
    },
}

/// Default maximum nesting depth accepted by the text parsers.
pub const DEFAULT_MAX_DEPTH: usize = 512;

/// A Rego value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, exact.
    Number(Number),
    /// A string.
    String(Arc<str>),
    /// An array.
    Array(Arc<Vec<Value>>),
    /// A set (no JSON equivalent).
    Set(Arc<BTreeSet<Value>>),
    /// An object; keys may be any value.
    Object(Arc<BTreeMap<Value, Value>>),
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    /// An array value.
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(items))
    }

    /// A set value.
    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(Arc::new(items.into_iter().collect()))
    }

    /// An object value (a later duplicate key replaces an earlier one).
    pub fn object(entries: impl IntoIterator<Item = (Value, Value)>) -> Value {
        Value::Object(Arc::new(entries.into_iter().collect()))
    }

    /// An integer value.
    pub fn int(i: i64) -> Value {
        Value::Number(Number::from(i))
    }

    /// A number value from a float (`None` for NaN/infinity).
    pub fn float(f: f64) -> Option<Value> {
        Number::from_f64(f).map(Value::Number)
    }

    /// OPA's type name: `null`, `boolean`, `number`, `string`, `array`,
    /// `set`, `object`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Set(_) => "set",
            Value::Object(_) => "object",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
            Value::Set(_) => 6,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is a number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The boolean, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a.as_slice()),
            _ => None,
        }
    }

    /// The elements, if this is a set.
    pub fn as_set(&self) -> Option<&BTreeSet<Value>> {
        match self {
            Value::Set(s) => Some(s),
            _ => None,
        }
    }

    /// The entries, if this is an object.
    pub fn as_object(&self) -> Option<&BTreeMap<Value, Value>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// Look up a string key in an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(o) => o.get(&Value::string(key)),
            _ => None,
        }
    }

    /// Parse strict JSON (RFC 8259; exact numbers; nesting limited to
    /// [`DEFAULT_MAX_DEPTH`]; never recurses, so no input can overflow the
    /// stack). Duplicate keys: the last one wins, as in Go.
    pub fn from_json_str(text: &str) -> Result<Value, ValueError> {
        parse::parse(text, false, DEFAULT_MAX_DEPTH)
    }

    /// [`Value::from_json_str`] with an explicit nesting limit.
    pub fn from_json_str_with_depth(text: &str, max_depth: usize) -> Result<Value, ValueError> {
        parse::parse(text, false, max_depth)
    }

    /// Parse JSON from bytes (UTF-8 checked).
    pub fn from_json_slice(bytes: &[u8]) -> Result<Value, ValueError> {
        let text = std::str::from_utf8(bytes).map_err(|e| ValueError::Syntax {
            offset: e.valid_up_to(),
            message: "invalid UTF-8".into(),
        })?;
        Value::from_json_str(text)
    }

    /// Parse OPA value-dump text (a superset of JSON: sets `{1,2}`,
    /// `set()`, any value as an object key).
    pub fn parse_text(text: &str) -> Result<Value, ValueError> {
        parse::parse(text, true, DEFAULT_MAX_DEPTH)
    }

    /// [`Value::parse_text`] with an explicit nesting limit.
    pub fn parse_text_with_depth(text: &str, max_depth: usize) -> Result<Value, ValueError> {
        parse::parse(text, true, max_depth)
    }

    /// OPA value-dump text, exactly as `opa_value_dump` writes it: compact,
    /// sets as `{..}` / `set()`, non-string keys as values, numbers as
    /// their literal text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        print::write_text(self, &mut out, true);
        out
    }

    /// JSON text exactly as `opa_json_dump` writes it: sets become arrays
    /// (in set order), non-string object keys become strings holding
    /// their JSON text; numbers keep their exact text.
    pub fn to_json_text(&self) -> String {
        let mut out = String::new();
        print::write_text(self, &mut out, false);
        out
    }

    /// Rego syntax as OPA's Go `Value.String()` prints it: `["x", 1]`,
    /// `{"k": "v"}`, `{"a", "owner"}`, `set()`; strings Go-quoted.
    pub fn to_rego(&self) -> String {
        let mut out = String::new();
        print::write_rego(self, &mut out);
        out
    }

    /// Convert from a `serde_json::Value`.
    pub fn from_serde(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(Number::from_serde(n)),
            serde_json::Value::String(s) => Value::string(s.as_str()),
            serde_json::Value::Array(a) => Value::array(a.iter().map(Value::from_serde).collect()),
            serde_json::Value::Object(o) => Value::object(
                o.iter()
                    .map(|(k, v)| (Value::string(k.as_str()), Value::from_serde(v))),
            ),
        }
    }

    /// Convert to a `serde_json::Value` as OPA's APIs do: sets become arrays
    /// (in set order), non-string object keys become their JSON text.
    /// Numbers beyond `i64`/`u64`/`f64` lose precision; use
    /// [`Value::to_json_text`] for exact output.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => n.to_serde(),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(a) => serde_json::Value::Array(a.iter().map(Value::to_json).collect()),
            Value::Set(s) => serde_json::Value::Array(s.iter().map(Value::to_json).collect()),
            Value::Object(o) => serde_json::Value::Object(
                o.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Value::String(s) => s.to_string(),
                            other => other.to_json_text(),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    /// OPA's `ast.Compare` order.
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Number(a), Value::Number(b)) => a.cmp(b),
            (Value::String(a), Value::String(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Value::Array(a), Value::Array(b)) => a.cmp(b),
            (Value::Object(a), Value::Object(b)) => a.cmp(b),
            (Value::Set(a), Value::Set(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl fmt::Display for Value {
    /// OPA value-dump text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Value {
        Value::from_serde(&v)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::int(i)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::array(v)
    }
}

impl std::str::FromStr for Value {
    type Err = ValueError;
    /// Parses OPA value-dump text (see [`Value::parse_text`]).
    fn from_str(s: &str) -> Result<Value, ValueError> {
        Value::parse_text(s)
    }
}
