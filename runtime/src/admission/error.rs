//! Errors of the admission layer.

use std::path::PathBuf;

/// An error loading admission policies or reading an admission request.
///
/// Evaluation problems at review time are not errors of this type: they
/// become part of the [`crate::admission::Decision`] (fail closed).
#[derive(Debug, thiserror::Error)]
pub enum AdmissionError {
    /// A file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A YAML or JSON document could not be parsed.
    #[error("parsing {origin}: {message}")]
    Parse {
        /// Where the document came from (a path or a description).
        origin: String,
        /// What was wrong.
        message: String,
    },
    /// A ConstraintTemplate is malformed or its Rego does not compile.
    #[error("invalid ConstraintTemplate {name:?}: {reason}")]
    InvalidTemplate {
        /// The template's name.
        name: String,
        /// What was wrong.
        reason: String,
    },
    /// A Constraint is malformed (bad match, enforcement action, ...).
    #[error("invalid constraint {kind}/{name}: {reason}")]
    InvalidConstraint {
        /// The constraint's kind.
        kind: String,
        /// The constraint's name.
        name: String,
        /// What was wrong.
        reason: String,
    },
    /// A Constraint's `spec.parameters` do not satisfy the template's
    /// `openAPIV3Schema`.
    #[error("constraint {kind}/{name}: parameters do not match the template schema: {}", errors.join("; "))]
    Schema {
        /// The constraint's kind.
        kind: String,
        /// The constraint's name.
        name: String,
        /// One message per schema violation.
        errors: Vec<String>,
    },
    /// A Constraint whose kind no loaded ConstraintTemplate defines.
    #[error("constraint {kind}/{name}: no ConstraintTemplate defines kind {kind}")]
    UnknownConstraintKind {
        /// The constraint's kind.
        kind: String,
        /// The constraint's name.
        name: String,
    },
    /// A Kubewarden-style policy definition is malformed or its Rego does
    /// not compile.
    #[error("invalid policy {name:?}: {reason}")]
    InvalidPolicy {
        /// The policy's name.
        name: String,
        /// What was wrong.
        reason: String,
    },
    /// Two policies or templates with the same identity.
    #[error("duplicate {what} {name:?}")]
    Duplicate {
        /// What is duplicated (`template`, `constraint`, `policy`).
        what: &'static str,
        /// Its name.
        name: String,
    },
    /// An AdmissionReview (or object to review) is malformed.
    #[error("invalid AdmissionReview: {0}")]
    InvalidReview(String),
}

impl AdmissionError {
    /// Shorthand for a parse error.
    pub(crate) fn parse(origin: impl Into<String>, message: impl ToString) -> AdmissionError {
        AdmissionError::Parse {
            origin: origin.into(),
            message: message.to_string(),
        }
    }
}
