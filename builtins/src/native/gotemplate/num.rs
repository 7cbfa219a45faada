//! The parts of Go's `strconv` the template parser uses: integer and float
//! literals (`ParseUint`/`ParseInt` with base 0, `ParseFloat`), `Unquote`
//! and `UnquoteChar`, and the number node's value rules.

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

/// A `strconv` failure: bad syntax or a value out of range.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum NumErr {
    Syntax,
    Range,
}

/// Go's `underscoreOK`: underscores only between digits (or after a base
/// prefix).
fn underscore_ok(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2
        && b.first() == Some(&b'0')
        && matches!(
            b.get(1).map(u8::to_ascii_lowercase),
            Some(b'b' | b'o' | b'x')
        )
    {
        i = 2;
        saw = b'0';
        hex = b.get(1).map(u8::to_ascii_lowercase) == Some(b'x');
    }
    while let Some(&c) = b.get(i) {
        i += 1;
        if c.is_ascii_digit() || (hex && c.to_ascii_lowercase().is_ascii_hexdigit()) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, 0, 64)`.
pub(super) fn parse_uint(s: &str) -> Result<u64, NumErr> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(NumErr::Syntax);
    }
    let (base, digits): (u64, &[u8]) = if b.first() == Some(&b'0') {
        match (b.len() >= 3, b.get(1).map(u8::to_ascii_lowercase)) {
            (true, Some(b'b')) => (2, b.get(2..).unwrap_or_default()),
            (true, Some(b'o')) => (8, b.get(2..).unwrap_or_default()),
            (true, Some(b'x')) => (16, b.get(2..).unwrap_or_default()),
            _ => (8, b.get(1..).unwrap_or_default()),
        }
    } else {
        (10, b)
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    let mut range = false;
    for &c in digits {
        if c == b'_' {
            underscores = true;
            continue;
        }
        let d = match c {
            b'0'..=b'9' => u64::from(c - b'0'),
            b'a'..=b'z' => u64::from(c - b'a') + 10,
            b'A'..=b'Z' => u64::from(c - b'A') + 10,
            _ => return Err(NumErr::Syntax),
        };
        if d >= base {
            return Err(NumErr::Syntax);
        }
        if range {
            continue;
        }
        match n.checked_mul(base).and_then(|m| m.checked_add(d)) {
            Some(m) => n = m,
            None => range = true,
        }
    }
    if underscores && !underscore_ok(s) {
        return Err(NumErr::Syntax);
    }
    if range {
        return Err(NumErr::Range);
    }
    Ok(n)
}

/// `strconv.ParseInt(s, 0, 64)`.
pub(super) fn parse_int(s: &str) -> Result<i64, NumErr> {
    if s.is_empty() {
        return Err(NumErr::Syntax);
    }
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..).unwrap_or_default()),
        Some(b'+') => (false, s.get(1..).unwrap_or_default()),
        _ => (false, s),
    };
    let u = parse_uint(rest)?;
    if neg {
        if u > 1u64 << 63 {
            return Err(NumErr::Range);
        }
        Ok(0i64.wrapping_sub_unsigned(u))
    } else {
        i64::try_from(u).map_err(|_| NumErr::Range)
    }
}

/// `strconv.ParseFloat(s, 64)` for the literals the template lexer
/// produces: decimal and hexadecimal (`0x1.8p3`) forms, with underscores.
pub(super) fn parse_float(s: &str) -> Result<f64, NumErr> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..).unwrap_or_default()),
        Some(b'+') => (false, s.get(1..).unwrap_or_default()),
        _ => (false, s),
    };
    if s.contains('_') && !underscore_ok(s) {
        return Err(NumErr::Syntax);
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    let v = if let Some(hex) = lower.strip_prefix("0x") {
        parse_hex_float(hex)?
    } else {
        parse_decimal(&clean)?
    };
    Ok(if neg { -v } else { v })
}

/// A decimal float body (no sign): digits with an optional point and
/// exponent; out of range is an error, underflow is zero.
fn parse_decimal(s: &str) -> Result<f64, NumErr> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
        digits += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return Err(NumErr::Syntax);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(NumErr::Syntax);
        }
    }
    if i != b.len() {
        return Err(NumErr::Syntax);
    }
    let v: f64 = s.parse().map_err(|_| NumErr::Syntax)?;
    if v.is_infinite() {
        return Err(NumErr::Range);
    }
    Ok(v)
}

/// A hexadecimal float body after `0x`: hex digits with an optional
/// point and a mandatory `p` exponent, rounded to nearest even.
fn parse_hex_float(s: &str) -> Result<f64, NumErr> {
    let (mant, exp) = s.split_once('p').ok_or(NumErr::Syntax)?;
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty() {
        return Err(NumErr::Syntax);
    }
    let exp_digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    if exp_digits.is_empty() || !exp_digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(NumErr::Syntax);
    }
    let e: i64 = exp_digits
        .parse::<i64>()
        .unwrap_or(i64::MAX / 4)
        .min(100_000);
    let e = if exp.starts_with('-') { -e } else { e };
    let mut m = BigUint::zero();
    for c in int.chars().chain(frac.chars()) {
        let d = c.to_digit(16).ok_or(NumErr::Syntax)?;
        m = (m << 4u32) + BigUint::from(d);
    }
    let frac_bits = i64::try_from(frac.len())
        .unwrap_or(i64::MAX / 8)
        .saturating_mul(4);
    let v = ldexp_rounded(&m, e.saturating_sub(frac_bits));
    if v.is_infinite() {
        return Err(NumErr::Range);
    }
    Ok(v)
}

/// `m × 2^e` rounded to the nearest `f64` (ties to even).
fn ldexp_rounded(m: &BigUint, e: i64) -> f64 {
    if m.is_zero() {
        return 0.0;
    }
    let bits = i64::try_from(m.bits()).unwrap_or(i64::MAX);
    // Exponent of the leading bit: value in [2^top, 2^(top+1)).
    let top = bits.saturating_sub(1).saturating_add(e);
    if top > 1023 {
        return f64::INFINITY;
    }
    // Keep 53 significant bits, or fewer for subnormals (lowest bit 2^-1074).
    let lowest = (top - 52).max(-1074);
    let shift = lowest - e; // bits of m to drop
    let kept = if shift <= 0 {
        let up = u32::try_from(-shift).unwrap_or(0);
        m << up
    } else {
        let sh = u64::try_from(shift).unwrap_or(u64::MAX);
        let q: BigUint = m >> sh;
        let rem = m - (&q << sh);
        let half = BigUint::from(1u8) << (sh - 1);
        if rem > half || (rem == half && q.bit(0)) {
            q + 1u8
        } else {
            q
        }
    };
    let k = kept.to_f64().unwrap_or(f64::INFINITY);
    let p = i32::try_from(lowest).unwrap_or(0);
    let v = k * 2f64.powi(p.max(-1022)) * 2f64.powi((p - p.max(-1022)).min(0));
    if v.is_finite() { v } else { f64::INFINITY }
}

/// Go's `strconv.UnquoteChar`: one (possibly escaped) character of a
/// quoted literal. Returns the bytes to append and the rest.
pub(super) fn unquote_char(s: &[u8], quote: u8) -> Result<(Vec<u8>, &[u8]), NumErr> {
    let Some(&c) = s.first() else {
        return Err(NumErr::Syntax);
    };
    if c == quote && (quote == b'\'' || quote == b'"') {
        return Err(NumErr::Syntax);
    }
    if c >= 0x80 {
        let w = super::value::decode_rune(s).1.max(1);
        return Ok((
            s.get(..w).unwrap_or_default().to_vec(),
            s.get(w..).unwrap_or_default(),
        ));
    }
    if c != b'\\' {
        return Ok((vec![c], s.get(1..).unwrap_or_default()));
    }
    let Some(&e) = s.get(1) else {
        return Err(NumErr::Syntax);
    };
    let rest = s.get(2..).unwrap_or_default();
    let simple = |b: u8| Ok((vec![b], rest));
    match e {
        b'a' => simple(7),
        b'b' => simple(8),
        b'f' => simple(12),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(11),
        b'\\' => simple(b'\\'),
        b'\'' | b'"' if e == quote => simple(e),
        b'x' | b'u' | b'U' => {
            let n = match e {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = rest.get(..n).ok_or(NumErr::Syntax)?;
            let mut v: u32 = 0;
            for &h in hex {
                let d = char::from(h).to_digit(16).ok_or(NumErr::Syntax)?;
                v = (v << 4) | d;
            }
            let tail = rest.get(n..).unwrap_or_default();
            if e == b'x' {
                return Ok((vec![u8::try_from(v).unwrap_or(0)], tail));
            }
            let ch = char::from_u32(v).ok_or(NumErr::Syntax)?;
            Ok((ch.to_string().into_bytes(), tail))
        }
        b'0'..=b'7' => {
            let mut v = u32::from(e - b'0');
            let digits = rest.get(..2).ok_or(NumErr::Syntax)?;
            for &d in digits {
                if !(b'0'..=b'7').contains(&d) {
                    return Err(NumErr::Syntax);
                }
                v = (v << 3) | u32::from(d - b'0');
            }
            let byte = u8::try_from(v).map_err(|_| NumErr::Syntax)?;
            Ok((vec![byte], rest.get(2..).unwrap_or_default()))
        }
        _ => Err(NumErr::Syntax),
    }
}

/// Go's `strconv.Unquote` of a `"…"` or `` `…` `` literal (the lexer has
/// checked the delimiters), as bytes.
pub(super) fn unquote(lit: &str) -> Result<Vec<u8>, NumErr> {
    let b = lit.as_bytes();
    let (Some(&q), Some(&last)) = (b.first(), b.last()) else {
        return Err(NumErr::Syntax);
    };
    if b.len() < 2 || q != last {
        return Err(NumErr::Syntax);
    }
    let inner = b.get(1..b.len() - 1).unwrap_or_default();
    if q == b'`' {
        if inner.contains(&b'`') {
            return Err(NumErr::Syntax);
        }
        return Ok(inner.iter().copied().filter(|&c| c != b'\r').collect());
    }
    if q != b'"' {
        return Err(NumErr::Syntax);
    }
    if !inner.contains(&b'\\') && !inner.contains(&b'\n') && !inner.contains(&b'"') {
        return Ok(inner.to_vec());
    }
    let mut out = Vec::with_capacity(inner.len());
    let mut rest = inner;
    while !rest.is_empty() {
        if rest.first() == Some(&b'\n') {
            return Err(NumErr::Syntax);
        }
        let (bytes, tail) = unquote_char(rest, b'"')?;
        out.extend_from_slice(&bytes);
        rest = tail;
    }
    Ok(out)
}

