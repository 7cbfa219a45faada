//! The webhook server over real HTTPS on 127.0.0.1: decisions, warnings,
//! patches, merging, malformed input, limits, metrics, readiness, mTLS,
//! reload.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common_server;

use common_server::*;
use serde_json::json;
use std::time::Duration;

const SET: &str = r#"
policies:
  - name: no-privileged
    settings: {behaviour: deny-privileged}
  - name: latest-tag
    settings: {behaviour: warn-latest}
  - name: add-label
    settings: {behaviour: add-label, key: owner, value: platform}
"#;

fn privileged() -> serde_json::Value {
    json!([{"name": "app", "image": "nginx:latest", "securityContext": {"privileged": true}}])
}

fn plain() -> serde_json::Value {
    json!([{"name": "app", "image": "nginx:1.27"}])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_warnings_and_patches_over_https() {
    let running = serve(config(SET), None, true).await;
    assert!(running.cert_generated());
    assert!(running.base_url().starts_with("https://127.0.0.1:"));
    let c = client(&running);

    // One policy: deny with its message, uid echoed.
    let (code, r, _) = post(
        &c,
        &url(&running, "/validate/no-privileged"),
        &pod_review("u-1", "p", privileged(), None),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(r["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(r["kind"], "AdmissionReview");
    assert_eq!(r["response"]["uid"], "u-1");
    assert_eq!(r["response"]["allowed"], false);
    assert_eq!(
        r["response"]["status"]["message"],
        "container app is privileged"
    );
    assert_eq!(r["response"]["status"]["code"], 403);

    let (_, r, _) = post(
        &c,
        &url(&running, "/validate/no-privileged"),
        &pod_review("u-2", "p", plain(), None),
    )
    .await;
    assert_eq!(r["response"]["allowed"], true);
    assert!(r["response"].get("status").is_none());

    // Warnings only: allowed, warning passed through.
    let (_, r, _) = post(
        &c,
        &url(&running, "/validate/latest-tag"),
        &pod_review("u-3", "p", privileged(), None),
    )
    .await;
    assert_eq!(r["response"]["allowed"], true);
    assert_eq!(
        r["response"]["warnings"],
        json!(["image nginx:latest uses the latest tag"])
    );

    // All policies merged: any deny denies, messages prefixed, warnings kept.
    let (_, r, _) = post(
        &c,
        &url(&running, "/validate"),
        &pod_review("u-4", "p", privileged(), None),
    )
    .await;
    assert_eq!(r["response"]["allowed"], false);
    assert_eq!(
        r["response"]["status"]["message"],
        "[no-privileged] container app is privileged"
    );
    assert_eq!(
        r["response"]["warnings"],
        json!(["image nginx:latest uses the latest tag"])
    );
    assert!(
        r["response"].get("patch").is_none(),
        "/validate never patches"
    );
    let (_, r, _) = post(
        &c,
        &url(&running, "/validate"),
        &pod_review("u-5", "p", plain(), None),
    )
    .await;
    assert_eq!(r["response"]["allowed"], true);
    assert!(r["response"].get("warnings").is_none());

    // Mutation: JSONPatch, base64; both label shapes.
    let (_, r, _) = post(
        &c,
        &url(&running, "/mutate/add-label"),
        &pod_review("u-6", "p", plain(), None),
    )
    .await;
    assert_eq!(r["response"]["allowed"], true);
    assert_eq!(r["response"]["patchType"], "JSONPatch");
    assert_eq!(
        patch_of(&r).unwrap(),
        json!([{"op": "add", "path": "/metadata/labels", "value": {"owner": "platform"}}])
    );
    let (_, r, _) = post(
        &c,
        &url(&running, "/mutate/add-label"),
        &pod_review("u-7", "p", plain(), Some(json!({"a": "b"}))),
    )
    .await;
    assert_eq!(
        patch_of(&r).unwrap(),
        json!([{"op": "add", "path": "/metadata/labels/owner", "value": "platform"}])
    );
    // The same policy on /validate gives no patch.
    let (_, r, _) = post(
        &c,
        &url(&running, "/validate/add-label"),
        &pod_review("u-8", "p", plain(), None),
    )
    .await;
    assert!(r["response"].get("patch").is_none());

    // v1beta1 reviews are answered in v1beta1.
    let mut beta = pod_review("u-9", "p", privileged(), None);
    beta["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let (_, r, _) = post(&c, &url(&running, "/validate/no-privileged"), &beta).await;
    assert_eq!(r["apiVersion"], "admission.k8s.io/v1beta1");
    assert_eq!(r["response"]["allowed"], false);

    // The printed wiring covers the policies and the CA.
    let yaml = running.webhook_yaml();
    assert!(yaml.contains("kind: ValidatingWebhookConfiguration"));
    assert!(yaml.contains("kind: MutatingWebhookConfiguration"));
    assert!(yaml.contains("path: \"/mutate/add-label\""));
    let bundle = yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("caBundle: "))
        .unwrap()
        .trim_matches('"');
    use base64::Engine as _;
    let pem = base64::engine::general_purpose::STANDARD
        .decode(bundle)
        .unwrap();
    assert_eq!(String::from_utf8(pem).unwrap(), running.ca_pem().unwrap());

    running.shutdown(Duration::from_secs(2));
    running.join().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_4xx_with_a_reason() {
    let running = serve(
        config(&format!("{SET}\nlimits:\n  maxBodyBytes: 4096\n")),
        None,
        true,
    )
    .await;
    let c = client(&running);
    let u = url(&running, "/validate");

    let r = c.post(&u).body("not json").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let t = r.text().await.unwrap();
    assert!(
        t.contains("malformed AdmissionReview: body is not JSON"),
        "{t}"
    );

    let r = c.post(&u).body("").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);

    let (code, _, t) = post(&c, &u, &json!({"kind": "Pod", "apiVersion": "v1"})).await;
    assert_eq!(code, 400);
    assert!(t.contains("expected \"AdmissionReview\""), "{t}");

    let mut no_uid = pod_review("x", "p", plain(), None);
    no_uid["request"].as_object_mut().unwrap().remove("uid");
    let (code, _, t) = post(&c, &u, &no_uid).await;
    assert_eq!(code, 400);
    assert!(t.contains("request.uid"), "{t}");

    // Too large: 413 before any evaluation.
    let big = pod_review(
        "big",
        "p",
        json!([{"name": "a", "image": "x".repeat(8000)}]),
        None,
    );
    let (code, _, _) = post(&c, &u, &big).await;
    assert_eq!(code, 413);

    // Unknown policy: 404 naming the served ones.
    let (code, _, t) = post(
        &c,
        &url(&running, "/validate/nope"),
        &pod_review("u", "p", plain(), None),
    )
    .await;
    assert_eq!(code, 404);
    assert!(t.contains("no-privileged"), "{t}");

    // Wrong method.
    let (code, _) = get(&c, &u).await;
    assert_eq!(code, 405);

    // The server is fine afterwards.
    let (code, r, _) = post(&c, &u, &pod_review("ok", "p", plain(), None)).await;
    assert_eq!((code, r["response"]["allowed"].clone()), (200, json!(true)));
    running.shutdown(Duration::from_secs(2));
    running.join().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_decisions_and_latency() {
    let yaml = format!(
        "{SET}\n  - name: warn-only\n    settings: {{behaviour: deny-privileged}}\n    enforcement: warn\n  - name: dry\n    settings: {{behaviour: deny-privileged}}\n    enforcement: dryrun\n"
    );
    let running = serve(config(&yaml), None, true).await;
    let c = client(&running);
    for i in 0..3 {
        post(
            &c,
            &url(&running, "/validate/no-privileged"),
            &pod_review(&format!("d{i}"), "p", privileged(), None),
        )
        .await;
    }
    post(
        &c,
        &url(&running, "/validate/no-privileged"),
        &pod_review("a", "p", plain(), None),
    )
    .await;
    // Enforcement modes: warn turns the denial into a warning; dryrun allows silently.
    let (_, r, _) = post(
        &c,
        &url(&running, "/validate/warn-only"),
        &pod_review("w", "p", privileged(), None),
    )
    .await;
    assert_eq!(r["response"]["allowed"], true);
    assert_eq!(
        r["response"]["warnings"],
        json!(["[warn-only] container app is privileged"])
    );
    let (_, r, _) = post(
        &c,
        &url(&running, "/validate/dry"),
        &pod_review("y", "p", privileged(), None),
    )
    .await;
    assert_eq!(r["response"]["allowed"], true);
    assert!(r["response"].get("warnings").is_none());
    c.post(url(&running, "/validate"))
        .body("{")
        .send()
        .await
        .unwrap();

    let (code, m) = get(&c, &url(&running, "/metrics")).await;
    assert_eq!(code, 200);
    assert_eq!(
        metric(
            &m,
            r#"regowasm_decisions_total{policy="no-privileged",result="denied"}"#
        ),
        Some(3.0)
    );
    assert_eq!(
        metric(
            &m,
            r#"regowasm_decisions_total{policy="no-privileged",result="allowed"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &m,
            r#"regowasm_decisions_total{policy="warn-only",result="warned"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &m,
            r#"regowasm_decisions_total{policy="dry",result="dryrun_denied"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &m,
            r#"regowasm_evaluation_seconds_count{policy="no-privileged"}"#
        ),
        Some(4.0)
    );
    let inf = m
        .lines()
        .find(|l| {
            l.starts_with("regowasm_evaluation_seconds_bucket{")
                && l.contains(r#"policy="no-privileged""#)
                && l.contains(r#"le="+Inf""#)
        })
        .unwrap_or_else(|| panic!("no +Inf bucket in {m}"));
    assert!(inf.ends_with(" 4"), "{inf}");
    assert_eq!(
        metric(
            &m,
            r#"regowasm_http_requests_total{endpoint="validate_all",code="400"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &m,
            r#"regowasm_http_requests_total{endpoint="validate",code="200"}"#
        ),
        Some(6.0)
    );
    assert_eq!(metric(&m, "regowasm_policies"), Some(5.0));
    assert_eq!(metric(&m, "regowasm_policy_set_generation"), Some(1.0));
    assert_eq!(
        metric(&m, r#"regowasm_reloads_total{result="ok"}"#),
        Some(1.0)
    );
    running.shutdown(Duration::from_secs(2));
    running.join().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_only_after_warm_and_fail_closed_before() {
    let gate = Gate::closed();
    let running = serve(config(SET), Some(gate.clone()), false).await;
    let c = client(&running);
    let (code, body) = get(&c, &url(&running, "/healthz")).await;
    assert_eq!((code, body.as_str()), (200, "ok\n"));
    let (code, body) = get(&c, &url(&running, "/readyz")).await;
    assert_eq!(code, 503, "{body}");
    // A review arriving before the set is warm is answered (never 5xx),
    // per the default failure policy (Fail).
    let a = decide(
        &c,
        &running,
        "/validate",
        &pod_review("early", "p", plain(), None),
    )
    .await;
    assert!(!a.allowed);
    assert!(a.message.contains("still loading"), "{}", a.message);

    gate.open();
    running.wait_ready(Duration::from_secs(10)).await.unwrap();
    let (code, body) = get(&c, &url(&running, "/readyz")).await;
    assert_eq!(code, 200);
    assert!(body.contains("3 policies"), "{body}");
    running.shutdown(Duration::from_secs(2));
    running.join().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mtls_rejects_clients_without_a_trusted_certificate() {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let dir = std::env::temp_dir().join(format!("regowasm-mtls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    std::fs::write(dir.join("client-ca.pem"), ca.pem()).unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client_cert = CertificateParams::new(vec!["kube-apiserver".to_string()])
        .unwrap()
        .signed_by(&client_key, &ca)
        .unwrap();

    let mut cfg = config(SET);
    cfg.tls.client_ca = Some(dir.join("client-ca.pem"));
    let running = serve(cfg, None, true).await;

    // No client certificate: the handshake fails.
    let anon = client(&running);
    assert!(anon.get(url(&running, "/healthz")).send().await.is_err());

    // A certificate from another CA: refused too.
    let other = CertifiedIssuer::self_signed(
        {
            let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p
        },
        KeyPair::generate().unwrap(),
    )
    .unwrap();
    let rogue_key = KeyPair::generate().unwrap();
    let rogue = CertificateParams::new(vec!["x".to_string()])
        .unwrap()
        .signed_by(&rogue_key, &other)
        .unwrap();
    let with = |cert: &str, key: &str| {
        let id = reqwest::Identity::from_pem(format!("{cert}{key}").as_bytes()).unwrap();
        reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(
                reqwest::Certificate::from_pem(running.ca_pem().unwrap().as_bytes()).unwrap(),
            )
            .identity(id)
            .build()
            .unwrap()
    };
    let bad = with(&rogue.pem(), &rogue_key.serialize_pem());
    assert!(bad.get(url(&running, "/healthz")).send().await.is_err());

    // The trusted client gets through.
    let good = with(&client_cert.pem(), &client_key.serialize_pem());
    let a = decide(
        &good,
        &running,
        "/validate/no-privileged",
        &pod_review("m", "p", privileged(), None),
    )
    .await;
    assert!(!a.allowed);
    running.shutdown(Duration::from_secs(2));
    running.join().await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_from_file_change_and_failed_reload_keeps_old_set() {
    let dir = std::env::temp_dir().join(format!("regowasm-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.yaml");
    let v1 = "listen: 127.0.0.1:0\nreload: {watch: true, pollIntervalMs: 100}\npolicies:\n  - name: team\n    settings: {behaviour: require-label, key: team}\n";
    std::fs::write(&path, v1).unwrap();
    let cfg = regowasm_runtime::server::ServerConfig::from_file(&path).unwrap();
    let mut opts = regowasm_runtime::server::ServeOptions::new(cfg, loader(None));
    opts.config_path = Some(path.clone());
    opts.reload_on_sighup = false;
    let running = regowasm_runtime::server::start(opts).await.unwrap();
    running.wait_ready(Duration::from_secs(10)).await.unwrap();
    let c = client(&running);
    let labelled = |k: &str| pod_review("r", "p", plain(), Some(json!({k: "x"})));
    let (_, r, _) = post(&c, &url(&running, "/validate/team"), &labelled("team")).await;
    assert_eq!(r["response"]["allowed"], true);
    let (_, r, _) = post(&c, &url(&running, "/validate/team"), &labelled("owner")).await;
    assert_eq!(r["response"]["allowed"], false);

    // Edit the file: the watcher reloads; the policy now wants `owner`.
    std::fs::write(&path, v1.replace("key: team", "key: owner")).unwrap();
    eventually(Duration::from_secs(10), || running.generation() == 2).await;
    let (_, r, _) = post(&c, &url(&running, "/validate/team"), &labelled("owner")).await;
    assert_eq!(r["response"]["allowed"], true);

    // A broken config: the reload fails, the old set keeps serving.
    std::fs::write(
        &path,
        "policies: [ {name: team, settings: {behaviour: broken}} ]\nlisten: 127.0.0.1:0\n",
    )
    .unwrap();
    let err = running.reload().await.unwrap_err().to_string();
    assert!(err.contains("cannot compile"), "{err}");
    assert_eq!(running.generation(), 2);
    let (_, r, _) = post(&c, &url(&running, "/validate/team"), &labelled("owner")).await;
    assert_eq!(r["response"]["allowed"], true);
    // And YAML that does not parse.
    std::fs::write(&path, "policies: [").unwrap();
    assert!(
        running
            .reload()
            .await
            .unwrap_err()
            .to_string()
            .contains("parsing config")
    );
    let (code, m) = get(&c, &url(&running, "/metrics")).await;
    assert_eq!(code, 200);
    assert!(
        metric(&m, r#"regowasm_reloads_total{result="error"}"#).unwrap() >= 2.0,
        "{m}"
    );
    let (code, _) = get(&c, &url(&running, "/readyz")).await;
    assert_eq!(
        code, 200,
        "a failed reload does not make the server unready"
    );
    running.shutdown(Duration::from_secs(2));
    running.join().await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_http_for_local_testing() {
    let mut cfg = config(SET);
    cfg.insecure_http = true;
    let running = serve(cfg, None, true).await;
    assert!(running.base_url().starts_with("http://"));
    assert!(running.ca_pem().is_none());
    let c = client(&running);
    let a = decide(
        &c,
        &running,
        "/validate/no-privileged",
        &pod_review("h", "p", privileged(), None),
    )
    .await;
    assert!(!a.allowed);
    running.shutdown(Duration::from_secs(2));
    running.join().await.unwrap();
}
