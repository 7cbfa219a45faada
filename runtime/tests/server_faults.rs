//! Fault isolation, back-pressure, reload under load and graceful
//! shutdown, over real HTTPS on 127.0.0.1. The faulty policies are real
//! Wasm modules on wasmtime (an infinite loop, a memory hog, a trap) plus a
//! panicking policy.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common_server;

use common_server::*;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn plain() -> serde_json::Value {
    json!([{"name": "app", "image": "nginx:1.27"}])
}
fn privileged() -> serde_json::Value {
    json!([{"name": "app", "image": "nginx:1.27", "securityContext": {"privileged": true}}])
}

const FAULTY: &str = r#"
limits: {maxConcurrent: 8}
policies:
  - name: healthy
    settings: {behaviour: deny-privileged}
  - name: spin
    settings: {behaviour: loop, engineTimeoutMs: 1500}
    timeoutMs: 300
  - name: spin-open
    settings: {behaviour: loop, engineTimeoutMs: 200}
    timeoutMs: 2000
    failurePolicy: Ignore
  - name: hog
    settings: {behaviour: oom, memoryMiB: 64}
  - name: trap
    settings: {behaviour: trap}
    failurePolicy: Ignore
  - name: boom
    settings: {behaviour: panic}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulty_policies_fail_alone_and_the_server_keeps_serving() {
    let running = serve(config(FAULTY), None, true).await;
    let c = client(&running);
    let review = pod_review("f", "p", plain(), None);

    // A loop that outlives its 300 ms server timeout: denied (Fail), fast.
    let t = Instant::now();
    let a = decide(&c, &running, "/validate/spin", &review).await;
    assert!(!a.allowed);
    let msg = &a.message;
    assert!(
        msg.contains("policy spin could not decide") && msg.contains("exceeded"),
        "{msg}"
    );
    assert!(
        t.elapsed() < Duration::from_millis(1400),
        "answered at the policy timeout, not the engine's: {:?}",
        t.elapsed()
    );

    // A loop stopped by the engine's own deadline, failure policy Ignore.
    let a = decide(&c, &running, "/validate/spin-open", &review).await;
    assert!(a.allowed);
    let w = &a.warnings[0];
    assert!(w.contains("ignored") && w.contains("interrupted"), "{w}");

    // Memory hog: the store's cap stops it; denied with the cause.
    let a = decide(&c, &running, "/validate/hog", &review).await;
    assert!(!a.allowed);
    assert!(a.message.contains("memory cap"), "{}", a.message);

    // Trap, Ignore: allowed with a warning.
    let a = decide(&c, &running, "/validate/trap", &review).await;
    assert!(a.allowed);
    assert!(a.warnings[0].contains("unreachable"), "{:?}", a.warnings);

    // Panic in a policy: contained, denied.
    let a = decide(&c, &running, "/validate/boom", &review).await;
    assert!(!a.allowed);
    assert!(a.message.contains("panicked"), "{}", a.message);

    // While loops run, the healthy policy answers promptly and correctly.
    let spinning: Vec<_> = (0..3)
        .map(|i| {
            let c = c.clone();
            let u = url(&running, "/validate/spin");
            let rv = pod_review(&format!("s{i}"), "p", plain(), None);
            tokio::spawn(async move { post(&c, &u, &rv).await })
        })
        .collect();
    for i in 0..10u32 {
        let rv = if i.is_multiple_of(2) {
            pod_review("h", "p", privileged(), None)
        } else {
            review.clone()
        };
        let (code, r, _) = post(&c, &url(&running, "/validate/healthy"), &rv).await;
        assert_eq!(code, 200);
        assert_eq!(r["response"]["allowed"], json!(i % 2 == 1));
    }
    for s in spinning {
        let (code, r, _) = s.await.unwrap();
        assert_eq!(
            (code, r["response"]["allowed"].clone()),
            (200, json!(false))
        );
    }

    // The merged endpoint: every policy's failure counted, healthy's decision kept.
    let (code, r, _) = post(
        &c,
        &url(&running, "/validate"),
        &pod_review("all", "p", privileged(), None),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(r["response"]["allowed"], false);
    let msg = r["response"]["status"]["message"].as_str().unwrap();
    for part in [
        "[healthy] container app is privileged",
        "[spin]",
        "[hog]",
        "[boom]",
    ] {
        assert!(msg.contains(part), "{part} missing from {msg}");
    }
    assert_eq!(
        r["response"]["warnings"].as_array().unwrap().len(),
        2,
        "{r}"
    );

    let (_, m) = get(&c, &url(&running, "/metrics")).await;
    assert!(
        metric(
            &m,
            r#"regowasm_limit_hits_total{policy="spin",limit="timeout"}"#
        )
        .unwrap()
            >= 5.0,
        "{m}"
    );
    assert!(
        metric(
            &m,
            r#"regowasm_limit_hits_total{policy="hog",limit="engine"}"#
        )
        .unwrap()
            >= 2.0,
        "{m}"
    );
    assert!(
        metric(&m, r#"regowasm_errors_total{policy="boom",cause="panic"}"#).unwrap() >= 2.0,
        "{m}"
    );
    assert!(
        metric(&m, r#"regowasm_errors_total{policy="trap",cause="eval"}"#).unwrap() >= 2.0,
        "{m}"
    );
    assert!(
        metric(
            &m,
            r#"regowasm_decisions_total{policy="spin-open",result="failed_open"}"#
        )
        .unwrap()
            >= 2.0,
        "{m}"
    );
    assert_eq!(
        metric(&m, r#"regowasm_instance_pool_size{policy="hog"}"#),
        Some(1.0)
    );
    let (code, _) = get(&c, &url(&running, "/readyz")).await;
    assert_eq!(code, 200);
    running.shutdown(Duration::from_secs(3));
    running.join().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overload_is_bounded_and_answered_per_failure_policy() {
    let yaml = r#"
limits: {maxConcurrent: 1, queueWaitMs: 100}
policies:
  - name: slow
    settings: {behaviour: sleep, ms: 800, tag: slow}
  - name: quick-open
    settings: {behaviour: tag, tag: quick}
    failurePolicy: Ignore
  - name: quick-closed
    settings: {behaviour: tag, tag: quick}
"#;
    let running = serve(config(yaml), None, true).await;
    let c = client(&running);
    let busy = {
        let (c, u) = (c.clone(), url(&running, "/validate/slow"));
        tokio::spawn(async move { post(&c, &u, &pod_review("b", "p", plain(), None)).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    let quick = pod_review("q", "p", plain(), None);
    let a = decide(&c, &running, "/validate/quick-open", &quick).await;
    assert!(a.allowed);
    assert!(a.warnings[0].contains("overloaded"), "{:?}", a.warnings);
    let a = decide(&c, &running, "/validate/quick-closed", &quick).await;
    assert!(!a.allowed);
    assert!(
        t.elapsed() < Duration::from_millis(600),
        "waited {:?}",
        t.elapsed()
    );
    let (code, r, _) = busy.await.unwrap();
    assert_eq!(
        (code, r["response"]["warnings"][0].clone()),
        (200, json!("tag slow"))
    );
    // Capacity is back.
    let a = decide(&c, &running, "/validate/quick-closed", &quick).await;
    assert_eq!(a.warnings[0], "tag quick");
    let (_, m) = get(&c, &url(&running, "/metrics")).await;
    assert_eq!(
        metric(
            &m,
            r#"regowasm_limit_hits_total{policy="quick-open",limit="concurrency"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &m,
            r#"regowasm_errors_total{policy="quick-closed",cause="overload"}"#
        ),
        Some(1.0)
    );
    running.shutdown(Duration::from_secs(3));
    running.join().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_under_load_fails_no_request_and_in_flight_requests_finish_on_the_old_set() {
    let dir = std::env::temp_dir().join(format!("regowasm-rl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.yaml");
    let gen_yaml = |tag: &str| {
        format!(
            "listen: 127.0.0.1:0\nreload: {{watch: false}}\npolicies:\n  - name: p\n    settings: {{behaviour: tag, tag: {tag}}}\n  - name: slow\n    settings: {{behaviour: sleep, ms: 600, tag: {tag}}}\n"
        )
    };
    std::fs::write(&path, gen_yaml("g1")).unwrap();
    let cfg = regowasm_runtime::server::ServerConfig::from_file(&path).unwrap();
    let mut opts = regowasm_runtime::server::ServeOptions::new(cfg, loader(None));
    opts.config_path = Some(path.clone());
    opts.reload_on_sighup = false;
    let running = regowasm_runtime::server::start(opts).await.unwrap();
    running.wait_ready(Duration::from_secs(10)).await.unwrap();
    let c = client(&running);

    // An in-flight request on generation 1 while generation 2 arrives.
    let inflight = {
        let (c, u) = (c.clone(), url(&running, "/validate/slow"));
        tokio::spawn(async move { post(&c, &u, &pod_review("s", "p", plain(), None)).await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    std::fs::write(&path, gen_yaml("g2")).unwrap();
    running.reload().await.unwrap();
    let (_, r, _) = post(
        &c,
        &url(&running, "/validate/p"),
        &pod_review("n", "p", plain(), None),
    )
    .await;
    assert_eq!(r["response"]["warnings"][0], "tag g2");
    let (code, r, _) = inflight.await.unwrap();
    assert_eq!(code, 200);
    assert_eq!(
        r["response"]["warnings"][0], "tag g1",
        "the in-flight request finished on the old set"
    );

    // Load: 4 clients x 150 requests while 6 reloads happen. Bounded, loopback.
    let ok = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for w in 0..4 {
        let (c, u, ok) = (c.clone(), url(&running, "/validate/p"), ok.clone());
        clients.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for i in 0..150 {
                let (code, r, text) =
                    post(&c, &u, &pod_review(&format!("{w}-{i}"), "p", plain(), None)).await;
                assert_eq!(code, 200, "{text}");
                assert_eq!(r["response"]["uid"], format!("{w}-{i}"));
                assert_eq!(r["response"]["allowed"], true, "{text}");
                let tag = r["response"]["warnings"][0].as_str().unwrap().to_string();
                assert!(tag.starts_with("tag g"), "{tag}");
                seen.push(tag);
                ok.fetch_add(1, Ordering::Relaxed);
            }
            seen
        }));
    }
    for g in 3..=8 {
        tokio::time::sleep(Duration::from_millis(60)).await;
        std::fs::write(&path, gen_yaml(&format!("g{g}"))).unwrap();
        running.reload().await.unwrap();
    }
    let mut tags = std::collections::BTreeSet::new();
    for h in clients {
        tags.extend(h.await.unwrap());
    }
    assert_eq!(ok.load(Ordering::Relaxed), 600);
    assert!(
        tags.len() >= 2,
        "requests saw several generations: {tags:?}"
    );
    assert_eq!(running.generation(), 8);
    running.shutdown(Duration::from_secs(3));
    running.join().await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_drains_in_flight_requests() {
    let yaml =
        "policies:\n  - name: slow\n    settings: {behaviour: sleep, ms: 500, tag: drained}\n";
    let running = serve(config(yaml), None, true).await;
    let c = client(&running);
    let u = url(&running, "/validate/slow");
    let inflight = {
        let (c, u) = (c.clone(), u.clone());
        tokio::spawn(async move { post(&c, &u, &pod_review("d", "p", plain(), None)).await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    running.shutdown(Duration::from_secs(5));
    let (code, r, _) = inflight.await.unwrap();
    assert_eq!(code, 200);
    assert_eq!(r["response"]["warnings"][0], "tag drained");
    running.join().await.unwrap();
    // Gone afterwards.
    let fresh = reqwest::Client::builder()
        .use_rustls_tls()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    assert!(
        fresh
            .get(u.replace("/validate/slow", "/healthz"))
            .send()
            .await
            .is_err()
    );
}