/// A parsed number literal: every Go type that can hold it exactly
/// (Go's `parse.NumberNode`).
#[derive(Debug, Clone, Default)]
pub(super) struct Number {
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    pub is_complex: bool,
    pub int: i64,
    pub uint: u64,
    pub float: f64,
    pub complex: (f64, f64),
    pub text: String,
}

/// The item kinds a number literal can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumKind {
    Char,
    Complex,
    Number,
}

/// `float64(int64(f)) == f` without Go's undefined conversion results.
fn float_is_i64(f: f64) -> Option<i64> {
    ((-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) && f.fract() == 0.0)
        .then_some(f as i64)
}

fn float_is_u64(f: f64) -> Option<u64> {
    ((0.0..18_446_744_073_709_551_616.0).contains(&f) && f.fract() == 0.0).then_some(f as u64)
}

impl Number {
    /// Go's `simplifyComplex`.
    fn simplify_complex(&mut self) {
        self.is_float = self.complex.1 == 0.0;
        if self.is_float {
            self.float = self.complex.0;
            if let Some(i) = float_is_i64(self.float) {
                self.is_int = true;
                self.int = i;
            }
            if let Some(u) = float_is_u64(self.float) {
                self.is_uint = true;
                self.uint = u;
            }
        }
    }

    /// Go's `Tree.newNumber`: the error text on failure.
    pub(super) fn parse(text: &str, kind: NumKind) -> Result<Number, String> {
        let mut n = Number {
            text: text.to_string(),
            ..Number::default()
        };
        match kind {
            NumKind::Char => {
                let body = text.as_bytes().get(1..).unwrap_or_default();
                let (bytes, tail) =
                    unquote_char(body, b'\'').map_err(|_| "invalid syntax".to_string())?;
                if tail != b"'" {
                    return Err(format!("malformed character constant: {text}"));
                }
                let r = match std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(|s| s.chars().next())
                {
                    Some(c) if bytes.len() > 1 || c.is_ascii() => u32::from(c),
                    _ => u32::from(bytes.first().copied().unwrap_or(0)),
                };
                n.int = i64::from(r);
                n.uint = u64::from(r);
                n.float = f64::from(r);
                n.is_int = true;
                n.is_uint = true;
                n.is_float = true;
                return Ok(n);
            }
            NumKind::Complex => {
                n.complex = parse_complex(text)?;
                n.is_complex = true;
                n.simplify_complex();
                return Ok(n);
            }
            NumKind::Number => {}
        }
        if let Some(imag) = text.strip_suffix('i')
            && let Ok(f) = parse_float(imag)
        {
            n.is_complex = true;
            n.complex = (0.0, f);
            n.simplify_complex();
            return Ok(n);
        }
        let u = parse_uint(text);
        if let Ok(u) = u {
            n.is_uint = true;
            n.uint = u;
        }
        if let Ok(i) = parse_int(text) {
            n.is_int = true;
            n.int = i;
            if i == 0 {
                n.is_uint = true;
                n.uint = u.unwrap_or(0);
            }
        }
        if n.is_int {
            n.is_float = true;
            n.float = n.int as f64;
        } else if n.is_uint {
            n.is_float = true;
            n.float = n.uint as f64;
        } else if let Ok(f) = parse_float(text) {
            if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Err(format!("integer overflow: {}", super::value::quote(text)));
            }
            n.is_float = true;
            n.float = f;
            if let Some(i) = float_is_i64(f) {
                n.is_int = true;
                n.int = i;
            }
            if let Some(u) = float_is_u64(f) {
                n.is_uint = true;
                n.uint = u;
            }
        }
        if !n.is_int && !n.is_uint && !n.is_float {
            return Err(format!(
                "illegal number syntax: {}",
                super::value::quote(text)
            ));
        }
        Ok(n)
    }
}

