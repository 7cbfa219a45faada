//! Exact Rego numbers.

use num_bigint::BigInt;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A Rego number, held exactly as OPA does: integers of any size, and
/// decimals. Opaque: use the constructors and accessors.
#[derive(Clone)]
pub struct Number(Repr);

#[derive(Clone)]
enum Repr {
    Int(i64),
    Big(Arc<BigInt>),
    Float(f64),
}

impl Number {
    /// From a float; `None` for NaN or infinities (not Rego numbers).
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            #[allow(clippy::cast_possible_truncation)]
            return Some(Number(Repr::Int(f as i64)));
        }
        Some(Number(Repr::Float(f)))
    }

    /// From a `serde_json::Number`.
    pub fn from_serde(n: &serde_json::Number) -> Number {
        if let Some(i) = n.as_i64() {
            Number(Repr::Int(i))
        } else if let Some(u) = n.as_u64() {
            Number(Repr::Big(Arc::new(BigInt::from(u))))
        } else {
            Number::from_f64(n.as_f64().unwrap_or(0.0)).unwrap_or(Number(Repr::Int(0)))
        }
    }

    /// To a `serde_json::Number` wrapped in a JSON value (big integers and
    /// long decimals may lose precision).
    pub fn to_serde(&self) -> serde_json::Value {
        match &self.0 {
            Repr::Int(i) => serde_json::Value::from(*i),
            Repr::Big(b) => serde_json::from_str(&b.to_string()).unwrap_or(serde_json::Value::Null),
            Repr::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
        }
    }

    /// The value as `i64`, if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Int(i) => Some(*i),
            Repr::Big(b) => i64::try_from(b.as_ref()).ok(),
            Repr::Float(_) => None,
        }
    }

    /// The value as `f64` (nearest).
    pub fn as_f64(&self) -> f64 {
        match &self.0 {
            #[allow(clippy::cast_precision_loss)]
            Repr::Int(i) => *i as f64,
            Repr::Big(b) => b.to_string().parse().unwrap_or(f64::NAN),
            Repr::Float(f) => *f,
        }
    }

    /// Whether the number is an integer.
    pub fn is_integer(&self) -> bool {
        !matches!(self.0, Repr::Float(_))
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number(Repr::Int(i))
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Int(a), Repr::Int(b)) => a.cmp(b),
            (Repr::Big(a), Repr::Big(b)) => a.cmp(b),
            (Repr::Int(a), Repr::Big(b)) => BigInt::from(*a).cmp(b),
            (Repr::Big(a), Repr::Int(b)) => a.as_ref().cmp(&BigInt::from(*b)),
            _ => self.as_f64().total_cmp(&other.as_f64()),
        }
    }
}

impl Hash for Number {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.as_i64() {
            Some(i) => i.hash(state),
            None => self.as_f64().to_bits().hash(state),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Int(i) => write!(f, "{i}"),
            Repr::Big(b) => write!(f, "{b}"),
            Repr::Float(x) => write!(f, "{x}"),
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
