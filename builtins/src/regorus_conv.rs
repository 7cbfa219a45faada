//! Conversion between [`Value`] and `regorus::Value`.
//!
//! Exact where regorus can be: integers of any size stay exact; regorus
//! holds decimals as `f64`, so a decimal literal crosses as its nearest
//! float (and comes back printed as Go prints that float).

use crate::{Number, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Our value → regorus's.
pub fn to_regorus(v: &Value) -> regorus::Value {
    match v {
        Value::Null => regorus::Value::Null,
        Value::Bool(b) => regorus::Value::Bool(*b),
        Value::Number(n) => number_to_regorus(n),
        Value::String(s) => regorus::Value::from(s.as_ref()),
        Value::Array(a) => regorus::Value::from(a.iter().map(to_regorus).collect::<Vec<_>>()),
        Value::Set(s) => regorus::Value::from(s.iter().map(to_regorus).collect::<BTreeSet<_>>()),
        Value::Object(o) => regorus::Value::from(
            o.iter()
                .map(|(k, x)| (to_regorus(k), to_regorus(x)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

fn number_to_regorus(n: &Number) -> regorus::Value {
    if let Some(i) = n.as_i64() {
        return regorus::Value::from(i);
    }
    if n.is_integer()
        && let Some(b) = n.to_bigint()
        && let Ok(v) = regorus::Value::from_numeric_string(&b.to_string())
    {
        return v;
    }
    regorus::Value::from(n.as_f64())
}

/// regorus's value → ours; `None` for regorus's `Undefined`.
pub fn from_regorus(v: &regorus::Value) -> Option<Value> {
    Some(match v {
        regorus::Value::Null => Value::Null,
        regorus::Value::Bool(b) => Value::Bool(*b),
        regorus::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::int(i)
            } else if let Some(b) = n.as_big() {
                Value::Number(Number::parse_literal(&b.to_string()).ok()?)
            } else {
                Value::Number(Number::from_f64(n.as_f64()?)?)
            }
        }
        regorus::Value::String(s) => Value::String(Arc::from(s.as_ref())),
        regorus::Value::Array(a) => {
            Value::array(a.iter().map(from_regorus).collect::<Option<Vec<_>>>()?)
        }
        regorus::Value::Set(s) => {
            Value::set(s.iter().map(from_regorus).collect::<Option<Vec<_>>>()?)
        }
        regorus::Value::Object(o) => Value::object(
            o.iter()
                .map(|(k, x)| Some((from_regorus(k)?, from_regorus(x)?)))
                .collect::<Option<Vec<_>>>()?,
        ),
        regorus::Value::Undefined => return None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_exact_values() {
        let v = Value::parse_text(
            r#"{"a":[1,-2,1208925819614629174706175,0.5],"s":{"x",1},"o":{1:null,"b":true}}"#,
        )
        .unwrap();
        assert_eq!(from_regorus(&to_regorus(&v)).unwrap(), v);
    }
}
