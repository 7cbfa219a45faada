//! JSON Schema validation that reproduces OPA's vendored gojsonschema
//! (`internal/gojsonschema` in OPA v1.20.2): the same schema-loading
//! errors, the same validation error kinds (`type` keys), English
//! descriptions, field names (`(Root)`, `a.b.0`), error order and
//! "closest sub-schema" choice for `anyOf`/`oneOf`/`contains` (by the same
//! score bookkeeping).
//!
//! Where gojsonschema walks a Go map (properties, patternProperties,
//! dependencies, additional properties, definitions) its order is random;
//! this implementation walks keys in sorted order.

use crate::Value;
use regex::Regex;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

/// A JSON document with numbers kept as their text.
#[derive(Debug, Clone)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(BTreeMap<String, Json>),
}

impl Json {
    /// Convert a runtime value (sets become arrays, non-string keys their
    /// JSON text; numbers keep their exact text).
    pub(crate) fn from_value(v: &Value) -> Json {
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(_) => Json::Num(v.to_json_text()),
            Value::String(s) => Json::Str(s.to_string()),
            Value::Array(a) => Json::Arr(a.iter().map(Json::from_value).collect()),
            Value::Set(s) => Json::Arr(s.iter().map(Json::from_value).collect()),
            Value::Object(o) => Json::Obj(
                o.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Value::String(s) => s.to_string(),
                            other => other.to_json_text(),
                        };
                        (key, Json::from_value(v))
                    })
                    .collect(),
            ),
        }
    }
}

// --- decimal numbers --------------------------------------------------------

/// An exact decimal: `(-1)^neg × digits × 10^exp`, digits without leading or
/// trailing zeros (empty for zero).
#[derive(Debug, Clone)]
struct Dec {
    neg: bool,
    digits: Vec<u8>,
    exp: i64,
}

impl Dec {
    fn parse(s: &str) -> Option<Dec> {
        let (neg, rest) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (mant, e) = match rest.find(['e', 'E']) {
            Some(i) => (
                rest.get(..i)?,
                rest.get(i + 1..)?
                    .trim_start_matches('+')
                    .parse::<i64>()
                    .ok()?,
            ),
            None => (rest, 0),
        };
        let (ip, fp) = match mant.find('.') {
            Some(i) => (mant.get(..i)?, mant.get(i + 1..)?),
            None => (mant, ""),
        };
        if ip.is_empty() && fp.is_empty() {
            return None;
        }
        let mut digits = Vec::new();
        for c in ip.chars().chain(fp.chars()) {
            digits.push(c.to_digit(10)? as u8);
        }
        let mut exp = e - fp.len() as i64;
        while digits.last() == Some(&0) {
            digits.pop();
            exp += 1;
        }
        let lead = digits.iter().take_while(|d| **d == 0).count();
        digits.drain(..lead);
        if digits.is_empty() {
            return Some(Dec {
                neg: false,
                digits,
                exp: 0,
            });
        }
        Some(Dec { neg, digits, exp })
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    fn is_int(&self) -> bool {
        self.is_zero() || self.exp >= 0
    }

    /// Position of the most significant digit (10^x).
    fn magnitude(&self) -> i64 {
        self.digits.len() as i64 + self.exp - 1
    }

    fn cmp_abs(&self, o: &Dec) -> Ordering {
        match (self.is_zero(), o.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let m = self.magnitude().cmp(&o.magnitude());
        if m != Ordering::Equal {
            return m;
        }
        let n = self.digits.len().max(o.digits.len());
        for i in 0..n {
            let a = self.digits.get(i).copied().unwrap_or(0);
            let b = o.digits.get(i).copied().unwrap_or(0);
            if a != b {
                return a.cmp(&b);
            }
        }
        Ordering::Equal
    }

    fn cmp(&self, o: &Dec) -> Ordering {
        let sa = if self.is_zero() {
            0
        } else if self.neg {
            -1
        } else {
            1
        };
        let sb = if o.is_zero() {
            0
        } else if o.neg {
            -1
        } else {
            1
        };
        if sa != sb {
            return sa.cmp(&sb);
        }
        if sa < 0 {
            o.cmp_abs(self)
        } else {
            self.cmp_abs(o)
        }
    }

    fn to_f64(&self) -> f64 {
        let mut s = String::new();
        if self.neg {
            s.push('-');
        }
        if self.digits.is_empty() {
            s.push('0');
        }
        for d in &self.digits {
            s.push(char::from(b'0' + d));
        }
        s.push_str(&format!("e{}", self.exp));
        s.parse().unwrap_or(0.0)
    }

    /// Whether `self / m` is an integer.
    fn is_multiple_of(&self, m: &Dec) -> bool {
        if self.is_zero() {
            return true;
        }
        let e = self.exp.min(m.exp);
        let scaled = |d: &Dec| -> Option<u128> {
            let mut v: u128 = 0;
            for x in &d.digits {
                v = v.checked_mul(10)?.checked_add(u128::from(*x))?;
            }
            let shift = u32::try_from(d.exp - e).ok()?;
            v.checked_mul(10u128.checked_pow(shift)?)
        };
        match (scaled(self), scaled(m)) {
            (Some(a), Some(b)) if b != 0 => a % b == 0,
            _ => {
                let q = self.to_f64() / m.to_f64();
                q.is_finite() && q.fract() == 0.0
            }
        }
    }

    /// Go `big.Float` `%v` (shortest `%g`, exponent form from 10^6 up or
    /// below 10^-4).
    fn go_big_float(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let ds: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        let x = self.magnitude();
        let sign = if self.neg { "-" } else { "" };
        if !(-4..6).contains(&x) {
            let (first, rest) = ds.split_at(1);
            let frac = if rest.is_empty() {
                String::new()
            } else {
                format!(".{rest}")
            };
            let es = if x < 0 { '-' } else { '+' };
            return format!("{sign}{first}{frac}e{es}{:02}", x.abs());
        }
        if self.exp >= 0 {
            format!("{sign}{ds}{}", "0".repeat(self.exp as usize))
        } else {
            let point = ds.len() as i64 + self.exp;
            if point > 0 {
                let (a, b) = ds.split_at(point as usize);
                format!("{sign}{a}.{b}")
            } else {
                format!("{sign}0.{}{ds}", "0".repeat((-point) as usize))
            }
        }
    }
}

// --- Go encoding/json text (as gojsonschema's marshalWithoutNumber) ---------

fn go_float(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let a = f.abs();
    if !(1e-6..1e21).contains(&a) {
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((m, e)) => {
                if let Some(n) = e.strip_prefix('-') {
                    format!("{m}e-{n}")
                } else {
                    format!("{m}e+{e}")
                }
            }
            None => s,
        }
    } else {
        format!("{f}")
    }
}

fn go_marshal(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Num(n) => {
            let f = Dec::parse(n).map(|d| d.to_f64()).unwrap_or(0.0);
            out.push_str(&go_float(f));
        }
        Json::Str(s) => super::jsonx::go_json_string(s, out),
        Json::Arr(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_marshal(x, out);
            }
            out.push(']');
        }
        Json::Obj(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                super::jsonx::go_json_string(k, out);
                out.push(':');
                go_marshal(x, out);
            }
            out.push('}');
        }
    }
}

