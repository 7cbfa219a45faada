//! `io.jwt.*`: JWS compact tokens — decoding, signature verification
//! (HS/RS/PS/ES 256/384/512, EdDSA), `decode_verify` with its constraints
//! object, and signing from a JWK.

use super::gojson;
use super::jose::{self, B64URL, Hash, Jwk, Key};
use super::native;
use crate::{BuiltinError, EvalContext, Registry, Value, args};
use base64::Engine as _;

/// Register the 17 `io.jwt.*` builtins.
pub(crate) fn register(r: &mut Registry) {
    native(r, "io.jwt.decode", 1, |_, a| decode_builtin(a).map(Some));
    native(r, "io.jwt.decode_verify", 2, |ctx, a| {
        decode_verify(ctx, a).map(Some)
    });
    native(r, "io.jwt.encode_sign", 3, |_, a| encode_sign(a).map(Some));
    native(r, "io.jwt.encode_sign_raw", 3, |_, a| {
        encode_sign_raw(a).map(Some)
    });
    for (name, h) in [
        ("io.jwt.verify_hs256", Hash::Sha256),
        ("io.jwt.verify_hs384", Hash::Sha384),
        ("io.jwt.verify_hs512", Hash::Sha512),
    ] {
        native(r, name, 2, move |_, a| verify_hs(name, h, a).map(Some));
    }
    for (name, kind, h) in [
        ("io.jwt.verify_rs256", Kind::Rs, Hash::Sha256),
        ("io.jwt.verify_rs384", Kind::Rs, Hash::Sha384),
        ("io.jwt.verify_rs512", Kind::Rs, Hash::Sha512),
        ("io.jwt.verify_ps256", Kind::Ps, Hash::Sha256),
        ("io.jwt.verify_ps384", Kind::Ps, Hash::Sha384),
        ("io.jwt.verify_ps512", Kind::Ps, Hash::Sha512),
        ("io.jwt.verify_es256", Kind::Es, Hash::Sha256),
        ("io.jwt.verify_es384", Kind::Es, Hash::Sha384),
        ("io.jwt.verify_es512", Kind::Es, Hash::Sha512),
        ("io.jwt.verify_eddsa", Kind::Ed, Hash::Sha256),
    ] {
        native(r, name, 2, move |_, a| {
            verify_asym(name, kind, h, a).map(Some)
        });
    }
}

const DECODE: &str = "io.jwt.decode";

/// The three encoded sections of a compact JWS.
struct Token<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
}

fn split_token(text: &str) -> Result<Token<'_>, String> {
    if !text.contains('.') {
        return Err("encoded JWT had no period separators".to_string());
    }
    let parts: Vec<&str> = text.split('.').collect();
    match parts.as_slice() {
        [h, p, s] => Ok(Token {
            header: h,
            payload: p,
            signature: s,
        }),
        _ => Err(format!(
            "encoded JWT must have 3 sections, found {}",
            parts.len()
        )),
    }
}

/// Decode bytes as OPA's `json.unmarshal` → object.
fn json_object(bytes: &[u8]) -> Result<Value, String> {
    if let Err(e) = gojson::validate(bytes) {
        return Err(format!("invalid JSON: {e}"));
    }
    let text = String::from_utf8_lossy(bytes);
    let v = Value::from_json_str(&text).map_err(|e| format!("invalid JSON: {e}"))?;
    match v {
        Value::Object(_) => Ok(v),
        _ => Err("decoded JSON type was not an Object".to_string()),
    }
}

fn decode_header(t: &Token<'_>) -> Result<Value, String> {
    let raw = jose::b64url_decode(t.header)
        .map_err(|e| format!("JWT header had invalid encoding: {e}"))?;
    let h = json_object(&raw).map_err(|e| format!("bad JWT header: {e}"))?;
    if h.get("enc").is_some() {
        return Err("JWT is a JWE object, which is not supported".to_string());
    }
    Ok(h)
}

