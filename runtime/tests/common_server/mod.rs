//! Shared helpers for the server integration tests: a policy set whose
//! policies behave as configured (including real Wasm faults on wasmtime:
//! an infinite loop stopped by epoch interruption, a module that grows
//! memory until the store's cap traps it, an `unreachable` trap), a real
//! HTTPS client trusting the generated CA, and AdmissionReview builders.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use regowasm_runtime::server::{
    AdmissionHandler, LoadError, PolicyDecision, PolicyInfo, ReviewError, RunningServer,
    ServeOptions, ServerConfig, start,
};
use serde_json::{Value, json};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A gate that blocks `warm()` until opened.
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn closed() -> Self {
        Gate::default()
    }
    pub fn open(&self) {
        *self.0.0.lock().unwrap() = true;
        self.0.1.notify_all();
    }
    fn wait(&self) {
        let mut g = self.0.0.lock().unwrap();
        while !*g {
            g = self.0.1.wait(g).unwrap();
        }
    }
}

/// The shared wasmtime engine, with an epoch ticker every 5 ms.
fn engine() -> &'static wasmtime::Engine {
    static E: OnceLock<wasmtime::Engine> = OnceLock::new();
    E.get_or_init(|| {
        let mut c = wasmtime::Config::new();
        c.epoch_interruption(true);
        let e = wasmtime::Engine::new(&c).unwrap();
        let ticker = e.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(5));
                ticker.increment_epoch();
            }
        });
        e
    })
}

const LOOP_WAT: &str = r#"(module (func (export "eval") (loop $l (br $l))))"#;
const OOM_WAT: &str = r#"(module (memory (export "memory") 1)
  (func (export "eval")
    (loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    unreachable))"#;
const TRAP_WAT: &str = r#"(module (func (export "eval") unreachable))"#;

/// Run a module's `eval` under an epoch deadline and a memory cap; map
/// traps to the handler's error kinds like a real engine would.
fn run_wasm(
    module: &wasmtime::Module,
    deadline: Duration,
    memory: usize,
) -> Result<(), ReviewError> {
    let limits = wasmtime::StoreLimitsBuilder::new()
        .memory_size(memory)
        .trap_on_grow_failure(false)
        .build();
    let mut store = wasmtime::Store::new(engine(), limits);
    store.limiter(|l| l);
    store.set_epoch_deadline((deadline.as_millis() as u64 / 5).max(1));
    store.epoch_deadline_trap();
    let instance = wasmtime::Instance::new(&mut store, module, &[])
        .map_err(|e| ReviewError::Eval(e.to_string()))?;
    let f = instance
        .get_typed_func::<(), ()>(&mut store, "eval")
        .map_err(|e| ReviewError::Eval(e.to_string()))?;
    match f.call(&mut store, ()) {
        Ok(()) => Ok(()),
        Err(e) => match e.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::Interrupt) => Err(ReviewError::Limit(format!(
                "evaluation interrupted after {deadline:?}"
            ))),
            Some(wasmtime::Trap::UnreachableCodeReached) => {
                let pages = instance
                    .get_memory(&mut store, "memory")
                    .map(|m| m.size(&store))
                    .unwrap_or(0);
                if pages > 1 {
                    Err(ReviewError::Limit(format!(
                        "memory cap of {memory} bytes reached ({pages} pages)"
                    )))
                } else {
                    Err(ReviewError::Eval("wasm trap: unreachable".into()))
                }
            }
            _ => Err(ReviewError::Eval(format!("wasm trap: {e}"))),
        },
    }
}

struct TestPolicy {
    name: String,
    behaviour: String,
    settings: Value,
    module: Option<wasmtime::Module>,
}

/// A policy set built from the config: each entry's `settings.behaviour`
/// selects what the policy does.
pub struct TestHandler {
    policies: Vec<TestPolicy>,
    gate: Option<Gate>,
}

fn object(review: &Value) -> &Value {
    &review["request"]["object"]
}

