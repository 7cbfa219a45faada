//! Parse-tree nodes and their Go `String()` forms (error messages quote
//! them: `executing "template" at <index .l 5>: ...`).

use super::num::Number;
use super::value::quote_bytes;

/// A list of nodes (a template body or branch).
#[derive(Debug, Default)]
pub(super) struct List {
    pub pos: usize,
    pub nodes: Vec<Node>,
}

/// A node of a list.
#[derive(Debug)]
pub(super) enum Node {
    Text { pos: usize, text: String },
    Action { pos: usize, pipe: Pipe },
    If(Branch),
    Range(Branch),
    With(Branch),
    Template(TemplateCall),
    Break { pos: usize },
    Continue { pos: usize },
}

/// An `if`, `range` or `with`.
#[derive(Debug)]
pub(super) struct Branch {
    pub pos: usize,
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
}

/// A `{{template "name" pipeline}}` (also what `block` leaves behind).
#[derive(Debug)]
pub(super) struct TemplateCall {
    pub pos: usize,
    pub name: Vec<u8>,
    pub pipe: Option<Pipe>,
}

/// A pipeline, with optional variable declarations or assignments.
#[derive(Debug, Default)]
pub(super) struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Cmd>,
}

/// One command of a pipeline.
#[derive(Debug, Default)]
pub(super) struct Cmd {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// An operand of a command.
#[derive(Debug)]
pub(super) enum Arg {
    Bool {
        pos: usize,
        val: bool,
    },
    Dot {
        pos: usize,
    },
    Nil {
        pos: usize,
    },
    Number {
        pos: usize,
        num: Box<Number>,
    },
    String {
        pos: usize,
        quoted: String,
        text: Vec<u8>,
    },
    Field {
        pos: usize,
        ident: Vec<String>,
    },
    Variable {
        pos: usize,
        ident: Vec<String>,
    },
    Identifier {
        pos: usize,
        name: String,
    },
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<String>,
    },
    Pipe(Box<Pipe>),
}

impl Arg {
    pub(super) fn pos(&self) -> usize {
        match self {
            Arg::Bool { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Number { pos, .. }
            | Arg::String { pos, .. }
            | Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::Chain { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }

    /// Whether the operand is a literal Go rejects after the first stage
    /// of a pipeline.
    pub(super) fn is_literal(&self) -> bool {
        matches!(
            self,
            Arg::Bool { .. }
                | Arg::Dot { .. }
                | Arg::Nil { .. }
                | Arg::Number { .. }
                | Arg::String { .. }
        )
    }

    pub(super) fn write(&self, out: &mut String) {
        match self {
            Arg::Bool { val, .. } => out.push_str(if *val { "true" } else { "false" }),
            Arg::Dot { .. } => out.push('.'),
            Arg::Nil { .. } => out.push_str("nil"),
            Arg::Number { num, .. } => out.push_str(&num.text),
            Arg::String { quoted, .. } => out.push_str(quoted),
            Arg::Field { ident, .. } => {
                for id in ident {
                    out.push('.');
                    out.push_str(id);
                }
            }
            Arg::Variable { ident, .. } => out.push_str(&ident.join(".")),
            Arg::Identifier { name, .. } => out.push_str(name),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = node.as_ref() {
                    out.push('(');
                    p.write(out);
                    out.push(')');
                } else {
                    node.write(out);
                }
                for f in fields {
                    out.push('.');
                    out.push_str(f);
                }
            }
            Arg::Pipe(p) => p.write(out),
        }
    }

    pub(super) fn string(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }
}

impl Pipe {
    pub(super) fn write(&self, out: &mut String) {
        if !self.decl.is_empty() {
            out.push_str(&self.decl.join(", "));
            out.push_str(" := ");
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                out.push_str(" | ");
            }
            c.write(out);
        }
    }
}

impl Cmd {
    pub(super) fn write(&self, out: &mut String) {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            if let Arg::Pipe(p) = a {
                out.push('(');
                p.write(out);
                out.push(')');
            } else {
                a.write(out);
            }
        }
    }
}

impl List {
    pub(super) fn write(&self, out: &mut String) {
        for n in &self.nodes {
            n.write(out);
        }
    }
}

impl Node {
    pub(super) fn pos(&self) -> usize {
        match self {
            Node::Text { pos, .. }
            | Node::Action { pos, .. }
            | Node::Break { pos }
            | Node::Continue { pos } => *pos,
            Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
            Node::Template(t) => t.pos,
        }
    }

    pub(super) fn write(&self, out: &mut String) {
        match self {
            Node::Text { text, .. } => out.push_str(text),
            Node::Action { pipe, .. } => {
                out.push_str("{{");
                pipe.write(out);
                out.push_str("}}");
            }
            Node::If(b) => b.write("if", out),
            Node::Range(b) => b.write("range", out),
            Node::With(b) => b.write("with", out),
            Node::Template(t) => {
                out.push_str("{{template ");
                out.push_str(&quote_bytes(&t.name, false));
                if let Some(p) = &t.pipe {
                    out.push(' ');
                    p.write(out);
                }
                out.push_str("}}");
            }
            Node::Break { .. } => out.push_str("{{break}}"),
            Node::Continue { .. } => out.push_str("{{continue}}"),
        }
    }
}

impl Branch {
    fn write(&self, name: &str, out: &mut String) {
        out.push_str("{{");
        out.push_str(name);
        out.push(' ');
        self.pipe.write(out);
        out.push_str("}}");
        self.list.write(out);
        if let Some(e) = &self.else_list {
            out.push_str("{{else}}");
            e.write(out);
        }
        out.push_str("{{end}}");
    }
}

/// A reference to any node, for error positions and contexts.
#[derive(Clone, Copy)]
pub(super) enum At<'t> {
    Node(&'t Node),
    List(&'t List),
    Pipe(&'t Pipe),
    Cmd(&'t Cmd),
    Arg(&'t Arg),
}

impl At<'_> {
    pub(super) fn pos(&self) -> usize {
        match self {
            At::Node(n) => n.pos(),
            At::List(l) => l.pos,
            At::Pipe(p) => p.pos,
            At::Cmd(c) => c.pos,
            At::Arg(a) => a.pos(),
        }
    }

    pub(super) fn string(&self) -> String {
        let mut s = String::new();
        match self {
            At::Node(n) => n.write(&mut s),
            At::List(l) => l.write(&mut s),
            At::Pipe(p) => p.write(&mut s),
            At::Cmd(c) => c.write(&mut s),
            At::Arg(a) => a.write(&mut s),
        }
        s
    }
}
