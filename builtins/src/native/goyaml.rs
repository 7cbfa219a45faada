//! A YAML emitter for JSON-shaped values that writes what OPA's
//! `yaml.marshal` writes (sigs.k8s.io/yaml → go-yaml v2 block style):
//! YAML 1.1 resolution decides which strings need quotes, libyaml's scalar
//! analysis picks plain / single / double / literal style, lines fold at
//! 80 columns.

use crate::Value;

const BEST_WIDTH: usize = 80;

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`.
pub(crate) fn go_format_g(f: f64) -> String {
    crate::gofloat::format(f, 'g', None)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest digits that
/// read back as the same `float32`.
pub(crate) fn go_format_g32(f: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    crate::gofloat::format32(f as f32, 'g', None)
}

/// A number as go-yaml writes the float64/int JSONToYAML decoded.
fn yaml_number(v: &crate::Number) -> String {
    if let Some(i) = v.as_i64() {
        return i.to_string();
    }
    let text = v.to_string();
    if v.is_integer() && text.parse::<u64>().is_ok() {
        return text;
    }
    go_format_g(v.as_f64())
}

/// What go-yaml v2's `resolve` makes of a scalar's text: the YAML 1.1
/// type it reads as (the value, for the ones `yaml.unmarshal` keeps).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Resolved {
    /// `~`, `null`, `Null`, `NULL` or the empty string.
    Null,
    /// `y`/`yes`/`true`/`on` … and their `n`/`no`/`false`/`off` twins.
    Bool(bool),
    /// An integer that fits Go's `int` (64-bit).
    Int(i64),
    /// An integer above `i64::MAX` that fits `uint64`.
    Uint(u64),
    /// A float, `.inf` / `.nan` included.
    Float(f64),
    /// A timestamp (`2001-12-14`, RFC 3339 with short fields, …).
    Timestamp,
    /// Anything else: the text stays a string.
    Str,
}

/// Go's `strconv.ParseUint(s, 0, 64)`: `0x`/`0o`/`0b` prefixes, a leading
/// `0` for octal, no sign.
fn go_parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (base, digits) = match (b.first(), b.get(1).map(u8::to_ascii_lowercase)) {
        (Some(b'0'), Some(p)) if b.len() >= 3 && matches!(p, b'x' | b'o' | b'b') => {
            let base = match p {
                b'x' => 16,
                b'o' => 8,
                _ => 2,
            };
            (base, s.get(2..)?)
        }
        (Some(b'0'), _) => (8, s.get(1..)?),
        _ => (10, s),
    };
    let mut n: u64 = 0;
    for c in digits.chars() {
        let d = u64::from(c.to_digit(base)?);
        n = n.checked_mul(u64::from(base))?.checked_add(d)?;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let u = go_parse_uint(body)?;
    if neg {
        0i64.checked_sub_unsigned(u)
    } else {
        i64::try_from(u).ok()
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`: go-yaml's
/// float syntax (and, for text that starts with `.`, all `ParseFloat`
/// accepts there).
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A float in go-yaml's syntax that `ParseFloat` takes without a range
/// error (overflow to infinity is an error there; underflow to 0 is not).
fn parse_yaml_float(s: &str) -> Option<f64> {
    if !is_yaml_float(s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// go-yaml v2's `resolve` for an untagged plain scalar (`timestamps`:
/// whether timestamp syntax is tried, as it is without a tag and with
/// `!!timestamp`). Base-60 numbers are not resolved (they stay strings),
/// and neither is `<<` (go-yaml's table lookup skips text that starts with
/// `<`; a plain `<<` key is a merge key by its text alone).
pub(crate) fn resolve_scalar(s: &str, timestamps: bool) -> Resolved {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false);
        }
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match s.as_bytes().first() {
        Some(b'.') => parse_yaml_float(s).map_or(Resolved::Str, Resolved::Float),
        Some(c) if c.is_ascii_digit() || *c == b'+' || *c == b'-' => {
            if timestamps && is_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if let Some(i) = go_parse_int(&plain) {
                Resolved::Int(i)
            } else if let Some(u) = go_parse_uint(&plain) {
                Resolved::Uint(u)
            } else if let Some(f) = parse_yaml_float(&plain) {
                Resolved::Float(f)
            } else {
                Resolved::Str
            }
        }
        _ => Resolved::Str,
    }
}

