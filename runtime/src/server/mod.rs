//! The admission webhook server (axum + rustls), behind feature `server`.
//!
//! One request, end to end: body (size-limited) → [`review::parse_review`]
//! (malformed → 400) → for each policy asked (`/validate/<p>`,
//! `/mutate/<p>`, or every policy on `/validate`): wait for an evaluation
//! slot (bounded wait) → [`AdmissionHandler::review`] on a blocking worker
//! under the policy's timeout → enforcement mode and failure policy →
//! [`review::merge`] → AdmissionReview response (always 200 for a
//! well-formed review).
//!
//! The serving policy set is swapped whole on reload (SIGHUP, file
//! change, [`RunningServer::reload`]): the new set is loaded and warmed
//! beside the old one; requests in flight keep the set they started with;
//! a failed reload keeps the old set.
//!
//! ```no_run
//! # async fn demo(loader: std::sync::Arc<dyn regowasm_runtime::server::PolicyLoader>) -> Result<(), Box<dyn std::error::Error>> {
//! use regowasm_runtime::server::{ServeOptions, ServerConfig, start};
//! let running = start(ServeOptions::new(ServerConfig::default(), loader)).await?;
//! running.wait_ready(std::time::Duration::from_secs(30)).await?;
//! println!("listening on https://{}", running.local_addr());
//! running.shutdown(std::time::Duration::from_secs(10));
//! running.join().await?;
//! # Ok(()) }
//! ```

pub mod config;
pub mod handler;
pub mod loader;
pub mod metrics;
mod reload;
pub mod review;
pub mod tls;

pub use config::{
    ConfigError, EffectiveSettings, Enforcement, FailurePolicy, PolicyEntry, PolicyKind,
    ServerConfig,
};
pub use handler::{
    AdmissionHandler, LoadError, PolicyDecision, PolicyInfo, PolicyLoader, ReviewError,
};

use arc_swap::{ArcSwap, ArcSwapOption};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as AxPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use metrics::{Metrics, PolicyLabel};
use review::{Outcome, ReviewHead};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Errors starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Configuration problem.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// TLS problem.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// Binding or serving failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The policy set could not be loaded or warmed.
    #[error("{0}")]
    Load(String),
    /// Not ready in time.
    #[error("not ready after {0:?}: {1}")]
    NotReady(Duration, String),
}

/// How to start a server.
pub struct ServeOptions {
    /// The configuration.
    pub config: ServerConfig,
    /// The file it came from: re-read on reload and watched for changes.
    pub config_path: Option<PathBuf>,
    /// Builds policy sets from the configuration.
    pub loader: Arc<dyn PolicyLoader>,
    /// Reload on SIGHUP (Unix). Default true.
    pub reload_on_sighup: bool,
}

impl ServeOptions {
    /// Options with SIGHUP reload on and no config file.
    pub fn new(config: ServerConfig, loader: Arc<dyn PolicyLoader>) -> Self {
        ServeOptions {
            config,
            config_path: None,
            loader,
            reload_on_sighup: true,
        }
    }
}

/// One loaded, warmed policy set with its per-policy settings.
struct LoadedSet {
    handler: Arc<dyn AdmissionHandler>,
    policies: Vec<PolicyInfo>,
    settings: HashMap<String, EffectiveSettings>,
    generation: u64,
}

/// State shared by every request.
struct Shared {
    set: ArcSwapOption<LoadedSet>,
    config: ArcSwap<ServerConfig>,
    config_path: Option<PathBuf>,
    loader: Arc<dyn PolicyLoader>,
    permits: Arc<Semaphore>,
    queue_wait: Duration,
    request_deadline: Duration,
    metrics: Metrics,
    reload_lock: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    last_load_error: parking_lot::Mutex<Option<String>>,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
}

/// A started server.
pub struct RunningServer {
    addr: SocketAddr,
    https: bool,
    cert: Option<tls::ServerCert>,
    shared: Arc<Shared>,
    handle: axum_server::Handle<SocketAddr>,
    serve: tokio::task::JoinHandle<std::io::Result<()>>,
    background: Vec<tokio::task::JoinHandle<()>>,
}