fn decode_signature(t: &Token<'_>) -> Result<Vec<u8>, String> {
    jose::b64url_decode(t.signature)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode(text: &str, depth: usize) -> Result<Value, String> {
    if depth > 32 {
        return Err("nested JWT too deep".to_string());
    }
    let t = split_token(text)?;
    let header = decode_header(&t)?;
    let payload = jose::b64url_decode(t.payload)
        .map_err(|e| format!("JWT payload had invalid encoding: {e}"))?;
    if header.get("cty").and_then(Value::as_str) == Some("JWT") {
        let inner = String::from_utf8_lossy(&payload);
        return decode(inner.trim_matches(|c| c == '"' || c == '\''), depth + 1);
    }
    let payload = json_object(&payload)?;
    let sig = jose::b64url_decode(t.signature)
        .map_err(|e| format!("JWT signature had invalid encoding: {e}"))?;
    Ok(Value::array(vec![
        header,
        payload,
        Value::string(hex(&sig)),
    ]))
}

fn decode_builtin(a: &[Value]) -> Result<Value, BuiltinError> {
    let text = args::string(DECODE, a, 0)?;
    decode(text, 0).map_err(|e| BuiltinError::failed(DECODE, e))
}

fn verify_hs(name: &str, h: Hash, a: &[Value]) -> Result<Value, BuiltinError> {
    let jwt = args::string(name, a, 0)?;
    let secret = args::string(name, a, 1)?;
    let fail = |e: String| BuiltinError::failed(name, e);
    let t = split_token(jwt).map_err(fail)?;
    let mac = h.hmac(
        secret.as_bytes(),
        format!("{}.{}", t.header, t.payload).as_bytes(),
    );
    let sig = decode_signature(&t).map_err(fail)?;
    Ok(Value::Bool(jose::constant_eq(&sig, &mac)))
}

#[derive(Clone, Copy)]
enum Kind {
    Rs,
    Ps,
    Es,
    Ed,
}

/// The fields of a JOSE header OPA interprets.
#[derive(Default)]
struct Header {
    alg: String,
    kid: String,
    cty: String,
    crit: Vec<String>,
    unknown: Vec<String>,
}

fn parse_header(h: &Value) -> Result<Header, String> {
    let mut out = Header::default();
    let Value::Object(o) = h else {
        return Ok(out);
    };
    for (k, v) in o.iter() {
        let key = k.as_str().unwrap_or_default();
        let string = |name: &str| -> Result<String, String> {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{name}: must be a string"))
        };
        match key {
            "alg" => out.alg = string("alg")?,
            "kid" => out.kid = string("kid")?,
            "typ" => {
                string("typ")?;
            }
            "cty" => out.cty = string("cty")?,
            "crit" => {
                let Value::Array(items) = v else {
                    return Err("crit: must be a list".to_string());
                };
                out.crit = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect();
                if out.crit.is_empty() {
                    return Err("crit: must be a nonempty list".to_string());
                }
            }
            other => out.unknown.push(other.to_string()),
        }
    }
    Ok(out)
}

impl Header {
    fn valid(&self) -> bool {
        !self.alg.is_empty() && !self.unknown.iter().any(|u| self.crit.contains(u))
    }
}

fn verify_one(kind: Kind, h: Hash, key: &Key, input: &[u8], sig: &[u8]) -> bool {
    match (kind, key) {
        (Kind::Rs, Key::RsaPub(k)) => jose::verify_rs(k, h, &h.digest(input), sig),
        (Kind::Ps, Key::RsaPub(k)) => jose::verify_ps(k, h, &h.digest(input), sig),
        (Kind::Es, Key::EcPub(k)) => jose::verify_es(k, &h.digest(input), sig),
        (Kind::Ed, Key::EdPub(k)) => jose::verify_ed(k, input, sig),
        _ => false,
    }
}

fn verify_asym(name: &str, kind: Kind, h: Hash, a: &[Value]) -> Result<Value, BuiltinError> {
    let fail = |e: String| BuiltinError::failed(name, e);
    let jwt = args::string(name, a, 0)?;
    let t = split_token(jwt).map_err(fail)?;
    let keytext = args::string(name, a, 1)?;
    let keys = jose::keys_from_cert_or_jwk(keytext).map_err(fail)?;
    let sig = decode_signature(&t).map_err(fail)?;
    let header = decode_header(&t).map_err(fail)?;
    let header = parse_header(&header).map_err(fail)?;
    let input = format!("{}.{}", t.header, t.payload);
    if !header.kid.is_empty()
        && let Some(k) = keys
            .iter()
            .find(|k| k.kid.as_deref() == Some(header.kid.as_str()))
    {
        return Ok(Value::Bool(verify_one(
            kind,
            h,
            &k.key,
            input.as_bytes(),
            &sig,
        )));
    }
    let ok = keys.iter().any(|k| match &k.alg {
        Some(alg) if *alg != header.alg => false,
        _ => verify_one(kind, h, &k.key, input.as_bytes(), &sig),
    });
    Ok(Value::Bool(ok))
}

const DECODE_VERIFY: &str = "io.jwt.decode_verify";

struct Constraints {
    secret: String,
    alg: String,
    iss: String,
    aud: String,
    keys: Option<Vec<Jwk>>,
    time: f64,
}

fn parse_constraints(ctx: &EvalContext, o: &Value) -> Result<Constraints, String> {
    let mut c = Constraints {
        secret: String::new(),
        alg: String::new(),
        iss: String::new(),
        aud: String::new(),
        keys: None,
        time: -1.0,
    };
    let Value::Object(map) = o else {
        return Ok(c);
    };
    for (k, v) in map.iter() {
        let name = match k {
            Value::String(s) => s.to_string(),
            other => other.to_string(),
        };
        let string = || -> Result<String, String> {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{name} constraint: must be a string"))
        };
        match name.as_str() {
            "cert" => {
                let s = v
                    .as_str()
                    .ok_or_else(|| "cert constraint: must be a string".to_string())?;
                c.keys = Some(jose::keys_from_cert_or_jwk(s)?);
            }
            "secret" => c.secret = string()?,
            "alg" => c.alg = string()?,
            "iss" => c.iss = string()?,
            "aud" => c.aud = string()?,
            "time" => c.time = time_from(v)?,
            other => return Err(format!("unknown token validation constraint: {other}")),
        }
    }
    if c.time == -1.0 {
        #[allow(clippy::cast_precision_loss)]
        let now = ctx.now_ns() as f64;
        c.time = now;
    }
    let n = usize::from(c.keys.is_some()) + usize::from(!c.secret.is_empty());
    if n > 1 {
        return Err("duplicate key constraints".to_string());
    }
    if n < 1 {
        return Err("no key constraint".to_string());
    }
    Ok(c)
}

fn time_from(v: &Value) -> Result<f64, String> {
    let Value::Number(n) = v else {
        return Err("token time constraint: must be a number".to_string());
    };
    let f = n.as_f64();
    if !f.is_finite() {
        return Err("token time constraint: unvalid float64".to_string());
    }
    if f < 0.0 {
        return Err("token time constraint: must not be negative".to_string());
    }
    Ok(f)
}

impl Constraints {
    fn verify(&self, kid: &str, alg: &str, input: &[u8], sig: &[u8]) -> bool {
        if let Some(keys) = &self.keys {
            if !kid.is_empty()
                && let Some(k) = keys.iter().find(|k| k.kid.as_deref() == Some(kid))
            {
                return jose::jws_verify(&k.key, alg, input, sig);
            }
            return keys.iter().any(|k| match &k.alg {
                Some(ka) if ka != alg => false,
                _ => jose::jws_verify(&k.key, alg, input, sig),
            });
        }
        jose::jws_verify(&Key::Oct(self.secret.as_bytes().to_vec()), alg, input, sig)
    }

    fn valid_audience(&self, aud: &Value) -> bool {
        match aud {
            Value::String(s) => **s == *self.aud,
            Value::Array(items) => items.iter().any(|i| i.as_str() == Some(self.aud.as_str())),
            _ => false,
        }
    }
}

fn decode_verify(ctx: &EvalContext, a: &[Value]) -> Result<Value, BuiltinError> {
    let fail = |e: String| BuiltinError::failed(DECODE_VERIFY, e);
    args::object(DECODE_VERIFY, a, 1)?;
    let constraints_v = args::any(DECODE_VERIFY, a, 1)?;
    let c = parse_constraints(ctx, constraints_v).map_err(fail)?;
    let unverified = Value::array(vec![
        Value::Bool(false),
        Value::object([]),
        Value::object([]),
    ]);
    let mut current = args::string(DECODE_VERIFY, a, 0)?.to_string();
    let mut depth = 0;
    let (header, payload) = loop {
        depth += 1;
        if depth > 32 {
            return Err(fail("nested JWT too deep".to_string()));
        }
        let t = split_token(&current).map_err(fail)?;
        let header_v = decode_header(&t).map_err(fail)?;
        let header = parse_header(&header_v).map_err(fail)?;
        if !header.valid() {
            return Ok(unverified);
        }
        if !c.alg.is_empty() && c.alg != header.alg {
            return Ok(unverified);
        }
        let sig = decode_signature(&t).map_err(fail)?;
        let input = format!("{}.{}", t.header, t.payload);
        if !c.verify(&header.kid, &header.alg, input.as_bytes(), &sig) {
            return Ok(unverified);
        }
        let p = jose::b64url_decode(t.payload)
            .map_err(|e| fail(format!("JWT payload had invalid encoding: {e}")))?;
        if header.cty.eq_ignore_ascii_case("JWT") {
            current = String::from_utf8_lossy(&p).to_string();
            continue;
        }
        break (header_v, json_object(&p).map_err(fail)?);
    };
    if !c.iss.is_empty() {
        match payload.get("iss") {
            Some(Value::String(s)) if **s == *c.iss => {}
            Some(Value::String(_)) | None => return Ok(unverified),
            Some(_) => return Err(fail("iss value must be a string".to_string())),
        }
    }
    match payload.get("aud") {
        Some(aud) => {
            if !c.valid_audience(aud) {
                return Ok(unverified);
            }
        }
        None => {
            if !c.aud.is_empty() {
                return Ok(unverified);
            }
        }
    }
    let now_s = c.time / 1_000_000_000.0;
    if let Some(exp) = payload.get("exp") {
        let Value::Number(n) = exp else {
            return Err(fail("exp value must be a number".to_string()));
        };
        if now_s >= n.as_f64() {
            return Ok(unverified);
        }
    }
    if let Some(nbf) = payload.get("nbf") {
        let Value::Number(n) = nbf else {
            return Err(fail("nbf value must be a number".to_string()));
        };
        if now_s < n.as_f64() {
            return Ok(unverified);
        }
    }
    Ok(Value::array(vec![Value::Bool(true), header, payload]))
}

fn header_string(headers: &[u8], name: &str) -> Result<String, String> {
    let text = std::str::from_utf8(headers).map_err(|e| e.to_string())?;
    super::fastjson::header_string(text, name)
}

fn encode_common(
    name: &str,
    headers: &[u8],
    payload: &[u8],
    jwk: &str,
) -> Result<Value, BuiltinError> {
    let fail = |e: String| BuiltinError::failed(name, e);
    let keys = jose::parse_jwks(jwk).map_err(fail)?;
    let key = keys
        .first()
        .ok_or_else(|| fail("no keys found in JWK set".to_string()))?;
    let alg = header_string(headers, "alg")
        .map_err(|e| fail(format!("missing or invalid 'alg' header: {e}")))?;
    if !jose::ALGORITHMS.contains(&alg.as_str()) {
        return Err(fail(format!("unknown JWS algorithm: {alg}")));
    }
    let typ = header_string(headers, "typ");
    let needs_json = match &typ {
        Ok(t) => t == "JWT",
        Err(_) => true,
    };
    if needs_json && gojson::validate(payload).is_err() {
        return Err(fail("type is JWT but payload is not JSON".to_string()));
    }
    let input = format!("{}.{}", B64URL.encode(headers), B64URL.encode(payload));
    let sig = jose::jws_sign(&key.key, &alg, input.as_bytes()).map_err(fail)?;
    Ok(Value::string(format!("{input}.{}", B64URL.encode(sig))))
}

fn encode_sign(a: &[Value]) -> Result<Value, BuiltinError> {
    const NAME: &str = "io.jwt.encode_sign";
    let h = gojson::marshal(args::any(NAME, a, 0)?);
    let p = gojson::marshal(args::any(NAME, a, 1)?);
    let k = gojson::marshal(args::any(NAME, a, 2)?);
    encode_common(NAME, h.as_bytes(), p.as_bytes(), &k)
}

fn encode_sign_raw(a: &[Value]) -> Result<Value, BuiltinError> {
    const NAME: &str = "io.jwt.encode_sign_raw";
    let k = args::string(NAME, a, 2)?;
    let h = args::string(NAME, a, 0)?;
    let p = args::string(NAME, a, 1)?;
    encode_common(NAME, h.as_bytes(), p.as_bytes(), k)
}
