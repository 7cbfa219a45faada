//! `net.cidr_contains`, `net.cidr_intersects`, `net.cidr_expand`,
//! `net.cidr_is_valid`, `net.cidr_merge`, `net.cidr_contains_matches` with Go `net` semantics (IPv4 held as
//! IPv4-mapped IPv6 where Go does, Go's text forms and errors).

use super::native;
use crate::{BuiltinError, Registry, Value, args};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Addresses `net.cidr_expand` generates at most (OPA would run until
/// cancelled; a host must not exhaust memory).
const EXPAND_LIMIT: u128 = 1 << 20;

const MAPPED: u128 = 0xffff_u128 << 32;

/// A parsed network: address as 128 bits (IPv4 mapped), prefix in that
/// space, and whether Go holds it as 4 bytes.
#[derive(Clone, Copy, Debug)]
struct Net {
    addr: u128,
    prefix: u32,
    v4: bool,
}

impl Net {
    fn mask(&self) -> u128 {
        if self.prefix == 0 {
            0
        } else {
            u128::MAX << (128 - self.prefix)
        }
    }
    fn first(&self) -> u128 {
        self.addr & self.mask()
    }
    fn last(&self) -> u128 {
        self.first() | !self.mask()
    }
    fn contains(&self, ip: u128) -> bool {
        ip & self.mask() == self.first()
    }
}

/// Go's `netip.ParseAddr` (no zones).
fn parse_addr(s: &str) -> Option<(u128, bool)> {
    match s.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => {
            // Go rejects leading zeros; Rust does too.
            Some((MAPPED | u128::from(u32::from(a)), true))
        }
        IpAddr::V6(a) => {
            if s.contains('%') {
                return None;
            }
            Some((u128::from(a), false))
        }
    }
}

/// Go's `net.ParseCIDR`.
fn parse_cidr(s: &str) -> Result<Net, String> {
    let bad = || format!("invalid CIDR address: {s}");
    let (a, m) = s.split_once('/').ok_or_else(bad)?;
    let (addr, v4) = parse_addr(a).ok_or_else(bad)?;
    if m.is_empty() || !m.bytes().all(|c| c.is_ascii_digit()) || m.len() > 3 {
        return Err(bad());
    }
    let n: u32 = m.parse().map_err(|_| bad())?;
    let bits = if v4 { 32 } else { 128 };
    if n > bits {
        return Err(bad());
    }
    let prefix = if v4 { n + 96 } else { n };
    let net = Net { addr, prefix, v4 };
    Ok(Net {
        addr: net.first(),
        ..net
    })
}

/// Go's `IP.String()` of a 128-bit address.
fn ip_text(ip: u128) -> String {
    if ip >> 32 == 0xffff {
        return Ipv4Addr::from(u32::try_from(ip & 0xffff_ffff).unwrap_or(0)).to_string();
    }
    Ipv6Addr::from(ip).to_string()
}

/// Go's `IPNet.String()`.
fn net_text(addr: u128, prefix: u32) -> String {
    if addr >> 32 == 0xffff {
        format!("{}/{}", ip_text(addr), prefix.saturating_sub(96))
    } else {
        format!("{}/{}", ip_text(addr), prefix)
    }
}

fn block_end(first: u128, size: u32) -> u128 {
    if size >= 128 {
        u128::MAX
    } else {
        first | ((1u128 << size) - 1)
    }
}

/// Minimal CIDR cover of `[first, last]`.
fn range_to_cidrs(mut first: u128, last: u128) -> Vec<(u128, u32)> {
    let mut out = Vec::new();
    loop {
        let mut size = if first == 0 {
            128
        } else {
            first.trailing_zeros()
        };
        while size > 0 && block_end(first, size) > last {
            size -= 1;
        }
        out.push((first, 128 - size));
        let end = block_end(first, size);
        if end >= last {
            break;
        }
        first = end + 1;
    }
    out
}

