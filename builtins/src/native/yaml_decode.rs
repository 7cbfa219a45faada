//! `yaml.unmarshal` and `yaml.is_valid` as OPA v1.20.2 computes them.
//!
//! OPA turns YAML into JSON with sigs.k8s.io/yaml, which decodes with
//! go-yaml v2 into Go values and then marshals those as JSON. This module
//! follows the same three steps:
//!
//! 1. **parse** the first document into a node tree with the go-yaml
//!    compatible event parser of [`super::yaml_events`] (scalar styles and
//!    tags decide resolution); go-yaml reads only the first document;
//! 2. **decode** the tree as go-yaml v2 decodes into `interface{}`: plain
//!    scalars resolved by YAML 1.1 rules ([`resolve_scalar`]), explicit
//!    tags checked, `<<` merge keys applied in place, aliases expanded
//!    under go-yaml's alias-ratio limit (so a "billion laughs" document
//!    fails instead of growing), later duplicate keys winning;
//! 3. **convert** as sigs.k8s.io/yaml does: int / float / bool keys become
//!    strings, null and `uint64` keys are errors, and JSON marshalling
//!    rejects NaN and infinities.
//!
//! Syntax errors carry go-yaml's messages and line numbers (see
//! [`super::yaml_events::SyntaxError::message`]).
//!
//! Known differences from OPA:
//! - values nest at most [`DEFAULT_MAX_DEPTH`] (512) levels, the limit of
//!   this crate's value model; go-yaml accepts up to 10,000, so documents
//!   nested 513 to 10,000 deep fail here with `yaml: exceeded max depth of
//!   512` (and `yaml.is_valid` says false);
//! - where Go's random map order decides (two keys that become the same
//!   string, like `1` and `1.0`, or which of several unsupported keys is
//!   reported), the later key in the document wins or the first is named.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use base64::Engine as _;

use super::goyaml::{Resolved, go_format_g, go_format_g32, resolve_scalar};
use super::yaml_events::{Event, Parser};
use crate::{DEFAULT_MAX_DEPTH, Value};

/// The prefix of the YAML core tags (`!!str` is `tag:yaml.org,2002:str`).
const CORE: &str = "tag:yaml.org,2002:";

/// A parsed node; children are indices into the document's node list.
enum Node {
    Scalar {
        value: String,
        /// The resolved tag, e.g. `tag:yaml.org,2002:int`, `!foo` or `!`.
        tag: Option<String>,
        /// Plain and untagged (or tagged `!`): resolved by its content.
        implicit: bool,
    },
    Seq(Vec<usize>),
    /// Keys and values alternate.
    Map(Vec<usize>),
    Alias {
        target: usize,
        name: String,
    },
}

/// `yaml.unmarshal`: the JSON value OPA gets, or its error text.
pub(crate) fn unmarshal(src: &str) -> Result<Value, String> {
    let Some((nodes, root)) = parse_first_document(src)? else {
        return Ok(Value::Null);
    };
    let mut d = Decoder {
        nodes: &nodes,
        decode_count: 0,
        alias_count: 0,
        alias_depth: 0,
        active: HashSet::new(),
    };
    d.enter()?; // the document node
    let go = d.unmarshal(root, 0)?;
    let json = jsonable(go)?;
    to_value(json)
}

/// `yaml.is_valid`: whether OPA's `yaml.Unmarshal` into `interface{}`
/// succeeds (which includes the JSON round trip).
pub(crate) fn is_valid(src: &str) -> bool {
    unmarshal(src).is_ok()
}

// --- parsing ---------------------------------------------------------------

