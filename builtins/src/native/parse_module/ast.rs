//! OPA's module AST, reduced to what its JSON form (`rego.parse_module`,
//! `opa parse --format json` without locations) shows, and that JSON form
//! as a [`Value`].
//!
//! Shapes (OPA v1.20.2, `v1/ast` `MarshalJSON`s, confirmed on the oracle):
//! - a term is `{"type": T, "value": V}`; `null`'s value is `{}` (Go
//!   marshals the empty `Null` struct), refs, arrays, sets and calls are
//!   arrays of terms, objects arrays of `[key, value]` pairs; sets and
//!   object pairs are in OPA's term order (sets without duplicates,
//!   objects keep duplicate keys);
//! - comprehensions: `{"term", "body"}` / `{"key", "value", "body"}`;
//! - an expression: `{"index", "terms", "negated"?, "with"?}` where
//!   `terms` is a term, an array of terms (a call: operator first), a
//!   `some` declaration `{"symbols": [...]}` or an `every`
//!   `{"key", "value", "domain", "body"}` (`key` may be `null`);
//! - a rule: `{"head", "body", "default"?, "else"?}`; a head:
//!   `{"name"?, "ref", "args"?, "key"?, "value"?, "assign"?}`;
//! - the module: `{"package": {"path"}, "imports"?, "rules"?, "comments"?}`,
//!   a comment `{"Location": {"file", "row", "col"}, "Text": base64}`.

use crate::{Number, Value};
use base64::Engine as _;
use std::cmp::Ordering;

/// A term.
#[derive(Debug, Clone)]
pub(super) enum Term {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Var(String),
    Ref(Vec<Term>),
    Array(Vec<Term>),
    /// Pairs in OPA's order (see [`Term::object`]).
    Object(Vec<(Term, Term)>),
    /// Elements in OPA's order, without duplicates (see [`Term::set`]).
    Set(Vec<Term>),
    ArrayCompr(Box<Term>, Body),
    SetCompr(Box<Term>, Body),
    ObjectCompr(Box<Term>, Box<Term>, Body),
    /// Operator (a ref) first, then the arguments.
    Call(Vec<Term>),
}

/// A query: expressions, indexed by position when written out.
pub(super) type Body = Vec<Expr>;

/// What an expression holds.
#[derive(Debug, Clone)]
pub(super) enum ExprTerms {
    Term(Term),
    /// A call expression: operator first.
    Call(Vec<Term>),
    /// `some` declaration: vars, or one `internal.member_N` call.
    Some(Vec<Term>),
    Every {
        key: Option<Term>,
        value: Term,
        domain: Term,
        body: Body,
    },
}

/// An expression of a body.
#[derive(Debug, Clone)]
pub(super) struct Expr {
    pub terms: ExprTerms,
    pub negated: bool,
    /// `with` modifiers: (target, value).
    pub with: Vec<(Term, Term)>,
}

/// A rule head.
#[derive(Debug, Clone, Default)]
pub(super) struct Head {
    pub name: Option<String>,
    pub reference: Vec<Term>,
    pub args: Vec<Term>,
    pub key: Option<Term>,
    pub value: Option<Term>,
    pub assign: bool,
}

/// A rule, with its `else` chain.
#[derive(Debug, Clone)]
pub(super) struct Rule {
    pub default: bool,
    pub head: Head,
    pub body: Body,
    pub else_rule: Option<Box<Rule>>,
}

/// An import.
#[derive(Debug, Clone)]
pub(super) struct Import {
    pub path: Term,
    pub alias: Option<String>,
}

/// A comment: 1-based row and column (in characters), text after `#`.
#[derive(Debug, Clone)]
pub(super) struct Comment {
    pub row: usize,
    pub col: usize,
    pub text: String,
}

/// A module.
#[derive(Debug, Clone)]
pub(super) struct Module {
    pub file: String,
    pub package: Vec<Term>,
    pub imports: Vec<Import>,
    pub rules: Vec<Rule>,
    pub comments: Vec<Comment>,
}

impl Term {
    /// A ref to a builtin operator, e.g. `plus` or `internal.member_2`.
    pub fn operator(name: &str) -> Term {
        let mut parts = name.split('.');
        let mut out = vec![Term::Var(parts.next().unwrap_or_default().to_string())];
        out.extend(parts.map(|p| Term::String(p.to_string())));
        Term::Ref(out)
    }

    /// A set: sorted in OPA's term order, duplicates dropped.
    pub fn set(mut items: Vec<Term>) -> Term {
        items.sort_by(compare);
        items.dedup_by(|a, b| compare(a, b) == Ordering::Equal);
        Term::Set(items)
    }

    /// An object: pairs stably sorted by key in OPA's term order. OPA's
    /// parser keeps a repeated key as a second pair.
    pub fn object(mut pairs: Vec<(Term, Term)>) -> Term {
        pairs.sort_by(|a, b| compare(&a.0, &b.0));
        Term::Object(pairs)
    }

