//! Go's `time` package semantics that OPA's time builtins expose: layout
//! strings ("reference time" `Mon Jan 2 15:04:05 MST 2006`) for parsing and
//! formatting, `time.ParseDuration`, and Go's error texts.

use chrono::{Datelike, Timelike};

/// A layout element, as Go's `nextStdChunk` splits a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    Iso8601Tz,
    Iso8601SecondsTz,
    Iso8601ShortTz,
    Iso8601ColonTz,
    Iso8601ColonSecondsTz,
    NumTz,
    NumSecondsTz,
    NumShortTz,
    NumColonTz,
    NumColonSecondsTz,
    /// Fractional seconds: `.000` style (exact digits), separator, digits.
    Frac0(u8, usize),
    /// Fractional seconds: `.999` style (trailing zeros trimmed).
    Frac9(u8, usize),
}

impl Std {
    /// `Z07…` layouts: like the numeric zones, but `Z` for UTC.
    fn is_iso_zone(self) -> bool {
        matches!(
            self,
            Std::Iso8601Tz
                | Std::Iso8601SecondsTz
                | Std::Iso8601ShortTz
                | Std::Iso8601ColonTz
                | Std::Iso8601ColonSecondsTz
        )
    }
}

const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn short(s: &str) -> &str {
    s.get(..3).unwrap_or(s)
}

fn starts_with_lower(s: &[u8]) -> bool {
    matches!(s.first(), Some(c) if c.is_ascii_lowercase())
}

fn is_digit(s: &[u8], i: usize) -> bool {
    matches!(s.get(i), Some(c) if c.is_ascii_digit())
}

