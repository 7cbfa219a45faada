//! OPA's `graphql.*` builtins: a GraphQL lexer, parser, schema builder and
//! query validator reproducing the behaviour, AST shape and messages of the
//! gqlparser library OPA uses.

mod ast;
mod lexer;
mod overlap;
mod parser;
mod schema;
mod validate;

use super::native;
use crate::{BuiltinError, Registry, Value, args};
use ast::{QueryDocument, SchemaDocument};
use lexer::GqlError;

/// OPA's rendering of a gqlparser error text `input:L:C: msg`: the message
/// with its location appended, or the raw text (`GraphQL parse error: ...`)
/// when it has no location in digits.
fn located(text: &str, trim_suffix: bool) -> String {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = text.splitn(4, ':').collect();
    match parts.as_slice() {
        [_, line, col, rest] if digits(line) && digits(col) => {
            let mut msg = rest.trim_start_matches(' ');
            if trim_suffix {
                msg = msg.strip_suffix(".\n").unwrap_or(msg);
            }
            format!("{msg} in GraphQL string at location {line}:{col}")
        }
        _ => format!("GraphQL parse error: {text}"),
    }
}

fn parse_error(e: &GqlError) -> String {
    located(&e.text(), false)
}

enum Failure {
    /// A Rego type error (operand position as OPA numbers it).
    Type(usize),
    /// An error message.
    Msg(String),
}

fn query_doc(v: &Value) -> Result<QueryDocument, Failure> {
    match v {
        Value::String(s) => parser::parse_query(s).map_err(|e| Failure::Msg(parse_error(&e))),
        Value::Object(_) => ast::query_from_value(v).map_err(Failure::Msg),
        _ => Err(Failure::Type(0)),
    }
}

fn schema_doc(v: &Value, pos: usize) -> Result<SchemaDocument, Failure> {
    match v {
        Value::String(s) => parser::parse_schema(s).map_err(|e| Failure::Msg(parse_error(&e))),
        Value::Object(_) => ast::schema_from_value(v).map_err(Failure::Msg),
        _ => Err(Failure::Type(pos)),
    }
}

fn build_schema(doc: &SchemaDocument) -> Result<schema::Schema, Failure> {
    schema::build(doc).map_err(|e| {
        Failure::Msg(format!(
            "Error in gqlparser SchemaDocument to Schema conversion: {}",
            e.text()
        ))
    })
}

fn check_query(schema: &schema::Schema, doc: &QueryDocument) -> Result<(), Failure> {
    let errs = validate::validate(schema, doc);
    if errs.is_empty() {
        return Ok(());
    }
    let text: String = errs.iter().map(|e| format!("{}\n", e.text())).collect();
    if errs.first().is_some_and(|e| e.pos.is_none()) {
        return Err(Failure::Msg(format!("GraphQL parse error: {text}")));
    }
    Err(Failure::Msg(located(&text, true)))
}

/// Parse both documents, build the schema and validate the query.
fn parse_and_check(q: &Value, s: &Value) -> Result<(Value, Value), Failure> {
    let qd = query_doc(q)?;
    let sd = schema_doc(s, 1)?;
    let (qv, sv) = (ast::query_to_value(&qd), ast::schema_to_value(&sd));
    let schema = build_schema(&sd)?;
    check_query(&schema, &qd)?;
    Ok((qv, sv))
}

fn fail(name: &str, a: &[Value], f: Failure) -> BuiltinError {
    match f {
        Failure::Type(pos) => BuiltinError::Type {
            name: name.to_string(),
            pos,
            expected: "one of {string, object}".to_string(),
            got: a
                .get(pos)
                .map(Value::type_name)
                .unwrap_or("nothing")
                .to_string(),
        },
        Failure::Msg(m) => BuiltinError::failed(name, m),
    }
}

fn arg(a: &[Value], i: usize) -> &Value {
    a.get(i).unwrap_or(&Value::Null)
}

