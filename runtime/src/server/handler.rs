//! The seam between the server and the admission layer.
//!
//! The server knows nothing about how a policy decides: it asks an
//! [`AdmissionHandler`] (one loaded, immutable policy set) for one policy's
//! [`PolicyDecision`] on one AdmissionReview, and owns everything around
//! that call — deadlines, concurrency, failure policy, enforcement mode,
//! merging, metrics. A [`PolicyLoader`] builds a handler from a
//! [`ServerConfig`]; the server calls it at start-up and on every reload.

use super::config::ServerConfig;
use std::sync::Arc;

/// What the server needs to know about one policy of a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInfo {
    /// Unique name (`/validate/<name>`).
    pub name: String,
    /// The policy can produce patches (served on `/mutate/<name>`).
    pub mutating: bool,
    /// Resources the policy is about, for the printed webhook rules
    /// (`group/version/resource`, `*` wildcards); empty = everything.
    pub resources: Vec<String>,
    /// Wasm instances currently pooled for this policy (metrics), if the
    /// engine pools.
    pub pool_size: Option<usize>,
}

impl PolicyInfo {
    /// A validating policy about every resource.
    pub fn validating(name: impl Into<String>) -> Self {
        PolicyInfo {
            name: name.into(),
            mutating: false,
            resources: Vec::new(),
            pool_size: None,
        }
    }
}

/// One policy's answer for one review.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyDecision {
    /// Admit the object.
    pub allowed: bool,
    /// Why not (violation messages), in policy order.
    pub messages: Vec<String>,
    /// Warnings for the client (`kubectl` prints them).
    pub warnings: Vec<String>,
    /// JSONPatch operations (an array) when mutating.
    pub patch: Option<serde_json::Value>,
    /// HTTP-like status code for a denial (default 403).
    pub code: Option<u16>,
    /// Audit annotations.
    pub audit_annotations: Vec<(String, String)>,
}

impl PolicyDecision {
    /// Allow, nothing to say.
    pub fn allow() -> Self {
        PolicyDecision {
            allowed: true,
            ..Default::default()
        }
    }

    /// Deny with messages.
    pub fn deny(messages: impl IntoIterator<Item = impl Into<String>>) -> Self {
        PolicyDecision {
            allowed: false,
            messages: messages.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }
}

/// Why a policy could not decide. The server turns it into a decision per
/// the policy's failure policy, and counts it by [`ReviewError::cause`].
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// No policy of that name in the set.
    #[error("no policy named {0:?}")]
    UnknownPolicy(String),
    /// The review is well-formed JSON but not something the policy can
    /// take (e.g. no `request.object`).
    #[error("bad review: {0}")]
    BadReview(String),
    /// A limit was hit (timeout, memory, fuel, input size).
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// The policy trapped, aborted, or a builtin failed.
    #[error("evaluation failed: {0}")]
    Eval(String),
    /// The policy's result has an unexpected shape.
    #[error("unexpected policy result: {0}")]
    Result(String),
}

impl ReviewError {
    /// A short label for metrics (`errors_total{cause=...}`).
    pub fn cause(&self) -> &'static str {
        match self {
            ReviewError::UnknownPolicy(_) => "unknown_policy",
            ReviewError::BadReview(_) => "bad_review",
            ReviewError::Limit(_) => "limit",
            ReviewError::Eval(_) => "eval",
            ReviewError::Result(_) => "result",
        }
    }
}

/// One loaded policy set. Immutable once built; the server swaps whole
/// handlers on reload. Calls come from blocking worker threads, many at
/// once.
pub trait AdmissionHandler: Send + Sync + 'static {
    /// The policies of this set, in a stable order.
    fn policies(&self) -> Vec<PolicyInfo>;

    /// Run one policy on one AdmissionReview (the whole review document,
    /// `admission.k8s.io/v1` or `v1beta1`). With `mutate`, the policy may
    /// return a patch. A policy that does not match the object answers
    /// [`PolicyDecision::allow`]. The handler must enforce the policy's
    /// own limits (time, memory) so a runaway evaluation ends by itself.
    fn review(
        &self,
        policy: &str,
        mutate: bool,
        review: &serde_json::Value,
    ) -> Result<PolicyDecision, ReviewError>;

    /// Make every policy ready to serve at full speed (compile,
    /// instantiate pools, evaluate once). `/readyz` turns green only after
    /// this returns `Ok` on the first set.
    fn warm(&self) -> Result<(), ReviewError> {
        Ok(())
    }
}

/// Errors loading a policy set.
#[derive(Debug, thiserror::Error)]
#[error("loading policies: {0}")]
pub struct LoadError(pub String);

/// Builds a policy set from a configuration.
pub trait PolicyLoader: Send + Sync + 'static {
    /// Load (not yet warm) the set the configuration describes.
    fn load(&self, config: &ServerConfig) -> Result<Arc<dyn AdmissionHandler>, LoadError>;
}

impl<F> PolicyLoader for F
where
    F: Fn(&ServerConfig) -> Result<Arc<dyn AdmissionHandler>, LoadError> + Send + Sync + 'static,
{
    fn load(&self, config: &ServerConfig) -> Result<Arc<dyn AdmissionHandler>, LoadError> {
        self(config)
    }
}
