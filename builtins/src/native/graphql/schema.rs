//! Schema assembly and validation, following gqlparser's
//! `ValidateSchemaDocument`: the built-in prelude is merged first, type
//! extensions are applied, then every type (in name order) and directive is
//! checked; the first error is returned.

use super::ast::*;
use super::lexer::{GqlError, Pos};
use std::collections::{BTreeMap, HashMap};

/// The implicit definitions of the GraphQL spec (scalars, directives and
/// introspection types), parsed with `BuiltIn` set.
const PRELUDE: &str = r#"
scalar Int
scalar Float
scalar String
scalar Boolean
scalar ID
directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @deprecated(reason: String = "No longer supported") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
directive @specifiedBy(url: String!) on SCALAR
type __Schema {
  description: String
  types: [__Type!]!
  queryType: __Type!
  mutationType: __Type
  subscriptionType: __Type
  directives: [__Directive!]!
}
type __Type {
  kind: __TypeKind!
  name: String
  description: String
  fields(includeDeprecated: Boolean = false): [__Field!]
  interfaces: [__Type!]
  possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]
  inputFields: [__InputValue!]
  ofType: __Type
  specifiedByURL: String
}
type __Field {
  name: String!
  description: String
  args: [__InputValue!]!
  type: __Type!
  isDeprecated: Boolean!
  deprecationReason: String
}
type __InputValue {
  name: String!
  description: String
  type: __Type!
  defaultValue: String
}
type __EnumValue {
  name: String!
  description: String
  isDeprecated: Boolean!
  deprecationReason: String
}
enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }
type __Directive {
  name: String!
  description: String
  locations: [__DirectiveLocation!]!
  args: [__InputValue!]!
  isRepeatable: Boolean!
}
enum __DirectiveLocation {
  QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION FRAGMENT_SPREAD
  INLINE_FRAGMENT VARIABLE_DEFINITION SCHEMA SCALAR OBJECT FIELD_DEFINITION
  ARGUMENT_DEFINITION INTERFACE UNION ENUM ENUM_VALUE INPUT_OBJECT
  INPUT_FIELD_DEFINITION
}
"#;

/// A validated schema.
#[derive(Debug, Default)]
pub(crate) struct Schema {
    pub(crate) types: BTreeMap<String, Definition>,
    pub(crate) directives: BTreeMap<String, DirectiveDefinition>,
    pub(crate) possible_types: HashMap<String, Vec<String>>,
    pub(crate) implements: HashMap<String, Vec<String>>,
    pub(crate) query: Option<String>,
    pub(crate) mutation: Option<String>,
    pub(crate) subscription: Option<String>,
}

fn push_unique(map: &mut HashMap<String, Vec<String>>, key: &str, v: &str) {
    let list = map.entry(key.to_string()).or_default();
    if !list.iter().any(|x| x == v) {
        list.push(v.to_string());
    }
}

impl Schema {
    pub(crate) fn get(&self, name: &str) -> Option<&Definition> {
        self.types.get(name)
    }

