//! Errors raised by builtins.

/// An error raised by a builtin call, shaped like OPA's builtin errors.
///
/// Without strict builtin errors, OPA turns such an error into an undefined
/// expression; with them, evaluation fails with [`BuiltinError::opa_message`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuiltinError {
    /// An operand had the wrong type (`eval_type_error` in OPA).
    #[error("{name}: operand {pos} must be {expected} but got {got}")]
    Type {
        /// Builtin name, e.g. `sprintf`.
        name: String,
        /// 1-based operand position.
        pos: usize,
        /// What OPA expected, e.g. `string`.
        expected: String,
        /// The type name of what was passed.
        got: String,
    },
    /// An operand failed a type check OPA words freely, e.g.
    /// `strings.replace_n: operand 1 non-string key found in pattern object`
    /// (`eval_type_error` in OPA).
    #[error("{name}: {message}")]
    Operand {
        /// Builtin name.
        name: String,
        /// OPA's message text, without the builtin name prefix.
        message: String,
    },
    /// The builtin failed for another reason (`eval_builtin_error` in OPA).
    #[error("{name}: {message}")]
    Failed {
        /// Builtin name.
        name: String,
        /// OPA's message text, without the builtin name prefix.
        message: String,
    },
    /// A resource bound inside the builtin was hit (a range too long to
    /// build, a shift too wide). It fails the evaluation whether or not
    /// builtin errors are strict: answering "undefined" instead would let
    /// a policy pass by exhausting the bound.
    #[error("{name}: {message}")]
    Limit {
        /// Builtin name.
        name: String,
        /// What bound was hit.
        message: String,
    },
    /// No implementation is registered for this name.
    #[error("builtin {0} is not available in this runtime")]
    NotAvailable(String),
    /// A capability-gated builtin was called while its capability is off.
    #[error("{0}: capability disabled (enable it in the runtime configuration)")]
    CapabilityDisabled(String),
    /// Called with the wrong number of arguments.
    #[error("{name}: expected {expected} arguments, got {got}")]
    Arity {
        /// Builtin name.
        name: String,
        /// Declared arity.
        expected: usize,
        /// Number of arguments received.
        got: usize,
    },
}

impl BuiltinError {
    /// Shorthand for a [`BuiltinError::Failed`].
    pub fn failed(name: &str, message: impl Into<String>) -> Self {
        BuiltinError::Failed {
            name: name.to_string(),
            message: message.into(),
        }
    }

    /// The OPA error code this error maps to (`eval_type_error` or
    /// `eval_builtin_error`).
    pub fn opa_code(&self) -> &'static str {
        match self {
            BuiltinError::Type { .. } | BuiltinError::Operand { .. } => "eval_type_error",
            _ => "eval_builtin_error",
        }
    }

    /// Whether the error fails the evaluation even without strict builtin
    /// errors (a missing builtin, a resource bound).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            BuiltinError::Limit { .. } | BuiltinError::NotAvailable(_)
        )
    }

    /// The message as OPA prints it (`<name>: <message>`).
    pub fn opa_message(&self) -> String {
        self.to_string()
    }
}