fn normalized(v: &Json) -> String {
    let mut s = String::new();
    go_marshal(v, &mut s);
    s
}

// --- compiled schema --------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Draft {
    D4 = 4,
    D6 = 6,
    D7 = 7,
    Hybrid = 1000,
}

#[derive(Debug, Default)]
enum Extra {
    #[default]
    Absent,
    Bool(bool),
    Schema(usize),
}

#[derive(Debug)]
enum Dep {
    Props(Vec<String>),
    Schema(usize),
}

#[derive(Debug, Default)]
enum Items {
    #[default]
    None,
    Single(usize),
    List(Vec<usize>),
}

#[derive(Debug, Default)]
struct Node {
    pass: Option<bool>,
    ref_to: Option<usize>,
    types: Vec<String>,
    properties: Vec<(String, usize)>,
    additional_properties: Extra,
    pattern_properties: Vec<(Regex, usize)>,
    property_names: Option<usize>,
    dependencies: Vec<(String, Dep)>,
    items: Items,
    additional_items: Extra,
    multiple_of: Option<Dec>,
    minimum: Option<Dec>,
    maximum: Option<Dec>,
    exclusive_minimum: Option<Dec>,
    exclusive_maximum: Option<Dec>,
    min_length: Option<i64>,
    max_length: Option<i64>,
    pattern: Option<(String, Regex)>,
    format: Option<String>,
    min_properties: Option<i64>,
    max_properties: Option<i64>,
    required: Vec<String>,
    min_items: Option<i64>,
    max_items: Option<i64>,
    unique_items: bool,
    contains: Option<usize>,
    constant: Option<String>,
    enumeration: Option<Vec<String>>,
    one_of: Vec<usize>,
    any_of: Vec<usize>,
    all_of: Vec<usize>,
    not: Option<usize>,
    if_: Option<usize>,
    then_: Option<usize>,
    else_: Option<usize>,
}

/// A compiled schema.
#[derive(Debug)]
pub(crate) struct Schema {
    nodes: Vec<Node>,
}

const VALID_SCHEMA: &str = "Valid Schema";

fn invalid_type(expected: &str, given: &str) -> String {
    format!("Invalid type. Expected: {expected}, given: {given}")
}

fn parse_error() -> String {
    format!("Expected: {VALID_SCHEMA}, given: Invalid JSON")
}

fn get_string<'a>(m: &'a BTreeMap<String, Json>, key: &str) -> Result<Option<&'a str>, String> {
    match m.get(key) {
        None => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s)),
        Some(_) => Err(invalid_type("string", key)),
    }
}

fn get_slice<'a>(m: &'a BTreeMap<String, Json>, key: &str) -> Result<&'a [Json], String> {
    match m.get(key) {
        None => Ok(&[]),
        Some(Json::Arr(a)) => Ok(a),
        Some(_) => Err(format!("{key} must be of an array")),
    }
}

fn number(v: &Json) -> Option<Dec> {
    match v {
        Json::Num(n) => Dec::parse(n),
        _ => None,
    }
}

/// gojsonschema's mustBeInteger: an integral number whose text parses as
/// an int64 (so `1.0` is refused).
fn integer(v: &Json) -> Option<i64> {
    match v {
        Json::Num(n) => {
            if !Dec::parse(n)?.is_int() {
                return None;
            }
            n.parse::<i64>().ok()
        }
        _ => None,
    }
}