/// Go's `nextStdChunk`: (prefix, std, suffix) byte offsets. Returns the
/// prefix end, the element, and the suffix start.
fn next_std_chunk(layout: &[u8]) -> (usize, Option<Std>, usize) {
    let at = |i: usize| layout.get(i).copied().unwrap_or(0);
    let has = |i: usize, s: &str| layout.get(i..i + s.len()) == Some(s.as_bytes());
    let mut i = 0;
    while i < layout.len() {
        let c = at(i);
        match c {
            b'J' if has(i, "Jan") => {
                if has(i, "January") {
                    return (i, Some(Std::LongMonth), i + 7);
                }
                if !starts_with_lower(layout.get(i + 3..).unwrap_or(&[])) {
                    return (i, Some(Std::Month), i + 3);
                }
            }
            b'M' => {
                if has(i, "Mon") {
                    if has(i, "Monday") {
                        return (i, Some(Std::LongWeekDay), i + 6);
                    }
                    if !starts_with_lower(layout.get(i + 3..).unwrap_or(&[])) {
                        return (i, Some(Std::WeekDay), i + 3);
                    }
                }
                if has(i, "MST") {
                    return (i, Some(Std::Tz), i + 3);
                }
            }
            b'0' => {
                let n = at(i + 1);
                if (b'1'..=b'6').contains(&n) {
                    let std = match n {
                        b'1' => Std::ZeroMonth,
                        b'2' => Std::ZeroDay,
                        b'3' => Std::ZeroHour12,
                        b'4' => Std::ZeroMinute,
                        b'5' => Std::ZeroSecond,
                        _ => Std::Year,
                    };
                    return (i, Some(std), i + 2);
                }
                if n == b'0' && at(i + 2) == b'2' {
                    return (i, Some(Std::ZeroYearDay), i + 3);
                }
            }
            b'1' => {
                if at(i + 1) == b'5' {
                    return (i, Some(Std::Hour), i + 2);
                }
                return (i, Some(Std::NumMonth), i + 1);
            }
            b'2' => {
                if has(i, "2006") {
                    return (i, Some(Std::LongYear), i + 4);
                }
                return (i, Some(Std::Day), i + 1);
            }
            b'_' => {
                if at(i + 1) == b'2' {
                    if has(i + 1, "2006") {
                        return (i + 1, Some(Std::LongYear), i + 5);
                    }
                    return (i, Some(Std::UnderDay), i + 2);
                }
                if at(i + 1) == b'_' && at(i + 2) == b'2' {
                    return (i, Some(Std::UnderYearDay), i + 3);
                }
            }
            b'3' => return (i, Some(Std::Hour12), i + 1),
            b'4' => return (i, Some(Std::Minute), i + 1),
            b'5' => return (i, Some(Std::Second), i + 1),
            b'P' if at(i + 1) == b'M' => return (i, Some(Std::PM), i + 2),
            b'p' if at(i + 1) == b'm' => return (i, Some(Std::Pm), i + 2),
            b'-' => {
                for (pat, std) in [
                    ("-070000", Std::NumSecondsTz),
                    ("-07:00:00", Std::NumColonSecondsTz),
                    ("-0700", Std::NumTz),
                    ("-07:00", Std::NumColonTz),
                    ("-07", Std::NumShortTz),
                ] {
                    if has(i, pat) {
                        return (i, Some(std), i + pat.len());
                    }
                }
            }
            b'Z' => {
                for (pat, std) in [
                    ("Z070000", Std::Iso8601SecondsTz),
                    ("Z07:00:00", Std::Iso8601ColonSecondsTz),
                    ("Z0700", Std::Iso8601Tz),
                    ("Z07:00", Std::Iso8601ColonTz),
                    ("Z07", Std::Iso8601ShortTz),
                ] {
                    if has(i, pat) {
                        return (i, Some(std), i + pat.len());
                    }
                }
            }
            b'.' | b',' => {
                let ch = at(i + 1);
                if ch == b'0' || ch == b'9' {
                    let mut j = i + 1;
                    while j < layout.len() && at(j) == ch {
                        j += 1;
                    }
                    if !is_digit(layout, j) {
                        let n = j - (i + 1);
                        let std = if ch == b'0' {
                            Std::Frac0(c, n)
                        } else {
                            Std::Frac9(c, n)
                        };
                        return (i, Some(std), j);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    (layout.len(), None, layout.len())
}

/// Go's `time.quote`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if (c as u32) >= 0x80 || c < ' ' {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// A time broken down as Go holds it for formatting.
#[derive(Debug, Clone)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
    pub weekday: u32,
    pub yday: u32,
    /// Offset east of UTC, seconds.
    pub offset: i32,
    /// Zone abbreviation (may be empty).
    pub zone: String,
}

impl Civil {
    /// Break down a chrono date-time with its offset and zone name.
    pub(crate) fn from_naive(local: &chrono::NaiveDateTime, offset: i32, zone: String) -> Civil {
        Civil {
            year: i64::from(local.year()),
            month: local.month(),
            day: local.day(),
            hour: local.hour(),
            minute: local.minute(),
            second: local.second(),
            nanos: local.nanosecond().min(999_999_999),
            weekday: local.weekday().num_days_from_sunday(),
            yday: local.ordinal(),
            offset,
            zone,
        }
    }
}

fn append_int(b: &mut String, x: i64, width: usize) {
    if x < 0 {
        b.push('-');
    }
    let digits = x.unsigned_abs().to_string();
    for _ in digits.len()..width {
        b.push('0');
    }
    b.push_str(&digits);
}

fn append_nano(b: &mut String, nanos: u32, sep: u8, n: usize, trim: bool) {
    if trim && (n == 0 || nanos == 0) {
        return;
    }
    let dot = char::from(sep);
    let digits = format!("{nanos:09}");
    let mut frac: String = digits.chars().take(n.min(9)).collect();
    if trim {
        while frac.ends_with('0') {
            frac.pop();
        }
        if frac.is_empty() {
            return;
        }
    }
    b.push(dot);
    b.push_str(&frac);
}

/// Go's `Time.Format`.
pub(crate) fn format(t: &Civil, layout: &str) -> String {
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout.as_bytes();
    loop {
        let (p, std, s) = next_std_chunk(rest);
        out.push_str(&String::from_utf8_lossy(rest.get(..p).unwrap_or(&[])));
        let Some(std) = std else { break };
        rest = rest.get(s..).unwrap_or(&[]);
        let month_name = LONG_MONTHS
            .get((t.month as usize).wrapping_sub(1))
            .copied()
            .unwrap_or("%!Month");
        let day_name = LONG_DAYS.get(t.weekday as usize).copied().unwrap_or("");
        match std {
            Std::Year => append_int(&mut out, (t.year % 100).abs(), 2),
            Std::LongYear => append_int(&mut out, t.year, 4),
            Std::Month => out.push_str(short(month_name)),
            Std::LongMonth => out.push_str(month_name),
            Std::NumMonth => append_int(&mut out, i64::from(t.month), 0),
            Std::ZeroMonth => append_int(&mut out, i64::from(t.month), 2),
            Std::WeekDay => out.push_str(short(day_name)),
            Std::LongWeekDay => out.push_str(day_name),
            Std::Day => append_int(&mut out, i64::from(t.day), 0),
            Std::UnderDay => {
                if t.day < 10 {
                    out.push(' ');
                }
                append_int(&mut out, i64::from(t.day), 0);
            }
            Std::ZeroDay => append_int(&mut out, i64::from(t.day), 2),
            Std::UnderYearDay => {
                if t.yday < 100 {
                    out.push(' ');
                    if t.yday < 10 {
                        out.push(' ');
                    }
                }
                append_int(&mut out, i64::from(t.yday), 0);
            }
            Std::ZeroYearDay => append_int(&mut out, i64::from(t.yday), 3),
            Std::Hour => append_int(&mut out, i64::from(t.hour), 2),
            Std::Hour12 | Std::ZeroHour12 => {
                let mut hr = t.hour % 12;
                if hr == 0 {
                    hr = 12;
                }
                let w = if std == Std::ZeroHour12 { 2 } else { 0 };
                append_int(&mut out, i64::from(hr), w);
            }
            Std::Minute => append_int(&mut out, i64::from(t.minute), 0),
            Std::ZeroMinute => append_int(&mut out, i64::from(t.minute), 2),
            Std::Second => append_int(&mut out, i64::from(t.second), 0),
            Std::ZeroSecond => append_int(&mut out, i64::from(t.second), 2),
            Std::PM => out.push_str(if t.hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if t.hour >= 12 { "pm" } else { "am" }),
            Std::Iso8601Tz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonTz
            | Std::Iso8601ColonSecondsTz
            | Std::NumTz
            | Std::NumSecondsTz
            | Std::NumShortTz
            | Std::NumColonTz
            | Std::NumColonSecondsTz => {
                let iso = std.is_iso_zone();
                if iso && t.offset == 0 {
                    out.push('Z');
                    continue;
                }
                let mut zone = t.offset / 60;
                let mut abs = t.offset;
                if zone < 0 {
                    out.push('-');
                    zone = -zone;
                    abs = -abs;
                } else {
                    out.push('+');
                }
                append_int(&mut out, i64::from(zone / 60), 2);
                let colon = matches!(
                    std,
                    Std::Iso8601ColonTz
                        | Std::NumColonTz
                        | Std::Iso8601ColonSecondsTz
                        | Std::NumColonSecondsTz
                );
                if colon {
                    out.push(':');
                }
                if !matches!(std, Std::NumShortTz | Std::Iso8601ShortTz) {
                    append_int(&mut out, i64::from(zone % 60), 2);
                }
                if matches!(
                    std,
                    Std::Iso8601SecondsTz
                        | Std::NumSecondsTz
                        | Std::NumColonSecondsTz
                        | Std::Iso8601ColonSecondsTz
                ) {
                    if matches!(std, Std::NumColonSecondsTz | Std::Iso8601ColonSecondsTz) {
                        out.push(':');
                    }
                    append_int(&mut out, i64::from(abs % 60), 2);
                }
            }
            Std::Tz => {
                if !t.zone.is_empty() {
                    out.push_str(&t.zone);
                    continue;
                }
                let mut zone = t.offset / 60;
                if zone < 0 {
                    out.push('-');
                    zone = -zone;
                } else {
                    out.push('+');
                }
                append_int(&mut out, i64::from(zone / 60), 2);
                append_int(&mut out, i64::from(zone % 60), 2);
            }
            Std::Frac0(sep, n) => append_nano(&mut out, t.nanos, sep, n, false),
            Std::Frac9(sep, n) => append_nano(&mut out, t.nanos, sep, n, true),
        }
    }
    out
}

/// The result of a successful parse: UTC wall time, offset, in ns since
/// the epoch (as i128 to detect out-of-range times).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 => {
            if is_leap(year) {
                29
            } else {
                28
            }
        }
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const DAYS_BEFORE: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    if !is_digit(s, 0) {
        return None;
    }
    let d0 = i64::from(*s.first()? - b'0');
    if !is_digit(s, 1) {
        if fixed {
            return None;
        }
        return Some((d0, s.get(1..)?));
    }
    Some((d0 * 10 + i64::from(*s.get(1)? - b'0'), s.get(2..)?))
}

fn getnum3(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let mut n = 0i64;
    let mut i = 0;
    while i < 3 && is_digit(s, i) {
        n = n * 10 + i64::from(*s.get(i)? - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, s.get(i..)?))
}

/// Go's `leadingInt`: digits as u64 (None on overflow), and the rest.
fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        if x > (1u64 << 63) / 10 {
            return None;
        }
        x = x * 10 + u64::from(c - b'0');
        if x > 1u64 << 63 {
            return None;
        }
        i += 1;
    }
    Some((x, s.get(i..)?))
}

