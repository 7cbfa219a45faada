//! Go's `strconv.FormatFloat` for `float64` in the `e`, `f`, `g` and `b`
//! formats, which OPA uses to print floats (and `sprintf` through `fmt`).
//!
//! Decimal digits come from Rust's exact float formatting (shortest
//! round-trip digits, or correctly rounded to a precision); the layout
//! rules are Go's.

/// Decimal digits of a float: value = 0.d1d2d3... × 10^dp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Digits {
    /// Sign (also for -0).
    pub neg: bool,
    /// ASCII digits, no trailing zeros; empty for zero.
    pub d: Vec<u8>,
    /// Position of the decimal point.
    pub dp: i64,
}

fn from_sci(neg: bool, s: &str) -> Digits {
    // `s` is Rust's `{:e}` output for a non-negative number, e.g. `1.25e-7`.
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while d.last() == Some(&b'0') {
        d.pop();
    }
    if d.is_empty() {
        return Digits { neg, d, dp: 0 };
    }
    Digits {
        neg,
        d,
        dp: exp + 1,
    }
}

/// More digits than any f64 has in its exact decimal expansion (at most 767
/// significant digits, and at most 1074 places after the point).
const EXACT_DIGITS: usize = 1100;

/// Shortest digits that round-trip.
pub(crate) fn shortest(f: f64) -> Digits {
    from_sci(f.is_sign_negative(), &format!("{:e}", f.abs()))
}

/// Digits correctly rounded to `n` significant digits (`n >= 1`).
pub(crate) fn significant(f: f64, n: usize) -> Digits {
    // An f64's exact decimal expansion has fewer than `EXACT_DIGITS`
    // significant digits, so asking for more only adds zeros (which `Digits`
    // leaves implicit); the clamp also keeps the precision inside what
    // `format!` accepts.
    let n = n.clamp(1, EXACT_DIGITS);
    from_sci(
        f.is_sign_negative(),
        &format!("{:.*e}", n.saturating_sub(1), f.abs()),
    )
}

