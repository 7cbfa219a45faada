//! gqlparser's OverlappingFieldsCanBeMerged rule: fields with the same
//! response name in one selection (inline fragments and spread fragments
//! included) must be the same field with the same arguments and compatible
//! types, recursively through their sub-selections.

use super::ast::{Argument, Field, FragmentSpread, Selection, TypeRef};
use super::lexer::Pos;
use super::schema::Schema;
use super::validate::FieldInfo;
use std::collections::{HashMap, HashSet};

/// Recursion bound for comparisons through nested selections.
const MAX_DEPTH: usize = 128;

/// Work bound (field pair and fragment pair comparisons) for one document:
/// the rule is quadratic, so hostile documents are cut off instead of
/// running for minutes.
pub(crate) const MAX_WORK: usize = 2_000_000;

/// One conflict (possibly made of sub-field conflicts).
pub(crate) struct Conflict {
    response: String,
    message: String,
    sub: Vec<Conflict>,
    pub(crate) pos: Option<Pos>,
}

impl Conflict {
    fn reason(&self, out: &mut String) {
        if self.sub.is_empty() {
            out.push_str(&self.message);
            return;
        }
        for (i, s) in self.sub.iter().enumerate() {
            out.push_str("subfields \"");
            out.push_str(&s.response);
            out.push_str("\" conflict because ");
            s.reason(out);
            if i + 1 != self.sub.len() {
                out.push_str(" and ");
            }
        }
    }

    /// The error message.
    pub(crate) fn message(&self) -> String {
        let mut r = String::new();
        self.reason(&mut r);
        format!(
            "Fields \"{}\" conflict because {r}. Use different aliases on the fields to fetch both if this was intentional.",
            self.response
        )
    }
}

#[derive(Default)]
struct FieldsMap<'a> {
    seq: Vec<String>,
    data: HashMap<String, Vec<&'a Field>>,
}

impl<'a> FieldsMap<'a> {
    fn push(&mut self, name: String, f: &'a Field) {
        let e = self.data.entry(name.clone()).or_default();
        if e.is_empty() {
            self.seq.push(name);
        }
        e.push(f);
    }

    fn same_as(&self, other: &FieldsMap<'a>) -> bool {
        self.seq == other.seq
            && self.seq.iter().all(|k| {
                let (a, b) = (self.data.get(k), other.data.get(k));
                match (a, b) {
                    (Some(a), Some(b)) => {
                        a.len() == b.len()
                            && a.iter().zip(b.iter()).all(|(x, y)| std::ptr::eq(*x, *y))
                    }
                    _ => false,
                }
            })
    }
}

fn response_name(f: &Field) -> String {
    if f.alias.is_empty() {
        f.name.clone()
    } else {
        f.alias.clone()
    }
}

fn collect<'a>(set: &'a [Selection]) -> (FieldsMap<'a>, Vec<&'a FragmentSpread>) {
    fn walk<'a>(
        set: &'a [Selection],
        depth: usize,
        map: &mut FieldsMap<'a>,
        spreads: &mut Vec<&'a FragmentSpread>,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        for s in set {
            match s {
                Selection::Field(f) => map.push(response_name(f), f),
                Selection::Inline(i) => walk(&i.selection_set, depth + 1, map, spreads),
                Selection::Spread(sp) => spreads.push(sp),
            }
        }
    }
    let mut map = FieldsMap::default();
    let mut spreads = Vec::new();
    walk(set, 0, &mut map, &mut spreads);
    (map, spreads)
}

/// The rule's state for one validation run.
pub(crate) struct Overlap<'a> {
    schema: &'a Schema,
    fragments: HashMap<&'a str, &'a [Selection]>,
    pairs: HashMap<String, HashMap<String, bool>>,
    compared: HashSet<String>,
    work: usize,
}

impl<'a> Overlap<'a> {
    pub(crate) fn new(schema: &'a Schema, fragments: HashMap<&'a str, &'a [Selection]>) -> Self {
        Overlap {
            schema,
            fragments,
            pairs: HashMap::new(),
            compared: HashSet::new(),
            work: 0,
        }
    }

