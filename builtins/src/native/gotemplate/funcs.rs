//! text/template's predefined functions (`index`, `slice`, `len`, `eq`,
//! `lt`, `html`, `js`, `urlquery`, `print*`, ...) with Go's argument
//! conventions and error texts. `and`, `or` and `call` are evaluated by
//! the executor.

use super::fmt::{format_conc, sprint, sprintf, sprintln};
use super::value::{Conc, Elem, Val, decode_rune, is_true};

/// How the executor prepares an argument (the Go parameter type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Param {
    /// `reflect.Value`: the value as evaluated.
    Value,
    /// `interface {}` (`any`).
    Any,
    /// `string`.
    Str,
    /// No type (the receiver of a field chain).
    Untyped,
}

/// A function's Go signature: fixed parameters, then an optional
/// variadic one.
pub(super) struct Sig {
    pub fixed: &'static [Param],
    pub variadic: Option<Param>,
}

/// The signature of the builtin `name` (`None` for an unknown name).
pub(super) fn signature(name: &str) -> Option<Sig> {
    use Param::{Any, Str, Value};
    let sig = |fixed, variadic| Some(Sig { fixed, variadic });
    match name {
        "and" | "or" | "call" | "index" | "slice" | "eq" => sig(&[Value], Some(Value)),
        "html" | "js" | "urlquery" | "print" | "println" => sig(&[], Some(Any)),
        "printf" => sig(&[Str], Some(Any)),
        "len" | "not" => sig(&[Value], None),
        "ne" | "lt" | "le" | "gt" | "ge" => sig(&[Value, Value], None),
        _ => None,
    }
}

type FResult = Result<Val, String>;

/// Call builtin `name` on prepared arguments (`Value` parameters as
/// evaluated, `Any` ones as interface values).
pub(super) fn call(name: &str, argv: Vec<Val>) -> FResult {
    if matches!(
        name,
        "print" | "println" | "printf" | "html" | "js" | "urlquery"
    ) {
        return Ok(text_func(name, argv));
    }
    let mut it = argv.into_iter();
    let mut first = || it.next().unwrap_or(Val::Invalid);
    match name {
        "index" => {
            let item = first();
            index(item, it.collect())
        }
        "slice" => {
            let item = first();
            slice(item, it.collect())
        }
        "len" => length(first()).map(|n| Val::C(Conc::Int(n))),
        "not" => Ok(Val::C(Conc::Bool(!truth(first())))),
        "eq" => {
            let a = first();
            eq(a, it.collect()).map(|b| Val::C(Conc::Bool(b)))
        }
        "ne" | "lt" | "le" | "gt" | "ge" => {
            let a = first();
            let b = first();
            let r = match name {
                "ne" => eq(a, vec![b]).map(|e| !e),
                "lt" => lt(a, b),
                "le" => le(a, b),
                "gt" => le(a, b).map(|r| !r),
                _ => lt(a, b).map(|r| !r),
            };
            r.map(|b| Val::C(Conc::Bool(b)))
        }
        _ => Err(format!("function {name} not implemented")),
    }
}

fn str_val(b: Vec<u8>) -> Val {
    Val::C(Conc::Str(b.into()))
}

/// The string-producing functions.
fn text_func(name: &str, all: Vec<Val>) -> Val {
    let mut elems: Vec<Elem> = all.into_iter().map(Val::into_elem).collect();
    match name {
        "print" => str_val(sprint(&elems)),
        "println" => str_val(sprintln(&elems)),
        "printf" => {
            let format = match elems.first() {
                Some(Some(Conc::Str(s))) => s.to_vec(),
                _ => Vec::new(),
            };
            str_val(sprintf(&format, elems.get(1..).unwrap_or_default()))
        }
        _ => {
            // evalArgs: one string as is, else Sprint with nils as
            // "<no value>".
            let text = match elems.as_slice() {
                [Some(Conc::Str(s))] => s.to_vec(),
                _ => {
                    for e in &mut elems {
                        if e.is_none() {
                            *e = Some(Conc::Str(b"<no value>".as_slice().into()));
                        }
                    }
                    sprint(&elems)
                }
            };
            str_val(match name {
                "html" => html_escape(&text),
                "js" => js_escape(&text),
                _ => url_query_escape(&text),
            })
        }
    }
}

