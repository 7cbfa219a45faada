//! The outside-world builtins, behind [`Capabilities`]: `http.send`,
//! `net.lookup_ip_addr`, `opa.runtime`. Registered as [`Served::Gated`]
//! (failing with [`BuiltinError::CapabilityDisabled`]) unless enabled.

use crate::capabilities::{Capabilities, HttpCapability, NetLookupCapability};
use crate::registry::Builtin;
use crate::{BuiltinError, EvalContext, Registry, Served, Value, args};
use std::sync::Arc;
use std::time::Duration;

const HTTP_SEND: &str = "http.send";
const LOOKUP: &str = "net.lookup_ip_addr";
const RUNTIME: &str = "opa.runtime";

/// The gated builtins: name and arity.
pub(crate) const GATED: [(&str, usize); 3] = [(HTTP_SEND, 1), (LOOKUP, 1), (RUNTIME, 0)];

/// Register the gated builtins in their disabled form.
pub(crate) fn register(r: &mut Registry) {
    for (name, arity) in GATED {
        r.insert(Builtin::new(
            name,
            arity,
            Served::Gated,
            Arc::new(move |_, a| {
                if name == HTTP_SEND {
                    check_request(a)?;
                }
                Err(BuiltinError::CapabilityDisabled(name.to_string()))
            }),
        ));
    }
}

/// Replace the disabled forms by working ones for each enabled capability.
pub(crate) fn enable(r: &mut Registry, caps: &Capabilities) {
    if let Some(http) = &caps.http {
        let http = Arc::new(http.clone());
        r.insert(Builtin::new(
            HTTP_SEND,
            1,
            Served::Native,
            Arc::new(move |ctx, a| http_send(ctx, &http, a).map(Some)),
        ));
    }
    if caps.net_lookup.enabled {
        let cfg = Arc::new(caps.net_lookup.clone());
        r.insert(Builtin::new(
            LOOKUP,
            1,
            Served::Native,
            Arc::new(move |_, a| lookup(&cfg, a).map(Some)),
        ));
    }
    if let Some(rt) = &caps.runtime {
        let v = Value::from_serde(rt);
        r.insert(Builtin::new(
            RUNTIME,
            0,
            Served::Native,
            Arc::new(move |_, _| Ok(Some(v.clone()))),
        ));
    }
}

fn lookup(cfg: &NetLookupCapability, a: &[Value]) -> Result<Value, BuiltinError> {
    let name = args::string(LOOKUP, a, 0)?;
    if let Ok(ip) = name.parse::<std::net::IpAddr>() {
        return Ok(Value::set([Value::string(ip.to_string())]));
    }
    if let Some(ips) = cfg.static_hosts.get(name) {
        return Ok(Value::set(
            ips.iter().map(|ip| Value::string(ip.to_string())),
        ));
    }
    if !cfg.system_resolver {
        return Err(BuiltinError::failed(
            LOOKUP,
            format!("lookup {name}: no such host"),
        ));
    }
    use std::net::ToSocketAddrs as _;
    let addrs = (name, 0u16)
        .to_socket_addrs()
        .map_err(|e| BuiltinError::failed(LOOKUP, format!("lookup {name}: {e}")))?;
    Ok(Value::set(addrs.map(|a| Value::string(a.ip().to_string()))))
}

const REQUEST_KEYS: [&str; 25] = [
    "method",
    "url",
    "body",
    "enable_redirect",
    "force_json_decode",
    "force_yaml_decode",
    "headers",
    "raw_body",
    "tls_use_system_certs",
    "tls_ca_cert",
    "tls_ca_cert_file",
    "tls_ca_cert_env_variable",
    "tls_client_cert",
    "tls_client_cert_file",
    "tls_client_cert_env_variable",
    "tls_client_key",
    "tls_client_key_file",
    "tls_client_key_env_variable",
    "tls_insecure_skip_verify",
    "tls_server_name",
    "timeout",
    "cache",
    "force_cache",
    "force_cache_duration_seconds",
    "raise_error",
];

const EXTRA_KEYS: [&str; 3] = [
    "caching_mode",
    "max_retry_attempts",
    "cache_ignored_headers",
];

