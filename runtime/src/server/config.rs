//! The server's YAML configuration.
//!
//! Every field has a default, so an empty file (or no file at all) is a
//! valid configuration: HTTPS on `0.0.0.0:8443` with a generated
//! certificate, serving the default policy set. A complete example, with
//! every default spelled out:
//!
//! ```yaml
//! listen: 0.0.0.0:8443          # address:port to bind
//! tls:
//!   cert: null                  # PEM certificate chain; null = generate one
//!   key: null                   # PEM private key (with `cert`)
//!   clientCa: null              # PEM CA bundle: require client certs (mTLS)
//!   dnsNames:                   # names put in a generated certificate
//!     - regowasm.regowasm-system.svc
//!     - localhost
//!   ipAddresses: [127.0.0.1]    # IPs put in a generated certificate
//! insecureHttp: false           # plain HTTP: local testing only
//! service:                      # where the API server reaches the webhook
//!   name: regowasm              # (used in the printed webhook YAML)
//!   namespace: regowasm-system
//!   port: 443
//! limits:
//!   maxBodyBytes: 3145728       # larger bodies get 413
//!   maxConcurrent: 0            # evaluations at once; 0 = 2 x cores
//!   queueWaitMs: 2000           # wait for a slot before failing per policy
//!   requestDeadlineMs: 9000     # whole-request budget (API server: 10 s)
//! reload:
//!   watch: true                 # poll config/policy files for changes
//!   pollIntervalMs: 2000
//! defaults:                     # per-policy settings, unless overridden
//!   timeoutMs: 3000
//!   failurePolicy: Fail         # Fail = deny on error, Ignore = allow
//!   enforcement: deny           # deny | warn | dryrun
//!   memoryMiB: 256
//! policySet: policies           # directory loaded as the default set;
//!                               # null with no `policies` = embedded set
//! policies:                     # explicit policies (optional)
//!   - name: privileged
//!     kind: wasm                # wasm | bundle | rego | gatekeeper | kubewarden
//!     path: policies/privileged.wasm
//!     entrypoint: policy/violation
//!     data: {}                  # data document merged for this policy
//!     dataFiles: []             # JSON/YAML files merged into data
//!     settings: {}              # Kubewarden-style settings
//!     constraints: []           # Gatekeeper: constraint YAML files
//!     timeoutMs: 1000
//!     failurePolicy: Ignore
//!     enforcement: warn
//!     memoryMiB: 64
//! inventory:
//!   files: []                   # YAML/JSON object lists for data.inventory
//!   cluster: false              # sync from the cluster (feature `cluster-sync`)
//! ```

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The whole server configuration (YAML, camelCase keys).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to bind. Default `0.0.0.0:8443`.
    pub listen: SocketAddr,
    /// TLS settings.
    pub tls: TlsConfig,
    /// Serve plain HTTP (local testing only; the API server requires HTTPS).
    pub insecure_http: bool,
    /// The Service the API server uses to reach the webhook.
    pub service: ServiceConfig,
    /// Request limits.
    pub limits: LimitsConfig,
    /// Hot reload.
    pub reload: ReloadConfig,
    /// Per-policy settings used when a policy does not set its own.
    pub defaults: PolicyDefaults,
    /// A directory loaded as a policy set. `None` (and no `policies`)
    /// means the set embedded in the binary, or `policies/` on disk.
    pub policy_set: Option<PathBuf>,
    /// Explicitly listed policies.
    pub policies: Vec<PolicyEntry>,
    /// Inventory data for referential policies.
    pub inventory: InventoryConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 8443),
            tls: TlsConfig::default(),
            insecure_http: false,
            service: ServiceConfig::default(),
            limits: LimitsConfig::default(),
            reload: ReloadConfig::default(),
            defaults: PolicyDefaults::default(),
            policy_set: None,
            policies: Vec::new(),
            inventory: InventoryConfig::default(),
        }
    }
}

/// TLS settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain. With `key`; when absent a certificate is
    /// generated at start-up.
    pub cert: Option<PathBuf>,
    /// PEM private key for `cert`.
    pub key: Option<PathBuf>,
    /// PEM CA bundle; when set, clients must present a certificate it signed.
    pub client_ca: Option<PathBuf>,
    /// DNS names of a generated certificate.
    pub dns_names: Vec<String>,
    /// IP addresses of a generated certificate.
    pub ip_addresses: Vec<IpAddr>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            cert: None,
            key: None,
            client_ca: None,
            dns_names: Vec::new(),
            ip_addresses: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
        }
    }
}