/// Go's `template.HTMLEscape`.
fn html_escape(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    for &c in b {
        match c {
            0 => out.extend_from_slice("\u{FFFD}".as_bytes()),
            b'"' => out.extend_from_slice(b"&#34;"),
            b'\'' => out.extend_from_slice(b"&#39;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscape`.
fn js_escape(b: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c < 0x80 {
            match c {
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\'' => out.extend_from_slice(b"\\'"),
                b'"' => out.extend_from_slice(b"\\\""),
                b'<' => out.extend_from_slice(b"\\u003C"),
                b'>' => out.extend_from_slice(b"\\u003E"),
                b'&' => out.extend_from_slice(b"\\u0026"),
                b'=' => out.extend_from_slice(b"\\u003D"),
                c if c < b' ' => {
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX.get(usize::from(c >> 4)).copied().unwrap_or(b'0'));
                    out.push(HEX.get(usize::from(c & 15)).copied().unwrap_or(b'0'));
                }
                c => out.push(c),
            }
            i += 1;
            continue;
        }
        let rest = b.get(i..).unwrap_or_default();
        let (r, w) = decode_rune(rest);
        let r = r.unwrap_or('\u{FFFD}');
        if crate::gostr::is_print(r) {
            out.extend_from_slice(rest.get(..w).unwrap_or_default());
        } else {
            out.extend_from_slice(format!("\\u{:04X}", u32::from(r)).as_bytes());
        }
        i += w.max(1);
    }
    out
}

/// Go's `url.QueryEscape`.
fn url_query_escape(b: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(b.len());
    for &c in b {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
            out.push(c);
        } else if c == b' ' {
            out.push(b'+');
        } else {
            out.push(b'%');
            out.push(HEX.get(usize::from(c >> 4)).copied().unwrap_or(b'0'));
            out.push(HEX.get(usize::from(c & 15)).copied().unwrap_or(b'0'));
        }
    }
    out
}

/// Go's `truth`: `isTrue` of the concrete value.
pub(super) fn truth(v: Val) -> bool {
    is_true(&v.indirect_interface())
}

/// Go's `indexArg`: an integer index within `0..=cap`.
fn index_arg(index: &Val, cap: usize) -> Result<usize, String> {
    let x: i64 = match index {
        Val::C(Conc::Int(i)) => *i,
        Val::C(Conc::Uint8(u)) => i64::from(*u),
        Val::Invalid | Val::Missing => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    match usize::try_from(x) {
        Ok(u) if u <= cap => Ok(u),
        _ => Err(format!("index out of range: {x}")),
    }
}

/// Go's `index`.
fn index(item: Val, indexes: Vec<Val>) -> FResult {
    let mut item = item.indirect_interface();
    if matches!(item, Val::Invalid | Val::Missing) {
        return Err("index of untyped nil".into());
    }
    for idx in indexes {
        let idx = idx.indirect_interface();
        let cur = match item {
            Val::Iface(None) => return Err("index of nil pointer".into()),
            v => v.indirect_interface(),
        };
        item = match cur {
            Val::C(Conc::Slice(s)) => {
                let i = index_arg(&idx, s.len())?;
                if i >= s.len() {
                    return Err("reflect: slice index out of range".into());
                }
                Val::Iface(s.get(i))
            }
            Val::C(Conc::Str(b) | Conc::Num(b)) => {
                let i = index_arg(&idx, b.len())?;
                match b.get(i) {
                    Some(&c) => Val::C(Conc::Uint8(c)),
                    None => return Err("reflect: string index out of range".into()),
                }
            }
            Val::C(Conc::Map(m)) => {
                let key = match &idx {
                    Val::C(Conc::Str(k)) => k,
                    Val::Invalid | Val::Missing => {
                        return Err("value is nil; should be of type string".into());
                    }
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ));
                    }
                };
                Val::Iface(m.get(key.as_ref()).cloned().flatten())
            }
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

/// Go's `slice`.
fn slice(item: Val, indexes: Vec<Val>) -> FResult {
    let item = item.indirect_interface();
    if matches!(item, Val::Invalid | Val::Missing) {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let (len, cap) = match &item {
        Val::C(Conc::Str(b) | Conc::Num(b)) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            (b.len(), b.len())
        }
        Val::C(Conc::Slice(s)) => (s.len(), s.cap()),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0usize, len, 0];
    for (slot, i) in idx.iter_mut().zip(&indexes) {
        *slot = index_arg(i, cap)?;
    }
    let [i, j, k] = idx;
    if i > j {
        return Err(format!("invalid slice index: {i} > {j}"));
    }
    if indexes.len() == 3 && j > k {
        return Err(format!("invalid slice index: {j} > {k}"));
    }
    Ok(match item {
        Val::C(Conc::Str(b)) => Val::C(Conc::Str(b.get(i..j).unwrap_or_default().into())),
        Val::C(Conc::Num(b)) => Val::C(Conc::Num(b.get(i..j).unwrap_or_default().into())),
        Val::C(Conc::Slice(s)) => {
            let k = if indexes.len() == 3 { k } else { cap };
            Val::C(Conc::Slice(s.sub(i, j, k)))
        }
        other => other,
    })
}

/// Go's `length`.
fn length(item: Val) -> Result<i64, String> {
    let n = match item {
        Val::Iface(None) => return Err("len of nil pointer".into()),
        Val::Invalid | Val::Missing => {
            return Err("reflect: call of reflect.Value.Type on zero Value".into());
        }
        v => match v.indirect_interface() {
            Val::C(Conc::Str(b) | Conc::Num(b)) => b.len(),
            Val::C(Conc::Slice(s)) => s.len(),
            Val::C(Conc::Map(m)) => m.len(),
            other => return Err(format!("len of type {}", other.type_name())),
        },
    };
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Go's comparison kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Invalid,
    Bool,
    Complex,
    Int,
    Float,
    Str,
    Uint,
}

fn basic_kind(v: &Val) -> Kind {
    match v {
        Val::C(Conc::Bool(_)) => Kind::Bool,
        Val::C(Conc::Int(_)) => Kind::Int,
        Val::C(Conc::Uint8(_)) => Kind::Uint,
        Val::C(Conc::Float(_)) => Kind::Float,
        Val::C(Conc::Complex(..)) => Kind::Complex,
        Val::C(Conc::Str(_) | Conc::Num(_)) => Kind::Str,
        _ => Kind::Invalid,
    }
}

fn is_valid(v: &Val) -> bool {
    !matches!(v, Val::Invalid | Val::Missing)
}

fn int_of(v: &Val) -> i64 {
    match v {
        Val::C(Conc::Int(i)) => *i,
        _ => 0,
    }
}

fn uint_of(v: &Val) -> u64 {
    match v {
        Val::C(Conc::Uint8(u)) => u64::from(*u),
        _ => 0,
    }
}

fn float_of(v: &Val) -> f64 {
    match v {
        Val::C(Conc::Float(f)) => *f,
        _ => 0.0,
    }
}

fn str_of(v: &Val) -> &[u8] {
    match v {
        Val::C(c) => c.str_bytes().unwrap_or_default(),
        _ => &[],
    }
}

fn incompatible(a: &Val, b: &Val) -> String {
    format!(
        "incompatible types for comparison: {} and {}",
        a.type_name(),
        b.type_name()
    )
}

fn show(v: &Val, verb: char) -> String {
    match v {
        Val::C(c) => format_conc(c, verb),
        _ => "<invalid reflect.Value>".to_string(),
    }
}

/// Go's `eq`: `a == b || a == c || ...`.
fn eq(arg1: Val, others: Vec<Val>) -> Result<bool, String> {
    let a = arg1.indirect_interface();
    if others.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(&a);
    for b in others {
        let b = b.indirect_interface();
        let k2 = basic_kind(&b);
        let truth = if k1 != k2 {
            match (k1, k2) {
                (Kind::Int, Kind::Uint) => {
                    int_of(&a) >= 0 && int_of(&a).unsigned_abs() == uint_of(&b)
                }
                (Kind::Uint, Kind::Int) => {
                    int_of(&b) >= 0 && uint_of(&a) == int_of(&b).unsigned_abs()
                }
                _ => {
                    if is_valid(&a) && is_valid(&b) {
                        return Err(incompatible(&a, &b));
                    }
                    false
                }
            }
        } else {
            match k1 {
                Kind::Bool => {
                    matches!((&a, &b), (Val::C(Conc::Bool(x)), Val::C(Conc::Bool(y))) if x == y)
                }
                Kind::Complex => {
                    matches!((&a, &b), (Val::C(Conc::Complex(r1, i1)), Val::C(Conc::Complex(r2, i2))) if r1 == r2 && i1 == i2)
                }
                Kind::Float => float_of(&a) == float_of(&b),
                Kind::Int => int_of(&a) == int_of(&b),
                Kind::Str => str_of(&a) == str_of(&b),
                Kind::Uint => uint_of(&a) == uint_of(&b),
                Kind::Invalid => {
                    let same_kind = matches!(
                        (&a, &b),
                        (Val::C(Conc::Map(_)), Val::C(Conc::Map(_)))
                            | (Val::C(Conc::Slice(_)), Val::C(Conc::Slice(_)))
                    );
                    if !same_kind && is_valid(&a) && is_valid(&b) {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            show(&a, 's'),
                            a.type_name(),
                            b.type_name(),
                            show(&b, 'v')
                        ));
                    }
                    if !is_valid(&a) || !is_valid(&b) {
                        !is_valid(&a) && !is_valid(&b)
                    } else {
                        return Err(format!(
                            "non-comparable type {}: {}",
                            show(&b, 's'),
                            b.type_name()
                        ));
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Go's `lt`.
fn lt(arg1: Val, arg2: Val) -> Result<bool, String> {
    let a = arg1.indirect_interface();
    let k1 = basic_kind(&a);
    if k1 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    let b = arg2.indirect_interface();
    let k2 = basic_kind(&b);
    if k2 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => {
                Ok(int_of(&a) < 0 || int_of(&a).unsigned_abs() < uint_of(&b))
            }
            (Kind::Uint, Kind::Int) => {
                Ok(int_of(&b) >= 0 && uint_of(&a) < int_of(&b).unsigned_abs())
            }
            _ => Err(incompatible(&a, &b)),
        };
    }
    match k1 {
        Kind::Bool | Kind::Complex | Kind::Invalid => Err("invalid type for comparison".into()),
        Kind::Float => Ok(float_of(&a) < float_of(&b)),
        Kind::Int => Ok(int_of(&a) < int_of(&b)),
        Kind::Str => Ok(str_of(&a) < str_of(&b)),
        Kind::Uint => Ok(uint_of(&a) < uint_of(&b)),
    }
}

/// Go's `le`: `lt || eq`.
fn le(a: Val, b: Val) -> Result<bool, String> {
    if lt(a.clone(), b.clone())? {
        return Ok(true);
    }
    eq(a, vec![b])
}
