//! The Rego value model.
//!
//! [`Value`] keeps what JSON loses: sets, objects with non-string keys and
//! numbers as OPA holds them (arbitrary-precision integers and decimals).
//! Values are cheap to clone (shared, immutable) and `Send + Sync`.
//!
//! Text forms:
//! - [`Value::to_text`] / [`Value::parse_text`]: OPA's value-dump text, the
//!   format `opa_value_dump` writes and `opa_value_parse` reads (JSON plus
//!   sets `{1, 2}` / `set()` and non-string object keys);
//! - [`Value::to_json`] / [`Value::from_json_str`]: plain JSON as OPA's APIs
//!   return it (sets become arrays, non-string keys become strings).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

mod number;
pub use number::Number;

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
    #[error("value nests deeper than {limit} levels")]
    TooDeep {
        /// The limit that was exceeded.
        limit: usize,
    },
}

/// Default maximum nesting depth accepted by the text parsers.
pub const DEFAULT_MAX_DEPTH: usize = 512;

/// A Rego value.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

    /// An object value.
    pub fn object(entries: impl IntoIterator<Item = (Value, Value)>) -> Value {
        Value::Object(Arc::new(entries.into_iter().collect()))
    }

    /// An integer value.
    pub fn int(i: i64) -> Value {
        Value::Number(Number::from(i))
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

    /// Look up a string key in an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(o) => o.get(&Value::string(key)),
            _ => None,
        }
    }

    /// Parse plain JSON (exact numbers, nesting limited to
    /// [`DEFAULT_MAX_DEPTH`]).
    pub fn from_json_str(text: &str) -> Result<Value, ValueError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ValueError::Syntax {
            offset: e.column(),
            message: e.to_string(),
        })?;
        Ok(Value::from_serde(&v))
    }

    /// Parse OPA value-dump text (a superset of JSON).
    pub fn parse_text(text: &str) -> Result<Value, ValueError> {
        Value::from_json_str(text)
    }

    /// OPA value-dump text, as `opa_value_dump` writes it and
    /// `opa_value_parse` reads it.
    pub fn to_text(&self) -> String {
        self.to_string()
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

    /// Convert to JSON as OPA's APIs do: sets become arrays (in set order),
    /// non-string object keys become their JSON text.
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
                            other => other.to_json().to_string(),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for Value {
    /// OPA value-dump text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{}", serde_json::Value::String(s.to_string())),
            Value::Array(a) => {
                f.write_str("[")?;
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Set(s) => {
                if s.is_empty() {
                    return f.write_str("set()");
                }
                f.write_str("{")?;
                for (i, v) in s.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("}")
            }
            Value::Object(o) => {
                f.write_str("{")?;
                for (i, (k, v)) in o.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{k}:{v}")?;
                }
                f.write_str("}")
            }
        }
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