/// Digits correctly rounded to `prec` places after the decimal point.
pub(crate) fn fixed(f: f64, prec: usize) -> Digits {
    // Past `EXACT_DIGITS` places every f64 has only zeros (see `significant`).
    let s = format!("{:.*}", prec.min(EXACT_DIGITS), f.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut all: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let mut dp = i64::try_from(int.len()).unwrap_or(i64::MAX);
    // Strip leading zeros.
    let lead = all.iter().take_while(|&&c| c == b'0').count();
    all.drain(..lead);
    dp -= i64::try_from(lead).unwrap_or(0);
    while all.last() == Some(&b'0') {
        all.pop();
    }
    if all.is_empty() {
        dp = 0;
    }
    Digits {
        neg: f.is_sign_negative(),
        d: all,
        dp,
    }
}

fn digit_at(d: &Digits, i: i64) -> u8 {
    usize::try_from(i)
        .ok()
        .and_then(|i| d.d.get(i).copied())
        .unwrap_or(b'0')
}

/// Go's `%e` layout with `prec` digits after the point.
pub(crate) fn fmt_e(d: &Digits, prec: usize, upper: bool, out: &mut String) {
    if d.neg {
        out.push('-');
    }
    out.push(char::from(digit_at(d, 0)));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(char::from(digit_at(
                d,
                i64::try_from(i).unwrap_or(i64::MAX),
            )));
        }
    }
    out.push(if upper { 'E' } else { 'e' });
    let exp = if d.d.is_empty() { 0 } else { d.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

/// Go's `%f` layout with `prec` digits after the point.
pub(crate) fn fmt_f(d: &Digits, prec: usize, out: &mut String) {
    if d.neg {
        out.push('-');
    }
    if d.dp > 0 {
        for i in 0..d.dp {
            out.push(char::from(digit_at(d, i)));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = d.dp + i64::try_from(i).unwrap_or(i64::MAX) - 1;
            out.push(char::from(digit_at(d, j)));
        }
    }
}

/// `strconv.FormatFloat(f, fmt, prec, 64)` for `fmt` in `e E f F g G b`;
/// `prec` `None` means shortest (-1).
pub(crate) fn format(f: f64, fmt: char, prec: Option<usize>) -> String {
    format_sized(f, fmt, prec, false)
}

/// `strconv.FormatFloat(float64(f), fmt, prec, 32)`: as [`format`], with
/// the shortest digits (and `b`'s mantissa) of the `float32`.
pub(crate) fn format32(f: f32, fmt: char, prec: Option<usize>) -> String {
    format_sized(f64::from(f), fmt, prec, true)
}

/// [`format`] for a value held as `f64` that is a `float32` when `is32`
/// (exact: every `f32` is an `f64`).
fn format_sized(f: f64, fmt: char, prec: Option<usize>, is32: bool) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let shortest = |f: f64| {
        if is32 {
            from_sci(f.is_sign_negative(), &format!("{:e}", (f as f32).abs()))
        } else {
            shortest(f)
        }
    };
    let mut out = String::new();
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    match fmt {
        'b' => {
            // Sign, mantissa and binary exponent of the value at its size.
            #[allow(clippy::cast_possible_truncation)]
            let (neg, exp, mut mant, mbits, bias) = if is32 {
                let bits = (f as f32).to_bits();
                (
                    bits >> 31 != 0,
                    i64::from((bits >> 23) & 0xff),
                    u64::from(bits & ((1 << 23) - 1)),
                    23,
                    150,
                )
            } else {
                let bits = f.to_bits();
                (
                    bits >> 63 != 0,
                    i64::try_from((bits >> 52) & 0x7ff).unwrap_or(0),
                    bits & ((1u64 << 52) - 1),
                    52,
                    1075,
                )
            };
            let e = if exp == 0 {
                1 - bias
            } else {
                mant |= 1u64 << mbits;
                exp - bias
            };
            if neg {
                out.push('-');
            }
            out.push_str(&mant.to_string());
            out.push('p');
            if e >= 0 {
                out.push('+');
            }
            out.push_str(&e.to_string());
            out
        }
        'e' | 'E' => {
            let (d, p) = match prec {
                None => {
                    let d = shortest(f);
                    let p = d.d.len().saturating_sub(1);
                    (d, p)
                }
                Some(p) => (significant(f, p.saturating_add(1)), p),
            };
            fmt_e(&d, p, fmt == 'E', &mut out);
            out
        }
        'f' | 'F' => {
            let (d, p) = match prec {
                None => {
                    let d = shortest(f);
                    let nd = i64::try_from(d.d.len()).unwrap_or(0);
                    let p = usize::try_from((nd - d.dp).max(0)).unwrap_or(0);
                    (d, p)
                }
                Some(p) => (fixed(f, p), p),
            };
            fmt_f(&d, p, &mut out);
            out
        }
        _ => {
            // 'g' / 'G'
            let upper = fmt == 'G';
            let (d, mut p, shortest_mode) = match prec {
                None => {
                    let d = shortest(f);
                    let n = d.d.len();
                    (d, n, true)
                }
                Some(p) => {
                    let p = p.max(1);
                    (significant(f, p), p, false)
                }
            };
            let nd = d.d.len();
            let nd_i = i64::try_from(nd).unwrap_or(i64::MAX);
            let mut eprec = i64::try_from(p).unwrap_or(i64::MAX);
            if eprec > nd_i && nd_i >= d.dp {
                eprec = nd_i;
            }
            if shortest_mode {
                eprec = 6;
            }
            let exp = d.dp - 1;
            if exp < -4 || exp >= eprec {
                if p > nd {
                    p = nd;
                }
                fmt_e(&d, p.saturating_sub(1), upper, &mut out);
                return out;
            }
            if i64::try_from(p).unwrap_or(i64::MAX) > d.dp {
                p = nd;
            }
            let fp = (i64::try_from(p).unwrap_or(0) - d.dp).max(0);
            fmt_f(&d, usize::try_from(fp).unwrap_or(0), &mut out);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{format, format32};

    /// `strconv.FormatFloat(x, fmt, -1, 32)` as Go prints it.
    #[test]
    fn float32_layouts() {
        assert_eq!(format32(0.1, 'g', None), "0.1");
        assert_eq!(format32(16_777_216.0, 'g', None), "1.6777216e+07");
        assert_eq!(format32(1e-5, 'g', None), "1e-05");
        assert_eq!(format32(-0.0, 'g', None), "-0");
        assert_eq!(format32(f32::INFINITY, 'g', None), "+Inf");
        assert_eq!(format32(1.0, 'b', None), "8388608p-23");
        assert_eq!(format(1.0, 'b', None), "4503599627370496p-52");
        assert_eq!(format32(f32::from_bits(1), 'b', None), "1p-149");
        assert_eq!(format(f64::from_bits(1), 'b', None), "1p-1074");
    }

    #[test]
    fn go_layouts() {
        assert_eq!(format(1.0, 'g', None), "1");
        assert_eq!(format(1e6, 'g', None), "1e+06");
        assert_eq!(format(100000.0, 'g', None), "100000");
        assert_eq!(format(123456789.0, 'g', None), "1.23456789e+08");
        assert_eq!(format(0.0001, 'g', None), "0.0001");
        assert_eq!(format(0.00001, 'g', None), "1e-05");
        assert_eq!(format(-0.0, 'g', None), "-0");
        assert_eq!(format(0.1, 'g', None), "0.1");
        assert_eq!(format(1.5, 'e', Some(6)), "1.500000e+00");
        assert_eq!(format(1e300, 'e', Some(2)), "1.00e+300");
        assert_eq!(format(1.23456, 'f', Some(2)), "1.23");
        assert_eq!(format(0.0, 'f', Some(3)), "0.000");
        assert_eq!(format(2.5, 'f', Some(0)), "2");
        assert_eq!(format(1234.5678, 'g', Some(3)), "1.23e+03");
        assert_eq!(format(0.0, 'g', Some(3)), "0");
        assert_eq!(format(100.0, 'g', Some(3)), "100");
        assert_eq!(format(1.0, 'b', None), "4503599627370496p-52");
        assert_eq!(format(1e21, 'f', None), "1000000000000000000000");
    }

    #[test]
    fn huge_precisions_pad_with_zeros_instead_of_panicking() {
        let e = format(1.5, 'e', Some(100_000));
        assert_eq!(e.len(), "1.".len() + 100_000 + "e+00".len());
        assert!(e.starts_with("1.5000") && e.ends_with("0e+00"));
        let f = format(0.1, 'f', Some(70_000));
        assert!(f.starts_with("0.1000000000000000055511151231257827"));
        assert_eq!(f.len(), 2 + 70_000);
        let g = format(2.0, 'g', Some(70_000));
        assert_eq!(g, "2");
    }
}
