//! The real webhook server with the real policy loader: the project's
//! `policies/` set (Gatekeeper templates + constraints, Kubewarden-style
//! OPA policies) and a Rego policy listed in the configuration, served
//! over HTTPS on 127.0.0.1.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common_server;

use common_server::{client, get, metric, pod_review, post, url};
use regowasm_runtime::server::{ServeOptions, ServerConfig, loader, start};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn policies_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policies")
}

async fn serve_real(cfg: ServerConfig) -> regowasm_runtime::server::RunningServer {
    let mut opts = ServeOptions::new(cfg, Arc::new(loader::default_loader()));
    opts.reload_on_sighup = false;
    let running = start(opts).await.unwrap();
    running.wait_ready(Duration::from_secs(60)).await.unwrap();
    running
}

fn base_config() -> ServerConfig {
    let mut cfg = ServerConfig {
        policy_set: Some(policies_dir()),
        ..ServerConfig::default()
    };
    cfg.listen = "127.0.0.1:0".parse().unwrap();
    cfg.reload.watch = false;
    cfg
}

/// A pod every default policy admits: allowed registry, pinned tag,
/// required labels, limits, read-only root, unprivileged.
fn good_containers() -> serde_json::Value {
    json!([{
        "name": "web",
        "image": "registry.k8s.io/nginx-slim:0.27",
        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
        "securityContext": {"privileged": false, "readOnlyRootFilesystem": true}
    }])
}

fn good_labels() -> serde_json::Value {
    json!({"app.kubernetes.io/name": "web", "team": "shop"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_policy_set_decides_over_https() {
    let running = serve_real(base_config()).await;
    let names: Vec<String> = running.policies().into_iter().map(|p| p.name).collect();
    assert!(names.contains(&"rwnoprivileged".to_string()), "{names:?}");
    assert!(
        names.contains(&"default-team-label".to_string()),
        "{names:?}"
    );
    let c = client(&running);
    let (code, body) = get(&c, &url(&running, "/readyz")).await;
    assert_eq!(code, 200, "{body}");

    // A privileged container: the Gatekeeper template alone denies, with
    // Gatekeeper's message format.
    let mut bad = good_containers();
    bad[0]["securityContext"]["privileged"] = json!(true);
    let (code, r, raw) = post(
        &c,
        &url(&running, "/validate/rwnoprivileged"),
        &pod_review("u-1", "web", bad.clone(), Some(good_labels())),
    )
    .await;
    assert_eq!(code, 200, "{raw}");
    assert_eq!(r["response"]["uid"], "u-1");
    assert_eq!(r["response"]["allowed"], false, "{raw}");
    let msg = r["response"]["status"]["message"].as_str().unwrap();
    assert!(msg.contains("privileged"), "{msg}");

    // The same pod through every policy at once: still denied.
    let (_, r, raw) = post(
        &c,
        &url(&running, "/validate"),
        &pod_review("u-2", "web", bad, Some(good_labels())),
    )
    .await;
    assert_eq!(r["response"]["allowed"], false, "{raw}");

    // A compliant pod passes every policy.
    let (_, r, raw) = post(
        &c,
        &url(&running, "/validate"),
        &pod_review("u-3", "web", good_containers(), Some(good_labels())),
    )
    .await;
    assert_eq!(r["response"]["allowed"], true, "{raw}");

    // The mutating OPA policy adds the missing team label as a JSONPatch.
    let (_, r, raw) = post(
        &c,
        &url(&running, "/mutate/default-team-label"),
        &pod_review(
            "u-4",
            "web",
            good_containers(),
            Some(json!({"app.kubernetes.io/name": "web"})),
        ),
    )
    .await;
    assert_eq!(r["response"]["allowed"], true, "{raw}");
    assert_eq!(r["response"]["patchType"], "JSONPatch", "{raw}");
    let patch = common_server::patch_of(&r).unwrap();
    assert!(patch.to_string().contains("team"), "{patch}");

    // Metrics count the decisions per policy.
    let (_, text) = get(&c, &url(&running, "/metrics")).await;
    assert!(
        metric(
            &text,
            "regowasm_decisions_total{policy=\"rwnoprivileged\",result=\"denied\"}"
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    running.shutdown(Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listed_rego_policy_and_a_broken_one() {
    let dir = std::env::temp_dir().join(format!("regowasm-srv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rego = dir.join("policy.rego");
    std::fs::write(
        &rego,
        r#"package policy

main := {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
  "response": {"uid": input.request.uid, "allowed": count(deny) == 0,
    "status": {"message": concat(", ", deny)}}}

deny contains msg if {
  some c in input.request.object.spec.containers
  not startswith(c.image, data.registry)
  msg := sprintf("image %s is not from %s", [c.image, data.registry])
}
"#,
    )
    .unwrap();
    let yaml = format!(
        "listen: 127.0.0.1:0\nreload: {{watch: false}}\npolicies:\n  - name: registry\n    kind: rego\n    path: {}\n    settings: {{registry: \"corp.example/\"}}\n",
        rego.display()
    );
    let cfg = ServerConfig::from_yaml(&yaml).unwrap();
    let running = serve_real(cfg).await;
    let c = client(&running);
    let (_, r, raw) = post(
        &c,
        &url(&running, "/validate/registry"),
        &pod_review(
            "u-9",
            "p",
            json!([{"name": "a", "image": "docker.io/x:1"}]),
            None,
        ),
    )
    .await;
    assert_eq!(r["response"]["allowed"], false, "{raw}");
    assert_eq!(
        r["response"]["status"]["message"], "image docker.io/x:1 is not from corp.example/",
        "{raw}"
    );
    let (_, r, raw) = post(
        &c,
        &url(&running, "/validate/registry"),
        &pod_review(
            "u-10",
            "p",
            json!([{"name": "a", "image": "corp.example/x:1"}]),
            None,
        ),
    )
    .await;
    assert_eq!(r["response"]["allowed"], true, "{raw}");
    running.shutdown(Duration::from_secs(1));

    // A policy that does not compile fails the load with a clear error.
    std::fs::write(&rego, "package policy\n\nmain := {\n").unwrap();
    let cfg = ServerConfig::from_yaml(&yaml).unwrap();
    let err = match loader::load_policy_set(&cfg) {
        Ok(_) => panic!("a broken policy loaded"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("registry"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
