//! Exact Rego numbers.
//!
//! OPA holds a number as the text of its literal (`ast.Number` is a
//! `json.Number`) and compares numbers by exact value, so `1 == 1.0` and
//! `1208925819614629174706175` stays exact. [`Number`] does the same:
//! integers of any size, and decimals `mantissa × 10^exponent` that keep
//! the literal they were written as (OPA prints `1.0` as `1.0`, and
//! `sprintf` treats a literal with `.`/`e` as a float).

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::Arc;

/// Largest power of ten the arithmetic helpers will materialise (an
/// exact result needing more digits is refused with `None`).
pub const MAX_EXACT_EXPONENT: i64 = 100_000;

/// A Rego number, held exactly as OPA does: integers of any size, and
/// decimals. Opaque: use the constructors and accessors.
///
/// Equality, ordering and hashing are by numeric value (`1 == 1.0`,
/// `1e2 == 100`); [`fmt::Display`] prints the number as OPA does (its
/// literal text).
#[derive(Clone)]
pub struct Number(Repr);

#[derive(Clone)]
enum Repr {
    /// An integer literal that fits `i64`.
    Int(i64),
    /// An integer literal that does not fit `i64`.
    Big(Arc<BigInt>),
    /// Anything else: a decimal or exponent literal, or a non-integral
    /// result.
    Dec(Arc<Dec>),
}

struct Dec {
    /// Normalised: no trailing decimal zeros (zero is `0`, exp `0`).
    mant: BigInt,
    exp: i64,
    /// How OPA prints it.
    text: Box<str>,
}

/// An error reading a number literal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// The text is not a JSON number.
    #[error("invalid number literal {0:?}")]
    Syntax(String),
    /// The exponent does not fit a 64-bit integer.
    #[error("number exponent out of range in {0:?}")]
    ExponentRange(String),
}

fn strip_zeros(mut m: BigInt, mut e: i64) -> (BigInt, i64) {
    if m.is_zero() {
        return (m, 0);
    }
    let ten = BigInt::from(10);
    loop {
        let (q, r) = m.div_rem(&ten);
        if !r.is_zero() {
            break;
        }
        m = q;
        e = e.saturating_add(1);
    }
    (m, e)
}

fn pow10(n: i64) -> Option<BigInt> {
    if !(0..=MAX_EXACT_EXPONENT).contains(&n) {
        return None;
    }
    Some(num_traits::pow(BigInt::from(10), usize::try_from(n).ok()?))
}

fn ndigits(m: &BigInt) -> i64 {
    if m.is_zero() {
        return 1;
    }
    i64::try_from(m.magnitude().to_string().len()).unwrap_or(i64::MAX)
}

/// Canonical text for a decimal `m × 10^e` (normalised, non-integral or
/// out of materialisable range): plain notation for moderate exponents,
/// Go-style scientific otherwise.
fn canonical_text(m: &BigInt, e: i64) -> String {
    let digits = m.magnitude().to_string();
    let nd = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let adjusted = nd.saturating_sub(1).saturating_add(e);
    let mut out = String::new();
    if m.sign() == Sign::Minus {
        out.push('-');
    }
    if (-7..21).contains(&adjusted) {
        if e >= 0 {
            out.push_str(&digits);
            for _ in 0..e {
                out.push('0');
            }
        } else {
            let point = nd + e; // digits before the point
            if point > 0 {
                let p = usize::try_from(point).unwrap_or(0);
                out.push_str(digits.get(..p).unwrap_or(""));
                out.push('.');
                out.push_str(digits.get(p..).unwrap_or(""));
            } else {
                out.push_str("0.");
                for _ in 0..(-point) {
                    out.push('0');
                }
                out.push_str(&digits);
            }
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if adjusted < 0 { '-' } else { '+' });
        let a = adjusted.unsigned_abs();
        if a < 10 {
            out.push('0');
        }
        out.push_str(&a.to_string());
    }
    out
}