/// Bind, start serving (`/healthz` at once, `/readyz` once the first
/// policy set is loaded and warmed, which happens in the background) and
/// return a handle.
pub async fn start(opts: ServeOptions) -> Result<RunningServer, ServerError> {
    let cfg = opts.config;
    cfg.validate()?;
    let (cert, tls_cfg) = if cfg.insecure_http {
        (None, None)
    } else {
        let cert = tls::server_cert(&cfg)?;
        let rc = tls::rustls_config(&cert, cfg.tls.client_ca.as_deref())?;
        (
            Some(cert),
            Some(axum_server::tls_rustls::RustlsConfig::from_config(rc)),
        )
    };
    let listener = std::net::TcpListener::bind(cfg.listen).map_err(|source| ServerError::Io {
        what: format!("binding {}", cfg.listen),
        source,
    })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Io {
        what: "reading the bound address".into(),
        source,
    })?;
    let concurrency = cfg.limits.effective_concurrency();
    let shared = Arc::new(Shared {
        set: ArcSwapOption::empty(),
        config_path: opts.config_path,
        loader: opts.loader,
        permits: Arc::new(Semaphore::new(concurrency)),
        queue_wait: Duration::from_millis(cfg.limits.queue_wait_ms),
        request_deadline: Duration::from_millis(cfg.limits.request_deadline_ms),
        metrics: Metrics::new(),
        reload_lock: tokio::sync::Mutex::new(()),
        generation: AtomicU64::new(0),
        last_load_error: parking_lot::Mutex::new(None),
        tls: tls_cfg.clone(),
        config: ArcSwap::from_pointee(cfg.clone()),
    });
    let app = router(shared.clone(), cfg.limits.max_body_bytes);
    let handle = axum_server::Handle::<SocketAddr>::new();
    let serve = match tls_cfg {
        Some(rc) => {
            let server =
                axum_server::from_tcp_rustls(listener, rc).map_err(|source| ServerError::Io {
                    what: "listening".into(),
                    source,
                })?;
            let server = server.handle(handle.clone());
            tokio::spawn(async move { server.serve(app.into_make_service()).await })
        }
        None => {
            let server = axum_server::from_tcp(listener)
                .map_err(|source| ServerError::Io {
                    what: "listening".into(),
                    source,
                })?
                .handle(handle.clone());
            tokio::spawn(async move { server.serve(app.into_make_service()).await })
        }
    };
    tracing::info!(
        %addr,
        https = !cfg.insecure_http,
        mtls = cfg.tls.client_ca.is_some(),
        max_concurrent = concurrency,
        "listening"
    );
    let mut background = Vec::new();
    {
        let shared = shared.clone();
        background.push(tokio::spawn(async move {
            if let Err(e) = reload::reload(&shared).await {
                tracing::error!(error = %e, "initial policy load failed; /readyz stays unready until a reload succeeds");
            }
        }));
    }
    if cfg.reload.watch {
        background.push(reload::spawn_watcher(shared.clone()));
    }
    if opts.reload_on_sighup
        && let Some(h) = reload::spawn_sighup(shared.clone())
    {
        background.push(h);
    }
    Ok(RunningServer {
        addr,
        https: !cfg.insecure_http,
        cert,
        shared,
        handle,
        serve,
        background,
    })
}