impl TestPolicy {
    fn review(&self, mutate: bool, review: &Value) -> Result<PolicyDecision, ReviewError> {
        let s = &self.settings;
        let obj = object(review);
        let containers = obj["spec"]["containers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        match self.behaviour.as_str() {
            "deny-privileged" => {
                let bad: Vec<String> = containers
                    .iter()
                    .filter(|c| c["securityContext"]["privileged"] == json!(true))
                    .map(|c| {
                        format!(
                            "container {} is privileged",
                            c["name"].as_str().unwrap_or("?")
                        )
                    })
                    .collect();
                Ok(if bad.is_empty() {
                    PolicyDecision::allow()
                } else {
                    PolicyDecision::deny(bad)
                })
            }
            "warn-latest" => {
                let warnings = containers
                    .iter()
                    .filter_map(|c| c["image"].as_str())
                    .filter(|i| i.ends_with(":latest") || !i.contains(':'))
                    .map(|i| format!("image {i} uses the latest tag"))
                    .collect();
                Ok(PolicyDecision {
                    warnings,
                    ..PolicyDecision::allow()
                })
            }
            "require-label" => {
                let key = s["key"].as_str().unwrap_or("team");
                if obj["metadata"]["labels"][key].is_string() {
                    Ok(PolicyDecision::allow())
                } else {
                    Ok(PolicyDecision::deny([format!("missing label {key}")]))
                }
            }
            "add-label" => {
                let key = s["key"].as_str().unwrap_or("managed-by");
                let value = s["value"].as_str().unwrap_or("regowasm");
                let patch = if !mutate {
                    None
                } else if obj["metadata"]["labels"].is_object() {
                    Some(
                        json!([{"op": "add", "path": format!("/metadata/labels/{}", key.replace('~', "~0").replace('/', "~1")), "value": value}]),
                    )
                } else {
                    Some(json!([{"op": "add", "path": "/metadata/labels", "value": {key: value}}]))
                };
                Ok(PolicyDecision {
                    patch,
                    ..PolicyDecision::allow()
                })
            }
            "tag" => Ok(PolicyDecision {
                warnings: vec![format!("tag {}", s["tag"].as_str().unwrap_or(""))],
                ..PolicyDecision::allow()
            }),
            "sleep" => {
                std::thread::sleep(Duration::from_millis(s["ms"].as_u64().unwrap_or(100)));
                Ok(PolicyDecision {
                    warnings: vec![format!("tag {}", s["tag"].as_str().unwrap_or(""))],
                    ..PolicyDecision::allow()
                })
            }
            "loop" | "oom" | "trap" => {
                let module = self.module.as_ref().expect("module");
                let deadline = Duration::from_millis(s["engineTimeoutMs"].as_u64().unwrap_or(2000));
                let memory = (s["memoryMiB"].as_u64().unwrap_or(32) as usize) << 20;
                run_wasm(module, deadline, memory)?;
                Ok(PolicyDecision::allow())
            }
            "panic" => panic!("policy {} panicked on purpose", self.name),
            "bad-result" => Err(ReviewError::Result(
                "expected a set of violations, got 42".into(),
            )),
            other => Err(ReviewError::Eval(format!(
                "unknown test behaviour {other:?}"
            ))),
        }
    }
}

impl AdmissionHandler for TestHandler {
    fn policies(&self) -> Vec<PolicyInfo> {
        self.policies
            .iter()
            .map(|p| PolicyInfo {
                mutating: p.behaviour == "add-label",
                pool_size: p.module.as_ref().map(|_| 1),
                ..PolicyInfo::validating(&p.name)
            })
            .collect()
    }

    fn review(
        &self,
        policy: &str,
        mutate: bool,
        review: &Value,
    ) -> Result<PolicyDecision, ReviewError> {
        let p = self
            .policies
            .iter()
            .find(|p| p.name == policy)
            .ok_or_else(|| ReviewError::UnknownPolicy(policy.into()))?;
        p.review(mutate, review)
    }

    fn warm(&self) -> Result<(), ReviewError> {
        if let Some(g) = &self.gate {
            g.wait();
        }
        Ok(())
    }
}

