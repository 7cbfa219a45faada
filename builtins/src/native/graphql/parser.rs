//! Recursive-descent parser for GraphQL query and schema documents, with
//! gqlparser's error behaviour: the first error wins, later calls become
//! no-ops, and a lexer error surfaces only when its token is consumed.

use super::ast::*;
use super::lexer::{GqlError, Kind, Lexer, Pos, Token};

/// Maximum nesting of selection sets, values and types; deeper input is
/// rejected instead of exhausting the stack.
pub(crate) const MAX_DEPTH: usize = 256;

pub(crate) struct Parser<'a> {
    lexer: Lexer<'a>,
    err: Option<GqlError>,
    peeked: Option<(Token, Option<GqlError>)>,
    prev: Token,
    depth: usize,
    /// The comments right before the peeked token.
    comment: Comments,
    consuming: bool,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(input: &'a str) -> Parser<'a> {
        Parser {
            lexer: Lexer::new(input),
            err: None,
            peeked: None,
            prev: Token {
                kind: Kind::Invalid,
                value: String::new(),
                pos: Pos::default(),
            },
            depth: 0,
            comment: None,
            consuming: false,
        }
    }

    fn lex(&mut self) -> (Token, Option<GqlError>) {
        match self.lexer.read_token() {
            Ok(t) => (t, None),
            Err((t, e)) => (t, Some(e)),
        }
    }

    fn peek(&mut self) -> Token {
        if self.err.is_some() {
            return self.prev.clone();
        }
        if self.peeked.is_none() {
            let t = self.lex();
            let is_comment = t.0.kind == Kind::Comment;
            self.peeked = Some(t);
            if is_comment {
                self.consume_comment_group();
            }
        }
        match &self.peeked {
            Some((t, _)) => t.clone(),
            None => self.prev.clone(),
        }
    }

    fn peek_kind(&mut self) -> Kind {
        self.peek().kind
    }

    fn peek_pos(&mut self) -> Option<Pos> {
        if self.err.is_some() {
            return None;
        }
        Some(self.peek().pos)
    }

    fn error(&mut self, tok: &Token, message: String) {
        if self.err.is_none() {
            self.err = Some(GqlError::at(Some(tok.pos), message));
        }
    }

    fn next(&mut self) -> Token {
        if self.err.is_some() {
            return self.prev.clone();
        }
        match self.peeked.take() {
            Some((t, e)) => {
                self.comment = None;
                self.prev = t;
                self.err = e;
            }
            None => {
                let (t, e) = self.lex();
                self.prev = t;
                self.err = e;
                if self.prev.kind == Kind::Comment {
                    self.consume_comment_group();
                }
            }
        }
        self.prev.clone()
    }

    /// Collect consecutive comment tokens into `self.comment`.
    fn consume_comment_group(&mut self) {
        if self.err.is_some() || self.consuming {
            return;
        }
        self.consuming = true;
        let mut list = Vec::new();
        while self.err.is_none() {
            let tok = self.peek();
            if tok.kind != Kind::Comment {
                break;
            }
            self.next();
            list.push(tok.value);
        }
        self.comment = Some(list);
        self.consuming = false;
    }

    fn expect_keyword(&mut self, value: &str) -> (Token, Comments) {
        let tok = self.peek();
        let comment = self.comment.clone();
        if tok.kind == Kind::Name && tok.value == value {
            return (self.next(), comment);
        }
        let msg = format!(
            "Expected {}, found {}",
            crate::native::go_quote(value),
            tok.describe()
        );
        self.error(&tok, msg);
        (tok, comment)
    }

    fn expect(&mut self, kind: Kind) -> Token {
        let tok = self.peek();
        if tok.kind == kind {
            return self.next();
        }
        let msg = format!("Expected {}, found {}", kind.text(), tok.kind.text());
        self.error(&tok, msg);
        tok
    }

    /// [`Parser::expect`], returning the comments before the token.
    fn expect_commented(&mut self, kind: Kind) -> Comments {
        self.peek();
        let comment = self.comment.clone();
        self.expect(kind);
        comment
    }

    fn skip(&mut self, kind: Kind) -> bool {
        if self.err.is_some() {
            return false;
        }
        if self.peek_kind() != kind {
            return false;
        }
        self.next();
        true
    }

    fn unexpected_error(&mut self) {
        let t = self.peek();
        self.unexpected_token(&t);
    }

    fn unexpected_token(&mut self, tok: &Token) {
        let msg = format!("Unexpected {}", tok.describe());
        self.error(tok, msg);
    }

    fn many<T>(&mut self, start: Kind, end: Kind, mut cb: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let mut out = Vec::new();
        if !self.skip(start) {
            return out;
        }
        while self.peek_kind() != end && self.err.is_none() {
            out.push(cb(self));
        }
        self.next();
        out
    }

    fn some<T>(&mut self, start: Kind, end: Kind, cb: impl FnMut(&mut Self) -> T) -> Vec<T> {
        self.some_commented(start, end, cb).0
    }

    /// [`Parser::some`], also returning the comments before the end token.
    fn some_commented<T>(
        &mut self,
        start: Kind,
        end: Kind,
        mut cb: impl FnMut(&mut Self) -> T,
    ) -> (Vec<T>, Comments) {
        let mut out = Vec::new();
        if !self.skip(start) {
            return (out, None);
        }
        let mut called = false;
        while self.peek_kind() != end && self.err.is_none() {
            called = true;
            out.push(cb(self));
        }
        if !called {
            let t = self.peek();
            let msg = format!("expected at least one definition, found {}", t.kind.text());
            self.error(&t, msg);
            return (out, None);
        }
        let comment = self.comment.clone();
        self.next();
        (out, comment)
    }

    /// Enter one nesting level; `false` (with an error set) when too deep.
    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.peek();
            let msg = format!("document nesting exceeds the maximum depth of {MAX_DEPTH}");
            self.error(&t, msg);
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ----------------------------------------------------------------- query

    pub(crate) fn parse_query_document(mut self) -> Result<QueryDocument, GqlError> {
        let mut doc = QueryDocument::default();
        while self.peek_kind() != Kind::Eof {
            if self.err.is_some() {
                break;
            }
            let t = self.peek();
            match t.kind {
                Kind::Name => match t.value.as_str() {
                    "query" | "mutation" | "subscription" => {
                        let o = self.parse_operation_definition();
                        doc.operations.push(o);
                    }
                    "fragment" => {
                        let f = self.parse_fragment_definition();
                        doc.fragments.push(f);
                    }
                    _ => self.unexpected_error(),
                },
                Kind::BraceL => {
                    let o = self.parse_operation_definition();
                    doc.operations.push(o);
                }
                _ => self.unexpected_error(),
            }
        }
        match self.err {
            Some(e) => Err(e),
            None => Ok(doc),
        }
    }

    fn parse_operation_definition(&mut self) -> OperationDefinition {
        if self.peek_kind() == Kind::BraceL {
            let pos = self.peek_pos();
            return OperationDefinition {
                pos,
                operation: "query".to_string(),
                selection_set: self.parse_required_selection_set(),
                ..Default::default()
            };
        }
        let mut od = OperationDefinition {
            pos: self.peek_pos(),
            comment: self.comment.clone(),
            ..Default::default()
        };
        od.operation = self.parse_operation_type();
        if self.peek_kind() == Kind::Name {
            od.name = self.next().value;
        }
        od.variable_definitions = self.parse_variable_definitions();
        od.directives = self.parse_directives(false);
        od.selection_set = self.parse_required_selection_set();
        od
    }

    fn parse_operation_type(&mut self) -> String {
        let tok = self.next();
        match tok.value.as_str() {
            "query" | "mutation" | "subscription" => tok.value,
            _ => {
                self.unexpected_token(&tok);
                String::new()
            }
        }
    }

    fn parse_variable_definitions(&mut self) -> Vec<VariableDefinition> {
        self.some(Kind::ParenL, Kind::ParenR, |p| {
            p.parse_variable_definition()
        })
    }

    fn parse_variable_definition(&mut self) -> VariableDefinition {
        let mut def = VariableDefinition {
            pos: self.peek_pos(),
            comment: self.comment.clone(),
            ..Default::default()
        };
        def.variable = self.parse_variable();
        self.expect(Kind::Colon);
        def.ty = Some(self.parse_type_reference());
        if self.skip(Kind::Equals) {
            def.default = self.parse_value_literal(true);
        }
        def.directives = self.parse_directives(false);
        def
    }

    fn parse_variable(&mut self) -> String {
        self.expect(Kind::Dollar);
        self.parse_name()
    }

    fn parse_selection_set_body(&mut self) -> Vec<Selection> {
        if !self.enter() {
            self.leave();
            return Vec::new();
        }
        let s = self.some(Kind::BraceL, Kind::BraceR, |p| p.parse_selection());
        self.leave();
        s
    }

    fn parse_required_selection_set(&mut self) -> Vec<Selection> {
        if self.peek_kind() != Kind::BraceL {
            let t = self.peek();
            let msg = format!("Expected {}, found {}", Kind::BraceL.text(), t.kind.text());
            self.error(&t, msg);
            return Vec::new();
        }
        self.parse_selection_set_body()
    }

    fn parse_selection(&mut self) -> Selection {
        if self.peek_kind() == Kind::Spread {
            return self.parse_fragment();
        }
        Selection::Field(self.parse_field())
    }

    fn parse_field(&mut self) -> Field {
        let mut f = Field {
            pos: self.peek_pos(),
            comment: self.comment.clone(),
            ..Default::default()
        };
        f.alias = self.parse_name();
        if self.skip(Kind::Colon) {
            f.name = self.parse_name();
        } else {
            f.name = f.alias.clone();
        }
        f.arguments = self.parse_arguments(false);
        f.directives = self.parse_directives(false);
        if self.peek_kind() == Kind::BraceL {
            f.selection_set = self.parse_selection_set_body();
        }
        f
    }

    fn parse_arguments(&mut self, is_const: bool) -> Vec<Argument> {
        self.some(Kind::ParenL, Kind::ParenR, |p| {
            let mut a = Argument {
                pos: p.peek_pos(),
                comment: p.comment.clone(),
                ..Default::default()
            };
            a.name = p.parse_name();
            p.expect(Kind::Colon);
            a.value = p.parse_value_literal(is_const);
            a
        })
    }

    fn parse_fragment(&mut self) -> Selection {
        let comment = self.expect_commented(Kind::Spread);
        let peek = self.peek();
        if peek.kind == Kind::Name && peek.value != "on" {
            let pos = self.peek_pos();
            let name = self.parse_fragment_name();
            let directives = self.parse_directives(false);
            return Selection::Spread(FragmentSpread {
                comment,
                name,
                directives,
                pos,
            });
        }
        let mut def = InlineFragment {
            pos: self.peek_pos(),
            comment,
            ..Default::default()
        };
        if self.peek().value == "on" {
            self.next();
            def.type_condition = self.parse_name();
        }
        def.directives = self.parse_directives(false);
        def.selection_set = self.parse_required_selection_set();
        Selection::Inline(def)
    }

    fn parse_fragment_definition(&mut self) -> FragmentDefinition {
        let mut def = FragmentDefinition {
            pos: self.peek_pos(),
            ..Default::default()
        };
        def.comment = self.expect_keyword("fragment").1;
        def.name = self.parse_fragment_name();
        def.variable_definition = self.parse_variable_definitions();
        self.expect_keyword("on");
        def.type_condition = self.parse_name();
        def.directives = self.parse_directives(false);
        def.selection_set = self.parse_required_selection_set();
        def
    }

    fn parse_fragment_name(&mut self) -> String {
        if self.peek().value == "on" {
            self.unexpected_error();
            return String::new();
        }
        self.parse_name()
    }

    fn parse_value_literal(&mut self, is_const: bool) -> Option<GValue> {
        if !self.enter() {
            self.leave();
            return None;
        }
        let v = self.parse_value_inner(is_const);
        self.leave();
        v
    }

    fn parse_value_inner(&mut self, is_const: bool) -> Option<GValue> {
        let token = self.peek();
        let kind = match token.kind {
            Kind::BracketL => {
                let pos = self.peek_pos();
                let children = self.many(Kind::BracketL, Kind::BracketR, |p| ChildValue {
                    value: p.parse_value_literal(is_const),
                    ..Default::default()
                });
                return Some(GValue {
                    kind: vk::LIST,
                    raw: String::new(),
                    children,
                    pos,
                });
            }
            Kind::BraceL => {
                let pos = self.peek_pos();
                let children = self.many(Kind::BraceL, Kind::BraceR, |p| {
                    let mut c = ChildValue {
                        pos: p.peek_pos(),
                        comment: p.comment.clone(),
                        ..Default::default()
                    };
                    c.name = p.parse_name();
                    p.expect(Kind::Colon);
                    c.value = p.parse_value_literal(is_const);
                    c
                });
                return Some(GValue {
                    kind: vk::OBJECT,
                    raw: String::new(),
                    children,
                    pos,
                });
            }
            Kind::Dollar => {
                if is_const {
                    self.unexpected_error();
                    return None;
                }
                let raw = self.parse_variable();
                return Some(GValue {
                    kind: vk::VARIABLE,
                    raw,
                    children: Vec::new(),
                    pos: Some(token.pos),
                });
            }
            Kind::Int => vk::INT,
            Kind::Float => vk::FLOAT,
            Kind::String => vk::STRING,
            Kind::BlockString => vk::BLOCK,
            Kind::Name => match token.value.as_str() {
                "true" | "false" => vk::BOOLEAN,
                "null" => vk::NULL,
                _ => vk::ENUM,
            },
            _ => {
                self.unexpected_error();
                return None;
            }
        };
        self.next();
        Some(GValue {
            kind,
            raw: token.value,
            children: Vec::new(),
            pos: Some(token.pos),
        })
    }

    fn parse_directives(&mut self, is_const: bool) -> Vec<Directive> {
        let mut out = Vec::new();
        while self.peek_kind() == Kind::At {
            if self.err.is_some() {
                break;
            }
            self.expect(Kind::At);
            let pos = self.peek_pos();
            let name = self.parse_name();
            let arguments = self.parse_arguments(is_const);
            out.push(Directive {
                name,
                arguments,
                location: String::new(),
                pos,
            });
        }
        out
    }

    fn parse_type_reference(&mut self) -> TypeRef {
        if !self.enter() {
            self.leave();
            return TypeRef::default();
        }
        let mut t = TypeRef::default();
        if self.skip(Kind::BracketL) {
            t.pos = self.peek_pos();
            t.elem = Some(Box::new(self.parse_type_reference()));
            self.expect(Kind::BracketR);
        } else {
            t.pos = self.peek_pos();
            t.named = self.parse_name();
        }
        if self.skip(Kind::Bang) {
            t.non_null = true;
        }
        self.leave();
        t
    }

    fn parse_name(&mut self) -> String {
        self.expect(Kind::Name).value
    }

    // ---------------------------------------------------------------- schema

    pub(crate) fn parse_schema_document(mut self) -> Result<SchemaDocument, GqlError> {
        let mut doc = SchemaDocument::default();
        while self.peek_kind() != Kind::Eof {
            if self.err.is_some() {
                break;
            }
            let mut description = (String::new(), None);
            if matches!(self.peek_kind(), Kind::BlockString | Kind::String) {
                description = self.parse_description();
            }
            if self.peek_kind() != Kind::Name {
                self.unexpected_error();
                break;
            }
            match self.peek().value.as_str() {
                "scalar" | "type" | "interface" | "union" | "enum" | "input" => {
                    let d = self.parse_type_system_definition(description);
                    doc.definitions.push(d);
                }
                "schema" => {
                    let d = self.parse_schema_definition(description, None);
                    doc.schema.push(d);
                }
                "directive" => {
                    let d = self.parse_directive_definition(description);
                    doc.directives.push(d);
                }
                "extend" => {
                    if !description.0.is_empty() {
                        let t = self.prev.clone();
                        self.unexpected_token(&t);
                    }
                    self.parse_type_system_extension(&mut doc);
                }
                _ => {
                    self.unexpected_error();
                    break;
                }
            }
        }
        doc.comment = self.comment.clone();
        match self.err {
            Some(e) => Err(e),
            None => Ok(doc),
        }
    }

    /// A description (if any) and the comments before it.
    fn parse_description(&mut self) -> (String, Comments) {
        let kind = self.peek_kind();
        let comment = self.comment.clone();
        if matches!(kind, Kind::BlockString | Kind::String) {
            return (self.next().value, comment);
        }
        (String::new(), comment)
    }

    /// An element's description and the comments around it: before the
    /// description (only when there is one) and right before the name.
    fn parse_element_description(&mut self) -> (String, Comments, Comments) {
        let (text, before) = self.parse_description();
        let before = if text.is_empty() { None } else { before };
        self.peek();
        (text, before, self.comment.clone())
    }

    fn parse_type_system_definition(&mut self, description: (String, Comments)) -> Definition {
        let kw = self.peek().value;
        let (_, after) = self.expect_keyword(&kw);
        let mut def = Definition {
            pos: self.peek_pos(),
            before_comment: description.1,
            description: description.0,
            after_comment: after,
            ..Default::default()
        };
        match kw.as_str() {
            "scalar" => {
                def.kind = "SCALAR".into();
                def.name = self.parse_name();
                def.directives = self.parse_directives(true);
            }
            "type" | "interface" => {
                def.kind = if kw == "type" { "OBJECT" } else { "INTERFACE" }.into();
                def.name = self.parse_name();
                def.interfaces = self.parse_implements_interfaces();
                def.directives = self.parse_directives(true);
                (def.fields, def.end_comment) = self.parse_fields_definition();
            }
            "union" => {
                def.kind = "UNION".into();
                def.name = self.parse_name();
                def.directives = self.parse_directives(true);
                def.types = self.parse_union_member_types();
            }
            "enum" => {
                def.kind = "ENUM".into();
                def.name = self.parse_name();
                def.directives = self.parse_directives(true);
                (def.enum_values, def.end_comment) = self.parse_enum_values_definition();
            }
            _ => {
                def.kind = "INPUT_OBJECT".into();
                def.name = self.parse_name();
                def.directives = self.parse_directives(true);
                (def.fields, def.end_comment) = self.parse_input_fields_definition();
            }
        }
        def
    }

    fn parse_schema_definition(
        &mut self,
        description: (String, Comments),
        extension: Option<Comments>,
    ) -> SchemaDefinition {
        let (_, after) = self.expect_keyword("schema");
        let mut def = SchemaDefinition {
            before_comment: description.1,
            description: description.0,
            after_comment: extension.clone().unwrap_or(after),
            pos: self.peek_pos(),
            ..Default::default()
        };
        def.directives = self.parse_directives(true);
        (def.operation_types, def.end_comment) =
            self.some_commented(Kind::BraceL, Kind::BraceR, |p| {
                let mut op = OperationTypeDefinition {
                    pos: p.peek_pos(),
                    comment: p.comment.clone(),
                    ..Default::default()
                };
                op.operation = p.parse_operation_type();
                p.expect(Kind::Colon);
                op.ty = p.parse_name();
                op
            });
        if extension.is_some() && def.directives.is_empty() && def.operation_types.is_empty() {
            self.unexpected_error();
        }
        def
    }

    fn parse_implements_interfaces(&mut self) -> Vec<String> {
        let mut types = Vec::new();
        if self.peek().value == "implements" {
            self.next();
            self.skip(Kind::Amp);
            types.push(self.parse_name());
            while self.skip(Kind::Amp) && self.err.is_none() {
                types.push(self.parse_name());
            }
        }
        types
    }

    fn parse_fields_definition(&mut self) -> (Vec<FieldDefinition>, Comments) {
        self.some_commented(Kind::BraceL, Kind::BraceR, |p| {
            let mut def = FieldDefinition::default();
            (def.description, def.before_comment, def.after_comment) =
                p.parse_element_description();
            def.pos = p.peek_pos();
            def.name = p.parse_name();
            def.arguments = p.parse_argument_defs();
            p.expect(Kind::Colon);
            def.ty = Some(p.parse_type_reference());
            def.directives = p.parse_directives(true);
            def
        })
    }

    fn parse_argument_defs(&mut self) -> Vec<FieldDefinition> {
        self.some(Kind::ParenL, Kind::ParenR, |p| p.parse_input_value_def())
    }

    fn parse_input_value_def(&mut self) -> FieldDefinition {
        let mut def = FieldDefinition::default();
        (def.description, def.before_comment, def.after_comment) = self.parse_element_description();
        def.pos = self.peek_pos();
        def.name = self.parse_name();
        self.expect(Kind::Colon);
        def.ty = Some(self.parse_type_reference());
        if self.skip(Kind::Equals) {
            def.default_value = self.parse_value_literal(true);
        }
        def.directives = self.parse_directives(true);
        def
    }

    fn parse_union_member_types(&mut self) -> Vec<String> {
        let mut types = Vec::new();
        if self.skip(Kind::Equals) {
            self.skip(Kind::Pipe);
            types.push(self.parse_name());
            while self.skip(Kind::Pipe) && self.err.is_none() {
                types.push(self.parse_name());
            }
        }
        types
    }

    fn parse_enum_values_definition(&mut self) -> (Vec<EnumValueDefinition>, Comments) {
        self.some_commented(Kind::BraceL, Kind::BraceR, |p| {
            let (description, before_comment, after_comment) = p.parse_element_description();
            let name = p.parse_name();
            let directives = p.parse_directives(true);
            EnumValueDefinition {
                before_comment,
                after_comment,
                description,
                name,
                directives,
            }
        })
    }

    fn parse_input_fields_definition(&mut self) -> (Vec<FieldDefinition>, Comments) {
        self.some_commented(Kind::BraceL, Kind::BraceR, |p| p.parse_input_value_def())
    }

    fn parse_type_system_extension(&mut self, doc: &mut SchemaDocument) {
        let (_, comment) = self.expect_keyword("extend");
        let kw = self.peek().value;
        match kw.as_str() {
            "schema" => {
                let d = self.parse_schema_definition((String::new(), None), Some(comment));
                doc.schema_extension.push(d);
            }
            "scalar" | "type" | "interface" | "union" | "enum" | "input" => {
                self.expect_keyword(&kw);
                let mut def = Definition {
                    pos: self.peek_pos(),
                    after_comment: comment,
                    ..Default::default()
                };
                def.name = self.parse_name();
                let empty = match kw.as_str() {
                    "scalar" => {
                        def.kind = "SCALAR".into();
                        def.directives = self.parse_directives(true);
                        def.directives.is_empty()
                    }
                    "type" => {
                        def.kind = "OBJECT".into();
                        def.interfaces = self.parse_implements_interfaces();
                        def.directives = self.parse_directives(true);
                        (def.fields, def.end_comment) = self.parse_fields_definition();
                        def.interfaces.is_empty()
                            && def.directives.is_empty()
                            && def.fields.is_empty()
                    }
                    "interface" => {
                        def.kind = "INTERFACE".into();
                        def.directives = self.parse_directives(true);
                        (def.fields, def.end_comment) = self.parse_fields_definition();
                        def.directives.is_empty() && def.fields.is_empty()
                    }
                    "union" => {
                        def.kind = "UNION".into();
                        def.directives = self.parse_directives(true);
                        def.types = self.parse_union_member_types();
                        def.directives.is_empty() && def.types.is_empty()
                    }
                    "enum" => {
                        def.kind = "ENUM".into();
                        def.directives = self.parse_directives(true);
                        (def.enum_values, def.end_comment) = self.parse_enum_values_definition();
                        def.directives.is_empty() && def.enum_values.is_empty()
                    }
                    _ => {
                        def.kind = "INPUT_OBJECT".into();
                        def.directives = self.parse_directives(false);
                        (def.fields, def.end_comment) = self.parse_input_fields_definition();
                        def.directives.is_empty() && def.fields.is_empty()
                    }
                };
                if empty {
                    self.unexpected_error();
                }
                doc.extensions.push(def);
            }
            _ => self.unexpected_error(),
        }
    }

    fn parse_directive_definition(
        &mut self,
        description: (String, Comments),
    ) -> DirectiveDefinition {
        let (_, after) = self.expect_keyword("directive");
        self.expect(Kind::At);
        let mut def = DirectiveDefinition {
            pos: self.peek_pos(),
            before_comment: description.1,
            description: description.0,
            after_comment: after,
            ..Default::default()
        };
        def.name = self.parse_name();
        def.arguments = self.parse_argument_defs();
        let peek = self.peek();
        if peek.kind == Kind::Name && peek.value == "repeatable" {
            def.is_repeatable = true;
            self.skip(Kind::Name);
        }
        self.expect_keyword("on");
        self.skip(Kind::Pipe);
        let first = self.parse_directive_location();
        def.locations.push(first);
        while self.skip(Kind::Pipe) && self.err.is_none() {
            let l = self.parse_directive_location();
            def.locations.push(l);
        }
        def
    }

    fn parse_directive_location(&mut self) -> String {
        let name = self.expect(Kind::Name);
        if DIRECTIVE_LOCATIONS.contains(&name.value.as_str()) {
            return name.value;
        }
        self.unexpected_token(&name);
        String::new()
    }
}

/// The directive locations gqlparser knows.
pub(crate) const DIRECTIVE_LOCATIONS: &[&str] = &[
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
    "SCHEMA",
    "SCALAR",
    "OBJECT",
    "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION",
    "INTERFACE",
    "UNION",
    "ENUM",
    "ENUM_VALUE",
    "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
];

/// Parse a query document.
pub(crate) fn parse_query(input: &str) -> Result<QueryDocument, GqlError> {
    Parser::new(input).parse_query_document()
}

/// Parse a schema document.
pub(crate) fn parse_schema(input: &str) -> Result<SchemaDocument, GqlError> {
    Parser::new(input).parse_schema_document()
}
