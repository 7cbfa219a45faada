//! The Go values a template sees.
//!
//! OPA decodes `vars` with `encoding/json` (numbers as `json.Number`) into
//! a `map[string]interface{}`, so a template meets only these types:
//! `map[string]interface {}`, `[]interface {}`, `string`, `json.Number`,
//! `bool` and nil, plus what template literals and builtin functions make
//! (`int`, `float64`, `complex128`, `uint8` from indexing a string).
//! [`Val`] models a `reflect.Value` of those: whether it is statically an
//! `interface {}` matters for error texts and nil handling, exactly as in
//! Go's executor. Go strings are bytes and may hold invalid UTF-8.

use std::collections::BTreeMap;
use std::rc::Rc;

/// A Go string's bytes.
pub(super) type Bytes = Rc<[u8]>;

/// The value of an `interface {}` slot (a slice element or map value):
/// `None` is a nil interface.
pub(super) type Elem = Option<Conc>;

/// A `map[string]interface {}` (keys in Go's sorted order: bytewise).
pub(super) type GoMap = BTreeMap<Vec<u8>, Elem>;

/// A concrete (non-interface) Go value.
#[derive(Clone, Debug)]
pub(super) enum Conc {
    Bool(bool),
    /// `int`
    Int(i64),
    /// `uint8` (a byte of a string)
    Uint8(u8),
    /// `float64`
    Float(f64),
    /// `complex128` (real, imaginary)
    Complex(f64, f64),
    /// `string`
    Str(Bytes),
    /// `json.Number`: a string type holding the number's literal text.
    Num(Bytes),
    /// `[]interface {}`
    Slice(Slice),
    /// `map[string]interface {}`
    Map(Rc<GoMap>),
}

/// A `[]interface {}` value: a window on shared backing storage, with a
/// capacity as `encoding/json` and `slice` leave it.
#[derive(Clone, Debug)]
pub(super) struct Slice {
    backing: Rc<Vec<Elem>>,
    start: usize,
    len: usize,
    cap: usize,
}

impl Slice {
    /// A slice as `encoding/json` builds one by appending `items` to an
    /// empty slice: the capacity follows Go's `append` growth.
    pub(super) fn decoded(items: Vec<Elem>) -> Slice {
        let len = items.len();
        let cap = append_capacity(len);
        let mut backing = items;
        backing.resize(cap, None);
        Slice {
            backing: Rc::new(backing),
            start: 0,
            len,
            cap,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn cap(&self) -> usize {
        self.cap
    }

    /// Element `i` (`i < cap`; elements past `len` are nil).
    pub(super) fn get(&self, i: usize) -> Elem {
        self.backing
            .get(self.start.saturating_add(i))
            .cloned()
            .flatten()
    }

    /// The elements in `0..len`.
    pub(super) fn items(&self) -> impl Iterator<Item = Elem> + '_ {
        (0..self.len).map(|i| self.get(i))
    }

    /// `s[i:j:k]` (the caller checked `i <= j <= k <= cap`).
    pub(super) fn sub(&self, i: usize, j: usize, k: usize) -> Slice {
        Slice {
            backing: Rc::clone(&self.backing),
            start: self.start.saturating_add(i),
            len: j.saturating_sub(i),
            cap: k.saturating_sub(i),
        }
    }
}

/// The capacity of a `[]interface {}` grown by `append` one element at a
/// time from empty to `len` elements: Go's `nextslicecap` (doubling below
/// 256, then smoother growth) rounded up by `roundupsize` for 16-byte
/// elements.
fn append_capacity(len: usize) -> usize {
    let mut cap = 0usize;
    while cap < len {
        let want = cap + 1;
        let newcap = if want > cap.saturating_mul(2) {
            want
        } else if cap < 256 {
            cap * 2
        } else {
            let mut n = cap;
            while n < want {
                n += (n + 3 * 256) >> 2;
            }
            n
        };
        cap = (roundupsize(newcap.saturating_mul(16)) / 16).max(want);
    }
    cap
}

/// Go's `roundupsize` for an object with pointers: a malloc size class
/// (objects over 512 bytes carry an 8-byte header inside the class), or
/// whole 8 KiB pages for large objects.
fn roundupsize(size: usize) -> usize {
    const CLASSES: [usize; 67] = [
        8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320,
        352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
        2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472,
        9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264,
        28672, 32768,
    ];
    if size <= 32768 - 8 {
        let header = if size > 512 { 8 } else { 0 };
        let req = size + header;
        if let Some(&c) = CLASSES.iter().find(|&&c| c >= req) {
            return c - header;
        }
    }
    size.div_ceil(8192).saturating_mul(8192)
}

/// A `reflect.Value` as the executor handles it.
#[derive(Clone, Debug)]
pub(super) enum Val {
    /// The zero `reflect.Value` (no value: a missing map key, `nil`).
    Invalid,
    /// A value whose static type is `interface {}` (from a map or slice).
    Iface(Elem),
    /// A concrete value.
    C(Conc),
    /// The executor's "no final argument" marker.
    Missing,
}

impl Val {
    /// Go's `indirectInterface`: the concrete value inside an interface,
    /// or the zero value for a nil one.
    pub(super) fn indirect_interface(self) -> Val {
        match self {
            Val::Iface(Some(c)) => Val::C(c),
            Val::Iface(None) => Val::Invalid,
            v => v,
        }
    }