/// A loader building [`TestHandler`]s; `warm()` waits for `gate` if given.
/// A policy with `settings.behaviour: broken` makes loading fail.
pub fn loader(gate: Option<Gate>) -> Arc<dyn regowasm_runtime::server::PolicyLoader> {
    Arc::new(
        move |cfg: &ServerConfig| -> Result<Arc<dyn AdmissionHandler>, LoadError> {
            let mut policies = Vec::new();
            for e in &cfg.policies {
                let settings = e.settings.clone().unwrap_or(json!({}));
                let behaviour = settings["behaviour"].as_str().unwrap_or("tag").to_string();
                if behaviour == "broken" {
                    return Err(LoadError(format!(
                        "policy {}: cannot compile (test)",
                        e.name
                    )));
                }
                let wat = match behaviour.as_str() {
                    "loop" => Some(LOOP_WAT),
                    "oom" => Some(OOM_WAT),
                    "trap" => Some(TRAP_WAT),
                    _ => None,
                };
                let module = wat
                    .map(|w| {
                        wasmtime::Module::new(engine(), wat::parse_str(w).unwrap())
                            .map_err(|e| LoadError(e.to_string()))
                    })
                    .transpose()?;
                policies.push(TestPolicy {
                    name: e.name.clone(),
                    behaviour,
                    settings,
                    module,
                });
            }
            Ok(Arc::new(TestHandler {
                policies,
                gate: gate.clone(),
            }))
        },
    )
}

/// Parse a config from YAML, listening on 127.0.0.1:0 with no watching
/// unless the YAML says otherwise.
pub fn config(yaml: &str) -> ServerConfig {
    let mut cfg = ServerConfig::from_yaml(yaml).unwrap();
    if !yaml.contains("listen:") {
        cfg.listen = "127.0.0.1:0".parse().unwrap();
    }
    if !yaml.contains("reload:") {
        cfg.reload.watch = false;
    }
    cfg
}

/// Start a server and wait until ready (unless `wait` is false).
pub async fn serve(cfg: ServerConfig, gate: Option<Gate>, wait: bool) -> RunningServer {
    let mut opts = ServeOptions::new(cfg, loader(gate));
    opts.reload_on_sighup = false;
    let running = start(opts).await.unwrap();
    if wait {
        running.wait_ready(Duration::from_secs(30)).await.unwrap();
    }
    running
}

/// A reqwest client trusting the server's CA (HTTPS) or plain.
pub fn client(running: &RunningServer) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .use_rustls_tls();
    if let Some(ca) = running.ca_pem() {
        b = b.add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap());
    }
    b.build().unwrap()
}

/// `https://127.0.0.1:<port>` (the generated certificate covers 127.0.0.1).
pub fn url(running: &RunningServer, path: &str) -> String {
    format!("{}{}", running.base_url(), path)
}

/// An AdmissionReview for a Pod.
pub fn pod_review(uid: &str, name: &str, containers: Value, labels: Option<Value>) -> Value {
    let mut metadata = json!({"name": name, "namespace": "default"});
    if let Some(l) = labels {
        metadata["labels"] = l;
    }
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "default",
            "name": name,
            "operation": "CREATE",
            "userInfo": {"username": "tester"},
            "object": {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": {"containers": containers}}
        }
    })
}

/// POST a review; return (status, response JSON or Null, raw text).
pub async fn post(client: &reqwest::Client, url: &str, body: &Value) -> (u16, Value, String) {
    let r = client.post(url).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, v, text)
}

/// An admission answer of the webhook (the HTTP status was 200).
pub struct Answer {
    /// `response.allowed`.
    pub allowed: bool,
    /// `response.status.message` (empty when absent).
    pub message: String,
    /// `response.warnings`.
    pub warnings: Vec<String>,
}

/// POST a review to `path`; the webhook must answer 200 with a response.
pub async fn decide(
    client: &reqwest::Client,
    running: &RunningServer,
    path: &str,
    review: &Value,
) -> Answer {
    let (code, r, text) = post(client, &url(running, path), review).await;
    assert_eq!(code, 200, "{path}: {text}");
    let resp = &r["response"];
    Answer {
        allowed: resp["allowed"]
            .as_bool()
            .unwrap_or_else(|| panic!("{path}: {text}")),
        message: resp["status"]["message"].as_str().unwrap_or("").to_string(),
        warnings: resp["warnings"]
            .as_array()
            .map(|w| {
                w.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The decoded JSONPatch of a response, if any.
pub fn patch_of(resp: &Value) -> Option<Value> {
    let b64 = resp["response"]["patch"].as_str()?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    Some(serde_json::from_slice(&raw).unwrap())
}

/// GET a path; (status, body).
pub async fn get(client: &reqwest::Client, url: &str) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value of a metric line (exact name+labels) in Prometheus text.
pub fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .and_then(|v| v.trim().parse().ok())
}

/// Wait until `f` is true or panic after `timeout`.
pub async fn eventually<F: FnMut() -> bool>(timeout: Duration, mut f: F) {
    let end = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < end, "condition not met within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