fn is_base60_float(s: &str) -> bool {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) && i - start < 2 {
            i += 1;
        }
        let g = s.get(start..i).unwrap_or("");
        if g.is_empty() || (g.len() == 2 && g.as_bytes().first().is_some_and(|c| *c > b'5')) {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

fn is_timestamp(s: &str) -> bool {
    if s.find('-') != Some(4) {
        return false;
    }
    [
        "2006-1-2T15:4:5.999999999Z07:00",
        "2006-1-2t15:4:5.999999999Z07:00",
        "2006-1-2 15:4:5.999999999",
        "2006-1-2",
    ]
    .iter()
    .any(|l| super::gotime::parse(l, s).is_ok())
}

/// Whether go-yaml v2 would resolve the plain scalar to a non-string.
fn resolves_non_string(s: &str) -> bool {
    resolve_scalar(s, true) != Resolved::Str
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || u == 0x85
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
        || (0x10000..=0x10FFFF).contains(&u)
}

#[derive(Default)]
struct Analysis {
    multiline: bool,
    flow_plain: bool,
    block_plain: bool,
    single: bool,
    block: bool,
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain: false,
            block_plain: true,
            single: true,
            block: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let (mut block_ind, mut flow_ind) = (false, false);
    if value.starts_with("---") || value.starts_with("...") {
        block_ind = true;
        flow_ind = true;
    }
    let blankz = |i: usize| {
        chars
            .get(i)
            .is_none_or(|c| matches!(c, ' ' | '\t') || is_break(*c))
    };
    let mut preceded_ws = true;
    let mut followed_ws = blankz(1);
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break, mut prev_space, mut prev_break) =
        (false, false, false, false);
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_ind = true;
                    block_ind = true;
                }
                '?' | ':' => {
                    flow_ind = true;
                    if followed_ws {
                        block_ind = true;
                    }
                }
                '-' if followed_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_ind = true,
                ':' => {
                    flow_ind = true;
                    if followed_ws {
                        block_ind = true;
                    }
                }
                '#' if preceded_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        let last = i + 1 == chars.len();
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_ws = blankz(i);
        followed_ws = blankz(i + 2);
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain: true,
        block_plain: true,
        single: true,
        block: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain = false;
        a.block_plain = false;
    }
    if trailing_space {
        a.block = false;
    }
    if break_space {
        a.flow_plain = false;
        a.block_plain = false;
        a.single = false;
    }
    if space_break || special {
        a.flow_plain = false;
        a.block_plain = false;
        a.single = false;
        a.block = false;
    }
    if line_breaks {
        a.flow_plain = false;
        a.block_plain = false;
    }
    if flow_ind {
        a.flow_plain = false;
    }
    if block_ind {
        a.block_plain = false;
    }
    a
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

