//! `rego.parse_module(filename, source)`: parse a Rego module and return
//! OPA's AST of it in its JSON form, as OPA v1.20.2 does (`ast.ParseModule`
//! with Rego v1 syntax, `json.Encode` of the module, read back as a term):
//! no locations, comments included (base64 text, row and column),
//! annotations not processed (`# METADATA` blocks are plain comments).
//!
//! Built on regorus's parser. The pipeline:
//! 1. [`prepare`] reads from the text what regorus's parser does not
//!    handle as OPA does, keeping every line and column in place: imports
//!    (OPA takes them anywhere, repeated, with its own checks), data
//!    literals (regorus re-reads each `[`/`{` as a comprehension first,
//!    exponential in nesting), `default p` without a value, numbers
//!    beyond `f64`, and a `(` that starts a new line;
//! 2. regorus parses the rest (Rego v1);
//! 3. [`convert`] turns regorus's AST into OPA's (operators as calls,
//!    `_` as `$N` wildcards, OPA's rule-head `name`/`key`/`value` rules,
//!    `else` chains, unary minus precedence, sets and objects in OPA's
//!    term order), reading number literals from the source;
//! 4. [`ast`] writes it out as OPA marshals it; [`comments`] re-scans the
//!    comments (regorus's lexer drops them).
//!
//! regorus's AST keeps spans, so nothing OPA's location-free JSON shows is
//! lost. Where the result differs from OPA's (see also
//! `compat-tests/COMPATIBILITY.md`):
//! - syntax errors: OPA's layout (`N error(s) occurred: file:row:
//!   rego_parse_error: msg`, the line, a caret) and, for the common
//!   mistakes, OPA's wording ([`messages`], locating errors regorus loses
//!   inside bodies by re-parsing them); regorus stops at its first error
//!   where OPA may go on and report more, and a few unusual mistakes are
//!   worded or placed otherwise;
//! - template strings (`$"...{x}"`) and the `and`/`or` future keywords
//!   are not parsed (regorus 0.14.1 has neither): a syntax error;
//! - bounds OPA does not have: the source ([`MAX_SOURCE_BYTES`]), nesting
//!   of brackets other than data literals, operators per expression, and
//!   the depth of the resulting value ([`crate::DEFAULT_MAX_DEPTH`]); each
//!   is a `Limit` error (fatal, like other resource bounds).
//!
//! regorus runs under `catch_unwind` on a thread with a large stack: a
//! panic becomes this call's error.

mod ast;
mod comments;
mod convert;
mod error;
mod messages;
mod prepare;

use super::native;
use crate::{BuiltinError, DEFAULT_MAX_DEPTH, Registry, Value, args};
use error::ParseError;
use std::num::{NonZeroU32, NonZeroUsize};

const NAME: &str = "rego.parse_module";

/// The largest module source `rego.parse_module` parses (bytes).
pub(crate) const MAX_SOURCE_BYTES: usize = 1 << 20;

/// Stack of the thread that parses (regorus's parser and the AST's drop
/// recurse along long operator chains).
const PARSE_STACK_BYTES: usize = 64 << 20;

pub(crate) fn register(r: &mut Registry) {
    native(r, NAME, 2, |_, a| {
        let file = args::string(NAME, a, 0)?;
        // OPA reports a bad source as operand 1 too.
        let source = match a.get(1) {
            Some(Value::String(s)) => s,
            other => {
                return Err(args::type_error(
                    NAME,
                    0,
                    "string",
                    other.unwrap_or(&Value::Null),
                ));
            }
        };
        parse_module(file, source).map(Some)
    });
}

