//! Query validation against a schema, reproducing gqlparser's walker and
//! rule set: the document is walked (operations first, each with the
//! fragments it spreads, then every fragment definition on its own), and at
//! each node the rules run in gqlparser's registration order, so errors
//! come out in the same order with the same texts.

use super::ast::*;
use super::lexer::{GqlError, Pos};
use super::overlap::{Conflict, Overlap};
use super::schema::{Schema, type_compatible};
use crate::native::go_quote;
use std::collections::{HashMap, HashSet};

/// Maximum walk nesting (selection sets entered through fragment spreads
/// included); deeper documents get an error instead of a deep stack.
const MAX_WALK_DEPTH: usize = 512;

/// At most this many errors are collected (a hostile document could
/// otherwise produce millions).
const MAX_ERRORS: usize = 10_000;

/// What the walker resolved for each field node it visited: its
/// definition and the type it was selected on (gqlparser stores these on
/// the AST nodes themselves).
#[derive(Default)]
pub(crate) struct FieldInfo<'a>(
    HashMap<usize, (Option<&'a FieldDefinition>, Option<&'a Definition>)>,
);

impl<'a> FieldInfo<'a> {
    pub(crate) fn get(
        &self,
        f: &Field,
    ) -> Option<(Option<&'a FieldDefinition>, Option<&'a Definition>)> {
        self.0.get(&(std::ptr::from_ref(f) as usize)).copied()
    }

    fn set(&mut self, f: &Field, d: Option<&'a FieldDefinition>, p: Option<&'a Definition>) {
        self.0.insert(std::ptr::from_ref(f) as usize, (d, p));
    }
}

/// Every validation error, in gqlparser's order.
pub(crate) fn validate(schema: &Schema, doc: &QueryDocument) -> Vec<GqlError> {
    let fragments = doc
        .fragments
        .iter()
        .rev()
        .map(|f| (f.name.as_str(), f.selection_set.as_slice()))
        .collect();
    let mut fragment_index = HashMap::new();
    for f in &doc.fragments {
        fragment_index.entry(f.name.as_str()).or_insert(f);
    }
    let mut w = Walker {
        fragment_index,
        info: FieldInfo::default(),
        overlap: Overlap::new(schema, fragments),
        schema,
        doc,
        errs: Vec::new(),
        cur_op: None,
        used_vars: HashSet::new(),
        visited: HashSet::new(),
        depth: 0,
        too_deep: false,
        directive_seen: HashSet::new(),
        cycle_visited: HashSet::new(),
        in_fragment_definition: false,
        fragments_used: HashSet::new(),
        fragment_names: HashSet::new(),
        operation_names: HashSet::new(),
    };
    for op in &doc.operations {
        w.visited.clear();
        w.walk_operation(op);
    }
    for f in &doc.fragments {
        w.visited.clear();
        w.walk_fragment(f);
    }
    if w.overlap.exhausted() {
        w.errs.push(GqlError::at(
            None,
            "the document is too complex to validate (overlapping fields work limit reached)",
        ));
    }
    w.errs
}

struct Walker<'a> {
    /// First fragment definition of each name (gqlparser's `ForName`).
    fragment_index: HashMap<&'a str, &'a FragmentDefinition>,
    info: FieldInfo<'a>,
    overlap: Overlap<'a>,
    schema: &'a Schema,
    doc: &'a QueryDocument,
    errs: Vec<GqlError>,
    cur_op: Option<&'a OperationDefinition>,
    used_vars: HashSet<usize>,
    visited: HashSet<String>,
    depth: usize,
    too_deep: bool,
    // rule state
    directive_seen: HashSet<(String, i64, i64)>,
    cycle_visited: HashSet<String>,
    in_fragment_definition: bool,
    fragments_used: HashSet<String>,
    fragment_names: HashSet<String>,
    operation_names: HashSet<String>,
}

fn typename_field() -> &'static FieldDefinition {
    static F: std::sync::OnceLock<FieldDefinition> = std::sync::OnceLock::new();
    F.get_or_init(|| FieldDefinition {
        name: "__typename".into(),
        ty: Some(TypeRef::named("String", false)),
        ..Default::default()
    })
}

fn ty_name(t: &Option<TypeRef>) -> &str {
    t.as_ref().map(TypeRef::name).unwrap_or("")
}

fn ty_text(t: &Option<TypeRef>) -> String {
    t.as_ref().map(TypeRef::text).unwrap_or_default()
}

fn is_leaf(kind: &str) -> bool {
    matches!(kind, "SCALAR" | "ENUM")
}

fn is_composite(kind: &str) -> bool {
    matches!(kind, "OBJECT" | "INTERFACE" | "UNION")
}

fn is_input(kind: &str) -> bool {
    matches!(kind, "SCALAR" | "ENUM" | "INPUT_OBJECT")
}