fn non_negative(m: &BTreeMap<String, Json>, key: &str) -> Result<Option<i64>, String> {
    match m.get(key) {
        None => Ok(None),
        Some(v) => {
            let n = integer(v).ok_or_else(|| format!("{key} must be of an integer"))?;
            if n < 0 {
                return Err(format!("{key} must be greater than or equal to 0"));
            }
            Ok(Some(n))
        }
    }
}

fn is_schema_value(v: &Json) -> bool {
    matches!(v, Json::Bool(_) | Json::Obj(_))
}

/// Decode a JSON pointer token as gojsonpointer does.
fn pointer_token(t: &str) -> String {
    let t = percent_encoding::percent_decode_str(t)
        .decode_utf8_lossy()
        .into_owned();
    t.replace("~1", "/").replace("~0", "~")
}

struct Compiler<'a> {
    root: &'a Json,
    draft: Draft,
    nodes: Vec<Node>,
    refs: HashMap<String, usize>,
}

impl<'a> Compiler<'a> {
    fn alloc(&mut self) -> usize {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }

    fn sub(&mut self, doc: &'a Json, draft: Draft) -> Result<usize, String> {
        let idx = self.alloc();
        self.parse(doc, idx, draft)?;
        Ok(idx)
    }

    fn resolve(&self, reference: &str) -> Result<&'a Json, String> {
        let frag = match reference.split_once('#') {
            Some(("", f)) => f,
            Some(_) | None => {
                let base = reference.split('#').next().unwrap_or(reference);
                if base.contains("://") {
                    return Err(format!(
                        "Get \"{base}\": remote references are not supported"
                    ));
                }
                let shown = if base.starts_with('/') {
                    base.to_string()
                } else {
                    format!("/{base}")
                };
                return Err(format!("Reference {shown} must be canonical"));
            }
        };
        let mut node = self.root;
        if frag.is_empty() {
            return Ok(node);
        }
        let Some(path) = frag.strip_prefix('/') else {
            return Err(format!("Invalid token reference '{frag}'"));
        };
        for raw in path.split('/') {
            let tok = pointer_token(raw);
            node = match node {
                Json::Obj(m) => m
                    .get(&tok)
                    .ok_or_else(|| format!("Object has no key '{tok}'"))?,
                Json::Arr(a) => {
                    let i: i64 = tok
                        .parse()
                        .map_err(|_| format!("Invalid array index '{tok}'"))?;
                    usize::try_from(i)
                        .ok()
                        .and_then(|i| a.get(i))
                        .ok_or_else(|| format!("Out of bound array[0,{}] index '{tok}'", a.len()))?
                }
                _ => return Err(format!("Invalid token reference '{tok}'")),
            };
        }
        Ok(node)
    }

    fn parse(&mut self, doc: &'a Json, idx: usize, draft: Draft) -> Result<(), String> {
        if draft >= Draft::D6
            && let Json::Bool(b) = doc
        {
            self.set(idx, |n| n.pass = Some(*b));
            return Ok(());
        }
        let Json::Obj(m) = doc else {
            return Err(parse_error());
        };
        let key_id = match draft {
            Draft::D4 => "id",
            Draft::Hybrid if m.contains_key("id") => "id",
            _ => "$id",
        };
        get_string(m, key_id)?;
        if let Some(defs) = m.get("definitions") {
            let Json::Obj(defs) = defs else {
                return Err(invalid_type("Array Of Schemas", "definitions"));
            };
            for dv in defs.values() {
                if !is_schema_value(dv) {
                    return Err(invalid_type("Array Of Schemas", "definitions"));
                }
                self.sub(dv, draft)?;
            }
        }
        get_string(m, "title")?;
        get_string(m, "description")?;
        if let Some(r) = get_string(m, "$ref")? {
            let key = if r.is_empty() {
                "#".to_string()
            } else {
                r.to_string()
            };
            if let Some(&target) = self.refs.get(&key) {
                self.set(idx, |n| n.ref_to = Some(target));
            } else {
                let target = self.alloc();
                self.refs.insert(key.clone(), target);
                let tdoc = self.resolve(&key)?;
                if !is_schema_value(tdoc) {
                    return Err("Valid Schema must be of type object".into());
                }
                let root_draft = self.draft;
                self.parse(tdoc, target, root_draft)?;
                self.set(idx, |n| n.ref_to = Some(target));
                return Ok(());
            }
        }
        if let Some(t) = m.get("type") {
            let list: Vec<&Json> = match t {
                Json::Str(_) => vec![t],
                Json::Arr(a) => a.iter().collect(),
                _ => return Err(invalid_type("type", "string/Array Of Strings")),
            };
            let mut types: Vec<String> = Vec::new();
            for t in list {
                let Json::Str(s) = t else {
                    return Err(invalid_type("type", "string/Array Of Strings"));
                };
                const KNOWN: [&str; 7] = [
                    "array", "boolean", "integer", "number", "null", "object", "string",
                ];
                if !KNOWN.contains(&s.as_str()) {
                    return Err(format!(
                        "has a primitive type that is NOT VALID -- given: /{s}/ Expected valid values are:[array boolean integer number null object string]"
                    ));
                }
                if types.contains(s) {
                    return Err(format!("{s} type is duplicated"));
                }
                types.push(s.clone());
            }
            self.set(idx, |n| n.types = types);
        }
        if let Some(props) = m.get("properties") {
            let Json::Obj(props) = props else {
                return Err("Properties must be of type object".into());
            };
            for (k, v) in props {
                let c = self.sub(v, draft)?;
                self.set(idx, |n| n.properties.push((k.clone(), c)));
            }
        }
        if let Some(ap) = m.get("additionalProperties") {
            let e = match ap {
                Json::Bool(b) => Extra::Bool(*b),
                Json::Obj(_) => Extra::Schema(self.sub(ap, draft)?),
                _ => return Err(invalid_type("boolean/Valid Schema", "additionalProperties")),
            };
            self.set(idx, |n| n.additional_properties = e);
        }
        if let Some(pp) = m.get("patternProperties") {
            let Json::Obj(pp) = pp else {
                return Err(invalid_type(VALID_SCHEMA, "patternProperties"));
            };
            for (k, v) in pp {
                let re = Regex::new(k).map_err(|_| format!("Invalid regex pattern '{k}'"))?;
                let c = self.sub(v, draft)?;
                self.set(idx, |n| n.pattern_properties.push((re, c)));
            }
        }
        if let Some(pn) = m.get("propertyNames")
            && draft >= Draft::D6
        {
            if !is_schema_value(pn) {
                return Err(invalid_type(VALID_SCHEMA, "patternProperties"));
            }
            let c = self.sub(pn, draft)?;
            self.set(idx, |n| n.property_names = Some(c));
        }
        if let Some(deps) = m.get("dependencies") {
            let Json::Obj(deps) = deps else {
                return Err("dependencies must be of type object".into());
            };
            let bad = || "Dependency must be of type Schema Or Array Of Strings".to_string();
            for (k, v) in deps {
                let d = match v {
                    Json::Arr(a) => {
                        let mut names = Vec::new();
                        for x in a {
                            let Json::Str(s) = x else { return Err(bad()) };
                            names.push(s.clone());
                        }
                        Dep::Props(names)
                    }
                    Json::Bool(_) | Json::Obj(_) => Dep::Schema(self.sub(v, draft)?),
                    _ => return Err(bad()),
                };
                self.set(idx, |n| n.dependencies.push((k.clone(), d)));
            }
        }
        if let Some(items) = m.get("items") {
            let bad = || invalid_type("Valid Schema/Array Of Schemas", "items");
            let it = match items {
                Json::Arr(a) => {
                    let mut list = Vec::new();
                    for x in a {
                        if !is_schema_value(x) {
                            return Err(bad());
                        }
                        list.push(self.sub(x, draft)?);
                    }
                    Items::List(list)
                }
                Json::Obj(_) | Json::Bool(_) => Items::Single(self.sub(items, draft)?),
                _ => return Err(bad()),
            };
            self.set(idx, |n| n.items = it);
        }
        if let Some(ai) = m.get("additionalItems") {
            let e = match ai {
                Json::Bool(b) => Extra::Bool(*b),
                Json::Obj(_) => Extra::Schema(self.sub(ai, draft)?),
                _ => return Err(invalid_type("boolean/Valid Schema", "additionalItems")),
            };
            self.set(idx, |n| n.additional_items = e);
        }
        if let Some(v) = m.get("multipleOf") {
            let d = number(v).ok_or_else(|| invalid_type("Number", "multipleOf"))?;
            if d.is_zero() || d.neg {
                return Err("multipleOf must be strictly greater than 0".into());
            }
            self.set(idx, |n| n.multiple_of = Some(d));
        }
        if let Some(v) = m.get("minimum") {
            let d = number(v).ok_or_else(|| "minimum must be of a Number".to_string())?;
            self.set(idx, |n| n.minimum = Some(d));
        }
        self.exclusive(m, idx, draft, "exclusiveMinimum", "minimum")?;
        if let Some(v) = m.get("maximum") {
            let d = number(v).ok_or_else(|| "maximum must be of a Number".to_string())?;
            self.set(idx, |n| n.maximum = Some(d));
        }
        self.exclusive(m, idx, draft, "exclusiveMaximum", "maximum")?;
        let min_length = non_negative(m, "minLength")?;
        let max_length = non_negative(m, "maxLength")?;
        if let (Some(a), Some(b)) = (min_length, max_length)
            && a > b
        {
            return Err("minLength cannot be greater than maxLength".into());
        }
        if let Some(p) = get_string(m, "pattern")? {
            let re = Regex::new(p).map_err(|_| "pattern must be a valid regex".to_string())?;
            self.set(idx, |n| n.pattern = Some((p.to_string(), re)));
        }
        let format = get_string(m, "format")?.map(str::to_string);
        let min_properties = non_negative(m, "minProperties")?;
        let max_properties = non_negative(m, "maxProperties")?;
        if let (Some(a), Some(b)) = (min_properties, max_properties)
            && a > b
        {
            return Err("minProperties cannot be greater than maxProperties".into());
        }
        let mut required: Vec<String> = Vec::new();
        for r in get_slice(m, "required")? {
            let Json::Str(s) = r else {
                return Err(invalid_type("string", "required"));
            };
            if required.contains(s) {
                return Err("required items must be unique".into());
            }
            required.push(s.clone());
        }
        let min_items = non_negative(m, "minItems")?;
        let max_items = non_negative(m, "maxItems")?;
        let unique_items = match m.get("uniqueItems") {
            None => false,
            Some(Json::Bool(b)) => *b,
            Some(_) => return Err("uniqueItems must be of a boolean".into()),
        };
        self.set(idx, |n| {
            n.min_length = min_length;
            n.max_length = max_length;
            n.format = format;
            n.min_properties = min_properties;
            n.max_properties = max_properties;
            n.required = required;
            n.min_items = min_items;
            n.max_items = max_items;
            n.unique_items = unique_items;
        });
        if let Some(c) = m.get("contains")
            && draft >= Draft::D6
        {
            let c = self.sub(c, draft)?;
            self.set(idx, |n| n.contains = Some(c));
        }
        if let Some(c) = m.get("const")
            && draft >= Draft::D6
        {
            let s = normalized(c);
            self.set(idx, |n| n.constant = Some(s));
        }
        if m.contains_key("enum") {
            let mut list: Vec<String> = Vec::new();
            for v in get_slice(m, "enum")? {
                let s = normalized(v);
                if list.contains(&s) {
                    return Err("enum items must be unique".into());
                }
                list.push(s);
            }
            self.set(idx, |n| n.enumeration = Some(list));
        }
        for (key, which) in [("oneOf", 0), ("anyOf", 1), ("allOf", 2)] {
            for v in get_slice(m, key)? {
                let c = self.sub(v, draft)?;
                self.set(idx, |n| match which {
                    0 => n.one_of.push(c),
                    1 => n.any_of.push(c),
                    _ => n.all_of.push(c),
                });
            }
        }
        if let Some(v) = m.get("not") {
            if !is_schema_value(v) {
                return Err("not must be of an object".into());
            }
            let c = self.sub(v, draft)?;
            self.set(idx, |n| n.not = Some(c));
        }
        if draft >= Draft::D7 {
            for (key, which) in [("if", 0), ("then", 1), ("else", 2)] {
                if let Some(v) = m.get(key) {
                    if !is_schema_value(v) {
                        return Err(format!("{key} must be of an object"));
                    }
                    let c = self.sub(v, draft)?;
                    self.set(idx, |n| match which {
                        0 => n.if_ = Some(c),
                        1 => n.then_ = Some(c),
                        _ => n.else_ = Some(c),
                    });
                }
            }
        }
        Ok(())
    }

    fn exclusive(
        &mut self,
        m: &BTreeMap<String, Json>,
        idx: usize,
        draft: Draft,
        key: &str,
        base: &str,
    ) -> Result<(), String> {
        let Some(v) = m.get(key) else { return Ok(()) };
        let is_min = key == "exclusiveMinimum";
        let current = |n: &Node| {
            if is_min {
                n.minimum.clone()
            } else {
                n.maximum.clone()
            }
        };
        let from_bool = |this: &mut Self, b: bool| -> Result<(), String> {
            let cur = this.nodes.get(idx).and_then(current);
            let Some(cur) = cur else {
                return Err(format!("{key} cannot be used without {base}"));
            };
            if b {
                this.set(idx, |n| {
                    if is_min {
                        n.exclusive_minimum = Some(cur);
                        n.minimum = None;
                    } else {
                        n.exclusive_maximum = Some(cur);
                        n.maximum = None;
                    }
                });
            }
            Ok(())
        };
        let set_num = |this: &mut Self, d: Dec| {
            this.set(idx, |n| {
                if is_min {
                    n.exclusive_minimum = Some(d);
                } else {
                    n.exclusive_maximum = Some(d);
                }
            });
        };
        match draft {
            Draft::D4 => match v {
                Json::Bool(b) => from_bool(self, *b),
                _ => Err(invalid_type("boolean", key)),
            },
            Draft::Hybrid => match v {
                Json::Bool(b) => from_bool(self, *b),
                Json::Num(_) => {
                    if let Some(d) = number(v) {
                        set_num(self, d);
                    }
                    Ok(())
                }
                _ => Err(invalid_type("boolean/number", key)),
            },
            _ => match number(v) {
                Some(d) => {
                    set_num(self, d);
                    Ok(())
                }
                None => Err(invalid_type("number", key)),
            },
        }
    }

    fn set(&mut self, idx: usize, f: impl FnOnce(&mut Node)) {
        if let Some(n) = self.nodes.get_mut(idx) {
            f(n);
        }
    }
}