    /// Account `n` units of work; `false` once the budget is spent.
    fn spend(&mut self, n: usize) -> bool {
        self.work = self.work.saturating_add(n);
        self.work <= MAX_WORK
    }

    /// Whether the work budget ran out (results are then incomplete).
    pub(crate) fn exhausted(&self) -> bool {
        self.work > MAX_WORK
    }

    fn pair_has(&self, a: &str, b: &str, exclusive: bool) -> bool {
        match self.pairs.get(a).and_then(|m| m.get(b)) {
            None => false,
            Some(r) => exclusive || !*r,
        }
    }

    fn pair_add(&mut self, a: &str, b: &str, exclusive: bool) {
        self.pairs
            .entry(a.to_string())
            .or_default()
            .insert(b.to_string(), exclusive);
        self.pairs
            .entry(b.to_string())
            .or_default()
            .insert(a.to_string(), exclusive);
    }

    /// Conflicts within one selection set.
    pub(crate) fn within(&mut self, set: &'a [Selection], info: &FieldInfo<'a>) -> Vec<Conflict> {
        let mut out = Vec::new();
        if set.is_empty() {
            return out;
        }
        if !self.spend(set.len()) {
            return out;
        }
        let (map, spreads) = collect(set);
        for k in &map.seq {
            let fields = map.data.get(k).map(Vec::as_slice).unwrap_or(&[]);
            for (i, a) in fields.iter().enumerate() {
                for b in fields.iter().skip(i + 1) {
                    if !self.spend(1) {
                        return out;
                    }
                    if let Some(c) = self.find_conflict(false, a, b, info, 0) {
                        out.push(c);
                    }
                }
            }
        }
        self.compared.clear();
        for (i, sa) in spreads.iter().enumerate() {
            self.between_fields_and_fragment(&mut out, false, &map, sa, info, 0);
            for sb in spreads.iter().skip(i + 1) {
                if !self.spend(1) {
                    return out;
                }
                self.between_fragments(&mut out, false, sa, sb, info, 0);
            }
        }
        out
    }