fn atoi(s: &[u8]) -> Option<i64> {
    let (neg, s) = match s.first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let (q, rem) = leading_int(s)?;
    if !rem.is_empty() {
        return None;
    }
    let x = i64::try_from(q).ok()?;
    Some(if neg { -x } else { x })
}

fn comma_or_period(b: u8) -> bool {
    b == b'.' || b == b','
}

enum NanoErr {
    Bad,
    Range(&'static str),
}

fn parse_nanoseconds(value: &[u8], nbytes: usize) -> Result<i64, NanoErr> {
    if !comma_or_period(*value.first().ok_or(NanoErr::Bad)?) {
        return Err(NanoErr::Bad);
    }
    let nbytes = nbytes.min(10);
    let digits = value.get(1..nbytes).ok_or(NanoErr::Bad)?;
    let mut ns = atoi(digits).ok_or(NanoErr::Bad)?;
    if ns < 0 {
        return Err(NanoErr::Range("fractional second"));
    }
    for _ in 0..(10 - nbytes) {
        ns *= 10;
    }
    Ok(ns)
}

fn lookup<'a>(tab: &[&str], val: &'a [u8], short_names: bool) -> Option<(usize, &'a [u8])> {
    for (i, v) in tab.iter().enumerate() {
        let v = if short_names { short(v) } else { v };
        if let Some(head) = val.get(..v.len())
            && head.eq_ignore_ascii_case(v.as_bytes())
        {
            return Some((i, val.get(v.len()..)?));
        }
    }
    None
}