    /// Whether the term holds no variables (OPA's `IsGround`).
    pub fn is_ground(&self) -> bool {
        match self {
            Term::Null | Term::Bool(_) | Term::Number(_) | Term::String(_) => true,
            Term::Var(_)
            | Term::Ref(_)
            | Term::Call(_)
            | Term::ArrayCompr(..)
            | Term::SetCompr(..)
            | Term::ObjectCompr(..) => false,
            Term::Array(items) | Term::Set(items) => items.iter().all(Term::is_ground),
            Term::Object(pairs) => pairs.iter().all(|(k, v)| k.is_ground() && v.is_ground()),
        }
    }

    /// The var name, if this is a var.
    pub fn as_var(&self) -> Option<&str> {
        match self {
            Term::Var(v) => Some(v),
            _ => None,
        }
    }

    /// OPA's type name of the term (`ast.ValueName`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Term::Null => "null",
            Term::Bool(_) => "boolean",
            Term::Number(_) => "number",
            Term::String(_) => "string",
            Term::Var(_) => "var",
            Term::Ref(_) => "ref",
            Term::Array(_) => "array",
            Term::Object(_) => "object",
            Term::Set(_) => "set",
            Term::ArrayCompr(..) => "arraycomprehension",
            Term::SetCompr(..) => "setcomprehension",
            Term::ObjectCompr(..) => "objectcomprehension",
            Term::Call(_) => "call",
        }
    }

    /// OPA's sort order of term kinds (`v1/ast/compare.go`).
    fn rank(&self) -> u8 {
        match self {
            Term::Null => 0,
            Term::Bool(_) => 1,
            Term::Number(_) => 2,
            Term::String(_) => 3,
            Term::Var(_) => 4,
            Term::Ref(_) => 5,
            Term::Array(_) => 6,
            Term::Object(_) => 7,
            Term::Set(_) => 8,
            Term::ArrayCompr(..) => 9,
            Term::ObjectCompr(..) => 10,
            Term::SetCompr(..) => 11,
            Term::Call(_) => 12,
        }
    }

    /// The JSON form as a value.
    pub fn to_value(&self) -> Value {
        let value = match self {
            Term::Null => Value::object([]),
            Term::Bool(b) => Value::Bool(*b),
            Term::Number(n) => Value::Number(n.clone()),
            Term::String(s) | Term::Var(s) => Value::string(s.as_str()),
            Term::Ref(items) | Term::Array(items) | Term::Set(items) | Term::Call(items) => {
                terms_value(items)
            }
            Term::Object(pairs) => Value::array(
                pairs
                    .iter()
                    .map(|(k, v)| Value::array(vec![k.to_value(), v.to_value()]))
                    .collect(),
            ),
            Term::ArrayCompr(term, body) | Term::SetCompr(term, body) => {
                obj([("term", term.to_value()), ("body", body_value(body))])
            }
            Term::ObjectCompr(key, value, body) => obj([
                ("key", key.to_value()),
                ("value", value.to_value()),
                ("body", body_value(body)),
            ]),
        };
        obj([("type", Value::string(self.type_name())), ("value", value)])
    }
}

/// OPA's term comparison (`ast.Compare`): by kind rank, then by value.
pub(super) fn compare(a: &Term, b: &Term) -> Ordering {
    match (a, b) {
        (Term::Bool(x), Term::Bool(y)) => x.cmp(y),
        (Term::Number(x), Term::Number(y)) => x.cmp(y),
        (Term::String(x), Term::String(y)) | (Term::Var(x), Term::Var(y)) => x.cmp(y),
        (Term::Ref(x), Term::Ref(y))
        | (Term::Array(x), Term::Array(y))
        | (Term::Set(x), Term::Set(y))
        | (Term::Call(x), Term::Call(y)) => compare_slices(x, y),
        (Term::Object(x), Term::Object(y)) => {
            for ((ka, va), (kb, vb)) in x.iter().zip(y.iter()) {
                let c = compare(ka, kb).then_with(|| compare(va, vb));
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (Term::ArrayCompr(ta, ba), Term::ArrayCompr(tb, bb))
        | (Term::SetCompr(ta, ba), Term::SetCompr(tb, bb)) => {
            compare(ta, tb).then_with(|| body_value(ba).cmp(&body_value(bb)))
        }
        (Term::ObjectCompr(ka, va, ba), Term::ObjectCompr(kb, vb, bb)) => compare(ka, kb)
            .then_with(|| compare(va, vb))
            .then_with(|| body_value(ba).cmp(&body_value(bb))),
        _ => a.rank().cmp(&b.rank()),
    }
}

fn compare_slices(a: &[Term], b: &[Term]) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        let c = compare(x, y);
        if c != Ordering::Equal {
            return c;
        }
    }
    a.len().cmp(&b.len())
}

