//! regorus's module AST → OPA's module AST ([`super::ast`]).
//!
//! What OPA's parser does beyond the syntax, and is reproduced here:
//! - operators become calls of their builtins (`x + 1` → `plus(x, 1)`,
//!   `x := 1` → `assign(x, 1)`, `x in xs` → `internal.member_2(x, xs)`);
//! - `_` becomes a fresh wildcard `$N`, numbered in parse order over the
//!   module; the heads OPA copies for `else` branches and for further
//!   bodies of a rule get fresh wildcards for their `_` arguments;
//! - `-` before a var, ref or call is `minus(0, x)`, before a number
//!   literal part of the number; it binds to the term after it (regorus
//!   extends it over the rest of the expression: such expressions are
//!   rebuilt with OPA's precedence, [`Converter::rebuild`]);
//! - `data` and `input` standing alone are refs;
//! - OPA's parse-time checks regorus lacks: default rule values without
//!   vars, refs or calls; `else` only on rules without variables in the
//!   head or a key; no empty `else` body; no space before a call's `(`;
//! - rule heads get OPA's `name` / `key` / generated `value` (see
//!   [`Converter::finish_head`]); rules without a body get the body
//!   `true`; `else` branches nest; each extra `{ ... }` body of a rule is
//!   a rule of its own;
//! - sets are sorted and deduplicated, object pairs sorted, in OPA's term
//!   order.

use super::ast::{Body, Expr, ExprTerms, Head, Module, Rule, Term};
use super::error::ParseError;
use crate::Number;
use regorus::unstable::{
    ArithOp, AssignOp, BinOp, BoolOp, Expr as RExpr, Literal, LiteralStmt, Module as RModule,
    Query, Rule as RRule, RuleBody, RuleHead, Span,
};

/// Nesting depth the conversion follows (terms inside terms and bodies);
/// `prepare` bounds the source's nesting well below this.
const MAX_DEPTH: usize = 512;

/// Converts one module; holds the wildcard counter.
pub(super) struct Converter<'a> {
    /// The source (same offsets as regorus's input).
    source: &'a str,
    wildcards: usize,
    depth: usize,
    /// Byte offsets of `contains` keywords regorus was shown as `:=`
    /// (see `prepare::contains_as_assign`).
    contains_at: Vec<u32>,
    /// `default <ref>` rules regorus was not shown (offset, ref parts).
    bare_defaults: Vec<(usize, Vec<String>)>,
    /// Converting a rule head's value (OPA ends the rule at a stray `(`).
    in_head_value: bool,
    /// Data literals read by `prepare`, by the offset of the `0` regorus
    /// was shown in their place.
    literals: std::collections::HashMap<usize, Term>,
}