/// The first document's nodes and its root (go-yaml reads no further);
/// `None` for a stream without documents (empty input, only comments).
fn parse_first_document(src: &str) -> Result<Option<(Vec<Node>, usize)>, String> {
    let mut parser = Parser::new(src);
    let mut next = move || parser.next().map(|(e, _)| e).map_err(|e| e.message());
    next()?; // STREAM-START
    match next()? {
        Event::DocumentStart => {}
        _ => return Ok(None),
    }
    let mut nodes: Vec<Node> = Vec::new();
    let mut anchors: HashMap<String, usize> = HashMap::new();
    // Open collections.
    let mut open: Vec<usize> = Vec::new();
    let root = loop {
        let idx = nodes.len();
        let (done, anchor) = match next()? {
            Event::Scalar {
                value,
                style: _,
                anchor,
                tag,
                implicit,
            } => {
                nodes.push(Node::Scalar {
                    value,
                    tag,
                    implicit,
                });
                (Some(idx), anchor)
            }
            Event::SequenceStart { anchor } => {
                nodes.push(Node::Seq(Vec::new()));
                open.push(idx);
                (None, anchor)
            }
            Event::MappingStart { anchor } => {
                nodes.push(Node::Map(Vec::new()));
                open.push(idx);
                (None, anchor)
            }
            Event::SequenceEnd | Event::MappingEnd => (open.pop(), None),
            Event::Alias(name) => {
                let Some(&target) = anchors.get(&name) else {
                    return Err(format!("yaml: unknown anchor '{name}' referenced"));
                };
                nodes.push(Node::Alias { target, name });
                (Some(idx), None)
            }
            _ => return Err("yaml: did not find expected node content".into()),
        };
        if let Some(a) = anchor {
            anchors.insert(a, idx);
        }
        let Some(done) = done else { continue };
        match open.last().and_then(|&p| nodes.get_mut(p)) {
            Some(Node::Seq(items) | Node::Map(items)) => items.push(done),
            _ => break done,
        }
    };
    match next()? {
        Event::DocumentEnd => Ok(Some((nodes, root))),
        _ => Err("yaml: did not find expected <document end>".into()),
    }
}

// --- decoding ----------------------------------------------------------------

/// A value as go-yaml v2 decodes it into `interface{}`.
#[derive(Debug, Clone)]
enum GoVal {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<GoVal>),
    Map(GoMap),
}

/// How a Go map tells keys apart (`==` on the dynamic type and value).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyId {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    Str(String),
}

/// Go's `map[interface{}]interface{}`, kept in insertion order.
#[derive(Debug, Clone, Default)]
struct GoMap {
    entries: Vec<(GoVal, GoVal)>,
    index: HashMap<KeyId, usize>,
}

impl GoMap {
    fn key_id(k: &GoVal) -> Option<KeyId> {
        Some(match k {
            GoVal::Nil => KeyId::Nil,
            GoVal::Bool(b) => KeyId::Bool(*b),
            GoVal::Int(i) => KeyId::Int(*i),
            GoVal::Uint(u) => KeyId::Uint(*u),
            // NaN never equals itself: every NaN key is a new entry.
            GoVal::Float(f) if f.is_nan() => return None,
            GoVal::Float(f) => KeyId::Float((f + 0.0).to_bits()),
            GoVal::Str(s) => KeyId::Str(s.clone()),
            GoVal::Seq(_) | GoVal::Map(_) => return None,
        })
    }

    /// `m[k] = v`: a key already present keeps its place, gets the value.
    fn insert(&mut self, k: GoVal, v: GoVal) {
        match Self::key_id(&k) {
            Some(id) => match self.index.get(&id) {
                Some(&i) => {
                    if let Some(e) = self.entries.get_mut(i) {
                        e.1 = v;
                    }
                }
                None => {
                    self.index.insert(id, self.entries.len());
                    self.entries.push((k, v));
                }
            },
            None => self.entries.push((k, v)),
        }
    }
}

struct Decoder<'a> {
    nodes: &'a [Node],
    decode_count: u64,
    alias_count: u64,
    alias_depth: u32,
    /// Alias nodes being expanded (an alias inside its own target loops).
    active: HashSet<usize>,
}