/// Compile a schema document the way OPA's schema loader does (draft
/// auto-detected from `$schema`, hybrid otherwise; patterns compiled).
pub(crate) fn compile(doc: &Json) -> Result<Schema, String> {
    let draft = match doc {
        Json::Bool(_) => Draft::Hybrid,
        Json::Obj(m) => match m.get("$schema") {
            None => Draft::Hybrid,
            Some(Json::Str(s)) => {
                let s = s.strip_suffix('#').unwrap_or(s);
                match s {
                    "http://json-schema.org/draft-04/schema" => Draft::D4,
                    "http://json-schema.org/draft-06/schema" => Draft::D6,
                    "http://json-schema.org/draft-07/schema" => Draft::D7,
                    _ => Draft::Hybrid,
                }
            }
            Some(_) => return Err("$schema must be of type string".into()),
        },
        _ => return Err("schema is invalid".into()),
    };
    let mut c = Compiler {
        root: doc,
        draft,
        nodes: Vec::new(),
        refs: HashMap::new(),
    };
    let root = c.alloc();
    c.parse(doc, root, draft)?;
    Ok(Schema { nodes: c.nodes })
}

// --- validation -------------------------------------------------------------

/// One validation error, as `json.match_schema` reports it.
#[derive(Debug, Clone)]
pub(crate) struct SchemaError {
    /// gojsonschema's error type key (`invalid_type`, `required`, ...).
    pub(crate) kind: &'static str,
    /// The instance path: `(Root)` or `a.b.0`.
    pub(crate) field: String,
    /// The English description.
    pub(crate) desc: String,
}

