//! A non-recursive parser for strict JSON and OPA value-dump text.
//!
//! Containers live on an explicit stack, so the nesting limit, not the
//! thread's stack, bounds how deep a document may go.

use super::{Number, Value, ValueError};
use std::collections::{BTreeMap, BTreeSet};

enum Frame {
    /// Inside `[`, collecting elements.
    Array(Vec<Value>, usize),
    /// Just after `{`, the first element is being read (value text: it
    /// may still turn out to be a set).
    Brace(usize),
    /// Object, reading a key.
    Key(BTreeMap<Value, Value>, usize),
    /// Object, reading the value of `key`.
    Val(BTreeMap<Value, Value>, Value, usize),
    /// Set, collecting elements.
    Set(BTreeSet<Value>, usize),
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    /// Value-dump text (sets, non-string keys) rather than strict JSON.
    rego: bool,
}

fn syntax(offset: usize, message: impl Into<String>) -> ValueError {
    ValueError::Syntax {
        offset,
        message: message.into(),
    }
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn found(&self) -> String {
        match self.text.get(self.i..).and_then(|s| s.chars().next()) {
            Some(c) => format!("{c:?}"),
            None => "end of input".into(),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, ValueError> {
        if self.b.get(self.i..self.i + word.len()) == Some(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(syntax(
                self.i,
                format!("expected a value, found {}", self.found()),
            ))
        }
    }

    fn number(&mut self) -> Result<Value, ValueError> {
        let start = self.i;
        while matches!(
            self.peek(),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        ) {
            self.i += 1;
        }
        let lit = self.text.get(start..self.i).unwrap_or("");
        Number::parse_literal(lit)
            .map(Value::Number)
            .map_err(|e| syntax(start, e.to_string()))
    }

    fn hex4(&mut self) -> Result<u32, ValueError> {
        let at = self.i;
        let digits = self
            .text
            .get(self.i..self.i + 4)
            .ok_or_else(|| syntax(at, "truncated \\u escape"))?;
        if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(syntax(at, "invalid \\u escape"));
        }
        self.i += 4;
        u32::from_str_radix(digits, 16).map_err(|_| syntax(at, "invalid \\u escape"))
    }

    fn string(&mut self) -> Result<Value, ValueError> {
        let open = self.i;
        self.i += 1; // opening quote
        let mut out = String::new();
        let mut run = self.i;
        loop {
            let Some(c) = self.peek() else {
                return Err(syntax(open, "unterminated string"));
            };
            match c {
                b'"' => {
                    out.push_str(self.text.get(run..self.i).unwrap_or(""));
                    self.i += 1;
                    return Ok(Value::string(out));
                }
                b'\\' => {
                    out.push_str(self.text.get(run..self.i).unwrap_or(""));
                    let at = self.i;
                    self.i += 1;
                    let e = self
                        .peek()
                        .ok_or_else(|| syntax(at, "unterminated escape"))?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    // Lone high surrogate: replaced, as Go does;
                                    // the next escape is read on its own.
                                    self.i = save;
                                    0xFFFD
                                }
                            } else {
                                hi
                            };
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(syntax(at, "invalid escape in string")),
                    }
                    run = self.i;
                }
                0..=0x1f => {
                    return Err(syntax(self.i, "control character in string"));
                }
                _ => self.i += 1,
            }
        }
    }
}

