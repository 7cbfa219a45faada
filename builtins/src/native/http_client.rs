//! The transport of `http.send`: HTTP/1.1 and HTTPS through `ureq`
//! (rustls with the ring provider, Mozilla's root certificates), with
//! redirects followed here so that every hop is checked against the
//! capability's allow-list.
//!
//! Not served (each a clear error): TLS material read from host files or
//! environment variables (`tls_*_file`, `tls_*_env_variable`) — a policy
//! must not read its host — and `tls_server_name`.

use std::time::Duration;
use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};

/// One exchange to perform.
pub(crate) struct Exchange<'a> {
    /// The method, upper-cased.
    pub method: &'a str,
    /// The absolute URL.
    pub url: &'a str,
    /// Request headers, in order.
    pub headers: &'a [(String, String)],
    /// The body, if any.
    pub body: Option<&'a [u8]>,
    /// The whole exchange's deadline (connect, send, receive).
    pub timeout: Duration,
    /// Largest response body read.
    pub max_body: u64,
    /// Redirects to follow (0: answer the redirect itself).
    pub max_redirects: u32,
    /// TLS settings.
    pub tls: TlsOptions,
}

/// The TLS settings of a request.
#[derive(Default)]
pub(crate) struct TlsOptions {
    /// PEM CA certificates to trust instead of the default roots.
    pub ca_pem: Option<String>,
    /// PEM client certificate chain and key (mutual TLS).
    pub client: Option<(String, String)>,
    /// Skip server certificate verification.
    pub insecure: bool,
}

/// A received response.
pub(crate) struct Response {
    /// The status code.
    pub code: u16,
    /// Go's `Status` text, e.g. `200 OK`.
    pub status: String,
    /// Headers as received (names lower-cased).
    pub headers: Vec<(String, String)>,
    /// The body (at most `max_body` bytes).
    pub body: Vec<u8>,
}

/// What went wrong.
pub(crate) enum Failure {
    /// Refused before any traffic (bad TLS material, a redirect outside the
    /// allow-list): always an error.
    Refused(String),
    /// The exchange failed (connection, TLS, timeout, ...).
    Network(String),
}

fn tls_config(tls: &TlsOptions) -> Result<TlsConfig, Failure> {
    let mut b = TlsConfig::builder().disable_verification(tls.insecure);
    if let Some(pem) = &tls.ca_pem {
        let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(pem.as_bytes())
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(Failure::Refused(
                "could not append certificates from tls_ca_cert".to_string(),
            ));
        }
        b = b.root_certs(RootCerts::Specific(std::sync::Arc::new(certs)));
    }
    if let Some((cert_pem, key_pem)) = &tls.client {
        let chain: Vec<Certificate<'static>> = ureq::tls::parse_pem(cert_pem.as_bytes())
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        let key = PrivateKey::from_pem(key_pem.as_bytes()).map_err(|e| {
            Failure::Refused(format!(
                "tls: failed to find any PEM data in key input: {e}"
            ))
        })?;
        if chain.is_empty() {
            return Err(Failure::Refused(
                "tls: failed to find any PEM data in certificate input".to_string(),
            ));
        }
        b = b.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
    }
    Ok(b.build())
}

/// Perform the exchange; `allowed(host, port)` vets every redirect target.
pub(crate) fn exchange(
    x: &Exchange<'_>,
    allowed: &dyn Fn(&str, Option<u16>) -> bool,
) -> Result<Response, Failure> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(x.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .tls_config(tls_config(&x.tls)?)
        .user_agent("regowasm")
        .build()
        .into();
    let mut url = x.url.to_string();
    let mut method = x.method.to_string();
    let mut body = x.body;
    let mut hops = 0u32;
    loop {
        let mut req = ureq::http::Request::builder()
            .method(method.as_str())
            .uri(url.as_str());
        for (k, v) in x.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let req = req
            .body(body.unwrap_or_default().to_vec())
            .map_err(|e| Failure::Network(format!("{method} {url}: {e}")))?;
        let mut resp = agent
            .run(req)
            .map_err(|e| Failure::Network(network_text(&method, &url, &e)))?;
        let code = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if (300..400).contains(&code)
            && hops < x.max_redirects
            && let Some(loc) = location
        {
            let next = url::Url::parse(&url)
                .and_then(|base| base.join(&loc))
                .map_err(|e| Failure::Network(format!("{method} {url}: bad redirect: {e}")))?;
            let host = next.host_str().unwrap_or_default().trim_matches(['[', ']']);
            if !allowed(host, next.port()) {
                return Err(Failure::Refused(format!("unallowed host: {host}")));
            }
            // Go turns 301/302/303 into GET (HEAD stays HEAD).
            if matches!(code, 301..=303) && method != "HEAD" {
                method = "GET".to_string();
                body = None;
            }
            url = next.to_string();
            hops += 1;
            continue;
        }
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).to_string(),
                )
            })
            .collect();
        let status = match resp.status().canonical_reason() {
            Some(r) => format!("{code} {r}"),
            None => code.to_string(),
        };
        let body = resp
            .body_mut()
            .with_config()
            .limit(x.max_body)
            .read_to_vec()
            .map_err(|e| Failure::Network(network_text(&method, &url, &e)))?;
        return Ok(Response {
            code,
            status,
            headers,
            body,
        });
    }
}

/// Go's wording for the common failures (`Get "<url>": <cause>`).
fn network_text(method: &str, url: &str, e: &ureq::Error) -> String {
    let verb = {
        let lower = method.to_ascii_lowercase();
        let mut c = lower.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    let cause = match e {
        ureq::Error::Timeout(_) => {
            "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".to_string()
        }
        other => other.to_string(),
    };
    format!("{verb} {url:?}: {cause}")
}