/// gqlparser's `Value.String()`.
fn value_text(v: &GValue) -> String {
    match v.kind {
        vk::VARIABLE => format!("${}", v.raw),
        vk::STRING | vk::BLOCK => go_quote(&v.raw),
        vk::LIST => {
            let items: Vec<String> = v
                .children
                .iter()
                .map(|c| c.value.as_ref().map(value_text).unwrap_or_default())
                .collect();
            format!("[{}]", items.join(","))
        }
        vk::OBJECT => {
            let items: Vec<String> = v
                .children
                .iter()
                .map(|c| {
                    format!(
                        "{}:{}",
                        c.name,
                        c.value.as_ref().map(value_text).unwrap_or_default()
                    )
                })
                .collect();
            format!("{{{}}}", items.join(","))
        }
        _ => v.raw.clone(),
    }
}

/// Whether gqlparser's `Value.Value(nil)` fails for `v` (an Int or Float
/// literal out of range, anywhere inside it).
fn value_fails(v: &GValue, depth: usize) -> bool {
    if depth > MAX_WALK_DEPTH {
        return false;
    }
    match v.kind {
        vk::INT => v.raw.parse::<i64>().is_err(),
        vk::FLOAT => !go_float_ok(&v.raw),
        vk::LIST | vk::OBJECT => v
            .children
            .iter()
            .any(|c| c.value.as_ref().is_some_and(|x| value_fails(x, depth + 1))),
        vk::BOOLEAN => !matches!(v.raw.as_str(), "true" | "false"),
        _ => false,
    }
}

/// `strconv.ParseFloat(s, 64)` succeeds (finite result).
fn go_float_ok(s: &str) -> bool {
    s.parse::<f64>().is_ok_and(f64::is_finite)
}

