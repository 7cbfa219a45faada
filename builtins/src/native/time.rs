//! `time.*`: OPA's time builtins over Go's layout and duration syntax.

use super::gotime::{self, Civil};
use super::native;
use crate::{BuiltinError, Registry, Value, args};
use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{OffsetName, Tz};

/// A location as Go's `time.Location`: UTC or an IANA zone.
#[derive(Clone, Copy)]
enum Loc {
    Utc,
    Zone(Tz),
}

const TZ_EXPECTED: &str = "either number (ns) or [number (ns), string (tz)]";

fn layout_alias(layout: &str) -> &str {
    match layout {
        "ANSIC" => "Mon Jan _2 15:04:05 2006",
        "UnixDate" => "Mon Jan _2 15:04:05 MST 2006",
        "RubyDate" => "Mon Jan 02 15:04:05 -0700 2006",
        "RFC822" => "02 Jan 06 15:04 MST",
        "RFC822Z" => "02 Jan 06 15:04 -0700",
        "RFC850" => "Monday, 02-Jan-06 15:04:05 MST",
        "RFC1123" => "Mon, 02 Jan 2006 15:04:05 MST",
        "RFC1123Z" => "Mon, 02 Jan 2006 15:04:05 -0700",
        "RFC3339" => RFC3339,
        "RFC3339Nano" => RFC3339_NANO,
        other => other,
    }
}

const RFC3339: &str = "2006-01-02T15:04:05Z07:00";
const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

fn load_location(name: &str, tz: &str) -> Result<Loc, BuiltinError> {
    match tz {
        "" | "UTC" | "Local" => Ok(Loc::Utc),
        _ => {
            if tz.contains("..") || tz.starts_with('/') || tz.starts_with('\\') {
                return Err(BuiltinError::failed(name, "time: invalid location name"));
            }
            tz.parse::<Tz>()
                .map(Loc::Zone)
                .map_err(|_| BuiltinError::failed(name, format!("unknown time zone {tz}")))
        }
    }
}

fn type_err(name: &str, got: &Value) -> BuiltinError {
    BuiltinError::Type {
        name: name.to_string(),
        pos: 1,
        expected: TZ_EXPECTED.to_string(),
        got: got.type_name().to_string(),
    }
}

/// OPA's `tzTime`: a number of ns, or `[ns, tz]`, or `[ns, tz, layout]`.
fn tz_time(name: &str, v: &Value) -> Result<(i64, Loc, String), BuiltinError> {
    let mut loc = Loc::Utc;
    let mut layout = String::new();
    let n = match v {
        Value::Array(a) => {
            let Some(first) = a.first() else {
                return Err(type_err(name, v));
            };
            let n = args::number(name, std::slice::from_ref(first), 0)?;
            if let Some(tz) = a.get(1) {
                let tz = args::string(name, std::slice::from_ref(tz), 0)?;
                loc = load_location(name, tz)?;
            }
            if let Some(l) = a.get(2) {
                let l = args::string(name, std::slice::from_ref(l), 0)?;
                layout = layout_alias(l).to_string();
            }
            n
        }
        Value::Number(n) => n,
        other => return Err(type_err(name, other)),
    };
    let ns = n
        .as_i64()
        .or_else(|| {
            let f = n.as_f64();
            // big.Float.Int64 is exact for integral values in range.
            let in_range = (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f);
            (f.fract() == 0.0 && in_range).then_some(f as i64)
        })
        .ok_or_else(|| BuiltinError::failed(name, "timestamp too big"))?;
    Ok((ns, loc, layout))
}

fn utc_datetime(ns: i64) -> Option<DateTime<chrono::Utc>> {
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = u32::try_from(ns.rem_euclid(1_000_000_000)).ok()?;
    DateTime::from_timestamp(secs, nanos)
}

fn numeric_abbrev(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let m = offset.unsigned_abs() / 60;
    if m.is_multiple_of(60) {
        format!("{sign}{:02}", m / 60)
    } else {
        format!("{sign}{:02}{:02}", m / 60, m % 60)
    }
}

