//! `providers.aws.sign_req(request, aws_config, time_ns)`: AWS Signature
//! Version 4 over an `http.send`-style request object, as OPA computes it.
//!
//! The request gains the headers `host`, `x-amz-date`,
//! `x-amz-content-sha256` (the SHA-256 of the body, or `UNSIGNED-PAYLOAD`
//! with `disable_payload_signing`), `x-amz-security-token` (with a session
//! token) and `Authorization`. The body is `raw_body` when given, else the
//! JSON encoding of `body`. Nothing is sent: this is pure computation.

use super::native;
use crate::{BuiltinError, Registry, Value, args};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const NAME: &str = "providers.aws.sign_req";

pub(crate) fn register(r: &mut Registry) {
    native(r, NAME, 3, |_, a| sign_req(a).map(Some));
}

fn operand_error(message: String) -> BuiltinError {
    BuiltinError::Operand {
        name: NAME.to_string(),
        message,
    }
}

/// `{"a", "b"}` as OPA lists parameter names.
fn name_set(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    format!("{{{}}}", quoted.join(", "))
}

/// The string values of `keys` in `obj`; errors name the missing ones, then
/// the ones of the wrong type, as OPA does.
fn required<'a>(
    obj: &'a BTreeMap<Value, Value>,
    keys: &[&'static str],
    pos: usize,
    what: &str,
) -> Result<Vec<&'a str>, BuiltinError> {
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !obj.contains_key(&Value::string(*k)))
        .collect();
    if !missing.is_empty() {
        return Err(operand_error(format!(
            "operand {pos} missing required {what} parameters(s): {}",
            name_set(&missing)
        )));
    }
    let bad: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !matches!(obj.get(&Value::string(*k)), Some(Value::String(_))))
        .collect();
    if !bad.is_empty() {
        return Err(operand_error(format!(
            "operand {pos} invalid values for required {what} parameters(s): {}",
            name_set(&bad)
        )));
    }
    Ok(keys
        .iter()
        .filter_map(|k| obj.get(&Value::string(*k)).and_then(Value::as_str))
        .collect())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        // HMAC accepts keys of any length; this branch cannot be taken.
        Err(_) => Vec::new(),
    }
}

/// URI-encode as SigV4 wants: unreserved characters kept, everything else
/// `%XX` (upper case); `/` kept in paths.
fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let c = char::from(b);
        if c.is_ascii_alphanumeric()
            || matches!(c, '-' | '_' | '.' | '~')
            || (keep_slash && c == '/')
        {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path of a URL as written (`""` when there is none), without query
/// or fragment.
fn raw_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = after_scheme.find(['?', '#']).unwrap_or(after_scheme.len());
    let before_query = after_scheme.get(..end).unwrap_or(after_scheme);
    before_query
        .find('/')
        .and_then(|i| before_query.get(i..))
        .unwrap_or("")
}

/// Request headers SigV4 leaves unsigned.
const IGNORED_HEADERS: [&str; 3] = ["authorization", "user-agent", "x-amzn-trace-id"];

/// The query of a URL as written (after `?`, before `#`).
fn raw_query(url: &str) -> &str {
    let before_fragment = url.split('#').next().unwrap_or(url);
    before_fragment.split_once('?').map_or("", |(_, q)| q)
}