/// Parse a whole document.
pub(crate) fn parse(text: &str, rego: bool, max_depth: usize) -> Result<Value, ValueError> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        i: 0,
        rego,
    };
    let mut stack: Vec<Frame> = Vec::new();
    'value: loop {
        p.ws();
        let at = p.i;
        // In strict JSON an object key must be a string.
        if !p.rego
            && matches!(stack.last(), Some(Frame::Brace(_) | Frame::Key(..)))
            && p.peek() != Some(b'"')
        {
            return Err(syntax(
                at,
                format!("expected a string key, found {}", p.found()),
            ));
        }
        let mut v = match p.peek() {
            Some(b'[') | Some(b'{') => {
                if stack.len() >= max_depth {
                    return Err(ValueError::TooDeep {
                        limit: max_depth,
                        offset: at,
                    });
                }
                let open = p.peek();
                p.i += 1;
                p.ws();
                if open == Some(b'[') {
                    if p.peek() == Some(b']') {
                        p.i += 1;
                        Value::array(Vec::new())
                    } else {
                        stack.push(Frame::Array(Vec::new(), at));
                        continue 'value;
                    }
                } else if p.peek() == Some(b'}') {
                    p.i += 1;
                    Value::object(Vec::new())
                } else {
                    stack.push(Frame::Brace(at));
                    continue 'value;
                }
            }
            Some(b'"') => p.string()?,
            Some(b'-' | b'0'..=b'9') => p.number()?,
            Some(b't') => p.literal("true", Value::Bool(true))?,
            Some(b'f') => p.literal("false", Value::Bool(false))?,
            Some(b'n') => p.literal("null", Value::Null)?,
            Some(b's') if p.rego => p.literal("set()", Value::set(Vec::new()))?,
            _ => return Err(syntax(at, format!("expected a value, found {}", p.found()))),
        };
        // Attach the finished value `v` to its container(s).
        loop {
            p.ws();
            let Some(top) = stack.pop() else {
                if p.i != p.b.len() {
                    return Err(syntax(p.i, format!("unexpected {} after value", p.found())));
                }
                return Ok(v);
            };
            let next = p.peek();
            match top {
                Frame::Array(mut items, at) => {
                    items.push(v);
                    match next {
                        Some(b',') => {
                            p.i += 1;
                            stack.push(Frame::Array(items, at));
                            continue 'value;
                        }
                        Some(b']') => {
                            p.i += 1;
                            v = Value::array(items);
                        }
                        _ => {
                            return Err(syntax(
                                p.i,
                                format!("expected ',' or ']' in array, found {}", p.found()),
                            ));
                        }
                    }
                }
                Frame::Brace(at) => match next {
                    Some(b':') => {
                        p.i += 1;
                        stack.push(Frame::Val(BTreeMap::new(), v, at));
                        continue 'value;
                    }
                    Some(b',') if p.rego => {
                        p.i += 1;
                        stack.push(Frame::Set(BTreeSet::from([v]), at));
                        continue 'value;
                    }
                    Some(b'}') if p.rego => {
                        p.i += 1;
                        v = Value::set([v]);
                    }
                    _ => {
                        return Err(syntax(
                            p.i,
                            format!("expected ':' after object key, found {}", p.found()),
                        ));
                    }
                },
                Frame::Key(map, at) => {
                    if next != Some(b':') {
                        return Err(syntax(
                            p.i,
                            format!("expected ':' after object key, found {}", p.found()),
                        ));
                    }
                    p.i += 1;
                    stack.push(Frame::Val(map, v, at));
                    continue 'value;
                }
                Frame::Val(mut map, key, at) => {
                    map.insert(key, v);
                    match next {
                        Some(b',') => {
                            p.i += 1;
                            stack.push(Frame::Key(map, at));
                            continue 'value;
                        }
                        Some(b'}') => {
                            p.i += 1;
                            v = Value::Object(std::sync::Arc::new(map));
                        }
                        _ => {
                            return Err(syntax(
                                p.i,
                                format!("expected ',' or '}}' in object, found {}", p.found()),
                            ));
                        }
                    }
                }
                Frame::Set(mut items, at) => {
                    items.insert(v);
                    match next {
                        Some(b',') => {
                            p.i += 1;
                            stack.push(Frame::Set(items, at));
                            continue 'value;
                        }
                        Some(b'}') => {
                            p.i += 1;
                            v = Value::Set(std::sync::Arc::new(items));
                        }
                        _ => {
                            return Err(syntax(
                                p.i,
                                format!("expected ',' or '}}' in set, found {}", p.found()),
                            ));
                        }
                    }
                }
            }
        }
    }
}
