//! Builtins without a bigger family: `uuid.*`, `rand.intn`, `trace`,
//! `internal.print`, `opa.runtime`, the deprecated `cast_*`,
//! `graph.reachable_paths`, `uri.*`, and the builtins older OPA compilers
//! leave to the host (`internal.member_2/3`, `array.reverse`,
//! `object.keys`).

use super::{go_quote, native};
use crate::{BuiltinError, EvalContext, Registry, Value, args};
use std::collections::BTreeSet;

/// OPA's Rego text of a value (`ast.Value.String()`): `[1, 2]`,
/// `{"a": 1}`, `{1, 2}`, `set()`.
pub(crate) fn rego_text(v: &Value) -> String {
    match v {
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(rego_text).collect::<Vec<_>>().join(", ")
        ),
        Value::Set(s) if s.is_empty() => "set()".to_string(),
        Value::Set(s) => format!(
            "{{{}}}",
            s.iter().map(rego_text).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", rego_text(k), rego_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// A small deterministic generator (splitmix64) for seeded builtins.
struct SplitMix(u64);

impl SplitMix {
    fn new(seed: u64, key: &str) -> SplitMix {
        // FNV-1a of the key, mixed with the evaluation seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        SplitMix(seed ^ h)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), without modulo bias.
    fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

fn uuid_v4(ctx: &EvalContext, key: &str) -> String {
    let mut rng = SplitMix::new(ctx.seed(), key);
    let mut bytes = [0u8; 16];
    for chunk in bytes.chunks_mut(8) {
        let x = rng.next_u64().to_le_bytes();
        for (d, s) in chunk.iter_mut().zip(x) {
            *d = s;
        }
    }
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// google/uuid's `Parse`: 36 chars, `{...}`, `urn:uuid:...` or 32 hex.
fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let body = match s.len() {
        36 => s,
        38 if s.starts_with('{') && s.ends_with('}') => s.get(1..37)?,
        45 if s.get(..9)?.eq_ignore_ascii_case("urn:uuid:") => s.get(9..)?,
        32 => {
            let mut out = [0u8; 16];
            for (i, o) in out.iter_mut().enumerate() {
                *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
            }
            return Some(out);
        }
        _ => return None,
    };
    let b = body.as_bytes();
    if [8, 13, 18, 23].iter().any(|&i| b.get(i) != Some(&b'-')) {
        return None;
    }
    let mut out = [0u8; 16];
    let positions = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    for (o, p) in out.iter_mut().zip(positions) {
        let pair = body.get(p..p + 2)?;
        if !pair.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        *o = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

fn uuid_info(u: &[u8; 16]) -> Value {
    let [
        b0,
        b1,
        b2,
        b3,
        b4,
        b5,
        b6,
        b7,
        b8,
        b9,
        n0,
        n1,
        n2,
        n3,
        n4,
        n5,
    ] = *u;
    let version = b6 >> 4;
    let variant = match b8 {
        b if b & 0xc0 == 0x80 => "RFC4122",
        b if b & 0xe0 == 0xc0 => "Microsoft",
        b if b & 0xe0 == 0xe0 => "Future",
        _ => "Reserved",
    };
    let mut entries = vec![
        (Value::from("version"), Value::int(i64::from(version))),
        (Value::from("variant"), Value::from(variant)),
    ];
    if version == 1 || version == 2 {
        let time_low = u32::from_be_bytes([b0, b1, b2, b3]);
        let time_mid = u16::from_be_bytes([b4, b5]);
        let time_hi = u16::from_be_bytes([b6, b7]) & 0xfff;
        let t = i64::from(time_low) | (i64::from(time_mid) << 32) | (i64::from(time_hi) << 48);
        let t = t - 122_192_928_000_000_000;
        let (sec, nsec) = (t / 10_000_000, (t % 10_000_000) * 100);
        let node = [n0, n1, n2, n3, n4, n5];
        entries.push((
            Value::from("time"),
            Value::int(sec.wrapping_mul(1_000_000_000).wrapping_add(nsec)),
        ));
        entries.push((
            Value::from("nodeid"),
            Value::string(
                node.iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<Vec<_>>()
                    .join("-"),
            ),
        ));
        let local = if node[0] & 0x02 != 0 {
            "local"
        } else {
            "global"
        };
        let cast = if node[0] & 0x01 != 0 {
            "multicast"
        } else {
            "unicast"
        };
        entries.push((
            Value::from("macvariables"),
            Value::string(format!("{local}:{cast}")),
        ));
        entries.push((
            Value::from("clocksequence"),
            Value::int(i64::from(u16::from_be_bytes([b8, b9]) & 0x3fff)),
        ));
        if version == 2 {
            entries.push((Value::from("id"), Value::int(i64::from(time_low))));
            let domain = match b9 {
                0 => "Person".to_string(),
                1 => "Group".to_string(),
                2 => "Org".to_string(),
                d => format!("Domain{d}"),
            };
            entries.push((Value::from("domain"), Value::string(domain)));
        }
    }
    Value::object(entries)
}

/// Go's `url.Parse`, reduced to the fields OPA's `uri.parse` returns.
mod gourl {
    use super::go_quote;
    use crate::native::encoding::query_unescape;

    #[derive(Default)]
    pub(super) struct Url {
        pub scheme: String,
        pub host: String,
        pub path: String,
        pub raw_path: String,
        pub raw_query: String,
        pub fragment: String,
    }

    fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
        for (i, c) in raw.bytes().enumerate() {
            match c {
                b'a'..=b'z' | b'A'..=b'Z' => {}
                b'0'..=b'9' | b'+' | b'-' | b'.' => {
                    if i == 0 {
                        return Ok(("", raw));
                    }
                }
                b':' => {
                    if i == 0 {
                        return Err("missing protocol scheme".into());
                    }
                    return Ok((raw.get(..i).unwrap_or(""), raw.get(i + 1..).unwrap_or("")));
                }
                _ => return Ok(("", raw)),
            }
        }
        Ok(("", raw))
    }

    fn valid_optional_port(port: &str) -> bool {
        port.is_empty()
            || (port.starts_with(':') && port.bytes().skip(1).all(|c| c.is_ascii_digit()))
    }

    /// Go's `escape(s, encodePath)`.
    pub(super) fn escape_path(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for &b in s.as_bytes() {
            match b {
                b'a'..=b'z'
                | b'A'..=b'Z'
                | b'0'..=b'9'
                | b'-'
                | b'_'
                | b'.'
                | b'~'
                | b'$'
                | b'&'
                | b'+'
                | b','
                | b'/'
                | b':'
                | b';'
                | b'='
                | b'@' => out.push(char::from(b)),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }

    fn unescape_path(s: &str) -> Result<String, String> {
        // Path unescaping keeps '+' as is.
        query_unescape(&s.replace('+', "%2B"))
    }

    fn parse_host(host: &str) -> Result<String, String> {
        if host.starts_with('[') {
            let Some(i) = host.rfind(']') else {
                return Err("missing ']' in host".into());
            };
            let colon_port = host.get(i + 1..).unwrap_or("");
            if !valid_optional_port(colon_port) {
                return Err(format!("invalid port {} after host", go_quote(colon_port)));
            }
        } else if let Some(i) = host.rfind(':') {
            let colon_port = host.get(i..).unwrap_or("");
            if !valid_optional_port(colon_port) {
                return Err(format!("invalid port {} after host", go_quote(colon_port)));
            }
        }
        unescape_path(host)
    }

    fn parse_inner(raw: &str) -> Result<Url, String> {
        if raw.bytes().any(|c| c < 0x20 || c == 0x7f) {
            return Err("net/url: invalid control character in URL".into());
        }
        let mut u = Url::default();
        if raw == "*" {
            u.path = "*".into();
            return Ok(u);
        }
        let (scheme, mut rest) = get_scheme(raw)?;
        u.scheme = scheme.to_ascii_lowercase();
        let rest_owned;
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            rest = rest.get(..rest.len() - 1).unwrap_or("");
        } else if let Some((a, q)) = rest.split_once('?') {
            u.raw_query = q.to_string();
            rest_owned = a.to_string();
            rest = &rest_owned;
        }
        if !rest.starts_with('/') {
            if !u.scheme.is_empty() {
                return Ok(u);
            }
            let segment = rest.split('/').next().unwrap_or("");
            if segment.contains(':') {
                return Err("first path segment in URL cannot contain colon".into());
            }
        }
        let mut path = rest;
        if (!u.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let after = rest.get(2..).unwrap_or("");
            let (authority, p) = match after.find('/') {
                Some(i) => (after.get(..i).unwrap_or(""), after.get(i..).unwrap_or("")),
                None => (after, ""),
            };
            let host_part = match authority.rfind('@') {
                Some(i) => authority.get(i + 1..).unwrap_or(""),
                None => authority,
            };
            u.host = parse_host(host_part)?;
            path = p;
        }
        u.path = unescape_path(path)?;
        u.raw_path = path.to_string();
        Ok(u)
    }

    /// Parse, with Go's `parse "<url>": <reason>` error text.
    pub(super) fn parse(raw: &str) -> Result<Url, String> {
        let (main, frag) = match raw.split_once('#') {
            Some((a, f)) => (a, Some(f)),
            None => (raw, None),
        };
        let mut u = parse_inner(main).map_err(|e| format!("parse {}: {e}", go_quote(main)))?;
        if let Some(f) = frag {
            u.fragment = unescape_path(f).map_err(|e| format!("parse {}: {e}", go_quote(raw)))?;
        }
        Ok(u)
    }

    impl Url {
        /// Host without port and brackets.
        pub(super) fn hostname(&self) -> &str {
            let h = self.host.as_str();
            if let Some(rest) = h.strip_prefix('[') {
                return rest.split(']').next().unwrap_or("");
            }
            match h.rfind(':') {
                Some(i) => h.get(..i).unwrap_or(""),
                None => h,
            }
        }

        /// The port, if any.
        pub(super) fn port(&self) -> &str {
            let h = self.host.as_str();
            let after = match h.rfind(']') {
                Some(i) => h.get(i + 1..).unwrap_or(""),
                None => h,
            };
            match after.rfind(':') {
                Some(i) => after.get(i + 1..).unwrap_or(""),
                None => "",
            }
        }
    }
}

fn uri_value(u: &gourl::Url) -> Value {
    let mut entries = Vec::new();
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            entries.push((Value::from(k), Value::from(v)));
        }
    };
    put("scheme", &u.scheme);
    put("hostname", u.hostname());
    put("port", u.port());
    put("path", &u.path);
    let escaped = gourl::escape_path(&u.path);
    put(
        "raw_path",
        if escaped == u.raw_path {
            &u.path
        } else {
            &u.raw_path
        },
    );
    put("raw_query", &u.raw_query);
    put("fragment", &u.fragment);
    Value::object(entries)
}

fn edges_of(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.to_vec(),
        Value::Set(s) => s.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

/// OPA's `pathBuilder`: `reached` is shared by one traversal and marks a
/// node when the walk leaves it; a frame that meets reached neighbours
/// commits its accumulated path list (OPA's `paths` slice) each time.
fn path_builder(
    graph: &std::collections::BTreeMap<Value, Value>,
    root: &Value,
    path: &[Value],
    out: &mut BTreeSet<Value>,
    reached: &mut BTreeSet<Value>,
    budget: &mut usize,
) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    let Some(edges) = graph.get(root) else {
        out.insert(Value::array(path.to_vec()));
        return;
    };
    let mut path = path.to_vec();
    path.push(root.clone());
    let list = edges_of(edges);
    if list.is_empty() {
        out.insert(Value::array(path));
        return;
    }
    let mut acc: Vec<Value> = Vec::new();
    for neighbor in list {
        if reached.contains(&neighbor) {
            if acc.len() < 100_000 {
                acc.extend(path.iter().cloned());
            }
            out.insert(Value::array(acc.clone()));
        } else {
            reached.insert(root.clone());
            path_builder(graph, &neighbor, &path, out, reached, budget);
        }
    }
}

fn cast_type_err(name: &str, v: &Value, expected: &str) -> BuiltinError {
    BuiltinError::Type {
        name: name.to_string(),
        pos: 1,
        expected: expected.to_string(),
        got: v.type_name().to_string(),
    }
}

/// Register the miscellaneous builtins.
pub(crate) fn register(r: &mut Registry) {
    native(r, "uuid.parse", 1, |_, a| {
        let s = args::string("uuid.parse", a, 0)?;
        Ok(parse_uuid(s).map(|u| uuid_info(&u)))
    });
    native(r, "uuid.rfc4122", 1, |ctx, a| {
        let k = args::string("uuid.rfc4122", a, 0)?;
        ctx.cached("uuid.rfc4122", a, || {
            Ok::<_, BuiltinError>(Value::string(uuid_v4(ctx, &format!("uuid\0{k}"))))
        })
        .map(Some)
    });
    native(r, "rand.intn", 2, |ctx, a| {
        let name = "rand.intn";
        let s = args::string(name, a, 0)?;
        let n = super::int_operand(name, a, 1)?;
        if n == 0 {
            return Ok(Some(Value::int(0)));
        }
        let n = n.unsigned_abs();
        let key = format!("{s}-{n}");
        ctx.cached(name, &[Value::string(key.as_str())], || {
            let mut rng = SplitMix::new(ctx.seed(), &format!("rand\0{key}"));
            Ok::<_, BuiltinError>(Value::int(i64::try_from(rng.below(n)).unwrap_or(0)))
        })
        .map(Some)
    });
    native(r, "trace", 1, |ctx, a| {
        let s = args::string("trace", a, 0)?;
        ctx.print(s);
        Ok(Some(Value::Bool(true)))
    });
    native(r, "internal.print", 1, |ctx, a| {
        let name = "internal.print";
        let ops = args::array(name, a, 0)?;
        let mut sets = Vec::with_capacity(ops.len());
        for op in ops {
            match op {
                Value::Set(s) => sets.push(s.iter().cloned().collect::<Vec<_>>()),
                other => {
                    return Err(BuiltinError::failed(
                        name,
                        format!("illegal argument type: {}", other.type_name()),
                    ));
                }
            }
        }
        let mut lines = vec![Vec::<String>::new()];
        for values in &sets {
            let texts: Vec<String> = if values.is_empty() {
                vec!["<undefined>".to_string()]
            } else {
                values
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.to_string(),
                        other => rego_text(other),
                    })
                    .collect()
            };
            let mut next = Vec::with_capacity(lines.len() * texts.len());
            for line in &lines {
                for t in &texts {
                    let mut l = line.clone();
                    l.push(t.clone());
                    next.push(l);
                }
            }
            if next.len() > 10_000 {
                next.truncate(10_000);
            }
            lines = next;
        }
        for l in lines {
            ctx.print(l.join(" "));
        }
        Ok(Some(Value::Bool(true)))
    });
    native(r, "cast_array", 1, |_, a| {
        match args::any("cast_array", a, 0)? {
            v @ Value::Array(_) => Ok(Some(v.clone())),
            Value::Set(s) => Ok(Some(Value::array(s.iter().cloned().collect()))),
            other => Err(cast_type_err("cast_array", other, "one of {array, set}")),
        }
    });
    native(r, "cast_set", 1, |_, a| {
        match args::any("cast_set", a, 0)? {
            v @ Value::Set(_) => Ok(Some(v.clone())),
            Value::Array(x) => Ok(Some(Value::set(x.iter().cloned()))),
            other => Err(cast_type_err("cast_set", other, "one of {array, set}")),
        }
    });
    native(r, "cast_string", 1, |_, a| {
        args::string("cast_string", a, 0).map(|s| Some(Value::from(s)))
    });
    native(r, "cast_boolean", 1, |_, a| {
        args::boolean("cast_boolean", a, 0).map(|b| Some(Value::Bool(b)))
    });
    native(r, "cast_null", 1, |_, a| {
        match args::any("cast_null", a, 0)? {
            Value::Null => Ok(Some(Value::Null)),
            other => Err(cast_type_err("cast_null", other, "null")),
        }
    });
    native(r, "cast_object", 1, |_, a| {
        match args::any("cast_object", a, 0)? {
            v @ Value::Object(_) => Ok(Some(v.clone())),
            other => Err(cast_type_err("cast_object", other, "object")),
        }
    });
    native(r, "graph.reachable_paths", 2, |_, a| {
        let name = "graph.reachable_paths";
        let graph = args::object(name, a, 0)?;
        let initial: Vec<Value> = match args::any(name, a, 1)? {
            Value::Set(s) => s.iter().cloned().collect(),
            Value::Array(x) => x.to_vec(),
            other => return Err(cast_type_err(name, other, "{array, set}").with_pos(2)),
        };
        let mut paths = BTreeSet::new();
        let mut budget = 1_000_000usize;
        for node in &initial {
            if let Some(edges) = graph.get(node) {
                let list = edges_of(edges);
                if list.is_empty() {
                    paths.insert(Value::array(vec![node.clone()]));
                }
                for neighbor in list {
                    let mut reached = BTreeSet::from([node.clone()]);
                    let start = [node.clone()];
                    path_builder(
                        graph,
                        &neighbor,
                        &start,
                        &mut paths,
                        &mut reached,
                        &mut budget,
                    );
                }
            }
        }
        Ok(Some(Value::Set(std::sync::Arc::new(paths))))
    });
    native(r, "uri.parse", 1, |_, a| {
        let name = "uri.parse";
        let s = args::string(name, a, 0)?;
        gourl::parse(s)
            .map(|u| Some(uri_value(&u)))
            .map_err(|m| BuiltinError::failed(name, m))
    });
    native(r, "uri.is_valid", 1, |_, a| {
        let ok =
            matches!(a.first(), Some(Value::String(s)) if !s.is_empty() && gourl::parse(s).is_ok());
        Ok(Some(Value::Bool(ok)))
    });
    native(r, "internal.member_2", 2, |_, a| {
        let x = args::any("internal.member_2", a, 0)?;
        let c = args::any("internal.member_2", a, 1)?;
        let found = match c {
            Value::Array(v) => v.contains(x),
            Value::Set(s) => s.contains(x),
            Value::Object(o) => o.values().any(|v| v == x),
            _ => false,
        };
        Ok(Some(Value::Bool(found)))
    });
    native(r, "internal.member_3", 3, |_, a| {
        let k = args::any("internal.member_3", a, 0)?;
        let v = args::any("internal.member_3", a, 1)?;
        let c = args::any("internal.member_3", a, 2)?;
        let found = match (c, k) {
            (Value::Object(o), _) => o.get(k) == Some(v),
            (Value::Array(arr), Value::Number(n)) => {
                n.as_i64()
                    .and_then(|i| usize::try_from(i).ok())
                    .and_then(|i| arr.get(i))
                    == Some(v)
            }
            _ => false,
        };
        Ok(Some(Value::Bool(found)))
    });
    native(r, "array.reverse", 1, |_, a| {
        let arr = args::array("array.reverse", a, 0)?;
        Ok(Some(Value::array(arr.iter().rev().cloned().collect())))
    });
    native(r, "object.keys", 1, |_, a| {
        let o = args::object("object.keys", a, 0)?;
        Ok(Some(Value::set(o.keys().cloned())))
    });
}

trait WithPos {
    fn with_pos(self, pos: usize) -> Self;
}

impl WithPos for BuiltinError {
    fn with_pos(self, p: usize) -> Self {
        match self {
            BuiltinError::Type {
                name,
                expected,
                got,
                ..
            } => BuiltinError::Type {
                name,
                pos: p,
                expected,
                got,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn call(ctx: &EvalContext, name: &str, args: &[Value]) -> Result<Option<Value>, String> {
        Registry::with_defaults()
            .call(ctx, name, args)
            .map_err(|e| e.to_string())
    }

    fn v(s: &str) -> Value {
        Value::from_json_str(s).unwrap()
    }

    #[test]
    fn uuid_parse_matches_opa() {
        let ctx = EvalContext::new();
        assert_eq!(
            call(
                &ctx,
                "uuid.parse",
                &[v(r#""6ba7b810-9dad-11d1-80b4-00c04fd430c8""#)]
            ),
            Ok(Some(v(
                r#"{"clocksequence": 180, "macvariables": "global:unicast", "nodeid": "00-c0-4f-d4-30-c8", "time": 886630433151182400, "variant": "RFC4122", "version": 1}"#
            )))
        );
        assert_eq!(
            call(
                &ctx,
                "uuid.parse",
                &[v(r#""6ba7b810-9dad-21d1-e0b4-03c04fd430c8""#)]
            ),
            Ok(Some(v(
                r#"{"clocksequence": 8372, "domain": "Domain180", "id": 1806153744, "macvariables": "local:multicast", "nodeid": "03-c0-4f-d4-30-c8", "time": 886630433151182400, "variant": "Future", "version": 2}"#
            )))
        );
        assert_eq!(
            call(
                &ctx,
                "uuid.parse",
                &[v(r#""urn:uuid:6ba7b810-9dad-41d1-80b4-00c04fd430c8""#)]
            ),
            Ok(Some(v(r#"{"variant": "RFC4122", "version": 4}"#)))
        );
        assert_eq!(call(&ctx, "uuid.parse", &[v(r#""x""#)]), Ok(None));
    }

    #[test]
    fn nondeterministic_builtins_are_stable_per_evaluation() {
        let ctx = EvalContext::with_clock(0, 7);
        let a = call(&ctx, "uuid.rfc4122", &[v(r#""k""#)]).unwrap().unwrap();
        let b = call(&ctx, "uuid.rfc4122", &[v(r#""k""#)]).unwrap().unwrap();
        let c = call(&ctx, "uuid.rfc4122", &[v(r#""other""#)])
            .unwrap()
            .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.as_str().unwrap().len(), 36);
        assert_eq!(a.as_str().unwrap().as_bytes()[14], b'4');
        let x = call(&ctx, "rand.intn", &[v(r#""k""#), v("-5")])
            .unwrap()
            .unwrap();
        let y = call(&ctx, "rand.intn", &[v(r#""k""#), v("5")])
            .unwrap()
            .unwrap();
        assert_eq!(x, y);
        let n = x.as_number().unwrap().as_i64().unwrap();
        assert!((0..5).contains(&n));
        assert_eq!(
            call(&ctx, "rand.intn", &[v(r#""k""#), v("0")]),
            Ok(Some(v("0")))
        );
    }

    #[test]
    fn print_cross_product() {
        let ctx = EvalContext::new();
        let arg = Value::array(vec![
            Value::set([Value::from("a")]),
            Value::set([Value::int(1), Value::int(2)]),
            Value::set([]),
            Value::set([Value::array(vec![Value::int(1), Value::from("x")])]),
        ]);
        call(&ctx, "internal.print", &[arg]).unwrap();
        assert_eq!(
            ctx.take_prints(),
            vec![
                "a 1 <undefined> [1, \"x\"]".to_string(),
                "a 2 <undefined> [1, \"x\"]".to_string()
            ]
        );
    }

    #[test]
    fn uri_parse_matches_opa() {
        let ctx = EvalContext::new();
        assert_eq!(
            call(
                &ctx,
                "uri.parse",
                &[v(
                    r#""https://user:pw@Host.com:8080/p%20a/th?q=1&r=a+b#frag""#
                )]
            ),
            Ok(Some(v(
                r#"{"fragment": "frag", "hostname": "Host.com", "path": "/p a/th", "port": "8080", "raw_path": "/p a/th", "raw_query": "q=1&r=a+b", "scheme": "https"}"#
            )))
        );
        assert_eq!(
            call(&ctx, "uri.parse", &[v(r#""::""#)]),
            Err("uri.parse: parse \"::\": missing protocol scheme".into())
        );
        assert_eq!(call(&ctx, "uri.parse", &[v(r#""""#)]), Ok(Some(v("{}"))));
    }

    #[test]
    fn reachable_paths() {
        let ctx = EvalContext::new();
        assert_eq!(
            call(
                &ctx,
                "graph.reachable_paths",
                &[
                    v(r#"{"a":["b"],"b":["c"],"c":[]}"#),
                    Value::set([Value::from("a")])
                ]
            ),
            Ok(Some(Value::set([v(r#"["a","b","c"]"#)])))
        );
    }
}