fn generate_net(v: &Value) -> Result<(Net, Option<String>), String> {
    let Value::String(s) = v else {
        return Err("element must be string".into());
    };
    match s.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => {
            let o = a.octets()[0];
            let bits = if o < 0x80 {
                8
            } else if o < 0xc0 {
                16
            } else {
                24
            };
            let addr = MAPPED | u128::from(u32::from(a));
            // Go keeps the address unmasked in the network's text form.
            Ok((
                Net {
                    addr,
                    prefix: 96 + bits,
                    v4: true,
                },
                Some(format!("{a}/{bits}")),
            ))
        }
        Ok(IpAddr::V6(_)) if !s.contains('%') => Err("IPv6 invalid: needs prefix length".into()),
        _ => parse_cidr(s).map(|n| (n, None)),
    }
}

fn cidr_merge(name: &str, a: &[Value]) -> Result<Value, BuiltinError> {
    let items: Vec<&Value> = match args::any(name, a, 0)? {
        Value::Array(x) => x.iter().collect(),
        Value::Set(x) => x.iter().collect(),
        _ => return Err(BuiltinError::failed(name, "operand must be an array")),
    };
    struct R {
        first: u128,
        last: u128,
        net: Option<String>,
    }
    let mut ranges = Vec::with_capacity(items.len());
    for it in items {
        let (n, text) = generate_net(it).map_err(|m| BuiltinError::failed(name, m))?;
        ranges.push(R {
            first: n.first(),
            last: n.last(),
            net: Some(text.unwrap_or_else(|| net_text(n.first(), n.prefix))),
        });
    }
    ranges.sort_by(|x, y| x.last.cmp(&y.last).then(x.first.cmp(&y.first)));
    let mut i = ranges.len();
    while i > 1 {
        i -= 1;
        let (lo, hi) = ranges.split_at_mut(i);
        let (Some(prev), Some(cur)) = (lo.last_mut(), hi.first()) else {
            break;
        };
        let before = cur.first.saturating_sub(1);
        if before <= prev.last {
            prev.first = prev.first.min(cur.first);
            prev.last = cur.last;
            prev.net = None;
            ranges.remove(i);
        }
    }
    let mut out = BTreeSet::new();
    for r in ranges {
        match r.net {
            Some(t) => {
                out.insert(Value::string(t));
            }
            None => {
                for (addr, prefix) in range_to_cidrs(r.first, r.last) {
                    out.insert(Value::string(net_text(addr, prefix)));
                }
            }
        }
    }
    Ok(Value::Set(std::sync::Arc::new(out)))
}

/// Go's `IPNet.Contains`: network and address must be of one family once
/// IPv4-mapped addresses are read as IPv4 (`0.0.0.0/0` holds no IPv6
/// address, `::/0` no IPv4 one); an IPv4 network parsed from IPv6 text
/// keeps the low 32 bits of its mask.
fn go_contains(n: &Net, ip: u128) -> bool {
    let net4 = n.first() >> 32 == 0xffff;
    if net4 != (ip >> 32 == 0xffff) {
        return false;
    }
    if !net4 {
        return n.contains(ip);
    }
    let p = n.prefix.saturating_sub(96);
    let m32: u128 = if p == 0 {
        0
    } else {
        u128::from(u32::MAX << (32 - p.min(32)))
    };
    ip & m32 == n.first() & m32
}

/// OPA's `net.cidr_contains` on two strings.
fn contains(name: &str, cidr: &str, other: &str) -> Result<bool, BuiltinError> {
    let net = parse_cidr(cidr).map_err(|m| BuiltinError::failed(name, m))?;
    if let Some((ip, _)) = parse_addr(other) {
        return Ok(go_contains(&net, ip));
    }
    let inner = parse_cidr(other).map_err(|_| {
        BuiltinError::failed(
            name,
            format!("not a valid textual representation of an IP address or CIDR: {other}"),
        )
    })?;
    Ok(go_contains(&net, inner.first()) && go_contains(&net, inner.last()))
}