/// go-yaml's share of decode steps that may come from alias expansion.
#[allow(clippy::cast_precision_loss)]
fn allowed_alias_ratio(decode_count: u64) -> f64 {
    const LOW: u64 = 400_000;
    const HIGH: u64 = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

fn too_deep() -> String {
    format!("yaml: exceeded max depth of {DEFAULT_MAX_DEPTH}")
}

fn merge_error() -> String {
    "yaml: map merge requires map or sequence of maps as the value".to_string()
}

impl<'a> Decoder<'a> {
    fn node(&self, idx: usize) -> Result<&'a Node, String> {
        let nodes: &'a [Node] = self.nodes;
        nodes
            .get(idx)
            .ok_or_else(|| "yaml: internal error: dangling node".to_string())
    }

    /// One decode step, counted as go-yaml counts them.
    #[allow(clippy::cast_precision_loss)]
    fn enter(&mut self) -> Result<(), String> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err("yaml: document contains excessive aliasing".into());
        }
        Ok(())
    }

    /// Expand the alias node `idx` with `f` applied to its target.
    fn through_alias<T>(
        &mut self,
        idx: usize,
        target: usize,
        name: &str,
        f: impl FnOnce(&mut Self, usize) -> Result<T, String>,
    ) -> Result<T, String> {
        if !self.active.insert(idx) {
            return Err(format!("yaml: anchor '{name}' value contains itself"));
        }
        self.alias_depth += 1;
        let r = f(self, target);
        self.alias_depth -= 1;
        self.active.remove(&idx);
        r
    }

    /// Decode node `idx` nested `depth` collections deep.
    fn unmarshal(&mut self, idx: usize, depth: usize) -> Result<GoVal, String> {
        self.enter()?;
        match self.node(idx)? {
            Node::Scalar {
                value,
                tag,
                implicit,
            } => scalar(value, *implicit, tag.as_deref()),
            Node::Seq(items) => {
                if depth >= DEFAULT_MAX_DEPTH {
                    return Err(too_deep());
                }
                let mut out = Vec::with_capacity(items.len());
                for &c in items {
                    out.push(self.unmarshal(c, depth + 1)?);
                }
                Ok(GoVal::Seq(out))
            }
            Node::Map(children) => {
                if depth >= DEFAULT_MAX_DEPTH {
                    return Err(too_deep());
                }
                let mut m = GoMap::default();
                self.fill_map(children, &mut m, depth)?;
                Ok(GoVal::Map(m))
            }
            Node::Alias { target, name } => {
                self.through_alias(idx, *target, name, |d, t| d.unmarshal(t, depth))
            }
        }
    }

    /// Decode a mapping's entries into `m` (go-yaml's `d.mapping`).
    fn fill_map(&mut self, children: &[usize], m: &mut GoMap, depth: usize) -> Result<(), String> {
        for pair in children.chunks(2) {
            let (&k, &v) = match pair {
                [k, v] => (k, v),
                _ => return Err("yaml: internal error: odd mapping".into()),
            };
            if self.is_merge(k)? {
                self.merge(v, m, depth)?;
                continue;
            }
            let key = self.unmarshal(k, depth + 1)?;
            if matches!(key, GoVal::Seq(_) | GoVal::Map(_)) {
                return Err(format!("yaml: invalid map key: {}", go_syntax(&key, true)));
            }
            let val = self.unmarshal(v, depth + 1)?;
            m.insert(key, val);
        }
        Ok(())
    }

    /// A `<<` key: plain (or `!!merge`-tagged) scalar `<<`.
    fn is_merge(&self, idx: usize) -> Result<bool, String> {
        Ok(match self.node(idx)? {
            Node::Scalar {
                value,
                tag,
                implicit,
            } => value == "<<" && (*implicit || tag.as_deref() == Some("tag:yaml.org,2002:merge")),
            _ => false,
        })
    }

    /// Whether node `idx` is a mapping, looking through one alias.
    fn is_map(&self, idx: usize) -> Result<bool, String> {
        Ok(match self.node(idx)? {
            Node::Map(_) => true,
            &Node::Alias { target, .. } => matches!(self.node(target)?, Node::Map(_)),
            _ => false,
        })
    }

    /// Apply the value of a `<<` key to `m` (go-yaml v2: merged entries
    /// overwrite earlier keys; in a sequence, earlier maps win).
    fn merge(&mut self, idx: usize, m: &mut GoMap, depth: usize) -> Result<(), String> {
        match self.node(idx)? {
            Node::Map(_) | Node::Alias { .. } => {
                if !self.is_map(idx)? {
                    return Err(merge_error());
                }
                self.merge_into(idx, m, depth)
            }
            Node::Seq(items) => {
                for &c in items.iter().rev() {
                    if !self.is_map(c)? {
                        return Err(merge_error());
                    }
                    self.merge_into(c, m, depth)?;
                }
                Ok(())
            }
            Node::Scalar { .. } => Err(merge_error()),
        }
    }

    /// Decode the mapping (or alias of one) `idx` into the existing `m`.
    fn merge_into(&mut self, idx: usize, m: &mut GoMap, depth: usize) -> Result<(), String> {
        self.enter()?;
        match self.node(idx)? {
            Node::Map(children) => self.fill_map(children, m, depth),
            Node::Alias { target, name } => {
                self.through_alias(idx, *target, name, |d, t| d.merge_into(t, m, depth))
            }
            _ => Err(merge_error()),
        }
    }
}