/// A Go duration string (`"5s"`, `"1m30s"`, `"250ms"`) or nanoseconds.
fn parse_timeout(v: &Value) -> Result<Duration, String> {
    match v {
        Value::Number(n) => {
            let ns = n
                .as_i64()
                .ok_or_else(|| "invalid timeout number value".to_string())?;
            Ok(Duration::from_nanos(u64::try_from(ns).unwrap_or(0)))
        }
        Value::String(s) => {
            let mut total = 0f64;
            let mut rest = s.trim();
            if rest.is_empty() {
                return Err(format!("time: invalid duration {s:?}"));
            }
            while !rest.is_empty() {
                let num_end = rest
                    .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .unwrap_or(rest.len());
                let num: f64 = rest
                    .get(..num_end)
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| format!("time: invalid duration {s:?}"))?;
                rest = rest.get(num_end..).unwrap_or_default();
                let unit_end = rest
                    .find(|c: char| c.is_ascii_digit() || c == '.')
                    .unwrap_or(rest.len());
                let unit = rest.get(..unit_end).unwrap_or_default();
                rest = rest.get(unit_end..).unwrap_or_default();
                let scale = match unit {
                    "ns" => 1e-9,
                    "us" | "µs" => 1e-6,
                    "ms" => 1e-3,
                    "s" => 1.0,
                    "m" => 60.0,
                    "h" => 3600.0,
                    _ => return Err(format!("time: unknown unit {unit:?} in duration {s:?}")),
                };
                total += num * scale;
            }
            Ok(Duration::from_secs_f64(total))
        }
        _ => Err("invalid timeout value".to_string()),
    }
}

fn network_error(message: String) -> Value {
    Value::object([
        (Value::string("status_code"), Value::int(0)),
        (
            Value::string("error"),
            Value::object([
                (
                    Value::string("code"),
                    Value::string("eval_http_send_network_error"),
                ),
                (Value::string("message"), Value::string(message)),
            ]),
        ),
    ])
}

/// The request object, its keys checked as OPA checks them (before
/// anything else, so a disabled `http.send` reports them too).
fn check_request(a: &[Value]) -> Result<&std::collections::BTreeMap<Value, Value>, BuiltinError> {
    let req = args::object(HTTP_SEND, a, 0)?;
    let invalid: Vec<String> = req
        .keys()
        .filter(|k| {
            let ks = k.as_str().unwrap_or_default();
            !REQUEST_KEYS.contains(&ks) && !EXTRA_KEYS.contains(&ks)
        })
        .map(|k| k.to_string())
        .collect();
    if !invalid.is_empty() {
        return Err(BuiltinError::Operand {
            name: HTTP_SEND.to_string(),
            message: format!(
                "operand 1 invalid request parameters(s): {{{}}}",
                invalid.join(", ")
            ),
        });
    }
    let missing: Vec<&str> = ["method", "url"]
        .into_iter()
        .filter(|k| !req.contains_key(&Value::string(*k)))
        .collect();
    if !missing.is_empty() {
        return Err(BuiltinError::Operand {
            name: HTTP_SEND.to_string(),
            message: format!(
                "operand 1 missing required request parameters(s): {{{}}}",
                missing
                    .iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(req)
}

fn http_send(ctx: &EvalContext, cfg: &HttpCapability, a: &[Value]) -> Result<Value, BuiltinError> {
    let req = check_request(a)?;
    let fail = |m: String| BuiltinError::failed(HTTP_SEND, m);
    let get = |k: &str| req.get(&Value::string(k));
    let (Some(Value::String(method)), Some(Value::String(url))) = (get("method"), get("url"))
    else {
        return Err(fail("method and url must be strings".to_string()));
    };
    let method = method.to_ascii_uppercase();
    let url = url.to_string();
    let raise_error = !matches!(get("raise_error"), Some(Value::Bool(false)));
    let key = a.to_vec();
    ctx.cached(HTTP_SEND, &key, || match send(cfg, &method, &url, req) {
        Ok(v) => Ok(v),
        Err(SendError::Fatal(m)) => Err(fail(m)),
        Err(SendError::Network(m)) => {
            if raise_error {
                Err(fail(m))
            } else {
                Ok(network_error(m))
            }
        }
    })
}

/// The TLS settings of a request. Settings that read host files or
/// environment variables are refused: a policy must not read its host.
fn tls_options<'a>(
    get: impl Fn(&str) -> Option<&'a Value>,
) -> Result<super::http_client::TlsOptions, String> {
    for key in [
        "tls_ca_cert_file",
        "tls_ca_cert_env_variable",
        "tls_client_cert_file",
        "tls_client_cert_env_variable",
        "tls_client_key_file",
        "tls_client_key_env_variable",
        "tls_server_name",
    ] {
        if get(key).is_some() {
            return Err(format!(
                "{key} is not supported by this runtime (policies cannot read host files or environment)"
            ));
        }
    }
    let text = |key: &str| -> Result<Option<String>, String> {
        match get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.to_string())),
            Some(_) => Err(format!("{key} must be a string")),
        }
    };
    let client = match (text("tls_client_cert")?, text("tls_client_key")?) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => return Err("tls_client_cert and tls_client_key must be given together".to_string()),
    };
    Ok(super::http_client::TlsOptions {
        ca_pem: text("tls_ca_cert")?,
        client,
        insecure: matches!(get("tls_insecure_skip_verify"), Some(Value::Bool(true))),
    })
}