    /// The Go type name of the value's (static) type.
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Val::Iface(_) => "interface {}",
            Val::C(c) => c.type_name(),
            Val::Invalid | Val::Missing => "<invalid>",
        }
    }

    /// The value as an `interface {}` argument: `None` for nil.
    pub(super) fn into_elem(self) -> Elem {
        match self {
            Val::C(c) => Some(c),
            Val::Iface(e) => e,
            Val::Invalid | Val::Missing => None,
        }
    }
}

impl Conc {
    /// The Go type name (`reflect.Type.String()`).
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Conc::Bool(_) => "bool",
            Conc::Int(_) => "int",
            Conc::Uint8(_) => "uint8",
            Conc::Float(_) => "float64",
            Conc::Complex(..) => "complex128",
            Conc::Str(_) => "string",
            Conc::Num(_) => "json.Number",
            Conc::Slice(_) => "[]interface {}",
            Conc::Map(_) => "map[string]interface {}",
        }
    }

    /// The bytes of a string-kinded value (`string`, `json.Number`).
    pub(super) fn str_bytes(&self) -> Option<&[u8]> {
        match self {
            Conc::Str(b) | Conc::Num(b) => Some(b),
            _ => None,
        }
    }
}

/// Go's `isTrue` over a value already through `indirect_interface`.
pub(super) fn is_true(v: &Val) -> bool {
    match v {
        Val::C(c) => match c {
            Conc::Bool(b) => *b,
            Conc::Int(i) => *i != 0,
            Conc::Uint8(u) => *u != 0,
            Conc::Float(f) => *f != 0.0,
            Conc::Complex(r, i) => *r != 0.0 || *i != 0.0,
            Conc::Str(b) | Conc::Num(b) => !b.is_empty(),
            Conc::Slice(s) => s.len() > 0,
            Conc::Map(m) => !m.is_empty(),
        },
        Val::Iface(e) => e.is_some(),
        Val::Invalid | Val::Missing => false,
    }
}

/// Go's `utf8.DecodeRune`: the rune at the start of `b` and its width;
/// `None` (Go's `RuneError`) with width 1 for an invalid byte, width 0
/// for empty input.
pub(super) fn decode_rune(b: &[u8]) -> (Option<char>, usize) {
    let Some(&lead) = b.first() else {
        return (None, 0);
    };
    let n = match lead {
        0..=0x7f => return (Some(char::from(lead)), 1),
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (None, 1),
    };
    match b.get(..n).map(std::str::from_utf8) {
        Some(Ok(s)) => (s.chars().next(), n),
        _ => (None, 1),
    }
}

/// Number of runes in `b` as Go counts them (each invalid byte is one).
pub(super) fn rune_count(b: &[u8]) -> usize {
    let mut i = 0;
    let mut n = 0;
    while i < b.len() {
        let (_, w) = decode_rune(b.get(i..).unwrap_or_default());
        i += w.max(1);
        n += 1;
    }
    n
}

/// The bytes as a Rust string, each invalid byte replaced by U+FFFD (as
/// Go's JSON encoder coerces a string to UTF-8).
pub(super) fn to_utf8_lossy(b: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(b) {
        return s.to_string();
    }
    let mut out = String::with_capacity(b.len() + 8);
    let mut i = 0;
    while i < b.len() {
        let (r, w) = decode_rune(b.get(i..).unwrap_or_default());
        out.push(r.unwrap_or('\u{FFFD}'));
        i += w.max(1);
    }
    out
}

/// Go's `strconv.Quote` (or `QuoteToASCII`) over bytes: invalid bytes
/// become `\xNN`.
pub(super) fn quote_bytes(b: &[u8], ascii_only: bool) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    let mut i = 0;
    while i < b.len() {
        let rest = b.get(i..).unwrap_or_default();
        match decode_rune(rest) {
            (Some(c), w) => {
                crate::gostr::escape_rune(&mut out, c, '"', ascii_only);
                i += w;
            }
            (None, _) => {
                out.push_str(&format!("\\x{:02x}", rest.first().copied().unwrap_or(0)));
                i += 1;
            }
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.Quote` of a Rust string.
pub(super) fn quote(s: &str) -> String {
    crate::gostr::quote(s, false)
}

/// Go's `strconv.CanBackquote` over bytes.
pub(super) fn can_backquote(b: &[u8]) -> bool {
    std::str::from_utf8(b).is_ok_and(crate::gostr::can_backquote)
}

/// Go's `%#U` of a rune: `U+0021 '!'` (the quoted form only when
/// printable).
pub(super) fn sharp_u(c: char) -> String {
    let mut s = format!("U+{:04X}", u32::from(c));
    if crate::gostr::is_print(c) {
        s.push_str(" '");
        s.push(c);
        s.push('\'');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_growth_matches_go() {
        assert_eq!(append_capacity(0), 0);
        assert_eq!(append_capacity(1), 1);
        assert_eq!(append_capacity(3), 4);
        assert_eq!(append_capacity(5), 8);
        assert_eq!(append_capacity(33), 71);
        assert_eq!(append_capacity(300), 303);
        assert_eq!(append_capacity(1000), 1023);
        assert_eq!(append_capacity(5000), 5120);
    }

    #[test]
    fn go_utf8_handling() {
        assert_eq!(decode_rune(b"\xc3"), (None, 1));
        assert_eq!(decode_rune("é".as_bytes()), (Some('é'), 2));
        assert_eq!(rune_count(b"a\xe2\x82"), 3);
        assert_eq!(to_utf8_lossy(b"a\xe2\x82"), "a\u{FFFD}\u{FFFD}");
        assert_eq!(quote_bytes(b"\xffa\n", false), r#""\xffa\n""#);
    }
}
