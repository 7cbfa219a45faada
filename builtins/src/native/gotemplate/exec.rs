//! The template executor: Go's `text/template` `state` walk, with the
//! same "current node" bookkeeping (an error names the node evaluated
//! last: `template: template:1:2: executing "template" at <lt .a 2>: ...`)
//! and without method calls (OPA uses a method-less copy of the package).

use super::funcs::{self, Param, signature, truth};
use super::node::{Arg, At, Branch, Cmd, List, Node, Pipe, TemplateCall};
use super::num::Number;
use super::parse::TreeSet;
use super::value::{Conc, Val, is_true, quote_bytes};

/// Deepest execution nesting: `{{template}}` calls, `if`/`with`/`range`
/// bodies and parenthesised pipelines together. Go only bounds template
/// calls (at 100000, recursion this deep in Rust cannot afford); a
/// template call past this bound fails with Go's text for that error,
/// anything else with a limit error.
pub(super) const MAX_NESTING: usize = 128;
/// Most output bytes a rendering may produce.
pub(super) const MAX_OUTPUT: usize = 16 << 20;
/// Work budget: one unit per evaluation step and per byte produced.
pub(super) const MAX_WORK: u64 = 100_000_000;

/// Why a walk stopped early.
#[derive(Debug)]
pub(super) enum Flow {
    Break,
    Continue,
    /// An execution error with Go's full message.
    Err(String),
    /// A resource bound of this implementation.
    Limit(String),
}

type R<T> = Result<T, Flow>;

pub(super) struct Exec<'t> {
    set: &'t TreeSet,
    text: &'t str,
    tmpl: Vec<u8>,
    node: Option<At<'t>>,
    vars: Vec<(String, Val)>,
    depth: usize,
    out: Vec<u8>,
    work: u64,
}

/// Render the template `name` of `set` (parsed from `text`) with `dot`.
pub(super) fn execute(set: &TreeSet, text: &str, name: &[u8], dot: Val) -> Result<Vec<u8>, Flow> {
    let mut s = Exec {
        set,
        text,
        tmpl: name.to_vec(),
        node: None,
        vars: vec![("$".to_string(), dot.clone())],
        depth: 0,
        out: Vec::new(),
        work: 0,
    };
    let Some(root) = set.get(name) else {
        return Err(s.fail(format!(
            "{} is an incomplete or empty template",
            quote_bytes(name, false)
        )));
    };
    match s.walk_list(&dot, root) {
        Ok(()) => Ok(s.out),
        Err(Flow::Break | Flow::Continue) => Ok(s.out),
        Err(e) => Err(e),
    }
}

impl<'t> Exec<'t> {
    fn at(&mut self, n: At<'t>) {
        self.node = Some(n);
    }

    /// Go's `state.errorf`: the message with location and context.
    fn fail(&self, msg: String) -> Flow {
        let name = quote_bytes(&self.tmpl, false);
        let Some(node) = self.node else {
            return Flow::Err(format!(
                "template: {}: {msg}",
                super::value::to_utf8_lossy(&self.tmpl)
            ));
        };
        let pos = node.pos().min(self.text.len());
        let before = self.text.get(..pos).unwrap_or_default();
        let (line, col) = match before.rfind('\n') {
            Some(nl) => (1 + before.matches('\n').count(), pos - nl - 1),
            None => (1, pos),
        };
        Flow::Err(format!(
            "template: template:{line}:{col}: executing {name} at <{}>: {msg}",
            node.string()
        ))
    }

    fn errorf<T>(&self, msg: String) -> R<T> {
        Err(self.fail(msg))
    }

    fn charge(&mut self, units: usize) -> R<()> {
        self.work = self.work.saturating_add(units as u64);
        if self.work > MAX_WORK {
            return Err(Flow::Limit(format!(
                "template execution exceeded its work budget ({MAX_WORK} steps)"
            )));
        }
        Ok(())
    }

    fn write(&mut self, b: &[u8]) -> R<()> {
        self.charge(b.len())?;
        if self.out.len().saturating_add(b.len()) > MAX_OUTPUT {
            return Err(Flow::Limit(format!(
                "template output larger than {MAX_OUTPUT} bytes"
            )));
        }
        self.out.extend_from_slice(b);
        Ok(())
    }

