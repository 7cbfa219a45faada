//! `units.parse` and `units.parse_bytes`: OPA's SI / binary unit parsing,
//! with its exact number semantics (`big.Rat` for `units.parse`, a 64-bit
//! mantissa `big.Float` truncated to an integer for `units.parse_bytes`).

use super::native;
#[cfg(test)]
use super::number_value;
use crate::{BuiltinError, Registry, Value, args};
use num_bigint::{BigInt, Sign};
use num_traits::{One, Signed, Zero};

const MAX_EXPONENT_DIGITS: usize = 6;

/// OPA's `extractNumAndUnit` (byte-wise, like the Go code).
fn extract_num_and_unit(s: &str) -> Result<(&str, &str), ()> {
    let b = s.as_bytes();
    let is_num = |c: u8| c.is_ascii_digit() || c == b'.';
    let mut first_non_num: Option<usize> = None;
    let mut idx = 0;
    while idx < b.len() {
        let r = b.get(idx).copied().unwrap_or(0);
        if !is_num(r) && r != b'e' && r != b'E' && r != b'+' && r != b'-' {
            first_non_num = Some(idx);
            break;
        }
        if r == b'e' || r == b'E' {
            let next = b.get(idx + 1).copied();
            match next {
                Some(n) if n.is_ascii_digit() || n == b'+' || n == b'-' => {}
                _ => {
                    first_non_num = Some(idx);
                    break;
                }
            }
            if matches!(next, Some(b'+') | Some(b'-')) {
                idx += 1;
            }
            let start = idx + 1;
            let mut end = start;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            if end - start > MAX_EXPONENT_DIGITS {
                return Err(());
            }
        }
        idx += 1;
    }
    Ok(match first_non_num {
        None => (s, ""),
        Some(0) => ("", s),
        Some(i) => (s.get(..i).unwrap_or(""), s.get(i..).unwrap_or("")),
    })
}

/// An exact rational `num / den` (den > 0).
#[derive(Debug, Clone)]
struct Rat {
    num: BigInt,
    den: BigInt,
}

/// Parse a decimal number as Go's `big.Rat.SetString` / `big.Float.SetString`
/// accept it in this context: `[+-]digits[.digits][(e|E)[+-]digits]`.
fn parse_decimal(s: &str) -> Option<Rat> {
    let b = s.as_bytes();
    let mut i = 0;
    let neg = match b.first() {
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
    let mut digits = String::new();
    let mut frac_len: i64 = 0;
    let mut seen_digit = false;
    while let Some(&c) = b.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        digits.push(char::from(c));
        seen_digit = true;
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            digits.push(char::from(c));
            frac_len += 1;
            seen_digit = true;
            i += 1;
        }
    }
    if !seen_digit {
        return None;
    }
    let mut exp: i64 = 0;
    if matches!(b.get(i), Some(b'e') | Some(b'E')) {
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
        let start = i;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            exp = exp.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
            i += 1;
        }
        if i == start {
            return None;
        }
        if eneg {
            exp = -exp;
        }
    }
    if i != b.len() {
        return None;
    }
    let mut num: BigInt = digits.parse().ok()?;
    if neg {
        num = -num;
    }
    let e = exp - frac_len;
    let pow = |n: i64| BigInt::from(10u32).pow(u32::try_from(n).unwrap_or(u32::MAX));
    Some(if e >= 0 {
        Rat {
            num: num * pow(e),
            den: BigInt::one(),
        }
    } else {
        Rat { num, den: pow(-e) }
    })
}

/// The exact rational value of a finite f64.
fn rat_of_f64(f: f64) -> Rat {
    let bits = f.to_bits();
    let exp = i64::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let frac = bits & ((1u64 << 52) - 1);
    let (mant, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp - 1075)
    };
    let mut num = BigInt::from(mant);
    if f.is_sign_negative() {
        num = -num;
    }
    if e >= 0 {
        Rat {
            num: num << usize::try_from(e).unwrap_or(0),
            den: BigInt::one(),
        }
    } else {
        Rat {
            num,
            den: BigInt::one() << usize::try_from(-e).unwrap_or(0),
        }
    }
}

/// Go's `Rat.FloatString(10)` of `r` (or the integer when `r` is one).
fn rat_text(r: &Rat) -> String {
    let (q, rem) = (r.num.abs() / &r.den, r.num.abs() % &r.den);
    if rem.is_zero() {
        let mut s = q.to_string();
        if r.num.is_negative() {
            s.insert(0, '-');
        }
        return s;
    }
    let p = BigInt::from(10u64.pow(10));
    let scaled = rem * &p;
    let (mut f, r2) = (&scaled / &r.den, &scaled % &r.den);
    let mut q = q;
    if r.den <= &r2 + &r2 {
        f += 1;
        if f >= p {
            q += 1;
            f -= &p;
        }
    }
    let sign = if r.num.is_negative() { "-" } else { "" };
    format!("{sign}{q}.{f:0>10}")
}

