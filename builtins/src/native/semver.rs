//! `semver.is_valid` and `semver.compare` with OPA's (lenient, coreos
//! go-semver derived) version syntax: optional leading `v`, numeric parts
//! parsed as `int64` (leading zeros allowed), `-pre` and `+meta`
//! identifiers of `[0-9A-Za-z-]` separated by dots.

use super::native;
use crate::{BuiltinError, Registry, Value, args};
use std::cmp::Ordering;

struct Version<'a> {
    parts: [i64; 3],
    pre: &'a str,
}

fn valid_identifier(id: &str) -> bool {
    id.is_empty()
        || id
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
}

/// Go's `strconv.ParseInt(s, 10, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse(v: &str) -> Option<Version<'_>> {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (v, meta) = v.split_once('+').unwrap_or((v, ""));
    let (v, pre) = v.split_once('-').unwrap_or((v, ""));
    let mut dots = v.splitn(3, '.');
    let (a, b, c) = (dots.next()?, dots.next()?, dots.next()?);
    if !valid_identifier(pre) || !valid_identifier(meta) {
        return None;
    }
    Some(Version {
        parts: [go_parse_int(a)?, go_parse_int(b)?, go_parse_int(c)?],
        pre,
    })
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (true, true) => return Ordering::Equal,
        _ => {}
    }
    let mut xs = a.split('.');
    let mut ys = b.split('.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let (xi, yi) = (x.parse::<i64>().ok(), y.parse::<i64>().ok());
                let o = match (xi, yi) {
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (Some(p), Some(q)) => p.cmp(&q).then_with(|| x.cmp(y)),
                    (None, None) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// Register `semver.is_valid` and `semver.compare`.
pub(crate) fn register(r: &mut Registry) {
    native(r, "semver.is_valid", 1, |_, a| {
        let ok = matches!(a.first(), Some(Value::String(s)) if parse(s).is_some());
        Ok(Some(Value::Bool(ok)))
    });
    native(r, "semver.compare", 2, |_, a| {
        let name = "semver.compare";
        let x = args::string(name, a, 0)?;
        let y = args::string(name, a, 1)?;
        let bad = |pos: usize, s: &str| {
            BuiltinError::failed(
                name,
                format!(
                    "operand {pos}: string {} is not a valid SemVer",
                    Value::string(s)
                ),
            )
        };
        let vx = parse(x).ok_or_else(|| bad(1, x))?;
        let vy = parse(y).ok_or_else(|| bad(2, y))?;
        let o = vx
            .parts
            .cmp(&vy.parts)
            .then_with(|| compare_pre(vx.pre, vy.pre));
        Ok(Some(Value::int(match o {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        })))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_matches_opa() {
        for ok in [
            "01.1.1",
            "v1.1.1",
            "1.1.1-",
            "1.1.1+",
            "1.1.1-a-b",
            "1.1.1-+a",
            "1.1.1+-",
        ] {
            assert!(parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "1.1",
            "vv1.1.1",
            "-1.1.1",
            "1.1.+1",
            "1.1.1+a+b",
            "1.1.1-a..b",
            "1.1.1-é",
            "9223372036854775808.0.0",
            "1.1.1a",
            " 1.1.1",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn precedence() {
        let c = |a: &str, b: &str| {
            let (x, y) = (
                parse(a).unwrap_or_else(|| unreachable!()),
                parse(b).unwrap_or_else(|| unreachable!()),
            );
            x.parts
                .cmp(&y.parts)
                .then_with(|| compare_pre(x.pre, y.pre))
        };
        assert_eq!(c("1.0.0-alpha.1", "1.0.0-alpha.beta"), Ordering::Less);
        assert_eq!(c("1.0.0-a", "1.0.0"), Ordering::Less);
        assert_eq!(c("1.0.0-1.a", "1.0.0-1"), Ordering::Greater);
        assert_eq!(c("10.0.0", "9.0.0"), Ordering::Greater);
        assert_eq!(c("1.0.0+b", "1.0.0+a"), Ordering::Equal);
    }
}