fn obj<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::object(entries.into_iter().map(|(k, v)| (Value::string(k), v)))
}

fn terms_value(items: &[Term]) -> Value {
    Value::array(items.iter().map(Term::to_value).collect())
}

/// A body: its expressions, each with its index.
pub(super) fn body_value(body: &Body) -> Value {
    Value::array(
        body.iter()
            .enumerate()
            .map(|(i, e)| e.to_value(i))
            .collect(),
    )
}

impl Expr {
    /// A plain expression.
    pub fn new(terms: ExprTerms) -> Expr {
        Expr {
            terms,
            negated: false,
            with: Vec::new(),
        }
    }

    /// The generated `true` body of rules without one.
    pub fn true_body() -> Body {
        vec![Expr::new(ExprTerms::Term(Term::Bool(true)))]
    }

    fn to_value(&self, index: usize) -> Value {
        let terms = match &self.terms {
            ExprTerms::Term(t) => t.to_value(),
            ExprTerms::Call(ts) => terms_value(ts),
            ExprTerms::Some(ts) => obj([("symbols", terms_value(ts))]),
            ExprTerms::Every {
                key,
                value,
                domain,
                body,
            } => obj([
                ("key", key.as_ref().map_or(Value::Null, Term::to_value)),
                ("value", value.to_value()),
                ("domain", domain.to_value()),
                ("body", body_value(body)),
            ]),
        };
        let mut entries = vec![
            (
                Value::string("index"),
                Value::Number(Number::from(u64::try_from(index).unwrap_or(u64::MAX))),
            ),
            (Value::string("terms"), terms),
        ];
        if self.negated {
            entries.push((Value::string("negated"), Value::Bool(true)));
        }
        if !self.with.is_empty() {
            let with = self
                .with
                .iter()
                .map(|(target, value)| {
                    obj([("target", target.to_value()), ("value", value.to_value())])
                })
                .collect();
            entries.push((Value::string("with"), Value::array(with)));
        }
        Value::object(entries)
    }
}

impl Head {
    fn to_value(&self) -> Value {
        let mut entries = vec![(Value::string("ref"), terms_value(&self.reference))];
        if let Some(name) = &self.name {
            entries.push((Value::string("name"), Value::string(name.as_str())));
        }
        if !self.args.is_empty() {
            entries.push((Value::string("args"), terms_value(&self.args)));
        }
        if let Some(key) = &self.key {
            entries.push((Value::string("key"), key.to_value()));
        }
        if let Some(value) = &self.value {
            entries.push((Value::string("value"), value.to_value()));
        }
        if self.assign {
            entries.push((Value::string("assign"), Value::Bool(true)));
        }
        Value::object(entries)
    }
}

impl Rule {
    fn to_value(&self) -> Value {
        let mut entries = vec![
            (Value::string("head"), self.head.to_value()),
            (Value::string("body"), body_value(&self.body)),
        ];
        if self.default {
            entries.push((Value::string("default"), Value::Bool(true)));
        }
        if let Some(e) = &self.else_rule {
            entries.push((Value::string("else"), e.to_value()));
        }
        Value::object(entries)
    }
}

impl Module {
    /// The module's JSON form, as `rego.parse_module` returns it.
    pub fn to_value(&self) -> Value {
        let mut entries = vec![(
            Value::string("package"),
            obj([("path", terms_value(&self.package))]),
        )];
        if !self.imports.is_empty() {
            let imports = self
                .imports
                .iter()
                .map(|i| {
                    let mut e = vec![(Value::string("path"), i.path.to_value())];
                    if let Some(alias) = &i.alias {
                        e.push((Value::string("alias"), Value::string(alias.as_str())));
                    }
                    Value::object(e)
                })
                .collect();
            entries.push((Value::string("imports"), Value::array(imports)));
        }
        if !self.rules.is_empty() {
            let rules = self.rules.iter().map(Rule::to_value).collect();
            entries.push((Value::string("rules"), Value::array(rules)));
        }
        if !self.comments.is_empty() {
            let b64 = base64::engine::general_purpose::STANDARD;
            let comments = self
                .comments
                .iter()
                .map(|c| {
                    let location = obj([
                        ("file", Value::string(self.file.as_str())),
                        ("row", count(c.row)),
                        ("col", count(c.col)),
                    ]);
                    obj([
                        ("Location", location),
                        ("Text", Value::string(b64.encode(c.text.as_bytes()))),
                    ])
                })
                .collect();
            entries.push((Value::string("comments"), Value::array(comments)));
        }
        Value::object(entries)
    }
}

fn count(n: usize) -> Value {
    Value::Number(Number::from(u64::try_from(n).unwrap_or(u64::MAX)))
}