fn lexical_distance(a: &str, b: &str) -> usize {
    if a == b {
        return 0;
    }
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    if a == b {
        return 1;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let del = prev
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            let sub = prev
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(cost);
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = del.min(ins).min(sub);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// gqlparser's `SuggestionList`: options within the typo threshold,
/// closest first.
fn suggestion_list(input: &str, options: &[String]) -> Vec<String> {
    let threshold = ((input.len() as f64 * 0.4).floor() as usize + 1).max(1);
    let mut found: Vec<(usize, String)> = options
        .iter()
        .filter_map(|o| {
            let d = lexical_distance(input, o);
            (d <= threshold).then(|| (d, o.clone()))
        })
        .collect();
    found.sort_by_key(|(d, _)| *d);
    found.into_iter().map(|(_, o)| o).collect()
}

/// `a`, `a or b`, `a, b, or c` (at most five items).
fn or_list(items: &[String]) -> String {
    let items: Vec<&String> = items.iter().take(5).collect();
    if let [a, b] = items.as_slice() {
        return format!("{a} or {b}");
    }
    let mut out = String::new();
    let n = items.len();
    for (i, it) in items.iter().enumerate() {
        if i != 0 {
            out.push_str(if i == n - 1 { ", or " } else { ", " });
        }
        out.push_str(it);
    }
    out
}

fn quoted_or_list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
    or_list(&q)
}

fn suggest(prefix: &str, typed: &str, options: &[String], quoted: bool) -> String {
    let s = suggestion_list(typed, options);
    if s.is_empty() {
        return String::new();
    }
    let list = if quoted {
        quoted_or_list(&s)
    } else {
        or_list(&s)
    };
    format!(" {prefix} {list}?")
}

impl<'a> Walker<'a> {
    fn err(&mut self, pos: Option<Pos>, msg: String) {
        if self.errs.len() < MAX_ERRORS {
            self.errs.push(GqlError::at(pos, msg));
        }
    }

    fn def(&self, name: &str) -> Option<&'a Definition> {
        self.schema.get(name)
    }

    fn fragment(&self, name: &str) -> Option<&'a FragmentDefinition> {
        self.fragment_index.get(name).copied()
    }

    /// OverlappingFieldsCanBeMerged for one selection set.
    fn overlapping(&mut self, set: &'a [Selection]) {
        let conflicts: Vec<Conflict> = self.overlap.within(set, &self.info);
        for c in conflicts {
            self.err(c.pos, c.message());
        }
    }

    fn unknown_type(&self, name: &str) -> String {
        let names: Vec<String> = self.schema.types.keys().cloned().collect();
        format!(
            "Unknown type \"{name}\".{}",
            suggest("Did you mean", name, &names, true)
        )
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_WALK_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                self.err(
                    None,
                    format!("document nesting exceeds the maximum depth of {MAX_WALK_DEPTH}"),
                );
            }
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ------------------------------------------------------------- walking

    fn walk_operation(&mut self, op: &'a OperationDefinition) {
        self.cur_op = Some(op);
        self.used_vars.clear();
        for vd in &op.variable_definitions {
            self.on_variable(vd);
        }
        let (root, loc) = match op.operation.as_str() {
            "query" | "" => (self.schema.root("query"), "QUERY"),
            "mutation" => (self.schema.root("mutation"), "MUTATION"),
            "subscription" => (self.schema.root("subscription"), "SUBSCRIPTION"),
            _ => (None, ""),
        };
        for vd in &op.variable_definitions {
            let vdef = self.def(ty_name(&vd.ty));
            if let Some(dv) = &vd.default {
                self.walk_value(dv, vd.ty.as_ref(), vdef, false);
            }
            self.walk_directives(vdef, &vd.directives, "VARIABLE_DEFINITION");
        }
        self.walk_directives(root, &op.directives, loc);
        self.walk_selection_set(root, &op.selection_set);
        self.on_operation(op);
        self.cur_op = None;
    }

    fn walk_fragment(&mut self, f: &'a FragmentDefinition) {
        let def = self.def(&f.type_condition);
        self.walk_directives(def, &f.directives, "FRAGMENT_DEFINITION");
        self.walk_selection_set(def, &f.selection_set);
        self.on_fragment(f, def);
    }

    fn walk_directives(
        &mut self,
        parent: Option<&'a Definition>,
        dirs: &'a [Directive],
        loc: &str,
    ) {
        let _ = parent;
        for d in dirs {
            let def = self.schema.directives.get(&d.name);
            for a in &d.arguments {
                let adef = def.and_then(|def| def.arguments.iter().find(|x| x.name == a.name));
                self.walk_argument(adef, a);
            }
            self.on_directive(d, def, loc);
        }
        self.on_directive_list(dirs);
    }

    fn walk_argument(&mut self, adef: Option<&'a FieldDefinition>, a: &'a Argument) {
        let Some(v) = &a.value else { return };
        match adef {
            Some(ad) => {
                let def = self.def(ty_name(&ad.ty));
                self.walk_value(v, ad.ty.as_ref(), def, ad.default_value.is_some());
            }
            None => self.walk_value(v, None, None, false),
        }
    }

    fn walk_value(
        &mut self,
        v: &'a GValue,
        expected: Option<&'a TypeRef>,
        def: Option<&'a Definition>,
        has_default: bool,
    ) {
        if !self.enter() {
            self.leave();
            return;
        }
        let mut var_def = None;
        if v.kind == vk::VARIABLE
            && let Some(op) = self.cur_op
            && let Some(i) = op
                .variable_definitions
                .iter()
                .position(|d| d.variable == v.raw)
        {
            var_def = op.variable_definitions.get(i);
            self.used_vars.insert(i);
        }
        if v.kind == vk::OBJECT {
            for c in &v.children {
                let Some(cv) = &c.value else { continue };
                let fdef = def.and_then(|d| d.fields.iter().find(|f| f.name == c.name));
                match fdef {
                    Some(fd) => {
                        let cdef = self.def(ty_name(&fd.ty));
                        self.walk_value(cv, fd.ty.as_ref(), cdef, false);
                    }
                    None => self.walk_value(cv, None, None, false),
                }
            }
        }
        if v.kind == vk::LIST {
            for c in &v.children {
                let Some(cv) = &c.value else { continue };
                match expected.and_then(|e| e.elem.as_deref()) {
                    Some(elem) => self.walk_value(cv, Some(elem), def, false),
                    None => self.walk_value(cv, None, None, false),
                }
            }
        }
        self.on_value(v, expected, def, var_def, has_default);
        self.leave();
    }

    fn walk_selection_set(&mut self, parent: Option<&'a Definition>, set: &'a [Selection]) {
        if !self.enter() {
            self.leave();
            return;
        }
        for s in set {
            self.walk_selection(parent, s);
        }
        self.leave();
    }

    fn walk_selection(&mut self, parent: Option<&'a Definition>, s: &'a Selection) {
        match s {
            Selection::Field(f) => {
                let fdef: Option<&'a FieldDefinition> = if f.name == "__typename" {
                    Some(typename_field())
                } else {
                    parent.and_then(|p| p.fields.iter().find(|x| x.name == f.name))
                };
                self.info.set(f, fdef, parent);
                let next = fdef.and_then(|fd| self.def(ty_name(&fd.ty)));
                for a in &f.arguments {
                    let adef = fdef.and_then(|fd| fd.arguments.iter().find(|x| x.name == a.name));
                    self.walk_argument(adef, a);
                }
                self.walk_directives(next, &f.directives, "FIELD");
                self.walk_selection_set(next, &f.selection_set);
                self.on_field(f, fdef, parent);
            }
            Selection::Inline(i) => {
                let next = if i.type_condition.is_empty() {
                    parent
                } else {
                    self.def(&i.type_condition)
                };
                self.walk_directives(next, &i.directives, "INLINE_FRAGMENT");
                self.walk_selection_set(next, &i.selection_set);
                self.on_inline_fragment(i, parent);
            }
            Selection::Spread(sp) => {
                let fdef = self.fragment(&sp.name);
                let next = fdef.and_then(|d| self.def(&d.type_condition));
                self.walk_directives(next, &sp.directives, "FRAGMENT_SPREAD");
                if let Some(d) = fdef
                    && self.visited.insert(d.name.clone())
                {
                    self.walk_directives(next, &d.directives, "FRAGMENT_DEFINITION");
                    self.walk_selection_set(next, &d.selection_set);
                }
                self.on_fragment_spread(sp, fdef, parent);
            }
        }
    }

    // --------------------------------------------------------------- rules

    fn on_variable(&mut self, vd: &VariableDefinition) {
        let name = ty_name(&vd.ty);
        let def = self.def(name);
        // KnownTypeNames
        if def.is_none() {
            self.err(vd.pos, format!("Unknown type \"{name}\"."));
        }
    }

    fn on_directive(&mut self, d: &Directive, def: Option<&'a DirectiveDefinition>, loc: &str) {
        if self.errs.len() >= MAX_ERRORS {
            return;
        }
        // KnownArgumentNames
        if let Some(def) = def {
            for a in &d.arguments {
                if !def.arguments.iter().any(|x| x.name == a.name) {
                    let names: Vec<String> = def.arguments.iter().map(|x| x.name.clone()).collect();
                    let msg = format!(
                        "Unknown argument \"{}\" on directive \"@{}\".{}",
                        a.name,
                        d.name,
                        suggest("Did you mean", &a.name, &names, true)
                    );
                    self.err(d.pos, msg);
                }
            }
        }
        // KnownDirectives
        match def {
            None => self.err(d.pos, format!("Unknown directive \"@{}\".", d.name)),
            Some(def) if !def.locations.iter().any(|l| l == loc) => {
                let p = d.pos.unwrap_or_default();
                if self
                    .directive_seen
                    .insert((d.name.clone(), p.line, p.column))
                {
                    self.err(
                        d.pos,
                        format!("Directive \"@{}\" may not be used on {}.", d.name, loc),
                    );
                }
            }
            Some(_) => {}
        }
        // ProvidedRequiredArguments
        if let Some(def) = def {
            for ad in &def.arguments {
                let nn = ad.ty.as_ref().is_some_and(|t| t.non_null);
                if !nn || ad.default_value.is_some() {
                    continue;
                }
                if !d.arguments.iter().any(|a| a.name == ad.name) {
                    self.err(
                        d.pos,
                        format!(
                            "Directive \"@{}\" argument \"{}\" of type \"{}\" is required, but it was not provided.",
                            def.name,
                            ad.name,
                            ty_text(&ad.ty)
                        ),
                    );
                }
            }
        }
        // UniqueArgumentNames
        self.unique_args(&d.arguments);
    }

    fn unique_args(&mut self, args: &[Argument]) {
        let mut seen = HashSet::new();
        for a in args {
            if !seen.insert(a.name.as_str()) {
                self.err(
                    a.pos,
                    format!("There can be only one argument named \"{}\".", a.name),
                );
            }
        }
    }

    fn on_directive_list(&mut self, dirs: &[Directive]) {
        // UniqueDirectivesPerLocation
        let mut seen = HashSet::new();
        for d in dirs {
            let repeatable = self
                .schema
                .directives
                .get(&d.name)
                .is_some_and(|x| x.is_repeatable);
            if repeatable {
                continue;
            }
            if !seen.insert(d.name.as_str()) {
                self.err(
                    d.pos,
                    format!(
                        "The directive \"@{}\" can only be used once at this location.",
                        d.name
                    ),
                );
            }
        }
    }

    fn on_value(
        &mut self,
        v: &GValue,
        expected: Option<&TypeRef>,
        def: Option<&Definition>,
        var_def: Option<&VariableDefinition>,
        has_default: bool,
    ) {
        if self.errs.len() >= MAX_ERRORS {
            return;
        }
        // NoUndefinedVariables
        if let Some(op) = self.cur_op
            && v.kind == vk::VARIABLE
            && var_def.is_none()
        {
            let msg = if op.name.is_empty() {
                format!("Variable \"{}\" is not defined.", value_text(v))
            } else {
                format!(
                    "Variable \"{}\" is not defined by operation \"{}\".",
                    value_text(v),
                    op.name
                )
            };
            self.err(v.pos, msg);
        }
        // UniqueInputFieldNames
        if v.kind == vk::OBJECT {
            let mut seen = HashSet::new();
            for c in &v.children {
                if !seen.insert(c.name.as_str()) {
                    self.err(
                        c.pos,
                        format!("There can be only one input field named \"{}\".", c.name),
                    );
                }
            }
        }
        // ValuesOfCorrectType
        if let (Some(def), Some(exp)) = (def, expected) {
            self.values_of_correct_type(v, exp, def);
        }
        // VariablesInAllowedPosition
        if v.kind == vk::VARIABLE
            && let (Some(exp), Some(vd), Some(_)) = (expected, var_def, self.cur_op)
        {
            let mut tmp = exp.clone();
            let default_set = vd.default.as_ref().is_some_and(|d| d.kind != vk::NULL);
            if (default_set || has_default) && tmp.non_null {
                tmp.non_null = false;
            }
            let ok = vd.ty.as_ref().is_some_and(|t| type_compatible(t, &tmp));
            if !ok {
                self.err(
                    v.pos,
                    format!(
                        "Variable \"{}\" of type \"{}\" used in position expecting type \"{}\".",
                        value_text(v),
                        ty_text(&vd.ty),
                        exp.text()
                    ),
                );
            }
        }
    }

    fn unexpected_type_text(v: &GValue, exp: &TypeRef, def: &Definition) -> String {
        let vt = value_text(v);
        match exp.text().as_str() {
            "Int" | "Int!" => {
                let range = v.raw.strip_prefix('-').unwrap_or(&v.raw);
                let digits = !range.is_empty() && range.bytes().all(|b| b.is_ascii_digit());
                if digits && v.raw.parse::<i32>().is_err() {
                    format!("Int cannot represent non 32-bit signed integer value: {vt}")
                } else {
                    format!("Int cannot represent non-integer value: {vt}")
                }
            }
            "String" | "String!" | "[String]" => {
                format!("String cannot represent a non string value: {vt}")
            }
            "Boolean" | "Boolean!" => format!("Boolean cannot represent a non boolean value: {vt}"),
            "Float" | "Float!" => format!("Float cannot represent non numeric value: {vt}"),
            "ID" | "ID!" => {
                format!("ID cannot represent a non-string and non-integer value: {vt}")
            }
            t if def.kind == "ENUM" => {
                format!("Enum \"{t}\" cannot represent non-enum value: {vt}.")
            }
            t => format!("Expected value of type \"{t}\", found {vt}."),
        }
    }

    fn unexpected_type(&mut self, v: &GValue, exp: &TypeRef, def: &Definition) {
        let msg = Self::unexpected_type_text(v, exp, def);
        self.err(v.pos, msg);
    }

    fn values_of_correct_type(&mut self, v: &GValue, exp: &TypeRef, def: &Definition) {
        if v.kind == vk::NULL && exp.non_null {
            self.err(
                v.pos,
                format!(
                    "Expected value of type \"{}\", found {}.",
                    exp.text(),
                    value_text(v)
                ),
            );
        }
        let builtin_scalar = matches!(
            def.name.as_str(),
            "Int" | "Float" | "String" | "Boolean" | "ID"
        );
        if def.kind == "SCALAR" && !builtin_scalar {
            return;
        }
        let enums: Vec<String> = if def.kind == "ENUM" {
            def.enum_values.iter().map(|e| e.name.clone()).collect()
        } else {
            Vec::new()
        };
        if value_fails(v, 0) {
            self.unexpected_type(v, exp, def);
        }
        let one_of = |names: &[&str]| names.contains(&def.name.as_str());
        match v.kind {
            vk::LIST if exp.elem.is_none() => self.unexpected_type(v, exp, def),
            vk::INT if !one_of(&["Int", "Float", "ID"]) => self.unexpected_type(v, exp, def),
            vk::FLOAT if !one_of(&["Float"]) => self.unexpected_type(v, exp, def),
            vk::STRING | vk::BLOCK => {
                if def.kind == "ENUM" {
                    let msg = format!(
                        "Enum \"{}\" cannot represent non-enum value: {}.{}",
                        exp.text(),
                        value_text(v),
                        suggest("Did you mean the enum value", &v.raw, &enums, true)
                    );
                    self.err(v.pos, msg);
                } else if !one_of(&["String", "ID"]) {
                    self.unexpected_type(v, exp, def);
                }
            }
            vk::ENUM => {
                if def.kind != "ENUM" {
                    let msg = format!(
                        "{}{}",
                        Self::unexpected_type_text(v, exp, def),
                        suggest("Did you mean the enum value", &v.raw, &enums, false)
                    );
                    self.err(v.pos, msg);
                } else if !def.enum_values.iter().any(|e| e.name == v.raw) {
                    let msg = format!(
                        "Value \"{}\" does not exist in \"{}\" enum.{}",
                        value_text(v),
                        exp.text(),
                        suggest("Did you mean the enum value", &v.raw, &enums, true)
                    );
                    self.err(v.pos, msg);
                }
            }
            vk::BOOLEAN if !one_of(&["Boolean"]) => self.unexpected_type(v, exp, def),
            vk::OBJECT => {
                for f in &def.fields {
                    let nn = f.ty.as_ref().is_some_and(|t| t.non_null);
                    if nn
                        && f.default_value.is_none()
                        && !v.children.iter().any(|c| c.name == f.name)
                    {
                        self.err(
                            v.pos,
                            format!(
                                "Field \"{}.{}\" of required type \"{}\" was not provided.",
                                def.name,
                                f.name,
                                ty_text(&f.ty)
                            ),
                        );
                    }
                }
                for c in &v.children {
                    if !def.fields.iter().any(|f| f.name == c.name) {
                        let names: Vec<String> =
                            def.fields.iter().map(|f| f.name.clone()).collect();
                        let msg = format!(
                            "Field \"{}\" is not defined by type \"{}\".{}",
                            c.name,
                            def.name,
                            suggest("Did you mean", &c.name, &names, true)
                        );
                        self.err(c.pos, msg);
                    }
                }
            }
            _ => {}
        }
    }

    fn on_field(
        &mut self,
        f: &'a Field,
        fdef: Option<&'a FieldDefinition>,
        parent: Option<&'a Definition>,
    ) {
        if self.errs.len() >= MAX_ERRORS {
            return;
        }
        // FieldsOnCorrectType
        if let (Some(p), None) = (parent, fdef) {
            let mut msg = format!("Cannot query field \"{}\" on type \"{}\".", f.name, p.name);
            let types = self.suggested_type_names(p, &f.name);
            if !types.is_empty() {
                msg.push_str(&format!(
                    " Did you mean to use an inline fragment on {}?",
                    quoted_or_list(&types)
                ));
            } else if p.kind == "OBJECT" || p.kind == "INTERFACE" {
                let names: Vec<String> = p.fields.iter().map(|x| x.name.clone()).collect();
                let s = suggestion_list(&f.name, &names);
                if !s.is_empty() {
                    msg.push_str(&format!(" Did you mean {}?", quoted_or_list(&s)));
                }
            }
            self.err(f.pos, msg);
        }
        // KnownArgumentNames
        if let (Some(fd), Some(p)) = (fdef, parent) {
            for a in &f.arguments {
                if !fd.arguments.iter().any(|x| x.name == a.name) {
                    let names: Vec<String> = fd.arguments.iter().map(|x| x.name.clone()).collect();
                    let msg = format!(
                        "Unknown argument \"{}\" on field \"{}.{}\".{}",
                        a.name,
                        p.name,
                        f.name,
                        suggest("Did you mean", &a.name, &names, true)
                    );
                    self.err(f.pos, msg);
                }
            }
        }
        // OverlappingFieldsCanBeMerged
        if self.cur_op.is_some() {
            self.overlapping(&f.selection_set);
        }
        // ProvidedRequiredArguments
        if let Some(fd) = fdef {
            for ad in &fd.arguments {
                let nn = ad.ty.as_ref().is_some_and(|t| t.non_null);
                if !nn || ad.default_value.is_some() {
                    continue;
                }
                if !f.arguments.iter().any(|a| a.name == ad.name) {
                    self.err(
                        f.pos,
                        format!(
                            "Field \"{}\" argument \"{}\" of type \"{}\" is required, but it was not provided.",
                            f.name,
                            ad.name,
                            ty_text(&ad.ty)
                        ),
                    );
                }
            }
        }
        // ScalarLeafs
        if let Some(fd) = fdef
            && let Some(ft) = self.def(ty_name(&fd.ty))
        {
            if is_leaf(&ft.kind) && !f.selection_set.is_empty() {
                self.err(
                    f.pos,
                    format!(
                        "Field \"{}\" must not have a selection since type \"{}\" has no subfields.",
                        f.name, ft.name
                    ),
                );
            }
            if !is_leaf(&ft.kind) && f.selection_set.is_empty() {
                self.err(
                    f.pos,
                    format!(
                        "Field \"{}\" of type \"{}\" must have a selection of subfields. Did you mean \"{} {{ ... }}\"?",
                        f.name,
                        ty_text(&fd.ty),
                        f.name
                    ),
                );
            }
        }
        // UniqueArgumentNames
        self.unique_args(&f.arguments);
    }

    fn suggested_type_names(&self, parent: &Definition, name: &str) -> Vec<String> {
        if !matches!(parent.kind.as_str(), "INTERFACE" | "UNION") {
            return Vec::new();
        }
        let mut objects: Vec<String> = Vec::new();
        let mut interfaces: Vec<String> = Vec::new();
        let mut usage: HashMap<String, usize> = HashMap::new();
        for pt in self.schema.possible(&parent.name) {
            let Some(ptd) = self.def(pt) else { continue };
            if !ptd.fields.iter().any(|f| f.name == name) {
                continue;
            }
            objects.push(ptd.name.clone());
            for i in &ptd.interfaces {
                let has = self
                    .def(i)
                    .is_some_and(|d| d.fields.iter().any(|f| f.name == name));
                if has {
                    let c = usage.entry(i.clone()).or_insert(0);
                    if *c == 0 {
                        interfaces.push(i.clone());
                    }
                    *c += 1;
                }
            }
        }
        interfaces.extend(objects);
        interfaces.sort_by(|a, b| {
            let (ua, ub) = (
                usage.get(a).copied().unwrap_or(0),
                usage.get(b).copied().unwrap_or(0),
            );
            ub.cmp(&ua).then_with(|| a.cmp(b))
        });
        interfaces
    }

    fn possible_spread(&self, parent: Option<&Definition>, frag_type: &str) -> bool {
        let Some(p) = parent else { return true };
        let parents: Vec<&str> = match p.kind.as_str() {
            "OBJECT" => vec![p.name.as_str()],
            "INTERFACE" | "UNION" => self
                .schema
                .possible(&p.name)
                .iter()
                .map(String::as_str)
                .collect(),
            _ => return true,
        };
        let Some(fd) = self.def(frag_type) else {
            return true;
        };
        if !is_composite(&fd.kind) {
            return true;
        }
        self.schema
            .possible(&fd.name)
            .iter()
            .any(|f| parents.contains(&f.as_str()))
    }

    fn on_inline_fragment(&mut self, i: &'a InlineFragment, parent: Option<&'a Definition>) {
        let tdef = self.def(&i.type_condition);
        // FragmentsOnCompositeTypes
        if let Some(t) = tdef
            && !is_composite(&t.kind)
        {
            self.err(
                i.pos,
                format!(
                    "Fragment cannot condition on non composite type \"{}\".",
                    i.type_condition
                ),
            );
        }
        // KnownTypeNames
        if !i.type_condition.is_empty() && tdef.is_none() {
            self.err(i.pos, format!("Unknown type \"{}\".", i.type_condition));
        }
        // OverlappingFieldsCanBeMerged
        self.overlapping(&i.selection_set);
        // PossibleFragmentSpreads
        if !self.possible_spread(parent, &i.type_condition)
            && let Some(p) = parent
        {
            self.err(
                i.pos,
                format!(
                    "Fragment cannot be spread here as objects of type \"{}\" can never be of type \"{}\".",
                    p.name, i.type_condition
                ),
            );
        }
    }

    fn on_fragment_spread(
        &mut self,
        sp: &FragmentSpread,
        fdef: Option<&'a FragmentDefinition>,
        parent: Option<&'a Definition>,
    ) {
        // KnownFragmentNames
        if fdef.is_none() {
            self.err(sp.pos, format!("Unknown fragment \"{}\".", sp.name));
        }
        // NoUnusedFragments
        if !self.in_fragment_definition {
            self.fragments_used.insert(sp.name.clone());
        }
        // PossibleFragmentSpreads
        if let Some(fd) = fdef
            && !self.possible_spread(parent, &fd.type_condition)
            && let Some(p) = parent
        {
            self.err(
                sp.pos,
                format!(
                    "Fragment \"{}\" cannot be spread here as objects of type \"{}\" can never be of type \"{}\".",
                    sp.name, p.name, fd.type_condition
                ),
            );
        }
    }

    fn on_fragment(&mut self, f: &'a FragmentDefinition, def: Option<&'a Definition>) {
        // FragmentsOnCompositeTypes
        if let Some(d) = def
            && !f.type_condition.is_empty()
            && !is_composite(&d.kind)
        {
            self.err(
                f.pos,
                format!(
                    "Fragment \"{}\" cannot condition on non composite type \"{}\".",
                    f.name, f.type_condition
                ),
            );
        }
        // KnownTypeNames
        if def.is_none() {
            let msg = self.unknown_type(&f.type_condition);
            self.err(f.pos, msg);
        }
        // NoFragmentCycles
        let mut path: Vec<&'a FragmentSpread> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        self.cycles(f, &mut path, &mut index, 0);
        // NoUnusedFragments
        self.in_fragment_definition = true;
        if !self.fragments_used.contains(&f.name) {
            self.err(f.pos, format!("Fragment \"{}\" is never used.", f.name));
        }
        // OverlappingFieldsCanBeMerged
        self.overlapping(&f.selection_set);
        // UniqueFragmentNames
        if !self.fragment_names.insert(f.name.clone()) {
            self.err(
                f.pos,
                format!("There can be only one fragment named \"{}\".", f.name),
            );
        }
    }

    fn cycles(
        &mut self,
        f: &'a FragmentDefinition,
        path: &mut Vec<&'a FragmentSpread>,
        index: &mut HashMap<String, usize>,
        depth: usize,
    ) {
        if depth > MAX_WALK_DEPTH || !self.cycle_visited.insert(f.name.clone()) {
            return;
        }
        let spreads = fragment_spreads(&f.selection_set);
        if spreads.is_empty() {
            return;
        }
        index.insert(f.name.clone(), path.len());
        for sp in spreads {
            let cycle_at = index.get(&sp.name).copied();
            path.push(sp);
            match cycle_at {
                None => {
                    if let Some(next) = self.fragment(&sp.name) {
                        self.cycles(next, path, index, depth + 1);
                    }
                }
                Some(i) => {
                    let names: Vec<String> = path
                        .get(i..path.len().saturating_sub(1))
                        .unwrap_or(&[])
                        .iter()
                        .map(|s| format!("\"{}\"", s.name))
                        .collect();
                    let via = if names.is_empty() {
                        String::new()
                    } else {
                        format!(" via {}", names.join(", "))
                    };
                    self.err(
                        sp.pos,
                        format!(
                            "Cannot spread fragment \"{}\" within itself{}.",
                            sp.name, via
                        ),
                    );
                }
            }
            path.pop();
        }
        index.remove(&f.name);
    }

    fn on_operation(&mut self, op: &'a OperationDefinition) {
        // KnownRootType
        if self.schema.root(op.operation.as_str()).is_none() && !op.operation.is_empty()
            || (op.operation.is_empty() && self.schema.root("query").is_none())
        {
            self.err(
                op.pos,
                format!(
                    "Schema does not support operation type \"{}\"",
                    op.operation
                ),
            );
        }
        // LoneAnonymousOperation
        if op.name.is_empty() && self.doc.operations.len() > 1 {
            self.err(
                op.pos,
                "This anonymous operation must be the only defined operation.".to_string(),
            );
        }
        // NoUnusedVariables
        for (i, vd) in op.variable_definitions.iter().enumerate() {
            if !self.used_vars.contains(&i) {
                let msg = if op.name.is_empty() {
                    format!("Variable \"${}\" is never used.", vd.variable)
                } else {
                    format!(
                        "Variable \"${}\" is never used in operation \"{}\".",
                        vd.variable, op.name
                    )
                };
                self.err(vd.pos, msg);
            }
        }
        // OverlappingFieldsCanBeMerged
        self.overlapping(&op.selection_set);
        // SingleFieldSubscriptions
        if self.schema.subscription.is_some() && op.operation == "subscription" {
            let mut fields: Vec<(String, Option<Pos>)> = Vec::new();
            let mut seen = HashSet::new();
            self.top_fields(&op.selection_set, &mut fields, &mut seen, 0);
            let name = if op.name.is_empty() {
                "Anonymous Subscription".to_string()
            } else {
                format!("Subscription {}", go_quote(&op.name))
            };
            if let Some((_, pos)) = fields.get(1) {
                self.err(
                    *pos,
                    format!("{name} must select only one top level field."),
                );
            }
            for (fname, pos) in &fields {
                if fname.starts_with("__") {
                    self.err(
                        *pos,
                        format!("{name} must not select an introspection top level field."),
                    );
                }
            }
        }
        // UniqueOperationNames
        if !self.operation_names.insert(op.name.clone()) {
            self.err(
                op.pos,
                format!("There can be only one operation named \"{}\".", op.name),
            );
        }
        // UniqueVariableNames
        let mut seen: HashMap<&str, usize> = HashMap::new();
        self.unique_variable_names(op, &mut seen);
        // VariablesAreInputTypes
        for vd in &op.variable_definitions {
            if let Some(d) = self.def(ty_name(&vd.ty))
                && !is_input(&d.kind)
            {
                self.err(
                    vd.pos,
                    format!(
                        "Variable \"${}\" cannot be non-input type \"{}\".",
                        vd.variable,
                        ty_text(&vd.ty)
                    ),
                );
            }
        }
    }

    fn unique_variable_names<'o>(
        &mut self,
        op: &'o OperationDefinition,
        seen: &mut HashMap<&'o str, usize>,
    ) {
        for vd in &op.variable_definitions {
            let c = seen.entry(vd.variable.as_str()).or_insert(0);
            *c += 1;
            if *c == 2 {
                self.err(
                    vd.pos,
                    format!("There can be only one variable named \"${}\".", vd.variable),
                );
            }
        }
    }

    fn top_fields(
        &self,
        set: &'a [Selection],
        out: &mut Vec<(String, Option<Pos>)>,
        seen: &mut HashSet<String>,
        depth: usize,
    ) {
        if depth > MAX_WALK_DEPTH {
            return;
        }
        for s in set {
            match s {
                Selection::Field(f) => {
                    if seen.insert(f.name.clone()) {
                        out.push((f.name.clone(), f.pos));
                    }
                }
                Selection::Inline(i) => self.top_fields(&i.selection_set, out, seen, depth + 1),
                Selection::Spread(sp) => {
                    if let Some(fd) = self.fragment(&sp.name) {
                        self.top_fields(&fd.selection_set, out, seen, depth + 1);
                    }
                }
            }
        }
    }
}

/// The fragment spreads under a selection set, in gqlparser's order (a
/// stack of nested sets, last pushed visited first).
fn fragment_spreads(set: &[Selection]) -> Vec<&FragmentSpread> {
    let mut out = Vec::new();
    let mut stack: Vec<&[Selection]> = vec![set];
    while let Some(s) = stack.pop() {
        for sel in s {
            match sel {
                Selection::Spread(sp) => out.push(sp),
                Selection::Field(f) => stack.push(&f.selection_set),
                Selection::Inline(i) => stack.push(&i.selection_set),
            }
        }
    }
    out
}
