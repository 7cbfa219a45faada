//! `sprintf` with Go `fmt` semantics over Rego values, as OPA's Go
//! implementation does it, plus `strings.any_prefix_match` and
//! `strings.any_suffix_match`.
//!
//! OPA (v1.20) converts each array element before calling `fmt.Sprintf`:
//! a number whose text is an integer, or an integer followed only by zeros
//! after the point (`1.0`, `-0.0`), becomes an `int64` if it fits, else a
//! plain integer text a `*big.Int`; other numbers written with a `.`
//! become a `float64`; anything left (`1e-7`, `1e21`: exponents without a
//! point, or out of range) stays its text. A string stays a string, and
//! everything else becomes its Rego text (`Value.String()`: `{"a",
//! "owner"}`, `["x", 1]`, `{"k": "v"}`, `true`, `null`). This module
//! re-implements Go's `fmt.Sprintf` over those four argument kinds.

use super::goprintf::{Flags, GoPrintf};
use super::native;
use crate::gofloat;
use crate::gostr;
use crate::{BuiltinError, Registry, Value, args};
use num_bigint::{BigInt, Sign};

/// Go type name OPA's integer arguments have in `%T` and mistakes.
const INT_TYPE: &str = "int64";

/// Register `sprintf`, `strings.any_prefix_match`, `strings.any_suffix_match`.
pub(crate) fn register(r: &mut Registry) {
    native(r, "sprintf", 2, |_, a| {
        let format = args::string("sprintf", a, 0)?;
        let items = args::array("sprintf", a, 1)?;
        Ok(Some(Value::string(sprintf(format, items))))
    });
    native(r, "strings.any_prefix_match", 2, |_, a| {
        any_match("strings.any_prefix_match", a, |s, p| s.starts_with(p))
    });
    native(r, "strings.any_suffix_match", 2, |_, a| {
        any_match("strings.any_suffix_match", a, |s, p| s.ends_with(p))
    });
}

/// Strings of a `string | array[string] | set[string]` operand.
fn strings_operand<'a>(
    name: &str,
    a: &'a [Value],
    pos: usize,
) -> Result<Vec<&'a str>, BuiltinError> {
    let v = args::any(name, a, pos)?;
    let items: Vec<&Value> = match v {
        Value::String(s) => return Ok(vec![s]),
        Value::Array(x) => x.iter().collect(),
        Value::Set(x) => x.iter().collect(),
        other => {
            return Err(BuiltinError::Type {
                name: name.to_string(),
                pos: pos + 1,
                expected: "one of {string, set, array}".to_string(),
                got: other.type_name().to_string(),
            });
        }
    };
    items
        .into_iter()
        .map(|x| {
            x.as_str().ok_or_else(|| BuiltinError::Type {
                name: name.to_string(),
                pos: pos + 1,
                expected: format!("{} of strings", v.type_name()),
                got: format!("{} containing {}", v.type_name(), x.type_name()),
            })
        })
        .collect()
}

fn any_match(
    name: &str,
    a: &[Value],
    m: impl Fn(&str, &str) -> bool,
) -> Result<Option<Value>, BuiltinError> {
    let search = strings_operand(name, a, 0)?;
    let base = strings_operand(name, a, 1)?;
    let hit = search.iter().any(|s| base.iter().any(|p| m(s, p)));
    Ok(Some(Value::Bool(hit)))
}

/// A `fmt` operand as OPA passes it.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Big(BigInt),
    Float(f64),
    Str(String),
}