impl RunningServer {
    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://addr` or `http://addr`.
    pub fn base_url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The PEM CA clients should trust (generated CA, or the configured
    /// certificate chain); `None` over plain HTTP.
    pub fn ca_pem(&self) -> Option<&str> {
        self.cert.as_ref().map(|c| c.ca_pem.as_str())
    }

    /// Whether the certificate was generated at start-up.
    pub fn cert_generated(&self) -> bool {
        self.cert.as_ref().is_some_and(|c| c.generated)
    }

    /// Whether a policy set is loaded and warm.
    pub fn is_ready(&self) -> bool {
        self.shared.set.load().is_some()
    }

    /// Wait until ready; fails with the last load error after `timeout`.
    pub async fn wait_ready(&self, timeout: Duration) -> Result<(), ServerError> {
        let end = Instant::now() + timeout;
        while !self.is_ready() {
            if Instant::now() >= end {
                let why = self
                    .shared
                    .last_load_error
                    .lock()
                    .clone()
                    .unwrap_or_else(|| "still loading".into());
                return Err(ServerError::NotReady(timeout, why));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// The serving policies (empty before the first load).
    pub fn policies(&self) -> Vec<PolicyInfo> {
        self.shared
            .set
            .load()
            .as_ref()
            .map(|s| s.policies.clone())
            .unwrap_or_default()
    }

    /// Generation of the serving set (0 before the first load).
    pub fn generation(&self) -> u64 {
        self.shared
            .set
            .load()
            .as_ref()
            .map(|s| s.generation)
            .unwrap_or(0)
    }

    /// Reload now (as SIGHUP does). On error the old set keeps serving.
    pub async fn reload(&self) -> Result<u64, ServerError> {
        reload::reload(&self.shared)
            .await
            .map_err(ServerError::Load)
    }

    /// Webhook configuration YAML for the serving policies.
    pub fn webhook_yaml(&self) -> String {
        let cfg = self.shared.config.load();
        let policies = self.policies();
        let validating: Vec<String> = policies.iter().map(|p| p.name.clone()).collect();
        let mutating: Vec<String> = policies
            .iter()
            .filter(|p| p.mutating)
            .map(|p| p.name.clone())
            .collect();
        let bundle = self.cert.as_ref().map(|c| c.ca_bundle());
        tls::webhook_yaml(&cfg, bundle.as_deref(), &validating, &mutating)
    }

    /// Stop accepting connections and let requests in flight finish,
    /// for at most `grace`.
    pub fn shutdown(&self, grace: Duration) {
        tracing::info!(?grace, "shutting down: draining connections");
        self.handle.graceful_shutdown(Some(grace));
    }

    /// Wait for the server to stop (after [`RunningServer::shutdown`]).
    pub async fn join(self) -> Result<(), ServerError> {
        for b in &self.background {
            b.abort();
        }
        match self.serve.await {
            Ok(r) => r.map_err(|source| ServerError::Io {
                what: "serving".into(),
                source,
            }),
            Err(e) => Err(ServerError::Io {
                what: "server task".into(),
                source: std::io::Error::other(e.to_string()),
            }),
        }
    }

    /// Serve until SIGTERM or SIGINT, then drain for at most `grace` and
    /// return.
    pub async fn run_until_signal(self, grace: Duration) -> Result<(), ServerError> {
        wait_for_termination().await;
        self.shutdown(grace);
        self.join().await
    }
}

async fn wait_for_termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM received"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only SIGINT stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn router(shared: Arc<Shared>, max_body: usize) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/validate", post(validate_all))
        .route("/validate/{policy}", post(validate_one))
        .route("/mutate/{policy}", post(mutate_one))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "not found: use POST /validate, /validate/<policy>, /mutate/<policy>; GET /healthz, /readyz, /metrics\n",
            )
        })
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(shared)
}

async fn readyz(State(s): State<Arc<Shared>>) -> Response {
    match s.set.load().as_ref() {
        Some(set) => (
            StatusCode::OK,
            format!(
                "ready: {} policies, generation {}\n",
                set.policies.len(),
                set.generation
            ),
        )
            .into_response(),
        None => {
            let why = s
                .last_load_error
                .lock()
                .clone()
                .unwrap_or_else(|| "loading and warming policies".into());
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {why}\n"),
            )
                .into_response()
        }
    }
}

async fn metrics_text(State(s): State<Arc<Shared>>) -> Response {
    if let Some(set) = s.set.load().as_ref() {
        for p in set.handler.policies() {
            if let Some(n) = p.pool_size {
                s.metrics
                    .pool_size
                    .get_or_create(&PolicyLabel {
                        policy: p.name.clone(),
                    })
                    .set(i64::try_from(n).unwrap_or(i64::MAX));
            }
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.metrics.render(),
    )
        .into_response()
}

async fn validate_all(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    admit(s, "validate_all", None, false, body).await
}

async fn validate_one(
    State(s): State<Arc<Shared>>,
    AxPath(policy): AxPath<String>,
    body: Bytes,
) -> Response {
    admit(s, "validate", Some(policy), false, body).await
}

async fn mutate_one(
    State(s): State<Arc<Shared>>,
    AxPath(policy): AxPath<String>,
    body: Bytes,
) -> Response {
    admit(s, "mutate", Some(policy), true, body).await
}

fn text(code: StatusCode, msg: String) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        msg,
    )
        .into_response()
}