fn civil(name: &str, ns: i64, loc: Loc) -> Result<Civil, BuiltinError> {
    let utc = utc_datetime(ns).ok_or_else(|| BuiltinError::failed(name, "timestamp too big"))?;
    Ok(match loc {
        Loc::Utc => Civil::from_naive(&utc.naive_utc(), 0, "UTC".to_string()),
        Loc::Zone(tz) => {
            // The zone's rules at the same calendar position of a year
            // chrono-tz covers (see `rule_year_shift`).
            let shift = chrono::TimeDelta::days(rule_year_shift(utc.year()));
            let probe = utc.checked_sub_signed(shift).unwrap_or(utc);
            let local = probe.with_timezone(&tz);
            let offset = local.offset().fix().local_minus_utc();
            let abbr = local
                .offset()
                .abbreviation()
                .map(str::to_string)
                .unwrap_or_else(|| numeric_abbrev(offset));
            let wall = utc.naive_utc() + chrono::TimeDelta::seconds(i64::from(offset));
            Civil::from_naive(&wall, offset, abbr)
        }
    })
}

/// First year whose daylight-saving transitions chrono-tz's tables leave
/// out (they end with 2099); Go keeps applying the zone's last rule.
const RULES_END: i32 = 2100;

/// Days to subtract from an instant in `year` to land on the same
/// calendar position (month, day, weekday) of a year before
/// [`RULES_END`]: one of 2072–2099 with the same leap status and the same
/// weekday on 1 January, where the zone's current rule gives the same
/// transitions. 0 for years chrono-tz covers.
fn rule_year_shift(year: i32) -> i64 {
    use chrono::NaiveDate;
    if year < RULES_END {
        return 0;
    }
    let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1);
    let (Some(target), leap) = (jan1(year), NaiveDate::from_ymd_opt(year, 2, 29).is_some()) else {
        return 0;
    };
    (RULES_END - 28..RULES_END)
        .filter_map(|y| jan1(y).map(|d| (y, d)))
        .find(|(y, d)| {
            d.weekday() == target.weekday() && NaiveDate::from_ymd_opt(*y, 2, 29).is_some() == leap
        })
        .map_or(0, |(_, d)| (target - d).num_days())
}

fn in_range(name: &str, ns: i128) -> Result<Value, BuiltinError> {
    i64::try_from(ns)
        .map(Value::int)
        .map_err(|_| BuiltinError::failed(name, "time outside of valid range"))
}

fn parse_ns(name: &str, layout: &str, value: &str) -> Result<Option<Value>, BuiltinError> {
    let ns = gotime::parse(layout, value).map_err(|m| BuiltinError::failed(name, m))?;
    in_range(name, ns).map(Some)
}

fn days_in_month(year: i64, month: u32) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Go's `Time.AddDate` (normalising month and day overflow), in `loc`.
fn add_date(
    name: &str,
    ns: i64,
    loc: Loc,
    years: i64,
    months: i64,
    days: i64,
) -> Result<i128, BuiltinError> {
    let too_far = || BuiltinError::failed(name, "time outside of valid range");
    let c = civil(name, ns, loc)?;
    let month0 = (i64::from(c.month) - 1)
        .checked_add(months)
        .ok_or_else(too_far)?;
    let year = c
        .year
        .checked_add(years)
        .and_then(|y| y.checked_add(month0.div_euclid(12)))
        .ok_or_else(too_far)?;
    let month = u32::try_from(month0.rem_euclid(12) + 1).map_err(|_| too_far())?;
    let first =
        chrono::NaiveDate::from_ymd_opt(i32::try_from(year).map_err(|_| too_far())?, month, 1)
            .ok_or_else(too_far)?;
    let offset_days = (i64::from(c.day) - 1)
        .checked_add(days)
        .ok_or_else(too_far)?;
    let date = first
        .checked_add_signed(chrono::TimeDelta::try_days(offset_days).ok_or_else(too_far)?)
        .ok_or_else(too_far)?;
    let wall = date
        .and_hms_nano_opt(c.hour, c.minute, c.second, c.nanos)
        .ok_or_else(too_far)?;
    let utc: NaiveDateTime = match loc {
        Loc::Utc => wall,
        Loc::Zone(tz) => {
            let shift = chrono::TimeDelta::days(rule_year_shift(wall.year()));
            let probe = wall.checked_sub_signed(shift).unwrap_or(wall);
            let offset = match tz.from_local_datetime(&probe).earliest() {
                Some(t) => t.offset().fix().local_minus_utc(),
                // In a gap: Go keeps the offset in effect before it.
                None => tz.offset_from_utc_datetime(&probe).fix().local_minus_utc(),
            };
            wall - chrono::TimeDelta::seconds(i64::from(offset))
        }
    };
    let secs = i128::from(utc.and_utc().timestamp());
    Ok(secs * 1_000_000_000 + i128::from(c.nanos))
}

