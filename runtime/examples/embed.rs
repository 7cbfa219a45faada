//! Embedding the evaluator in your own webhook host, with kube-rs types.
//!
//! `regowasm serve` is one host; if you already run one (kube-rs, axum,
//! actix, ...), load a [`PolicySet`] once at start-up, share it (it is
//! `Send + Sync`), and in your handler turn the typed `AdmissionReview`
//! into an `AdmissionResponse`:
//!
//! ```ignore
//! async fn validate(State(set): State<Arc<PolicySet>>,
//!                   Json(review): Json<AdmissionReview<DynamicObject>>)
//!     -> Json<AdmissionReview<DynamicObject>> {
//!     // Evaluation is CPU-bound: keep it off the async threads.
//!     let response = tokio::task::spawn_blocking(move || set.review(&review)).await.unwrap();
//!     Json(response.into_review())
//! }
//! ```
//!
//! This example does exactly that without a network: it loads a policy
//! directory (default: the workspace's `policies/`), reads
//! AdmissionReviews (JSON files given as arguments, or one built in), and
//! prints each typed response.
//!
//! ```sh
//! cargo run -p regowasm-runtime --example embed -- [--policies DIR] [review.json ...]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kube::core::DynamicObject;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview};
use regowasm_runtime::admission::PolicySet;
use std::path::PathBuf;

fn sample() -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "embed-1",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "default",
            "name": "web",
            "operation": "CREATE",
            "userInfo": {"username": "dev"},
            "object": {
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "web", "namespace": "default"},
                "spec": {"containers": [{"name": "web", "image": "nginx:latest",
                                          "securityContext": {"privileged": true}}]}
            }
        }
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policies");
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--policies" {
            dir = args.next().ok_or("--policies needs a directory")?.into();
        } else {
            files.push(PathBuf::from(a));
        }
    }

    // 1. Load once (compile templates, constraints and policies).
    let set = PolicySet::from_dir(&dir)?;
    eprintln!("loaded {} policies from {}", set.len(), dir.display());

    let reviews: Vec<serde_json::Value> = if files.is_empty() {
        vec![sample()]
    } else {
        files
            .iter()
            .map(|f| Ok(serde_json::from_slice(&std::fs::read(f)?)?))
            .collect::<Result<_, Box<dyn std::error::Error>>>()?
    };

    for raw in reviews {
        // 2. The typed review your host already has.
        let review: AdmissionReview<DynamicObject> = serde_json::from_value(raw)?;
        let request: AdmissionRequest<DynamicObject> = review.clone().try_into()?;
        eprintln!(
            "{:?} {} {}/{}",
            request.operation,
            request.kind.kind,
            request.namespace.as_deref().unwrap_or(""),
            request.name
        );

        // 3. Decide: a typed AdmissionResponse (uid echoed, status,
        //    warnings, JSONPatch for mutating policies).
        let response: AdmissionResponse = set.review(&review);

        // 4. Answer the API server.
        println!("{}", serde_json::to_string_pretty(&response.into_review())?);
    }
    Ok(())
}