/// Register the `graphql.*` builtins.
pub(crate) fn register(r: &mut Registry) {
    native(r, "graphql.parse_query", 1, |_, a| {
        let name = "graphql.parse_query";
        let q = args::string(name, a, 0)?;
        let doc =
            parser::parse_query(q).map_err(|e| BuiltinError::failed(name, parse_error(&e)))?;
        Ok(Some(ast::query_to_value(&doc)))
    });
    native(r, "graphql.parse_schema", 1, |_, a| {
        let name = "graphql.parse_schema";
        let s = args::string(name, a, 0)?;
        let doc =
            parser::parse_schema(s).map_err(|e| BuiltinError::failed(name, parse_error(&e)))?;
        Ok(Some(ast::schema_to_value(&doc)))
    });
    native(r, "graphql.parse", 2, |_, a| {
        let name = "graphql.parse";
        let (q, s) = parse_and_check(arg(a, 0), arg(a, 1)).map_err(|f| fail(name, a, f))?;
        Ok(Some(Value::array(vec![q, s])))
    });
    native(r, "graphql.parse_and_verify", 2, |_, a| {
        Ok(Some(match parse_and_check(arg(a, 0), arg(a, 1)) {
            Ok((q, s)) => Value::array(vec![Value::Bool(true), q, s]),
            Err(_) => Value::array(vec![
                Value::Bool(false),
                Value::object([]),
                Value::object([]),
            ]),
        }))
    });
    native(r, "graphql.is_valid", 2, |_, a| {
        let ok = query_doc(arg(a, 0)).and_then(|qd| {
            let sd = schema_doc(arg(a, 1), 1)?;
            let schema = build_schema(&sd)?;
            check_query(&schema, &qd)
        });
        Ok(Some(Value::Bool(ok.is_ok())))
    });
    native(r, "graphql.schema_is_valid", 1, |_, a| {
        let ok = schema_doc(arg(a, 0), 0).and_then(|sd| build_schema(&sd).map(|_| ()));
        Ok(Some(Value::Bool(ok.is_ok())))
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::EvalContext;

    fn call(name: &str, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
        Registry::with_defaults().call(&EvalContext::new(), name, args)
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let n = 100_000;
        for q in [
            format!("{}{}", "{a".repeat(n), "}".repeat(n)),
            format!("{{a(b:{}{})}}", "[".repeat(n), "]".repeat(n)),
            format!("query($v:{}Int{}) {{a}}", "[".repeat(n), "]".repeat(n)),
        ] {
            let r = call("graphql.parse_query", &[Value::string(q.as_str())]);
            let msg = r.expect_err("too deep").opa_message();
            assert!(msg.contains("maximum depth"), "{msg}");
            let v = call(
                "graphql.is_valid",
                &[
                    Value::string(q.as_str()),
                    Value::string("type Query { a: Int }"),
                ],
            );
            assert_eq!(v.unwrap(), Some(Value::Bool(false)));
        }
    }

    #[test]
    fn quadratic_validation_is_bounded() {
        // 4000 fields with one response name: 8 million pairs to compare.
        let q = format!("{{ {} }}", "x: a ".repeat(4000));
        let r = call(
            "graphql.parse",
            &[
                Value::string(q.as_str()),
                Value::string("type Query { a: Int }"),
            ],
        );
        let msg = r.expect_err("over the work limit").opa_message();
        assert!(msg.contains("too complex to validate"), "{msg}");
        // Below the limit the same shape validates.
        let q = format!("{{ {} }}", "x: a ".repeat(100));
        let r = call(
            "graphql.is_valid",
            &[
                Value::string(q.as_str()),
                Value::string("type Query { a: Int }"),
            ],
        );
        assert_eq!(r.unwrap(), Some(Value::Bool(true)));
    }

    #[test]
    fn parse_errors_carry_gqlparser_messages_and_locations() {
        let e = call("graphql.parse_query", &[Value::string("{")]).unwrap_err();
        assert_eq!(
            e.opa_message(),
            "graphql.parse_query: Expected Name, found <EOF> in GraphQL string at location 1:2"
        );
        let e = call(
            "graphql.parse_schema",
            &[Value::string("type Q {\n  a(: Int }")],
        )
        .unwrap_err();
        assert_eq!(
            e.opa_message(),
            "graphql.parse_schema: Expected Name, found : in GraphQL string at location 2:5"
        );
    }

    #[test]
    fn validation_errors_are_joined_like_gqlerror_lists() {
        let e = call(
            "graphql.parse",
            &[
                Value::string("{a} {a}"),
                Value::string("type Query { a: Int }"),
            ],
        )
        .unwrap_err();
        assert_eq!(
            e.opa_message(),
            "graphql.parse: This anonymous operation must be the only defined operation.\n\
             input:1:5: This anonymous operation must be the only defined operation.\n\
             input:1:5: There can be only one operation named \"\" in GraphQL string at location 1:1"
        );
    }

    #[test]
    fn ast_objects_round_trip_through_parse() {
        let q = call("graphql.parse_query", &[Value::string("{ a { b } }")])
            .unwrap()
            .unwrap();
        let s = call(
            "graphql.parse_schema",
            &[Value::string("type Query { a: A } type A { b: Int }")],
        )
        .unwrap()
        .unwrap();
        let out = call("graphql.parse", &[q.clone(), s.clone()])
            .unwrap()
            .unwrap();
        assert_eq!(out, Value::array(vec![q, s]));
    }
}
