//! Prometheus metrics (text exposition format 0.0.4 on `/metrics`).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels `{policy}`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PolicyLabel {
    /// Policy name.
    pub policy: String,
}

/// Labels `{policy, result}`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DecisionLabels {
    /// Policy name.
    pub policy: String,
    /// `allowed`, `denied`, `warned`, `dryrun_denied`, `failed_closed`,
    /// `failed_open`.
    pub result: String,
}

/// Labels `{policy, cause}`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    /// Policy name.
    pub policy: String,
    /// Error cause (`timeout`, `overload`, `limit`, `eval`, ...).
    pub cause: String,
}

/// Labels `{policy, limit}`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    /// Policy name.
    pub policy: String,
    /// Which limit: `timeout`, `concurrency`, `engine` (memory, fuel,
    /// input size, as reported by the engine).
    pub limit: String,
}

/// Labels `{endpoint, code}`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// `validate`, `mutate`, `validate_all`.
    pub endpoint: String,
    /// HTTP status.
    pub code: String,
}

/// Labels `{result}`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    /// `ok` or `error`.
    pub result: String,
}

type HistogramFamily = Family<PolicyLabel, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 100 µs .. ~3.3 s
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

/// Every metric the server exports.
pub struct Metrics {
    registry: Registry,
    /// Evaluation latency per policy, seconds.
    pub evaluation_seconds: HistogramFamily,
    /// Decisions per policy and result.
    pub decisions: Family<DecisionLabels, Counter>,
    /// Errors per policy and cause.
    pub errors: Family<ErrorLabels, Counter>,
    /// Limit hits per policy and limit.
    pub limit_hits: Family<LimitLabels, Counter>,
    /// Instance pool size per policy.
    pub pool_size: Family<PolicyLabel, Gauge>,
    /// HTTP requests per endpoint and status.
    pub requests: Family<RequestLabels, Counter>,
    /// Reloads by result.
    pub reloads: Family<ResultLabel, Counter>,
    /// Evaluations running now.
    pub in_flight: Gauge,
    /// Generation of the serving policy set (1 = first load).
    pub generation: Gauge,
    /// Policies in the serving set.
    pub policies: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Create and register all metrics (prefix `regowasm_`).
    pub fn new() -> Self {
        let mut root = Registry::default();
        let reg = root.sub_registry_with_prefix("regowasm");
        let evaluation_seconds: HistogramFamily =
            Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        reg.register(
            "evaluation_seconds",
            "Policy evaluation latency in seconds",
            evaluation_seconds.clone(),
        );
        let decisions = Family::<DecisionLabels, Counter>::default();
        reg.register("decisions", "Policy decisions by result", decisions.clone());
        let errors = Family::<ErrorLabels, Counter>::default();
        reg.register(
            "errors",
            "Policy evaluation errors by cause",
            errors.clone(),
        );
        let limit_hits = Family::<LimitLabels, Counter>::default();
        reg.register(
            "limit_hits",
            "Evaluations stopped by a limit",
            limit_hits.clone(),
        );
        let pool_size = Family::<PolicyLabel, Gauge>::default();
        reg.register(
            "instance_pool_size",
            "Warm instances pooled per policy",
            pool_size.clone(),
        );
        let requests = Family::<RequestLabels, Counter>::default();
        reg.register(
            "http_requests",
            "Admission HTTP requests by endpoint and status",
            requests.clone(),
        );
        let reloads = Family::<ResultLabel, Counter>::default();
        reg.register("reloads", "Policy set reloads by result", reloads.clone());
        let in_flight = Gauge::default();
        reg.register(
            "evaluations_in_flight",
            "Evaluations running now",
            in_flight.clone(),
        );
        let generation = Gauge::default();
        reg.register(
            "policy_set_generation",
            "Generation of the serving policy set",
            generation.clone(),
        );
        let policies = Gauge::default();
        reg.register("policies", "Policies in the serving set", policies.clone());
        Metrics {
            registry: root,
            evaluation_seconds,
            decisions,
            errors,
            limit_hits,
            pool_size,
            requests,
            reloads,
            in_flight,
            generation,
            policies,
        }
    }

    /// Render in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) =
            prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
        {
            tracing::warn!(error = %e, "encoding metrics failed");
        }
        out
    }

    /// Count a decision.
    pub fn decision(&self, policy: &str, result: &str) {
        self.decisions
            .get_or_create(&DecisionLabels {
                policy: policy.into(),
                result: result.into(),
            })
            .inc();
    }

    /// Count an error.
    pub fn error(&self, policy: &str, cause: &str) {
        self.errors
            .get_or_create(&ErrorLabels {
                policy: policy.into(),
                cause: cause.into(),
            })
            .inc();
    }

    /// Count a limit hit.
    pub fn limit(&self, policy: &str, limit: &str) {
        self.limit_hits
            .get_or_create(&LimitLabels {
                policy: policy.into(),
                limit: limit.into(),
            })
            .inc();
    }

    /// Count an HTTP request.
    pub fn request(&self, endpoint: &str, code: u16) {
        self.requests
            .get_or_create(&RequestLabels {
                endpoint: endpoint.into(),
                code: code.to_string(),
            })
            .inc();
    }

    /// Record an evaluation's latency.
    pub fn observe(&self, policy: &str, seconds: f64) {
        self.evaluation_seconds
            .get_or_create(&PolicyLabel {
                policy: policy.into(),
            })
            .observe(seconds);
    }
}