impl Number {
    fn from_bigint_value(b: BigInt) -> Number {
        match b.to_i64() {
            Some(i) => Number(Repr::Int(i)),
            None => Number(Repr::Big(Arc::new(b))),
        }
    }

    /// The number `m × 10^e`, exact. Integral values with a materialisable
    /// exponent become integers.
    fn from_parts(m: BigInt, e: i64) -> Number {
        let (m, e) = strip_zeros(m, e);
        if e >= 0
            && let Some(p) = pow10(e)
        {
            return Number::from_bigint_value(m * p);
        }
        let text = canonical_text(&m, e).into_boxed_str();
        Number(Repr::Dec(Arc::new(Dec {
            mant: m,
            exp: e,
            text,
        })))
    }

    /// Parse a JSON number literal (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`),
    /// keeping its text for printing.
    pub fn parse_literal(text: &str) -> Result<Number, NumberError> {
        let bad = || NumberError::Syntax(text.to_string());
        let b = text.as_bytes();
        let mut i = 0;
        let neg = b.first() == Some(&b'-');
        if neg {
            i += 1;
        }
        let int_start = i;
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(c) if c.is_ascii_digit() => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return Err(bad()),
        }
        let int_end = i;
        let mut frac = "";
        if b.get(i) == Some(&b'.') {
            i += 1;
            let s = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == s {
                return Err(bad());
            }
            frac = text.get(s..i).ok_or_else(bad)?;
        }
        let mut exp: i64 = 0;
        let mut has_exp = false;
        if matches!(b.get(i), Some(b'e' | b'E')) {
            has_exp = true;
            i += 1;
            let eneg = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let s = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == s {
                return Err(bad());
            }
            let digits = text.get(s..i).ok_or_else(bad)?;
            let v: i64 = digits.trim_start_matches('0').parse().or_else(|_| {
                if digits.trim_start_matches('0').is_empty() {
                    Ok(0)
                } else {
                    Err(NumberError::ExponentRange(text.to_string()))
                }
            })?;
            exp = if eneg { -v } else { v };
        }
        if i != b.len() {
            return Err(bad());
        }
        let int_digits = text.get(int_start..int_end).ok_or_else(bad)?;
        if frac.is_empty() && !has_exp && b.get(int_end) != Some(&b'.') {
            if let Ok(v) = text.parse::<i64>() {
                return Ok(Number(Repr::Int(v)));
            }
            let big = BigInt::from_str(text).map_err(|_| bad())?;
            return Ok(Number::from_bigint_value(big));
        }
        let mut all = String::with_capacity(int_digits.len() + frac.len() + 1);
        if neg {
            all.push('-');
        }
        all.push_str(int_digits);
        all.push_str(frac);
        let m = BigInt::from_str(&all).map_err(|_| bad())?;
        let flen = i64::try_from(frac.len()).map_err(|_| bad())?;
        let e = exp
            .checked_sub(flen)
            .ok_or_else(|| NumberError::ExponentRange(text.to_string()))?;
        let (m, e) = strip_zeros(m, e);
        Ok(Number(Repr::Dec(Arc::new(Dec {
            mant: m,
            exp: e,
            text: text.into(),
        }))))
    }

    /// From a float, as OPA converts a Go `float64` to a number (Go's
    /// shortest `%g` text, so `3.0` becomes `3` and `1e21` `1e+21`);
    /// `None` for NaN or infinities (not Rego numbers).
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        let text = crate::gofloat::format(f, 'g', None);
        Number::parse_literal(&text).ok()
    }

    /// From a `serde_json::Number` (exact as far as serde_json kept it).
    pub fn from_serde(n: &serde_json::Number) -> Number {
        if let Some(i) = n.as_i64() {
            return Number(Repr::Int(i));
        }
        if let Some(u) = n.as_u64() {
            return Number::from_bigint_value(BigInt::from(u));
        }
        Number::parse_literal(&n.to_string())
            .ok()
            .or_else(|| n.as_f64().and_then(Number::from_f64))
            .unwrap_or(Number(Repr::Int(0)))
    }

    /// To a JSON value (numbers beyond `f64`/`i64`/`u64` lose precision;
    /// use [`crate::Value::to_json_text`] for exact text).
    pub fn to_serde(&self) -> serde_json::Value {
        match &self.0 {
            Repr::Int(i) => serde_json::Value::from(*i),
            _ => {
                if let Some(u) = self.to_bigint().and_then(|b| b.to_u64()) {
                    return serde_json::Value::from(u);
                }
                serde_json::Number::from_f64(self.as_f64())
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null)
            }
        }
    }

    /// Normalised `(mantissa, exponent)`: value = mantissa × 10^exponent,
    /// mantissa without trailing zeros.
    pub fn to_decimal_parts(&self) -> (BigInt, i64) {
        match &self.0 {
            Repr::Int(i) => strip_zeros(BigInt::from(*i), 0),
            Repr::Big(b) => strip_zeros(b.as_ref().clone(), 0),
            Repr::Dec(d) => (d.mant.clone(), d.exp),
        }
    }

    /// Whether the number was written (or computed) as an integer literal,
    /// without `.` or exponent — OPA's `Number.Int()` test. `1.0` is not.
    pub fn is_int_literal(&self) -> bool {
        !matches!(self.0, Repr::Dec(_))
    }

    /// Whether the value is a whole number (`1.0` and `1e3` are).
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Dec(d) => d.exp >= 0,
            _ => true,
        }
    }

    /// The exact integer value, if whole (and its exponent materialisable).
    pub fn to_bigint(&self) -> Option<BigInt> {
        match &self.0 {
            Repr::Int(i) => Some(BigInt::from(*i)),
            Repr::Big(b) => Some(b.as_ref().clone()),
            Repr::Dec(d) => {
                if d.exp < 0 {
                    return None;
                }
                Some(&d.mant * pow10(d.exp)?)
            }
        }
    }

    /// The value as `i64`, if it is a whole number in range.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Int(i) => Some(*i),
            Repr::Big(_) => None,
            Repr::Dec(d) => {
                if d.exp < 0 || d.exp > 19 {
                    return if d.mant.is_zero() { Some(0) } else { None };
                }
                self.to_bigint()?.to_i64()
            }
        }
    }

    /// The value as `u64`, if it is a whole number in range.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.0 {
            Repr::Int(i) => u64::try_from(*i).ok(),
            _ => self.to_bigint()?.to_u64(),
        }
    }

    /// The value as `f64` (nearest; ±infinity when out of range).
    pub fn as_f64(&self) -> f64 {
        match &self.0 {
            #[allow(clippy::cast_precision_loss)]
            Repr::Int(i) => *i as f64,
            Repr::Big(b) => b.to_f64().unwrap_or(f64::NAN),
            Repr::Dec(d) => format!("{}e{}", d.mant, d.exp).parse().unwrap_or(f64::NAN),
        }
    }

    /// The value as a finite `f64`, if it is within range (OPA's
    /// `Number.Float64()`).
    pub fn to_f64(&self) -> Option<f64> {
        let f = self.as_f64();
        f.is_finite().then_some(f)
    }

    /// Sign: -1, 0 or 1.
    pub fn signum(&self) -> i32 {
        match &self.0 {
            Repr::Int(i) => match i.cmp(&0) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            },
            Repr::Big(b) => sign_i32(b.sign()),
            Repr::Dec(d) => sign_i32(d.mant.sign()),
        }
    }

    /// `self + other`, exact. `None` only if the exact result would need
    /// more than [`MAX_EXACT_EXPONENT`] digits.
    pub fn add(&self, other: &Number) -> Option<Number> {
        if let (Repr::Int(a), Repr::Int(b)) = (&self.0, &other.0)
            && let Some(s) = a.checked_add(*b)
        {
            return Some(Number(Repr::Int(s)));
        }
        let (ma, ea) = self.to_decimal_parts();
        let (mb, eb) = other.to_decimal_parts();
        if ma.is_zero() {
            return Some(Number::from_parts(mb, eb));
        }
        if mb.is_zero() {
            return Some(Number::from_parts(ma, ea));
        }
        let e = ea.min(eb);
        let a = ma * pow10(ea.checked_sub(e)?)?;
        let b = mb * pow10(eb.checked_sub(e)?)?;
        Some(Number::from_parts(a + b, e))
    }

    /// `self - other`, exact (see [`Number::add`]).
    pub fn sub(&self, other: &Number) -> Option<Number> {
        self.add(&other.neg())
    }

    /// `self × other`, exact.
    pub fn mul(&self, other: &Number) -> Option<Number> {
        if let (Repr::Int(a), Repr::Int(b)) = (&self.0, &other.0)
            && let Some(p) = a.checked_mul(*b)
        {
            return Some(Number(Repr::Int(p)));
        }
        let (ma, ea) = self.to_decimal_parts();
        let (mb, eb) = other.to_decimal_parts();
        Some(Number::from_parts(ma * mb, ea.checked_add(eb)?))
    }

    /// `self / other`: exact when the quotient has a finite decimal
    /// expansion, otherwise the nearest `f64` (as a Wasm-compiled policy
    /// computes it). `None` when dividing by zero.
    pub fn div(&self, other: &Number) -> Option<Number> {
        let (mb, eb) = other.to_decimal_parts();
        if mb.is_zero() {
            return None;
        }
        let (ma, ea) = self.to_decimal_parts();
        if ma.is_zero() {
            return Some(Number(Repr::Int(0)));
        }
        let g = ma.gcd(&mb);
        let num = &ma / &g;
        let mut den = &mb / &g;
        if den.is_negative() {
            den = -den;
        }
        let num = if mb.is_negative() { -num } else { num };
        // den must be 2^a 5^b for a finite expansion.
        let mut rest = den.clone();
        let (mut twos, mut fives) = (0i64, 0i64);
        let two = BigInt::from(2);
        let five = BigInt::from(5);
        while rest.is_even() && !rest.is_zero() {
            rest /= &two;
            twos += 1;
        }
        while (&rest % &five).is_zero() && !rest.is_zero() {
            rest /= &five;
            fives += 1;
        }
        let e = ea.checked_sub(eb)?;
        if rest.is_one() {
            let k = twos.max(fives);
            let scaled = num * pow10(k)? / den;
            return Some(Number::from_parts(scaled, e.checked_sub(k)?));
        }
        Number::from_f64(self.as_f64() / other.as_f64())
    }

    /// Remainder of integer division, truncated (sign of the dividend) as
    /// OPA's `%`. `None` unless both are whole numbers and `other != 0`.
    pub fn rem(&self, other: &Number) -> Option<Number> {
        if let (Repr::Int(a), Repr::Int(b)) = (&self.0, &other.0) {
            if *b == 0 {
                return None;
            }
            return Some(Number(Repr::Int(a.checked_rem(*b).unwrap_or(0))));
        }
        if !self.is_integer() || !other.is_integer() {
            return None;
        }
        let a = self.to_bigint()?;
        let b = other.to_bigint()?;
        if b.is_zero() {
            return None;
        }
        Some(Number::from_bigint_value(a % b))
    }

    /// `-self`.
    pub fn neg(&self) -> Number {
        match &self.0 {
            Repr::Int(i) => match i.checked_neg() {
                Some(n) => Number(Repr::Int(n)),
                None => Number::from_bigint_value(-BigInt::from(*i)),
            },
            Repr::Big(b) => Number::from_bigint_value(-b.as_ref().clone()),
            Repr::Dec(d) => {
                let text = match d.text.strip_prefix('-') {
                    Some(t) => t.to_string(),
                    None if d.mant.is_zero() => d.text.to_string(),
                    None => format!("-{}", d.text),
                };
                Number(Repr::Dec(Arc::new(Dec {
                    mant: -d.mant.clone(),
                    exp: d.exp,
                    text: text.into_boxed_str(),
                })))
            }
        }
    }

    /// `|self|`.
    pub fn abs(&self) -> Number {
        if self.signum() < 0 {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// Largest whole number `<= self`.
    pub fn floor(&self) -> Number {
        self.round_with(|m, p| m.div_floor(p))
    }

    /// Smallest whole number `>= self`.
    pub fn ceil(&self) -> Number {
        self.round_with(|m, p| -((-m).div_floor(p)))
    }

    /// Nearest whole number, halves away from zero (Go's `math.Round`).
    pub fn round(&self) -> Number {
        self.round_with(|m, p| {
            let twice: BigInt = m.abs() * 2 + p;
            let q = twice.div_floor(&(p * 2));
            if m.is_negative() { -q } else { q }
        })
    }

    fn round_with(&self, f: impl Fn(&BigInt, &BigInt) -> BigInt) -> Number {
        let Repr::Dec(d) = &self.0 else {
            return self.clone();
        };
        if d.exp >= 0 {
            return match self.to_bigint() {
                Some(b) => Number::from_bigint_value(b),
                None => self.clone(),
            };
        }
        let k = -d.exp;
        if k > ndigits(&d.mant).saturating_add(1) {
            // |self| < 0.1: the result is -1, 0 or 1; compute with a
            // small stand-in of the same sign.
            let stand_in = if d.mant.is_negative() { -1 } else { 1 };
            let r = f(&BigInt::from(stand_in), &BigInt::from(100));
            return Number::from_bigint_value(r);
        }
        match pow10(k) {
            Some(p) => Number::from_bigint_value(f(&d.mant, &p)),
            None => self.clone(),
        }
    }

    fn cmp_value(&self, other: &Number) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Int(a), Repr::Int(b)) => return a.cmp(b),
            (Repr::Big(a), Repr::Big(b)) => return a.cmp(b),
            (Repr::Int(a), Repr::Big(b)) => return BigInt::from(*a).cmp(b),
            (Repr::Big(a), Repr::Int(b)) => return a.as_ref().cmp(&BigInt::from(*b)),
            _ => {}
        }
        let (ma, ea) = self.to_decimal_parts();
        let (mb, eb) = other.to_decimal_parts();
        let (sa, sb) = (ma.sign(), mb.sign());
        if sa != sb || sa == Sign::NoSign {
            return sa.cmp(&sb);
        }
        let adj_a = i128::from(ndigits(&ma)) + i128::from(ea);
        let adj_b = i128::from(ndigits(&mb)) + i128::from(eb);
        if adj_a != adj_b {
            let o = adj_a.cmp(&adj_b);
            return if sa == Sign::Minus { o.reverse() } else { o };
        }
        // Same magnitude order: the exponent difference is bounded by the
        // digit counts, so aligning is cheap.
        let diff = ea.saturating_sub(eb);
        let shift = |m: &BigInt, n: i64| -> BigInt {
            match pow10(n) {
                Some(p) => m * p,
                None => m.clone(),
            }
        };
        if diff >= 0 {
            shift(&ma, diff).cmp(&mb)
        } else {
            ma.cmp(&shift(&mb, -diff))
        }
    }
}

