//! A YAML 1.1 scanner and event parser that behaves as go-yaml v2's
//! (itself a translation of libyaml 0.1): the same tokens, the same rules
//! for tabs, simple keys and indentation, the same error texts and the same
//! marks, so `yaml.unmarshal` reports the syntax errors OPA reports.
//!
//! Written in safe Rust over a `Vec<char>`; reads past the end see `'\0'`,
//! as libyaml's padded buffer does. Nesting is limited to 10,000 flow
//! levels and 10,000 block indents, as in go-yaml.

use std::collections::{HashMap, VecDeque};

/// go-yaml's limit on flow levels and on block indents.
const MAX_DEPTH: usize = 10_000;
/// go-yaml reads (and checks) its input in chunks of this many bytes.
const READ_CHUNK: usize = 512;

/// A position in the input (0-based line and column, char index).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Mark {
    pub(crate) index: usize,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Which stage failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Reader,
    Scanner,
    Parser,
}

/// A syntax error, with libyaml's problem and marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    stage: Stage,
    problem: String,
    problem_mark: Mark,
    context_mark: Mark,
}

impl SyntaxError {
    /// go-yaml v2's text for the error: a scanner error names the
    /// 1-based line of the problem, a parser error its 0-based line (or the
    /// context's), and line 0 is never named.
    pub(crate) fn message(&self) -> String {
        let mut line = 0;
        if self.problem_mark.line != 0 {
            line = self.problem_mark.line;
            if self.stage == Stage::Scanner {
                line += 1;
            }
        } else if self.context_mark.line != 0 {
            line = self.context_mark.line;
        }
        if line == 0 {
            format!("yaml: {}", self.problem)
        } else {
            format!("yaml: line {line}: {}", self.problem)
        }
    }
}

/// A scalar's style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    StreamStart,
    StreamEnd,
    VersionDirective(u8, u8),
    TagDirective(String, String),
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias(String),
    Anchor(String),
    Tag(String, String),
    Scalar(String, Style),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    start: Mark,
    end: Mark,
}

#[derive(Debug, Clone, Copy, Default)]
struct SimpleKey {
    possible: bool,
    required: bool,
    token_number: usize,
    mark: Mark,
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}
fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}
fn is_breakz(c: char) -> bool {
    is_break(c) || c == '\0'
}
fn is_blankz(c: char) -> bool {
    is_blank(c) || is_breakz(c)
}
fn is_alpha(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}
fn is_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

type Res<T> = Result<T, SyntaxError>;

