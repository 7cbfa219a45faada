//! The template lexer, token for token as Go's `text/template/parse`
//! scans (default `{{ }}` delimiters, `break`/`continue` keywords on,
//! comments dropped): the parser's error texts and line numbers depend on
//! exactly which tokens it sees.

use super::value::{quote, sharp_u};

/// Token kinds (Go's `itemType`); those after `Block` are keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    Error,
    Bool,
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Tok {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            Tok::Block
                | Tok::Break
                | Tok::Continue
                | Tok::Dot
                | Tok::Define
                | Tok::Else
                | Tok::End
                | Tok::If
                | Tok::Nil
                | Tok::Range
                | Tok::Template
                | Tok::With
        )
    }
}

/// One token: kind, byte position, text and starting line.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub typ: Tok,
    pub pos: usize,
    pub val: String,
    pub line: usize,
}

impl Default for Item {
    fn default() -> Item {
        Item {
            typ: Tok::Eof,
            pos: 0,
            val: String::new(),
            line: 0,
        }
    }
}

impl Item {
    /// How Go's parser names the token in errors.
    pub(super) fn describe(&self) -> String {
        match self.typ {
            Tok::Eof => "EOF".to_string(),
            Tok::Error => self.val.clone(),
            t if t.is_keyword() => format!("<{}>", self.val),
            _ if self.val.len() > 10 => {
                let head: String = self.val.chars().take(10).collect();
                format!("{}...", quote(&head))
            }
            _ => quote(&self.val),
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Go's `isAlphaNumeric`: `_`, a letter or a decimal digit.
fn is_alnum(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    c == '_'
        || matches!(
            get_general_category(c),
            G::UppercaseLetter
                | G::LowercaseLetter
                | G::TitlecaseLetter
                | G::ModifierLetter
                | G::OtherLetter
                | G::DecimalNumber
        )
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.first() == Some(&b'-') && b.get(1).is_some_and(|&c| is_space(char::from(c)))
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.first().is_some_and(|&c| is_space(char::from(c))) && b.get(1) == Some(&b'-')
}

fn count_newlines(s: &str) -> usize {
    s.bytes().filter(|&c| c == b'\n').count()
}

/// Lexer states (Go's state functions).
#[derive(Clone, Copy)]
enum St {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Space,
    Identifier,
    Field,
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
}

/// Digit sets of `scanNumber`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Digits {
    Dec,
    Hex,
    Oct,
    Bin,
}

impl Digits {
    fn accepts(self, c: char) -> bool {
        c == '_'
            || match self {
                Digits::Dec => c.is_ascii_digit(),
                Digits::Hex => c.is_ascii_hexdigit(),
                Digits::Oct => ('0'..='7').contains(&c),
                Digits::Bin => c == '0' || c == '1',
            }
    }
}

/// The lexer: the parser pulls tokens with [`Lexer::next_item`].
pub(super) struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    at_eof: bool,
    paren_depth: i64,
    line: usize,
    start_line: usize,
    inside_action: bool,
    item: Item,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(input: &'a str) -> Lexer<'a> {
        Lexer {
            input,
            pos: 0,
            start: 0,
            at_eof: false,
            paren_depth: 0,
            line: 1,
            start_line: 1,
            inside_action: false,
            item: Item::default(),
        }
    }

    fn rest(&self) -> &'a str {
        self.input.get(self.pos..).unwrap_or_default()
    }

    fn next(&mut self) -> Option<char> {
        let Some(c) = self.rest().chars().next() else {
            self.at_eof = true;
            return None;
        };
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn backup(&mut self) {
        if !self.at_eof
            && let Some(c) = self
                .input
                .get(..self.pos)
                .and_then(|s| s.chars().next_back())
        {
            self.pos -= c.len_utf8();
            if c == '\n' {
                self.line -= 1;
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        let c = self.next();
        self.backup();
        c
    }

    fn this_item(&mut self, typ: Tok) -> Item {
        let item = Item {
            typ,
            pos: self.start,
            val: self
                .input
                .get(self.start..self.pos)
                .unwrap_or_default()
                .to_string(),
            line: self.start_line,
        };
        self.start = self.pos;
        self.start_line = self.line;
        item
    }

    fn emit(&mut self, typ: Tok) -> Option<St> {
        self.item = self.this_item(typ);
        None
    }

    fn ignore(&mut self) {
        self.line += count_newlines(self.input.get(self.start..self.pos).unwrap_or_default());
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn accept_digits(&mut self, d: Digits) {
        while self.next().is_some_and(|c| d.accepts(c)) {}
        self.backup();
    }

    fn errorf(&mut self, msg: String) -> Option<St> {
        self.item = Item {
            typ: Tok::Error,
            pos: self.start,
            val: msg,
            line: self.start_line,
        };
        self.start = 0;
        self.pos = 0;
        self.input = "";
        None
    }

    /// The next token.
    pub(super) fn next_item(&mut self) -> Item {
        self.item = Item {
            typ: Tok::Eof,
            pos: self.pos,
            val: "EOF".to_string(),
            line: self.start_line,
        };
        let mut state = if self.inside_action {
            St::InsideAction
        } else {
            St::Text
        };
        while let Some(next) = self.step(state) {
            state = next;
        }
        self.item.clone()
    }

    fn step(&mut self, st: St) -> Option<St> {
        match st {
            St::Text => self.lex_text(),
            St::LeftDelim => self.lex_left_delim(),
            St::Comment => self.lex_comment(),
            St::RightDelim => self.lex_right_delim(),
            St::InsideAction => self.lex_inside_action(),
            St::Space => self.lex_space(),
            St::Identifier => self.lex_identifier(),
            St::Field => self.lex_field_or_variable(Tok::Field),
            St::Variable => {
                if self.at_terminator() {
                    return self.emit(Tok::Variable);
                }
                self.lex_field_or_variable(Tok::Variable)
            }
            St::Char => self.lex_quoted('\'', "unterminated character constant", Tok::CharConstant),
            St::Number => self.lex_number(),
            St::Quote => self.lex_quoted('"', "unterminated quoted string", Tok::String),
            St::RawQuote => self.lex_raw_quote(),
        }
    }

    fn lex_text(&mut self) -> Option<St> {
        if let Some(x) = self.rest().find(LEFT) {
            if x > 0 {
                self.pos += x;
                let mut trim = 0;
                let delim_end = self.pos + LEFT.len();
                if has_left_trim_marker(self.input.get(delim_end..).unwrap_or_default()) {
                    let text = self.input.get(self.start..self.pos).unwrap_or_default();
                    trim = text.len() - text.trim_end_matches(is_space).len();
                }
                self.pos -= trim;
                self.line +=
                    count_newlines(self.input.get(self.start..self.pos).unwrap_or_default());
                let item = self.this_item(Tok::Text);
                self.pos += trim;
                self.ignore();
                if !item.val.is_empty() {
                    self.item = item;
                    return None;
                }
            }
            return Some(St::LeftDelim);
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += count_newlines(self.input.get(self.start..self.pos).unwrap_or_default());
            return self.emit(Tok::Text);
        }
        self.emit(Tok::Eof)
    }

    /// Whether a right delimiter (with or without trim marker) is next.
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim_marker(rest) && rest.get(2..).is_some_and(|r| r.starts_with(RIGHT)) {
            return (true, true);
        }
        (rest.starts_with(RIGHT), false)
    }

    fn lex_left_delim(&mut self) -> Option<St> {
        self.pos += LEFT.len();
        let trim = has_left_trim_marker(self.rest());
        let after = if trim { 2 } else { 0 };
        if self
            .rest()
            .get(after..)
            .is_some_and(|r| r.starts_with("/*"))
        {
            self.pos += after;
            self.ignore();
            return Some(St::Comment);
        }
        let item = self.this_item(Tok::LeftDelim);
        self.inside_action = true;
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        self.item = item;
        None
    }

    fn lex_comment(&mut self) -> Option<St> {
        self.pos += 2;
        let Some(x) = self.rest().find("*/") else {
            return self.errorf("unclosed comment".to_string());
        };
        self.pos += x + 2;
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.errorf("comment ends before closing delimiter".to_string());
        }
        self.line += count_newlines(self.input.get(self.start..self.pos).unwrap_or_default());
        self.start = self.pos;
        self.start_line = self.line;
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            let rest = self.rest();
            self.pos += rest.len() - rest.trim_start_matches(is_space).len();
        }
        self.ignore();
        Some(St::Text)
    }

    fn lex_right_delim(&mut self) -> Option<St> {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RIGHT.len();
        let item = self.this_item(Tok::RightDelim);
        if trim {
            let rest = self.rest();
            self.pos += rest.len() - rest.trim_start_matches(is_space).len();
            self.ignore();
        }
        self.inside_action = false;
        self.item = item;
        None
    }

    fn lex_inside_action(&mut self) -> Option<St> {
        if self.at_right_delim().0 {
            if self.paren_depth == 0 {
                return Some(St::RightDelim);
            }
            return self.errorf("unclosed left paren".to_string());
        }
        let Some(c) = self.next() else {
            return self.errorf("unclosed action".to_string());
        };
        match c {
            c if is_space(c) => {
                self.backup();
                Some(St::Space)
            }
            '=' => self.emit(Tok::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.errorf("expected :=".to_string());
                }
                self.emit(Tok::Declare)
            }
            '|' => self.emit(Tok::Pipe),
            '"' => Some(St::Quote),
            '`' => Some(St::RawQuote),
            '$' => Some(St::Variable),
            '\'' => Some(St::Char),
            '.' if !self
                .rest()
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_digit)
                && !self.rest().is_empty() =>
            {
                Some(St::Field)
            }
            '.' | '+' | '-' | '0'..='9' => {
                self.backup();
                Some(St::Number)
            }
            c if is_alnum(c) => {
                self.backup();
                Some(St::Identifier)
            }
            '(' => {
                self.paren_depth += 1;
                self.emit(Tok::LeftParen)
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.errorf("unexpected right paren".to_string());
                }
                self.emit(Tok::RightParen)
            }
            c if c.is_ascii() && crate::gostr::is_print(c) => self.emit(Tok::Char),
            c => self.errorf(format!("unrecognized character in action: {}", sharp_u(c))),
        }
    }

    fn lex_space(&mut self) -> Option<St> {
        let mut spaces = 0;
        while self.peek().is_some_and(is_space) {
            self.next();
            spaces += 1;
        }
        let from = self
            .input
            .get(self.pos.saturating_sub(1)..)
            .unwrap_or_default();
        if has_right_trim_marker(from) && from.get(2..).is_some_and(|r| r.starts_with(RIGHT)) {
            self.backup();
            if spaces == 1 {
                return Some(St::RightDelim);
            }
        }
        self.emit(Tok::Space)
    }

    fn lex_identifier(&mut self) -> Option<St> {
        loop {
            match self.next() {
                Some(c) if is_alnum(c) => {}
                r => {
                    self.backup();
                    if !self.at_terminator() {
                        return self.errorf(format!(
                            "bad character {}",
                            sharp_u(r.unwrap_or('\u{FFFD}'))
                        ));
                    }
                    let word = self.input.get(self.start..self.pos).unwrap_or_default();
                    let typ = match word {
                        "block" => Tok::Block,
                        "break" => Tok::Break,
                        "continue" => Tok::Continue,
                        "define" => Tok::Define,
                        "else" => Tok::Else,
                        "end" => Tok::End,
                        "if" => Tok::If,
                        "range" => Tok::Range,
                        "nil" => Tok::Nil,
                        "template" => Tok::Template,
                        "with" => Tok::With,
                        "true" | "false" => Tok::Bool,
                        _ => Tok::Identifier,
                    };
                    return self.emit(typ);
                }
            }
        }
    }

    fn lex_field_or_variable(&mut self, typ: Tok) -> Option<St> {
        if self.at_terminator() {
            return self.emit(if typ == Tok::Variable {
                Tok::Variable
            } else {
                Tok::Dot
            });
        }
        let mut last;
        loop {
            last = self.next();
            if !last.is_some_and(is_alnum) {
                self.backup();
                break;
            }
        }
        if !self.at_terminator() {
            return self.errorf(format!(
                "bad character {}",
                sharp_u(last.unwrap_or('\u{FFFD}'))
            ));
        }
        self.emit(typ)
    }

    /// Whether the next character may end an identifier.
    fn at_terminator(&mut self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.rest().starts_with(RIGHT),
        }
    }

    fn lex_quoted(&mut self, quote_char: char, unterminated: &str, typ: Tok) -> Option<St> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return self.errorf(unterminated.to_string()),
                },
                None | Some('\n') => return self.errorf(unterminated.to_string()),
                Some(c) if c == quote_char => break,
                Some(_) => {}
            }
        }
        self.emit(typ)
    }

    fn lex_raw_quote(&mut self) -> Option<St> {
        loop {
            match self.next() {
                None => return self.errorf("unterminated raw quoted string".to_string()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(Tok::RawString)
    }

    fn bad_number(&mut self) -> Option<St> {
        let text = self.input.get(self.start..self.pos).unwrap_or_default();
        let msg = format!("bad number syntax: {}", quote(text));
        self.errorf(msg)
    }

    fn lex_number(&mut self) -> Option<St> {
        if !self.scan_number() {
            return self.bad_number();
        }
        if matches!(self.peek(), Some('+' | '-')) {
            if !self.scan_number() || !self.input.get(..self.pos).is_some_and(|s| s.ends_with('i'))
            {
                return self.bad_number();
            }
            return self.emit(Tok::Complex);
        }
        self.emit(Tok::Number)
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = Digits::Dec;
        if self.accept("0") {
            if self.accept("xX") {
                digits = Digits::Hex;
            } else if self.accept("oO") {
                digits = Digits::Oct;
            } else if self.accept("bB") {
                digits = Digits::Bin;
            }
        }
        self.accept_digits(digits);
        if self.accept(".") {
            self.accept_digits(digits);
        }
        if digits == Digits::Dec && self.accept("eE") {
            self.accept("+-");
            self.accept_digits(Digits::Dec);
        }
        if digits == Digits::Hex && self.accept("pP") {
            self.accept("+-");
            self.accept_digits(Digits::Dec);
        }
        self.accept("i");
        if self.peek().is_some_and(is_alnum) {
            self.next();
            return false;
        }
        true
    }
}
