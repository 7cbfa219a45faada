//! The capability-gated builtins: off by default; `http.send` against a
//! local server started by the test; `net.lookup_ip_addr` with a static
//! (stub) resolver; `opa.runtime` with configured values.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use regowasm_builtins::{BuiltinError, Capabilities, EvalContext, Registry, Served, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

/// A tiny HTTP/1.1 server on 127.0.0.1: `/ok` (JSON), `/missing` (404),
/// `/slow` (answers after 2 s), `/echo` (echoes the request body).
fn server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut len = 0usize;
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    if h.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0u8; len];
                std::io::Read::read_exact(&mut reader, &mut body).unwrap();
                let (status, ctype, out) = match path.as_str() {
                    "/ok" => (
                        "200 OK",
                        "application/json",
                        r#"{"hello": "world", "n": [1, 2]}"#.to_string(),
                    ),
                    "/missing" => ("404 Not Found", "text/plain", "nope".to_string()),
                    "/slow" => {
                        std::thread::sleep(Duration::from_secs(2));
                        ("200 OK", "text/plain", "late".to_string())
                    }
                    _ => (
                        "200 OK",
                        "text/plain",
                        String::from_utf8_lossy(&body).to_string(),
                    ),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nX-Test: a\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{out}",
                    out.len()
                );
            });
        }
    });
    port
}

fn registry(port: u16) -> Registry {
    let caps: Capabilities = serde_json::from_value(serde_json::json!({
        "http": {"allowed_hosts": [format!("127.0.0.1:{port}")], "timeout_ms": 3000},
        "net_lookup": {"enabled": true, "static_hosts": {"db.internal": ["10.0.0.7", "fd00::7"]}},
        "runtime": {"env": {"CLUSTER": "test"}, "version": "regowasm"}
    }))
    .unwrap();
    Registry::with_capabilities(&caps)
}

fn req(v: serde_json::Value) -> Vec<Value> {
    vec![Value::from_serde(&v)]
}

