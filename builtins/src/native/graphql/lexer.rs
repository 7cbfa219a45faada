//! GraphQL lexer with gqlparser's token kinds, positions (line, column in
//! runes) and error texts.

/// Token kinds, named as gqlparser prints them in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Invalid,
    Eof,
    Bang,
    Dollar,
    Amp,
    ParenL,
    ParenR,
    Spread,
    Colon,
    Equals,
    At,
    BracketL,
    BracketR,
    BraceL,
    BraceR,
    Pipe,
    Name,
    Int,
    Float,
    String,
    BlockString,
    Comment,
}

impl Kind {
    /// The kind as gqlparser's messages spell it.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Kind::Invalid => "<Invalid>",
            Kind::Eof => "<EOF>",
            Kind::Bang => "!",
            Kind::Dollar => "$",
            Kind::Amp => "&",
            Kind::ParenL => "(",
            Kind::ParenR => ")",
            Kind::Spread => "...",
            Kind::Colon => ":",
            Kind::Equals => "=",
            Kind::At => "@",
            Kind::BracketL => "[",
            Kind::BracketR => "]",
            Kind::BraceL => "{",
            Kind::BraceR => "}",
            Kind::Pipe => "|",
            Kind::Name => "Name",
            Kind::Int => "Int",
            Kind::Float => "Float",
            Kind::String => "String",
            Kind::BlockString => "BlockString",
            Kind::Comment => "Comment",
        }
    }
}

/// A source position (1-based line and rune column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub(crate) line: i64,
    /// gqlparser's column arithmetic: negative for a token that starts on
    /// an earlier line than the line counter (a multi-line block string).
    pub(crate) column: i64,
}

/// A positioned error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GqlError {
    pub(crate) pos: Option<Pos>,
    pub(crate) message: String,
}

impl GqlError {
    pub(crate) fn at(pos: Option<Pos>, message: impl Into<String>) -> GqlError {
        GqlError {
            pos,
            message: message.into(),
        }
    }

    /// gqlerror's `Error()` text: `input:<line>:<column>: <message>`.
    pub(crate) fn text(&self) -> String {
        match self.pos {
            Some(p) => format!("input:{}:{}: {}", p.line, p.column, self.message),
            None => format!("input: {}", self.message),
        }
    }
}

/// One token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) value: String,
    pub(crate) pos: Pos,
}

impl Token {
    /// gqlparser's token description: the kind, then the quoted value if any.
    pub(crate) fn describe(&self) -> String {
        if self.value.is_empty() {
            self.kind.text().to_string()
        } else {
            format!(
                "{} {}",
                self.kind.text(),
                crate::native::go_quote(&self.value)
            )
        }
    }
}

pub(crate) struct Lexer<'a> {
    input: &'a str,
    bytes: &'a [u8],
    start: usize,
    start_runes: usize,
    end: usize,
    end_runes: usize,
    line: i64,
    line_start_runes: usize,
}

type Lexed = Result<Token, (Token, GqlError)>;