fn parse_signed_offset(value: &[u8]) -> usize {
    let Some(&sign) = value.first() else { return 0 };
    if sign != b'-' && sign != b'+' {
        return 0;
    }
    let body = value.get(1..).unwrap_or(&[]);
    match leading_int(body) {
        Some((x, rem)) if rem.len() != body.len() && x <= 12 => value.len() - rem.len(),
        _ => 0,
    }
}

fn parse_time_zone(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    let head4 = value.get(..4);
    if head4 == Some(b"ChST") || head4 == Some(b"MeST") {
        return Some(4);
    }
    if value.get(..3) == Some(b"GMT") {
        let rest = value.get(3..).unwrap_or(&[]);
        if rest.is_empty() {
            return Some(3);
        }
        return Some(3 + parse_signed_offset(rest));
    }
    if value.first() == Some(&b'+') || value.first() == Some(&b'-') {
        let n = parse_signed_offset(value);
        return if n > 0 { Some(n) } else { None };
    }
    let mut n_upper = 0;
    while n_upper < 6 {
        match value.get(n_upper) {
            Some(c) if c.is_ascii_uppercase() => n_upper += 1,
            _ => break,
        }
    }
    match n_upper {
        5 if value.get(4) == Some(&b'T') => Some(5),
        4 if value.get(3) == Some(&b'T') || head4 == Some(b"WITA") => Some(4),
        3 => Some(3),
        _ => None,
    }
}

