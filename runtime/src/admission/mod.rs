//! The Kubernetes admission interface: AdmissionReview, Gatekeeper
//! templates and constraints, Kubewarden-style policies.
