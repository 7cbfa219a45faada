//! The GraphQL AST in gqlparser's shape, its conversion to the Rego value
//! OPA returns (Go field names, position fields and empty values pruned),
//! and back from such a value (OPA's JSON round trip of AST objects).

use super::lexer::Pos;
use crate::Value;

/// gqlparser's `ValueKind` numbers.
pub(crate) mod vk {
    pub(crate) const VARIABLE: i64 = 0;
    pub(crate) const INT: i64 = 1;
    pub(crate) const FLOAT: i64 = 2;
    pub(crate) const STRING: i64 = 3;
    pub(crate) const BLOCK: i64 = 4;
    pub(crate) const BOOLEAN: i64 = 5;
    pub(crate) const NULL: i64 = 6;
    pub(crate) const ENUM: i64 = 7;
    pub(crate) const LIST: i64 = 8;
    pub(crate) const OBJECT: i64 = 9;
}

/// A group of `#` comments (their texts, `#` included).
pub(crate) type Comments = Option<Vec<String>>;

#[derive(Debug, Clone, Default)]
pub(crate) struct GValue {
    pub(crate) kind: i64,
    pub(crate) raw: String,
    pub(crate) children: Vec<ChildValue>,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ChildValue {
    pub(crate) comment: Comments,
    pub(crate) name: String,
    pub(crate) value: Option<GValue>,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Argument {
    pub(crate) comment: Comments,
    pub(crate) name: String,
    pub(crate) value: Option<GValue>,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Directive {
    pub(crate) name: String,
    pub(crate) arguments: Vec<Argument>,
    pub(crate) location: String,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TypeRef {
    pub(crate) named: String,
    pub(crate) elem: Option<Box<TypeRef>>,
    pub(crate) non_null: bool,
    pub(crate) pos: Option<Pos>,
}

impl TypeRef {
    /// The innermost named type.
    pub(crate) fn name(&self) -> &str {
        match &self.elem {
            Some(e) => e.name(),
            None => &self.named,
        }
    }

    /// GraphQL notation, e.g. `[Int!]!`.
    pub(crate) fn text(&self) -> String {
        let nn = if self.non_null { "!" } else { "" };
        match &self.elem {
            Some(e) => format!("[{}]{nn}", e.text()),
            None => format!("{}{nn}", self.named),
        }
    }

    pub(crate) fn named(name: &str, non_null: bool) -> TypeRef {
        TypeRef {
            named: name.to_string(),
            elem: None,
            non_null,
            pos: None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct VariableDefinition {
    pub(crate) comment: Comments,
    pub(crate) variable: String,
    pub(crate) ty: Option<TypeRef>,
    pub(crate) default: Option<GValue>,
    pub(crate) directives: Vec<Directive>,
    pub(crate) used: bool,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone)]
pub(crate) enum Selection {
    Field(Field),
    Spread(FragmentSpread),
    Inline(InlineFragment),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Field {
    pub(crate) comment: Comments,
    pub(crate) alias: String,
    pub(crate) name: String,
    pub(crate) arguments: Vec<Argument>,
    pub(crate) directives: Vec<Directive>,
    pub(crate) selection_set: Vec<Selection>,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FragmentSpread {
    pub(crate) comment: Comments,
    pub(crate) name: String,
    pub(crate) directives: Vec<Directive>,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct InlineFragment {
    pub(crate) comment: Comments,
    pub(crate) type_condition: String,
    pub(crate) directives: Vec<Directive>,
    pub(crate) selection_set: Vec<Selection>,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct OperationDefinition {
    pub(crate) comment: Comments,
    pub(crate) operation: String,
    pub(crate) name: String,
    pub(crate) variable_definitions: Vec<VariableDefinition>,
    pub(crate) directives: Vec<Directive>,
    pub(crate) selection_set: Vec<Selection>,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FragmentDefinition {
    pub(crate) comment: Comments,
    pub(crate) name: String,
    pub(crate) variable_definition: Vec<VariableDefinition>,
    pub(crate) type_condition: String,
    pub(crate) directives: Vec<Directive>,
    pub(crate) selection_set: Vec<Selection>,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct QueryDocument {
    pub(crate) operations: Vec<OperationDefinition>,
    pub(crate) fragments: Vec<FragmentDefinition>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FieldDefinition {
    pub(crate) before_comment: Comments,
    pub(crate) after_comment: Comments,
    pub(crate) description: String,
    pub(crate) name: String,
    pub(crate) arguments: Vec<FieldDefinition>,
    pub(crate) default_value: Option<GValue>,
    pub(crate) ty: Option<TypeRef>,
    pub(crate) directives: Vec<Directive>,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct EnumValueDefinition {
    pub(crate) before_comment: Comments,
    pub(crate) after_comment: Comments,
    pub(crate) description: String,
    pub(crate) name: String,
    pub(crate) directives: Vec<Directive>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Definition {
    pub(crate) before_comment: Comments,
    pub(crate) after_comment: Comments,
    pub(crate) end_comment: Comments,
    pub(crate) kind: String,
    pub(crate) description: String,
    pub(crate) name: String,
    pub(crate) directives: Vec<Directive>,
    pub(crate) interfaces: Vec<String>,
    pub(crate) fields: Vec<FieldDefinition>,
    pub(crate) types: Vec<String>,
    pub(crate) enum_values: Vec<EnumValueDefinition>,
    pub(crate) builtin: bool,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DirectiveDefinition {
    pub(crate) before_comment: Comments,
    pub(crate) after_comment: Comments,
    pub(crate) description: String,
    pub(crate) name: String,
    pub(crate) arguments: Vec<FieldDefinition>,
    pub(crate) locations: Vec<String>,
    pub(crate) is_repeatable: bool,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct OperationTypeDefinition {
    pub(crate) comment: Comments,
    pub(crate) operation: String,
    pub(crate) ty: String,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SchemaDefinition {
    pub(crate) before_comment: Comments,
    pub(crate) after_comment: Comments,
    pub(crate) end_comment: Comments,
    pub(crate) description: String,
    pub(crate) directives: Vec<Directive>,
    pub(crate) operation_types: Vec<OperationTypeDefinition>,
    pub(crate) pos: Option<Pos>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SchemaDocument {
    pub(crate) comment: Comments,
    pub(crate) schema: Vec<SchemaDefinition>,
    pub(crate) schema_extension: Vec<SchemaDefinition>,
    pub(crate) directives: Vec<DirectiveDefinition>,
    pub(crate) definitions: Vec<Definition>,
    pub(crate) extensions: Vec<Definition>,
}

// ---------------------------------------------------------------------------
// AST → Rego value (OPA's InterfaceToValue + pruning of null/empty values).

struct Obj(Vec<(Value, Value)>);

impl Obj {
    fn new() -> Obj {
        Obj(Vec::new())
    }
    fn s(mut self, k: &str, v: &str) -> Obj {
        self.0.push((Value::string(k), Value::string(v)));
        self
    }
    fn b(mut self, k: &str, v: bool) -> Obj {
        self.0.push((Value::string(k), Value::Bool(v)));
        self
    }
    fn v(mut self, k: &str, v: Option<Value>) -> Obj {
        if let Some(v) = v {
            let empty = match &v {
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => false,
            };
            if !empty {
                self.0.push((Value::string(k), v));
            }
        }
        self
    }
    fn list<T>(self, k: &str, items: &[T], f: impl Fn(&T) -> Value) -> Obj {
        self.v(k, Some(arr(items, f)))
    }
    fn strs(self, k: &str, items: &[String]) -> Obj {
        self.v(
            k,
            Some(Value::array(
                items.iter().map(|s| Value::string(s.as_str())).collect(),
            )),
        )
    }
    fn c(self, k: &str, c: &Comments) -> Obj {
        self.v(
            k,
            c.as_ref().map(|list| {
                Value::object([(
                    Value::string("List"),
                    Value::array(
                        list.iter()
                            .map(|t| {
                                Value::object([(Value::string("Value"), Value::string(t.as_str()))])
                            })
                            .collect(),
                    ),
                )])
            }),
        )
    }
    fn done(self) -> Value {
        Value::object(self.0)
    }
}

fn arr<T>(items: &[T], f: impl Fn(&T) -> Value) -> Value {
    Value::array(
        items
            .iter()
            .map(f)
            .filter(|v| !matches!(v, Value::Object(o) if o.is_empty()))
            .collect(),
    )
}

pub(crate) fn value_to_value(v: &GValue) -> Value {
    Obj::new()
        .s("Raw", &v.raw)
        .list("Children", &v.children, |c| {
            Obj::new()
                .c("Comment", &c.comment)
                .s("Name", &c.name)
                .v("Value", c.value.as_ref().map(value_to_value))
                .done()
        })
        .v("Kind", Some(Value::int(v.kind)))
        .b("ExpectedTypeHasDefault", false)
        .done()
}

fn args_to_value(a: &[Argument]) -> Value {
    arr(a, |a| {
        Obj::new()
            .c("Comment", &a.comment)
            .s("Name", &a.name)
            .v("Value", a.value.as_ref().map(value_to_value))
            .done()
    })
}

fn directives_to_value(d: &[Directive]) -> Value {
    arr(d, |d| {
        Obj::new()
            .s("Name", &d.name)
            .v("Arguments", Some(args_to_value(&d.arguments)))
            .s("Location", &d.location)
            .done()
    })
}

fn type_to_value(t: &TypeRef) -> Value {
    Obj::new()
        .s("NamedType", &t.named)
        .v("Elem", t.elem.as_deref().map(type_to_value))
        .b("NonNull", t.non_null)
        .done()
}

fn var_defs_to_value(v: &[VariableDefinition]) -> Value {
    arr(v, |v| {
        Obj::new()
            .c("Comment", &v.comment)
            .s("Variable", &v.variable)
            .v("Type", v.ty.as_ref().map(type_to_value))
            .v("DefaultValue", v.default.as_ref().map(value_to_value))
            .v("Directives", Some(directives_to_value(&v.directives)))
            .b("Used", v.used)
            .done()
    })
}

fn selections_to_value(s: &[Selection]) -> Value {
    arr(s, |s| match s {
        Selection::Field(f) => Obj::new()
            .c("Comment", &f.comment)
            .s("Alias", &f.alias)
            .s("Name", &f.name)
            .v("Arguments", Some(args_to_value(&f.arguments)))
            .v("Directives", Some(directives_to_value(&f.directives)))
            .v("SelectionSet", Some(selections_to_value(&f.selection_set)))
            .done(),
        Selection::Spread(f) => Obj::new()
            .c("Comment", &f.comment)
            .s("Name", &f.name)
            .v("Directives", Some(directives_to_value(&f.directives)))
            .done(),
        Selection::Inline(f) => Obj::new()
            .c("Comment", &f.comment)
            .s("TypeCondition", &f.type_condition)
            .v("Directives", Some(directives_to_value(&f.directives)))
            .v("SelectionSet", Some(selections_to_value(&f.selection_set)))
            .done(),
    })
}

/// A query document as OPA returns it.
pub(crate) fn query_to_value(doc: &QueryDocument) -> Value {
    Obj::new()
        .list("Operations", &doc.operations, |o| {
            Obj::new()
                .c("Comment", &o.comment)
                .s("Operation", &o.operation)
                .s("Name", &o.name)
                .v(
                    "VariableDefinitions",
                    Some(var_defs_to_value(&o.variable_definitions)),
                )
                .v("Directives", Some(directives_to_value(&o.directives)))
                .v("SelectionSet", Some(selections_to_value(&o.selection_set)))
                .done()
        })
        .list("Fragments", &doc.fragments, |f| {
            Obj::new()
                .c("Comment", &f.comment)
                .s("Name", &f.name)
                .v(
                    "VariableDefinition",
                    Some(var_defs_to_value(&f.variable_definition)),
                )
                .s("TypeCondition", &f.type_condition)
                .v("Directives", Some(directives_to_value(&f.directives)))
                .v("SelectionSet", Some(selections_to_value(&f.selection_set)))
                .done()
        })
        .done()
}

fn field_defs_to_value(f: &[FieldDefinition]) -> Value {
    arr(f, |f| {
        Obj::new()
            .c("BeforeDescriptionComment", &f.before_comment)
            .c("AfterDescriptionComment", &f.after_comment)
            .s("Description", &f.description)
            .s("Name", &f.name)
            .v("Arguments", Some(field_defs_to_value(&f.arguments)))
            .v("DefaultValue", f.default_value.as_ref().map(value_to_value))
            .v("Type", f.ty.as_ref().map(type_to_value))
            .v("Directives", Some(directives_to_value(&f.directives)))
            .done()
    })
}

fn definition_to_value(d: &Definition) -> Value {
    Obj::new()
        .c("BeforeDescriptionComment", &d.before_comment)
        .c("AfterDescriptionComment", &d.after_comment)
        .c("EndOfDefinitionComment", &d.end_comment)
        .s("Kind", &d.kind)
        .s("Description", &d.description)
        .s("Name", &d.name)
        .v("Directives", Some(directives_to_value(&d.directives)))
        .strs("Interfaces", &d.interfaces)
        .v("Fields", Some(field_defs_to_value(&d.fields)))
        .strs("Types", &d.types)
        .list("EnumValues", &d.enum_values, |e| {
            Obj::new()
                .c("BeforeDescriptionComment", &e.before_comment)
                .c("AfterDescriptionComment", &e.after_comment)
                .s("Description", &e.description)
                .s("Name", &e.name)
                .v("Directives", Some(directives_to_value(&e.directives)))
                .done()
        })
        .b("BuiltIn", d.builtin)
        .done()
}

fn schema_def_to_value(s: &SchemaDefinition) -> Value {
    Obj::new()
        .c("BeforeDescriptionComment", &s.before_comment)
        .c("AfterDescriptionComment", &s.after_comment)
        .c("EndOfDefinitionComment", &s.end_comment)
        .s("Description", &s.description)
        .v("Directives", Some(directives_to_value(&s.directives)))
        .list("OperationTypes", &s.operation_types, |o| {
            Obj::new()
                .c("Comment", &o.comment)
                .s("Operation", &o.operation)
                .s("Type", &o.ty)
                .done()
        })
        .done()
}

/// A schema document as OPA returns it.
pub(crate) fn schema_to_value(doc: &SchemaDocument) -> Value {
    Obj::new()
        .c("Comment", &doc.comment)
        .list("Schema", &doc.schema, schema_def_to_value)
        .list(
            "SchemaExtension",
            &doc.schema_extension,
            schema_def_to_value,
        )
        .list("Directives", &doc.directives, |d| {
            Obj::new()
                .c("BeforeDescriptionComment", &d.before_comment)
                .c("AfterDescriptionComment", &d.after_comment)
                .s("Description", &d.description)
                .s("Name", &d.name)
                .v("Arguments", Some(field_defs_to_value(&d.arguments)))
                .strs("Locations", &d.locations)
                .b("IsRepeatable", d.is_repeatable)
                .done()
        })
        .list("Definitions", &doc.definitions, definition_to_value)
        .list("Extensions", &doc.extensions, definition_to_value)
        .done()
}

// ---------------------------------------------------------------------------
// Rego value → AST (OPA's JSON round trip through gqlparser's structs).

/// A decoding failure: Go's `json.Unmarshal` error text.
pub(crate) type DecodeResult<T> = Result<T, String>;

fn json_type(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::Array(_) | Value::Set(_) => "array".into(),
        Value::Object(_) => "object".into(),
    }
}

/// Key lookup: `exact` keys only (gqlparser's hand-written decoders), or
/// Go's default struct field matching (exact first, then ASCII
/// case-insensitive).
fn field<'v>(obj: &'v Value, key: &str, exact: bool) -> Option<&'v Value> {
    let o = obj.as_object()?;
    if let Some(v) = o.get(&Value::string(key)) {
        return Some(v);
    }
    if exact {
        return None;
    }
    o.iter().find_map(|(k, v)| match k {
        Value::String(s) if s.eq_ignore_ascii_case(key) => Some(v),
        _ => None,
    })
}

/// Where a decoder is, for Go's error texts: the struct being decoded, the
/// field stack from the current `json.Unmarshal` root, and the context of
/// an enclosing hand-written decoder (which overrides the struct name and
/// prefixes the field stack).
#[derive(Clone)]
struct Ctx {
    sname: &'static str,
    path: Vec<String>,
    outer: Option<String>,
    /// The struct's own keys are decoded by separate `json.Unmarshal`
    /// calls (gqlparser's hand-written decoders).
    custom: bool,
}

impl Ctx {
    fn root(sname: &'static str) -> Ctx {
        Ctx {
            sname,
            path: Vec::new(),
            outer: None,
            custom: false,
        }
    }

    fn key_path(&self, key: &str) -> Vec<String> {
        if self.custom {
            return Vec::new();
        }
        let mut p = self.path.clone();
        p.push(key.to_string());
        p
    }

    fn error(&self, got: String, key: &str, go_type: &str) -> String {
        let field = self.key_path(key).join(".");
        let place = match &self.outer {
            Some(o) if field.is_empty() => format!("Go struct field {o}"),
            Some(o) => format!("Go struct field {o}.{field}"),
            None if field.is_empty() => "Go value".to_string(),
            None => format!("Go struct field {}.{field}", self.sname),
        };
        format!("json: cannot unmarshal {got} into {place} of type {go_type}")
    }

    fn child(&self, key: &str, sname: &'static str) -> Ctx {
        Ctx {
            sname,
            path: self.key_path(key),
            outer: self.outer.clone(),
            custom: false,
        }
    }
}

struct Dec<'v> {
    obj: &'v Value,
    exact: bool,
    ctx: Ctx,
}

impl<'v> Dec<'v> {
    /// A decoder for the struct value `v` found at `key` of `parent`
    /// (`None` for JSON null).
    fn at(
        parent: &Ctx,
        key: &str,
        v: &'v Value,
        sname: &'static str,
        exact: bool,
    ) -> DecodeResult<Option<Dec<'v>>> {
        match v {
            Value::Null => Ok(None),
            Value::Object(_) => Ok(Some(Dec {
                obj: v,
                exact,
                ctx: parent.child(key, sname),
            })),
            other => Err(parent.error(json_type(other), key, &format!("ast.{sname}"))),
        }
    }

    fn get(&self, key: &str) -> Option<&'v Value> {
        field(self.obj, key, self.exact).filter(|v| !matches!(v, Value::Null))
    }

    fn string_typed(&self, key: &str, go_type: &str) -> DecodeResult<String> {
        match self.get(key) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.to_string()),
            Some(v) => Err(self.ctx.error(json_type(v), key, go_type)),
        }
    }

    fn string(&self, key: &str) -> DecodeResult<String> {
        self.string_typed(key, "string")
    }

    fn boolean(&self, key: &str) -> DecodeResult<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.ctx.error(json_type(v), key, "bool")),
        }
    }

    /// A list field; `f` decodes one element (given this decoder's context
    /// and the key, for errors).
    fn list<T>(
        &self,
        key: &str,
        go_type: &str,
        f: impl Fn(&Ctx, &'v Value) -> DecodeResult<Option<T>>,
    ) -> DecodeResult<Vec<T>> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for item in a.iter() {
                    if let Some(x) = f(&self.ctx, item)? {
                        out.push(x);
                    }
                }
                Ok(out)
            }
            Some(v) => Err(self.ctx.error(json_type(v), key, go_type)),
        }
    }

    /// A list of structs named `sname`, each decoded by `f`.
    fn structs<T>(
        &self,
        key: &str,
        go_type: &str,
        sname: &'static str,
        f: impl Fn(Dec<'v>) -> DecodeResult<T>,
    ) -> DecodeResult<Vec<T>> {
        self.list(key, go_type, |ctx, item| {
            match Dec::at(ctx, key, item, sname, false)? {
                Some(d) => f(d).map(Some),
                None => Ok(None),
            }
        })
    }

    fn comments(&self, key: &str) -> DecodeResult<Comments> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let Some(g) = Dec::at(&self.ctx, key, v, "CommentGroup", false)? else {
            return Ok(None);
        };
        let list = g.structs("List", "[]*ast.Comment", "Comment", |cd| cd.string("Value"))?;
        Ok(Some(list))
    }

    fn strings(&self, key: &str, go_type: &str, elem_type: &str) -> DecodeResult<Vec<String>> {
        self.list(key, go_type, |ctx, v| match v {
            Value::String(s) => Ok(Some(s.to_string())),
            Value::Null => Ok(Some(String::new())),
            other => Err(ctx.error(json_type(other), key, elem_type)),
        })
    }
}

fn depth_guard(depth: usize) -> DecodeResult<()> {
    if depth > super::parser::MAX_DEPTH {
        return Err("AST object nesting exceeds the maximum depth".to_string());
    }
    Ok(())
}

fn gvalue_at(
    parent: &Ctx,
    key: &str,
    v: Option<&Value>,
    depth: usize,
) -> DecodeResult<Option<GValue>> {
    depth_guard(depth)?;
    let Some(v) = v else { return Ok(None) };
    let Some(d) = Dec::at(parent, key, v, "Value", false)? else {
        return Ok(None);
    };
    let kind = match d.get("Kind") {
        None => 0,
        Some(Value::Number(n)) => match n.as_i64() {
            Some(k) => k,
            None => {
                let text = Value::Number(n.clone()).to_json_text();
                return Err(d
                    .ctx
                    .error(format!("number {text}"), "Kind", "ast.ValueKind"));
            }
        },
        Some(other) => return Err(d.ctx.error(json_type(other), "Kind", "ast.ValueKind")),
    };
    let children = d.structs("Children", "ast.ChildValueList", "ChildValue", |cd| {
        Ok(ChildValue {
            comment: cd.comments("Comment")?,
            name: cd.string("Name")?,
            value: gvalue_at(&cd.ctx, "Value", cd.get("Value"), depth + 1)?,
            pos: None,
        })
    })?;
    Ok(Some(GValue {
        kind,
        raw: d.string("Raw")?,
        children,
        pos: None,
    }))
}

fn args_from(d: &Dec<'_>) -> DecodeResult<Vec<Argument>> {
    d.structs("Arguments", "ast.ArgumentList", "Argument", |ad| {
        Ok(Argument {
            comment: ad.comments("Comment")?,
            name: ad.string("Name")?,
            value: gvalue_at(&ad.ctx, "Value", ad.get("Value"), 0)?,
            pos: None,
        })
    })
}

fn directives_from(d: &Dec<'_>) -> DecodeResult<Vec<Directive>> {
    d.structs("Directives", "ast.DirectiveList", "Directive", |dd| {
        Ok(Directive {
            name: dd.string("Name")?,
            arguments: args_from(&dd)?,
            location: dd.string_typed("Location", "ast.DirectiveLocation")?,
            pos: None,
        })
    })
}

fn type_at(
    parent: &Ctx,
    key: &str,
    v: Option<&Value>,
    depth: usize,
) -> DecodeResult<Option<TypeRef>> {
    depth_guard(depth)?;
    let Some(v) = v else { return Ok(None) };
    let Some(d) = Dec::at(parent, key, v, "Type", false)? else {
        return Ok(None);
    };
    Ok(Some(TypeRef {
        named: d.string("NamedType")?,
        elem: type_at(&d.ctx, "Elem", d.get("Elem"), depth + 1)?.map(Box::new),
        non_null: d.boolean("NonNull")?,
        pos: None,
    }))
}

fn var_defs_from(d: &Dec<'_>, key: &str) -> DecodeResult<Vec<VariableDefinition>> {
    d.structs(
        key,
        "ast.VariableDefinitionList",
        "VariableDefinition",
        |vd| {
            Ok(VariableDefinition {
                comment: vd.comments("Comment")?,
                variable: vd.string("Variable")?,
                ty: type_at(&vd.ctx, "Type", vd.get("Type"), 0)?,
                default: gvalue_at(&vd.ctx, "DefaultValue", vd.get("DefaultValue"), 0)?,
                directives: directives_from(&vd)?,
                used: vd.boolean("Used")?,
                pos: None,
            })
        },
    )
}

/// A custom-decoded struct (gqlparser's hand-written `UnmarshalJSON`):
/// exact keys, each decoded as its own `json.Unmarshal` root.
fn custom<'v>(v: &'v Value, outer: String, sname: &'static str) -> Dec<'v> {
    Dec {
        obj: v,
        exact: true,
        ctx: Ctx {
            sname,
            path: Vec::new(),
            outer: Some(outer),
            custom: true,
        },
    }
}

fn selections_from(d: &Dec<'_>, depth: usize) -> DecodeResult<Vec<Selection>> {
    depth_guard(depth)?;
    // gqlparser's decoder tries Field, then FragmentSpread, then
    // InlineFragment for each item; an item none of them accepts is
    // dropped, and their errors are discarded.
    d.list("SelectionSet", "[]json.RawMessage", |_, item| {
        let scratch = Ctx::root("Selection");
        if let Ok(Some(f)) = field_from(item, depth) {
            return Ok(Some(Selection::Field(f)));
        }
        if let Ok(Some(fd)) = Dec::at(&scratch, "", item, "FragmentSpread", false)
            && let (Ok(comment), Ok(name), Ok(directives)) = (
                fd.comments("Comment"),
                fd.string("Name"),
                directives_from(&fd),
            )
        {
            return Ok(Some(Selection::Spread(FragmentSpread {
                comment,
                name,
                directives,
                pos: None,
            })));
        }
        if let Value::Object(_) = item {
            let id = custom(item, String::new(), "InlineFragment");
            if let (Ok(tc), Ok(directives), Ok(ss)) = (
                id.string("TypeCondition"),
                directives_from(&id),
                selections_from(&id, depth + 1),
            ) {
                return Ok(Some(Selection::Inline(InlineFragment {
                    comment: None,
                    type_condition: tc,
                    directives,
                    selection_set: ss,
                    pos: None,
                })));
            }
        }
        Ok(None)
    })
}

fn field_from(item: &Value, depth: usize) -> DecodeResult<Option<Field>> {
    let fd = match item {
        // A null item decodes into an empty field.
        Value::Null => return Ok(Some(Field::default())),
        Value::Object(_) => custom(item, String::new(), "Field"),
        _ => return Ok(None),
    };
    Ok(Some(Field {
        comment: None,
        alias: fd.string("Alias")?,
        name: fd.string("Name")?,
        arguments: args_from(&fd)?,
        directives: directives_from(&fd)?,
        selection_set: selections_from(&fd, depth + 1)?,
        pos: None,
    }))
}

/// One element of `Operations` / `Fragments`: a custom-decoded struct,
/// `None` for null.
fn custom_element<'v>(
    ctx: &Ctx,
    key: &str,
    item: &'v Value,
    sname: &'static str,
) -> DecodeResult<Option<Dec<'v>>> {
    match item {
        Value::Null => Ok(None),
        Value::Object(_) => Ok(Some(custom(
            item,
            format!("{}.{}", ctx.sname, ctx.key_path(key).join(".")),
            sname,
        ))),
        other => Err(ctx.error(json_type(other), key, "map[string]json.RawMessage")),
    }
}

/// A query document from an AST object.
pub(crate) fn query_from_value(v: &Value) -> DecodeResult<QueryDocument> {
    let d = Dec {
        obj: v,
        exact: false,
        ctx: Ctx::root("QueryDocument"),
    };
    let operations = d.list("Operations", "ast.OperationList", |ctx, o| {
        let Some(od) = custom_element(ctx, "Operations", o, "OperationDefinition")? else {
            return Ok(None);
        };
        Ok(Some(OperationDefinition {
            comment: None,
            operation: od.string_typed("Operation", "ast.Operation")?,
            name: od.string("Name")?,
            variable_definitions: var_defs_from(&od, "VariableDefinitions")?,
            directives: directives_from(&od)?,
            selection_set: selections_from(&od, 0)?,
            pos: None,
        }))
    })?;
    let fragments = d.list("Fragments", "ast.FragmentDefinitionList", |ctx, o| {
        let Some(fd) = custom_element(ctx, "Fragments", o, "FragmentDefinition")? else {
            return Ok(None);
        };
        Ok(Some(FragmentDefinition {
            comment: None,
            name: fd.string("Name")?,
            variable_definition: var_defs_from(&fd, "VariableDefinition")?,
            type_condition: fd.string("TypeCondition")?,
            directives: directives_from(&fd)?,
            selection_set: selections_from(&fd, 0)?,
            pos: None,
        }))
    })?;
    Ok(QueryDocument {
        operations,
        fragments,
    })
}

fn field_defs_from(
    d: &Dec<'_>,
    key: &str,
    list_type: &str,
    sname: &'static str,
    depth: usize,
) -> DecodeResult<Vec<FieldDefinition>> {
    depth_guard(depth)?;
    d.structs(key, list_type, sname, |fd| {
        Ok(FieldDefinition {
            before_comment: fd.comments("BeforeDescriptionComment")?,
            after_comment: fd.comments("AfterDescriptionComment")?,
            description: fd.string("Description")?,
            name: fd.string("Name")?,
            arguments: field_defs_from(
                &fd,
                "Arguments",
                "ast.ArgumentDefinitionList",
                "ArgumentDefinition",
                depth + 1,
            )?,
            default_value: gvalue_at(&fd.ctx, "DefaultValue", fd.get("DefaultValue"), 0)?,
            ty: type_at(&fd.ctx, "Type", fd.get("Type"), 0)?,
            directives: directives_from(&fd)?,
            pos: None,
        })
    })
}

fn definitions_from(d: &Dec<'_>, key: &str) -> DecodeResult<Vec<Definition>> {
    d.structs(key, "ast.DefinitionList", "Definition", |dd| {
        Ok(Definition {
            before_comment: dd.comments("BeforeDescriptionComment")?,
            after_comment: dd.comments("AfterDescriptionComment")?,
            end_comment: dd.comments("EndOfDefinitionComment")?,
            kind: dd.string_typed("Kind", "ast.DefinitionKind")?,
            description: dd.string("Description")?,
            name: dd.string("Name")?,
            directives: directives_from(&dd)?,
            interfaces: dd.strings("Interfaces", "[]string", "string")?,
            fields: field_defs_from(&dd, "Fields", "ast.FieldList", "FieldDefinition", 0)?,
            types: dd.strings("Types", "[]string", "string")?,
            enum_values: dd.structs(
                "EnumValues",
                "ast.EnumValueList",
                "EnumValueDefinition",
                |ed| {
                    Ok(EnumValueDefinition {
                        before_comment: ed.comments("BeforeDescriptionComment")?,
                        after_comment: ed.comments("AfterDescriptionComment")?,
                        description: ed.string("Description")?,
                        name: ed.string("Name")?,
                        directives: directives_from(&ed)?,
                    })
                },
            )?,
            builtin: dd.boolean("BuiltIn")?,
            pos: None,
        })
    })
}

fn schema_defs_from(d: &Dec<'_>, key: &str) -> DecodeResult<Vec<SchemaDefinition>> {
    d.structs(key, "ast.SchemaDefinitionList", "SchemaDefinition", |sd| {
        Ok(SchemaDefinition {
            before_comment: sd.comments("BeforeDescriptionComment")?,
            after_comment: sd.comments("AfterDescriptionComment")?,
            end_comment: sd.comments("EndOfDefinitionComment")?,
            description: sd.string("Description")?,
            directives: directives_from(&sd)?,
            operation_types: sd.structs(
                "OperationTypes",
                "ast.OperationTypeDefinitionList",
                "OperationTypeDefinition",
                |od| {
                    Ok(OperationTypeDefinition {
                        comment: od.comments("Comment")?,
                        operation: od.string_typed("Operation", "ast.Operation")?,
                        ty: od.string("Type")?,
                        pos: None,
                    })
                },
            )?,
            pos: None,
        })
    })
}

/// A schema document from an AST object.
pub(crate) fn schema_from_value(v: &Value) -> DecodeResult<SchemaDocument> {
    let d = Dec {
        obj: v,
        exact: false,
        ctx: Ctx::root("SchemaDocument"),
    };
    Ok(SchemaDocument {
        comment: d.comments("Comment")?,
        schema: schema_defs_from(&d, "Schema")?,
        schema_extension: schema_defs_from(&d, "SchemaExtension")?,
        directives: d.structs(
            "Directives",
            "ast.DirectiveDefinitionList",
            "DirectiveDefinition",
            |dd| {
                Ok(DirectiveDefinition {
                    before_comment: dd.comments("BeforeDescriptionComment")?,
                    after_comment: dd.comments("AfterDescriptionComment")?,
                    description: dd.string("Description")?,
                    name: dd.string("Name")?,
                    arguments: field_defs_from(
                        &dd,
                        "Arguments",
                        "ast.ArgumentDefinitionList",
                        "ArgumentDefinition",
                        0,
                    )?,
                    locations: dd.strings(
                        "Locations",
                        "[]ast.DirectiveLocation",
                        "ast.DirectiveLocation",
                    )?,
                    is_repeatable: dd.boolean("IsRepeatable")?,
                    pos: None,
                })
            },
        )?,
        definitions: definitions_from(&d, "Definitions")?,
        extensions: definitions_from(&d, "Extensions")?,
    })
}
