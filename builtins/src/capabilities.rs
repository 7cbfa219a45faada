//! Opt-in capabilities for builtins that reach outside the evaluation:
//! `http.send`, `net.lookup_ip_addr` and `opa.runtime`. All are off by
//! default; a disabled builtin is registered as [`Served::Gated`] and fails
//! with [`BuiltinError::CapabilityDisabled`].
//!
//! [`Served::Gated`]: crate::Served::Gated
//! [`BuiltinError::CapabilityDisabled`]: crate::BuiltinError::CapabilityDisabled

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Which outside-world builtins are enabled, and how. Deserializable from
/// JSON/YAML; every field defaults to "off".
///
/// ```
/// let caps: regowasm_builtins::Capabilities = serde_json::from_str(
///     r#"{"http": {"allowed_hosts": ["127.0.0.1"], "timeout_ms": 2000}}"#,
/// ).unwrap();
/// assert!(caps.http.is_some());
/// assert!(!caps.net_lookup.enabled);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Capabilities {
    /// `http.send`; `None` (the default) disables it.
    pub http: Option<HttpCapability>,
    /// `net.lookup_ip_addr`; disabled by default.
    pub net_lookup: NetLookupCapability,
    /// The value `opa.runtime()` returns; `None` (the default) disables it.
    /// Only what is configured here is exposed (no environment, no
    /// configuration file contents).
    pub runtime: Option<serde_json::Value>,
}

/// Settings of `http.send`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpCapability {
    /// Hosts (`host` or `host:port`) requests may go to; a request to any
    /// other host fails with OPA's `unallowed host` error. Empty: none.
    pub allowed_hosts: Vec<String>,
    /// Default request timeout in milliseconds when the request has no
    /// `timeout` (OPA's default: 5 s).
    pub timeout_ms: u64,
    /// Upper bound on a response body, in bytes (default 16 MiB).
    pub max_body_bytes: u64,
}

impl Default for HttpCapability {
    fn default() -> Self {
        HttpCapability {
            allowed_hosts: Vec::new(),
            timeout_ms: 5_000,
            max_body_bytes: 16 * 1024 * 1024,
        }
    }
}

impl HttpCapability {
    /// Whether `host` (with optional `:port`) is on the allow-list.
    pub fn allows(&self, host: &str, port: Option<u16>) -> bool {
        let with_port = port.map(|p| format!("{host}:{p}"));
        self.allowed_hosts.iter().any(|h| {
            h.eq_ignore_ascii_case(host)
                || with_port
                    .as_deref()
                    .is_some_and(|hp| h.eq_ignore_ascii_case(hp))
        })
    }
}

/// Settings of `net.lookup_ip_addr`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetLookupCapability {
    /// Turn the builtin on.
    pub enabled: bool,
    /// Fixed answers by host name, consulted first (a stub resolver for
    /// tests, or pinned names in production).
    pub static_hosts: BTreeMap<String, Vec<IpAddr>>,
    /// Fall back to the system resolver for names not in `static_hosts`.
    pub system_resolver: bool,
}