/// Parse `source` as the module `file`; OPA's AST JSON, or OPA's
/// `rego_parse_error` text as a builtin error.
pub(crate) fn parse_module(file: &str, source: &str) -> Result<Value, BuiltinError> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(BuiltinError::Limit {
            name: NAME.to_string(),
            message: format!(
                "module source of {} bytes exceeds the limit of {MAX_SOURCE_BYTES} bytes",
                source.len()
            ),
        });
    }
    let run = || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let value = parse(file, source)?.to_value();
            let depth = value_depth(&value);
            if depth > DEFAULT_MAX_DEPTH {
                return Err(ParseError::Limit(format!(
                    "the module's AST nests {depth} levels deep (limit {DEFAULT_MAX_DEPTH})"
                )));
            }
            Ok(value)
        }))
    };
    // regorus's parser recurses: a dedicated thread with a large stack
    // (the nesting is bounded in `prepare`), inline if none can be made.
    let out = std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("rego.parse_module".into())
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, run)
        {
            Ok(handle) => handle.join().unwrap_or_else(Err),
            Err(_) => run(),
        }
    });
    match out {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(ParseError::Limit(message))) => Err(BuiltinError::Limit {
            name: NAME.to_string(),
            message,
        }),
        Ok(Err(e)) => Err(BuiltinError::failed(NAME, e.opa_text(file, source))),
        Err(_) => Err(BuiltinError::failed(
            NAME,
            "internal error in the regorus parser (it panicked)",
        )),
    }
}

fn parse(file: &str, source: &str) -> Result<ast::Module, ParseError> {
    if comments::is_blank(source) {
        return Err(ParseError::EmptyModule);
    }
    let prepared = prepare::prepare(source)?;
    let (parsed, contains_at) = match regorus_parse(file, &prepared.text) {
        Ok(m) => (m, Vec::new()),
        Err(ParseError::At { msg, .. }) if msg == "else cannot be used with set rules" => {
            // A `contains` rule with several bodies: read its heads as
            // `:=` heads (see `prepare`).
            let (text, offsets) = prepare::contains_as_assign(&prepared.text);
            match regorus_parse(file, &text) {
                Ok(m) => (m, offsets),
                Err(e) => return Err(opa_error(file, &prepared.text, e)),
            }
        }
        Err(e) => return Err(opa_error(file, &prepared.text, e)),
    };
    let mut module = convert::Converter::new(source, contains_at)
        .with_bare_defaults(prepared.bare_defaults)
        .with_literals(prepared.literals)
        .module(file, &parsed)
        .map_err(|e| messages::with_head_value_error(e, &prepared.text))?;
    module.imports = prepared.imports.into_iter().map(|(_, i)| i).collect();
    module.comments = comments::scan(source);
    Ok(module)
}

/// A regorus error as OPA reports it: located more precisely when
/// regorus lost the error inside a rule body ([`refine`]), then worded as
/// OPA does ([`messages`]).
fn opa_error(file: &str, text: &str, e: ParseError) -> ParseError {
    messages::to_opa(refine(file, text, e), text)
}

/// regorus parses `if { ... }` first as a body and, when that fails, as a
/// set literal, and then reports the set's error (`... while parsing
/// set`), usually far from the real one; an error in the first statement
/// of a body is reported at its `{` (`expecting }`). Parsing the body's statements on
/// their own (the rest of the text blanked, so lines and columns stay)
/// finds the error OPA reports; an error at the end of the statements is
/// at the closing brace.
fn refine(file: &str, text: &str, mut e: ParseError) -> ParseError {
    for _ in 0..8 {
        let ParseError::At { line, col, msg } = &e else {
            return e;
        };
        let off = messages::offset_of(text, *line, *col);
        let body = if msg.contains("while parsing set") {
            prepare::enclosing_body(text, off)
        } else if msg == "expecting }" && text.as_bytes().get(off) == Some(&b'{') {
            // An `every` (or other) body whose first statement failed.
            Some((off, prepare::matching_close(text, off)))
        } else {
            None
        };
        let Some((open, close)) = body else {
            return e;
        };
        let inner_end = close.unwrap_or(text.len());
        let mut blanked: Vec<char> = text
            .char_indices()
            .map(|(i, c)| {
                if (i > open && i < inner_end) || c == '\n' {
                    c
                } else {
                    ' '
                }
            })
            .collect();
        // A first statement that parses (`1;`) in the blanked text before
        // the body: regorus reports an error in a query's first
        // statement without its position.
        let first_char = text
            .get(..=open)
            .map_or(0, |t| t.chars().count().saturating_sub(1));
        let slots: Vec<usize> = (0..=first_char)
            .rev()
            .filter(|&k| blanked.get(k).is_some_and(|&c| c != '\n'))
            .take(2)
            .collect();
        let [semi, one] = slots.as_slice() else {
            return e;
        };
        if let Some(c) = blanked.get_mut(*semi) {
            *c = ';';
        }
        if let Some(c) = blanked.get_mut(*one) {
            *c = '1';
        }
        let blanked: String = blanked.into_iter().collect();
        let Some(found) = regorus_query_error(file, &blanked) else {
            return e;
        };
        let found = match (&found, close) {
            (ParseError::At { line, col, msg }, Some(close))
                if messages::offset_of(text, *line, *col) >= close
                    || text
                        .get(messages::offset_of(text, *line, *col)..close)
                        .is_some_and(|r| r.trim().is_empty()) =>
            {
                let (line, col) = error::position(text, close);
                ParseError::At {
                    line,
                    col,
                    msg: msg.clone(),
                }
            }
            _ => found,
        };
        if found == e {
            return e;
        }
        e = found;
    }
    e
}