impl<'a> Converter<'a> {
    pub fn new(source: &'a str, contains_at: Vec<u32>) -> Converter<'a> {
        Converter {
            source,
            wildcards: 0,
            depth: 0,
            contains_at,
            bare_defaults: Vec::new(),
            in_head_value: false,
            literals: std::collections::HashMap::new(),
        }
    }

    /// The data literals `prepare` read (placeholder offset, term).
    pub fn with_literals(mut self, literals: Vec<(usize, Term)>) -> Self {
        self.literals = literals.into_iter().collect();
        self
    }

    /// A rule head's value term.
    fn head_value(&mut self, e: &RExpr) -> Result<Term, ParseError> {
        self.in_head_value = true;
        let t = self.term(e);
        self.in_head_value = false;
        t
    }

    /// The `default <ref>` rules without a value to put back in order.
    pub fn with_bare_defaults(mut self, defaults: Vec<(usize, Vec<String>)>) -> Self {
        self.bare_defaults = defaults;
        self
    }

    /// The whole module, without its imports (read by `prepare`).
    pub fn module(&mut self, file: &str, m: &RModule) -> Result<Module, ParseError> {
        let mut package = vec![Term::Var("data".into())];
        for (i, t) in self.ref_terms(&m.package.refr)?.into_iter().enumerate() {
            package.push(match t {
                Term::Var(v) if i == 0 => Term::String(v),
                t => t,
            });
        }
        let mut rules = Vec::with_capacity(m.policy.len());
        let mut defaults = std::mem::take(&mut self.bare_defaults)
            .into_iter()
            .peekable();
        for r in &m.policy {
            let start = usize::try_from(r.span().start).unwrap_or(usize::MAX);
            while let Some((_, parts)) = defaults.next_if(|(o, _)| *o < start) {
                rules.push(bare_default_rule(parts));
            }
            self.rule(r, &mut rules)?;
        }
        rules.extend(defaults.map(|(_, parts)| bare_default_rule(parts)));
        Ok(Module {
            file: file.to_string(),
            package,
            imports: Vec::new(),
            rules,
            comments: Vec::new(),
        })
    }

    fn wildcard(&mut self) -> Term {
        let t = Term::Var(format!("${}", self.wildcards));
        self.wildcards = self.wildcards.saturating_add(1);
        t
    }

    fn var(&mut self, name: &str) -> Term {
        if name == "_" {
            self.wildcard()
        } else {
            Term::Var(name.to_string())
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth = self.depth.saturating_add(1);
        if self.depth > MAX_DEPTH {
            return Err(ParseError::Limit(format!(
                "expressions nested deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// A number literal's text in the source (regorus was shown `0` for
    /// literals beyond its range, see `prepare`).
    fn literal<'s>(&'s self, span: &'s Span) -> &'s str {
        let start = usize::try_from(span.start).unwrap_or(usize::MAX);
        let rest = self.source.get(start..).unwrap_or_default();
        let b = rest.as_bytes();
        let mut i = usize::from(b.first() == Some(&b'-'));
        let digits = |i: &mut usize| {
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
        };
        digits(&mut i);
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            digits(&mut i);
        }
        if matches!(b.get(i), Some(b'e') | Some(b'E')) {
            let mut j = i + 1;
            if matches!(b.get(j), Some(b'+') | Some(b'-')) {
                j += 1;
            }
            if b.get(j).is_some_and(u8::is_ascii_digit) {
                i = j;
                digits(&mut i);
            }
        }
        match rest.get(..i) {
            Some(t) if !t.is_empty() && t != "-" => t,
            _ => span.text(),
        }
    }

    // ---- rules -------------------------------------------------------

    fn rule(&mut self, r: &RRule, out: &mut Vec<Rule>) -> Result<(), ParseError> {
        match r {
            RRule::Default {
                refr,
                args,
                op,
                value,
                ..
            } => {
                let reference = self.ref_terms(refr)?;
                let mut head_args = Vec::with_capacity(args.len());
                for a in args {
                    head_args.push(self.term(a)?);
                }
                let value = self.head_value(value)?;
                let mut illegal = Vec::new();
                default_value_check(&value, &mut illegal);
                if !illegal.is_empty() {
                    let start = usize::try_from(r.span().start).unwrap_or(0);
                    let errors = illegal
                        .into_iter()
                        .map(|kind| {
                            ParseError::at_offset(
                                self.source,
                                start,
                                &format!("illegal default rule (value cannot contain {kind})"),
                            )
                        })
                        .collect();
                    return Err(ParseError::Multi(errors));
                }
                let head = Head {
                    name: single_name(&reference),
                    reference,
                    args: head_args,
                    key: None,
                    value: Some(value),
                    assign: *op == AssignOp::ColEq,
                };
                out.push(Rule {
                    default: true,
                    head,
                    body: Expr::true_body(),
                    else_rule: None,
                });
                Ok(())
            }
            RRule::Spec { span, head, bodies } => self.spec_rule(span, head, bodies, out),
        }
    }

    fn spec_rule(
        &mut self,
        span: &Span,
        head: &RuleHead,
        bodies: &[RuleBody],
        out: &mut Vec<Rule>,
    ) -> Result<(), ParseError> {
        let (mut h, contains) = match head {
            RuleHead::Compr { refr, assign, .. } => {
                let reference = self.ref_terms(refr)?;
                let mut h = Head {
                    name: single_name(&reference),
                    reference,
                    ..Head::default()
                };
                let mut contains = false;
                if let Some(a) = assign {
                    if self.contains_at.contains(&a.span.start) {
                        h.key = Some(self.term(&a.value)?);
                        contains = true;
                    } else {
                        h.value = Some(self.head_value(&a.value)?);
                        h.assign = a.op == AssignOp::ColEq;
                    }
                }
                (h, contains)
            }
            RuleHead::Set {
                span: head_span,
                refr,
                key,
            } => {
                let reference = self.ref_terms(refr)?;
                let key = match key {
                    // `p[x]` without `if`, a body or a value: Rego v0's
                    // partial set rule.
                    Some(key) if uses_contains(head_span, refr) => key,
                    _ => {
                        return Err(ParseError::NoDetail {
                            line: span.line,
                            msg: "`contains` keyword is required for partial set rules".into(),
                        });
                    }
                };
                let key = self.term(key)?;
                let h = Head {
                    name: single_name(&reference),
                    reference,
                    key: Some(key),
                    ..Head::default()
                };
                (h, true)
            }
            RuleHead::Func {
                refr, args, assign, ..
            } => {
                let reference = self.ref_terms(refr)?;
                let mut head_args = Vec::with_capacity(args.len());
                for a in args {
                    head_args.push(self.term(a)?);
                }
                let mut h = Head {
                    name: single_name(&reference),
                    reference,
                    args: head_args,
                    ..Head::default()
                };
                if let Some(a) = assign {
                    h.value = Some(self.head_value(&a.value)?);
                    h.assign = a.op == AssignOp::ColEq;
                }
                (h, false)
            }
        };

        let (main, rest) = match bodies.split_first() {
            Some((first, rest)) => (Some(first), rest),
            None => (None, bodies),
        };
        if !contains {
            Self::finish_head(&mut h, main.is_some());
        }
        let body = match main {
            Some(b) => self.body(&b.query)?,
            None => Expr::true_body(),
        };
        let mut rule = Rule {
            default: false,
            head: h.clone(),
            body,
            else_rule: None,
        };

        if let Some(b) = rest.first().filter(|b| b.is_else) {
            // A ref's groundness leaves out its head var (OPA's `Ref.IsGround`).
            if h.reference.iter().skip(1).any(|t| !t.is_ground()) {
                return Err(ParseError::at(
                    &b.span,
                    "else keyword cannot be used on rules with variables in head",
                ));
            }
            if contains || h.key.is_some() {
                return Err(ParseError::at(
                    &b.span,
                    "else keyword cannot be used on multi-value rules",
                ));
            }
            // The `else` chain nests: each branch holds the next.
            let mut branches = Vec::with_capacity(rest.len());
            for b in rest {
                let mut eh = h.clone();
                self.fresh_arg_wildcards(&mut eh);
                match &b.assign {
                    Some(a) => {
                        eh.value = Some(self.term(&a.value)?);
                        eh.assign = a.op == AssignOp::ColEq;
                    }
                    None => eh.value = Some(Term::Bool(true)),
                }
                let body = if b.query.stmts.is_empty() {
                    Expr::true_body()
                } else {
                    self.empty_else_body(&b.query)?;
                    self.body(&b.query)?
                };
                branches.push(Rule {
                    default: false,
                    head: eh,
                    body,
                    else_rule: None,
                });
            }
            let mut next: Option<Box<Rule>> = None;
            while let Some(mut branch) = branches.pop() {
                branch.else_rule = next.take();
                next = Some(Box::new(branch));
            }
            rule.else_rule = next;
            out.push(rule);
        } else {
            out.push(rule);
            // `p if { a } { b }`: one rule per body, the head copied.
            for b in rest {
                let body = self.body(&b.query)?;
                let mut ch = h.clone();
                self.fresh_arg_wildcards(&mut ch);
                out.push(Rule {
                    default: false,
                    head: ch,
                    body,
                    else_rule: None,
                });
            }
        }
        Ok(())
    }

    /// OPA's head rules (`parseHead` / `parseRules`) for a non-`contains`,
    /// non-default rule, `has_body` being whether `if` followed the head:
    /// - no value, no key, and not a two-part ref without args → value
    ///   `true`;
    /// - with `if` and a two-part ref `p[k]`: `k` is the key when it is
    ///   not ground (or a ref) and there are no args; no value → `true`,
    ///   else the name is `p`;
    /// - without `if`, no args and a two-part ref: name `p`, key `k`.
    fn finish_head(h: &mut Head, has_body: bool) {
        if h.value.is_none() && h.key.is_none() && (h.reference.len() != 2 || !h.args.is_empty()) {
            h.value = Some(Term::Bool(true));
        }
        if h.reference.len() != 2 {
            return;
        }
        let first = h
            .reference
            .first()
            .and_then(Term::as_var)
            .map(str::to_string);
        let second = h.reference.get(1).cloned();
        if has_body {
            if let Some(k) = &second
                && (!k.is_ground() || matches!(k, Term::Ref(_)))
                && h.args.is_empty()
            {
                h.key = Some(k.clone());
            }
            if h.value.is_none() {
                h.value = Some(Term::Bool(true));
            } else if first.is_some() {
                h.name = first;
            }
        } else if h.args.is_empty() {
            h.name = first;
            h.key = second;
        }
    }

    /// `else ... if { }`: regorus reads the braces as an empty object; OPA
    /// reports an empty body (for the first body of a rule, OPA too reads
    /// `if {}` as an object).
    fn empty_else_body(&self, q: &Query) -> Result<(), ParseError> {
        if let [stmt] = q.stmts.as_slice()
            && stmt.with_mods.is_empty()
            && let Literal::Expr { expr, .. } = &stmt.literal
            && let RExpr::Object { fields, span, .. } = expr.as_ref()
            && fields.is_empty()
        {
            let start = usize::try_from(span.start).unwrap_or(0);
            let before = self.source.get(..start).unwrap_or_default().trim_end();
            if before.ends_with("if") {
                let end = usize::try_from(span.end).unwrap_or(0).saturating_sub(1);
                return Err(ParseError::at_offset(self.source, end, "found empty body"));
            }
        }
        Ok(())
    }

    fn fresh_arg_wildcards(&mut self, h: &mut Head) {
        for a in &mut h.args {
            if a.as_var().is_some_and(|v| v.starts_with('$')) {
                *a = self.wildcard();
            }
        }
    }

    // ---- bodies ------------------------------------------------------

    fn body(&mut self, q: &Query) -> Result<Body, ParseError> {
        let mut out = Vec::with_capacity(q.stmts.len());
        for s in &q.stmts {
            out.push(self.stmt(s)?);
        }
        Ok(out)
    }

    fn stmt(&mut self, s: &LiteralStmt) -> Result<Expr, ParseError> {
        self.enter()?;
        let mut e = match &s.literal {
            Literal::SomeVars { vars, .. } => Expr::new(ExprTerms::Some(
                vars.iter().map(|v| self.var(v.text())).collect(),
            )),
            Literal::SomeIn {
                key,
                value,
                collection,
                ..
            } => {
                let call = self.member(key.as_ref(), value, collection)?;
                Expr::new(ExprTerms::Some(vec![call]))
            }
            Literal::Expr { expr, .. } => Expr::new(self.expr_terms(expr)?),
            Literal::NotExpr { expr, .. } => {
                let mut e = Expr::new(self.expr_terms(expr)?);
                e.negated = true;
                e
            }
            Literal::Every {
                key,
                value,
                domain,
                query,
                ..
            } => {
                let key = key.as_ref().map(|k| self.var(k.text()));
                let value = self.var(value.text());
                let domain = self.term(domain)?;
                let body = self.body(query)?;
                Expr::new(ExprTerms::Every {
                    key,
                    value,
                    domain,
                    body,
                })
            }
        };
        for w in &s.with_mods {
            let target = self.term(&w.refr)?;
            let value = self.term(&w.r#as)?;
            e.with.push((target, value));
        }
        self.leave();
        Ok(e)
    }

    /// A statement's terms: a call expression is its terms, anything else
    /// one term.
    fn expr_terms(&mut self, e: &RExpr) -> Result<ExprTerms, ParseError> {
        Ok(match self.term(e)? {
            Term::Call(ts) => ExprTerms::Call(ts),
            t => ExprTerms::Term(t),
        })
    }

    fn member(
        &mut self,
        key: Option<&regorus::unstable::Ref<RExpr>>,
        value: &RExpr,
        collection: &RExpr,
    ) -> Result<Term, ParseError> {
        let op = if key.is_some() {
            "internal.member_3"
        } else {
            "internal.member_2"
        };
        let mut ts = vec![Term::operator(op)];
        if let Some(k) = key {
            ts.push(self.term(k)?);
        }
        ts.push(self.term(value)?);
        ts.push(self.term(collection)?);
        Ok(Term::Call(ts))
    }

    // ---- terms -------------------------------------------------------

    fn term(&mut self, e: &RExpr) -> Result<Term, ParseError> {
        self.enter()?;
        let t = self.term_inner(e);
        self.leave();
        t
    }

    fn term_inner(&mut self, e: &RExpr) -> Result<Term, ParseError> {
        Ok(match e {
            RExpr::String { span, value, .. } | RExpr::RawString { span, value, .. } => {
                match value.as_string() {
                    Ok(s) => Term::String(s.to_string()),
                    Err(_) => return Err(ParseError::at(span, "invalid string literal")),
                }
            }
            RExpr::Number { span, value, .. } => {
                let start = usize::try_from(span.start).unwrap_or(usize::MAX);
                match self.literals.get(&start) {
                    Some(t) => t.clone(),
                    None => Term::Number(number(self.literal(span), value)),
                }
            }
            RExpr::Bool { value, .. } => Term::Bool(*value == regorus::Value::Bool(true)),
            RExpr::Null { .. } => Term::Null,
            // OPA's parser reads the root documents as refs.
            RExpr::Var { span, .. } if matches!(span.text(), "data" | "input") => {
                Term::Ref(vec![Term::Var(span.text().to_string())])
            }
            RExpr::Var { span, .. } => self.var(span.text()),
            RExpr::Array { items, .. } => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.term(i)?);
                }
                Term::Array(out)
            }
            RExpr::Set { items, .. } => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.term(i)?);
                }
                Term::set(out)
            }
            RExpr::Object { fields, .. } => {
                let mut out = Vec::with_capacity(fields.len());
                for (_, k, v) in fields {
                    let k = self.term(k)?;
                    let v = self.term(v)?;
                    out.push((k, v));
                }
                Term::object(out)
            }
            RExpr::ArrayCompr { term, query, .. } => {
                let t = self.term(term)?;
                Term::ArrayCompr(Box::new(t), self.body(query)?)
            }
            RExpr::SetCompr { term, query, .. } => {
                let t = self.term(term)?;
                Term::SetCompr(Box::new(t), self.body(query)?)
            }
            RExpr::ObjectCompr {
                key, value, query, ..
            } => {
                let k = self.term(key)?;
                let v = self.term(value)?;
                Term::ObjectCompr(Box::new(k), Box::new(v), self.body(query)?)
            }
            RExpr::Call { fcn, params, .. } => {
                // OPA reads `f (x)` as `f` followed by a parenthesized term.
                let after = usize::try_from(fcn.span().end).unwrap_or(usize::MAX);
                if self
                    .source
                    .get(after..)
                    .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace()))
                {
                    let rest = self.source.get(after..).unwrap_or_default();
                    let paren = after + (rest.len() - rest.trim_start().len());
                    if self.in_head_value
                        && let [only] = params.as_slice()
                    {
                        // The rule ends before `(`, which starts a "rule".
                        let kind = match self.term(only)? {
                            Term::Ref(_) | Term::Var(_) => "var",
                            t => t.type_name(),
                        };
                        return Err(ParseError::NoDetail {
                            line: fcn.span().line,
                            msg: format!("{kind} cannot be used for rule name"),
                        });
                    }
                    return Err(ParseError::at_offset(
                        self.source,
                        paren,
                        "unexpected ( token: expected \\n or ; or }",
                    ));
                }
                let op = match fcn.as_ref() {
                    RExpr::Var { span, .. } => Term::Ref(vec![Term::Var(span.text().to_string())]),
                    RExpr::RefDot { .. } | RExpr::RefBrack { .. } => {
                        Term::Ref(self.ref_terms(fcn)?)
                    }
                    other => self.term(other)?,
                };
                let mut ts = Vec::with_capacity(params.len().saturating_add(1));
                ts.push(op);
                for p in params {
                    ts.push(self.term(p)?);
                }
                Term::Call(ts)
            }
            RExpr::UnaryExpr { .. }
            | RExpr::ArithExpr { .. }
            | RExpr::BoolExpr { .. }
            | RExpr::BinExpr { .. }
                if self.misplaced_minus(e) =>
            {
                self.rebuild(e)?
            }
            RExpr::UnaryExpr { span, expr, .. } => self.unary(span, expr)?,
            RExpr::RefDot { .. } | RExpr::RefBrack { .. } => Term::Ref(self.ref_terms(e)?),
            RExpr::BinExpr { .. } | RExpr::BoolExpr { .. } | RExpr::ArithExpr { .. } => {
                self.left_chain(e)?
            }
            RExpr::AssignExpr { op, lhs, rhs, .. } => {
                let name = match op {
                    AssignOp::Eq => "eq",
                    AssignOp::ColEq => "assign",
                };
                self.binary(name, lhs, rhs)?
            }
            RExpr::Membership {
                key,
                value,
                collection,
                ..
            } => self.member(key.as_ref(), value, collection)?,
            #[allow(unreachable_patterns)]
            other => {
                return Err(ParseError::at(
                    other.span(),
                    "unsupported expression (regorus extension)",
                ));
            }
        })
    }

    fn binary(&mut self, op: &str, lhs: &RExpr, rhs: &RExpr) -> Result<Term, ParseError> {
        let l = self.term(lhs)?;
        let r = self.term(rhs)?;
        Ok(Term::Call(vec![Term::operator(op), l, r]))
    }

    /// `-e` for an operand `e` (binary operands are handled by
    /// [`Converter::rebuild`]); `-x in xs` is `(-x) in xs`.
    fn unary(&mut self, minus: &Span, inner: &RExpr) -> Result<Term, ParseError> {
        match inner {
            RExpr::Membership {
                key: None,
                value,
                collection,
                ..
            } => {
                let v = self.unary(minus, value)?;
                let c = self.term(collection)?;
                Ok(Term::Call(vec![Term::operator("internal.member_2"), v, c]))
            }
            _ => {
                // The text between the `-` and its operand: blank for a
                // literal `- 1`, a parenthesis for `-(x)`.
                let contents = minus.source.contents();
                let from = usize::try_from(minus.start)
                    .unwrap_or(usize::MAX)
                    .saturating_add(1);
                let to = usize::try_from(inner.span().start).unwrap_or(0);
                let between = if from <= to {
                    contents.get(from..to).unwrap_or_default()
                } else {
                    ""
                };
                let token_at = from + (between.len() - between.trim_start().len());
                let parenthesized = between.trim_start().starts_with('(');
                match inner {
                    RExpr::Number { span, value, .. }
                        if !parenthesized && !self.literal(span).starts_with('-') =>
                    {
                        let literal = self.literal(span);
                        let text = format!("-{literal}");
                        Ok(Term::Number(
                            Number::parse_literal(&text)
                                .unwrap_or_else(|_| number(literal, value).neg()),
                        ))
                    }
                    RExpr::Var { .. }
                    | RExpr::RefDot { .. }
                    | RExpr::RefBrack { .. }
                    | RExpr::Call { .. }
                        if !parenthesized =>
                    {
                        let t = self.term(inner)?;
                        Ok(Term::Call(vec![
                            Term::operator("minus"),
                            Term::Number(Number::from(0_i64)),
                            t,
                        ]))
                    }
                    _ => Err(ParseError::at_offset(
                        contents,
                        token_at,
                        &format!(
                            "unexpected {}: expected number",
                            token_name(between.trim_start(), inner)
                        ),
                    )),
                }
            }
        }
    }

    /// Whether `e` is wrapped in parentheses in the source.
    fn parenthesized(&self, e: &RExpr) -> bool {
        let start = usize::try_from(e.span().start).unwrap_or(0);
        let end = usize::try_from(e.span().end).unwrap_or(usize::MAX);
        let before = self.source.get(..start).unwrap_or_default().trim_end();
        let after = self.source.get(end..).unwrap_or_default().trim_start();
        before.ends_with('(') && after.starts_with(')')
    }

    /// Whether a binary expression holds a unary minus whose operand
    /// regorus extended over further operators (`-x + 1` read as
    /// `-(x + 1)`, `2 * -x + 1` as `2 * -(x + 1)`). Iterative: operator
    /// chains can be long.
    fn misplaced_minus(&self, e: &RExpr) -> bool {
        let mut todo = vec![e];
        while let Some(e) = todo.pop() {
            match e {
                RExpr::UnaryExpr { expr, .. } => {
                    if binary_op(expr).is_some() && !self.parenthesized(expr) {
                        return true;
                    }
                    todo.push(expr);
                }
                RExpr::ArithExpr { lhs, rhs, .. }
                | RExpr::BoolExpr { lhs, rhs, .. }
                | RExpr::BinExpr { lhs, rhs, .. } => {
                    for c in [lhs, rhs] {
                        if !self.parenthesized(c) {
                            todo.push(c);
                        }
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// A left-nested operator chain (`a + b - c ...`, as regorus builds
    /// it) converted without recursing along its length.
    fn left_chain(&mut self, e: &RExpr) -> Result<Term, ParseError> {
        let mut spine = Vec::new();
        let mut cur = e;
        while let Some((name, _)) = binary_op(cur) {
            if !std::ptr::eq(cur, e) && self.parenthesized(cur) {
                break;
            }
            match cur {
                RExpr::ArithExpr { lhs, rhs, .. }
                | RExpr::BoolExpr { lhs, rhs, .. }
                | RExpr::BinExpr { lhs, rhs, .. } => {
                    spine.push((name, rhs));
                    cur = lhs;
                }
                _ => break,
            }
        }
        let mut acc = self.term(cur)?;
        while let Some((name, rhs)) = spine.pop() {
            let r = self.term(rhs)?;
            acc = Term::Call(vec![Term::operator(name), acc, r]);
        }
        Ok(acc)
    }

    /// Rebuild an operator expression with OPA's precedence, the unary
    /// minus binding to the term after it: the operands and operators in
    /// source order (parenthesized groups kept whole), then precedence
    /// climbing.
    fn rebuild(&mut self, e: &RExpr) -> Result<Term, ParseError> {
        let mut items = Vec::new();
        self.linearize(e, &mut items);
        let mut pos = 0;
        let t = self.climb(&items, &mut pos, 0)?;
        if pos != items.len() {
            return Err(ParseError::at(e.span(), "unexpected operator"));
        }
        Ok(t)
    }

    fn linearize<'e>(&self, e: &'e RExpr, out: &mut Vec<Item<'e>>) {
        // (expression, is the root of a group): in-order, iteratively.
        enum Step<'e> {
            Visit(&'e RExpr, bool),
            Emit(Item<'e>),
        }
        let mut todo = vec![Step::Visit(e, true)];
        while let Some(step) = todo.pop() {
            let (e, root) = match step {
                Step::Emit(item) => {
                    out.push(item);
                    continue;
                }
                Step::Visit(e, root) => (e, root),
            };
            if !root && self.parenthesized(e) {
                out.push(Item::Operand(e));
                continue;
            }
            match e {
                RExpr::ArithExpr { lhs, rhs, .. }
                | RExpr::BoolExpr { lhs, rhs, .. }
                | RExpr::BinExpr { lhs, rhs, .. } => {
                    todo.push(Step::Visit(rhs, false));
                    if let Some((name, prec)) = binary_op(e) {
                        todo.push(Step::Emit(Item::Op(name, prec)));
                    }
                    todo.push(Step::Visit(lhs, false));
                }
                RExpr::UnaryExpr { span, expr, .. } => {
                    out.push(Item::Neg(span));
                    if binary_op(expr).is_some() && !self.parenthesized(expr) {
                        todo.push(Step::Visit(expr, true));
                    } else {
                        out.push(Item::Operand(expr));
                    }
                }
                _ => out.push(Item::Operand(e)),
            }
        }
    }

    fn climb(&mut self, items: &[Item<'_>], pos: &mut usize, min: u8) -> Result<Term, ParseError> {
        let mut lhs = match items.get(*pos) {
            Some(Item::Neg(span)) => match items.get(*pos + 1) {
                Some(Item::Operand(o)) => {
                    *pos += 2;
                    self.unary(span, o)?
                }
                _ => {
                    return Err(ParseError::at(
                        span,
                        "unexpected minus token: expected number",
                    ));
                }
            },
            Some(Item::Operand(o)) => {
                *pos += 1;
                self.term(o)?
            }
            _ => {
                return Err(ParseError::NoDetail {
                    line: 1,
                    msg: "unexpected operator".into(),
                });
            }
        };
        while let Some(Item::Op(name, prec)) = items.get(*pos)
            && *prec >= min
        {
            *pos += 1;
            let rhs = self.climb(items, pos, prec.saturating_add(1))?;
            lhs = Term::Call(vec![Term::operator(name), lhs, rhs]);
        }
        Ok(lhs)
    }

    /// A ref's terms: its head (a var, or a call, array, ... term), then
    /// one term per `.field` (a string) or `[index]`.
    fn ref_terms(&mut self, e: &RExpr) -> Result<Vec<Term>, ParseError> {
        enum Step<'a> {
            Dot(&'a str),
            Brack(&'a RExpr),
        }
        let mut steps = Vec::new();
        let mut cur = e;
        loop {
            match cur {
                RExpr::RefDot { refr, field, .. } => {
                    steps.push(Step::Dot(field.0.text()));
                    cur = refr;
                }
                RExpr::RefBrack { refr, index, .. } => {
                    steps.push(Step::Brack(index));
                    cur = refr;
                }
                _ => break,
            }
        }
        let mut out = Vec::with_capacity(steps.len().saturating_add(1));
        out.push(match cur {
            RExpr::Var { span, .. } => self.var(span.text()),
            other => self.term(other)?,
        });
        for s in steps.iter().rev() {
            out.push(match s {
                Step::Dot(f) => Term::String((*f).to_string()),
                Step::Brack(i) => self.term(i)?,
            });
        }
        Ok(out)
    }
}

/// `default p` (no value): OPA's value `true`.
fn bare_default_rule(parts: Vec<String>) -> Rule {
    let mut reference = Vec::with_capacity(parts.len());
    for (i, p) in parts.into_iter().enumerate() {
        reference.push(if i == 0 {
            Term::Var(p)
        } else {
            Term::String(p)
        });
    }
    Rule {
        default: true,
        head: Head {
            name: single_name(&reference),
            reference,
            value: Some(Term::Bool(true)),
            ..Head::default()
        },
        body: Expr::true_body(),
        else_rule: None,
    }
}

/// What a default rule's value may not hold (OPA's
/// `validateDefaultRuleValue`): vars, refs and calls outside
/// comprehensions, each occurrence reported.
fn default_value_check(t: &Term, out: &mut Vec<&'static str>) {
    match t {
        Term::Var(_) => out.push("var"),
        Term::Ref(_) => out.push("ref"),
        Term::Call(_) => out.push("call"),
        Term::Array(items) | Term::Set(items) => {
            for i in items {
                default_value_check(i, out);
            }
        }
        Term::Object(pairs) => {
            for (k, v) in pairs {
                default_value_check(k, out);
                default_value_check(v, out);
            }
        }
        _ => {}
    }
}

/// The rule name of a one-var ref head.
fn single_name(reference: &[Term]) -> Option<String> {
    match reference {
        [Term::Var(v)] => Some(v.clone()),
        _ => None,
    }
}

/// An operator expression in source order (see [`Converter::rebuild`]).
enum Item<'e> {
    Operand(&'e RExpr),
    /// Operator name and precedence.
    Op(&'static str, u8),
    /// A unary minus (its span starts at the `-`).
    Neg(&'e Span),
}

/// A binary operator's builtin name and precedence (comparisons lowest,
/// then `|`, `&`, `+ -`, `* / %`).
fn binary_op(e: &RExpr) -> Option<(&'static str, u8)> {
    Some(match e {
        RExpr::BoolExpr { op, .. } => (bool_op(op), 1),
        RExpr::BinExpr { op, .. } => match op {
            BinOp::Union => ("or", 2),
            BinOp::Intersection => ("and", 3),
        },
        RExpr::ArithExpr { op, .. } => match op {
            ArithOp::Add | ArithOp::Sub => (arith_op(op), 4),
            ArithOp::Mul | ArithOp::Div | ArithOp::Mod => (arith_op(op), 5),
        },
        _ => return None,
    })
}

/// Whether a set-rule head was written with `contains` (not `p[x]`).
/// (regorus's bracket spans end before their `]`.)
fn uses_contains(head: &Span, refr: &RExpr) -> bool {
    let text = head.text();
    let after = usize::try_from(refr.span().end.saturating_sub(head.start)).unwrap_or(0);
    text.get(after..).is_some_and(|rest| {
        rest.trim_start_matches(|c: char| c == ']' || c.is_whitespace())
            .starts_with("contains")
    })
}

/// OPA's token wording for what follows a `-` that is not a number.
fn token_name(text_before: &str, inner: &RExpr) -> String {
    if let Some(c) = text_before
        .chars()
        .next()
        .filter(|c| !matches!(c, '"' | '`'))
    {
        return format!("{c} token");
    }
    match inner {
        RExpr::String { .. } | RExpr::RawString { .. } => "string token".into(),
        RExpr::Bool { value, .. } => format!("{value} keyword"),
        RExpr::Null { .. } => "null keyword".into(),
        RExpr::Array { .. } | RExpr::ArrayCompr { .. } => "[ token".into(),
        RExpr::UnaryExpr { .. } => "minus token".into(),
        RExpr::Number { span, .. } if span.text().starts_with('-') => "minus token".into(),
        RExpr::Set { span, .. } if span.text().starts_with("set(") => "ident token".into(),
        _ => "{ token".into(),
    }
}

fn bool_op(op: &BoolOp) -> &'static str {
    match op {
        BoolOp::Lt => "lt",
        BoolOp::Le => "lte",
        BoolOp::Eq => "equal",
        BoolOp::Ge => "gte",
        BoolOp::Gt => "gt",
        BoolOp::Ne => "neq",
    }
}

fn arith_op(op: &ArithOp) -> &'static str {
    match op {
        ArithOp::Add => "plus",
        ArithOp::Sub => "minus",
        ArithOp::Mul => "mul",
        ArithOp::Div => "div",
        ArithOp::Mod => "rem",
    }
}

/// A number from its literal text (OPA keeps the text); regorus's value
/// when the text is not a JSON number literal.
fn number(text: &str, value: &regorus::Value) -> Number {
    if let Ok(n) = Number::parse_literal(text) {
        return n;
    }
    let f = match value {
        regorus::Value::Number(n) => n.as_f64().unwrap_or(0.0),
        _ => 0.0,
    };
    Number::from_f64(f).unwrap_or_else(|| Number::from(0_i64))
}
