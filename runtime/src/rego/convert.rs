//! Conversion between [`regowasm_builtins::Value`] and `regorus::Value`.
//!
//! Private stand-in until `regowasm_builtins` offers the conversion; the
//! rest of this module only uses [`to_regorus`] and [`from_regorus`].

use regowasm_builtins::{Number, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A document could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    /// Nesting deeper than the configured limit.
    #[error("document nests deeper than {0} levels")]
    TooDeep(usize),
    /// The (estimated) JSON size exceeds the configured limit.
    #[error("document is larger than {limit} bytes (at least {size} bytes)")]
    TooLarge {
        /// The estimated size so far.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A regorus number that is not a Rego number (NaN, infinity).
    #[error("number {0} is not representable")]
    BadNumber(String),
}

/// Limits applied while converting a document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    pub max_depth: usize,
    pub max_bytes: usize,
}

impl Budget {
    pub(crate) const UNLIMITED: Budget = Budget {
        max_depth: usize::MAX,
        max_bytes: usize::MAX,
    };
}

struct Walker {
    budget: Budget,
    size: usize,
}

impl Walker {
    fn charge(&mut self, bytes: usize) -> Result<(), ConvertError> {
        self.size = self.size.saturating_add(bytes);
        if self.size > self.budget.max_bytes {
            return Err(ConvertError::TooLarge {
                size: self.size,
                limit: self.budget.max_bytes,
            });
        }
        Ok(())
    }

    fn convert(&mut self, v: &Value, depth: usize) -> Result<regorus::Value, ConvertError> {
        if depth > self.budget.max_depth {
            return Err(ConvertError::TooDeep(self.budget.max_depth));
        }
        Ok(match v {
            Value::Null => {
                self.charge(4)?;
                regorus::Value::Null
            }
            Value::Bool(b) => {
                self.charge(5)?;
                regorus::Value::Bool(*b)
            }
            Value::Number(n) => {
                self.charge(8)?;
                number_to_regorus(n)?
            }
            Value::String(s) => {
                self.charge(s.len().saturating_add(2))?;
                regorus::Value::from(s.as_ref())
            }
            Value::Array(items) => {
                self.charge(2)?;
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    self.charge(1)?;
                    out.push(self.convert(item, depth + 1)?);
                }
                regorus::Value::from(out)
            }
            Value::Set(items) => {
                self.charge(2)?;
                let mut out = BTreeSet::new();
                for item in items.iter() {
                    self.charge(1)?;
                    out.insert(self.convert(item, depth + 1)?);
                }
                regorus::Value::from(out)
            }
            Value::Object(entries) => {
                self.charge(2)?;
                let mut out = BTreeMap::new();
                for (k, val) in entries.iter() {
                    self.charge(2)?;
                    out.insert(self.convert(k, depth + 1)?, self.convert(val, depth + 1)?);
                }
                regorus::Value::from(out)
            }
        })
    }
}

fn number_to_regorus(n: &Number) -> Result<regorus::Value, ConvertError> {
    if let Some(i) = n.as_i64() {
        return Ok(regorus::Value::from(i));
    }
    if n.is_integer() {
        let text = n.to_string();
        return regorus::Value::from_numeric_string(&text)
            .map_err(|_| ConvertError::BadNumber(text));
    }
    Ok(regorus::Value::from(n.as_f64()))
}

/// Convert a value to regorus's model, within a budget.
pub(crate) fn to_regorus_limited(
    v: &Value,
    budget: Budget,
) -> Result<regorus::Value, ConvertError> {
    Walker { budget, size: 0 }.convert(v, 0)
}

/// Convert a value to regorus's model.
pub(crate) fn to_regorus(v: &Value) -> Result<regorus::Value, ConvertError> {
    to_regorus_limited(v, Budget::UNLIMITED)
}

/// Convert a regorus value back; `None` for `Undefined`.
pub(crate) fn from_regorus(v: &regorus::Value) -> Result<Option<Value>, ConvertError> {
    Ok(Some(match v {
        regorus::Value::Undefined => return Ok(None),
        regorus::Value::Null => Value::Null,
        regorus::Value::Bool(b) => Value::Bool(*b),
        regorus::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::int(i)
            } else if n.is_integer() {
                // Beyond i64: go through JSON text (exact up to u64).
                let text = n.format_decimal();
                Value::from_json_str(&text).map_err(|_| ConvertError::BadNumber(text))?
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Value::Number(
                    Number::from_f64(f)
                        .ok_or_else(|| ConvertError::BadNumber(n.format_decimal()))?,
                )
            }
        }
        regorus::Value::String(s) => Value::string(s.as_ref()),
        regorus::Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                if let Some(x) = from_regorus(item)? {
                    out.push(x);
                }
            }
            Value::array(out)
        }
        regorus::Value::Set(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                if let Some(x) = from_regorus(item)? {
                    out.push(x);
                }
            }
            Value::set(out)
        }
        regorus::Value::Object(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            for (k, val) in entries.iter() {
                if let (Some(k), Some(val)) = (from_regorus(k)?, from_regorus(val)?) {
                    out.push((k, val));
                }
            }
            Value::object(out)
        }
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_keeps_sets_and_non_string_keys() {
        let v = Value::object([
            (
                Value::int(1),
                Value::set([Value::int(2), Value::string("x")]),
            ),
            (
                Value::string("a"),
                Value::array(vec![Value::Null, Value::Bool(true)]),
            ),
            (
                Value::string("f"),
                Value::Number(Number::from_f64(1.5).unwrap()),
            ),
        ]);
        let r = to_regorus(&v).unwrap();
        assert_eq!(from_regorus(&r).unwrap(), Some(v));
    }

    #[test]
    fn depth_and_size_limits() {
        let mut v = Value::Null;
        for _ in 0..10 {
            v = Value::array(vec![v]);
        }
        let b = Budget {
            max_depth: 5,
            max_bytes: usize::MAX,
        };
        assert_eq!(to_regorus_limited(&v, b), Err(ConvertError::TooDeep(5)));
        let s = Value::string("x".repeat(100));
        let b = Budget {
            max_depth: 5,
            max_bytes: 50,
        };
        assert!(matches!(
            to_regorus_limited(&s, b),
            Err(ConvertError::TooLarge { .. })
        ));
    }
}