/// Round a positive rational to a 64-bit mantissa (nearest, ties to
/// even): returns (mantissa, binary exponent).
fn round_to_64(num: &BigInt, den: &BigInt) -> (BigInt, i64) {
    let bits = |x: &BigInt| i64::try_from(x.bits()).unwrap_or(i64::MAX);
    let mut e = bits(num) - bits(den) - 64;
    loop {
        let (n, d) = if e >= 0 {
            (num.clone(), den << usize::try_from(e).unwrap_or(0))
        } else {
            (num << usize::try_from(-e).unwrap_or(0), den.clone())
        };
        let q = &n / &d;
        if q.bits() > 64 {
            e += 1;
            continue;
        }
        if q.bits() < 64 {
            e -= 1;
            continue;
        }
        let r = &n % &d;
        let twice = &r + &r;
        let mut m = q;
        if twice > d || (twice == d && (&m % 2u32) == BigInt::one()) {
            m += 1;
        }
        if m.bits() > 64 {
            m >>= 1usize;
            e += 1;
        }
        return (m, e);
    }
}

/// `big.Float` (64-bit precision) `num * unit`, truncated to an integer.
fn bytes_total(num: &Rat, unit: u64) -> BigInt {
    if num.num.is_zero() {
        return BigInt::zero();
    }
    let neg = num.num.is_negative();
    let (m, e) = round_to_64(&num.num.abs(), &num.den);
    let prod = m * BigInt::from(unit);
    let (m2, e2) = round_to_64(&prod, &BigInt::one());
    let e = e + e2;
    let mag = if e >= 0 {
        m2 << usize::try_from(e).unwrap_or(0)
    } else {
        m2 >> usize::try_from(-e).unwrap_or(usize::MAX)
    };
    if neg { -mag } else { mag }
}