struct Scanner<'a> {
    src: &'a str,
    chars: Vec<char>,
    pos: usize,
    mark: Mark,
    /// Reader emulation: bytes / chars of the input checked so far, and
    /// the byte offset of the first character go-yaml refuses.
    read_bytes: usize,
    read_chars: usize,
    bad_at: Option<usize>,
    tokens: VecDeque<Token>,
    tokens_parsed: usize,
    token_available: bool,
    stream_start_produced: bool,
    /// STREAM-END is queued: nothing more to read.
    stream_end_fetched: bool,
    indent: isize,
    indents: Vec<isize>,
    simple_key_allowed: bool,
    simple_keys: Vec<SimpleKey>,
    /// Token number → index in `simple_keys` of a possible simple key.
    keys_by_token: HashMap<usize, usize>,
    flow_level: usize,
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str) -> Self {
        // go-yaml's reader drops a leading byte-order mark.
        let body = src.strip_prefix('\u{feff}').unwrap_or(src);
        // go-yaml replaces empty input with a line break.
        let body = if body.is_empty() { "\n" } else { body };
        Scanner {
            src: body,
            chars: body.chars().collect(),
            pos: 0,
            mark: Mark::default(),
            read_bytes: 0,
            read_chars: 0,
            bad_at: body
                .char_indices()
                .find(|(_, c)| !is_printable(*c))
                .map(|(i, _)| i),
            tokens: VecDeque::new(),
            tokens_parsed: 0,
            token_available: false,
            stream_start_produced: false,
            stream_end_fetched: false,
            indent: -1,
            indents: Vec::new(),
            simple_key_allowed: false,
            simple_keys: Vec::new(),
            keys_by_token: HashMap::new(),
            flow_level: 0,
        }
    }

    /// Make sure `n` characters from the current one have been read,
    /// failing as go-yaml's reader does on a character it refuses.
    fn cache(&mut self, n: usize) -> Res<()> {
        while self.read_chars < self.pos + n && self.read_bytes < self.src.len() {
            let mut end = (self.read_bytes + READ_CHUNK).min(self.src.len());
            while !self.src.is_char_boundary(end) {
                end -= 1;
            }
            if self.bad_at.is_some_and(|b| b >= self.read_bytes && b < end) {
                return Err(SyntaxError {
                    stage: Stage::Reader,
                    problem: "control characters are not allowed".into(),
                    problem_mark: Mark::default(),
                    context_mark: Mark::default(),
                });
            }
            self.read_chars += self
                .src
                .get(self.read_bytes..end)
                .map_or(0, |s| s.chars().count());
            self.read_bytes = end;
        }
        Ok(())
    }

    fn ch(&self, k: usize) -> char {
        self.chars.get(self.pos + k).copied().unwrap_or('\0')
    }

    fn skip(&mut self) {
        self.pos += 1;
        self.mark.index += 1;
        self.mark.column += 1;
    }

    fn skip_line(&mut self) {
        if self.ch(0) == '\r' && self.ch(1) == '\n' {
            self.pos += 2;
            self.mark.index += 2;
            self.mark.column = 0;
            self.mark.line += 1;
        } else if is_break(self.ch(0)) {
            self.pos += 1;
            self.mark.index += 1;
            self.mark.column = 0;
            self.mark.line += 1;
        }
    }

    fn read(&mut self, s: &mut String) {
        s.push(self.ch(0));
        self.skip();
    }

    fn read_line(&mut self, s: &mut String) {
        let c = self.ch(0);
        if c == '\r' && self.ch(1) == '\n' {
            s.push('\n');
            self.pos += 2;
            self.mark.index += 1;
        } else if c == '\r' || c == '\n' || c == '\u{85}' {
            s.push('\n');
            self.pos += 1;
        } else if c == '\u{2028}' || c == '\u{2029}' {
            s.push(c);
            self.pos += 1;
        } else {
            return;
        }
        self.mark.index += 1;
        self.mark.column = 0;
        self.mark.line += 1;
    }

    fn error(&self, context_mark: Mark, problem: &str) -> SyntaxError {
        SyntaxError {
            stage: Stage::Scanner,
            problem: problem.to_string(),
            problem_mark: self.mark,
            context_mark,
        }
    }

    fn column(&self) -> isize {
        isize::try_from(self.mark.column).unwrap_or(isize::MAX)
    }

    fn push(&mut self, kind: Tok, start: Mark) {
        self.tokens.push_back(Token {
            kind,
            start,
            end: self.mark,
        });
    }

    // --- the token queue ---------------------------------------------------

    /// Fetch tokens until the head one cannot be the start of a simple
    /// key any more (go-yaml v2.4: only the head token's key is checked).
    fn fetch_more_tokens(&mut self) -> Res<()> {
        loop {
            if !self.tokens.is_empty() {
                let Some(&idx) = self.keys_by_token.get(&self.tokens_parsed) else {
                    break;
                };
                if !self.key_is_valid(idx)? || self.stream_end_fetched {
                    break;
                }
            }
            self.fetch_next_token()?;
        }
        self.token_available = true;
        Ok(())
    }

    /// Whether simple key `idx` can still be a key: on the current line
    /// and at most 1024 characters back (a required one that cannot is an
    /// error; any other is dropped).
    fn key_is_valid(&mut self, idx: usize) -> Res<bool> {
        let Some(key) = self.simple_keys.get(idx).copied() else {
            return Ok(false);
        };
        if !key.possible {
            return Ok(false);
        }
        if key.mark.line < self.mark.line || key.mark.index + 1024 < self.mark.index {
            if key.required {
                return Err(self.error(key.mark, "could not find expected ':'"));
            }
            if let Some(k) = self.simple_keys.get_mut(idx) {
                k.possible = false;
            }
            return Ok(false);
        }
        Ok(true)
    }

    fn fetch_next_token(&mut self) -> Res<()> {
        self.cache(1)?;
        if !self.stream_start_produced {
            self.indent = -1;
            self.simple_keys.push(SimpleKey::default());
            self.simple_key_allowed = true;
            self.stream_start_produced = true;
            let m = self.mark;
            self.push(Tok::StreamStart, m);
            return Ok(());
        }
        self.scan_to_next_token()?;
        self.unroll_indent(self.column());
        self.cache(4)?;
        let (c0, c1, c2, c3) = (self.ch(0), self.ch(1), self.ch(2), self.ch(3));
        let col0 = self.mark.column == 0;
        if c0 == '\0' {
            return self.fetch_stream_end();
        }
        if col0 && c0 == '%' {
            return self.fetch_directive();
        }
        if col0 && c0 == '-' && c1 == '-' && c2 == '-' && is_blankz(c3) {
            return self.fetch_document_indicator(Tok::DocumentStart);
        }
        if col0 && c0 == '.' && c1 == '.' && c2 == '.' && is_blankz(c3) {
            return self.fetch_document_indicator(Tok::DocumentEnd);
        }
        let flow = self.flow_level > 0;
        match c0 {
            '[' => return self.fetch_flow_collection_start(Tok::FlowSequenceStart),
            '{' => return self.fetch_flow_collection_start(Tok::FlowMappingStart),
            ']' => return self.fetch_flow_collection_end(Tok::FlowSequenceEnd),
            '}' => return self.fetch_flow_collection_end(Tok::FlowMappingEnd),
            ',' => return self.fetch_flow_entry(),
            '-' if is_blankz(c1) => return self.fetch_block_entry(),
            '?' if flow || is_blankz(c1) => return self.fetch_key(),
            ':' if flow || is_blankz(c1) => return self.fetch_value(),
            '*' => return self.fetch_anchor(true),
            '&' => return self.fetch_anchor(false),
            '!' => return self.fetch_tag(),
            '|' if !flow => return self.fetch_block_scalar(true),
            '>' if !flow => return self.fetch_block_scalar(false),
            '\'' => return self.fetch_flow_scalar(true),
            '"' => return self.fetch_flow_scalar(false),
            _ => {}
        }
        let indicator = is_blankz(c0)
            || matches!(
                c0,
                '-' | '?'
                    | ':'
                    | ','
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '#'
                    | '&'
                    | '*'
                    | '!'
                    | '|'
                    | '>'
                    | '\''
                    | '"'
                    | '%'
                    | '@'
                    | '`'
            );
        if !indicator
            || (c0 == '-' && !is_blank(c1))
            || (!flow && (c0 == '?' || c0 == ':') && !is_blankz(c1))
        {
            return self.fetch_plain_scalar();
        }
        Err(self.error(self.mark, "found character that cannot start any token"))
    }

    fn save_simple_key(&mut self) -> Res<()> {
        let required = self.flow_level == 0 && self.indent == self.column();
        if self.simple_key_allowed {
            let key = SimpleKey {
                possible: true,
                required,
                token_number: self.tokens_parsed + self.tokens.len(),
                mark: self.mark,
            };
            self.remove_simple_key()?;
            let idx = self.simple_keys.len().saturating_sub(1);
            if let Some(last) = self.simple_keys.last_mut() {
                *last = key;
            }
            self.keys_by_token.insert(key.token_number, idx);
        }
        Ok(())
    }

    fn remove_simple_key(&mut self) -> Res<()> {
        if let Some(key) = self.simple_keys.last().copied()
            && key.possible
        {
            if key.required {
                return Err(self.error(key.mark, "could not find expected ':'"));
            }
            if let Some(k) = self.simple_keys.last_mut() {
                k.possible = false;
            }
            self.keys_by_token.remove(&key.token_number);
        }
        Ok(())
    }

    fn increase_flow_level(&mut self) -> Res<()> {
        self.simple_keys.push(SimpleKey {
            possible: false,
            required: false,
            token_number: self.tokens_parsed + self.tokens.len(),
            mark: self.mark,
        });
        self.flow_level += 1;
        if self.flow_level > MAX_DEPTH {
            return Err(self.error(self.mark, "exceeded max depth of 10000"));
        }
        Ok(())
    }

    /// Leave a flow level; like go-yaml, this forgets the token number of
    /// the level's last key even when another key holds the same number.
    fn decrease_flow_level(&mut self) {
        if self.flow_level > 0 {
            self.flow_level -= 1;
            if let Some(key) = self.simple_keys.pop() {
                self.keys_by_token.remove(&key.token_number);
            }
        }
    }

    /// Open a block collection at `column` if it is deeper than the
    /// current indent; the start token goes at queue position `number`
    /// (a token number) or at the end.
    fn roll_indent(
        &mut self,
        column: isize,
        number: Option<usize>,
        kind: Tok,
        mark: Mark,
    ) -> Res<()> {
        if self.flow_level > 0 {
            return Ok(());
        }
        if self.indent < column {
            self.indents.push(self.indent);
            self.indent = column;
            if self.indents.len() > MAX_DEPTH {
                let context = self.simple_keys.last().map(|k| k.mark).unwrap_or_default();
                return Err(self.error(context, "exceeded max depth of 10000"));
            }
            let token = Token {
                kind,
                start: mark,
                end: mark,
            };
            self.insert_token(number, token);
        }
        Ok(())
    }

    /// Put `token` at token number `number` (at the end when there is none
    /// or it was already handed out, as go-yaml appends on a negative
    /// position).
    fn insert_token(&mut self, number: Option<usize>, token: Token) {
        match number.and_then(|n| n.checked_sub(self.tokens_parsed)) {
            Some(at) if at <= self.tokens.len() => self.tokens.insert(at, token),
            _ => self.tokens.push_back(token),
        }
    }

    fn unroll_indent(&mut self, column: isize) {
        if self.flow_level > 0 {
            return;
        }
        while self.indent > column {
            let m = self.mark;
            self.push(Tok::BlockEnd, m);
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    // --- token fetchers --------------------------------------------------

    fn fetch_stream_end(&mut self) -> Res<()> {
        if self.mark.column != 0 {
            self.mark.column = 0;
            self.mark.line += 1;
        }
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        self.stream_end_fetched = true;
        let m = self.mark;
        self.push(Tok::StreamEnd, m);
        Ok(())
    }

    fn fetch_directive(&mut self) -> Res<()> {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_directive()?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_document_indicator(&mut self, kind: Tok) -> Res<()> {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.skip();
        self.skip();
        self.push(kind, start);
        Ok(())
    }

    fn fetch_flow_collection_start(&mut self, kind: Tok) -> Res<()> {
        self.save_simple_key()?;
        self.increase_flow_level()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.push(kind, start);
        Ok(())
    }

    fn fetch_flow_collection_end(&mut self, kind: Tok) -> Res<()> {
        self.remove_simple_key()?;
        self.decrease_flow_level();
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.push(kind, start);
        Ok(())
    }

    fn fetch_flow_entry(&mut self) -> Res<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.push(Tok::FlowEntry, start);
        Ok(())
    }

    fn fetch_block_entry(&mut self) -> Res<()> {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return Err(self.error(
                    self.mark,
                    "block sequence entries are not allowed in this context",
                ));
            }
            let m = self.mark;
            self.roll_indent(self.column(), None, Tok::BlockSequenceStart, m)?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.push(Tok::BlockEntry, start);
        Ok(())
    }

    fn fetch_key(&mut self) -> Res<()> {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return Err(self.error(self.mark, "mapping keys are not allowed in this context"));
            }
            let m = self.mark;
            self.roll_indent(self.column(), None, Tok::BlockMappingStart, m)?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = self.flow_level == 0;
        let start = self.mark;
        self.skip();
        self.push(Tok::Key, start);
        Ok(())
    }

    fn fetch_value(&mut self) -> Res<()> {
        let idx = self.simple_keys.len().saturating_sub(1);
        if self.key_is_valid(idx)? {
            let key = self.simple_keys.get(idx).copied().unwrap_or_default();
            self.insert_token(
                Some(key.token_number),
                Token {
                    kind: Tok::Key,
                    start: key.mark,
                    end: key.mark,
                },
            );
            let col = isize::try_from(key.mark.column).unwrap_or(isize::MAX);
            self.roll_indent(
                col,
                Some(key.token_number),
                Tok::BlockMappingStart,
                key.mark,
            )?;
            if let Some(k) = self.simple_keys.get_mut(idx) {
                k.possible = false;
            }
            self.keys_by_token.remove(&key.token_number);
            self.simple_key_allowed = false;
        } else {
            if self.flow_level == 0 {
                if !self.simple_key_allowed {
                    return Err(
                        self.error(self.mark, "mapping values are not allowed in this context")
                    );
                }
                let m = self.mark;
                self.roll_indent(self.column(), None, Tok::BlockMappingStart, m)?;
            }
            self.simple_key_allowed = self.flow_level == 0;
        }
        let start = self.mark;
        self.skip();
        self.push(Tok::Value, start);
        Ok(())
    }

    fn fetch_anchor(&mut self, alias: bool) -> Res<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_anchor(alias)?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_tag(&mut self) -> Res<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_tag()?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_block_scalar(&mut self, literal: bool) -> Res<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let token = self.scan_block_scalar(literal)?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_flow_scalar(&mut self, single: bool) -> Res<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_flow_scalar(single)?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_plain_scalar(&mut self) -> Res<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_plain_scalar()?;
        self.tokens.push_back(token);
        Ok(())
    }

    // --- scanners ----------------------------------------------------------

    fn scan_to_next_token(&mut self) -> Res<()> {
        loop {
            self.cache(1)?;
            // go-yaml tests the buffer's first character (not the current
            // one) for a byte-order mark, then skips the current one.
            if self.mark.column == 0 && self.chars.first() == Some(&'\u{feff}') {
                self.skip();
            }
            self.cache(1)?;
            while self.ch(0) == ' '
                || ((self.flow_level > 0 || !self.simple_key_allowed) && self.ch(0) == '\t')
            {
                self.skip();
                self.cache(1)?;
            }
            if self.ch(0) == '#' {
                while !is_breakz(self.ch(0)) {
                    self.skip();
                    self.cache(1)?;
                }
            }
            if is_break(self.ch(0)) {
                self.cache(2)?;
                self.skip_line();
                if self.flow_level == 0 {
                    self.simple_key_allowed = true;
                }
            } else {
                return Ok(());
            }
        }
    }

    /// The rest of a directive's or block scalar header's line.
    fn eat_line_end(&mut self, context: Mark, problem: &str) -> Res<()> {
        while is_blank(self.ch(0)) {
            self.skip();
            self.cache(1)?;
        }
        if self.ch(0) == '#' {
            while !is_breakz(self.ch(0)) {
                self.skip();
                self.cache(1)?;
            }
        }
        if !is_breakz(self.ch(0)) {
            return Err(self.error(context, problem));
        }
        if is_break(self.ch(0)) {
            self.cache(2)?;
            self.skip_line();
        }
        Ok(())
    }

    fn scan_directive(&mut self) -> Res<Token> {
        let start = self.mark;
        self.skip();
        self.cache(1)?;
        let mut name = String::new();
        while is_alpha(self.ch(0)) {
            self.read(&mut name);
            self.cache(1)?;
        }
        if name.is_empty() {
            return Err(self.error(start, "could not find expected directive name"));
        }
        if !is_blankz(self.ch(0)) {
            return Err(self.error(start, "found unexpected non-alphabetical character"));
        }
        let kind = match name.as_str() {
            "YAML" => {
                while is_blank(self.ch(0)) {
                    self.skip();
                    self.cache(1)?;
                }
                let major = self.scan_version_number(start)?;
                if self.ch(0) != '.' {
                    return Err(self.error(start, "did not find expected digit or '.' character"));
                }
                self.skip();
                let minor = self.scan_version_number(start)?;
                Tok::VersionDirective(major, minor)
            }
            "TAG" => {
                while is_blank(self.ch(0)) {
                    self.skip();
                    self.cache(1)?;
                }
                let handle = self.scan_tag_handle(true, start)?;
                self.cache(1)?;
                if !is_blank(self.ch(0)) {
                    return Err(self.error(start, "did not find expected whitespace"));
                }
                while is_blank(self.ch(0)) {
                    self.skip();
                    self.cache(1)?;
                }
                let prefix = self.scan_tag_uri(true, "", start)?;
                self.cache(1)?;
                if !is_blankz(self.ch(0)) {
                    return Err(self.error(start, "did not find expected whitespace or line break"));
                }
                Tok::TagDirective(handle, prefix)
            }
            _ => return Err(self.error(start, "found unknown directive name")),
        };
        let end = self.mark;
        self.cache(1)?;
        self.eat_line_end(start, "did not find expected comment or line break")?;
        Ok(Token { kind, start, end })
    }

    fn scan_version_number(&mut self, start: Mark) -> Res<u8> {
        self.cache(1)?;
        let (mut value, mut length) = (0u8, 0);
        while let Some(d) = self.ch(0).to_digit(10) {
            length += 1;
            if length > 2 {
                return Err(self.error(start, "found extremely long version number"));
            }
            value = value * 10 + u8::try_from(d).unwrap_or(0);
            self.skip();
            self.cache(1)?;
        }
        if length == 0 {
            return Err(self.error(start, "did not find expected version number"));
        }
        Ok(value)
    }

    fn scan_anchor(&mut self, alias: bool) -> Res<Token> {
        let start = self.mark;
        self.skip();
        self.cache(1)?;
        let mut name = String::new();
        while is_alpha(self.ch(0)) {
            self.read(&mut name);
            self.cache(1)?;
        }
        let end = self.mark;
        let c = self.ch(0);
        if name.is_empty()
            || !(is_blankz(c) || matches!(c, '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`'))
        {
            return Err(self.error(
                start,
                "did not find expected alphabetic or numeric character",
            ));
        }
        Ok(Token {
            kind: if alias {
                Tok::Alias(name)
            } else {
                Tok::Anchor(name)
            },
            start,
            end,
        })
    }

    fn scan_tag(&mut self) -> Res<Token> {
        let start = self.mark;
        self.cache(2)?;
        let (handle, suffix);
        if self.ch(1) == '<' {
            self.skip();
            self.skip();
            suffix = self.scan_tag_uri(false, "", start)?;
            if self.ch(0) != '>' {
                return Err(self.error(start, "did not find the expected '>'"));
            }
            self.skip();
            handle = String::new();
        } else {
            let h = self.scan_tag_handle(false, start)?;
            if h.len() > 1 && h.starts_with('!') && h.ends_with('!') {
                suffix = self.scan_tag_uri(false, "", start)?;
                handle = h;
            } else {
                let s = self.scan_tag_uri(false, &h, start)?;
                if s.is_empty() {
                    handle = String::new();
                    suffix = "!".to_string();
                } else {
                    handle = "!".to_string();
                    suffix = s;
                }
            }
        }
        self.cache(1)?;
        if !is_blankz(self.ch(0)) {
            return Err(self.error(start, "did not find expected whitespace or line break"));
        }
        Ok(Token {
            kind: Tok::Tag(handle, suffix),
            start,
            end: self.mark,
        })
    }

    fn scan_tag_handle(&mut self, directive: bool, start: Mark) -> Res<String> {
        self.cache(1)?;
        if self.ch(0) != '!' {
            return Err(self.error(start, "did not find expected '!'"));
        }
        let mut s = String::new();
        self.read(&mut s);
        self.cache(1)?;
        while is_alpha(self.ch(0)) {
            self.read(&mut s);
            self.cache(1)?;
        }
        if self.ch(0) == '!' {
            self.read(&mut s);
        } else if directive && s != "!" {
            return Err(self.error(start, "did not find expected '!'"));
        }
        Ok(s)
    }

    /// A tag URI; `head` is what a handle-less tag read already (its `!`
    /// is dropped).
    fn scan_tag_uri(&mut self, directive: bool, head: &str, start: Mark) -> Res<String> {
        let mut bytes: Vec<u8> = head.get(1..).unwrap_or("").as_bytes().to_vec();
        let mut has_tag = !head.is_empty();
        self.cache(1)?;
        loop {
            let c = self.ch(0);
            let uri_char = is_alpha(c)
                || matches!(
                    c,
                    ';' | '/'
                        | '?'
                        | ':'
                        | '@'
                        | '&'
                        | '='
                        | '+'
                        | '$'
                        | ','
                        | '.'
                        | '!'
                        | '~'
                        | '*'
                        | '\''
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '%'
                );
            if !uri_char {
                break;
            }
            if c == '%' {
                self.scan_uri_escapes(directive, start, &mut bytes)?;
            } else {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                self.skip();
            }
            self.cache(1)?;
            has_tag = true;
        }
        if !has_tag {
            return Err(self.error(start, "did not find expected tag URI"));
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn scan_uri_escapes(&mut self, _directive: bool, start: Mark, out: &mut Vec<u8>) -> Res<()> {
        let mut width = 1024usize;
        while width > 0 {
            self.cache(3)?;
            let (h, l) = (self.ch(1).to_digit(16), self.ch(2).to_digit(16));
            let (Some(h), Some(l), '%') = (h, l, self.ch(0)) else {
                return Err(self.error(start, "did not find URI escaped octet"));
            };
            let octet = u8::try_from(h * 16 + l).unwrap_or(0);
            if width == 1024 {
                width = match octet {
                    0x00..=0x7F => 1,
                    0xC0..=0xDF => 2,
                    0xE0..=0xEF => 3,
                    0xF0..=0xF7 => 4,
                    _ => 0,
                };
                if width == 0 {
                    return Err(self.error(start, "found an incorrect leading UTF-8 octet"));
                }
            } else if octet & 0xC0 != 0x80 {
                return Err(self.error(start, "found an incorrect trailing UTF-8 octet"));
            }
            out.push(octet);
            self.skip();
            self.skip();
            self.skip();
            width -= 1;
        }
        Ok(())
    }

    fn scan_block_scalar(&mut self, literal: bool) -> Res<Token> {
        let start = self.mark;
        self.skip();
        self.cache(1)?;
        let (mut chomping, mut increment) = (0i8, 0usize);
        let indicator_zero = "found an indentation indicator equal to 0";
        if matches!(self.ch(0), '+' | '-') {
            chomping = if self.ch(0) == '+' { 1 } else { -1 };
            self.skip();
            self.cache(1)?;
            if let Some(d) = self.ch(0).to_digit(10) {
                if d == 0 {
                    return Err(self.error(start, indicator_zero));
                }
                increment = usize::try_from(d).unwrap_or(1);
                self.skip();
            }
        } else if let Some(d) = self.ch(0).to_digit(10) {
            if d == 0 {
                return Err(self.error(start, indicator_zero));
            }
            increment = usize::try_from(d).unwrap_or(1);
            self.skip();
            self.cache(1)?;
            if matches!(self.ch(0), '+' | '-') {
                chomping = if self.ch(0) == '+' { 1 } else { -1 };
                self.skip();
            }
        }
        self.cache(1)?;
        self.eat_line_end(start, "did not find expected comment or line break")?;
        let mut end = self.mark;
        let mut indent = 0usize;
        if increment > 0 {
            indent = match usize::try_from(self.indent) {
                Ok(i) => i + increment,
                Err(_) => increment,
            };
        }
        let (mut s, mut leading_break, mut trailing_breaks) =
            (String::new(), String::new(), String::new());
        self.block_scalar_breaks(&mut indent, &mut trailing_breaks, start, &mut end)?;
        self.cache(1)?;
        let mut leading_blank = false;
        while self.mark.column == indent && self.ch(0) != '\0' {
            let trailing_blank = is_blank(self.ch(0));
            if !literal && !leading_blank && !trailing_blank && leading_break.starts_with('\n') {
                if trailing_breaks.is_empty() {
                    s.push(' ');
                }
            } else {
                s.push_str(&leading_break);
            }
            leading_break.clear();
            s.push_str(&trailing_breaks);
            trailing_breaks.clear();
            leading_blank = is_blank(self.ch(0));
            while !is_breakz(self.ch(0)) {
                self.read(&mut s);
                self.cache(1)?;
            }
            self.cache(2)?;
            self.read_line(&mut leading_break);
            self.block_scalar_breaks(&mut indent, &mut trailing_breaks, start, &mut end)?;
        }
        if chomping != -1 {
            s.push_str(&leading_break);
        }
        if chomping == 1 {
            s.push_str(&trailing_breaks);
        }
        Ok(Token {
            kind: Tok::Scalar(
                s,
                if literal {
                    Style::Literal
                } else {
                    Style::Folded
                },
            ),
            start,
            end,
        })
    }

    fn block_scalar_breaks(
        &mut self,
        indent: &mut usize,
        breaks: &mut String,
        start: Mark,
        end: &mut Mark,
    ) -> Res<()> {
        *end = self.mark;
        let mut max_indent = 0;
        loop {
            self.cache(1)?;
            while (*indent == 0 || self.mark.column < *indent) && self.ch(0) == ' ' {
                self.skip();
                self.cache(1)?;
            }
            max_indent = max_indent.max(self.mark.column);
            if (*indent == 0 || self.mark.column < *indent) && self.ch(0) == '\t' {
                return Err(self.error(
                    start,
                    "found a tab character where an indentation space is expected",
                ));
            }
            if !is_break(self.ch(0)) {
                break;
            }
            self.cache(2)?;
            self.read_line(breaks);
            *end = self.mark;
        }
        if *indent == 0 {
            let min = usize::try_from(self.indent + 1).unwrap_or(0).max(1);
            *indent = max_indent.max(min);
        }
        Ok(())
    }

    fn at_document_indicator(&self) -> bool {
        self.mark.column == 0
            && ((self.ch(0) == '-' && self.ch(1) == '-' && self.ch(2) == '-')
                || (self.ch(0) == '.' && self.ch(1) == '.' && self.ch(2) == '.'))
            && is_blankz(self.ch(3))
    }

    fn scan_flow_scalar(&mut self, single: bool) -> Res<Token> {
        let start = self.mark;
        self.skip();
        let (mut s, mut leading_break, mut trailing_breaks, mut whitespaces) =
            (String::new(), String::new(), String::new(), String::new());
        loop {
            self.cache(4)?;
            if self.at_document_indicator() {
                return Err(self.error(start, "found unexpected document indicator"));
            }
            if self.ch(0) == '\0' {
                return Err(self.error(start, "found unexpected end of stream"));
            }
            let mut leading_blanks = false;
            while !is_blankz(self.ch(0)) {
                let c = self.ch(0);
                if single && c == '\'' && self.ch(1) == '\'' {
                    s.push('\'');
                    self.skip();
                    self.skip();
                } else if (single && c == '\'') || (!single && c == '"') {
                    break;
                } else if !single && c == '\\' && is_break(self.ch(1)) {
                    self.cache(3)?;
                    self.skip();
                    self.skip_line();
                    leading_blanks = true;
                    break;
                } else if !single && c == '\\' {
                    let mut code_length = 0;
                    match self.ch(1) {
                        '0' => s.push('\0'),
                        'a' => s.push('\u{7}'),
                        'b' => s.push('\u{8}'),
                        't' | '\t' => s.push('\t'),
                        'n' => s.push('\n'),
                        'v' => s.push('\u{b}'),
                        'f' => s.push('\u{c}'),
                        'r' => s.push('\r'),
                        'e' => s.push('\u{1b}'),
                        ' ' => s.push(' '),
                        '"' => s.push('"'),
                        '\'' => s.push('\''),
                        '\\' => s.push('\\'),
                        'N' => s.push('\u{85}'),
                        '_' => s.push('\u{a0}'),
                        'L' => s.push('\u{2028}'),
                        'P' => s.push('\u{2029}'),
                        'x' => code_length = 2,
                        'u' => code_length = 4,
                        'U' => code_length = 8,
                        _ => return Err(self.error(start, "found unknown escape character")),
                    }
                    self.skip();
                    self.skip();
                    if code_length > 0 {
                        self.cache(code_length)?;
                        let mut value: u32 = 0;
                        for k in 0..code_length {
                            let Some(d) = self.ch(k).to_digit(16) else {
                                return Err(
                                    self.error(start, "did not find expected hexdecimal number")
                                );
                            };
                            value = (value << 4) + d;
                        }
                        let Some(ch) = char::from_u32(value) else {
                            return Err(
                                self.error(start, "found invalid Unicode character escape code")
                            );
                        };
                        s.push(ch);
                        for _ in 0..code_length {
                            self.skip();
                        }
                    }
                } else {
                    self.read(&mut s);
                }
                self.cache(2)?;
            }
            self.cache(1)?;
            let c = self.ch(0);
            if (single && c == '\'') || (!single && c == '"') {
                break;
            }
            while is_blank(self.ch(0)) || is_break(self.ch(0)) {
                if is_blank(self.ch(0)) {
                    if leading_blanks {
                        self.skip();
                    } else {
                        self.read(&mut whitespaces);
                    }
                } else {
                    self.cache(2)?;
                    if leading_blanks {
                        self.read_line(&mut trailing_breaks);
                    } else {
                        whitespaces.clear();
                        self.read_line(&mut leading_break);
                        leading_blanks = true;
                    }
                }
                self.cache(1)?;
            }
            if leading_blanks {
                if leading_break.starts_with('\n') {
                    if trailing_breaks.is_empty() {
                        s.push(' ');
                    } else {
                        s.push_str(&trailing_breaks);
                    }
                } else {
                    s.push_str(&leading_break);
                    s.push_str(&trailing_breaks);
                }
                trailing_breaks.clear();
                leading_break.clear();
            } else {
                s.push_str(&whitespaces);
                whitespaces.clear();
            }
        }
        self.skip();
        Ok(Token {
            kind: Tok::Scalar(
                s,
                if single {
                    Style::SingleQuoted
                } else {
                    Style::DoubleQuoted
                },
            ),
            start,
            end: self.mark,
        })
    }

    fn scan_plain_scalar(&mut self) -> Res<Token> {
        let (mut s, mut leading_break, mut trailing_breaks, mut whitespaces) =
            (String::new(), String::new(), String::new(), String::new());
        let mut leading_blanks = false;
        let indent = self.indent + 1;
        let start = self.mark;
        let mut end = self.mark;
        loop {
            self.cache(4)?;
            if self.at_document_indicator() || self.ch(0) == '#' {
                break;
            }
            while !is_blankz(self.ch(0)) {
                let c = self.ch(0);
                if (c == ':' && is_blankz(self.ch(1)))
                    || (self.flow_level > 0 && matches!(c, ',' | '?' | '[' | ']' | '{' | '}'))
                {
                    break;
                }
                if leading_blanks || !whitespaces.is_empty() {
                    if leading_blanks {
                        if leading_break.starts_with('\n') {
                            if trailing_breaks.is_empty() {
                                s.push(' ');
                            } else {
                                s.push_str(&trailing_breaks);
                            }
                        } else {
                            s.push_str(&leading_break);
                            s.push_str(&trailing_breaks);
                        }
                        trailing_breaks.clear();
                        leading_break.clear();
                        leading_blanks = false;
                    } else {
                        s.push_str(&whitespaces);
                        whitespaces.clear();
                    }
                }
                self.read(&mut s);
                end = self.mark;
                self.cache(2)?;
            }
            if !(is_blank(self.ch(0)) || is_break(self.ch(0))) {
                break;
            }
            self.cache(1)?;
            while is_blank(self.ch(0)) || is_break(self.ch(0)) {
                if is_blank(self.ch(0)) {
                    if leading_blanks && self.column() < indent && self.ch(0) == '\t' {
                        return Err(
                            self.error(start, "found a tab character that violates indentation")
                        );
                    }
                    if leading_blanks {
                        self.skip();
                    } else {
                        self.read(&mut whitespaces);
                    }
                } else {
                    self.cache(2)?;
                    if leading_blanks {
                        self.read_line(&mut trailing_breaks);
                    } else {
                        whitespaces.clear();
                        self.read_line(&mut leading_break);
                        leading_blanks = true;
                    }
                }
                self.cache(1)?;
            }
            if self.flow_level == 0 && self.column() < indent {
                break;
            }
        }
        if leading_blanks {
            self.simple_key_allowed = true;
        }
        Ok(Token {
            kind: Tok::Scalar(s, Style::Plain),
            start,
            end,
        })
    }
}

// --- the parser ----------------------------------------------------------------

/// A parse event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar {
        value: String,
        style: Style,
        anchor: Option<String>,
        /// The resolved tag (`tag:yaml.org,2002:str`, `!foo`, `!`).
        tag: Option<String>,
        /// Plain without a tag, or tagged `!`: resolved by content.
        implicit: bool,
    },
    SequenceStart {
        anchor: Option<String>,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
    },
    MappingEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