    /// The names of the object types `name` may be at run time.
    pub(crate) fn possible(&self, name: &str) -> &[String] {
        self.possible_types
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The root type of an operation kind.
    pub(crate) fn root(&self, op: &str) -> Option<&Definition> {
        let n = match op {
            "query" => self.query.as_ref(),
            "mutation" => self.mutation.as_ref(),
            "subscription" => self.subscription.as_ref(),
            _ => None,
        }?;
        self.types.get(n)
    }
}

fn prelude() -> SchemaDocument {
    let mut doc = super::parser::parse_schema(PRELUDE).unwrap_or_default();
    for d in doc.definitions.iter_mut() {
        d.builtin = true;
    }
    doc
}

/// A schema error; gqlparser reports a missing position (AST objects carry
/// none) as line and column -1.
fn err(pos: Option<Pos>, msg: String) -> GqlError {
    let pos = pos.unwrap_or(Pos {
        line: -1,
        column: -1,
    });
    GqlError::at(Some(pos), msg)
}

fn is_input_kind(kind: &str) -> bool {
    matches!(kind, "SCALAR" | "ENUM" | "INPUT_OBJECT")
}

/// Build and validate the schema of `user` merged after the prelude.
pub(crate) fn build(user: &SchemaDocument) -> Result<Schema, GqlError> {
    let pre = prelude();
    let mut all_defs: Vec<Definition> = pre.definitions.clone();
    all_defs.extend(user.definitions.iter().cloned());
    let mut all_dirs: Vec<DirectiveDefinition> = pre.directives.clone();
    all_dirs.extend(user.directives.iter().cloned());
    let mut exts: Vec<Definition> = pre.extensions.clone();
    exts.extend(user.extensions.iter().cloned());

    let mut schema = Schema::default();
    // Definition order: the document's definitions, then types created by
    // extensions of undefined types.
    let mut order: Vec<String> = Vec::new();
    for def in all_defs {
        if schema.types.contains_key(&def.name) {
            return Err(err(def.pos, format!("Cannot redeclare type {}.", def.name)));
        }
        order.push(def.name.clone());
        schema.types.insert(def.name.clone(), def);
    }
    for ext in &exts {
        let def = match schema.types.get_mut(&ext.name) {
            Some(d) => d,
            None => {
                order.push(ext.name.clone());
                schema
                    .types
                    .entry(ext.name.clone())
                    .or_insert_with(|| Definition {
                        kind: ext.kind.clone(),
                        name: ext.name.clone(),
                        pos: ext.pos,
                        ..Default::default()
                    })
            }
        };
        if def.kind != ext.kind {
            return Err(err(
                ext.pos,
                format!(
                    "Cannot extend type {} because the base type is a {}, not {}.",
                    ext.name, def.kind, ext.kind
                ),
            ));
        }
        def.directives.extend(ext.directives.iter().cloned());
        def.interfaces.extend(ext.interfaces.iter().cloned());
        def.fields.extend(ext.fields.iter().cloned());
        def.types.extend(ext.types.iter().cloned());
        def.enum_values.extend(ext.enum_values.iter().cloned());
    }
    for name in &order {
        let Some(def) = schema.types.get(name) else {
            continue;
        };
        let (kind, dname) = (def.kind.clone(), def.name.clone());
        match kind.as_str() {
            "UNION" => {
                for t in def.types.clone() {
                    push_unique(&mut schema.possible_types, &dname, &t);
                    push_unique(&mut schema.implements, &t, &dname);
                }
            }
            "INPUT_OBJECT" | "OBJECT" | "INTERFACE" => {
                for i in def.interfaces.clone() {
                    push_unique(&mut schema.possible_types, &i, &dname);
                    push_unique(&mut schema.implements, &dname, &i);
                }
                if kind != "INTERFACE" {
                    push_unique(&mut schema.possible_types, &dname, &dname);
                }
            }
            _ => {}
        }
    }
    for dir in all_dirs {
        // Built-in directives may be redeclared (the later one is kept).
        if schema.directives.contains_key(&dir.name)
            && !matches!(
                dir.name.as_str(),
                "include" | "skip" | "deprecated" | "specifiedBy"
            )
        {
            return Err(err(
                dir.pos,
                format!("Cannot redeclare directive {}.", dir.name),
            ));
        }
        schema.directives.insert(dir.name.clone(), dir);
    }
    if let Some(second) = user.schema.get(1) {
        return Err(err(
            second.pos,
            "Cannot have multiple schema entry points, consider schema extensions instead."
                .to_string(),
        ));
    }
    let entry: Vec<&SchemaDefinition> = user
        .schema
        .iter()
        .take(1)
        .chain(user.schema_extension.iter())
        .collect();
    for sd in entry {
        for ot in &sd.operation_types {
            if !schema.types.contains_key(&ot.ty) {
                return Err(err(
                    ot.pos,
                    format!(
                        "Schema root {} refers to a type {} that does not exist.",
                        ot.operation, ot.ty
                    ),
                ));
            }
            let slot = match ot.operation.as_str() {
                "query" => &mut schema.query,
                "mutation" => &mut schema.mutation,
                "subscription" => &mut schema.subscription,
                _ => continue,
            };
            *slot = Some(ot.ty.clone());
        }
        validate_directives(&schema, &sd.directives, "SCHEMA", None)?;
    }
    for def in schema.types.values() {
        validate_definition(&schema, def)?;
    }
    for d in schema.directives.values() {
        validate_name(d.pos, &d.name)?;
        validate_args(&schema, &d.arguments, Some(&d.name))?;
    }
    if user.schema.is_empty() {
        for (slot, name) in [
            (&mut schema.query, "Query"),
            (&mut schema.mutation, "Mutation"),
            (&mut schema.subscription, "Subscription"),
        ] {
            if slot.is_none() && schema.types.contains_key(name) {
                *slot = Some(name.to_string());
            }
        }
    }
    if let Some(q) = schema.query.clone()
        && let Some(def) = schema.types.get_mut(&q)
    {
        def.fields.push(FieldDefinition {
            name: "__schema".into(),
            ty: Some(TypeRef::named("__Schema", true)),
            ..Default::default()
        });
        def.fields.push(FieldDefinition {
            name: "__type".into(),
            ty: Some(TypeRef::named("__Type", false)),
            arguments: vec![FieldDefinition {
                name: "name".into(),
                ty: Some(TypeRef::named("String", true)),
                ..Default::default()
            }],
            ..Default::default()
        });
    }
    Ok(schema)
}

fn validate_name(pos: Option<Pos>, name: &str) -> Result<(), GqlError> {
    if name.starts_with("__") {
        return Err(err(
            pos,
            format!(
                "Name \"{name}\" must not begin with \"__\", which is reserved by GraphQL introspection."
            ),
        ));
    }
    Ok(())
}

fn type_name(t: &Option<TypeRef>) -> &str {
    t.as_ref().map(TypeRef::name).unwrap_or("")
}

fn type_text(t: &Option<TypeRef>) -> String {
    t.as_ref().map(TypeRef::text).unwrap_or_default()
}

fn type_pos(t: &Option<TypeRef>) -> Option<Pos> {
    t.as_ref().and_then(|t| t.pos)
}

fn validate_type_ref(schema: &Schema, t: &Option<TypeRef>) -> Result<(), GqlError> {
    if !schema.types.contains_key(type_name(t)) {
        return Err(err(
            type_pos(t),
            format!("Undefined type {}.", type_name(t)),
        ));
    }
    Ok(())
}

fn validate_args(
    schema: &Schema,
    args: &[FieldDefinition],
    current: Option<&str>,
) -> Result<(), GqlError> {
    for arg in args {
        validate_name(arg.pos, &arg.name)?;
        validate_type_ref(schema, &arg.ty)?;
        let kind = schema
            .get(type_name(&arg.ty))
            .map(|d| d.kind.as_str())
            .unwrap_or("");
        if !is_input_kind(kind) {
            return Err(err(
                arg.pos,
                format!(
                    "cannot use {} as argument {} because {} is not a valid input type",
                    type_text(&arg.ty),
                    arg.name,
                    kind
                ),
            ));
        }
        validate_directives(schema, &arg.directives, "ARGUMENT_DEFINITION", current)?;
    }
    Ok(())
}

fn validate_directives(
    schema: &Schema,
    dirs: &[Directive],
    location: &str,
    current: Option<&str>,
) -> Result<(), GqlError> {
    let mut seen = std::collections::HashSet::new();
    for d in dirs {
        validate_name(d.pos, &d.name)?;
        if current == Some(d.name.as_str()) {
            return Err(err(
                d.pos,
                format!("Directive {} cannot refer to itself.", d.name),
            ));
        }
        let Some(def) = schema.directives.get(&d.name) else {
            return Err(err(d.pos, format!("Undefined directive {}.", d.name)));
        };
        if !def.locations.iter().any(|l| l == location) {
            return Err(err(
                d.pos,
                format!("Directive {} is not applicable on {}.", d.name, location),
            ));
        }
        if !def.is_repeatable && !seen.insert(d.name.as_str()) {
            return Err(err(
                d.pos,
                format!(
                    "The directive {} can only be used once at this location.",
                    d.name
                ),
            ));
        }
        for a in &d.arguments {
            if !def.arguments.iter().any(|x| x.name == a.name) {
                return Err(err(
                    a.pos,
                    format!("Undefined argument {} for directive {}.", a.name, d.name),
                ));
            }
        }
        for ad in &def.arguments {
            let required = ad.ty.as_ref().is_some_and(|t| t.non_null) && ad.default_value.is_none();
            if !required {
                continue;
            }
            let given = d
                .arguments
                .iter()
                .find(|a| a.name == ad.name)
                .and_then(|a| a.value.as_ref());
            if given.is_none_or(|v| v.kind == vk::NULL) {
                return Err(err(
                    d.pos,
                    format!(
                        "Argument {} for directive {} cannot be null.",
                        ad.name, d.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn validate_definition(schema: &Schema, def: &Definition) -> Result<(), GqlError> {
    for f in &def.fields {
        validate_name(f.pos, &f.name)?;
        validate_type_ref(schema, &f.ty)?;
        validate_args(schema, &f.arguments, None)?;
        let loc = if def.kind == "INPUT_OBJECT" {
            "INPUT_FIELD_DEFINITION"
        } else {
            "FIELD_DEFINITION"
        };
        validate_directives(schema, &f.directives, loc, None)?;
    }
    for t in &def.types {
        match schema.get(t) {
            None => {
                return Err(err(
                    def.pos,
                    format!("Undefined type {}.", crate::native::go_quote(t)),
                ));
            }
            Some(td) if td.kind != "OBJECT" => {
                return Err(err(
                    def.pos,
                    format!(
                        "{} type {} must be OBJECT.",
                        def.kind,
                        crate::native::go_quote(t)
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    for i in &def.interfaces {
        validate_implements(schema, def, i)?;
    }
    match def.kind.as_str() {
        "OBJECT" | "INTERFACE" => {
            if def.fields.is_empty() {
                return Err(err(
                    def.pos,
                    format!("{} {}: must define one or more fields.", def.kind, def.name),
                ));
            }
            for f in &def.fields {
                if let Some(t) = schema.get(type_name(&f.ty))
                    && !matches!(
                        t.kind.as_str(),
                        "SCALAR" | "OBJECT" | "INTERFACE" | "UNION" | "ENUM"
                    )
                {
                    return Err(err(
                        f.pos,
                        format!(
                            "{} {}: field must be one of SCALAR, OBJECT, INTERFACE, UNION, ENUM.",
                            def.kind, def.name
                        ),
                    ));
                }
            }
        }
        "ENUM" => {
            if def.enum_values.is_empty() {
                return Err(err(
                    def.pos,
                    format!(
                        "{} {}: must define one or more unique enum values.",
                        def.kind, def.name
                    ),
                ));
            }
            for v in &def.enum_values {
                if matches!(v.name.as_str(), "true" | "false" | "null") {
                    return Err(err(
                        def.pos,
                        format!("{} {}: non-enum value {}.", def.kind, def.name, v.name),
                    ));
                }
            }
        }
        "INPUT_OBJECT" => {
            if def.fields.is_empty() {
                return Err(err(
                    def.pos,
                    format!(
                        "{} {}: must define one or more input fields.",
                        def.kind, def.name
                    ),
                ));
            }
            for f in &def.fields {
                if let Some(t) = schema.get(type_name(&f.ty))
                    && !is_input_kind(&t.kind)
                {
                    return Err(err(
                        f.pos,
                        format!(
                            "{} {}: field must be one of SCALAR, ENUM, INPUT_OBJECT.",
                            t.kind, f.name
                        ),
                    ));
                }
            }
        }
        _ => {}
    }
    for (i, f1) in def.fields.iter().enumerate() {
        for f2 in def.fields.iter().skip(i + 1) {
            if f1.name == f2.name {
                return Err(err(
                    f2.pos,
                    format!("Field {}.{} can only be defined once.", def.name, f2.name),
                ));
            }
        }
    }
    if !def.builtin {
        validate_name(def.pos, &def.name)?;
    }
    validate_directives(schema, &def.directives, &def.kind, None)
}

fn validate_implements(schema: &Schema, def: &Definition, iname: &str) -> Result<(), GqlError> {
    let Some(intf) = schema.get(iname) else {
        return Err(err(
            def.pos,
            format!("Undefined type {}.", crate::native::go_quote(iname)),
        ));
    };
    if intf.kind != "INTERFACE" {
        return Err(err(
            def.pos,
            format!(
                "{} is a non interface type {}.",
                crate::native::go_quote(iname),
                intf.kind
            ),
        ));
    }
    for req in &intf.fields {
        let Some(found) = def.fields.iter().find(|f| f.name == req.name) else {
            return Err(err(
                def.pos,
                format!(
                    "For {} to implement {} it must have a field called {}.",
                    def.name, intf.name, req.name
                ),
            ));
        };
        let covariant = match (&req.ty, &found.ty) {
            (Some(r), Some(a)) => is_covariant(schema, r, a),
            _ => false,
        };
        if !covariant {
            return Err(err(
                found.pos,
                format!(
                    "For {} to implement {} the field {} must have type {}.",
                    def.name,
                    intf.name,
                    req.name,
                    type_text(&req.ty)
                ),
            ));
        }
        for ra in &req.arguments {
            let Some(fa) = found.arguments.iter().find(|a| a.name == ra.name) else {
                return Err(err(
                    found.pos,
                    format!(
                        "For {} to implement {} the field {} must have the same arguments but it is missing {}.",
                        def.name, intf.name, req.name, ra.name
                    ),
                ));
            };
            if !types_compatible(&ra.ty, &fa.ty) {
                return Err(err(
                    fa.pos,
                    format!(
                        "For {} to implement {} the field {} must have the same arguments but {} has the wrong type.",
                        def.name, intf.name, req.name, ra.name
                    ),
                ));
            }
        }
        for fa in &found.arguments {
            let non_null = fa.ty.as_ref().is_some_and(|t| t.non_null);
            if !req.arguments.iter().any(|a| a.name == fa.name)
                && non_null
                && fa.default_value.is_none()
            {
                return Err(err(
                    fa.pos,
                    format!(
                        "For {} to implement {} any additional arguments on {} must be optional or have a default value but {} is required.",
                        def.name, intf.name, found.name, fa.name
                    ),
                ));
            }
        }
    }
    for t in &intf.interfaces {
        if !def.interfaces.iter().any(|i| i == t) {
            if *t == def.name {
                return Err(err(
                    def.pos,
                    format!(
                        "Type {} cannot implement {} because it would create a circular reference.",
                        def.name, iname
                    ),
                ));
            }
            return Err(err(
                def.pos,
                format!(
                    "Type {} must implement {} because it is implemented by {}.",
                    def.name, t, iname
                ),
            ));
        }
    }
    Ok(())
}

/// gqlparser's `Type.IsCompatible`: same names and list shape, and a
/// non-null `b` needs a non-null `a`.
pub(crate) fn types_compatible(a: &Option<TypeRef>, b: &Option<TypeRef>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => type_compatible(a, b),
        (None, None) => true,
        _ => false,
    }
}

pub(crate) fn type_compatible(a: &TypeRef, b: &TypeRef) -> bool {
    if a.named != b.named {
        return false;
    }
    if let Some(x) = &a.elem {
        match &b.elem {
            Some(y) if type_compatible(x, y) => {}
            _ => return false,
        }
    }
    if b.non_null {
        return a.non_null;
    }
    true
}

fn is_covariant(schema: &Schema, req: &TypeRef, actual: &TypeRef) -> bool {
    if req.non_null && !actual.non_null {
        return false;
    }
    if !req.named.is_empty() {
        if req.named == actual.named {
            return true;
        }
        return schema.possible(&req.named).contains(&actual.named);
    }
    match (&req.elem, &actual.elem) {
        (Some(r), Some(a)) => is_covariant(schema, r, a),
        _ => false,
    }
}