    fn between_fields_and_fragment(
        &mut self,
        out: &mut Vec<Conflict>,
        exclusive: bool,
        map: &FieldsMap<'a>,
        sp: &'a FragmentSpread,
        info: &FieldInfo<'a>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH || !self.compared.insert(sp.name.clone()) {
            return;
        }
        let Some(set) = self.fragments.get(sp.name.as_str()).copied() else {
            return;
        };
        if !self.spend(set.len().max(1)) {
            return;
        }
        let (map_b, spreads) = collect(set);
        if map.same_as(&map_b) {
            return;
        }
        self.between(out, exclusive, map, &map_b, info, depth + 1);
        for s in spreads {
            if s.name == sp.name {
                continue;
            }
            self.between_fields_and_fragment(out, exclusive, map, s, info, depth + 1);
        }
    }

    fn between_fragments(
        &mut self,
        out: &mut Vec<Conflict>,
        exclusive: bool,
        a: &'a FragmentSpread,
        b: &'a FragmentSpread,
        info: &FieldInfo<'a>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH || a.name == b.name || self.pair_has(&a.name, &b.name, exclusive) {
            return;
        }
        self.pair_add(&a.name, &b.name, exclusive);
        let (Some(sa), Some(sb)) = (
            self.fragments.get(a.name.as_str()).copied(),
            self.fragments.get(b.name.as_str()).copied(),
        ) else {
            return;
        };
        if !self.spend(sa.len() + sb.len() + 1) {
            return;
        }
        let (map_a, spreads_a) = collect(sa);
        let (map_b, spreads_b) = collect(sb);
        self.between(out, exclusive, &map_a, &map_b, info, depth + 1);
        for s in spreads_b {
            self.between_fragments(out, exclusive, a, s, info, depth + 1);
        }
        for s in spreads_a {
            self.between_fragments(out, exclusive, s, b, info, depth + 1);
        }
    }

    fn between(
        &mut self,
        out: &mut Vec<Conflict>,
        exclusive: bool,
        a: &FieldsMap<'a>,
        b: &FieldsMap<'a>,
        info: &FieldInfo<'a>,
        depth: usize,
    ) {
        for k in &a.seq {
            let Some(fb) = b.data.get(k) else { continue };
            let fa = a.data.get(k).map(Vec::as_slice).unwrap_or(&[]);
            for x in fa {
                for y in fb {
                    if !self.spend(1) {
                        return;
                    }
                    if let Some(c) = self.find_conflict(exclusive, x, y, info, depth + 1) {
                        out.push(c);
                    }
                }
            }
        }
    }

    fn sub_selections(
        &mut self,
        exclusive: bool,
        a: &'a [Selection],
        b: &'a [Selection],
        info: &FieldInfo<'a>,
        depth: usize,
    ) -> Vec<Conflict> {
        let mut out = Vec::new();
        let (map_a, spreads_a) = collect(a);
        let (map_b, spreads_b) = collect(b);
        self.between(&mut out, exclusive, &map_a, &map_b, info, depth);
        for s in &spreads_b {
            self.compared.clear();
            self.between_fields_and_fragment(&mut out, exclusive, &map_a, s, info, depth);
        }
        for s in &spreads_a {
            self.compared.clear();
            self.between_fields_and_fragment(&mut out, exclusive, &map_b, s, info, depth);
        }
        for sa in &spreads_a {
            for sb in &spreads_b {
                self.between_fragments(&mut out, exclusive, sa, sb, info, depth);
            }
        }
        out
    }

    fn find_conflict(
        &mut self,
        parent_exclusive: bool,
        a: &'a Field,
        b: &'a Field,
        info: &FieldInfo<'a>,
        depth: usize,
    ) -> Option<Conflict> {
        if depth > MAX_DEPTH {
            return None;
        }
        // Both fields need the type they are selected on; their own
        // definitions may be unknown.
        let (Some((da, Some(pa))), Some((db, Some(pb)))) = (info.get(a), info.get(b)) else {
            return None;
        };
        let exclusive = parent_exclusive
            || (pa.name != pb.name
                && pa.kind == "OBJECT"
                && pb.kind == "OBJECT"
                && da.is_some()
                && db.is_some());
        let response = response_name(a);
        let conflict = |message: String| Conflict {
            response: response.clone(),
            message,
            sub: Vec::new(),
            pos: b.pos,
        };
        if !exclusive {
            if a.name != b.name {
                return Some(conflict(format!(
                    "\"{}\" and \"{}\" are different fields",
                    a.name, b.name
                )));
            }
            if !same_arguments(&a.arguments, &b.arguments) {
                return Some(conflict("they have differing arguments".to_string()));
            }
        }
        if let (Some(ta), Some(tb)) = (
            da.and_then(|d| d.ty.as_ref()),
            db.and_then(|d| d.ty.as_ref()),
        ) && self.types_conflict(ta, tb)
        {
            return Some(conflict(format!(
                "they return conflicting types \"{}\" and \"{}\"",
                ta.text(),
                tb.text()
            )));
        }
        let sub = self.sub_selections(exclusive, &a.selection_set, &b.selection_set, info, depth);
        if sub.is_empty() {
            return None;
        }
        Some(Conflict {
            response,
            message: String::new(),
            sub,
            pos: b.pos,
        })
    }

    fn types_conflict(&self, a: &TypeRef, b: &TypeRef) -> bool {
        match (&a.elem, &b.elem) {
            (Some(x), Some(y)) => return self.types_conflict(x, y),
            (Some(_), None) | (None, Some(_)) => return true,
            (None, None) => {}
        }
        if a.non_null != b.non_null {
            return true;
        }
        let leaf = |n: &str| {
            self.schema
                .get(n)
                .is_some_and(|d| d.kind == "SCALAR" || d.kind == "ENUM")
        };
        if leaf(&a.named) && leaf(&b.named) {
            return a.named != b.named;
        }
        false
    }
}

/// gqlparser's `sameArguments`: the same number of arguments, and each
/// argument of `a` present in `b` with the same value kind and raw text.
fn same_arguments(a: &[Argument], b: &[Argument]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().all(|x| {
        b.iter()
            .find(|y| y.name == x.name)
            .is_some_and(|y| match (&x.value, &y.value) {
                (Some(v), Some(w)) => v.kind == w.kind && v.raw == w.raw,
                (None, None) => true,
                _ => false,
            })
    })
}