fn select_style(s: &str, simple_key: bool) -> Style {
    let a = analyze(s);
    let mut style = if s.contains('\n') {
        Style::Literal
    } else if !resolves_non_string(s) && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::Double
    };
    if simple_key && a.multiline {
        style = Style::Double;
    }
    if style == Style::Plain {
        if !a.block_plain {
            style = Style::Single;
        }
        if s.is_empty() && simple_key {
            style = Style::Single;
        }
    }
    if style == Style::Single && !a.single {
        style = Style::Double;
    }
    if style == Style::Literal && (!a.block || simple_key) {
        style = Style::Double;
    }
    style
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_str(&mut self, s: &str) {
        for c in s.chars() {
            self.put(c);
        }
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self, indent: usize) {
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn indicator(&mut self, s: &str, need_ws: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        self.put_str(s);
        self.whitespace = false;
        self.indention = false;
    }

    fn scalar(&mut self, s: &str, indent: usize, simple_key: bool) {
        let allow_breaks = !simple_key;
        match select_style(s, simple_key) {
            Style::Plain => {
                if !self.whitespace && !s.is_empty() {
                    self.put(' ');
                }
                let chars: Vec<char> = s.chars().collect();
                let mut spaces = false;
                for (i, &c) in chars.iter().enumerate() {
                    if c == ' ' {
                        if allow_breaks
                            && !spaces
                            && self.column > BEST_WIDTH
                            && chars.get(i + 1) != Some(&' ')
                        {
                            self.write_indent(indent);
                        } else {
                            self.put(c);
                        }
                        spaces = true;
                    } else {
                        self.put(c);
                        spaces = false;
                    }
                    self.indention = false;
                }
                self.whitespace = false;
            }
            Style::Single => {
                self.indicator("'", true);
                let chars: Vec<char> = s.chars().collect();
                let mut spaces = false;
                for (i, &c) in chars.iter().enumerate() {
                    if c == ' ' {
                        if allow_breaks
                            && !spaces
                            && self.column > BEST_WIDTH
                            && i != 0
                            && i + 1 != chars.len()
                            && chars.get(i + 1) != Some(&' ')
                        {
                            self.write_indent(indent);
                        } else {
                            self.put(c);
                        }
                        spaces = true;
                    } else {
                        if c == '\'' {
                            self.put('\'');
                        }
                        self.put(c);
                        spaces = false;
                    }
                    self.indention = false;
                }
                self.indicator("'", false);
            }
            Style::Double => {
                self.indicator("\"", true);
                let chars: Vec<char> = s.chars().collect();
                let mut spaces = false;
                for (i, &c) in chars.iter().enumerate() {
                    let u = c as u32;
                    if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                        self.put('\\');
                        match c {
                            '\0' => self.put('0'),
                            '\u{7}' => self.put('a'),
                            '\u{8}' => self.put('b'),
                            '\t' => self.put('t'),
                            '\n' => self.put('n'),
                            '\u{b}' => self.put('v'),
                            '\u{c}' => self.put('f'),
                            '\r' => self.put('r'),
                            '\u{1b}' => self.put('e'),
                            '"' => self.put('"'),
                            '\\' => self.put('\\'),
                            '\u{85}' => self.put('N'),
                            '\u{a0}' => self.put('_'),
                            '\u{2028}' => self.put('L'),
                            '\u{2029}' => self.put('P'),
                            _ if u <= 0xFF => self.put_str(&format!("x{u:02X}")),
                            _ if u <= 0xFFFF => self.put_str(&format!("u{u:04X}")),
                            _ => self.put_str(&format!("U{u:08X}")),
                        }
                        spaces = false;
                    } else if c == ' ' {
                        if allow_breaks
                            && !spaces
                            && self.column > BEST_WIDTH
                            && i != 0
                            && i + 1 != chars.len()
                        {
                            self.write_indent(indent);
                            if chars.get(i + 1) == Some(&' ') {
                                self.put('\\');
                            }
                        } else {
                            self.put(c);
                        }
                        spaces = true;
                    } else {
                        self.put(c);
                        spaces = false;
                    }
                    self.indention = false;
                }
                self.indicator("\"", false);
            }
            Style::Literal => {
                self.indicator("|", true);
                let chars: Vec<char> = s.chars().collect();
                if chars.first().is_some_and(|c| *c == ' ' || is_break(*c)) {
                    self.put('2');
                }
                match chars.last() {
                    Some(c) if !is_break(*c) => self.put('-'),
                    _ => {
                        let n = chars.len();
                        if n == 1 || chars.get(n.wrapping_sub(2)).is_some_and(|c| is_break(*c)) {
                            self.put('+');
                        }
                    }
                }
                self.put_break();
                self.indention = true;
                self.whitespace = true;
                let mut breaks = true;
                for &c in &chars {
                    if is_break(c) {
                        self.put_break();
                        self.indention = true;
                        breaks = true;
                    } else {
                        if breaks {
                            self.write_indent(indent);
                            breaks = false;
                        }
                        self.put(c);
                        self.indention = false;
                    }
                }
            }
        }
    }

    fn node(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Null => self.plain_token("null"),
            Value::Bool(b) => self.plain_token(if *b { "true" } else { "false" }),
            Value::Number(n) => self.plain_token(&yaml_number(n)),
            Value::String(s) => self.scalar(s, indent + 2, false),
            Value::Array(_) | Value::Set(_) | Value::Object(_) => {}
        }
    }

    fn plain_token(&mut self, s: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        self.put_str(s);
        self.whitespace = false;
        self.indention = false;
    }

    fn items(v: &Value) -> Vec<&Value> {
        match v {
            Value::Array(a) => a.iter().collect(),
            Value::Set(s) => s.iter().collect(),
            _ => Vec::new(),
        }
    }

    fn entries(v: &Value) -> Vec<(String, &Value)> {
        let mut e: Vec<(String, &Value)> = match v {
            Value::Object(o) => o
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::String(s) => s.to_string(),
                        other => other.to_json().to_string(),
                    };
                    (key, v)
                })
                .collect(),
            _ => Vec::new(),
        };
        e.sort_by(|a, b| a.0.cmp(&b.0));
        e
    }

    fn is_empty_collection(v: &Value) -> Option<&'static str> {
        match v {
            Value::Array(a) if a.is_empty() => Some("[]"),
            Value::Set(s) if s.is_empty() => Some("[]"),
            Value::Object(o) if o.is_empty() => Some("{}"),
            _ => None,
        }
    }

    /// A block node at `indent` (the column of its keys / dashes); the
    /// cursor may be on a line that already has a `- ` prefix.
    fn block(&mut self, v: &Value, indent: usize, depth: usize) {
        if depth > 1000 {
            self.plain_token("null");
            return;
        }
        if let Some(flow) = Emitter::is_empty_collection(v) {
            self.indicator(flow, true);
            return;
        }
        match v {
            Value::Object(_) => {
                for (key, val) in Emitter::entries(v) {
                    self.write_indent(indent);
                    let simple = key.len() <= 128 && !key.chars().any(is_break);
                    if simple {
                        self.scalar(&key, indent + 2, true);
                        self.indicator(":", false);
                    } else {
                        self.indicator("?", true);
                        self.scalar(&key, indent + 2, false);
                        self.write_indent(indent);
                        self.indicator(":", true);
                    }
                    self.value_after_key(val, indent, depth);
                }
            }
            Value::Array(_) | Value::Set(_) => {
                for item in Emitter::items(v) {
                    self.write_indent(indent);
                    self.indicator("-", true);
                    self.item_after_dash(item, indent, depth);
                }
            }
            other => self.node(other, indent),
        }
    }

    fn value_after_key(&mut self, val: &Value, indent: usize, depth: usize) {
        match val {
            _ if Emitter::is_empty_collection(val).is_some() => self.block(val, indent, depth + 1),
            Value::Object(_) => self.block(val, indent + 2, depth + 1),
            // Sequences in mappings are not indented.
            Value::Array(_) | Value::Set(_) => self.block(val, indent, depth + 1),
            other => self.node(other, indent),
        }
    }

    fn item_after_dash(&mut self, item: &Value, indent: usize, depth: usize) {
        match item {
            _ if Emitter::is_empty_collection(item).is_some() => {
                self.block(item, indent, depth + 1);
            }
            Value::Object(_) | Value::Array(_) | Value::Set(_) => {
                // The first entry goes on the dash's line.
                self.put(' ');
                self.whitespace = true;
                self.indention = true;
                self.block(item, indent + 2, depth + 1);
            }
            other => self.node(other, indent),
        }
    }
}

