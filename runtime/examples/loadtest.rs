//! A bounded load test of the admission webhook, loopback only.
//!
//! Starts the real server in this process on 127.0.0.1 (port 0, generated
//! certificate) with the default policy set (`policies/` of the
//! workspace, or `--policies DIR`, or `--config FILE`), then sends a fixed
//! number of AdmissionReviews over HTTPS from `--concurrency` clients, for
//! at most `--max-seconds`, and reports reviews/s and latency percentiles.
//! It stops by itself; it never targets anything but 127.0.0.1.
//!
//! ```sh
//! cargo run --release -p regowasm-runtime --example loadtest -- \
//!     --requests 20000 --concurrency 16 --endpoint /validate
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use regowasm_runtime::server::{self, ServeOptions, ServerConfig};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    requests: usize,
    concurrency: usize,
    max_seconds: u64,
    endpoint: String,
    policies: Option<PathBuf>,
    config: Option<PathBuf>,
    http: bool,
}

fn parse_args() -> Args {
    let mut a = Args {
        requests: 5000,
        concurrency: 8,
        max_seconds: 60,
        endpoint: "/validate".into(),
        policies: None,
        config: None,
        http: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--requests" => a.requests = val().parse().expect("--requests N"),
            "--concurrency" => a.concurrency = val().parse().expect("--concurrency N"),
            "--max-seconds" => a.max_seconds = val().parse().expect("--max-seconds N"),
            "--endpoint" => a.endpoint = val(),
            "--policies" => a.policies = Some(val().into()),
            "--config" => a.config = Some(val().into()),
            "--insecure-http" => a.http = true,
            "--help" | "-h" => {
                println!(
                    "loadtest [--requests N] [--concurrency N] [--max-seconds N] [--endpoint PATH] [--policies DIR | --config FILE] [--insecure-http]"
                );
                std::process::exit(0);
            }
            other => panic!("unknown flag {other}"),
        }
    }
    a.requests = a.requests.clamp(1, 1_000_000);
    a.concurrency = a.concurrency.clamp(1, 256);
    a.max_seconds = a.max_seconds.clamp(1, 600);
    a
}

/// A mix of Pods: compliant, privileged, latest-tagged, labelled or not.
fn review(i: usize) -> Value {
    let privileged = i % 4 == 1;
    let image = if i.is_multiple_of(3) {
        "nginx:latest"
    } else {
        "registry.example/app:1.2.3"
    };
    let mut labels = json!({"app": "web"});
    if i.is_multiple_of(2) {
        labels["owner"] = json!("team-a");
    }
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": format!("load-{i}"),
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
            "requestResource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "default",
            "name": format!("pod-{i}"),
            "operation": "CREATE",
            "userInfo": {"username": "loadtest", "groups": ["system:authenticated"]},
            "dryRun": false,
            "object": {
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("pod-{i}"), "namespace": "default", "labels": labels},
                "spec": {"containers": [{
                    "name": "app", "image": image,
                    "securityContext": {"privileged": privileged, "runAsNonRoot": !privileged},
                    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}}
                }]}
            }
        }
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let mut cfg = match &args.config {
        Some(p) => ServerConfig::from_file(p).expect("config"),
        None => ServerConfig::default(),
    };
    cfg.listen = "127.0.0.1:0".parse().unwrap();
    cfg.reload.watch = false;
    cfg.insecure_http |= args.http;
    if let Some(p) = &args.policies {
        cfg.policy_set = Some(p.clone());
    } else if cfg.policy_set.is_none() && cfg.policies.is_empty() {
        cfg.policy_set = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policies"));
    }
    let mut opts = ServeOptions::new(cfg, Arc::new(server::loader::default_loader()));
    opts.reload_on_sighup = false;
    let running = server::start(opts).await.expect("start");
    running
        .wait_ready(Duration::from_secs(120))
        .await
        .expect("policies load");
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .pool_max_idle_per_host(args.concurrency);
    if let Some(ca) = running.ca_pem() {
        b = b.add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap());
    }
    let client = b.build().unwrap();
    let url = format!("{}{}", running.base_url(), args.endpoint);
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..64)
            .map(|i| review(i).to_string().into_bytes())
            .collect(),
    );
    let policies = running.policies().len();
    println!(
        "loadtest: {} reviews, {} clients, at most {} s, POST {} ({} policies)",
        args.requests, args.concurrency, args.max_seconds, url, policies
    );

    // Warm-up, not measured.
    for body in bodies.iter().take(16) {
        client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
    }

    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stop_at = Instant::now() + Duration::from_secs(args.max_seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency {
        let (client, url, bodies, next) =
            (client.clone(), url.clone(), bodies.clone(), next.clone());
        let total = args.requests;
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let (mut errors, mut allowed, mut denied) = (0usize, 0usize, 0usize);
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total || Instant::now() >= stop_at {
                    break;
                }
                let body = bodies[i % bodies.len()].clone();
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                        Ok(v) if v["response"]["allowed"] == json!(true) => allowed += 1,
                        Ok(v) if v["response"]["allowed"] == json!(false) => denied += 1,
                        _ => errors += 1,
                    },
                    _ => errors += 1,
                }
                lat.push(t.elapsed());
            }
            (lat, errors, allowed, denied)
        }));
    }
    let mut lat = Vec::new();
    let (mut errors, mut allowed, mut denied) = (0, 0, 0);
    for w in workers {
        let (l, e, a, d) = w.await.unwrap();
        lat.extend(l);
        errors += e;
        allowed += a;
        denied += d;
    }
    let elapsed = started.elapsed();
    lat.sort();
    let n = lat.len();
    println!(
        "done: {n} reviews in {:.2} s = {:.0} reviews/s; allowed {allowed}, denied {denied}, errors {errors}",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&lat, 0.50).as_secs_f64() * 1e3,
        percentile(&lat, 0.90).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    running.shutdown(Duration::from_secs(5));
    running.join().await.unwrap();
    if errors > 0 {
        std::process::exit(1);
    }
}