async fn admit(
    s: Arc<Shared>,
    endpoint: &'static str,
    policy: Option<String>,
    mutate: bool,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let deadline = started + s.request_deadline;
    let (doc, head) = match review::parse_review(&body) {
        Ok(x) => x,
        Err(e) => {
            s.metrics.request(endpoint, 400);
            tracing::info!(endpoint, error = %e, "malformed AdmissionReview");
            return text(
                StatusCode::BAD_REQUEST,
                format!("malformed AdmissionReview: {e}\n"),
            );
        }
    };
    // The set this request runs on, start to finish (a reload swaps the
    // pointer; this Arc keeps the old set alive until we are done).
    let Some(set) = s.set.load_full() else {
        let fp = s.config.load().defaults.failure_policy;
        let (d, _) = review::on_failure("*", fp, "policies are still loading");
        s.metrics.request(endpoint, 200);
        return json_response(&head, &d);
    };
    let names: Vec<String> = match &policy {
        Some(p) => {
            if !set.settings.contains_key(p) {
                s.metrics.request(endpoint, 404);
                let known: Vec<&str> = set.policies.iter().map(|p| p.name.as_str()).collect();
                return text(
                    StatusCode::NOT_FOUND,
                    format!("no policy named {p:?}; serving: {}\n", known.join(", ")),
                );
            }
            vec![p.clone()]
        }
        None => set.policies.iter().map(|p| p.name.clone()).collect(),
    };
    let doc = Arc::new(doc);
    let decisions = if names.len() == 1 {
        let mut out = Vec::with_capacity(1);
        for name in names {
            let d = evaluate(&s, &set, &name, mutate, doc.clone(), deadline).await;
            out.push((name, d));
        }
        out
    } else {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, name) in names.into_iter().enumerate() {
            let (s, set, doc) = (s.clone(), set.clone(), doc.clone());
            tasks.spawn(async move {
                let d = evaluate(&s, &set, &name, mutate, doc, deadline).await;
                (i, name, d)
            });
        }
        let mut out = Vec::new();
        while let Some(r) = tasks.join_next().await {
            match r {
                Ok(x) => out.push(x),
                Err(e) => tracing::error!(error = %e, "evaluation task failed"),
            }
        }
        out.sort_by_key(|(i, _, _)| *i);
        out.into_iter().map(|(_, n, d)| (n, d)).collect()
    };
    let merged = review::merge(decisions);
    tracing::debug!(
        uid = %head.uid, kind = %head.kind, object = %head.object, op = %head.operation,
        allowed = merged.allowed, elapsed_us = started.elapsed().as_micros() as u64,
        "reviewed"
    );
    s.metrics.request(endpoint, 200);
    json_response(&head, &merged)
}

fn json_response(head: &ReviewHead, d: &PolicyDecision) -> Response {
    let body = review::response(head, d).to_string();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// One policy on one review, with every limit applied; always a decision.
async fn evaluate(
    s: &Arc<Shared>,
    set: &Arc<LoadedSet>,
    name: &str,
    mutate: bool,
    doc: Arc<serde_json::Value>,
    deadline: Instant,
) -> PolicyDecision {
    let settings = set
        .settings
        .get(name)
        .cloned()
        .unwrap_or_else(|| s.config.load().settings_for(name));
    let fail = |cause: &str, why: String| -> PolicyDecision {
        s.metrics.error(name, cause);
        let (d, outcome) = review::on_failure(name, settings.failure_policy, &why);
        s.metrics.decision(name, outcome.as_str());
        tracing::warn!(policy = name, cause, error = %why, result = outcome.as_str(), "policy could not decide");
        d
    };
    let now = Instant::now();
    let remaining = deadline.saturating_duration_since(now);
    let wait = s.queue_wait.min(remaining);
    let permit = match tokio::time::timeout(wait, s.permits.clone().acquire_owned()).await {
        Ok(Ok(p)) => p,
        _ => {
            s.metrics.limit(name, "concurrency");
            return fail(
                "overload",
                format!("server overloaded: no evaluation slot within {wait:?}"),
            );
        }
    };
    let budget = settings
        .timeout
        .min(deadline.saturating_duration_since(Instant::now()));
    let handler = set.handler.clone();
    let policy = name.to_string();
    let in_flight = s.metrics.in_flight.clone();
    in_flight.inc();
    let started = Instant::now();
    // The permit moves into the worker: an evaluation that overruns its
    // deadline keeps its slot until it really ends, so runaway policies
    // shrink capacity (visible as overload) instead of piling up threads.
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let r = handler.review(&policy, mutate, &doc);
        in_flight.dec();
        r
    });
    match tokio::time::timeout(budget, task).await {
        Ok(Ok(Ok(d))) => {
            s.metrics.observe(name, started.elapsed().as_secs_f64());
            let (d, outcome) = review::enforce(name, settings.enforcement, d);
            s.metrics.decision(name, outcome.as_str());
            if outcome != Outcome::Allowed {
                tracing::info!(policy = name, result = outcome.as_str(), messages = ?d.messages, warnings = ?d.warnings, "policy decision");
            }
            d
        }
        Ok(Ok(Err(e))) => {
            s.metrics.observe(name, started.elapsed().as_secs_f64());
            if matches!(e, ReviewError::Limit(_)) {
                s.metrics.limit(name, "engine");
            }
            fail(e.cause(), e.to_string())
        }
        Ok(Err(join)) => fail("panic", format!("evaluation panicked: {join}")),
        Err(_) => {
            s.metrics.limit(name, "timeout");
            fail("timeout", format!("evaluation exceeded {budget:?}"))
        }
    }
}