fn diff(name: &str, a: &Value, b: &Value) -> Result<Value, BuiltinError> {
    let (n1, loc1, _) = tz_time(name, a)?;
    let (n2, _, _) = tz_time(name, b)?;
    let (n1, n2) = if n1 > n2 { (n2, n1) } else { (n1, n2) };
    let t1 = civil(name, n1, loc1)?;
    let t2 = civil(name, n2, loc1)?;
    let mut year = t2.year - t1.year;
    let mut month = i64::from(t2.month) - i64::from(t1.month);
    let mut day = i64::from(t2.day) - i64::from(t1.day);
    let mut hour = i64::from(t2.hour) - i64::from(t1.hour);
    let mut min = i64::from(t2.minute) - i64::from(t1.minute);
    let mut sec = i64::from(t2.second) - i64::from(t1.second);
    if sec < 0 {
        sec += 60;
        min -= 1;
    }
    if min < 0 {
        min += 60;
        hour -= 1;
    }
    if hour < 0 {
        hour += 24;
        day -= 1;
    }
    if day < 0 {
        day += days_in_month(t1.year, t1.month);
        month -= 1;
    }
    if month < 0 {
        month += 12;
        year -= 1;
    }
    Ok(Value::array(
        [year, month, day, hour, min, sec]
            .into_iter()
            .map(Value::int)
            .collect(),
    ))
}