/// `fmt.Sscan` of a `complex128` written `a+bi` (as the lexer emits
/// complex items).
fn parse_complex(text: &str) -> Result<(f64, f64), String> {
    let bad = |part: &str| {
        format!(
            "strconv.ParseFloat: parsing {}: invalid syntax",
            super::value::quote(part)
        )
    };
    let b = text.as_bytes();
    let split = (1..b.len()).rev().find(|&i| {
        matches!(b.get(i), Some(b'+' | b'-'))
            && !matches!(b.get(i - 1), Some(b'e' | b'E' | b'p' | b'P'))
    });
    let Some(split) = split else {
        return Err(bad(text));
    };
    let (re, im) = text.split_at(split);
    let im = im.strip_suffix('i').ok_or_else(|| bad(im))?;
    let re = parse_float(re).map_err(|_| bad(re))?;
    let im = parse_float(im).map_err(|_| bad(im))?;
    Ok((re, im))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_integer_literals() {
        assert_eq!(parse_uint("0x1F"), Ok(31));
        assert_eq!(parse_uint("0o17"), Ok(15));
        assert_eq!(parse_uint("017"), Ok(15));
        assert_eq!(parse_uint("0b101"), Ok(5));
        assert_eq!(parse_uint("1_000"), Ok(1000));
        assert_eq!(parse_uint("1__0"), Err(NumErr::Syntax));
        assert_eq!(parse_uint("08"), Err(NumErr::Syntax));
        assert_eq!(parse_uint("18446744073709551616"), Err(NumErr::Range));
        assert_eq!(parse_int("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_int("+5"), Ok(5));
        assert_eq!(parse_uint("+5"), Err(NumErr::Syntax));
    }

    #[test]
    fn go_float_literals() {
        assert_eq!(parse_float("0x1p4"), Ok(16.0));
        assert_eq!(parse_float("0x1.8p1"), Ok(3.0));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("1e500"), Err(NumErr::Range));
        assert_eq!(parse_float("1e-400"), Ok(0.0));
        assert_eq!(parse_float("0x1"), Err(NumErr::Syntax));
        assert_eq!(parse_float("1_0.5"), Ok(10.5));
    }

    #[test]
    fn go_unquote() {
        assert_eq!(
            unquote(r#""a\x41\u00e9\101""#).ok(),
            Some(b"aA\xc3\xa9A".to_vec())
        );
        assert_eq!(unquote(r#""\xff""#).ok(), Some(vec![0xff]));
        assert_eq!(unquote(r#""\q""#), Err(NumErr::Syntax));
        assert_eq!(unquote(r#""\'""#), Err(NumErr::Syntax));
        assert_eq!(unquote("`a\r\nb`").ok(), Some(b"a\nb".to_vec()));
    }
}
