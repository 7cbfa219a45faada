//! Go's `fmt` (`Sprint`, `Sprintln`, `Sprintf`) over template values.
//!
//! Unlike OPA's `sprintf` (whose operands are `int`, `*big.Int`,
//! `float64` and `string`), templates print the decoded `vars` as Go
//! values: maps as `map[k:v]`, slices as `[a b]`, `json.Number` through
//! its `String` method (so `%d` of a number is `%!d(json.Number=1)`),
//! nil as `<nil>`. Strings are bytes. Numbers are formatted by the shared
//! `sprintf` printer.

use super::value::{Conc, Elem, can_backquote, decode_rune, quote_bytes, rune_count};
use crate::native::goprintf::{self, Flags, GoPrintf};
use crate::native::sprintf::Printer;

/// A value being printed: a concrete value or an `interface {}` slot.
#[derive(Clone, Copy)]
enum Pv<'a> {
    C(&'a Conc),
    Iface(&'a Elem),
}

#[derive(Default)]
struct Pp {
    buf: Vec<u8>,
    f: Flags,
    erroring: bool,
}

/// `fmt.Sprint(args...)`.
pub(super) fn sprint(args: &[Elem]) -> Vec<u8> {
    let mut p = Pp::default();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Some(Conc::Str(_) | Conc::Num(_)));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(b' ');
        }
        p.print_arg(a, 'v');
        prev_string = is_string;
    }
    p.buf
}

/// `fmt.Sprintln(args...)`.
pub(super) fn sprintln(args: &[Elem]) -> Vec<u8> {
    let mut p = Pp::default();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(b' ');
        }
        p.print_arg(a, 'v');
    }
    p.buf.push(b'\n');
    p.buf
}

/// `fmt.Sprintf(format, args...)`.
pub(super) fn sprintf(format: &[u8], args: &[Elem]) -> Vec<u8> {
    let mut p = Pp::default();
    goprintf::printf(&mut p, format, args);
    p.buf
}

/// `fmt.Sprintf("%v", v)` / `"%s"` of one concrete value (error texts).
pub(super) fn format_conc(c: &Conc, verb: char) -> String {
    let mut p = Pp::default();
    p.print_arg(&Some(c.clone()), verb);
    super::value::to_utf8_lossy(&p.buf)
}