/// A token's kind without its data, for looking ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    StreamStart,
    StreamEnd,
    VersionDirective,
    TagDirective,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}

fn kind_of(t: &Tok) -> Kind {
    match t {
        Tok::StreamStart => Kind::StreamStart,
        Tok::StreamEnd => Kind::StreamEnd,
        Tok::VersionDirective(..) => Kind::VersionDirective,
        Tok::TagDirective(..) => Kind::TagDirective,
        Tok::DocumentStart => Kind::DocumentStart,
        Tok::DocumentEnd => Kind::DocumentEnd,
        Tok::BlockSequenceStart => Kind::BlockSequenceStart,
        Tok::BlockMappingStart => Kind::BlockMappingStart,
        Tok::BlockEnd => Kind::BlockEnd,
        Tok::FlowSequenceStart => Kind::FlowSequenceStart,
        Tok::FlowSequenceEnd => Kind::FlowSequenceEnd,
        Tok::FlowMappingStart => Kind::FlowMappingStart,
        Tok::FlowMappingEnd => Kind::FlowMappingEnd,
        Tok::BlockEntry => Kind::BlockEntry,
        Tok::FlowEntry => Kind::FlowEntry,
        Tok::Key => Kind::Key,
        Tok::Value => Kind::Value,
        Tok::Alias(_) => Kind::Alias,
        Tok::Anchor(_) => Kind::Anchor,
        Tok::Tag(..) => Kind::Tag,
        Tok::Scalar(..) => Kind::Scalar,
    }
}