/// The Kubernetes Service in front of the webhook.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Service name. Default `regowasm`.
    pub name: String,
    /// Service namespace. Default `regowasm-system`.
    pub namespace: String,
    /// Service port. Default 443.
    pub port: u16,
    /// When set, the printed webhook YAML uses `url:` instead of `service:`
    /// (e.g. `https://host.docker.internal:8443` for a kind cluster).
    pub url: Option<String>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            name: "regowasm".into(),
            namespace: "regowasm-system".into(),
            port: 443,
            url: None,
        }
    }
}

impl ServiceConfig {
    /// The DNS names the API server uses for this Service.
    pub fn dns_names(&self) -> Vec<String> {
        vec![
            format!("{}.{}.svc", self.name, self.namespace),
            format!("{}.{}.svc.cluster.local", self.name, self.namespace),
        ]
    }
}

/// Request limits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest accepted request body. Default 3 MiB (the API server's own
    /// request limit).
    pub max_body_bytes: usize,
    /// Evaluations running at once; 0 means twice the number of cores.
    pub max_concurrent: usize,
    /// How long a request waits for an evaluation slot before it is
    /// answered per its failure policy. Default 2000 ms.
    pub queue_wait_ms: u64,
    /// Budget for a whole request, kept below the API server's webhook
    /// timeout (10 s by default). Default 9000 ms.
    pub request_deadline_ms: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_body_bytes: 3 << 20,
            max_concurrent: 0,
            queue_wait_ms: 2000,
            request_deadline_ms: 9000,
        }
    }
}

impl LimitsConfig {
    /// `max_concurrent`, with 0 resolved to twice the available cores.
    pub fn effective_concurrency(&self) -> usize {
        if self.max_concurrent > 0 {
            return self.max_concurrent;
        }
        std::thread::available_parallelism()
            .map(|n| n.get() * 2)
            .unwrap_or(4)
    }
}

/// Hot reload settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ReloadConfig {
    /// Poll the config file and policy files for changes. Default true.
    /// (SIGHUP always reloads.)
    pub watch: bool,
    /// Poll interval. Default 2000 ms.
    pub poll_interval_ms: u64,
}

impl Default for ReloadConfig {
    fn default() -> Self {
        ReloadConfig {
            watch: true,
            poll_interval_ms: 2000,
        }
    }
}

/// What to answer when a policy cannot decide (error, timeout, limit,
/// overload). Same meaning as the webhook's `failurePolicy`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum FailurePolicy {
    /// Deny the request (fail closed). The default.
    #[default]
    Fail,
    /// Allow the request, with a warning (fail open).
    Ignore,
}

/// What a policy's denials do.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    /// Denials deny. The default.
    #[default]
    Deny,
    /// Denials become warnings; the request is allowed.
    Warn,
    /// Denials are only logged and counted; the request is allowed.
    Dryrun,
}

impl Enforcement {
    /// The metric/log label.
    pub fn as_str(self) -> &'static str {
        match self {
            Enforcement::Deny => "deny",
            Enforcement::Warn => "warn",
            Enforcement::Dryrun => "dryrun",
        }
    }
}

/// Per-policy settings used when a policy does not set its own.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PolicyDefaults {
    /// Evaluation timeout. Default 3000 ms.
    pub timeout_ms: u64,
    /// Failure policy. Default `Fail`.
    pub failure_policy: FailurePolicy,
    /// Enforcement. Default `deny`.
    pub enforcement: Enforcement,
    /// Memory cap of one evaluation (Wasm linear memory). Default 256 MiB.
    #[serde(rename = "memoryMiB")]
    pub memory_mib: u64,
}

impl Default for PolicyDefaults {
    fn default() -> Self {
        PolicyDefaults {
            timeout_ms: 3000,
            failure_policy: FailurePolicy::Fail,
            enforcement: Enforcement::Deny,
            memory_mib: 256,
        }
    }
}