/// The long tag go-yaml names for a resolution.
fn resolved_tag(r: &Resolved) -> &'static str {
    match r {
        Resolved::Null => "tag:yaml.org,2002:null",
        Resolved::Bool(_) => "tag:yaml.org,2002:bool",
        Resolved::Int(_) | Resolved::Uint(_) => "tag:yaml.org,2002:int",
        Resolved::Float(_) => "tag:yaml.org,2002:float",
        Resolved::Timestamp => "tag:yaml.org,2002:timestamp",
        Resolved::Str => "tag:yaml.org,2002:str",
    }
}

/// `!!int` for `tag:yaml.org,2002:int`; other tags as they are.
fn short_tag(tag: &str) -> String {
    match tag.strip_prefix(CORE) {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_string(),
    }
}

/// A scalar as go-yaml decodes it into `interface{}`.
fn scalar(value: &str, implicit: bool, tag: Option<&str>) -> Result<GoVal, String> {
    let resolved = match tag {
        // Quoted and block scalars without a tag are strings.
        None if !implicit => return Ok(GoVal::Str(value.to_string())),
        None => resolve_scalar(value, true),
        Some(t) => {
            let Some(kind) = t.strip_prefix(CORE) else {
                // `!`, `!foo`, …: not resolvable, the text as is.
                return Ok(GoVal::Str(value.to_string()));
            };
            match kind {
                "binary" => {
                    let text: String = value
                        .chars()
                        .filter(|c| !matches!(c, '\r' | '\n'))
                        .collect();
                    let bytes = super::jose::B64STD.decode(text).map_err(|_| {
                        "yaml: !!binary value contains invalid base64 data".to_string()
                    })?;
                    return Ok(GoVal::Str(go_lossy_utf8(&bytes)));
                }
                "str" => return Ok(GoVal::Str(value.to_string())),
                "bool" | "int" | "float" | "null" | "timestamp" => {}
                _ => return Ok(GoVal::Str(value.to_string())),
            }
            let r = resolve_scalar(value, kind == "timestamp");
            let rtag = resolved_tag(&r);
            if rtag != t {
                match r {
                    Resolved::Int(i) if kind == "float" => {
                        #[allow(clippy::cast_precision_loss)]
                        return Ok(GoVal::Float(i as f64));
                    }
                    _ => {
                        return Err(format!(
                            "yaml: cannot decode {} `{value}` as a {}",
                            short_tag(rtag),
                            short_tag(t)
                        ));
                    }
                }
            }
            r
        }
    };
    Ok(match resolved {
        Resolved::Null => GoVal::Nil,
        Resolved::Bool(b) => GoVal::Bool(b),
        Resolved::Int(i) => GoVal::Int(i),
        Resolved::Uint(u) => GoVal::Uint(u),
        Resolved::Float(f) => GoVal::Float(f),
        // Timestamps stay the text they were (go-yaml v2 into interface{}).
        Resolved::Timestamp | Resolved::Str => GoVal::Str(value.to_string()),
    })
}