#[derive(Default)]
struct Res {
    errors: Vec<SchemaError>,
    score: i64,
}

impl Res {
    fn add(&mut self, kind: &'static str, ctx: &[String], desc: String) {
        self.errors.push(SchemaError {
            kind,
            field: field_name(ctx),
            desc,
        });
        self.score -= 2;
    }
    fn merge(&mut self, o: Res) {
        self.errors.extend(o.errors);
        self.score += o.score;
    }
    fn valid(&self) -> bool {
        self.errors.is_empty()
    }
}

fn field_name(ctx: &[String]) -> String {
    if ctx.is_empty() {
        "(Root)".into()
    } else {
        ctx.join(".")
    }
}

fn with(ctx: &[String], key: impl Into<String>) -> Vec<String> {
    let mut v = ctx.to_vec();
    v.push(key.into());
    v
}

fn types_text(types: &[String]) -> String {
    match types {
        [one] => one.clone(),
        _ => format!("[{}]", types.join(",")),
    }
}

impl Schema {
    /// Validate `doc`; errors in gojsonschema's order.
    pub(crate) fn validate(&self, doc: &Json) -> Vec<SchemaError> {
        let mut res = Res::default();
        self.recurse(0, doc, &mut res, &[]);
        res.errors
    }

    fn node(&self, i: usize) -> Option<&Node> {
        self.nodes.get(i)
    }