/// `yaml.marshal` of a value.
pub(crate) fn marshal(v: &Value) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
    };
    match v {
        Value::Object(_) | Value::Array(_) | Value::Set(_) => e.block(v, 0, 0),
        Value::String(s) => e.scalar(s, 2, false),
        other => e.node(other, 0),
    }
    if !e.out.ends_with('\n') {
        e.out.push('\n');
    }
    e.out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn matches_go_yaml_styles() {
        let v = Value::from_json_str(
            r##"{"a": ["yes", "1", "", "null", "a: b", "x\ny", "- x", "é", "~", "0x1", "1e3", "#c", "  lead", "trail ", "it's", "\"q\"", "on", "2020-01-01", "a #b", "a\tb"], "b": {"c": 1.5, "d": true, "e": null, "f": {}, "g": []}, "n": 1, "z": [[1,2],{"k":"v"}]}"##,
        )
        .unwrap();
        let want = "a:\n- \"yes\"\n- \"1\"\n- \"\"\n- \"null\"\n- 'a: b'\n- |-\n  x\n  y\n- '- x'\n- é\n- \"~\"\n- \"0x1\"\n- \"1e3\"\n- '#c'\n- '  lead'\n- 'trail '\n- it's\n- '\"q\"'\n- \"on\"\n- \"2020-01-01\"\n- 'a #b'\n- \"a\\tb\"\nb:\n  c: 1.5\n  d: true\n  e: null\n  f: {}\n  g: []\n\"n\": 1\nz:\n- - 1\n  - 2\n- k: v\n";
        assert_eq!(marshal(&v), want);
    }

    #[test]
    fn go_g_format() {
        assert_eq!(go_format_g(1.5), "1.5");
        assert_eq!(go_format_g(1e21), "1e+21");
        assert_eq!(go_format_g(1e-5), "1e-05");
        assert_eq!(go_format_g(123456789.5), "1.234567895e+08");
    }
}