impl Arg {
    fn from_value(v: &Value) -> Arg {
        match v {
            Value::Number(n) => {
                let text = n.to_string();
                if let Some(i) = atoi64(&text) {
                    Arg::Int(i)
                } else if !text.contains(['.', 'e', 'E']) {
                    match n.to_bigint() {
                        Some(b) => Arg::Big(b),
                        None => Arg::Str(text),
                    }
                } else if text.contains('.') {
                    match n.to_f64().filter(|f| f.is_finite()) {
                        Some(f) => Arg::Float(f),
                        None => Arg::Str(text),
                    }
                } else {
                    Arg::Str(text)
                }
            }
            Value::String(s) => Arg::Str(s.to_string()),
            other => Arg::Str(other.to_rego()),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Arg::Int(_) => INT_TYPE,
            Arg::Big(_) => "*big.Int",
            Arg::Float(_) => "float64",
            Arg::Str(_) => "string",
        }
    }
}

/// OPA's integer reading of a number's text: an optional `-`, digits, and
/// optionally a point followed only by zeros; `None` when it does not fit
/// an `i64`.
fn atoi64(text: &str) -> Option<i64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if !frac.bytes().all(|c| c == b'0') {
        return None;
    }
    let digits = int.strip_prefix('-').unwrap_or(int);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    int.parse().ok()
}

/// `sprintf(format, values)` exactly as OPA computes it.
pub fn sprintf(format: &str, values: &[Value]) -> String {
    let a: Vec<Arg> = values.iter().map(Arg::from_value).collect();
    let mut p = Printer::default();
    super::goprintf::printf(&mut p, format.as_bytes(), &a);
    p.buf
}

/// Go's `fmt` printer state over OPA's `sprintf` operands; its number
/// formatting is reused by the template printer.
#[derive(Default)]
pub(crate) struct Printer {
    pub(crate) buf: String,
    pub(crate) f: Flags,
}

