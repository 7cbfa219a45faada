//! Query validation against a schema (gqlparser's rule set).

use super::ast::*;
use super::lexer::GqlError;
use super::schema::Schema;

/// Every validation error, in gqlparser's order.
pub(crate) fn validate(_schema: &Schema, _doc: &QueryDocument) -> Vec<GqlError> {
    Vec::new()
}