/// OPA's `net.cidr_intersects`: either network holds the other's first
/// address.
fn intersects(name: &str, a: &str, b: &str) -> Result<bool, BuiltinError> {
    let a = parse_cidr(a).map_err(|m| BuiltinError::failed(name, m))?;
    let b = parse_cidr(b).map_err(|m| BuiltinError::failed(name, m))?;
    Ok(go_contains(&a, b.first()) || go_contains(&b, a.first()))
}

fn match_terms(name: &str, pos: usize, v: &Value) -> Result<Vec<(Value, Value)>, BuiltinError> {
    let elem = |x: &Value| -> Result<Value, BuiltinError> {
        match x {
            Value::String(_) => Ok(x.clone()),
            Value::Array(a) if !a.is_empty() => Ok(a.first().cloned().unwrap_or(Value::Null)),
            _ => Err(BuiltinError::failed(
                name,
                format!("operand {pos}: element must be string or non-empty array"),
            )),
        }
    };
    Ok(match v {
        Value::String(_) => vec![(v.clone(), v.clone())],
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| Ok((elem(x)?, Value::int(i64::try_from(i).unwrap_or(0)))))
            .collect::<Result<_, BuiltinError>>()?,
        Value::Set(s) => s
            .iter()
            .map(|x| Ok((elem(x)?, x.clone())))
            .collect::<Result<_, BuiltinError>>()?,
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| Ok((elem(x)?, k.clone())))
            .collect::<Result<_, BuiltinError>>()?,
        _ => Vec::new(),
    })
}

/// The second operand as a string; OPA v1.20.2 names it "operand 1" in
/// the type error of `net.cidr_contains` and `net.cidr_intersects`.
fn second_string<'a>(name: &str, a: &'a [Value]) -> Result<&'a str, BuiltinError> {
    match a.get(1) {
        Some(Value::String(s)) => Ok(s),
        other => Err(args::type_error(
            name,
            0,
            "string",
            other.unwrap_or(&Value::Null),
        )),
    }
}