/// The kind of source a policy entry is loaded from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// An OPA-compiled Wasm module (`policy.wasm`).
    #[default]
    Wasm,
    /// An OPA bundle (`bundle.tar.gz`) with a Wasm module.
    Bundle,
    /// Rego source files (a file or a directory of `.rego`).
    Rego,
    /// A Gatekeeper ConstraintTemplate plus constraints.
    Gatekeeper,
    /// A Kubewarden-style OPA policy (Wasm or Rego) with settings.
    Kubewarden,
}

/// One explicitly listed policy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PolicyEntry {
    /// Name, used in `/validate/<name>`, `/mutate/<name>`, metrics, logs.
    pub name: String,
    /// Source kind.
    pub kind: PolicyKind,
    /// Source path (module, bundle, Rego file or directory, template).
    pub path: PathBuf,
    /// Entrypoint (`a/b` or `data.a.b`) where the kind needs one.
    pub entrypoint: Option<String>,
    /// Inline data document.
    pub data: Option<serde_json::Value>,
    /// JSON/YAML files merged into data.
    pub data_files: Vec<PathBuf>,
    /// Kubewarden-style settings.
    pub settings: Option<serde_json::Value>,
    /// Gatekeeper constraint files.
    pub constraints: Vec<PathBuf>,
    /// Evaluation timeout, overriding `defaults.timeoutMs`.
    pub timeout_ms: Option<u64>,
    /// Failure policy, overriding `defaults.failurePolicy`.
    pub failure_policy: Option<FailurePolicy>,
    /// Enforcement, overriding `defaults.enforcement`.
    pub enforcement: Option<Enforcement>,
    /// Memory cap, overriding `defaults.memoryMiB`.
    #[serde(rename = "memoryMiB")]
    pub memory_mib: Option<u64>,
    /// The policy may patch objects (served on `/mutate/<name>`).
    pub mutating: bool,
}

/// Inventory (`data.inventory`) sources for referential policies.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct InventoryConfig {
    /// YAML/JSON files holding Kubernetes objects (lists or single objects).
    pub files: Vec<PathBuf>,
    /// Sync objects from the cluster with watchers (feature `cluster-sync`,
    /// flag `--sync-inventory`).
    pub cluster: bool,
    /// Kinds synced from the cluster, as `group/version/Kind`
    /// (`v1/Namespace`, `networking.k8s.io/v1/Ingress`).
    pub sync_kinds: Vec<String>,
}

/// Settings of one policy after defaults are applied.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveSettings {
    /// Evaluation timeout.
    pub timeout: Duration,
    /// Failure policy.
    pub failure_policy: FailurePolicy,
    /// Enforcement.
    pub enforcement: Enforcement,
    /// Memory cap in bytes.
    pub memory_bytes: u64,
}

/// Errors reading a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The YAML is not a valid configuration.
    #[error("parsing config {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_yaml::Error,
    },
    /// The configuration is inconsistent.
    #[error("invalid config: {0}")]
    Invalid(String),
}