fn skip<'a>(mut value: &'a [u8], mut prefix: &[u8]) -> Result<&'a [u8], &'a [u8]> {
    while let Some(&p) = prefix.first() {
        if p == b' ' {
            if let Some(&v) = value.first()
                && v != b' '
            {
                return Err(value);
            }
            while prefix.first() == Some(&b' ') {
                prefix = prefix.get(1..).unwrap_or(&[]);
            }
            while value.first() == Some(&b' ') {
                value = value.get(1..).unwrap_or(&[]);
            }
            continue;
        }
        if value.first() != Some(&p) {
            return Err(value);
        }
        prefix = prefix.get(1..).unwrap_or(&[]);
        value = value.get(1..).unwrap_or(&[]);
    }
    Ok(value)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn parse_error(layout: &str, value: &str, layout_elem: &[u8], value_elem: &[u8]) -> String {
    format!(
        "parsing time {} as {}: cannot parse {} as {}",
        quote(value),
        quote(layout),
        quote(&lossy(value_elem)),
        quote(&lossy(layout_elem))
    )
}

fn parse_msg(value: &str, msg: &str) -> String {
    format!("parsing time {}{}", quote(value), msg)
}

/// Go's `time.Parse(layout, value)` with the local zone being UTC.
/// Returns ns since the epoch as i128 (the caller checks the range).
pub(crate) fn parse(layout_s: &str, value_s: &str) -> Result<i128, String> {
    let mut layout = layout_s.as_bytes();
    let mut value = value_s.as_bytes();
    let mut am_set = false;
    let mut pm_set = false;
    let mut year: i64 = 0;
    let mut month: i64 = -1;
    let mut day: i64 = -1;
    let mut yday: i64 = -1;
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let mut z_utc = false;
    let mut zone_offset: i64 = -1;
    let mut zone_name: Option<Vec<u8>> = None;
    loop {
        let (p, std, s) = next_std_chunk(layout);
        let prefix = layout.get(..p).unwrap_or(&[]);
        let stdstr = layout.get(p..s).unwrap_or(&[]);
        value = match skip(value, prefix) {
            Ok(v) => v,
            Err(v) => return Err(parse_error(layout_s, value_s, prefix, v)),
        };
        let Some(std) = std else {
            if !value.is_empty() {
                return Err(parse_msg(
                    value_s,
                    &format!(": extra text: {}", quote(&lossy(value))),
                ));
            }
            break;
        };
        layout = layout.get(s..).unwrap_or(&[]);
        let hold = value;
        let mut range_err: Option<&'static str> = None;
        // `ok == false` is Go's errBad.
        let ok: bool = 'blk: {
            match std {
                Std::Year => {
                    let (Some(p), Some(rest)) = (value.get(..2), value.get(2..)) else {
                        break 'blk false;
                    };
                    value = rest;
                    match atoi(p) {
                        Some(y) => year = if y >= 69 { y + 1900 } else { y + 2000 },
                        None => break 'blk false,
                    }
                    true
                }
                Std::LongYear => {
                    if value.len() < 4 || !is_digit(value, 0) {
                        break 'blk false;
                    }
                    let p = value.get(..4).unwrap_or(&[]);
                    value = value.get(4..).unwrap_or(&[]);
                    match atoi(p) {
                        Some(y) => year = y,
                        None => break 'blk false,
                    }
                    true
                }
                Std::Month | Std::LongMonth => {
                    match lookup(&LONG_MONTHS, value, std == Std::Month) {
                        Some((m, rest)) => {
                            month = m as i64 + 1;
                            value = rest;
                            true
                        }
                        None => false,
                    }
                }
                Std::NumMonth | Std::ZeroMonth => match getnum(value, std == Std::ZeroMonth) {
                    Some((m, rest)) => {
                        month = m;
                        value = rest;
                        if !(1..=12).contains(&m) {
                            range_err = Some("month");
                        }
                        true
                    }
                    None => false,
                },
                Std::WeekDay | Std::LongWeekDay => {
                    match lookup(&LONG_DAYS, value, std == Std::WeekDay) {
                        Some((_, rest)) => {
                            value = rest;
                            true
                        }
                        None => false,
                    }
                }
                Std::Day | Std::UnderDay | Std::ZeroDay => {
                    if std == Std::UnderDay && value.first() == Some(&b' ') {
                        value = value.get(1..).unwrap_or(&[]);
                    }
                    match getnum(value, std == Std::ZeroDay) {
                        Some((d, rest)) => {
                            day = d;
                            value = rest;
                            true
                        }
                        None => false,
                    }
                }
                Std::UnderYearDay | Std::ZeroYearDay => {
                    for _ in 0..2 {
                        if std == Std::UnderYearDay && value.first() == Some(&b' ') {
                            value = value.get(1..).unwrap_or(&[]);
                        }
                    }
                    match getnum3(value, std == Std::ZeroYearDay) {
                        Some((d, rest)) => {
                            yday = d;
                            value = rest;
                            true
                        }
                        None => false,
                    }
                }
                Std::Hour => match getnum(value, false) {
                    Some((h, rest)) => {
                        hour = h;
                        value = rest;
                        if !(0..24).contains(&h) {
                            range_err = Some("hour");
                        }
                        true
                    }
                    None => false,
                },
                Std::Hour12 | Std::ZeroHour12 => match getnum(value, std == Std::ZeroHour12) {
                    Some((h, rest)) => {
                        hour = h;
                        value = rest;
                        if !(0..=12).contains(&h) {
                            range_err = Some("hour");
                        }
                        true
                    }
                    None => false,
                },
                Std::Minute | Std::ZeroMinute => match getnum(value, std == Std::ZeroMinute) {
                    Some((m, rest)) => {
                        min = m;
                        value = rest;
                        if !(0..60).contains(&m) {
                            range_err = Some("minute");
                        }
                        true
                    }
                    None => false,
                },
                Std::Second | Std::ZeroSecond => {
                    let Some((s, rest)) = getnum(value, std == Std::ZeroSecond) else {
                        break 'blk false;
                    };
                    sec = s;
                    value = rest;
                    if !(0..60).contains(&s) {
                        range_err = Some("second");
                        break 'blk true;
                    }
                    if value.len() >= 2
                        && comma_or_period(*value.first().unwrap_or(&0))
                        && is_digit(value, 1)
                    {
                        let (_, next, _) = next_std_chunk(layout);
                        if matches!(next, Some(Std::Frac0(..)) | Some(Std::Frac9(..))) {
                            break 'blk true;
                        }
                        let mut n = 2;
                        while n < value.len() && is_digit(value, n) {
                            n += 1;
                        }
                        let r = parse_nanoseconds(value, n);
                        value = value.get(n..).unwrap_or(&[]);
                        match r {
                            Ok(ns) => nsec = ns,
                            Err(NanoErr::Range(r)) => range_err = Some(r),
                            Err(NanoErr::Bad) => break 'blk false,
                        }
                    }
                    true
                }
                Std::PM | Std::Pm => {
                    let (Some(p), Some(rest)) = (value.get(..2), value.get(2..)) else {
                        break 'blk false;
                    };
                    value = rest;
                    let (pm, am): (&[u8], &[u8]) = if std == Std::PM {
                        (b"PM", b"AM")
                    } else {
                        (b"pm", b"am")
                    };
                    if p == pm {
                        pm_set = true;
                    } else if p == am {
                        am_set = true;
                    } else {
                        break 'blk false;
                    }
                    true
                }
                Std::Iso8601Tz
                | Std::Iso8601SecondsTz
                | Std::Iso8601ShortTz
                | Std::Iso8601ColonTz
                | Std::Iso8601ColonSecondsTz
                | Std::NumTz
                | Std::NumSecondsTz
                | Std::NumShortTz
                | Std::NumColonTz
                | Std::NumColonSecondsTz => {
                    let iso = std.is_iso_zone();
                    if iso && value.first() == Some(&b'Z') {
                        value = value.get(1..).unwrap_or(&[]);
                        z_utc = true;
                        break 'blk true;
                    }
                    let cur = value;
                    let g = move |a: usize, b: usize| cur.get(a..b).unwrap_or(&[]);
                    let (sign, hh, mm, ss, rest): (&[u8], &[u8], &[u8], &[u8], usize) = match std {
                        Std::Iso8601ColonTz | Std::NumColonTz => {
                            if value.len() < 6 || value.get(3) != Some(&b':') {
                                break 'blk false;
                            }
                            (g(0, 1), g(1, 3), g(4, 6), &b"00"[..], 6)
                        }
                        Std::NumShortTz | Std::Iso8601ShortTz => {
                            if value.len() < 3 {
                                break 'blk false;
                            }
                            (g(0, 1), g(1, 3), &b"00"[..], &b"00"[..], 3)
                        }
                        Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz => {
                            if value.len() < 9
                                || value.get(3) != Some(&b':')
                                || value.get(6) != Some(&b':')
                            {
                                break 'blk false;
                            }
                            (g(0, 1), g(1, 3), g(4, 6), g(7, 9), 9)
                        }
                        Std::Iso8601SecondsTz | Std::NumSecondsTz => {
                            if value.len() < 7 {
                                break 'blk false;
                            }
                            (g(0, 1), g(1, 3), g(3, 5), g(5, 7), 7)
                        }
                        _ => {
                            if value.len() < 5 {
                                break 'blk false;
                            }
                            (g(0, 1), g(1, 3), g(3, 5), &b"00"[..], 5)
                        }
                    };
                    value = value.get(rest..).unwrap_or(&[]);
                    let (Some((hr, _)), Some((m, _)), Some((s, _))) =
                        (getnum(hh, true), getnum(mm, true), getnum(ss, true))
                    else {
                        break 'blk false;
                    };
                    if hr > 24 {
                        range_err = Some("time zone offset hour");
                    }
                    if m > 60 {
                        range_err = Some("time zone offset minute");
                    }
                    if s > 60 {
                        range_err = Some("time zone offset second");
                    }
                    zone_offset = (hr * 60 + m) * 60 + s;
                    match sign.first() {
                        Some(b'+') => {}
                        Some(b'-') => zone_offset = -zone_offset,
                        _ => break 'blk false,
                    }
                    true
                }
                Std::Tz => {
                    if value.get(..3) == Some(b"UTC") {
                        z_utc = true;
                        value = value.get(3..).unwrap_or(&[]);
                        break 'blk true;
                    }
                    match parse_time_zone(value) {
                        Some(n) => {
                            zone_name = Some(value.get(..n).unwrap_or(&[]).to_vec());
                            value = value.get(n..).unwrap_or(&[]);
                            true
                        }
                        None => false,
                    }
                }
                Std::Frac0(_, n) => {
                    let ndigit = 1 + n;
                    if value.len() < ndigit {
                        break 'blk false;
                    }
                    let r = parse_nanoseconds(value, ndigit);
                    value = value.get(ndigit..).unwrap_or(&[]);
                    match r {
                        Ok(ns) => nsec = ns,
                        Err(NanoErr::Range(r)) => range_err = Some(r),
                        Err(NanoErr::Bad) => break 'blk false,
                    }
                    true
                }
                Std::Frac9(_, _) => {
                    if value.len() < 2
                        || !comma_or_period(*value.first().unwrap_or(&0))
                        || !is_digit(value, 1)
                    {
                        break 'blk true;
                    }
                    let mut i = 0;
                    while is_digit(value, i + 1) {
                        i += 1;
                    }
                    let r = parse_nanoseconds(value, 1 + i);
                    value = value.get(1 + i..).unwrap_or(&[]);
                    match r {
                        Ok(ns) => nsec = ns,
                        Err(NanoErr::Range(r)) => range_err = Some(r),
                        Err(NanoErr::Bad) => break 'blk false,
                    }
                    true
                }
            }
        };
        if let Some(r) = range_err {
            return Err(parse_msg(value_s, &format!(": {r} out of range")));
        }
        if !ok {
            return Err(parse_error(layout_s, value_s, stdstr, hold));
        }
    }
    if pm_set && hour < 12 {
        hour += 12;
    } else if am_set && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let mut d = 0;
        let mut m = 0;
        if is_leap(year) {
            if yday == 31 + 29 {
                m = 2;
                d = 29;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(parse_msg(value_s, ": day-of-year out of range"));
        }
        if m == 0 {
            m = (yday - 1) / 31 + 1;
            let before = |i: i64| {
                DAYS_BEFORE
                    .get(usize::try_from(i).unwrap_or(0))
                    .copied()
                    .unwrap_or(0)
            };
            if before(m) < yday {
                m += 1;
            }
            d = yday - before(m - 1);
        }
        if month >= 0 && month != m {
            return Err(parse_msg(value_s, ": day-of-year does not match month"));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(parse_msg(value_s, ": day-of-year does not match day"));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in(month, year) {
        return Err(parse_msg(value_s, ": day out of range"));
    }
    let days = days_from_civil(
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    );
    let mut secs = i128::from(days) * 86_400
        + i128::from(hour) * 3600
        + i128::from(min) * 60
        + i128::from(sec);
    // A zone name (`MST`, `GMT+3`) only labels the location in Go: the
    // local zone here is UTC, so the instant is read as UTC.
    let _ = zone_name;
    if !z_utc && zone_offset != -1 {
        secs -= i128::from(zone_offset);
    }
    Ok(secs * 1_000_000_000 + i128::from(nsec))
}

/// Go's `time.ParseDuration`, in ns.
pub(crate) fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", quote(orig));
    let mut s = orig.as_bytes();
    let mut d: u64 = 0;
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = s.get(1..).unwrap_or(&[]);
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    while !s.is_empty() {
        let c = *s.first().unwrap_or(&0);
        if !(c == b'.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let pl = s.len();
        let (mut v, rest) = leading_int(s).ok_or_else(invalid)?;
        s = rest;
        let pre = pl != s.len();
        let mut post = false;
        let mut f: u64 = 0;
        let mut scale: f64 = 1.0;
        if s.first() == Some(&b'.') {
            s = s.get(1..).unwrap_or(&[]);
            let pl = s.len();
            let mut i = 0;
            let mut overflow = false;
            while let Some(&c) = s.get(i) {
                if !c.is_ascii_digit() {
                    break;
                }
                i += 1;
                if overflow {
                    continue;
                }
                if f > (i64::MAX as u64) / 10 {
                    overflow = true;
                    continue;
                }
                let y = f * 10 + u64::from(c - b'0');
                if y > 1u64 << 63 {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10.0;
            }
            s = s.get(i..).unwrap_or(&[]);
            post = pl != s.len();
        }
        if !pre && !post {
            return Err(invalid());
        }
        let mut i = 0;
        while let Some(&c) = s.get(i) {
            if c == b'.' || c.is_ascii_digit() {
                break;
            }
            i += 1;
        }
        if i == 0 {
            return Err(format!("time: missing unit in duration {}", quote(orig)));
        }
        let u = s.get(..i).unwrap_or(&[]);
        s = s.get(i..).unwrap_or(&[]);
        let unit: u64 = match u {
            b"ns" => 1,
            b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote(&lossy(u)),
                    quote(orig)
                ));
            }
        };
        if v > (1u64 << 63) / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let add = (f as f64 * (unit as f64 / scale)) as u64;
            v = v.checked_add(add).ok_or_else(invalid)?;
            if v > 1u64 << 63 {
                return Err(invalid());
            }
        }
        d = d.checked_add(v).ok_or_else(invalid)?;
        if d > 1u64 << 63 {
            return Err(invalid());
        }
    }
    if neg {
        return Ok(0i64.wrapping_sub_unsigned(d));
    }
    i64::try_from(d).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn durations_follow_go() {
        assert_eq!(parse_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration("-1m30s"), Ok(-90_000_000_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("1µs"), Ok(1000));
        assert_eq!(
            parse_duration("1"),
            Err("time: missing unit in duration \"1\"".into())
        );
        assert_eq!(
            parse_duration("1x"),
            Err("time: unknown unit \"x\" in duration \"1x\"".into())
        );
        assert_eq!(
            parse_duration("9999999999h"),
            Err("time: invalid duration \"9999999999h\"".into())
        );
        assert_eq!(parse_duration("-9223372036854775808ns"), Ok(i64::MIN));
    }

    #[test]
    fn parse_layouts_follow_go() {
        assert_eq!(
            parse("2006-01-02 15:04:05", "2020-02-03 1:00:00"),
            Ok(1_580_691_600_000_000_000)
        );
        assert_eq!(
            parse("Jan _2 2006", "feb  3 2020"),
            Ok(1_580_688_000_000_000_000)
        );
        assert_eq!(parse("2006 002", "2020 060"), Ok(1_582_934_400_000_000_000));
        assert_eq!(parse("2006 -07", "2020 +05"), Ok(1_577_818_800_000_000_000));
        assert_eq!(
            parse("2006-01-02", "2020-13-01"),
            Err("parsing time \"2020-13-01\": month out of range".into())
        );
        assert_eq!(
            parse("2006-01-02T15:04:05Z07:00", "2020-01-01t00:00:00Z"),
            Err("parsing time \"2020-01-01t00:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"t00:00:00Z\" as \"T\"".into())
        );
    }
}