fn sign_i32(s: Sign) -> i32 {
    match s {
        Sign::Minus => -1,
        Sign::NoSign => 0,
        Sign::Plus => 1,
    }
}

impl FromStr for Number {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Number, NumberError> {
        Number::parse_literal(s)
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number(Repr::Int(i))
    }
}

impl From<i32> for Number {
    fn from(i: i32) -> Number {
        Number(Repr::Int(i64::from(i)))
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Number {
        Number::from_bigint_value(BigInt::from(u))
    }
}

impl From<usize> for Number {
    fn from(u: usize) -> Number {
        Number::from_bigint_value(BigInt::from(u))
    }
}

impl From<BigInt> for Number {
    fn from(b: BigInt) -> Number {
        Number::from_bigint_value(b)
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
        self.cmp_value(other)
    }
}

impl Hash for Number {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let (m, e) = match &self.0 {
            Repr::Int(i) if i % 10 != 0 => {
                i.hash(state);
                0i64.hash(state);
                return;
            }
            _ => self.to_decimal_parts(),
        };
        match m.to_i64() {
            Some(i) => i.hash(state),
            None => m.to_signed_bytes_le().hash(state),
        }
        e.hash(state);
    }
}

impl fmt::Display for Number {
    /// OPA's text for the number: the literal as written, digits for
    /// integers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Int(i) => write!(f, "{i}"),
            Repr::Big(b) => write!(f, "{b}"),
            Repr::Dec(d) => f.write_str(&d.text),
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn n(s: &str) -> Number {
        Number::parse_literal(s).unwrap()
    }
    fn h(x: &Number) -> u64 {
        let mut s = DefaultHasher::new();
        x.hash(&mut s);
        s.finish()
    }

