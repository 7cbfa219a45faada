//! The Kubernetes admission interface: AdmissionReview, Gatekeeper
//! templates and constraints, Kubewarden-style policies.
//!
//! What it is for:
//! - [`PolicySet`]: the library entry point. Load policies (a directory,
//!   YAML documents, or typed values), then [`PolicySet::review`] an
//!   `AdmissionReview` (`admission.k8s.io/v1` or `v1beta1`) and get the
//!   `AdmissionResponse` back (uid echoed, allowed, status, warnings, a
//!   validated JSON patch). `Send + Sync`: share one set across threads.
//! - Gatekeeper: [`ConstraintTemplate`] + [`Constraint`] with Gatekeeper's
//!   match semantics ([`Match`]), parameter schema validation, enforcement
//!   actions, the `input.review` / `input.parameters` input and the
//!   `data.inventory` document ([`Inventory`]).
//! - Kubewarden-style OPA policies ([`OpaPolicy`]): the AdmissionReview is
//!   the input, the entrypoint returns an AdmissionReview-shaped response.
//! - [`verify`]: gator `verify` suites.
//!
//! Decisions fail closed: an evaluation error, deadline, missing builtin or
//! malformed result denies the request with a message naming the cause,
//! unless the policy says `failurePolicy: Ignore`.
//!
//! What it is not for: executing Rego (it asks an engine for a result set)
//! or serving HTTP (see `server`).

pub(crate) mod compat;
mod doc;
mod engine;
mod error;
mod gatekeeper;
mod inventory;
mod matcher;
mod opa;
mod policyset;
mod request;
mod response;
mod selector;
pub mod verify;
mod yaml;

pub(crate) use engine::first_line as engine_first_line;
pub use engine::{EngineChoice, FailurePolicy};
pub use error::AdmissionError;
pub use gatekeeper::{
    Constraint, ConstraintTemplate, EnforcementAction, GatekeeperPolicy, TemplateSource, Violation,
};
pub use inventory::Inventory;
pub use matcher::{KindSelector, Match};
pub use opa::OpaPolicy;
pub use policyset::{Decision, Outcome, OutcomeKind, PolicySet, review_to_json};
pub use request::ReviewRequest;
pub use response::validate_patch;
pub use selector::{LabelSelector, Wildcard};