/// Register the `time.*` builtins.
pub(crate) fn register(r: &mut Registry) {
    native(r, "time.now_ns", 0, |ctx, _| {
        Ok(Some(Value::int(ctx.now_ns())))
    });
    native(r, "time.parse_ns", 2, |_, a| {
        let name = "time.parse_ns";
        let layout = args::string(name, a, 0)?;
        let value = args::string(name, a, 1)?;
        parse_ns(name, layout_alias(layout), value)
    });
    native(r, "time.parse_rfc3339_ns", 1, |_, a| {
        let name = "time.parse_rfc3339_ns";
        let value = args::string(name, a, 0)?;
        parse_ns(name, RFC3339, value)
    });
    native(r, "time.parse_duration_ns", 1, |_, a| {
        let name = "time.parse_duration_ns";
        let value = args::string(name, a, 0)?;
        gotime::parse_duration(value)
            .map(|d| Some(Value::int(d)))
            .map_err(|m| BuiltinError::failed(name, m))
    });
    native(r, "time.date", 1, |_, a| {
        let name = "time.date";
        let (ns, loc, _) = tz_time(name, args::any(name, a, 0)?)?;
        let c = civil(name, ns, loc)?;
        Ok(Some(Value::array(vec![
            Value::int(c.year),
            Value::int(i64::from(c.month)),
            Value::int(i64::from(c.day)),
        ])))
    });
    native(r, "time.clock", 1, |_, a| {
        let name = "time.clock";
        let (ns, loc, _) = tz_time(name, args::any(name, a, 0)?)?;
        let c = civil(name, ns, loc)?;
        Ok(Some(Value::array(vec![
            Value::int(i64::from(c.hour)),
            Value::int(i64::from(c.minute)),
            Value::int(i64::from(c.second)),
        ])))
    });
    native(r, "time.weekday", 1, |_, a| {
        let name = "time.weekday";
        let (ns, loc, _) = tz_time(name, args::any(name, a, 0)?)?;
        let c = civil(name, ns, loc)?;
        Ok(Some(Value::string(gotime::format(&c, "Monday"))))
    });
    native(r, "time.format", 1, |_, a| {
        let name = "time.format";
        let (ns, loc, layout) = tz_time(name, args::any(name, a, 0)?)?;
        let layout = if layout.is_empty() {
            RFC3339_NANO.to_string()
        } else {
            layout
        };
        let c = civil(name, ns, loc)?;
        Ok(Some(Value::string(gotime::format(&c, &layout))))
    });
    native(r, "time.add_date", 4, |_, a| {
        let name = "time.add_date";
        let (ns, loc, _) = tz_time(name, args::any(name, a, 0)?)?;
        let years = args::int(name, a, 1)?;
        let months = args::int(name, a, 2)?;
        let days = args::int(name, a, 3)?;
        let out = add_date(name, ns, loc, years, months, days)?;
        in_range(name, out).map(Some)
    });
    native(r, "time.diff", 2, |_, a| {
        let name = "time.diff";
        diff(name, args::any(name, a, 0)?, args::any(name, a, 1)?).map(Some)
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use crate::{EvalContext, Registry, Value};

    fn call(name: &str, args: &[Value]) -> Result<Option<Value>, String> {
        Registry::with_defaults()
            .call(&EvalContext::with_clock(42, 1), name, args)
            .map_err(|e| e.to_string())
    }

    fn v(s: &str) -> Value {
        Value::from_json_str(s).unwrap()
    }

    #[test]
    fn now_is_the_frozen_clock() {
        assert_eq!(call("time.now_ns", &[]), Ok(Some(Value::int(42))));
    }

    #[test]
    fn format_with_zone_and_layout() {
        assert_eq!(
            call(
                "time.format",
                &[v(
                    r#"[0, "Europe/Berlin", "MST Z07:00 Monday Jan _2 __2 002 .000 .999"]"#
                )]
            ),
            Ok(Some(v(r#""CET +01:00 Thursday Jan  1   1 001 .000 ""#)))
        );
        assert_eq!(
            call("time.format", &[v(r#"[0, "Asia/Dubai", "MST"]"#)]),
            Ok(Some(v(r#""+04""#)))
        );
        assert_eq!(
            call(
                "time.format",
                &[v(r#"[1000000000000000000, "UTC", "ANSIC"]"#)]
            ),
            Ok(Some(v(r#""Sun Sep  9 01:46:40 2001""#)))
        );
        assert_eq!(
            call("time.format", &[v("1.5")]),
            Err("time.format: timestamp too big".into())
        );
        assert_eq!(
            call("time.format", &[v(r#"[0, "Foo/Bar"]"#)]),
            Err("time.format: unknown time zone Foo/Bar".into())
        );
    }

    #[test]
    fn parse_range_and_errors() {
        assert_eq!(
            call("time.parse_ns", &[v(r#""2006""#), v(r#""9999""#)]),
            Err("time.parse_ns: time outside of valid range".into())
        );
        assert_eq!(
            call(
                "time.parse_rfc3339_ns",
                &[v(r#""2020-01-01T00:00:00.123456789123+01:00""#)]
            ),
            Ok(Some(Value::int(1_577_833_200_123_456_789)))
        );
        assert_eq!(
            call("time.parse_ns", &[v(r#""RFC3339""#), v(r#""x""#)]),
            Err("time.parse_ns: parsing time \"x\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"x\" as \"2006\"".into())
        );
    }

    #[test]
    fn calendar_arithmetic() {
        assert_eq!(
            call(
                "time.add_date",
                &[v("1580000000000000000"), v("-1"), v("-14"), v("400")]
            ),
            Ok(Some(Value::int(1_546_217_600_000_000_000)))
        );
        assert_eq!(
            call(
                "time.diff",
                &[
                    v(r#"[0, "Europe/Berlin"]"#),
                    v(r#"[1000000000000000000, "Asia/Tokyo"]"#)
                ]
            ),
            Ok(Some(v("[31, 8, 8, 2, 46, 40]")))
        );
        assert_eq!(
            call("time.clock", &[v(r#"[0, "America/New_York"]"#)]),
            Ok(Some(v("[19, 0, 0]")))
        );
        assert_eq!(
            call("time.weekday", &[v("-1")]),
            Ok(Some(v(r#""Wednesday""#)))
        );
    }
}