/// regorus's error for `text` parsed as a query (statements), if any.
fn regorus_query_error(file: &str, text: &str) -> Option<ParseError> {
    let src = regorus_source(file, text).ok()?;
    let mut parser = regorus_parser(file, text, &src).ok()?;
    match parser.parse_user_query() {
        Ok(_) => None,
        Err(e) => Some(regorus_err(file, text, &e)),
    }
}

/// regorus's parse of the prepared text (Rego v1).
fn regorus_parse(file: &str, text: &str) -> Result<regorus::unstable::Module, ParseError> {
    let src = regorus_source(file, text)?;
    let mut parser = regorus_parser(file, text, &src)?;
    parser.parse().map_err(|e| regorus_err(file, text, &e))
}

/// A regorus source without regorus's length limits (the source is
/// bounded by [`MAX_SOURCE_BYTES`]).
fn regorus_source(file: &str, text: &str) -> Result<regorus::Source, ParseError> {
    let (Some(max_bytes), Some(max_lines)) = (
        NonZeroUsize::new(MAX_SOURCE_BYTES.saturating_add(1)),
        NonZeroUsize::new(MAX_SOURCE_BYTES.saturating_add(1)),
    ) else {
        return Err(ParseError::Limit("invalid source limits".into()));
    };
    regorus::Source::from_contents_with_limits(
        file.to_string(),
        text.to_string(),
        max_bytes,
        max_lines,
    )
    .map_err(|e| regorus_err(file, text, &e))
}

/// A Rego v1 parser for `src`, without regorus's line-width limit.
fn regorus_parser<'s>(
    file: &str,
    text: &str,
    src: &'s regorus::Source,
) -> Result<regorus::unstable::Parser<'s>, ParseError> {
    let mut parser =
        regorus::unstable::Parser::new(src).map_err(|e| regorus_err(file, text, &e))?;
    if let Some(max_col) = NonZeroU32::new(u32::try_from(MAX_SOURCE_BYTES).unwrap_or(u32::MAX)) {
        parser.set_max_col(max_col);
    }
    parser
        .enable_rego_v1()
        .map_err(|e| regorus_err(file, text, &e))?;
    Ok(parser)
}

/// The nesting depth of a value (iteratively).
fn value_depth(v: &Value) -> usize {
    let mut max = 0;
    let mut todo = vec![(v, 1_usize)];
    while let Some((v, d)) = todo.pop() {
        max = max.max(d);
        match v {
            Value::Array(items) => todo.extend(items.iter().map(|x| (x, d + 1))),
            Value::Set(items) => todo.extend(items.iter().map(|x| (x, d + 1))),
            Value::Object(map) => {
                todo.extend(map.iter().flat_map(|(k, x)| [(k, d + 1), (x, d + 1)]));
            }
            _ => {}
        }
    }
    max
}

/// A regorus error, as located and worded by regorus.
fn regorus_err(file: &str, text: &str, e: &dyn std::fmt::Display) -> ParseError {
    error::from_regorus(file, text, &e.to_string())
}