/// The event parser (libyaml's LL(1) state machine).
pub(crate) struct Parser<'a> {
    scanner: Scanner<'a>,
    state: State,
    states: Vec<State>,
    marks: Vec<Mark>,
    tag_directives: Vec<(String, String)>,
}

fn parser_error(problem: &str, problem_mark: Mark) -> SyntaxError {
    SyntaxError {
        stage: Stage::Parser,
        problem: problem.to_string(),
        problem_mark,
        context_mark: Mark::default(),
    }
}

fn parser_error_context(context_mark: Mark, problem: &str, problem_mark: Mark) -> SyntaxError {
    SyntaxError {
        stage: Stage::Parser,
        problem: problem.to_string(),
        problem_mark,
        context_mark,
    }
}

impl<'a> Parser<'a> {
    /// A parser over `src`.
    pub(crate) fn new(src: &'a str) -> Self {
        Parser {
            scanner: Scanner::new(src),
            state: State::StreamStart,
            states: Vec::new(),
            marks: Vec::new(),
            tag_directives: Vec::new(),
        }
    }

    /// The next token's kind and marks.
    fn peek(&mut self) -> Res<(Kind, Mark, Mark)> {
        if !self.scanner.token_available {
            self.scanner.fetch_more_tokens()?;
        }
        match self.scanner.tokens.front() {
            Some(t) => Ok((kind_of(&t.kind), t.start, t.end)),
            None => Err(parser_error(
                "did not find expected token",
                self.scanner.mark,
            )),
        }
    }

