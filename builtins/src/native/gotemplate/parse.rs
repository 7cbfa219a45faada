//! The template parser: Go's `text/template/parse` recursive descent,
//! including its three-token lookahead (the line of a parse error is the
//! line of the most recently scanned token) and its treatment of
//! `define`/`block` bodies as separate trees.

use super::lex::{Item, Lexer, Tok};
use super::node::{Arg, Branch, Cmd, List, Node, Pipe, TemplateCall};
use super::num::{NumKind, Number, unquote};
use super::value::quote;
use std::collections::BTreeMap;

/// Parsed templates by name.
pub(super) type TreeSet = BTreeMap<Vec<u8>, List>;

/// Deepest parenthesised expression nesting accepted (Go allows 10000; a
/// lower bound here keeps the recursion within small thread stacks).
const MAX_PAREN_DEPTH: usize = 100;
/// Deepest `if`/`range`/`with` nesting accepted (Go has no bound).
pub(super) const MAX_CONTROL_DEPTH: usize = 100;
/// Go's `maxPipelineCmds`.
const MAX_PIPELINE_CMDS: usize = 100_000;

/// A parse failure: Go's message, or one of this implementation's bounds.
#[derive(Debug)]
pub(super) enum ParseError {
    Go(String),
    Limit(String),
}

type PResult<T> = Result<T, ParseError>;

/// What `itemList` stops at.
enum Stop {
    End,
    Else { pos: usize },
}

impl Stop {
    fn describe(&self) -> &'static str {
        match self {
            Stop::End => "{{end}}",
            Stop::Else { .. } => "{{else}}",
        }
    }
}

/// Per-tree parser state (Go's `Tree` fields used while parsing).
struct TreeState {
    token: [Item; 3],
    peek_count: usize,
    vars: Vec<String>,
    action_line: usize,
    range_depth: usize,
    stack_depth: usize,
}

impl TreeState {
    fn new() -> TreeState {
        TreeState {
            token: Default::default(),
            peek_count: 0,
            vars: vec!["$".to_string()],
            action_line: 0,
            range_depth: 0,
            stack_depth: 0,
        }
    }
}

/// Builtin function names the parser accepts as identifiers.
pub(super) const FUNCS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

struct Parser<'a> {
    lex: Lexer<'a>,
    set: TreeSet,
    t: TreeState,
    control_depth: usize,
}

/// Parse `text` as the template named `name`; all trees (the main one
/// and those from `define`/`block`) by name.
pub(super) fn parse(name: &[u8], text: &str) -> PResult<TreeSet> {
    let mut p = Parser {
        lex: Lexer::new(text),
        set: TreeSet::new(),
        t: TreeState::new(),
        control_depth: 0,
    };
    let root = p.parse_top()?;
    let line = p.t.token[0].line;
    p.add(name.to_vec(), root, line)?;
    Ok(p.set)
}