    fn sub(&self, i: usize, v: &Json, ctx: &[String]) -> Res {
        let mut r = Res::default();
        self.recurse(i, v, &mut r, ctx);
        r
    }

    fn recurse(&self, i: usize, v: &Json, res: &mut Res, ctx: &[String]) {
        let Some(n) = self.node(i) else { return };
        if let Some(p) = n.pass {
            if !p {
                res.add("false", ctx, "False always fails validation".into());
            }
            return;
        }
        if let Some(r) = n.ref_to {
            self.recurse(r, v, res, ctx);
            return;
        }
        let typed = !n.types.is_empty();
        let has = |t: &str| n.types.iter().any(|x| x == t);
        let given = match v {
            Json::Null => (!has("null")).then_some("null"),
            Json::Num(t) => {
                let is_int = Dec::parse(t).is_some_and(|d| d.is_int());
                let ok = has("number") || (is_int && has("integer"));
                (!ok).then_some(if is_int { "integer" } else { "number" })
            }
            Json::Arr(_) => (!has("array")).then_some("array"),
            Json::Obj(_) => (!has("object")).then_some("object"),
            Json::Bool(_) => (!has("boolean")).then_some("boolean"),
            Json::Str(_) => (!has("string")).then_some("string"),
        };
        if typed && let Some(g) = given {
            res.add(
                "invalid_type",
                ctx,
                format!(
                    "Invalid type. Expected: {}, given: {g}",
                    types_text(&n.types)
                ),
            );
            return;
        }
        self.validate_schema(n, v, res, ctx);
        match v {
            Json::Null => self.validate_common(n, v, res, ctx),
            Json::Arr(a) => {
                self.validate_array(n, a, res, ctx);
                self.validate_common(n, v, res, ctx);
            }
            Json::Obj(o) => {
                self.validate_object(n, o, res, ctx);
                self.validate_common(n, v, res, ctx);
                for (k, c) in &n.properties {
                    if let Some(x) = o.get(k) {
                        self.recurse(*c, x, res, &with(ctx, k.clone()));
                    }
                }
            }
            Json::Num(t) => {
                self.validate_number(n, t, res, ctx);
                self.validate_common(n, v, res, ctx);
            }
            Json::Bool(_) => self.validate_common(n, v, res, ctx),
            Json::Str(s) => {
                self.validate_common(n, v, res, ctx);
                self.validate_string(n, s, res, ctx);
            }
        }
        res.score += 1;
    }