/// Bytes as Go's `json.Marshal` writes a string holding them: every byte
/// of an invalid UTF-8 sequence becomes U+FFFD.
fn go_lossy_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push('\u{fffd}');
        }
    }
    out
}

/// Go's `%#v` of a decoded value (`top`: not inside a container, where a
/// nil prints as `<nil>` rather than `interface {}(nil)`).
fn go_syntax(v: &GoVal, top: bool) -> String {
    match v {
        GoVal::Nil if top => "<nil>".into(),
        GoVal::Nil => "interface {}(nil)".into(),
        GoVal::Bool(b) => b.to_string(),
        GoVal::Int(i) => i.to_string(),
        GoVal::Uint(u) => format!("{u:#x}"),
        GoVal::Float(f) => go_format_v(*f),
        GoVal::Str(s) => super::go_quote(s),
        GoVal::Seq(items) => {
            let inner: Vec<String> = items.iter().map(|x| go_syntax(x, false)).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        GoVal::Map(m) => {
            let mut inner: Vec<(String, String)> = m
                .entries
                .iter()
                .map(|(k, v)| (go_syntax(k, false), go_syntax(v, false)))
                .collect();
            inner.sort();
            let inner: Vec<String> = inner.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
        }
    }
}

/// Go's `%#v` of a float64: `strconv.FormatFloat(f, 'g', -1, 64)`.
fn go_format_v(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        go_format_g(f)
    }
}

/// Go's `strconv.FormatFloat(f, 'e', -1, 64)`: `1.5e+21`, `1e-07`.
fn go_exp(f: f64) -> String {
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}e{sign}{:02}", exp.abs())
}

// --- JSON conversion ---------------------------------------------------------

/// A value after sigs.k8s.io/yaml's conversion: string keys only.
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(BTreeMap<String, Json>),
}

/// sigs.k8s.io/yaml's `convertToJSONableObject`.
fn jsonable(v: GoVal) -> Result<Json, String> {
    Ok(match v {
        GoVal::Nil => Json::Null,
        GoVal::Bool(b) => Json::Bool(b),
        GoVal::Int(i) => Json::Int(i),
        GoVal::Uint(u) => Json::Uint(u),
        GoVal::Float(f) => Json::Float(f),
        GoVal::Str(s) => Json::Str(s),
        GoVal::Seq(items) => Json::Arr(items.into_iter().map(jsonable).collect::<Result<_, _>>()?),
        GoVal::Map(m) => {
            let mut out = BTreeMap::new();
            for (k, v) in m.entries {
                let key = match &k {
                    GoVal::Str(s) => s.clone(),
                    GoVal::Int(i) => i.to_string(),
                    GoVal::Bool(b) => b.to_string(),
                    GoVal::Float(f) => match go_format_g32(*f).as_str() {
                        "+Inf" => ".inf".into(),
                        "-Inf" => "-.inf".into(),
                        "NaN" => ".nan".into(),
                        s => s.to_string(),
                    },
                    GoVal::Nil => {
                        return Err(format!(
                            "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                            go_syntax(&v, true)
                        ));
                    }
                    other => {
                        let ty = match other {
                            GoVal::Uint(_) => "uint64",
                            GoVal::Seq(_) => "[]interface {}",
                            _ => "map[interface {}]interface {}",
                        };
                        return Err(format!(
                            "unsupported map key of type: {ty}, key: {}, value: {}",
                            go_syntax(other, true),
                            go_syntax(&v, true)
                        ));
                    }
                };
                out.insert(key, jsonable(v)?);
            }
            Json::Obj(out)
        }
    })
}

/// Go's `json.Marshal` text of a float64 (`1e+21`, `1e-7`, `0.5`).
fn go_json_float(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let mut s = go_exp(f);
        // Go trims one leading zero of a negative two-digit exponent.
        if let Some(p) = s.find("e-0") {
            s.remove(p + 2);
        }
        s
    } else {
        let mut s = String::new();
        let _ = write!(s, "{f}");
        s
    }
}