impl<'a> Lexer<'a> {
    pub(crate) fn new(input: &'a str) -> Lexer<'a> {
        Lexer {
            input,
            bytes: input.as_bytes(),
            start: 0,
            start_runes: 0,
            end: 0,
            end_runes: 0,
            line: 1,
            line_start_runes: 0,
        }
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn slice(&self, a: usize, b: usize) -> &'a str {
        self.input.get(a..b).unwrap_or("")
    }

    fn token(&self, kind: Kind, value: String) -> Token {
        Token {
            kind,
            value,
            pos: Pos {
                line: self.line,
                column: rune_column(self.start_runes, self.line_start_runes),
            },
        }
    }

    fn error(&self, message: String) -> Lexed {
        let pos = Pos {
            line: self.line,
            column: rune_column(self.end_runes, self.line_start_runes),
        };
        Err((
            Token {
                kind: Kind::Invalid,
                value: String::new(),
                pos,
            },
            GqlError::at(Some(pos), message),
        ))
    }

    /// The next token (insignificant characters skipped; comments are
    /// tokens).
    pub(crate) fn read_token(&mut self) -> Lexed {
        self.ws();
        self.start = self.end;
        self.start_runes = self.end_runes;
        let Some(r) = self.byte(self.start) else {
            return Ok(self.token(Kind::Eof, String::new()));
        };
        self.end += 1;
        self.end_runes += 1;
        let punct = match r {
            b'!' => Some(Kind::Bang),
            b'$' => Some(Kind::Dollar),
            b'&' => Some(Kind::Amp),
            b'(' => Some(Kind::ParenL),
            b')' => Some(Kind::ParenR),
            b':' => Some(Kind::Colon),
            b'=' => Some(Kind::Equals),
            b'@' => Some(Kind::At),
            b'[' => Some(Kind::BracketL),
            b']' => Some(Kind::BracketR),
            b'{' => Some(Kind::BraceL),
            b'}' => Some(Kind::BraceR),
            b'|' => Some(Kind::Pipe),
            _ => None,
        };
        if let Some(k) = punct {
            return Ok(self.token(k, String::new()));
        }
        match r {
            b'.' if self.bytes.get(self.start..self.start + 3) == Some(b"...") => {
                self.end += 2;
                self.end_runes += 2;
                return Ok(self.token(Kind::Spread, String::new()));
            }
            b'#' => return Ok(self.read_comment()),
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => return Ok(self.read_name()),
            b'-' | b'0'..=b'9' => return self.read_number(),
            b'"' => {
                if self.bytes.get(self.start..self.start + 3) == Some(b"\"\"\"") {
                    return self.read_block_string();
                }
                return self.read_string();
            }
            _ => {}
        }
        self.end -= 1;
        self.end_runes -= 1;
        if r < 0x20 && r != b'\t' && r != b'\n' && r != b'\r' {
            return self.error(format!(
                "Cannot contain the invalid character \"\\u{:04}\"",
                r
            ));
        }
        if r == b'\'' {
            return self.error(
                "Unexpected single quote character ('), did you mean to use a double quote (\")?"
                    .to_string(),
            );
        }
        // Go's string(byte) is the Latin-1 rune of that byte.
        self.error(format!(
            "Cannot parse the unexpected character \"{}\".",
            char::from(r)
        ))
    }

    fn ws(&mut self) {
        while let Some(b) = self.byte(self.end) {
            match b {
                b'\t' | b' ' | b',' => {
                    self.end += 1;
                    self.end_runes += 1;
                }
                b'\n' => {
                    self.end += 1;
                    self.end_runes += 1;
                    self.line += 1;
                    self.line_start_runes = self.end_runes;
                }
                b'\r' => {
                    self.end += 1;
                    self.end_runes += 1;
                    self.line += 1;
                    self.line_start_runes = self.end_runes;
                    if self.byte(self.end) == Some(b'\n') {
                        self.end += 1;
                        self.end_runes += 1;
                    }
                }
                0xef if self.bytes.get(self.end + 1..self.end + 3) == Some(&[0xbb, 0xbf]) => {
                    self.end += 3;
                    self.end_runes += 1;
                }
                _ => return,
            }
        }
    }

    fn peek_char(&self) -> Option<char> {
        self.input.get(self.end..).and_then(|s| s.chars().next())
    }

    fn read_comment(&mut self) -> Token {
        while let Some(c) = self.peek_char() {
            if (c as u32) > 0x1f || c == '\t' {
                self.end += c.len_utf8();
                self.end_runes += 1;
            } else {
                break;
            }
        }
        self.token(Kind::Comment, self.slice(self.start, self.end).to_string())
    }

    fn read_name(&mut self) -> Token {
        while let Some(b) = self.byte(self.end) {
            if b.is_ascii_alphanumeric() || b == b'_' {
                self.end += 1;
                self.end_runes += 1;
            } else {
                break;
            }
        }
        self.token(Kind::Name, self.slice(self.start, self.end).to_string())
    }

    fn accept(&mut self, set: &[u8]) -> bool {
        match self.byte(self.end) {
            Some(b) if set.contains(&b) => {
                self.end += 1;
                self.end_runes += 1;
                true
            }
            _ => false,
        }
    }

    fn digits(&mut self) -> usize {
        let mut n = 0;
        while matches!(self.byte(self.end), Some(b'0'..=b'9')) {
            self.end += 1;
            self.end_runes += 1;
            n += 1;
        }
        n
    }

    fn describe_next(&self) -> String {
        match self.byte(self.end) {
            Some(b) => format!("\"{}\"", char::from(b)),
            None => "<EOF>".to_string(),
        }
    }

    fn read_number(&mut self) -> Lexed {
        let mut float = false;
        self.end -= 1;
        self.end_runes -= 1;
        self.accept(b"-");
        if self.accept(b"0") {
            let n = self.digits();
            if n != 0 {
                self.end -= n;
                self.end_runes -= n;
                return self.error(format!(
                    "Invalid number, unexpected digit after 0: {}.",
                    self.describe_next()
                ));
            }
        } else if self.digits() == 0 {
            return self.error(format!(
                "Invalid number, expected digit but got: {}.",
                self.describe_next()
            ));
        }
        if self.accept(b".") {
            float = true;
            if self.digits() == 0 {
                return self.error(format!(
                    "Invalid number, expected digit but got: {}.",
                    self.describe_next()
                ));
            }
        }
        if self.accept(b"eE") {
            float = true;
            self.accept(b"-+");
            if self.digits() == 0 {
                return self.error(format!(
                    "Invalid number, expected digit but got: {}.",
                    self.describe_next()
                ));
            }
        }
        let kind = if float { Kind::Float } else { Kind::Int };
        Ok(self.token(kind, self.slice(self.start, self.end).to_string()))
    }

    fn read_string(&mut self) -> Lexed {
        let len = self.bytes.len();
        let mut buf: Option<String> = None;
        self.start += 1;
        self.start_runes += 1;
        while self.end < len {
            let Some(r) = self.byte(self.end) else { break };
            if r == b'\n' || r == b'\r' {
                break;
            }
            if r < 0x20 && r != b'\t' {
                return self.error(format!("Invalid character within String: \"\\u{:04}\".", r));
            }
            match r {
                b'"' => {
                    let value = match buf.take() {
                        Some(b) => b,
                        None => self.slice(self.start, self.end).to_string(),
                    };
                    let t = self.token(Kind::String, value);
                    self.end += 1;
                    self.end_runes += 1;
                    return Ok(t);
                }
                b'\\' => {
                    if self.end + 1 >= len {
                        self.end += 1;
                        self.end_runes += 1;
                        return self.error("Invalid character escape sequence.".to_string());
                    }
                    let b = buf.get_or_insert_with(|| self.slice(self.start, self.end).to_string());
                    let escape = self.bytes.get(self.end + 1).copied().unwrap_or(0);
                    if escape == b'u' {
                        if self.end + 6 >= len {
                            self.end += 1;
                            self.end_runes += 1;
                            let rest = self.slice(self.end, len).to_string();
                            return self
                                .error(format!("Invalid character escape sequence: \\{rest}."));
                        }
                        let hex = self.bytes.get(self.end + 2..self.end + 6).unwrap_or(b"");
                        match unhex(hex) {
                            Some(c) => {
                                b.push(c);
                                self.end += 6;
                                self.end_runes += 6;
                            }
                            None => {
                                self.end += 1;
                                self.end_runes += 1;
                                let seq = String::from_utf8_lossy(
                                    self.bytes.get(self.end..self.end + 5).unwrap_or(b""),
                                )
                                .into_owned();
                                return self
                                    .error(format!("Invalid character escape sequence: \\{seq}."));
                            }
                        }
                    } else {
                        let c = match escape {
                            b'"' | b'/' | b'\\' => char::from(escape),
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            _ => {
                                self.end += 1;
                                self.end_runes += 1;
                                return self.error(format!(
                                    "Invalid character escape sequence: \\{}.",
                                    char::from(escape)
                                ));
                            }
                        };
                        b.push(c);
                        self.end += 2;
                        self.end_runes += 2;
                    }
                }
                _ => {
                    let c = self.peek_char().unwrap_or('\u{fffd}');
                    self.end += c.len_utf8().max(1);
                    self.end_runes += 1;
                    if let Some(b) = buf.as_mut() {
                        b.push(c);
                    }
                }
            }
        }
        self.error("Unterminated string.".to_string())
    }

    fn read_block_string(&mut self) -> Lexed {
        let len = self.bytes.len();
        let mut buf = String::new();
        self.start += 3;
        self.start_runes += 3;
        self.end += 2;
        self.end_runes += 2;
        while self.end < len {
            let Some(r) = self.byte(self.end) else { break };
            if r == b'"' && self.bytes.get(self.end..self.end + 3) == Some(b"\"\"\"") {
                let t = self.token(Kind::BlockString, block_string_value(&buf));
                self.end += 3;
                self.end_runes += 3;
                return Ok(t);
            }
            if r < 0x20 && r != b'\t' && r != b'\n' && r != b'\r' {
                return self.error(format!("Invalid character within String: \"\\u{:04}\".", r));
            }
            if r == b'\\' && self.bytes.get(self.end..self.end + 4) == Some(b"\\\"\"\"") {
                buf.push_str("\"\"\"");
                self.end += 4;
                self.end_runes += 4;
            } else if r == b'\r' {
                if self.byte(self.end + 1) == Some(b'\n') {
                    self.end += 1;
                    self.end_runes += 1;
                }
                buf.push('\n');
                self.end += 1;
                self.end_runes += 1;
                self.line += 1;
                self.line_start_runes = self.end_runes;
            } else {
                let c = self.peek_char().unwrap_or('\u{fffd}');
                self.end += c.len_utf8().max(1);
                self.end_runes += 1;
                buf.push(c);
                if r == b'\n' {
                    self.line += 1;
                    self.line_start_runes = self.end_runes;
                }
            }
        }
        self.error("Unterminated string.".to_string())
    }
}

/// `offset - line_start + 1` in signed arithmetic.
fn rune_column(offset: usize, line_start: usize) -> i64 {
    let o = i64::try_from(offset).unwrap_or(i64::MAX);
    let l = i64::try_from(line_start).unwrap_or(i64::MAX);
    o.saturating_sub(l).saturating_add(1)
}

fn unhex(b: &[u8]) -> Option<char> {
    let mut v: u32 = 0;
    for &c in b {
        v <<= 4;
        v |= match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'f' => u32::from(c - b'a' + 10),
            b'A'..=b'F' => u32::from(c - b'A' + 10),
            _ => return None,
        };
    }
    // Go writes an invalid rune (a lone surrogate) as U+FFFD.
    Some(char::from_u32(v).unwrap_or('\u{fffd}'))
}

/// The block string value as gqlparser computes it: the common indentation
/// (measured over every line, the first included) is removed from all lines
/// but the first, then leading and trailing blank lines are dropped.
pub(crate) fn block_string_value(raw: &str) -> String {
    let lines: Vec<&str> = raw.split('\n').collect();
    let indent_of = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let mut common: Option<usize> = None;
    for l in lines.iter() {
        let i = indent_of(l);
        if i < l.len() && common.is_none_or(|c| i < c) {
            common = Some(i);
        }
    }
    let mut out: Vec<&str> = Vec::with_capacity(lines.len());
    for (n, l) in lines.iter().enumerate() {
        match common {
            Some(c) if n > 0 => out.push(l.get(c.min(l.len())..).unwrap_or("")),
            _ => out.push(l),
        }
    }
    let blank = |l: &&str| l.trim_start_matches([' ', '\t']).is_empty();
    while out.first().is_some_and(blank) {
        out.remove(0);
    }
    while out.last().is_some_and(blank) {
        out.pop();
    }
    out.join("\n")
}