    fn push(&mut self, name: &str, v: Val) {
        self.vars.push((name.to_string(), v));
    }

    fn set_var(&mut self, name: &str, v: Val) -> R<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) => {
                slot.1 = v;
                Ok(())
            }
            None => self.errorf(format!("undefined variable: {name}")),
        }
    }

    fn set_top_var(&mut self, n: usize, v: Val) {
        let len = self.vars.len();
        if let Some(slot) = len.checked_sub(n).and_then(|i| self.vars.get_mut(i)) {
            slot.1 = v;
        }
    }

    fn var_value(&self, name: &str) -> R<Val> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => self.errorf(format!("undefined variable: {name}")),
        }
    }

    fn walk_list(&mut self, dot: &Val, list: &'t List) -> R<()> {
        self.at(At::List(list));
        for n in &list.nodes {
            self.walk(dot, n)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Val, node: &'t Node) -> R<()> {
        self.at(At::Node(node));
        self.charge(1)?;
        match node {
            Node::Action { pipe, .. } => {
                let val = self.eval_pipeline(dot, Some(pipe))?;
                if pipe.decl.is_empty() {
                    self.print_value(node, val)?;
                }
                Ok(())
            }
            Node::Break { .. } => Err(Flow::Break),
            Node::Continue { .. } => Err(Flow::Continue),
            Node::If(b) => self.nested(|s| s.walk_if_or_with(false, dot, b)),
            Node::With(b) => self.nested(|s| s.walk_if_or_with(true, dot, b)),
            Node::Range(b) => self.nested(|s| s.walk_range(dot, b)),
            Node::Template(t) => self.walk_template(dot, t),
            Node::Text { text, .. } => self.write(text.as_bytes()),
        }
    }

    /// Run `f` one nesting level deeper.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        if self.depth >= MAX_NESTING {
            return Err(Flow::Limit(format!(
                "template execution nested deeper than {MAX_NESTING} levels"
            )));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn print_value(&mut self, node: &'t Node, v: Val) -> R<()> {
        self.at(At::Node(node));
        let bytes = match v {
            Val::Invalid | Val::Missing => b"<no value>".to_vec(),
            v => super::fmt::sprint(&[v.into_elem()]),
        };
        self.write(&bytes)
    }

    fn walk_if_or_with(&mut self, with: bool, dot: &Val, b: &'t Branch) -> R<()> {
        let mark = self.vars.len();
        let r = self.if_or_with_body(with, dot, b);
        self.vars.truncate(mark);
        r
    }

    /// The branch, and the `{{else if}}`/`{{else with}}` chain after it
    /// (an else list holding one `if` or `with`) in a loop.
    fn if_or_with_body(&mut self, mut with: bool, dot: &Val, mut b: &'t Branch) -> R<()> {
        loop {
            let val = self.eval_pipeline(dot, Some(&b.pipe))?;
            if is_true(&val.clone().indirect_interface()) {
                return if with {
                    self.walk_list(&val, &b.list)
                } else {
                    self.walk_list(dot, &b.list)
                };
            }
            let Some(e) = &b.else_list else {
                return Ok(());
            };
            match e.nodes.as_slice() {
                [node @ (Node::If(inner) | Node::With(inner))] => {
                    self.at(At::List(e));
                    self.at(At::Node(node));
                    self.charge(1)?;
                    with = matches!(node, Node::With(_));
                    b = inner;
                }
                _ => return self.walk_list(dot, e),
            }
        }
    }

    fn walk_range(&mut self, dot: &Val, r: &'t Branch) -> R<()> {
        let mark0 = self.vars.len();
        let res = self.range_body(dot, r);
        self.vars.truncate(mark0);
        match res {
            Err(Flow::Break) => Ok(()),
            other => other,
        }
    }

    /// One iteration: bind the variables, walk the body, pop its
    /// variables; `continue` ends just this iteration.
    fn one_iteration(&mut self, r: &'t Branch, mark: usize, index: Val, elem: Val) -> R<()> {
        self.charge(1)?;
        let decl = &r.pipe.decl;
        if let Some(first) = decl.first() {
            if r.pipe.is_assign {
                let v = if decl.len() > 1 {
                    index.clone()
                } else {
                    elem.clone()
                };
                self.set_var(first, v)?;
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if let Some(second) = decl.get(1) {
            if r.pipe.is_assign {
                self.set_var(second, elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let res = self.walk_list(&elem, &r.list);
        self.vars.truncate(mark);
        match res {
            Err(Flow::Continue) => Ok(()),
            other => other,
        }
    }

    fn range_body(&mut self, dot: &Val, r: &'t Branch) -> R<()> {
        let val = match self.eval_pipeline(dot, Some(&r.pipe))? {
            Val::Iface(Some(c)) => Val::C(c),
            v => v,
        };
        let mark = self.vars.len();
        let mut ran = false;
        match &val {
            Val::C(Conc::Slice(s)) => {
                for (i, e) in s.items().enumerate() {
                    ran = true;
                    let index = Val::C(Conc::Int(i64::try_from(i).unwrap_or(i64::MAX)));
                    self.one_iteration(r, mark, index, Val::Iface(e))?;
                }
            }
            Val::C(Conc::Map(m)) => {
                for (k, e) in m.iter() {
                    ran = true;
                    let key = Val::C(Conc::Str(k.as_slice().into()));
                    self.one_iteration(r, mark, key, Val::Iface(e.clone()))?;
                }
            }
            Val::C(Conc::Int(_) | Conc::Uint8(_)) => {
                if r.pipe.decl.len() > 1 {
                    return self.errorf(format!(
                        "can't use {} to iterate over more than one variable",
                        show(&val)
                    ));
                }
                let n = match val {
                    Val::C(Conc::Int(n)) => n,
                    Val::C(Conc::Uint8(n)) => i64::from(n),
                    _ => 0,
                };
                for i in 0..n.max(0) {
                    ran = true;
                    let elem = match val {
                        Val::C(Conc::Uint8(_)) => Conc::Uint8(u8::try_from(i).unwrap_or(0)),
                        _ => Conc::Int(i),
                    };
                    self.one_iteration(r, mark, Val::Invalid, Val::C(elem))?;
                }
            }
            Val::Invalid | Val::Missing | Val::Iface(None) => {}
            other => {
                return self.errorf(format!("range can't iterate over {}", show(other)));
            }
        }
        if !ran && let Some(e) = &r.else_list {
            return self.walk_list(dot, e);
        }
        Ok(())
    }

    /// A `{{template}}` call (the caller has made its node current).
    fn walk_template(&mut self, dot: &Val, t: &'t TemplateCall) -> R<()> {
        let Some(root) = self.set.get(&t.name) else {
            return self.errorf(format!(
                "template {} not defined",
                quote_bytes(&t.name, false)
            ));
        };
        if self.depth >= MAX_NESTING {
            return self.errorf("exceeded maximum template depth (100000)".to_string());
        }
        let new_dot = self.eval_pipeline(dot, t.pipe.as_ref())?;
        let saved_vars =
            std::mem::replace(&mut self.vars, vec![("$".to_string(), new_dot.clone())]);
        let saved_tmpl = std::mem::replace(&mut self.tmpl, t.name.clone());
        let saved_node = self.node;
        self.depth += 1;
        let r = self.walk_list(&new_dot, root);
        self.depth -= 1;
        self.vars = saved_vars;
        self.tmpl = saved_tmpl;
        self.node = saved_node;
        r
    }

    fn eval_pipeline(&mut self, dot: &Val, pipe: Option<&'t Pipe>) -> R<Val> {
        let Some(pipe) = pipe else {
            return Ok(Val::Invalid);
        };
        self.at(At::Pipe(pipe));
        let mut value = Val::Missing;
        for cmd in &pipe.cmds {
            self.charge(1)?;
            value = self.eval_command(dot, cmd, value)?;
            if let Val::Iface(e) = value {
                value = match e {
                    Some(c) => Val::C(c),
                    None => Val::Invalid,
                };
            }
        }
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone())?;
            } else {
                self.push(name, value.clone());
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &'t [Arg], fin: &Val) -> R<()> {
        if args.len() > 1 || !matches!(fin, Val::Missing) {
            let first = args.first().map(Arg::string).unwrap_or_default();
            return self.errorf(format!("can't give argument to non-function {first}"));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Val, cmd: &'t Cmd, fin: Val) -> R<Val> {
        let Some(first) = cmd.args.first() else {
            return self.errorf("empty command".to_string());
        };
        match first {
            Arg::Field { ident, .. } => {
                return self.eval_field_node(dot, first, ident, &cmd.args, fin);
            }
            Arg::Chain { node, fields, .. } => {
                return self.eval_chain_node(dot, first, node, fields, &cmd.args, fin);
            }
            Arg::Identifier { name, .. } => {
                return self.eval_function(dot, first, name, At::Cmd(cmd), &cmd.args, fin);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                return self.nested(|s| s.eval_pipeline(dot, Some(p)));
            }
            Arg::Variable { ident, .. } => {
                return self.eval_variable_node(dot, first, ident, &cmd.args, fin);
            }
            _ => {}
        }
        self.at(At::Arg(first));
        self.not_a_function(&cmd.args, &fin)?;
        match first {
            Arg::Bool { val, .. } => Ok(Val::C(Conc::Bool(*val))),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => self.errorf("nil is not a command".to_string()),
            Arg::Number { num, .. } => self.ideal_constant(first, num),
            Arg::String { text, .. } => Ok(Val::C(Conc::Str(text.as_slice().into()))),
            _ => self.errorf(format!(
                "can't evaluate command {}",
                super::value::quote(&first.string())
            )),
        }
    }

    /// Go's `idealConstant`: a literal number's value without a target
    /// type.
    fn ideal_constant(&mut self, node: &'t Arg, n: &Number) -> R<Val> {
        self.at(At::Arg(node));
        let text = &n.text;
        let hex_int = text.len() > 2
            && text.starts_with('0')
            && matches!(text.as_bytes().get(1), Some(b'x' | b'X'))
            && !text.contains(['p', 'P']);
        let rune_int = text.starts_with('\'');
        if n.is_complex {
            return Ok(Val::C(Conc::Complex(n.complex.0, n.complex.1)));
        }
        if n.is_float && !hex_int && !rune_int && text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Val::C(Conc::Float(n.float)));
        }
        if n.is_int {
            return Ok(Val::C(Conc::Int(n.int)));
        }
        if n.is_uint {
            return self.errorf(format!("{text} overflows int"));
        }
        Ok(Val::Invalid)
    }

    fn eval_field_node(
        &mut self,
        dot: &Val,
        node: &'t Arg,
        ident: &'t [String],
        args: &'t [Arg],
        fin: Val,
    ) -> R<Val> {
        self.at(At::Arg(node));
        self.eval_field_chain(dot.clone(), ident, args, fin)
    }

    fn eval_chain_node(
        &mut self,
        dot: &Val,
        chain: &'t Arg,
        node: &'t Arg,
        fields: &'t [String],
        args: &'t [Arg],
        fin: Val,
    ) -> R<Val> {
        self.at(At::Arg(chain));
        if fields.is_empty() {
            return self.errorf("internal error: no fields in evalChainNode".to_string());
        }
        if matches!(node, Arg::Nil { .. }) {
            return self.errorf(format!(
                "indirection through explicit nil in {}",
                chain.string()
            ));
        }
        let pipe = self.eval_arg(dot, Param::Untyped, node)?;
        self.eval_field_chain(pipe, fields, args, fin)
    }

    fn eval_variable_node(
        &mut self,
        dot: &Val,
        node: &'t Arg,
        ident: &'t [String],
        args: &'t [Arg],
        fin: Val,
    ) -> R<Val> {
        let _ = dot;
        self.at(At::Arg(node));
        let name = ident.first().map(String::as_str).unwrap_or("$");
        let value = self.var_value(name)?;
        if ident.len() <= 1 {
            self.not_a_function(args, &fin)?;
            return Ok(value);
        }
        self.eval_field_chain(value, ident.get(1..).unwrap_or_default(), args, fin)
    }

    fn eval_field_chain(
        &mut self,
        mut receiver: Val,
        ident: &'t [String],
        args: &'t [Arg],
        fin: Val,
    ) -> R<Val> {
        let Some((last, init)) = ident.split_last() else {
            return Ok(receiver);
        };
        for name in init {
            receiver = self.eval_field(name, &[], Val::Missing, receiver)?;
        }
        self.eval_field(last, args, fin, receiver)
    }

    /// Go's `evalField` without methods: map lookups only.
    fn eval_field(&mut self, name: &str, args: &'t [Arg], fin: Val, receiver: Val) -> R<Val> {
        let typ = match &receiver {
            Val::Invalid | Val::Missing => return Ok(Val::Invalid),
            r => r.type_name(),
        };
        let concrete = match receiver {
            Val::Iface(None) => {
                return self.errorf(format!("nil pointer evaluating {typ}.{name}"));
            }
            r => r.indirect_interface(),
        };
        let has_args = args.len() > 1 || !matches!(fin, Val::Missing);
        if let Val::C(Conc::Map(m)) = &concrete {
            if has_args {
                return self.errorf(format!("{name} is not a method but has arguments"));
            }
            return Ok(match m.get(name.as_bytes()) {
                Some(e) => Val::Iface(e.clone()),
                None => Val::Invalid,
            });
        }
        self.errorf(format!("can't evaluate field {name} in type {typ}"))
    }

    fn eval_function(
        &mut self,
        dot: &Val,
        ident: &'t Arg,
        name: &'t str,
        node: At<'t>,
        args: &'t [Arg],
        fin: Val,
    ) -> R<Val> {
        self.at(At::Arg(ident));
        self.eval_call(dot, node, name, args, fin)
    }

    /// Go's `evalCall` for a builtin; `args` includes the function's own
    /// node first (empty when it was used as an argument).
    fn eval_call(
        &mut self,
        dot: &Val,
        node: At<'t>,
        name: &'t str,
        args: &'t [Arg],
        fin: Val,
    ) -> R<Val> {
        let Some(sig) = signature(name) else {
            return self.errorf(format!(
                "{} is not a defined function",
                super::value::quote(name)
            ));
        };
        let args = args.get(1..).unwrap_or_default();
        let has_final = !matches!(fin, Val::Missing);
        let num_in = args.len() + usize::from(has_final);
        let num_fixed = if sig.variadic.is_some() {
            if num_in < sig.fixed.len() {
                return self.errorf(format!(
                    "wrong number of args for {name}: want at least {} got {}",
                    sig.fixed.len(),
                    args.len()
                ));
            }
            sig.fixed.len()
        } else {
            if num_in != sig.fixed.len() {
                return self.errorf(format!(
                    "wrong number of args for {name}: want {} got {num_in}",
                    sig.fixed.len()
                ));
            }
            args.len()
        };
        if name == "and" || name == "or" {
            let want = name == "or";
            let mut v = Val::Invalid;
            for a in args {
                v = self.eval_arg(dot, Param::Value, a)?;
                if truth(v.clone()) == want {
                    return Ok(v);
                }
            }
            if has_final {
                v = fin;
            }
            return Ok(v);
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            let ty = if i < num_fixed {
                sig.fixed.get(i).copied().unwrap_or(Param::Value)
            } else {
                sig.variadic.unwrap_or(Param::Value)
            };
            argv.push(self.eval_arg(dot, ty, a)?);
        }
        if has_final {
            let ty = match sig.variadic {
                Some(v) if num_in > num_fixed => v,
                _ => sig
                    .fixed
                    .get(num_in - 1)
                    .or(sig.fixed.last())
                    .copied()
                    .unwrap_or(Param::Value),
            };
            let callee = fin.clone();
            argv.push(self.validate_type(fin, ty)?);
            if name == "call" && args.is_empty() {
                return self.call_error(node, name, &reflect_string(&callee), argv);
            }
        }
        if name == "call" {
            let callee = args.first().map(Arg::string).unwrap_or_default();
            return self.call_error(node, name, &callee, argv);
        }
        let result = funcs::call(name, argv);
        match result {
            Ok(v) => {
                if let Val::C(Conc::Str(s)) = &v {
                    self.charge(s.len())?;
                }
                Ok(v)
            }
            Err(e) => {
                self.at(node);
                self.errorf(format!("error calling {name}: {e}"))
            }
        }
    }

    /// `call`: the template data holds no functions, so every call fails.
    fn call_error<T>(&mut self, node: At<'t>, name: &str, callee: &str, argv: Vec<Val>) -> R<T> {
        let f = argv
            .into_iter()
            .next()
            .unwrap_or(Val::Invalid)
            .indirect_interface();
        let msg = match f {
            Val::Invalid | Val::Missing => "call of nil".to_string(),
            other => format!("non-function {callee} of type {}", other.type_name()),
        };
        self.at(node);
        self.errorf(format!("error calling {name}: {msg}"))
    }

    /// Go's `validateType` for the parameter kinds builtins use.
    fn validate_type(&self, v: Val, ty: Param) -> R<Val> {
        match (v, ty) {
            (Val::Invalid | Val::Missing, Param::Any) => Ok(Val::Iface(None)),
            (Val::Invalid | Val::Missing, Param::Str) => {
                self.errorf("invalid value; expected string".to_string())
            }
            (Val::Invalid | Val::Missing, _) => Ok(Val::Invalid),
            (v @ Val::C(Conc::Str(_)), Param::Str) => Ok(v),
            (Val::Iface(Some(Conc::Str(s))), Param::Str) => Ok(Val::C(Conc::Str(s))),
            (Val::Iface(Some(c)), Param::Str) => self.errorf(format!(
                "wrong type for value; expected string; got {}",
                c.type_name()
            )),
            (v, Param::Str) => self.errorf(format!(
                "wrong type for value; expected string; got {}",
                v.type_name()
            )),
            (v, _) => Ok(v),
        }
    }

    fn eval_arg(&mut self, dot: &Val, ty: Param, n: &'t Arg) -> R<Val> {
        self.at(At::Arg(n));
        let v = match n {
            Arg::Dot { .. } => dot.clone(),
            Arg::Nil { .. } => {
                return match ty {
                    Param::Any => Ok(Val::Iface(None)),
                    Param::Str => self.errorf("cannot assign nil to string".to_string()),
                    Param::Value | Param::Untyped => Ok(Val::Invalid),
                };
            }
            Arg::Field { ident, .. } => {
                self.eval_field_node(dot, n, ident, std::slice::from_ref(n), Val::Missing)?
            }
            Arg::Variable { ident, .. } => {
                self.eval_variable_node(dot, n, ident, &[], Val::Missing)?
            }
            Arg::Pipe(p) => self.nested(|s| s.eval_pipeline(dot, Some(p)))?,
            Arg::Identifier { name, .. } => {
                self.eval_function(dot, n, name, At::Arg(n), &[], Val::Missing)?
            }
            Arg::Chain { node, fields, .. } => {
                self.eval_chain_node(dot, n, node, fields, &[], Val::Missing)?
            }
            Arg::Bool { val, .. } => {
                if ty == Param::Str {
                    return self.errorf(format!("expected string; found {}", n.string()));
                }
                return Ok(Val::C(Conc::Bool(*val)));
            }
            Arg::Number { num, .. } => {
                if ty == Param::Str {
                    return self.errorf(format!("expected string; found {}", n.string()));
                }
                return self.ideal_constant(n, num);
            }
            Arg::String { text, .. } => return Ok(Val::C(Conc::Str(text.as_slice().into()))),
        };
        self.validate_type(v, ty)
    }
}

/// `%v` of a value (error texts).
fn show(v: &Val) -> String {
    match v {
        Val::C(c) => super::fmt::format_conc(c, 'v'),
        Val::Iface(Some(c)) => super::fmt::format_conc(c, 'v'),
        _ => "<invalid reflect.Value>".to_string(),
    }
}

/// `reflect.Value.String()`: a string-kinded value's text, else
/// `<T Value>`.
fn reflect_string(v: &Val) -> String {
    match v {
        Val::C(c) | Val::Iface(Some(c)) => match c.str_bytes() {
            Some(b) => super::value::to_utf8_lossy(b),
            None => format!("<{} Value>", c.type_name()),
        },
        Val::Iface(None) => "<interface {} Value>".to_string(),
        Val::Invalid | Val::Missing => "<invalid Value>".to_string(),
    }
}