    /// Consume the next token (after [`Parser::peek`]).
    fn take(&mut self) -> Tok {
        self.scanner.token_available = false;
        self.scanner.tokens_parsed += 1;
        match self.scanner.tokens.pop_front() {
            Some(t) => t.kind,
            None => Tok::StreamEnd,
        }
    }

    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(State::End);
    }

    /// The next event and its start mark.
    pub(crate) fn next(&mut self) -> Res<(Event, Mark)> {
        match self.state {
            State::End => Ok((Event::StreamEnd, self.scanner.mark)),
            State::StreamStart => {
                let (k, s, _) = self.peek()?;
                if k != Kind::StreamStart {
                    return Err(parser_error("did not find expected <stream-start>", s));
                }
                self.state = State::ImplicitDocumentStart;
                self.take();
                Ok((Event::StreamStart, s))
            }
            State::ImplicitDocumentStart => self.document_start(true),
            State::DocumentStart => self.document_start(false),
            State::DocumentContent => {
                let (k, s, _) = self.peek()?;
                if matches!(
                    k,
                    Kind::VersionDirective
                        | Kind::TagDirective
                        | Kind::DocumentStart
                        | Kind::DocumentEnd
                        | Kind::StreamEnd
                ) {
                    self.pop_state();
                    return Ok(empty_scalar(s));
                }
                self.node(true, false)
            }
            State::DocumentEnd => {
                let (k, s, _) = self.peek()?;
                if k == Kind::DocumentEnd {
                    self.take();
                }
                self.tag_directives.clear();
                self.state = State::DocumentStart;
                Ok((Event::DocumentEnd, s))
            }
            State::BlockNode => self.node(true, false),
            State::BlockSequenceFirstEntry => self.block_sequence_entry(true),
            State::BlockSequenceEntry => self.block_sequence_entry(false),
            State::IndentlessSequenceEntry => self.indentless_sequence_entry(),
            State::BlockMappingFirstKey => self.block_mapping_key(true),
            State::BlockMappingKey => self.block_mapping_key(false),
            State::BlockMappingValue => self.block_mapping_value(),
            State::FlowSequenceFirstEntry => self.flow_sequence_entry(true),
            State::FlowSequenceEntry => self.flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => {
                let (k, _, e) = self.peek()?;
                if !matches!(k, Kind::Value | Kind::FlowEntry | Kind::FlowSequenceEnd) {
                    self.states.push(State::FlowSequenceEntryMappingValue);
                    return self.node(false, false);
                }
                self.take();
                self.state = State::FlowSequenceEntryMappingValue;
                Ok(empty_scalar(e))
            }
            State::FlowSequenceEntryMappingValue => {
                let (mut k, mut s, _) = self.peek()?;
                if k == Kind::Value {
                    self.take();
                    (k, s, _) = self.peek()?;
                    if !matches!(k, Kind::FlowEntry | Kind::FlowSequenceEnd) {
                        self.states.push(State::FlowSequenceEntryMappingEnd);
                        return self.node(false, false);
                    }
                }
                self.state = State::FlowSequenceEntryMappingEnd;
                Ok(empty_scalar(s))
            }
            State::FlowSequenceEntryMappingEnd => {
                let (_, s, _) = self.peek()?;
                self.state = State::FlowSequenceEntry;
                Ok((Event::MappingEnd, s))
            }
            State::FlowMappingFirstKey => self.flow_mapping_key(true),
            State::FlowMappingKey => self.flow_mapping_key(false),
            State::FlowMappingValue => self.flow_mapping_value(false),
            State::FlowMappingEmptyValue => self.flow_mapping_value(true),
        }
    }

    fn document_start(&mut self, implicit: bool) -> Res<(Event, Mark)> {
        let (mut k, mut s, _) = self.peek()?;
        if !implicit {
            while k == Kind::DocumentEnd {
                self.take();
                (k, s, _) = self.peek()?;
            }
        }
        if implicit
            && !matches!(
                k,
                Kind::VersionDirective | Kind::TagDirective | Kind::DocumentStart | Kind::StreamEnd
            )
        {
            self.process_directives()?;
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;
            return Ok((Event::DocumentStart, s));
        }
        if k != Kind::StreamEnd {
            self.process_directives()?;
            let (k, s2, _) = self.peek()?;
            if k != Kind::DocumentStart {
                return Err(parser_error("did not find expected <document start>", s2));
            }
            self.states.push(State::DocumentEnd);
            self.state = State::DocumentContent;
            self.take();
            return Ok((Event::DocumentStart, s));
        }
        self.state = State::End;
        self.take();
        Ok((Event::StreamEnd, s))
    }

    fn process_directives(&mut self) -> Res<()> {
        let mut version = false;
        loop {
            let (k, s, _) = self.peek()?;
            match k {
                Kind::VersionDirective => {
                    if version {
                        return Err(parser_error("found duplicate %YAML directive", s));
                    }
                    if let Tok::VersionDirective(major, minor) = self.take()
                        && (major != 1 || minor != 1)
                    {
                        return Err(parser_error("found incompatible YAML document", s));
                    }
                    version = true;
                }
                Kind::TagDirective => {
                    if let Tok::TagDirective(handle, prefix) = self.take() {
                        if self.tag_directives.iter().any(|(h, _)| *h == handle) {
                            return Err(parser_error("found duplicate %TAG directive", s));
                        }
                        self.tag_directives.push((handle, prefix));
                    }
                }
                _ => break,
            }
        }
        for (h, p) in [("!", "!"), ("!!", "tag:yaml.org,2002:")] {
            if !self.tag_directives.iter().any(|(x, _)| x == h) {
                self.tag_directives.push((h.to_string(), p.to_string()));
            }
        }
        Ok(())
    }

    fn node(&mut self, block: bool, indentless_sequence: bool) -> Res<(Event, Mark)> {
        let (mut k, start, _) = self.peek()?;
        if k == Kind::Alias {
            self.pop_state();
            let name = match self.take() {
                Tok::Alias(n) => n,
                _ => String::new(),
            };
            return Ok((Event::Alias(name), start));
        }
        let mut anchor = None;
        let mut tag_parts: Option<(String, String)> = None;
        let mut tag_mark = start;
        let mut token_start = start;
        if k == Kind::Anchor {
            if let Tok::Anchor(a) = self.take() {
                anchor = Some(a);
            }
            (k, token_start, _) = self.peek()?;
            if k == Kind::Tag {
                tag_mark = token_start;
                if let Tok::Tag(h, s) = self.take() {
                    tag_parts = Some((h, s));
                }
                (k, token_start, _) = self.peek()?;
            }
        } else if k == Kind::Tag {
            tag_mark = start;
            if let Tok::Tag(h, s) = self.take() {
                tag_parts = Some((h, s));
            }
            (k, token_start, _) = self.peek()?;
            if k == Kind::Anchor {
                if let Tok::Anchor(a) = self.take() {
                    anchor = Some(a);
                }
                (k, token_start, _) = self.peek()?;
            }
        }
        let tag = match tag_parts {
            None => None,
            Some((handle, suffix)) if handle.is_empty() => Some(suffix),
            Some((handle, suffix)) => {
                match self.tag_directives.iter().find(|(h, _)| *h == handle) {
                    Some((_, prefix)) => Some(format!("{prefix}{suffix}")),
                    None => {
                        return Err(parser_error_context(
                            start,
                            "found undefined tag handle",
                            tag_mark,
                        ));
                    }
                }
            }
        };
        let tag = tag.filter(|t| !t.is_empty());
        if indentless_sequence && k == Kind::BlockEntry {
            self.state = State::IndentlessSequenceEntry;
            return Ok((Event::SequenceStart { anchor }, start));
        }
        match k {
            Kind::Scalar => {
                let (value, style) = match self.take() {
                    Tok::Scalar(v, s) => (v, s),
                    _ => (String::new(), Style::Plain),
                };
                let implicit =
                    (tag.is_none() && style == Style::Plain) || tag.as_deref() == Some("!");
                self.pop_state();
                return Ok((
                    Event::Scalar {
                        value,
                        style,
                        anchor,
                        tag,
                        implicit,
                    },
                    start,
                ));
            }
            Kind::FlowSequenceStart => {
                self.state = State::FlowSequenceFirstEntry;
                return Ok((Event::SequenceStart { anchor }, start));
            }
            Kind::FlowMappingStart => {
                self.state = State::FlowMappingFirstKey;
                return Ok((Event::MappingStart { anchor }, start));
            }
            Kind::BlockSequenceStart if block => {
                self.state = State::BlockSequenceFirstEntry;
                return Ok((Event::SequenceStart { anchor }, start));
            }
            Kind::BlockMappingStart if block => {
                self.state = State::BlockMappingFirstKey;
                return Ok((Event::MappingStart { anchor }, start));
            }
            _ => {}
        }
        if anchor.is_some() || tag.is_some() {
            self.pop_state();
            let implicit = tag.is_none();
            return Ok((
                Event::Scalar {
                    value: String::new(),
                    style: Style::Plain,
                    anchor,
                    tag,
                    implicit,
                },
                start,
            ));
        }
        Err(parser_error_context(
            start,
            "did not find expected node content",
            token_start,
        ))
    }

    fn push_mark_and_skip(&mut self) -> Res<()> {
        let (_, s, _) = self.peek()?;
        self.marks.push(s);
        self.take();
        Ok(())
    }

    fn pop_mark(&mut self) -> Mark {
        self.marks.pop().unwrap_or_default()
    }

    fn block_sequence_entry(&mut self, first: bool) -> Res<(Event, Mark)> {
        if first {
            self.push_mark_and_skip()?;
        }
        let (k, s, e) = self.peek()?;
        if k == Kind::BlockEntry {
            self.take();
            let (k2, _, _) = self.peek()?;
            if !matches!(k2, Kind::BlockEntry | Kind::BlockEnd) {
                self.states.push(State::BlockSequenceEntry);
                return self.node(true, false);
            }
            self.state = State::BlockSequenceEntry;
            return Ok(empty_scalar(e));
        }
        if k == Kind::BlockEnd {
            self.pop_state();
            self.pop_mark();
            self.take();
            return Ok((Event::SequenceEnd, s));
        }
        let context = self.pop_mark();
        Err(parser_error_context(
            context,
            "did not find expected '-' indicator",
            s,
        ))
    }

    fn indentless_sequence_entry(&mut self) -> Res<(Event, Mark)> {
        let (k, s, e) = self.peek()?;
        if k == Kind::BlockEntry {
            self.take();
            let (k2, _, _) = self.peek()?;
            if !matches!(
                k2,
                Kind::BlockEntry | Kind::Key | Kind::Value | Kind::BlockEnd
            ) {
                self.states.push(State::IndentlessSequenceEntry);
                return self.node(true, false);
            }
            self.state = State::IndentlessSequenceEntry;
            return Ok(empty_scalar(e));
        }
        self.pop_state();
        Ok((Event::SequenceEnd, s))
    }

    fn block_mapping_key(&mut self, first: bool) -> Res<(Event, Mark)> {
        if first {
            self.push_mark_and_skip()?;
        }
        let (k, s, e) = self.peek()?;
        if k == Kind::Key {
            self.take();
            let (k2, _, _) = self.peek()?;
            if !matches!(k2, Kind::Key | Kind::Value | Kind::BlockEnd) {
                self.states.push(State::BlockMappingValue);
                return self.node(true, true);
            }
            self.state = State::BlockMappingValue;
            return Ok(empty_scalar(e));
        }
        if k == Kind::BlockEnd {
            self.pop_state();
            self.pop_mark();
            self.take();
            return Ok((Event::MappingEnd, s));
        }
        let context = self.pop_mark();
        Err(parser_error_context(
            context,
            "did not find expected key",
            s,
        ))
    }

    fn block_mapping_value(&mut self) -> Res<(Event, Mark)> {
        let (k, s, e) = self.peek()?;
        if k == Kind::Value {
            self.take();
            let (k2, _, _) = self.peek()?;
            if !matches!(k2, Kind::Key | Kind::Value | Kind::BlockEnd) {
                self.states.push(State::BlockMappingKey);
                return self.node(true, true);
            }
            self.state = State::BlockMappingKey;
            return Ok(empty_scalar(e));
        }
        self.state = State::BlockMappingKey;
        Ok(empty_scalar(s))
    }

    fn flow_sequence_entry(&mut self, first: bool) -> Res<(Event, Mark)> {
        if first {
            self.push_mark_and_skip()?;
        }
        let (mut k, mut s, _) = self.peek()?;
        if k != Kind::FlowSequenceEnd {
            if !first {
                if k == Kind::FlowEntry {
                    self.take();
                    (k, s, _) = self.peek()?;
                } else {
                    let context = self.pop_mark();
                    return Err(parser_error_context(
                        context,
                        "did not find expected ',' or ']'",
                        s,
                    ));
                }
            }
            if k == Kind::Key {
                self.state = State::FlowSequenceEntryMappingKey;
                self.take();
                return Ok((Event::MappingStart { anchor: None }, s));
            } else if k != Kind::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntry);
                return self.node(false, false);
            }
        }
        self.pop_state();
        self.pop_mark();
        self.take();
        Ok((Event::SequenceEnd, s))
    }

    fn flow_mapping_key(&mut self, first: bool) -> Res<(Event, Mark)> {
        if first {
            self.push_mark_and_skip()?;
        }
        let (mut k, mut s, _) = self.peek()?;
        if k != Kind::FlowMappingEnd {
            if !first {
                if k == Kind::FlowEntry {
                    self.take();
                    (k, s, _) = self.peek()?;
                } else {
                    let context = self.pop_mark();
                    return Err(parser_error_context(
                        context,
                        "did not find expected ',' or '}'",
                        s,
                    ));
                }
            }
            if k == Kind::Key {
                self.take();
                let (k2, s2, _) = self.peek()?;
                if !matches!(k2, Kind::Value | Kind::FlowEntry | Kind::FlowMappingEnd) {
                    self.states.push(State::FlowMappingValue);
                    return self.node(false, false);
                }
                self.state = State::FlowMappingValue;
                return Ok(empty_scalar(s2));
            } else if k != Kind::FlowMappingEnd {
                self.states.push(State::FlowMappingEmptyValue);
                return self.node(false, false);
            }
        }
        self.pop_state();
        self.pop_mark();
        self.take();
        Ok((Event::MappingEnd, s))
    }

    fn flow_mapping_value(&mut self, empty: bool) -> Res<(Event, Mark)> {
        let (k, s, _) = self.peek()?;
        if empty {
            self.state = State::FlowMappingKey;
            return Ok(empty_scalar(s));
        }
        if k == Kind::Value {
            self.take();
            let (k2, s2, _) = self.peek()?;
            if !matches!(k2, Kind::FlowEntry | Kind::FlowMappingEnd) {
                self.states.push(State::FlowMappingKey);
                return self.node(false, false);
            }
            self.state = State::FlowMappingKey;
            return Ok(empty_scalar(s2));
        }
        self.state = State::FlowMappingKey;
        Ok(empty_scalar(s))
    }
}

fn empty_scalar(mark: Mark) -> (Event, Mark) {
    (
        Event::Scalar {
            value: String::new(),
            style: Style::Plain,
            anchor: None,
            tag: None,
            implicit: true,
        },
        mark,
    )
}