impl ServerConfig {
    /// Read and validate a YAML configuration file. Relative paths inside
    /// it are resolved against the file's directory.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut cfg = Self::from_yaml(&text).map_err(|e| match e {
            ConfigError::Parse { source, .. } => ConfigError::Parse {
                path: path.to_path_buf(),
                source,
            },
            other => other,
        })?;
        if let Some(dir) = path.parent() {
            cfg.resolve_relative_to(dir);
        }
        Ok(cfg)
    }

    /// Parse and validate a YAML configuration (paths left as written).
    pub fn from_yaml(text: &str) -> Result<Self, ConfigError> {
        let cfg: ServerConfig = if text.trim().is_empty() {
            ServerConfig::default()
        } else {
            serde_yaml::from_str(text).map_err(|source| ConfigError::Parse {
                path: PathBuf::from("<inline>"),
                source,
            })?
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Check consistency: unique non-empty names, cert with key, limits > 0.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut seen = std::collections::BTreeSet::new();
        for p in &self.policies {
            if p.name.is_empty()
                || !p
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            {
                return Err(ConfigError::Invalid(format!(
                    "policy name {:?} must be non-empty and use only [A-Za-z0-9._-]",
                    p.name
                )));
            }
            if !seen.insert(p.name.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "policy name {:?} is listed twice",
                    p.name
                )));
            }
        }
        if self.tls.cert.is_some() != self.tls.key.is_some() {
            return Err(ConfigError::Invalid(
                "tls.cert and tls.key must be given together".into(),
            ));
        }
        if self.limits.max_body_bytes == 0 || self.limits.request_deadline_ms == 0 {
            return Err(ConfigError::Invalid(
                "limits.maxBodyBytes and limits.requestDeadlineMs must be > 0".into(),
            ));
        }
        Ok(())
    }

    fn resolve_relative_to(&mut self, dir: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        };
        for p in [
            &mut self.tls.cert,
            &mut self.tls.key,
            &mut self.tls.client_ca,
        ]
        .into_iter()
        .flatten()
        {
            fix(p);
        }
        if let Some(p) = self.policy_set.as_mut() {
            fix(p);
        }
        for e in &mut self.policies {
            fix(&mut e.path);
            e.data_files.iter_mut().for_each(fix);
            e.constraints.iter_mut().for_each(fix);
        }
        self.inventory.files.iter_mut().for_each(fix);
    }

    /// The effective settings of a policy by name (entry overrides, else
    /// defaults).
    pub fn settings_for(&self, name: &str) -> EffectiveSettings {
        let entry = self.policies.iter().find(|p| p.name == name);
        let d = &self.defaults;
        EffectiveSettings {
            timeout: Duration::from_millis(
                entry.and_then(|e| e.timeout_ms).unwrap_or(d.timeout_ms),
            ),
            failure_policy: entry
                .and_then(|e| e.failure_policy)
                .unwrap_or(d.failure_policy),
            enforcement: entry.and_then(|e| e.enforcement).unwrap_or(d.enforcement),
            memory_bytes: entry
                .and_then(|e| e.memory_mib)
                .unwrap_or(d.memory_mib)
                .saturating_mul(1 << 20),
        }
    }

    /// The files whose change triggers a reload (besides the config file).
    pub fn watched_paths(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Some(p) = &self.policy_set {
            out.push(p.clone());
        }
        for e in &self.policies {
            out.push(e.path.clone());
            out.extend(e.data_files.iter().cloned());
            out.extend(e.constraints.iter().cloned());
        }
        out.extend(self.inventory.files.iter().cloned());
        for p in [&self.tls.cert, &self.tls.key, &self.tls.client_ca]
            .into_iter()
            .flatten()
        {
            out.push(p.clone());
        }
        out
    }

    /// DNS names for a generated certificate: configured ones, else the
    /// Service's names plus `localhost`.
    pub fn cert_dns_names(&self) -> Vec<String> {
        if !self.tls.dns_names.is_empty() {
            return self.tls.dns_names.clone();
        }
        let mut names = self.service.dns_names();
        names.push("localhost".into());
        names
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_default() {
        assert_eq!(
            ServerConfig::from_yaml("").unwrap(),
            ServerConfig::default()
        );
    }

    #[test]
    fn doc_example_parses_and_overrides() {
        let doc = include_str!("config.rs");
        let yaml: String = doc
            .lines()
            .skip_while(|l| !l.starts_with("//! ```yaml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| l.strip_prefix("//! ").unwrap_or("").to_string() + "\n")
            .collect();
        let cfg = ServerConfig::from_yaml(&yaml).unwrap();
        assert_eq!(cfg.policies.len(), 1);
        let s = cfg.settings_for("privileged");
        assert_eq!(s.timeout, Duration::from_millis(1000));
        assert_eq!(s.failure_policy, FailurePolicy::Ignore);
        assert_eq!(s.enforcement, Enforcement::Warn);
        assert_eq!(s.memory_bytes, 64 << 20);
        let d = cfg.settings_for("other");
        assert_eq!(d.timeout, Duration::from_millis(3000));
        assert_eq!(d.failure_policy, FailurePolicy::Fail);
    }

    #[test]
    fn rejects_bad_configs() {
        let dup = "policies:\n- name: a\n- name: a\n";
        assert!(
            ServerConfig::from_yaml(dup)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        let unknown = "listn: 1.2.3.4:5\n";
        assert!(matches!(
            ServerConfig::from_yaml(unknown),
            Err(ConfigError::Parse { .. })
        ));
        let half_tls = "tls:\n  cert: a.pem\n";
        assert!(ServerConfig::from_yaml(half_tls).is_err());
        let bad_name = "policies:\n- name: 'a/b'\n";
        assert!(ServerConfig::from_yaml(bad_name).is_err());
    }
}