fn sign_req(a: &[Value]) -> Result<Value, BuiltinError> {
    let req = args::object(NAME, a, 0)?;
    let config = args::object(NAME, a, 1)?;
    let time_ns = args::number(NAME, a, 2)?;
    let cfg = required(
        config,
        &[
            "aws_access_key",
            "aws_region",
            "aws_secret_access_key",
            "aws_service",
        ],
        2,
        "AWS config",
    )?;
    let [access_key, region, secret, service] = cfg.as_slice() else {
        return Err(operand_error("operand 2 invalid AWS config".into()));
    };
    // OPA checks the config before the request.
    let req_fields = required(req, &["method", "url"], 1, "request")?;
    let (method, url) = match req_fields.as_slice() {
        // OPA signs the method as written (`get` stays `get`).
        [m, u] => (m.to_string(), *u),
        _ => return Err(operand_error("operand 1 invalid request".into())),
    };
    let session_token = config
        .get(&Value::string("aws_session_token"))
        .and_then(Value::as_str);
    let unsigned = match config.get(&Value::string("disable_payload_signing")) {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(operand_error(
                "operand 2 invalid value for 'disable_payload_signing' in AWS config".into(),
            ));
        }
    };
    // OPA reads the time as an integer literal (`-1e9` is refused).
    let secs = time_ns
        .to_string()
        .parse::<i64>()
        .ok()
        .map(|ns| ns.div_euclid(1_000_000_000))
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .ok_or_else(|| {
            operand_error("operand 3 could not convert time_ns value into a unix timestamp".into())
        })?;
    let amz_date = secs.format("%Y%m%dT%H%M%SZ").to_string();
    let day = secs.format("%Y%m%d").to_string();

    let parsed = url::Url::parse(url)
        .map_err(|e| BuiltinError::failed(NAME, format!("invalid url {url:?}: {e}")))?;
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => {
            return Err(BuiltinError::failed(
                NAME,
                format!("url {url:?} has no host"),
            ));
        }
    };

    let body: Vec<u8> = match (
        req.get(&Value::string("raw_body")),
        req.get(&Value::string("body")),
    ) {
        (Some(Value::String(raw)), _) => raw.as_bytes().to_vec(),
        (_, Some(body)) => body.to_json_text().into_bytes(),
        _ => Vec::new(),
    };
    let content_sha = if unsigned {
        "UNSIGNED-PAYLOAD".to_string()
    } else {
        hex(&Sha256::digest(&body))
    };

    // Headers: the request's own, then the ones signing adds.
    let mut headers: BTreeMap<String, (String, String)> = BTreeMap::new();
    if let Some(Value::Object(h)) = req.get(&Value::string("headers")) {
        for (k, v) in h.iter() {
            let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
                continue;
            };
            headers.insert(k.to_ascii_lowercase(), (k.to_string(), v.to_string()));
        }
    }
    // A caller's own `x-amz-content-sha256` is what gets signed (OPA signs
    // the request's headers as given), while the header returned carries
    // the computed hash.
    let own_sha = headers.contains_key("x-amz-content-sha256");
    let mut set = |name: &str, value: &str| {
        headers.insert(name.to_string(), (name.to_string(), value.to_string()));
    };
    set("host", &host);
    set("x-amz-date", &amz_date);
    // Only S3 and Glacier take the payload hash as a header.
    let sha_header = matches!(*service, "s3" | "glacier");
    if sha_header && !own_sha {
        set("x-amz-content-sha256", &content_sha);
    }
    if let Some(token) = session_token {
        set("x-amz-security-token", token);
    }

    let canonical_headers: String = headers
        .iter()
        .filter(|(k, _)| !IGNORED_HEADERS.contains(&k.as_str()))
        .map(|(k, (_, v))| format!("{k}:{v}\n"))
        .collect();
    let signed_headers = headers
        .keys()
        .filter(|k| !IGNORED_HEADERS.contains(&k.as_str()))
        .cloned()
        .collect::<Vec<_>>()
        .join(";");
    // The path as written: OPA signs an empty path for `http://host`.
    let path = raw_path(url);
    // The query exactly as written (OPA signs Go's `URL.RawQuery`).
    let canonical_query = raw_query(url);
    let canonical_request = format!(
        "{method}\n{}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{content_sha}",
        uri_encode(path, true)
    );
    let scope = format!("{day}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), day.as_bytes());
    for part in [*region, *service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={access_key}/{scope},SignedHeaders={signed_headers},Signature={signature}"
    );

    if sha_header {
        headers.insert(
            "x-amz-content-sha256".to_string(),
            ("x-amz-content-sha256".to_string(), content_sha),
        );
    }
    let mut out_headers: Vec<(Value, Value)> = headers
        .into_values()
        .map(|(k, v)| (Value::string(k), Value::string(v)))
        .collect();
    out_headers.push((Value::string("Authorization"), Value::string(authorization)));
    let mut out: BTreeMap<Value, Value> = req.clone();
    out.insert(Value::string("headers"), Value::object(out_headers));
    Ok(Value::object(out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::{EvalContext, Registry, Value};

    fn sign(req: &str, cfg: &str) -> Result<Value, String> {
        let r = Registry::with_defaults();
        let args = [
            Value::parse_text(req).unwrap(),
            Value::parse_text(cfg).unwrap(),
            Value::parse_text("1451311705000000000").unwrap(),
        ];
        r.call(&EvalContext::new(), super::NAME, &args)
            .map(|v| v.unwrap())
            .map_err(|e| format!("{} {}", e.opa_code(), e.opa_message()))
    }

    const CFG: &str = r#"{"aws_access_key": "MYAWSACCESSKEYGOESHERE", "aws_secret_access_key": "MYAWSSECRETACCESSKEYGOESHERE", "aws_service": "s3", "aws_region": "us-east-1"}"#;

    /// Signatures computed by OPA v1.20.2 for the same requests.
    #[test]
    fn signatures_match_opa() {
        let out = sign(r#"{"method": "get", "url": "http://example.com"}"#, CFG).unwrap();
        let auth = out
            .get("headers")
            .unwrap()
            .get("Authorization")
            .unwrap()
            .to_string();
        assert!(
            auth.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=0047a7016c81e5c7f29cd522f97e911e04fc472fced0aee7916cbc287ad6c8e3"),
            "{out}"
        );
        let out = sign(
            r#"{"method": "get", "url": "http://example.com", "headers": {"foo": "bar"}}"#,
            CFG,
        )
        .unwrap();
        assert!(
            out.to_string().contains(
                "Signature=8f1dc7c9b9978356a0d0989fd26a95307f4f8a4aa264d8220647b7097d839952"
            ),
            "{out}"
        );
    }

    #[test]
    fn operand_errors_match_opa() {
        assert_eq!(
            sign("{}", CFG).unwrap_err(),
            r#"eval_type_error providers.aws.sign_req: operand 1 missing required request parameters(s): {"method", "url"}"#
        );
        assert_eq!(
            sign(r#"{"method": "get", "url": "http://x"}"#, "{}").unwrap_err(),
            r#"eval_type_error providers.aws.sign_req: operand 2 missing required AWS config parameters(s): {"aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"}"#
        );
    }
}