impl Printer {
    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero { '0' } else { ' ' };
        for _ in 0..n {
            self.buf.push(c);
        }
    }

    /// Pad to the width, counting runes.
    fn pad(&mut self, s: &str) {
        let Some(wid) = self.f.wid.filter(|&w| w > 0) else {
            self.buf.push_str(s);
            return;
        };
        let n = wid.saturating_sub(s.chars().count());
        if self.f.minus {
            self.buf.push_str(s);
            self.write_padding(n);
        } else {
            self.write_padding(n);
            self.buf.push_str(s);
        }
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        match self.f.prec {
            Some(p) => match s.char_indices().nth(p) {
                Some((i, _)) => s.get(..i).unwrap_or(s),
                None => s,
            },
            None => s,
        }
    }

    fn fmt_s(&mut self, s: &str) {
        let s = self.truncate(s);
        self.pad(s);
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s);
        if self.f.sharp && gostr::can_backquote(s) {
            let q = format!("`{s}`");
            self.pad(&q);
        } else {
            let q = gostr::quote(s, self.f.plus);
            self.pad(&q);
        }
    }

    pub(crate) fn fmt_sx(&mut self, s: &[u8], upper: bool) {
        let digits: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let x = if upper { 'X' } else { 'x' };
        let mut length = s.len();
        if let Some(p) = self.f.prec {
            length = length.min(p);
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if let Some(w) = self.f.wid {
                self.write_padding(w);
            }
            return;
        }
        let wid = self.f.wid.unwrap_or(0);
        if wid > width && !self.f.minus {
            self.write_padding(wid - width);
        }
        if self.f.sharp {
            self.buf.push('0');
            self.buf.push(x);
        }
        for (i, c) in s.iter().take(length).enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(' ');
                if self.f.sharp {
                    self.buf.push('0');
                    self.buf.push(x);
                }
            }
            for d in [c >> 4, c & 0xf] {
                self.buf.push(char::from(
                    digits.get(usize::from(d)).copied().unwrap_or(b'0'),
                ));
            }
        }
        if wid > width && self.f.minus {
            self.write_padding(wid - width);
        }
    }

    fn fmt_string(&mut self, s: &str, verb: char, arg: &Arg) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sx(s.as_bytes(), false),
            'X' => self.fmt_sx(s.as_bytes(), true),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, arg),
        }
    }

    /// Go's `fmt.fmtInteger`.
    pub(crate) fn fmt_integer(&mut self, u: u64, base: u32, signed: bool, verb: char, upper: bool) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
        let mut prec = 0usize;
        if let Some(p) = self.f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let old = self.f.zero;
                self.f.zero = false;
                let w = self.f.wid.unwrap_or(0);
                self.write_padding(w);
                self.f.zero = old;
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid.is_some() {
            prec = self.f.wid.unwrap_or(0);
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        // Digits, least significant first.
        let mut rev: Vec<u8> = Vec::new();
        let digits: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        loop {
            let d = usize::try_from(u % u64::from(base)).unwrap_or(0);
            rev.push(digits.get(d).copied().unwrap_or(b'0'));
            u /= u64::from(base);
            if u == 0 {
                break;
            }
        }
        while rev.len() < prec {
            rev.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 if rev.last() != Some(&b'0') => {
                    rev.push(b'0');
                }
                16 => {
                    rev.push(if upper { b'X' } else { b'x' });
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if self.f.plus {
            rev.push(b'+');
        } else if self.f.space {
            rev.push(b' ');
        }
        rev.reverse();
        let s = String::from_utf8_lossy(&rev).into_owned();
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    pub(crate) fn rune_of(u: u64) -> char {
        u32::try_from(u)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}')
    }

    pub(crate) fn fmt_unicode(&mut self, u: u64) {
        let mut prec = 4;
        if let Some(p) = self.f.prec
            && p > 4
        {
            prec = p;
        }
        // Zero-pad by hand: Go allows precisions up to 10^6, past what
        // `format!` accepts.
        let hex = format!("{u:X}");
        let mut s = String::with_capacity(2 + prec.max(hex.len()));
        s.push_str("U+");
        s.extend(std::iter::repeat_n('0', prec.saturating_sub(hex.len())));
        s.push_str(&hex);
        if self.f.sharp
            && let Some(c) = u32::try_from(u).ok().and_then(char::from_u32)
            && gostr::is_print(c)
        {
            s.push_str(" '");
            s.push(c);
            s.push('\'');
        }
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    fn fmt_int_arg(&mut self, i: i64, verb: char, arg: &Arg) {
        let u = i as u64;
        match verb {
            'v' | 'd' => self.fmt_integer(u, 10, true, verb, false),
            'b' => self.fmt_integer(u, 2, true, verb, false),
            'o' | 'O' => self.fmt_integer(u, 8, true, verb, false),
            'x' => self.fmt_integer(u, 16, true, verb, false),
            'X' => self.fmt_integer(u, 16, true, verb, true),
            'c' => {
                let s = Printer::rune_of(u).to_string();
                self.pad(&s);
            }
            'q' => {
                let s = gostr::quote_rune(Printer::rune_of(u), self.f.plus);
                self.pad(&s);
            }
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(verb, arg),
        }
    }

    /// `(*big.Int).Format`.
    fn fmt_big(&mut self, x: &BigInt, verb: char) {
        let base = match verb {
            'b' => 2,
            'o' | 'O' => 8,
            'd' | 's' | 'v' => 10,
            'x' | 'X' => 16,
            _ => {
                self.buf.push_str(&format!("%!{verb}(big.Int={x})"));
                return;
            }
        };
        // `fmt.State.Flag` reports `+` and `#` also for `%+v` / `%#v`.
        let sharp = self.f.sharp || self.f.sharp_v;
        let sign = if x.sign() == Sign::Minus {
            "-"
        } else if self.f.plus || self.f.plus_v {
            "+"
        } else if self.f.space {
            " "
        } else {
            ""
        };
        let mut prefix = "";
        if sharp {
            prefix = match verb {
                'b' => "0b",
                'o' => "0",
                'x' => "0x",
                'X' => "0X",
                _ => "",
            };
        }
        if verb == 'O' {
            prefix = "0o";
        }
        let mut digits = x.magnitude().to_str_radix(base);
        if verb == 'X' {
            digits = digits.to_uppercase();
        }
        let (mut left, mut zeros, mut right) = (0usize, 0usize, 0usize);
        if let Some(p) = self.f.prec {
            if digits.len() < p {
                zeros = p - digits.len();
            } else if digits == "0" && p == 0 {
                return;
            }
        }
        let length = sign.len() + prefix.len() + zeros + digits.len();
        if let Some(w) = self.f.wid
            && length < w
        {
            let d = w - length;
            if self.f.minus {
                right = d;
            } else if self.f.zero && self.f.prec.is_none() {
                zeros = d;
            } else {
                left = d;
            }
        }
        self.buf.push_str(&" ".repeat(left));
        self.buf.push_str(sign);
        self.buf.push_str(prefix);
        self.buf.push_str(&"0".repeat(zeros));
        self.buf.push_str(&digits);
        self.buf.push_str(&" ".repeat(right));
    }

    /// Go's `fmt.fmtFloat` after `strconv.AppendFloat`.
    pub(crate) fn fmt_float_with(&mut self, v: f64, verb: char, default_prec: Option<usize>) {
        let prec = self.f.prec.or(default_prec);
        let conv = if verb == 'F' { 'f' } else { verb };
        let body = if conv == 'x' || conv == 'X' {
            hex_float(v, prec, conv == 'X')
        } else {
            gofloat::format(v, conv, prec)
        };
        let mut num: Vec<u8> = Vec::with_capacity(body.len() + 1);
        if body.starts_with('-') || body.starts_with('+') {
            num.extend_from_slice(body.as_bytes());
        } else {
            num.push(b'+');
            num.extend_from_slice(body.as_bytes());
        }
        if self.f.space
            && num.first() == Some(&b'+')
            && !self.f.plus
            && let Some(c) = num.first_mut()
        {
            *c = b' ';
        }
        if self.f.sharp && verb != 'b' {
            let mut digits: i64 = 0;
            if matches!(verb, 'v' | 'g' | 'G' | 'x') {
                digits = prec.map_or(6, |p| i64::try_from(p).unwrap_or(i64::MAX));
            }
            let mut tail: Vec<u8> = Vec::new();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                let c = num.get(i).copied().unwrap_or(b'0');
                match c {
                    b'.' => has_point = true,
                    b'p' | b'P' => {
                        tail.extend_from_slice(num.get(i..).unwrap_or(&[]));
                        num.truncate(i);
                    }
                    b'e' | b'E' if verb != 'x' && verb != 'X' => {
                        tail.extend_from_slice(num.get(i..).unwrap_or(&[]));
                        num.truncate(i);
                    }
                    _ => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_point {
                if num.len() == 2 && num.get(1) == Some(&b'0') {
                    digits -= 1;
                }
                num.push(b'.');
            }
            while digits > 0 {
                num.push(b'0');
                digits -= 1;
            }
            num.extend_from_slice(&tail);
        }
        let s = String::from_utf8_lossy(&num).into_owned();
        let (sign, rest) = s.split_at(1);
        if self.f.plus || sign != "+" {
            let wid = self.f.wid.unwrap_or(0);
            if self.f.zero && !self.f.minus && self.f.wid.is_some() && wid > s.len() {
                self.buf.push_str(sign);
                self.write_padding(wid - s.len());
                self.buf.push_str(rest);
                return;
            }
            self.pad(&s);
            return;
        }
        self.pad(rest);
    }

    fn fmt_float(&mut self, v: f64, verb: char, arg: &Arg) {
        match verb {
            'v' => self.fmt_float_with(v, 'g', None),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float_with(v, verb, None),
            'f' | 'e' | 'E' | 'F' => self.fmt_float_with(v, verb, Some(6)),
            _ => self.bad_verb(verb, arg),
        }
    }

    fn bad_verb(&mut self, verb: char, arg: &Arg) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        self.buf.push_str(arg.type_name());
        self.buf.push('=');
        self.print_arg(arg, 'v');
        self.buf.push(')');
    }

    fn print_arg(&mut self, arg: &Arg, verb: char) {
        match verb {
            'T' => {
                self.fmt_s(arg.type_name());
                return;
            }
            'p' => {
                self.bad_verb(verb, arg);
                return;
            }
            _ => {}
        }
        match arg {
            Arg::Float(f) => self.fmt_float(*f, verb, arg),
            Arg::Int(i) => self.fmt_int_arg(*i, verb, arg),
            Arg::Str(s) => self.fmt_string(s, verb, arg),
            Arg::Big(b) => self.fmt_big(b, verb),
        }
    }
}

impl GoPrintf for Printer {
    type Arg = Arg;

    fn flags(&mut self) -> &mut Flags {
        &mut self.f
    }

    fn put(&mut self, s: &[u8]) {
        self.buf.push_str(&String::from_utf8_lossy(s));
    }

    fn int_arg(arg: &Arg) -> Option<i64> {
        match arg {
            Arg::Int(i) => Some(*i),
            _ => None,
        }
    }

    fn print(&mut self, arg: &Arg, verb: char) {
        self.print_arg(arg, verb);
    }

    fn extra(&mut self, arg: &Arg) {
        self.buf.push_str(arg.type_name());
        self.buf.push('=');
        self.print_arg(arg, 'v');
    }
}

/// Go's `%x` for floats: `[-]0x1.hhhhp±dd`, shortest or rounded to `prec`
/// hex digits.
fn hex_float(v: f64, prec: Option<usize>, upper: bool) -> String {
    let bits = v.to_bits();
    let neg = bits >> 63 != 0;
    let mut exp = i64::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 && mant == 0 {
        exp = 0;
    } else if exp == 0 {
        // Subnormal: normalise.
        exp = -1022;
        while mant & (1u64 << 52) == 0 {
            mant <<= 1;
            exp -= 1;
        }
        mant &= (1u64 << 52) - 1;
    } else {
        exp -= 1023;
    }
    let zero = v == 0.0;
    // 52 fraction bits = 13 hex digits.
    let mut lead: u64 = if zero { 0 } else { 1 };
    let mut frac = mant;
    let mut ndig = 13usize;
    if let Some(p) = prec
        && p < 13
    {
        let shift = 4 * (13 - p) as u32;
        let keep = frac >> shift;
        let rem = frac & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        let mut k = keep;
        // The lowest kept bit is the leading digit when no hex digits stay.
        let odd = if p == 0 { lead & 1 == 1 } else { keep & 1 == 1 };
        if rem > half || (rem == half && odd) {
            k += 1;
        }
        if k >> (4 * p as u32) != 0 {
            // Carry into the leading digit.
            k = 0;
            lead += 1;
            if lead == 2 {
                lead = 1;
                exp += 1;
            }
        }
        frac = k;
        ndig = p;
    }
    let mut digits = if ndig == 0 {
        String::new()
    } else {
        format!("{frac:0ndig$x}")
    };
    match prec {
        None => {
            while digits.ends_with('0') {
                digits.pop();
            }
        }
        Some(p) => {
            while digits.len() < p {
                digits.push('0');
            }
        }
    }
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str("0x");
    out.push_str(&lead.to_string());
    if !digits.is_empty() {
        out.push('.');
        out.push_str(&digits);
    }
    out.push('p');
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
    if upper { out.to_uppercase() } else { out }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::sprintf;
    use crate::Value;

    fn v(text: &str) -> Vec<Value> {
        Value::parse_text(text)
            .unwrap()
            .as_array()
            .unwrap()
            .to_vec()
    }

    #[test]
    fn go_fmt_cases() {
        let cases: &[(&str, &str, &str)] = &[
            ("%s", r#"["x"]"#, "x"),
            ("%v", r#"[{"owner","a"}]"#, r#"{"a", "owner"}"#),
            ("%v", r#"[["x",1]]"#, r#"["x", 1]"#),
            ("%v", r#"[{"k":"v"}]"#, r#"{"k": "v"}"#),
            ("%d", "[42]", "42"),
            ("%d", r#"["x"]"#, "%!d(string=x)"),
            ("%d", "[1.5]", "%!d(float64=1.5)"),
            ("%v", "[1.0]", "1"),
            ("%T %T %T", "[1.0, -0.0, 1.50]", "int64 int64 float64"),
            ("%v %T", "[1e-7, 1e2]", "1e-7 string"),
            ("%v %T", "[2.5e-3, 1.5e3]", "0.0025 float64"),
            ("%.70000U", "[65]", &format!("U+{}41", "0".repeat(69_998))),
            ("%v", "[1e400]", "1e400"),
            (
                "%d",
                "[1208925819614629174706175]",
                "1208925819614629174706175",
            ),
            ("%x", "[1208925819614629174706175]", "ffffffffffffffffffff"),
            (
                "%q",
                "[12345678901234567890123]",
                "%!q(big.Int=12345678901234567890123)",
            ),
            (
                "%T %T %T %T",
                r#"[1, 1.5, "s", 12345678901234567890123]"#,
                "int64 float64 string *big.Int",
            ),
            (
                "%5.2f|%-8.3e|%g",
                "[3.14159, 1234.5, 0.00001]",
                " 3.14|1.234e+03|1e-05",
            ),
            (
                "%05d|%-5d|%+d|% d",
                "[42, 42, 42, 42]",
                "00042|42   |+42| 42",
            ),
            (
                "%x|%X|%o|%b|%#x|%#o",
                "[255, 255, 8, 5, 255, 8]",
                "ff|FF|10|101|0xff|010",
            ),
            (
                "%c|%U|%#U|%q",
                "[65, 65, 9731, 65]",
                "A|U+0041|U+2603 '☃'|'A'",
            ),
            ("%t", "[true]", "%!t(string=true)"),
            ("%v %v", "[true, null]", "true null"),
            ("%d %d", "[1]", "1 %!d(MISSING)"),
            ("%d", "[1, 2]", "1%!(EXTRA int64=2)"),
            ("%z", "[1]", "%!z(int64=1)"),
            ("%[2]d %[1]d", "[1, 2]", "2 1"),
            ("%[3]d", "[1, 2]", "%!d(BADINDEX)"),
            (
                "%*d|%-*d|%.*f",
                "[5, 42, 4, 7, 2, 3.14159]",
                "   42|7   |3.14",
            ),
            ("100%%", "[]", "100%"),
            ("%", "[]", "%!(NOVERB)"),
            ("%q", r#"["a\"b"]"#, r#""a\"b""#),
            ("%#q", r#"["ab"]"#, "`ab`"),
            (
                "%x|% x|%#x|% #X",
                r#"["hi", "hi", "hi", "hi"]"#,
                "6869|68 69|0x6869|0X68 0X69",
            ),
            (
                "%.2s|%5s|%-5s|",
                r#"["héllo", "é", "é"]"#,
                "hé|    é|é    |",
            ),
            (
                "%e|%E|%G",
                "[1.5, 1.5, 1.5e-10]",
                "1.500000e+00|1.500000E+00|1.5E-10",
            ),
            ("%6.2f%%", "[99.5]", " 99.50%"),
            ("%v", "[set()]", "set()"),
            ("%s", "[[1.0, \"a\"]]", "[1.0, \"a\"]"),
            ("%x", "[1.5]", "0x1.8p+00"),
            ("%x", "[3.0]", "3"),
            (
                "%08.3f|%+.2e",
                "[-3.14159, 12345.678]",
                "-003.142|+1.23e+04",
            ),
            ("%#g|%#.3g", "[1.5, 2.25]", "1.50000|2.25"),
            ("%!", "[]", "%!!(MISSING)"),
            ("abc%", "[]", "abc%!(NOVERB)"),
        ];
        for (format, args, want) in cases {
            let got = sprintf(format, &v(args));
            assert_eq!(&got, want, "sprintf({format:?}, {args})");
        }
    }
}