enum SendError {
    /// Bad request parameters or a policy violation: always an error.
    Fatal(String),
    /// The request could not be completed.
    Network(String),
}

fn host_port(url: &str) -> Option<(String, Option<u16>)> {
    let rest = url.split_once("://")?.1;
    let auth = rest.split(['/', '?', '#']).next()?;
    let auth = auth.rsplit_once('@').map(|(_, h)| h).unwrap_or(auth);
    if let Some(v6) = auth.strip_prefix('[') {
        let (h, p) = v6.split_once(']')?;
        let port = p.strip_prefix(':').and_then(|p| p.parse().ok());
        return Some((h.to_string(), port));
    }
    match auth.rsplit_once(':') {
        Some((h, p)) => Some((h.to_string(), p.parse().ok())),
        None => Some((auth.to_string(), None)),
    }
}

fn send(
    cfg: &HttpCapability,
    method: &str,
    url: &str,
    req: &std::collections::BTreeMap<Value, Value>,
) -> Result<Value, SendError> {
    let get = |k: &str| req.get(&Value::string(k));
    let (host, port) =
        host_port(url).ok_or_else(|| SendError::Network(format!("parse {url:?}: invalid URL")))?;
    if !cfg.allows(&host, port) {
        return Err(SendError::Fatal(format!("unallowed host: {host}")));
    }
    let timeout = match get("timeout") {
        Some(v) => parse_timeout(v).map_err(SendError::Fatal)?,
        None => Duration::from_millis(cfg.timeout_ms),
    };
    let redirects = if matches!(get("enable_redirect"), Some(Value::Bool(true))) {
        10
    } else {
        0
    };
    let mut headers_out: Vec<(String, String)> = Vec::new();
    if let Some(Value::Object(h)) = get("headers") {
        for (k, v) in h.iter() {
            let k = k.as_str().unwrap_or_default().to_string();
            let v = match v {
                Value::String(s) => s.to_string(),
                other => other.to_string(),
            };
            if k.contains(['\r', '\n']) || v.contains(['\r', '\n']) {
                return Err(SendError::Fatal(format!("invalid header field {k:?}")));
            }
            headers_out.push((k, v));
        }
    }
    let body: Option<Vec<u8>> = match (get("raw_body"), get("body")) {
        (Some(Value::String(raw)), _) => Some(raw.as_bytes().to_vec()),
        (_, Some(b)) => Some(super::gojson::marshal(b).into_bytes()),
        _ => None,
    };
    let tls = tls_options(get).map_err(SendError::Fatal)?;
    let exchange = super::http_client::Exchange {
        method,
        url,
        headers: &headers_out,
        body: body.as_deref(),
        timeout,
        max_body: cfg.max_body_bytes,
        max_redirects: redirects,
        tls,
    };
    let resp =
        super::http_client::exchange(&exchange, &|h, p| cfg.allows(h, p)).map_err(|f| match f {
            super::http_client::Failure::Refused(m) => SendError::Fatal(m),
            super::http_client::Failure::Network(m) => SendError::Network(m),
        })?;
    let code = resp.code;
    let status = resp.status;
    let mut headers = std::collections::BTreeMap::new();
    let mut content_type = String::new();
    for (name, val) in resp.headers {
        let lname = name.to_ascii_lowercase();
        if lname == "content-type" {
            content_type = val.clone();
        }
        let entry = headers.entry(Value::string(lname)).or_insert_with(Vec::new);
        entry.push(Value::string(val));
    }
    let headers: std::collections::BTreeMap<Value, Value> = headers
        .into_iter()
        .map(|(k, v)| (k, Value::array(v)))
        .collect();
    let raw = resp.body;
    let raw_text = String::from_utf8_lossy(&raw).to_string();
    let force_json = matches!(get("force_json_decode"), Some(Value::Bool(true)));
    let body = if force_json || content_type.contains("json") {
        if raw_text.trim().is_empty() {
            Value::Null
        } else {
            Value::from_json_str(&raw_text).map_err(|e| {
                SendError::Fatal(format!("failed to decode the response body as JSON: {e}"))
            })?
        }
    } else {
        Value::Null
    };
    Ok(Value::object([
        (Value::string("status"), Value::string(status)),
        (Value::string("status_code"), Value::int(i64::from(code))),
        (Value::string("body"), body),
        (Value::string("raw_body"), Value::string(raw_text)),
        (Value::string("headers"), Value::Object(Arc::new(headers))),
    ]))
}