/// Go's `IsEmptyTree` over a list.
fn is_empty_list(l: &List) -> bool {
    l.nodes.iter().all(|n| match n {
        Node::Text { text, .. } => text.trim().is_empty(),
        _ => false,
    })
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Item {
        if self.t.peek_count > 0 {
            self.t.peek_count -= 1;
        } else {
            self.t.token[0] = self.lex.next_item();
        }
        self.t
            .token
            .get(self.t.peek_count)
            .cloned()
            .unwrap_or_default()
    }

    fn backup(&mut self) {
        self.t.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item) {
        self.t.token[1] = t1;
        self.t.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item, t1: Item) {
        self.t.token[1] = t1;
        self.t.token[2] = t2;
        self.t.peek_count = 3;
    }

    fn peek(&mut self) -> Item {
        if self.t.peek_count > 0 {
            return self
                .t
                .token
                .get(self.t.peek_count - 1)
                .cloned()
                .unwrap_or_default();
        }
        self.t.peek_count = 1;
        self.t.token[0] = self.lex.next_item();
        self.t.token[0].clone()
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let t = self.next();
            if t.typ != Tok::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn errorf<T>(&self, msg: impl std::fmt::Display) -> PResult<T> {
        Err(ParseError::Go(format!(
            "template: template:{}: {msg}",
            self.t.token[0].line
        )))
    }

    fn expect(&mut self, typ: Tok, context: &str) -> PResult<Item> {
        let t = self.next_non_space();
        if t.typ != typ {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn unexpected<T>(&self, token: &Item, context: &str) -> PResult<T> {
        if token.typ == Tok::Error {
            let mut extra = String::new();
            if self.t.action_line != 0 && self.t.action_line != token.line {
                extra = format!(" in action started at template:{}", self.t.action_line);
                if token.val.ends_with(" action") {
                    extra = extra.replacen(" in action", "", 1);
                }
            }
            return self.errorf(format!("{}{extra}", token.val));
        }
        self.errorf(format!("unexpected {} in {context}", token.describe()))
    }

    /// Go's `Tree.add`: install a tree, refusing a second non-empty one.
    fn add(&mut self, name: Vec<u8>, root: List, line: usize) -> PResult<()> {
        match self.set.get(&name) {
            Some(old) if !is_empty_list(old) => {
                if !is_empty_list(&root) {
                    return Err(ParseError::Go(format!(
                        "template: template:{line}: template: multiple definition of template {}",
                        super::value::quote_bytes(&name, false)
                    )));
                }
            }
            _ => {
                self.set.insert(name, root);
            }
        }
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<List> {
        let mut root = List {
            pos: self.peek().pos,
            nodes: Vec::new(),
        };
        while self.peek().typ != Tok::Eof {
            if self.peek().typ == Tok::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == Tok::Define {
                    let outer = std::mem::replace(&mut self.t, TreeState::new());
                    let r = self.parse_definition();
                    self.t = outer;
                    r?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                Ok(n) => root.nodes.push(n),
                Err(stop) => return self.errorf(format!("unexpected {}", stop.describe())),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let name = self.next_non_space();
        if name.typ != Tok::String && name.typ != Tok::RawString {
            return self.unexpected(&name, CONTEXT);
        }
        let name = match unquote(&name.val) {
            Ok(n) => n,
            Err(_) => return self.errorf("invalid syntax"),
        };
        self.expect(Tok::RightDelim, CONTEXT)?;
        let (root, end) = self.item_list()?;
        if !matches!(end, Stop::End) {
            return self.errorf(format!("unexpected {} in {CONTEXT}", end.describe()));
        }
        let line = self.t.token[0].line;
        self.add(name, root, line)
    }

    /// `textOrAction*` up to an `{{end}}` or `{{else}}`.
    fn item_list(&mut self) -> PResult<(List, Stop)> {
        let mut list = List {
            pos: self.peek_non_space().pos,
            nodes: Vec::new(),
        };
        while self.peek_non_space().typ != Tok::Eof {
            match self.text_or_action()? {
                Ok(n) => list.nodes.push(n),
                Err(stop) => return Ok((list, stop)),
            }
        }
        self.errorf("unexpected EOF")
    }

    fn text_or_action(&mut self) -> PResult<Result<Node, Stop>> {
        let token = self.next_non_space();
        match token.typ {
            Tok::Text => Ok(Ok(Node::Text {
                pos: token.pos,
                text: token.val,
            })),
            Tok::LeftDelim => {
                self.t.action_line = token.line;
                let r = self.action();
                self.t.action_line = 0;
                r
            }
            _ => self.unexpected(&token, "input"),
        }
    }

    fn action(&mut self) -> PResult<Result<Node, Stop>> {
        let token = self.next_non_space();
        match token.typ {
            Tok::Block => return self.block_control().map(Ok),
            Tok::Break | Tok::Continue => {
                let is_break = token.typ == Tok::Break;
                let ctx = if is_break {
                    "{{break}}"
                } else {
                    "{{continue}}"
                };
                let t = self.next_non_space();
                if t.typ != Tok::RightDelim {
                    return self.unexpected(&t, ctx);
                }
                if self.t.range_depth == 0 {
                    return self.errorf(format!("{ctx} outside {{{{range}}}}"));
                }
                return Ok(Ok(if is_break {
                    Node::Break { pos: token.pos }
                } else {
                    Node::Continue { pos: token.pos }
                }));
            }
            Tok::Else => {
                let peek = self.peek_non_space();
                if peek.typ == Tok::If || peek.typ == Tok::With {
                    return Ok(Err(Stop::Else { pos: peek.pos }));
                }
                let t = self.expect(Tok::RightDelim, "else")?;
                return Ok(Err(Stop::Else { pos: t.pos }));
            }
            Tok::End => {
                self.expect(Tok::RightDelim, "end")?;
                return Ok(Err(Stop::End));
            }
            Tok::If => return self.control("if").map(|b| Ok(Node::If(b))),
            Tok::Range => return self.control("range").map(|b| Ok(Node::Range(b))),
            Tok::With => return self.control("with").map(|b| Ok(Node::With(b))),
            Tok::Template => return self.template_control().map(Ok),
            _ => {}
        }
        self.backup();
        let token = self.peek();
        let pipe = self.pipeline("command", Tok::RightDelim)?;
        Ok(Ok(Node::Action {
            pos: token.pos,
            pipe,
        }))
    }

    fn pipeline(&mut self, context: &str, end: Tok) -> PResult<Pipe> {
        let token = self.peek_non_space();
        let mut pipe = Pipe {
            pos: token.pos,
            ..Pipe::default()
        };
        loop {
            let v = self.peek_non_space();
            if v.typ != Tok::Variable {
                break;
            }
            self.next();
            let after = self.peek();
            let next = self.peek_non_space();
            if next.typ == Tok::Assign || next.typ == Tok::Declare {
                pipe.is_assign = next.typ == Tok::Assign;
                self.next_non_space();
                pipe.decl.push(v.val.clone());
                self.t.vars.push(v.val);
            } else if next.typ == Tok::Char && next.val == "," {
                self.next_non_space();
                pipe.decl.push(v.val.clone());
                self.t.vars.push(v.val);
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().typ {
                        Tok::Variable | Tok::RightDelim | Tok::RightParen => continue,
                        _ => return self.errorf("range can only initialize variables"),
                    }
                }
                return self.errorf(format!("too many declarations in {context}"));
            } else if after.typ == Tok::Space {
                self.backup3(v, after);
            } else {
                self.backup2(v);
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            if token.typ == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match token.typ {
                Tok::Bool
                | Tok::CharConstant
                | Tok::Complex
                | Tok::Dot
                | Tok::Field
                | Tok::Identifier
                | Tok::Number
                | Tok::Nil
                | Tok::RawString
                | Tok::String
                | Tok::Variable
                | Tok::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                    if pipe.cmds.len() > MAX_PIPELINE_CMDS {
                        return self.errorf("pipeline too long");
                    }
                }
                _ => return self.unexpected(&token, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.errorf(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if c.args.first().is_some_and(Arg::is_literal) {
                return self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    /// `if`/`range`/`with`: pipeline, body, optional else. Go parses an
    /// `{{else if}}` (`{{else with}}`) chain recursively, as an else list
    /// holding one nested node; this builds the same tree in a loop.
    fn control(&mut self, context: &str) -> PResult<Branch> {
        self.control_depth += 1;
        if self.control_depth > MAX_CONTROL_DEPTH {
            return Err(ParseError::Limit(format!(
                "template nesting deeper than {MAX_CONTROL_DEPTH} if/range/with/block levels"
            )));
        }
        let mark = self.t.vars.len();
        let r = self.control_chain(context);
        self.t.vars.truncate(mark);
        self.control_depth -= 1;
        r
    }

    fn control_chain(&mut self, context: &str) -> PResult<Branch> {
        // Each link: its pipeline, its body, and where its `{{else if}}`
        // starts when the chain goes on.
        let mut links: Vec<(Pipe, List, Option<usize>)> = Vec::new();
        let mut last_else = None;
        let is_range = context == "range";
        loop {
            let pipe = self.pipeline(context, Tok::RightDelim)?;
            if is_range {
                self.t.range_depth += 1;
            }
            let items = self.item_list();
            if is_range {
                self.t.range_depth -= 1;
            }
            let (list, next) = items?;
            let Stop::Else { pos } = next else {
                links.push((pipe, list, None));
                break;
            };
            let peek = self.peek().typ;
            if (context == "if" && peek == Tok::If) || (context == "with" && peek == Tok::With) {
                self.next();
                links.push((pipe, list, Some(pos)));
                continue;
            }
            let (l, n) = self.item_list()?;
            if !matches!(n, Stop::End) {
                return self.errorf(format!("expected end; found {}", n.describe()));
            }
            links.push((pipe, list, None));
            last_else = Some(l);
            break;
        }
        let mut inner: Option<Branch> = None;
        for (pipe, list, else_pos) in links.into_iter().rev() {
            let else_list = match (inner.take(), else_pos) {
                (Some(b), Some(pos)) => Some(List {
                    pos,
                    nodes: vec![if context == "if" {
                        Node::If(b)
                    } else {
                        Node::With(b)
                    }],
                }),
                _ => last_else.take(),
            };
            inner = Some(Branch {
                pos: pipe.pos,
                pipe,
                list,
                else_list,
            });
        }
        match inner {
            Some(b) => Ok(b),
            None => self.errorf("unexpected EOF"),
        }
    }

    fn template_name(&self, token: &Item, context: &str) -> PResult<Vec<u8>> {
        match token.typ {
            Tok::String | Tok::RawString => match unquote(&token.val) {
                Ok(n) => Ok(n),
                Err(_) => self.errorf("invalid syntax"),
            },
            _ => self.unexpected(token, context),
        }
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, Tok::RightDelim)?;
        self.control_depth += 1;
        if self.control_depth > MAX_CONTROL_DEPTH {
            return Err(ParseError::Limit(format!(
                "template nesting deeper than {MAX_CONTROL_DEPTH} if/range/with/block levels"
            )));
        }
        let outer = std::mem::replace(&mut self.t, TreeState::new());
        let body = self.item_list();
        let block = std::mem::replace(&mut self.t, outer);
        self.control_depth -= 1;
        let (root, end) = body?;
        if !matches!(end, Stop::End) {
            return self.errorf(format!("unexpected {} in {CONTEXT}", end.describe()));
        }
        self.add(name.clone(), root, block.token[0].line)?;
        Ok(Node::Template(TemplateCall {
            pos: token.pos,
            name,
            pipe: Some(pipe),
        }))
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != Tok::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, Tok::RightDelim)?);
        }
        Ok(Node::Template(TemplateCall {
            pos: token.pos,
            name,
            pipe,
        }))
    }

    fn command(&mut self) -> PResult<Cmd> {
        let mut cmd = Cmd {
            pos: self.peek_non_space().pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let token = self.next();
            match token.typ {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return self.unexpected(&token, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.errorf("empty command");
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ != Tok::Field {
            return Ok(Some(node));
        }
        let pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().typ == Tok::Field {
            let f = self.next().val;
            fields.push(f.get(1..).unwrap_or_default().to_string());
        }
        Ok(Some(match node {
            Arg::Field { mut ident, .. } => {
                ident.extend(fields);
                Arg::Field { pos, ident }
            }
            Arg::Variable { mut ident, .. } => {
                ident.extend(fields);
                Arg::Variable { pos, ident }
            }
            n if n.is_literal() => {
                return self.errorf(format!("unexpected . after term {}", quote(&n.string())));
            }
            n => Arg::Chain {
                pos,
                node: Box::new(n),
                fields,
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        let pos = token.pos;
        let arg = match token.typ {
            Tok::Identifier => {
                if !FUNCS.contains(&token.val.as_str()) {
                    return self.errorf(format!("function {} not defined", quote(&token.val)));
                }
                Arg::Identifier {
                    pos,
                    name: token.val,
                }
            }
            Tok::Dot => Arg::Dot { pos },
            Tok::Nil => Arg::Nil { pos },
            Tok::Variable => {
                let ident: Vec<String> = token.val.split('.').map(str::to_string).collect();
                let name = ident.first().cloned().unwrap_or_default();
                if !self.t.vars.contains(&name) {
                    return self.errorf(format!("undefined variable {}", quote(&name)));
                }
                Arg::Variable { pos, ident }
            }
            Tok::Field => Arg::Field {
                pos,
                ident: token
                    .val
                    .get(1..)
                    .unwrap_or_default()
                    .split('.')
                    .map(str::to_string)
                    .collect(),
            },
            Tok::Bool => Arg::Bool {
                pos,
                val: token.val == "true",
            },
            Tok::CharConstant | Tok::Complex | Tok::Number => {
                let kind = match token.typ {
                    Tok::CharConstant => NumKind::Char,
                    Tok::Complex => NumKind::Complex,
                    _ => NumKind::Number,
                };
                match Number::parse(&token.val, kind) {
                    Ok(num) => Arg::Number {
                        pos,
                        num: Box::new(num),
                    },
                    Err(e) => return self.errorf(e),
                }
            }
            Tok::LeftParen => {
                if self.t.stack_depth >= MAX_PAREN_DEPTH {
                    return self.errorf("max expression depth exceeded");
                }
                self.t.stack_depth += 1;
                let p = self.pipeline("parenthesized pipeline", Tok::RightParen);
                self.t.stack_depth -= 1;
                Arg::Pipe(Box::new(p?))
            }
            Tok::String | Tok::RawString => match unquote(&token.val) {
                Ok(text) => Arg::String {
                    pos,
                    quoted: token.val,
                    text,
                },
                Err(_) => return self.errorf("invalid syntax"),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(arg))
    }
}