    #[test]
    fn exact_and_numeric_equality() {
        assert_eq!(n("1"), n("1.0"));
        assert_eq!(n("100"), n("1e2"));
        assert_eq!(n("100"), n("1.00E+2"));
        assert_eq!(h(&n("100")), h(&n("1e2")));
        assert_eq!(h(&n("7")), h(&n("7.000")));
        assert_ne!(n("0.1"), n("0.10000000000000001"));
        assert!(n("1208925819614629174706175") > n("1208925819614629174706174"));
        assert!(n("1e400") > n("9.99e399"));
        assert!(n("-1e400") < n("-9.99e399"));
        assert!(n("0.1") < n("0.11"));
        assert!(n("-0.5") < n("0"));
        assert_eq!(n("-0"), n("0"));
        assert_eq!(n("1.0").to_string(), "1.0");
        assert_eq!(n("1e400").to_string(), "1e400");
        assert!(!n("1.0").is_int_literal());
        assert!(n("1.0").is_integer());
        assert_eq!(n("1.0").as_i64(), Some(1));
        assert_eq!(n("1.5").as_i64(), None);
    }

    #[test]
    fn rejects_non_json() {
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "+1", "1e+", "0x1", "1 ", "NaN",
        ] {
            assert!(Number::parse_literal(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            Number::parse_literal("1e99999999999999999999"),
            Err(NumberError::ExponentRange(_))
        ));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(n("0.1").add(&n("0.2")).unwrap().to_string(), "0.3");
        assert_eq!(n("1.5").add(&n("1.5")).unwrap().to_string(), "3");
        assert_eq!(
            n("9223372036854775807").add(&n("1")).unwrap().to_string(),
            "9223372036854775808"
        );
        assert_eq!(n("1").div(&n("4")).unwrap().to_string(), "0.25");
        assert_eq!(
            n("1").div(&n("3")).unwrap().to_string(),
            "0.3333333333333333"
        );
        assert!(n("1").div(&n("0")).is_none());
        assert_eq!(n("-7").rem(&n("3")).unwrap().to_string(), "-1");
        assert_eq!(n("2.5").round().to_string(), "3");
        assert_eq!(n("-2.5").round().to_string(), "-3");
        assert_eq!(n("-2.5").floor().to_string(), "-3");
        assert_eq!(n("-2.5").ceil().to_string(), "-2");
        assert_eq!(n("0.0001").ceil().to_string(), "1");
        assert_eq!(n("-1e-900").floor().to_string(), "-1");
        assert_eq!(n("1.5").mul(&n("2")).unwrap().to_string(), "3");
        assert_eq!(n("1e-30").mul(&n("3")).unwrap().to_string(), "3e-30");
        assert_eq!(Number::from_f64(3.0).unwrap().to_string(), "3");
        assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
        assert_eq!(n("1e400").as_f64(), f64::INFINITY);
        assert_eq!(n("1e400").to_f64(), None);
    }
}