/// Register the `net.cidr_*` builtins.
pub(crate) fn register(r: &mut Registry) {
    native(r, "net.cidr_is_valid", 1, |_, a| {
        let ok = matches!(a.first(), Some(Value::String(s)) if parse_cidr(s).is_ok());
        Ok(Some(Value::Bool(ok)))
    });
    native(r, "net.cidr_expand", 1, |_, a| {
        let name = "net.cidr_expand";
        let s = args::string(name, a, 0)?;
        let n = parse_cidr(s).map_err(|m| BuiltinError::failed(name, m))?;
        let count = n.last() - n.first();
        if count >= EXPAND_LIMIT {
            return Err(BuiltinError::failed(
                name,
                "timed out before generating all IP addresses",
            ));
        }
        let mut out = BTreeSet::new();
        let mut ip = n.first();
        loop {
            out.insert(Value::string(ip_text(ip)));
            if ip == n.last() {
                break;
            }
            ip += 1;
        }
        let _ = n.v4;
        Ok(Some(Value::Set(std::sync::Arc::new(out))))
    });
    native(r, "net.cidr_contains", 2, |_, a| {
        let name = "net.cidr_contains";
        let (cidr, other) = (args::string(name, a, 0)?, second_string(name, a)?);
        contains(name, cidr, other).map(|b| Some(Value::Bool(b)))
    });
    // Deprecated (before Rego v1) name of `net.cidr_contains`.
    native(r, "net.cidr_overlap", 2, |_, a| {
        let name = "net.cidr_overlap";
        let (cidr, other) = (args::string(name, a, 0)?, second_string(name, a)?);
        contains(name, cidr, other).map(|b| Some(Value::Bool(b)))
    });
    native(r, "net.cidr_intersects", 2, |_, a| {
        let name = "net.cidr_intersects";
        let (x, y) = (args::string(name, a, 0)?, second_string(name, a)?);
        intersects(name, x, y).map(|b| Some(Value::Bool(b)))
    });
    native(r, "net.cidr_merge", 1, |_, a| {
        cidr_merge("net.cidr_merge", a).map(Some)
    });
    native(r, "net.cidr_contains_matches", 2, |_, a| {
        let name = "net.cidr_contains_matches";
        let xs = match_terms(name, 1, args::any(name, a, 0)?)?;
        let ys = match_terms(name, 2, args::any(name, a, 1)?)?;
        let mut out = BTreeSet::new();
        for (c1, k1) in &xs {
            for (c2, k2) in &ys {
                let (Value::String(s1), Value::String(s2)) = (c1, c2) else {
                    let bad = if matches!(c1, Value::String(_)) {
                        c2
                    } else {
                        c1
                    };
                    return Err(BuiltinError::Type {
                        name: name.to_string(),
                        pos: 1,
                        expected: "string".to_string(),
                        got: bad.type_name().to_string(),
                    });
                };
                if contains(name, s1, s2)? {
                    out.insert(Value::array(vec![k1.clone(), k2.clone()]));
                }
            }
        }
        Ok(Some(Value::Set(std::sync::Arc::new(out))))
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::{EvalContext, Registry, Value};

    fn call(name: &str, arg: &str) -> Result<Option<Value>, String> {
        Registry::with_defaults()
            .call(
                &EvalContext::new(),
                name,
                &[Value::from_json_str(arg).unwrap()],
            )
            .map_err(|e| e.to_string())
    }
    fn set(items: &[&str]) -> Option<Value> {
        Some(Value::set(items.iter().map(|s| Value::from(*s))))
    }

    #[test]
    fn merge_matches_opa() {
        assert_eq!(
            call("net.cidr_merge", r#"["10.0.0.1"]"#),
            Ok(set(&["10.0.0.1/8"]))
        );
        assert_eq!(
            call("net.cidr_merge", r#"["192.168.1.5", "192.168.1.0/24"]"#),
            Ok(set(&["192.168.1.0/24"]))
        );
        assert_eq!(
            call(
                "net.cidr_merge",
                r#"["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24"]"#
            ),
            Ok(set(&["10.0.0.0/23"]))
        );
        assert_eq!(
            call(
                "net.cidr_merge",
                r#"["2001:db8::/33", "2001:db8:8000::/33", "10.0.0.0/8"]"#
            ),
            Ok(set(&["10.0.0.0/8", "2001:db8::/32"]))
        );
        assert_eq!(
            call("net.cidr_merge", r#"["0.0.0.0/0", "::/0"]"#),
            Ok(set(&["::/0"]))
        );
        assert_eq!(
            call("net.cidr_merge", r#"["::ffff:1.2.3.4/128"]"#),
            Ok(set(&["1.2.3.4/32"]))
        );
        assert_eq!(
            call("net.cidr_merge", r#"["::1"]"#),
            Err("net.cidr_merge: IPv6 invalid: needs prefix length".into())
        );
        assert_eq!(
            call("net.cidr_merge", r#"["x"]"#),
            Err("net.cidr_merge: invalid CIDR address: x".into())
        );
    }

    #[test]
    fn expand_and_validity() {
        assert_eq!(
            call("net.cidr_expand", r#""10.0.0.1/30""#),
            Ok(set(&["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"]))
        );
        assert_eq!(
            call("net.cidr_expand", r#""::/126""#),
            Ok(set(&["::", "::1", "::2", "::3"]))
        );
        assert_eq!(
            call("net.cidr_is_valid", r#""10.0.0.0/33""#),
            Ok(Some(Value::Bool(false)))
        );
    }

    #[test]
    fn contains_matches() {
        let r = Registry::with_defaults().call(
            &EvalContext::new(),
            "net.cidr_contains_matches",
            &[
                Value::from_json_str(r#"["10.0.0.0/8", ["192.168.0.0/16", "x"]]"#).unwrap(),
                Value::from_json_str(r#"{"a": "10.1.1.1", "b": ["192.168.1.1"]}"#).unwrap(),
            ],
        );
        assert_eq!(
            r,
            Ok(Some(Value::set([
                Value::from_json_str(r#"[0, "a"]"#).unwrap(),
                Value::from_json_str(r#"[1, "b"]"#).unwrap()
            ])))
        );
    }
}