impl Pp {
    fn push_str(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// Run one of the shared printer's number formatters with our flags.
    fn with_printer(&mut self, f: impl FnOnce(&mut Printer)) {
        let mut p = Printer {
            f: self.f,
            ..Default::default()
        };
        f(&mut p);
        self.buf.extend_from_slice(p.buf.as_bytes());
    }

    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero { b'0' } else { b' ' };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    /// Go's `fmt.pad`: pad to the width counting runes.
    fn pad(&mut self, s: &[u8]) {
        let Some(wid) = self.f.wid.filter(|&w| w > 0) else {
            self.buf.extend_from_slice(s);
            return;
        };
        let n = wid.saturating_sub(rune_count(s));
        if self.f.minus {
            self.buf.extend_from_slice(s);
            self.write_padding(n);
        } else {
            self.write_padding(n);
            self.buf.extend_from_slice(s);
        }
    }

    /// Go's `truncateString`: at most `prec` runes.
    fn truncate<'s>(&self, s: &'s [u8]) -> &'s [u8] {
        let Some(mut n) = self.f.prec else {
            return s;
        };
        let mut i = 0;
        while i < s.len() {
            if n == 0 {
                return s.get(..i).unwrap_or(s);
            }
            n -= 1;
            i += decode_rune(s.get(i..).unwrap_or_default()).1.max(1);
        }
        s
    }

    fn fmt_q(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        if self.f.sharp && can_backquote(s) {
            let mut q = Vec::with_capacity(s.len() + 2);
            q.push(b'`');
            q.extend_from_slice(s);
            q.push(b'`');
            self.pad(&q);
        } else {
            let q = quote_bytes(s, self.f.plus);
            self.pad(q.as_bytes());
        }
    }

    fn fmt_string(&mut self, s: &[u8], verb: char, arg: Pv<'_>) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => {
                let t = self.truncate(s);
                self.pad(t);
            }
            'x' | 'X' => self.with_printer(|p| p.fmt_sx(s, verb == 'X')),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, Some(arg)),
        }
    }

    fn fmt_bool(&mut self, b: bool, verb: char, arg: Pv<'_>) {
        match verb {
            't' | 'v' => self.pad(if b { b"true" } else { b"false" }),
            _ => self.bad_verb(verb, Some(arg)),
        }
    }

    fn fmt_integer(&mut self, u: u64, signed: bool, verb: char, arg: Pv<'_>) {
        let (base, upper) = match verb {
            'v' if self.f.sharp_v && !signed => {
                let mut f = self.f;
                f.sharp = true;
                let mut p = Printer {
                    f,
                    ..Default::default()
                };
                p.fmt_integer(u, 16, false, 'v', false);
                self.buf.extend_from_slice(p.buf.as_bytes());
                return;
            }
            'v' | 'd' => (10, false),
            'b' => (2, false),
            'o' | 'O' => (8, false),
            'x' => (16, false),
            'X' => (16, true),
            'c' => {
                let s = Printer::rune_of(u).to_string();
                self.pad(s.as_bytes());
                return;
            }
            'q' => {
                let s = crate::gostr::quote_rune(Printer::rune_of(u), self.f.plus);
                self.pad(s.as_bytes());
                return;
            }
            'U' => {
                self.with_printer(|p| p.fmt_unicode(u));
                return;
            }
            _ => {
                self.bad_verb(verb, Some(arg));
                return;
            }
        };
        self.with_printer(|p| p.fmt_integer(u, base, signed, verb, upper));
    }

    fn fmt_float(&mut self, v: f64, verb: char, arg: Pv<'_>) {
        let (conv, prec) = match verb {
            'v' => ('g', None),
            'b' | 'g' | 'G' | 'x' | 'X' => (verb, None),
            'f' | 'e' | 'E' | 'F' => (verb, Some(6)),
            _ => {
                self.bad_verb(verb, Some(arg));
                return;
            }
        };
        self.with_printer(|p| p.fmt_float_with(v, conv, prec));
    }

    fn fmt_complex(&mut self, re: f64, im: f64, verb: char, arg: Pv<'_>) {
        if !matches!(
            verb,
            'v' | 'b' | 'g' | 'G' | 'x' | 'X' | 'f' | 'F' | 'e' | 'E'
        ) {
            self.bad_verb(verb, Some(arg));
            return;
        }
        let old_plus = self.f.plus;
        self.buf.push(b'(');
        self.fmt_float(re, verb, arg);
        self.f.plus = true;
        self.fmt_float(im, verb, arg);
        self.push_str("i)");
        self.f.plus = old_plus;
    }

    /// Go's `badVerb`: `%!verb(type=value)`, or `%!verb(<nil>)`.
    fn bad_verb(&mut self, verb: char, arg: Option<Pv<'_>>) {
        self.erroring = true;
        self.push_str("%!");
        self.push_str(verb.encode_utf8(&mut [0; 4]));
        self.buf.push(b'(');
        match arg {
            Some(Pv::C(c)) | Some(Pv::Iface(Some(c))) => {
                self.push_str(c.type_name());
                self.buf.push(b'=');
                self.print_value(Pv::C(c), 'v', 0);
            }
            Some(Pv::Iface(None)) => self.push_str("interface {}=<nil>"),
            None => self.push_str("<nil>"),
        }
        self.buf.push(b')');
        self.erroring = false;
    }

    /// Go's `printArg`.
    fn print_arg(&mut self, arg: &Elem, verb: char) {
        let Some(c) = arg else {
            match verb {
                'T' | 'v' => self.pad(b"<nil>"),
                _ => self.bad_verb(verb, None),
            }
            return;
        };
        match verb {
            'T' => {
                let t = self.truncate(c.type_name().as_bytes()).to_vec();
                self.pad(&t);
                return;
            }
            'p' => {
                // Go prints the address of a map or slice here; there is
                // no address to match, so this is reported as a bad verb.
                self.bad_verb(verb, Some(Pv::C(c)));
                return;
            }
            _ => {}
        }
        let pv = Pv::C(c);
        match c {
            Conc::Bool(b) => self.fmt_bool(*b, verb, pv),
            Conc::Int(i) => self.fmt_integer(*i as u64, true, verb, pv),
            Conc::Uint8(u) => self.fmt_integer(u64::from(*u), false, verb, pv),
            Conc::Float(f) => self.fmt_float(*f, verb, pv),
            Conc::Complex(r, i) => self.fmt_complex(*r, *i, verb, pv),
            Conc::Str(s) => self.fmt_string(s, verb, pv),
            Conc::Num(_) | Conc::Slice(_) | Conc::Map(_) => {
                if !self.handle_methods(c, verb) {
                    self.print_value(pv, verb, 0);
                }
            }
        }
    }

    /// Go's `handleMethods`: only `json.Number` has a method (`String`).
    fn handle_methods(&mut self, c: &Conc, verb: char) -> bool {
        if self.erroring || self.f.sharp_v {
            return false;
        }
        match (c, verb) {
            (Conc::Num(s), 'v' | 's' | 'x' | 'X' | 'q') => {
                self.fmt_string(s, verb, Pv::C(c));
                true
            }
            _ => false,
        }
    }

    /// Go's `printValue`.
    fn print_value(&mut self, v: Pv<'_>, verb: char, depth: usize) {
        if depth > 0
            && let Pv::C(c) | Pv::Iface(Some(c)) = v
            && self.handle_methods(c, verb)
        {
            return;
        }
        let c = match v {
            Pv::Iface(None) => {
                if self.f.sharp_v {
                    self.push_str("interface {}(nil)");
                } else {
                    self.push_str("<nil>");
                }
                return;
            }
            Pv::Iface(Some(c)) => return self.print_value(Pv::C(c), verb, depth + 1),
            Pv::C(c) => c,
        };
        match c {
            Conc::Bool(b) => self.fmt_bool(*b, verb, v),
            Conc::Int(i) => self.fmt_integer(*i as u64, true, verb, v),
            Conc::Uint8(u) => self.fmt_integer(u64::from(*u), false, verb, v),
            Conc::Float(f) => self.fmt_float(*f, verb, v),
            Conc::Complex(r, i) => self.fmt_complex(*r, *i, verb, v),
            Conc::Str(s) | Conc::Num(s) => self.fmt_string(s, verb, v),
            Conc::Map(m) => {
                if self.f.sharp_v {
                    self.push_str("map[string]interface {}{");
                } else {
                    self.push_str("map[");
                }
                for (i, (k, val)) in m.iter().enumerate() {
                    if i > 0 {
                        if self.f.sharp_v {
                            self.push_str(", ");
                        } else {
                            self.buf.push(b' ');
                        }
                    }
                    let key = Conc::Str(k.as_slice().into());
                    self.print_value(Pv::C(&key), verb, depth + 1);
                    self.buf.push(b':');
                    self.print_value(Pv::Iface(val), verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { b'}' } else { b']' });
            }
            Conc::Slice(s) => {
                if self.f.sharp_v {
                    self.push_str("[]interface {}{");
                } else {
                    self.buf.push(b'[');
                }
                for (i, e) in s.items().enumerate() {
                    if i > 0 {
                        if self.f.sharp_v {
                            self.push_str(", ");
                        } else {
                            self.buf.push(b' ');
                        }
                    }
                    self.print_value(Pv::Iface(&e), verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { b'}' } else { b']' });
            }
        }
    }

    /// `printArg`, except that `%w` (only meaningful in `Errorf`) is a
    /// bad verb for every operand.
    fn print_verb_arg(&mut self, a: &Elem, verb: char) {
        if verb == 'w' {
            self.bad_verb('w', a.as_ref().map(Pv::C));
            return;
        }
        self.print_arg(a, verb);
    }
}

impl GoPrintf for Pp {
    type Arg = Elem;

    fn flags(&mut self) -> &mut Flags {
        &mut self.f
    }

    fn put(&mut self, s: &[u8]) {
        self.buf.extend_from_slice(s);
    }

    /// An `int` or `uint8` operand.
    fn int_arg(arg: &Elem) -> Option<i64> {
        match arg {
            Some(Conc::Int(i)) => Some(*i),
            Some(Conc::Uint8(u)) => Some(i64::from(*u)),
            _ => None,
        }
    }

    fn print(&mut self, arg: &Elem, verb: char) {
        self.print_verb_arg(arg, verb);
    }

    fn extra(&mut self, arg: &Elem) {
        match arg {
            None => self.push_str("<nil>"),
            Some(c) => {
                self.push_str(c.type_name());
                self.buf.push(b'=');
                self.print_arg(arg, 'v');
            }
        }
    }

    fn is_v(verb: char) -> bool {
        verb == 'v' || verb == 'w'
    }
}