/// Go's `strings.ToLower` for our purposes (first lowercase char).
fn go_lower(s: &str) -> String {
    s.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

fn units_parse(name: &str, raw: &str) -> Result<Value, BuiltinError> {
    let err = |m: String| BuiltinError::failed(name, format!("{name}: {m}"));
    let s = raw.replace('"', "");
    if s.contains(' ') {
        return Err(err("spaces not allowed in resource strings".into()));
    }
    let (num, unit) = extract_num_and_unit(&s).map_err(|()| err("exponent too large".into()))?;
    if num.is_empty() {
        return Err(err("no amount provided".into()));
    }
    // Keep the first byte, lowercase the rest (Go slices bytes here).
    let ub = unit.as_bytes();
    let unit: String = match ub.split_first() {
        Some((first, rest)) if ub.len() > 1 => {
            let rest_lower = go_lower(&String::from_utf8_lossy(rest));
            let mut bytes = vec![*first];
            bytes.extend_from_slice(rest_lower.as_bytes());
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => unit.to_string(),
    };
    let mult: Rat = match unit.as_str() {
        "m" => rat_of_f64(0.001),
        _ => {
            let m: u64 = match unit.as_str() {
                "" => 1,
                "k" | "K" => 1000,
                "ki" | "Ki" => 1 << 10,
                "M" => 1_000_000,
                "mi" | "Mi" => 1 << 20,
                "g" | "G" => 1_000_000_000,
                "gi" | "Gi" => 1 << 30,
                "t" | "T" => 1_000_000_000_000,
                "ti" | "Ti" => 1 << 40,
                "p" | "P" => 1_000_000_000_000_000,
                "pi" | "Pi" => 1 << 50,
                "e" | "E" => 1_000_000_000_000_000_000,
                "ei" | "Ei" => 1 << 60,
                _ => return Err(err(format!("unit {unit} not recognized"))),
            };
            Rat {
                num: BigInt::from(m),
                den: BigInt::one(),
            }
        }
    };
    let n = parse_decimal(num).ok_or_else(|| err("could not parse amount to a number".into()))?;
    let prod = Rat {
        num: n.num * mult.num,
        den: n.den * mult.den,
    };
    let text = rat_text(&prod);
    super::try_number_value(&text).ok_or_else(|| {
        err(format!(
            "amount {text:.40} is out of this runtime's number range"
        ))
    })
}

fn units_parse_bytes(name: &str, raw: &str) -> Result<Value, BuiltinError> {
    let err = |m: String| BuiltinError::failed(name, format!("{name}: {m}"));
    let s = go_lower(raw).replace('"', "");
    if s.contains(' ') {
        return Err(err("spaces not allowed in resource strings".into()));
    }
    let (num, unit) = extract_num_and_unit(&s).map_err(|()| err("exponent too large".into()))?;
    if num.is_empty() {
        return Err(err("no byte amount provided".into()));
    }
    let m: u64 = match unit {
        "" => 1,
        "kb" | "k" => 1000,
        "kib" | "ki" => 1 << 10,
        "mb" | "m" => 1_000_000,
        "mib" | "mi" => 1 << 20,
        "gb" | "g" => 1_000_000_000,
        "gib" | "gi" => 1 << 30,
        "tb" | "t" => 1_000_000_000_000,
        "tib" | "ti" => 1 << 40,
        "pb" | "p" => 1_000_000_000_000_000,
        "pib" | "pi" => 1 << 50,
        "eb" | "e" => 1_000_000_000_000_000_000,
        "eib" | "ei" => 1 << 60,
        _ => return Err(err(format!("byte unit {unit} not recognized"))),
    };
    let n =
        parse_decimal(num).ok_or_else(|| err("could not parse byte amount to a number".into()))?;
    let total = bytes_total(&n, m);
    let text = match total.sign() {
        Sign::NoSign => "0".to_string(),
        _ => total.to_string(),
    };
    super::try_number_value(&text).ok_or_else(|| {
        err(format!(
            "amount {text:.40} is out of this runtime's number range"
        ))
    })
}

/// Register `units.parse` and `units.parse_bytes`.
pub(crate) fn register(r: &mut Registry) {
    native(r, "units.parse", 1, |_, a| {
        let s = args::string("units.parse", a, 0)?;
        units_parse("units.parse", s).map(Some)
    });
    native(r, "units.parse_bytes", 1, |_, a| {
        let s = args::string("units.parse_bytes", a, 0)?;
        units_parse_bytes("units.parse_bytes", s).map(Some)
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn p(s: &str) -> Result<String, String> {
        units_parse("units.parse", s)
            .map(|v| v.to_string())
            .map_err(|e| e.to_string())
    }
    fn pb(s: &str) -> Result<String, String> {
        units_parse_bytes("units.parse_bytes", s)
            .map(|v| v.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn si_units_are_exact() {
        assert_eq!(rat_text(&parse_decimal("1.10").unwrap()), "1.1000000000");
        assert_eq!(p("1Mi").unwrap(), "1048576");
        assert_eq!(p("1mi").unwrap(), "1048576");
        assert_eq!(p("1M").unwrap(), "1000000");
        assert_eq!(p("-1.5G").unwrap(), "-1500000000");
        assert_eq!(
            p("1000Ei").unwrap(),
            number_value("1152921504606846976000").to_string()
        );
        assert_eq!(
            units_parse("units.parse", "0.00000000001").unwrap(),
            crate::Value::int(0)
        );
        assert_eq!(
            p("1KB"),
            Err("units.parse: units.parse: unit Kb not recognized".into())
        );
        assert_eq!(
            p("e5"),
            Err("units.parse: units.parse: could not parse amount to a number".into())
        );
        assert_eq!(
            p("1e1234567"),
            Err("units.parse: units.parse: exponent too large".into())
        );
        assert_eq!(
            p("K"),
            Err("units.parse: units.parse: no amount provided".into())
        );
    }

    #[test]
    fn milli_is_the_float_0_001() {
        let r = units_parse("units.parse", "1m").unwrap();
        assert_eq!(r, number_value("0.001"));
        let r = units_parse("units.parse", "123.123456789012345").unwrap();
        assert_eq!(r, number_value("123.123456789"));
    }

    #[test]
    fn bytes_use_a_64_bit_mantissa() {
        assert_eq!(pb("0.3kb").unwrap(), "300");
        assert_eq!(pb("-1.9").unwrap(), "-1");
        assert_eq!(pb("1KIB").unwrap(), "1024");
        assert_eq!(
            units_parse_bytes("units.parse_bytes", "12345678901234567890123").unwrap(),
            number_value("12345678901234567889920")
        );
        assert_eq!(
            pb("1x"),
            Err("units.parse_bytes: units.parse_bytes: byte unit x not recognized".into())
        );
        assert_eq!(
            pb("٣"),
            Err("units.parse_bytes: units.parse_bytes: no byte amount provided".into())
        );
    }
}