    fn validate_schema(&self, n: &Node, v: &Json, res: &mut Res, ctx: &[String]) {
        if !n.any_of.is_empty() {
            let mut ok = false;
            let mut best: Option<Res> = None;
            for s in &n.any_of {
                if ok {
                    break;
                }
                let r = self.sub(*s, v, ctx);
                ok = r.valid();
                if !ok && best.as_ref().is_none_or(|b| r.score > b.score) {
                    best = Some(r);
                }
            }
            if !ok {
                res.add(
                    "number_any_of",
                    ctx,
                    "Must validate at least one schema (anyOf)".into(),
                );
                if let Some(b) = best {
                    res.merge(b);
                }
            }
        }
        if !n.one_of.is_empty() {
            let mut count = 0;
            let mut best: Option<Res> = None;
            for s in &n.one_of {
                let r = self.sub(*s, v, ctx);
                if r.valid() {
                    count += 1;
                } else if count == 0 && best.as_ref().is_none_or(|b| r.score > b.score) {
                    best = Some(r);
                }
            }
            if count != 1 {
                res.add(
                    "number_one_of",
                    ctx,
                    "Must validate one and only one schema (oneOf)".into(),
                );
                if count == 0
                    && let Some(b) = best
                {
                    res.merge(b);
                }
            }
        }
        if !n.all_of.is_empty() {
            let mut count = 0;
            for s in &n.all_of {
                let r = self.sub(*s, v, ctx);
                if r.valid() {
                    count += 1;
                }
                res.merge(r);
            }
            if count != n.all_of.len() {
                res.add(
                    "number_all_of",
                    ctx,
                    "Must validate all the schemas (allOf)".into(),
                );
            }
        }
        if let Some(s) = n.not
            && self.sub(s, v, ctx).valid()
        {
            res.add(
                "number_not",
                ctx,
                "Must not validate the schema (not)".into(),
            );
        }
        if let Json::Obj(o) = v {
            for (k, d) in &n.dependencies {
                if !o.contains_key(k) {
                    continue;
                }
                match d {
                    Dep::Props(names) => {
                        for name in names {
                            if !o.contains_key(name) {
                                res.add(
                                    "missing_dependency",
                                    ctx,
                                    format!("Has a dependency on {name}"),
                                );
                            }
                        }
                    }
                    Dep::Schema(s) => self.recurse(*s, v, res, ctx),
                }
            }
        }
        if let Some(c) = n.if_ {
            let cond = self.sub(c, v, ctx).valid();
            if let (Some(t), true) = (n.then_, cond) {
                let r = self.sub(t, v, ctx);
                if !r.valid() {
                    res.add(
                        "condition_then",
                        ctx,
                        "Must validate \"then\" as \"if\" was valid".into(),
                    );
                    res.merge(r);
                }
            }
            if let (Some(e), false) = (n.else_, cond) {
                let r = self.sub(e, v, ctx);
                if !r.valid() {
                    res.add(
                        "condition_else",
                        ctx,
                        "Must validate \"else\" as \"if\" was not valid".into(),
                    );
                    res.merge(r);
                }
            }
        }
        res.score += 1;
    }

    fn validate_common(&self, n: &Node, v: &Json, res: &mut Res, ctx: &[String]) {
        if let Some(c) = &n.constant
            && &normalized(v) != c
        {
            let desc = format!("{} does not match: {c}", field_name(ctx));
            res.add("const", ctx, desc);
        }
        if let Some(list) = &n.enumeration
            && !list.contains(&normalized(v))
        {
            let desc = format!(
                "{} must be one of the following: {}",
                field_name(ctx),
                list.join(", ")
            );
            res.add("enum", ctx, desc);
        }
        if let Some(f) = &n.format
            && !is_format(f, v)
        {
            res.add("format", ctx, format!("Does not match format '{f}'"));
        }
        res.score += 1;
    }