#[test]
fn gated_builtins_are_off_by_default() {
    let reg = Registry::with_defaults();
    let ctx = EvalContext::new();
    for (name, args) in [
        (
            "http.send",
            req(serde_json::json!({"method": "get", "url": "http://127.0.0.1:1/"})),
        ),
        ("net.lookup_ip_addr", vec![Value::string("localhost")]),
        ("opa.runtime", vec![]),
    ] {
        assert_eq!(reg.get(name).unwrap().served(), Served::Gated, "{name}");
        match reg.call(&ctx, name, &args) {
            Err(BuiltinError::CapabilityDisabled(n)) => assert_eq!(n, name),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn http_send_success_non2xx_timeout_and_allow_list() {
    let port = server();
    let reg = registry(port);
    let base = format!("http://127.0.0.1:{port}");
    let ctx = EvalContext::new();

    // success, JSON body decoded, headers lower-cased lists
    let r = reg
        .call(
            &ctx,
            "http.send",
            &req(serde_json::json!({"method": "get", "url": format!("{base}/ok")})),
        )
        .unwrap()
        .unwrap()
        .to_json();
    assert_eq!(r["status_code"], 200);
    assert_eq!(r["status"], "200 OK");
    assert_eq!(
        r["body"],
        serde_json::json!({"hello": "world", "n": [1, 2]})
    );
    assert_eq!(r["raw_body"], r#"{"hello": "world", "n": [1, 2]}"#);
    assert_eq!(r["headers"]["x-test"], serde_json::json!(["a"]));

    // a JSON body is sent encoded
    let r = reg
        .call(&ctx, "http.send", &req(serde_json::json!({"method": "POST", "url": format!("{base}/echo"), "body": {"b": [1, "<"]}})))
        .unwrap()
        .unwrap()
        .to_json();
    assert_eq!(r["raw_body"], r#"{"b":[1,"\u003c"]}"#);
    assert_eq!(r["body"], serde_json::Value::Null);

    // non-2xx is a normal response
    let r = reg
        .call(
            &ctx,
            "http.send",
            &req(serde_json::json!({"method": "get", "url": format!("{base}/missing")})),
        )
        .unwrap()
        .unwrap()
        .to_json();
    assert_eq!(r["status_code"], 404);
    assert_eq!(r["raw_body"], "nope");

    // timeout: an error by default ...
    let slow =
        serde_json::json!({"method": "get", "url": format!("{base}/slow"), "timeout": "200ms"});
    let err = reg.call(&ctx, "http.send", &req(slow.clone())).unwrap_err();
    assert!(err.opa_message().starts_with("http.send: "), "{err}");
    // ... and an error object with raise_error: false
    let mut lenient = slow.clone();
    lenient["raise_error"] = serde_json::json!(false);
    let r = reg
        .call(&ctx, "http.send", &req(lenient))
        .unwrap()
        .unwrap()
        .to_json();
    assert_eq!(r["status_code"], 0);
    assert_eq!(r["error"]["code"], "eval_http_send_network_error");

    // a host outside the allow-list
    let err = reg
        .call(
            &ctx,
            "http.send",
            &req(serde_json::json!({"method": "get", "url": "http://localhost:1/ok"})),
        )
        .unwrap_err();
    assert_eq!(err.opa_message(), "http.send: unallowed host: localhost");

    // bad parameters
    let err = reg
        .call(
            &ctx,
            "http.send",
            &req(serde_json::json!({"method": "get", "url": "x", "bogus": 1})),
        )
        .unwrap_err();
    assert!(
        err.opa_message().contains("invalid request parameters"),
        "{err}"
    );
    let err = reg
        .call(&ctx, "http.send", &req(serde_json::json!({"url": "x"})))
        .unwrap_err();
    assert!(err.opa_message().contains(r#"{"method"}"#), "{err}");
    assert_eq!(err.opa_code(), "eval_type_error");
}

#[test]
fn http_send_caches_within_one_evaluation() {
    let port = server();
    let reg = registry(port);
    let ctx = EvalContext::new();
    let r = req(serde_json::json!({"method": "get", "url": format!("http://127.0.0.1:{port}/ok")}));
    let a = reg.call(&ctx, "http.send", &r).unwrap();
    let b = reg.call(&ctx, "http.send", &r).unwrap();
    assert_eq!(a, b);
}

#[test]
fn net_lookup_with_stub_resolver() {
    let reg = registry(1);
    let ctx = EvalContext::new();
    let v = reg
        .call(&ctx, "net.lookup_ip_addr", &[Value::string("db.internal")])
        .unwrap()
        .unwrap();
    assert_eq!(
        v,
        Value::set([Value::string("10.0.0.7"), Value::string("fd00::7")])
    );
    let v = reg
        .call(&ctx, "net.lookup_ip_addr", &[Value::string("192.0.2.1")])
        .unwrap()
        .unwrap();
    assert_eq!(v, Value::set([Value::string("192.0.2.1")]));
    let err = reg
        .call(
            &ctx,
            "net.lookup_ip_addr",
            &[Value::string("unknown.invalid")],
        )
        .unwrap_err();
    assert!(err.opa_message().contains("no such host"), "{err}");
    assert!(
        reg.call(&ctx, "net.lookup_ip_addr", &[Value::int(1)])
            .is_err()
    );
}

#[test]
fn opa_runtime_returns_only_configured_values() {
    let reg = registry(1);
    let v = reg
        .call(&EvalContext::new(), "opa.runtime", &[])
        .unwrap()
        .unwrap();
    assert_eq!(
        v.to_json(),
        serde_json::json!({"env": {"CLUSTER": "test"}, "version": "regowasm"})
    );
}

/// An HTTPS server on 127.0.0.1 with a self-signed certificate for
/// `127.0.0.1`: answers every request with `secure` (JSON `{"tls": true}`),
/// except `/hop`, a redirect to `target`. Returns the port and the
/// certificate (PEM).
fn tls_server(target: Option<String>) -> (u16, String) {
    use std::sync::Arc;
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let pem = ck.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![ck.cert.der().clone()], key)
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let config = config.clone();
            let target = target.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut reader = BufReader::new(&mut tls);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return; // the client refused our certificate
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                }
                let out = match (&target, path.as_str()) {
                    (Some(t), "/hop") => format!(
                        "HTTP/1.1 302 Found\r\nLocation: {t}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    ),
                    _ => {
                        let body = r#"{"tls": true}"#;
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        )
                    }
                };
                let _ = tls.write_all(out.as_bytes());
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (port, pem)
}

#[test]
fn http_send_over_https() {
    let (port, ca) = tls_server(None);
    let reg = registry(port);
    let ctx = EvalContext::new();
    let url = format!("https://127.0.0.1:{port}/x");

    // trusted through tls_ca_cert
    let r = reg
        .call(
            &ctx,
            "http.send",
            &req(serde_json::json!({"method": "get", "url": url, "tls_ca_cert": ca})),
        )
        .unwrap()
        .unwrap()
        .to_json();
    assert_eq!(r["status_code"], 200, "{r}");
    assert_eq!(r["body"], serde_json::json!({"tls": true}));

    // an unknown issuer is a network error ...
    let ctx = EvalContext::new();
    let err = reg
        .call(
            &ctx,
            "http.send",
            &req(serde_json::json!({"method": "get", "url": url})),
        )
        .unwrap_err();
    let msg = err.opa_message();
    assert!(msg.starts_with("http.send: Get "), "{msg}");
    assert!(msg.to_ascii_lowercase().contains("certificate"), "{msg}");

    // ... unless verification is skipped
    let r = reg
        .call(
            &ctx,
            "http.send",
            &req(
                serde_json::json!({"method": "get", "url": url, "tls_insecure_skip_verify": true}),
            ),
        )
        .unwrap()
        .unwrap()
        .to_json();
    assert_eq!(r["status_code"], 200, "{r}");

    // TLS material from host files is refused
    let err = reg
        .call(
            &ctx,
            "http.send",
            &req(serde_json::json!({"method": "get", "url": url, "tls_ca_cert_file": "/etc/ssl/x.pem"})),
        )
        .unwrap_err();
    assert!(
        err.opa_message()
            .contains("tls_ca_cert_file is not supported"),
        "{err}"
    );
}

#[test]
fn http_send_redirects_stay_inside_the_allow_list() {
    let plain = server();
    let (port, ca) = tls_server(Some(format!("http://127.0.0.1:{plain}/ok")));
    let caps: Capabilities = serde_json::from_value(serde_json::json!({
        "http": {"allowed_hosts": [format!("127.0.0.1:{port}")]}
    }))
    .unwrap();
    let only_tls = Registry::with_capabilities(&caps);
    let ctx = EvalContext::new();
    let hop = serde_json::json!({
        "method": "get", "url": format!("https://127.0.0.1:{port}/hop"),
        "tls_ca_cert": ca, "enable_redirect": true
    });
    // the redirect target is not on the allow-list
    let err = only_tls
        .call(&ctx, "http.send", &req(hop.clone()))
        .unwrap_err();
    assert_eq!(err.opa_message(), "http.send: unallowed host: 127.0.0.1");

    // without enable_redirect the 302 itself is the answer
    let mut no_follow = hop.clone();
    no_follow["enable_redirect"] = serde_json::json!(false);
    let r = only_tls
        .call(&ctx, "http.send", &req(no_follow))
        .unwrap()
        .unwrap()
        .to_json();
    assert_eq!(r["status_code"], 302);

    // allowed: followed to the plain server
    let caps: Capabilities = serde_json::from_value(serde_json::json!({
        "http": {"allowed_hosts": [format!("127.0.0.1:{port}"), format!("127.0.0.1:{plain}")]}
    }))
    .unwrap();
    let both = Registry::with_capabilities(&caps);
    let r = both
        .call(&EvalContext::new(), "http.send", &req(hop))
        .unwrap()
        .unwrap()
        .to_json();
    assert_eq!(r["status_code"], 200, "{r}");
    assert_eq!(r["body"]["hello"], "world");
}