/// `json.Marshal` (keys sorted; NaN and infinities are errors) read back
/// as OPA reads it (numbers exact).
fn to_value(j: Json) -> Result<Value, String> {
    Ok(match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Int(i) => Value::int(i),
        Json::Uint(u) => super::number_value(&u.to_string()),
        Json::Float(f) if f.is_nan() => return Err("json: unsupported value: NaN".into()),
        Json::Float(f) if f.is_infinite() => {
            let s = if f > 0.0 { "+Inf" } else { "-Inf" };
            return Err(format!("json: unsupported value: {s}"));
        }
        Json::Float(f) => super::number_value(&go_json_float(f)),
        Json::Str(s) => Value::string(s),
        Json::Arr(items) => {
            Value::array(items.into_iter().map(to_value).collect::<Result<_, _>>()?)
        }
        Json::Obj(m) => {
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m {
                out.push((Value::string(k), to_value(v)?));
            }
            Value::object(out)
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn j(s: &str) -> Value {
        Value::from_json_str(s).unwrap()
    }

    #[test]
    fn yaml_1_1_scalars() {
        assert_eq!(
            unmarshal(
                "[y, n, yes, No, ON, off, ~, Null, 0x1F, 017, 0o17, 0b11, 1_000, .5, 1e3, +.inf_]"
            ),
            Ok(j(
                r#"[true, false, true, false, true, false, null, null, 31, 15, 15, 3, 1000, 0.5, 1000, "+.inf_"]"#
            ))
        );
        assert_eq!(unmarshal("a: 190:20:30"), Ok(j(r#"{"a": "190:20:30"}"#)));
        assert_eq!(
            unmarshal("a: '1'\nb: \"yes\""),
            Ok(j(r#"{"a": "1", "b": "yes"}"#))
        );
    }

    #[test]
    fn keys_tags_merges() {
        assert_eq!(
            unmarshal("1: a\n2.5: b\ntrue: c"),
            Ok(j(r#"{"1": "a", "2.5": "b", "true": "c"}"#))
        );
        assert_eq!(
            unmarshal("a: !!int \"3\"\nb: !foo 4"),
            Ok(j(r#"{"a": 3, "b": "4"}"#))
        );
        assert_eq!(
            unmarshal("b: &b {x: 1, q: 2}\nc:\n  <<: *b\n  q: 3"),
            Ok(j(r#"{"b": {"x": 1, "q": 2}, "c": {"x": 1, "q": 3}}"#))
        );
        assert_eq!(
            unmarshal("a: !!int abc"),
            Err("yaml: cannot decode !!str `abc` as a !!int".into())
        );
        assert_eq!(
            unmarshal("~: d"),
            Err("unsupported map key of type: %!s(<nil>), key: <nil>, value: \"d\"".into())
        );
    }

    #[test]
    fn aliases_are_bounded() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..30 {
            let p = i - 1;
            let _ = writeln!(
                doc,
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
            );
        }
        assert_eq!(
            unmarshal(&doc),
            Err("yaml: document contains excessive aliasing".into())
        );
        assert_eq!(
            unmarshal("a: &x [*x]"),
            Err("yaml: anchor 'x' value contains itself".into())
        );
    }

    #[test]
    fn errors_and_documents() {
        assert_eq!(unmarshal("a: 1\n---\nb: 2"), Ok(j(r#"{"a": 1}"#)));
        assert_eq!(unmarshal(""), Ok(Value::Null));
        assert_eq!(
            unmarshal("a: b: c"),
            Err("yaml: mapping values are not allowed in this context".into())
        );
        assert_eq!(
            unmarshal("[1, 2"),
            Err("yaml: line 1: did not find expected ',' or ']'".into())
        );
        assert_eq!(
            unmarshal("a: .nan"),
            Err("json: unsupported value: NaN".into())
        );
        let deep = "[".repeat(600) + &"]".repeat(600);
        assert!(unmarshal(&deep).is_err());
    }
}