    fn validate_array(&self, n: &Node, a: &[Json], res: &mut Res, ctx: &[String]) {
        match &n.items {
            Items::None => {}
            Items::Single(s) => {
                for (i, x) in a.iter().enumerate() {
                    let r = self.sub(*s, x, &with(ctx, i.to_string()));
                    res.merge(r);
                }
            }
            Items::List(list) => {
                for (i, (s, x)) in list.iter().zip(a.iter()).enumerate() {
                    let r = self.sub(*s, x, &with(ctx, i.to_string()));
                    res.merge(r);
                }
                if list.len() < a.len() {
                    match n.additional_items {
                        Extra::Bool(false) => res.add(
                            "array_no_additional_items",
                            ctx,
                            "No additional items allowed on array".into(),
                        ),
                        Extra::Schema(s) => {
                            for (i, x) in a.iter().enumerate().skip(list.len()) {
                                let r = self.sub(s, x, &with(ctx, i.to_string()));
                                res.merge(r);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        let len = a.len() as i64;
        if let Some(m) = n.min_items
            && len < m
        {
            res.add(
                "array_min_items",
                ctx,
                format!("Array must have at least {m} items"),
            );
        }
        if let Some(m) = n.max_items
            && len > m
        {
            res.add(
                "array_max_items",
                ctx,
                format!("Array must have at most {m} items"),
            );
        }
        if n.unique_items {
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (j, x) in a.iter().enumerate() {
                let s = normalized(x);
                if let Some(i) = seen.get(&s) {
                    res.add(
                        "unique",
                        ctx,
                        format!("array items[{i},{j}] must be unique"),
                    );
                }
                seen.insert(s, j);
            }
        }
        if let Some(c) = n.contains {
            let mut ok = false;
            let mut best: Option<Res> = None;
            for (i, x) in a.iter().enumerate() {
                let r = self.sub(c, x, &with(ctx, i.to_string()));
                if r.valid() {
                    ok = true;
                    break;
                }
                if best.as_ref().is_none_or(|b| r.score > b.score) {
                    best = Some(r);
                }
            }
            if !ok {
                res.add(
                    "contains",
                    ctx,
                    "At least one of the items must match".into(),
                );
                if let Some(b) = best {
                    res.merge(b);
                }
            }
        }
        res.score += 1;
    }

    fn validate_object(&self, n: &Node, o: &BTreeMap<String, Json>, res: &mut Res, ctx: &[String]) {
        let len = o.len() as i64;
        if let Some(m) = n.min_properties
            && len < m
        {
            res.add(
                "array_min_properties",
                ctx,
                format!("Must have at least {m} properties"),
            );
        }
        if let Some(m) = n.max_properties
            && len > m
        {
            res.add(
                "array_max_properties",
                ctx,
                format!("Must have at most {m} properties"),
            );
        }
        for r in &n.required {
            if o.contains_key(r) {
                res.score += 1;
            } else {
                res.add("required", ctx, format!("{r} is required"));
            }
        }
        for (k, x) in o {
            let found = n.properties.iter().any(|(p, _)| p == k);
            let mut matched = false;
            for (re, s) in &n.pattern_properties {
                if re.is_match(k) {
                    matched = true;
                    let r = self.sub(*s, x, &with(ctx, k.clone()));
                    res.merge(r);
                }
            }
            if matched {
                res.score += 1;
            }
            if !found && !matched {
                match n.additional_properties {
                    Extra::Bool(false) => res.add(
                        "additional_property_not_allowed",
                        ctx,
                        format!("Additional property {k} is not allowed"),
                    ),
                    Extra::Schema(s) => {
                        let r = self.sub(s, x, &with(ctx, k.clone()));
                        res.merge(r);
                    }
                    _ => {}
                }
            }
        }
        if let Some(pn) = n.property_names {
            for k in o.keys() {
                let r = self.sub(pn, &Json::Str(k.clone()), ctx);
                if !r.valid() {
                    res.add(
                        "invalid_property_name",
                        ctx,
                        format!("Property name of \"{k}\" does not match"),
                    );
                    res.merge(r);
                }
            }
        }
        res.score += 1;
    }

    fn validate_string(&self, n: &Node, s: &str, res: &mut Res, ctx: &[String]) {
        let len = s.chars().count() as i64;
        if let Some(m) = n.min_length
            && len < m
        {
            res.add(
                "string_gte",
                ctx,
                format!("String length must be greater than or equal to {m}"),
            );
        }
        if let Some(m) = n.max_length
            && len > m
        {
            res.add(
                "string_lte",
                ctx,
                format!("String length must be less than or equal to {m}"),
            );
        }
        if let Some((p, re)) = &n.pattern
            && !re.is_match(s)
        {
            res.add("pattern", ctx, format!("Does not match pattern '{p}'"));
        }
        res.score += 1;
    }

    fn validate_number(&self, n: &Node, t: &str, res: &mut Res, ctx: &[String]) {
        let Some(x) = Dec::parse(t) else { return };
        if let Some(m) = &n.multiple_of
            && !x.is_multiple_of(m)
        {
            res.add(
                "multiple_of",
                ctx,
                format!("Must be a multiple of {}", m.go_big_float()),
            );
        }
        if let Some(m) = &n.maximum
            && x.cmp(m) == Ordering::Greater
        {
            res.add(
                "number_lte",
                ctx,
                format!("Must be less than or equal to {}", m.go_big_float()),
            );
        }
        if let Some(m) = &n.exclusive_maximum
            && x.cmp(m) != Ordering::Less
        {
            res.add(
                "number_lt",
                ctx,
                format!("Must be less than {}", m.go_big_float()),
            );
        }
        if let Some(m) = &n.minimum
            && x.cmp(m) == Ordering::Less
        {
            res.add(
                "number_gte",
                ctx,
                format!("Must be greater than or equal to {}", m.go_big_float()),
            );
        }
        if let Some(m) = &n.exclusive_minimum
            && x.cmp(m) != Ordering::Greater
        {
            res.add(
                "number_gt",
                ctx,
                format!("Must be greater than {}", m.go_big_float()),
            );
        }
        res.score += 1;
    }
}

// --- formats ----------------------------------------------------------------

/// gojsonschema's format checkers; unknown formats and non-string values
/// pass.
fn is_format(name: &str, v: &Json) -> bool {
    let Json::Str(s) = v else { return true };
    match name {
        "date-time" => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        "date" => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10,
        "time" => chrono::DateTime::parse_from_rfc3339(&format!("1970-01-01T{s}")).is_ok(),
        "email" | "idn-email" => {
            let Some((local, domain)) = s.rsplit_once('@') else {
                return false;
            };
            !local.is_empty() && !domain.is_empty() && !s.contains(char::is_whitespace)
        }
        "ipv4" => s.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => s.contains(':') && s.parse::<std::net::Ipv6Addr>().is_ok(),
        "uuid" => Regex::new("^(?i)[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")
            .is_ok_and(|re| re.is_match(s)),
        "uri" | "iri" => url::Url::parse(s).is_ok(),
        "hostname" | "idn-hostname" => {
            s.len() <= 253
                && s.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
        }
        "regex" => Regex::new(s).is_ok(),
        "json-pointer" => s.is_empty() || s.starts_with('/'),
        _ => true,
    }
}
