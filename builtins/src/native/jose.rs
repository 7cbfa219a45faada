//! Keys and signatures for the JOSE builtins (`io.jwt.*`): JWK / JWKS and
//! PEM key parsing, the JWS algorithms, Go's lenient base64url decoding.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, Mac};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde_json::Value as Json;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// base64url without padding (what JWS writes).
pub(crate) const B64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Go's `base64.URLEncoding` (padded, lenient trailing bits).
const B64URL_PADDED: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Go's `base64.StdEncoding` (padded, lenient trailing bits).
pub(crate) const B64STD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Go's error text for a base64 decoding failure.
pub(crate) fn b64_error(e: base64::DecodeError, len: usize) -> String {
    let at = match e {
        base64::DecodeError::InvalidByte(i, _) => i,
        base64::DecodeError::InvalidLength(l) => l,
        base64::DecodeError::InvalidLastSymbol(i, _) => i,
        // Unpadded text: Go reports where the incomplete final quantum
        // starts.
        base64::DecodeError::InvalidPadding if !len.is_multiple_of(4) => len - len % 4,
        base64::DecodeError::InvalidPadding => len,
    };
    format!("illegal base64 data at input byte {at}")
}

/// OPA's `base64url.decode`: missing padding is added (RFC 7515 appendix
/// C), then the text is decoded as padded base64url.
pub(crate) fn b64url_decode(s: &str) -> Result<Vec<u8>, String> {
    let mut t = s.to_string();
    if !t.ends_with('=') {
        match t.len() % 4 {
            0 => {}
            2 => t.push_str("=="),
            3 => t.push('='),
            _ => return Err(format!("illegal base64url string: {s}")),
        }
    }
    B64URL_PADDED
        .decode(t.as_bytes())
        .map_err(|e| b64_error(e, t.len()))
}

/// A key usable for JWS: symmetric, or one of the asymmetric families.
#[derive(Clone, Debug)]
pub(crate) enum Key {
    /// HMAC secret (`kty: oct`).
    Oct(Vec<u8>),
    /// RSA public key.
    RsaPub(RsaPublicKey),
    /// RSA private key.
    RsaPriv(Box<RsaPrivateKey>),
    /// ECDSA public key.
    EcPub(EcPub),
    /// ECDSA private key.
    EcPriv(EcPriv),
    /// Ed25519 public key.
    EdPub(ed25519_dalek::VerifyingKey),
    /// Ed25519 private key.
    EdPriv(Box<ed25519_dalek::SigningKey>),
}

/// An ECDSA public key on one of the JOSE curves.
#[derive(Clone, Debug)]
pub(crate) enum EcPub {
    P256(p256::PublicKey),
    P384(p384::PublicKey),
    P521(p521::PublicKey),
}

/// An ECDSA private key on one of the JOSE curves.
#[derive(Clone, Debug)]
pub(crate) enum EcPriv {
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
}

/// A key from a JWK, with its optional `kid` and `alg`.
#[derive(Clone, Debug)]
pub(crate) struct Jwk {
    pub key: Key,
    pub kid: Option<String>,
    pub alg: Option<String>,
}

/// The JWS algorithms OPA knows.
pub(crate) const ALGORITHMS: [&str; 13] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256",
    "HS384", "HS512", "EdDSA",
];

fn field<'a>(o: &'a serde_json::Map<String, Json>, name: &str) -> Result<&'a str, String> {
    match o.get(name) {
        Some(Json::String(s)) => Ok(s),
        Some(_) => Err(format!("invalid {name}: must be a string")),
        None => Err(format!("required field {name} is missing")),
    }
}

fn b64field(o: &serde_json::Map<String, Json>, name: &str) -> Result<Vec<u8>, String> {
    let s = field(o, name)?;
    B64URL
        .decode(s.trim_end_matches('=').as_bytes())
        .or_else(|_| B64STD.decode(s.as_bytes()))
        .map_err(|e| format!("failed to decode {name}: {}", b64_error(e, s.len())))
}

fn opt_b64field(o: &serde_json::Map<String, Json>, name: &str) -> Result<Option<Vec<u8>>, String> {
    if o.contains_key(name) {
        b64field(o, name).map(Some)
    } else {
        Ok(None)
    }
}

/// Parse one JWK object.
pub(crate) fn parse_jwk_object(o: &serde_json::Map<String, Json>) -> Result<Jwk, String> {
    let kty = match o.get("kty") {
        Some(Json::String(s)) => s.as_str(),
        Some(_) => return Err("invalid key type: kty must be a string".to_string()),
        None => return Err("required field kty is missing".to_string()),
    };
    let key = match kty {
        "oct" => Key::Oct(b64field(o, "k")?),
        "RSA" => {
            let n = BigUint::from_bytes_be(&b64field(o, "n")?);
            let e = BigUint::from_bytes_be(&b64field(o, "e")?);
            match opt_b64field(o, "d")? {
                None => Key::RsaPub(
                    RsaPublicKey::new_with_max_size(n, e, 16384)
                        .map_err(|e| format!("failed to create RSA public key: {e}"))?,
                ),
                Some(d) => {
                    let d = BigUint::from_bytes_be(&d);
                    let mut primes = Vec::new();
                    if let (Some(p), Some(q)) = (opt_b64field(o, "p")?, opt_b64field(o, "q")?) {
                        primes.push(BigUint::from_bytes_be(&p));
                        primes.push(BigUint::from_bytes_be(&q));
                    }
                    let k = RsaPrivateKey::from_components(n, e, d, primes)
                        .map_err(|e| format!("failed to create RSA private key: {e}"))?;
                    Key::RsaPriv(Box::new(k))
                }
            }
        }
        "EC" => {
            let crv = field(o, "crv")?;
            let x = b64field(o, "x")?;
            let y = b64field(o, "y")?;
            let d = opt_b64field(o, "d")?;
            ec_key(crv, &x, &y, d.as_deref())?
        }
        "OKP" => {
            let crv = field(o, "crv")?;
            if crv != "Ed25519" {
                return Err(format!("unsupported curve for OKP key: {crv}"));
            }
            match opt_b64field(o, "d")? {
                Some(d) => {
                    let bytes: [u8; 32] = d
                        .as_slice()
                        .try_into()
                        .map_err(|_| "invalid Ed25519 private key size".to_string())?;
                    Key::EdPriv(Box::new(ed25519_dalek::SigningKey::from_bytes(&bytes)))
                }
                None => {
                    let x = b64field(o, "x")?;
                    let bytes: [u8; 32] = x
                        .as_slice()
                        .try_into()
                        .map_err(|_| "invalid Ed25519 public key size".to_string())?;
                    Key::EdPub(
                        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                            .map_err(|e| format!("invalid Ed25519 public key: {e}"))?,
                    )
                }
            }
        }
        other => return Err(format!("invalid key type from JSON ({other})")),
    };
    let kid = match o.get("kid") {
        Some(Json::String(s)) => Some(s.clone()),
        _ => None,
    };
    let alg = match o.get("alg") {
        Some(Json::String(s)) => Some(s.clone()),
        _ => None,
    };
    Ok(Jwk { key, kid, alg })
}

fn sec1(x: &[u8], y: &[u8], size: usize) -> Result<Vec<u8>, String> {
    if x.len() > size || y.len() > size {
        return Err("invalid EC coordinate size".to_string());
    }
    let mut v = vec![4u8];
    v.extend(std::iter::repeat_n(0u8, size - x.len()));
    v.extend_from_slice(x);
    v.extend(std::iter::repeat_n(0u8, size - y.len()));
    v.extend_from_slice(y);
    Ok(v)
}

fn ec_key(crv: &str, x: &[u8], y: &[u8], d: Option<&[u8]>) -> Result<Key, String> {
    let bad = |e: &dyn std::fmt::Display| format!("failed to create EC key: {e}");
    Ok(match (crv, d) {
        ("P-256", None) => Key::EcPub(EcPub::P256(
            p256::PublicKey::from_sec1_bytes(&sec1(x, y, 32)?).map_err(|e| bad(&e))?,
        )),
        ("P-384", None) => Key::EcPub(EcPub::P384(
            p384::PublicKey::from_sec1_bytes(&sec1(x, y, 48)?).map_err(|e| bad(&e))?,
        )),
        ("P-521", None) => Key::EcPub(EcPub::P521(
            p521::PublicKey::from_sec1_bytes(&sec1(x, y, 66)?).map_err(|e| bad(&e))?,
        )),
        ("P-256", Some(d)) => Key::EcPriv(EcPriv::P256(
            p256::SecretKey::from_slice(d).map_err(|e| bad(&e))?,
        )),
        ("P-384", Some(d)) => Key::EcPriv(EcPriv::P384(
            p384::SecretKey::from_slice(d).map_err(|e| bad(&e))?,
        )),
        ("P-521", Some(d)) => Key::EcPriv(EcPriv::P521(
            p521::SecretKey::from_slice(d).map_err(|e| bad(&e))?,
        )),
        (other, _) => return Err(format!("invalid curve name {other}")),
    })
}

/// Parse a JWK or a JWK set (`{"keys": [...]}`) from JSON text.
pub(crate) fn parse_jwks(text: &str) -> Result<Vec<Jwk>, String> {
    // jwx's wrapping of a sole key's errors.
    const SOLE: &str = "jwk.Parse: failed to parse sole key: jwk.ParseKey: ";
    let v: Json = serde_json::from_str(text).map_err(|e| {
        let msg = super::gojson::validate(text.as_bytes())
            .err()
            .unwrap_or_else(|| e.to_string());
        format!("{SOLE}jwk.Parse: failed to probe data: probe: failed to unmarshal data: {msg}")
    })?;
    let Json::Object(o) = v else {
        return Err("failed to parse JWK: not a JSON object".to_string());
    };
    match o.get("keys") {
        Some(Json::Array(keys)) => keys
            .iter()
            .map(|k| match k {
                Json::Object(ko) => parse_jwk_object(ko),
                _ => Err("failed to parse key: not a JSON object".to_string()),
            })
            .collect(),
        Some(_) => Err("failed to parse JWK set: keys must be an array".to_string()),
        None => parse_jwk_object(&o)
            .map(|k| vec![k])
            .map_err(|e| match jwx_key_type(&o) {
                Some(t) if e.starts_with("required field") => format!(
                    "{SOLE}failed to unmarshal JSON into key ({t}): \
                     failed to unmarshal JSON into key ({t}): {e}"
                ),
                _ => format!("{SOLE}{e}"),
            }),
    }
}

/// The jwx Go type a JWK object is decoded into (named in its errors).
fn jwx_key_type(o: &serde_json::Map<String, Json>) -> Option<&'static str> {
    let private = o.contains_key("d");
    Some(match (o.get("kty")?.as_str()?, private) {
        ("oct", _) => "*jwk.symmetricKey",
        ("RSA", false) => "*jwk.rsaPublicKey",
        ("RSA", true) => "*jwk.rsaPrivateKey",
        ("EC", false) => "*jwk.ecdsaPublicKey",
        ("EC", true) => "*jwk.ecdsaPrivateKey",
        ("OKP", false) => "*jwk.okpPublicKey",
        ("OKP", true) => "*jwk.okpPrivateKey",
        _ => return None,
    })
}

/// Parse a DER SubjectPublicKeyInfo into a key.
pub(crate) fn parse_spki_der(der: &[u8]) -> Result<Key, String> {
    use p256::pkcs8::DecodePublicKey;
    if let Ok(k) = RsaPublicKey::from_public_key_der(der) {
        return Ok(Key::RsaPub(k));
    }
    if let Ok(k) = p256::PublicKey::from_public_key_der(der) {
        return Ok(Key::EcPub(EcPub::P256(k)));
    }
    if let Ok(k) = p384::PublicKey::from_public_key_der(der) {
        return Ok(Key::EcPub(EcPub::P384(k)));
    }
    if let Ok(k) = p521::PublicKey::from_public_key_der(der) {
        return Ok(Key::EcPub(EcPub::P521(k)));
    }
    if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_der(der) {
        return Ok(Key::EdPub(k));
    }
    // Large RSA moduli beyond the crate's default limit.
    if let Ok((_, spki)) =
        <x509_parser::x509::SubjectPublicKeyInfo as x509_parser::prelude::FromDer<_>>::from_der(der)
        && let Ok(x509_parser::public_key::PublicKey::RSA(rk)) = spki.parsed()
    {
        let n = BigUint::from_bytes_be(rk.modulus);
        let e = BigUint::from_bytes_be(rk.exponent);
        if let Ok(k) = RsaPublicKey::new_with_max_size(n, e, 16384) {
            return Ok(Key::RsaPub(k));
        }
    }
    Err("x509: unsupported public key type".to_string())
}

/// The keys of `io.jwt.verify_*` / `decode_verify`'s `cert`: a PEM
/// certificate, a PEM public key, or a JWK / JWKS.
pub(crate) fn keys_from_cert_or_jwk(text: &str) -> Result<Vec<Jwk>, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with("-----BEGIN") {
        let block = pem::parse(text.as_bytes())
            .map_err(|_| "failed to extract a Key from the PEM certificate".to_string())?;
        if !pem_rest(text).is_empty() {
            return Err("extra data after a PEM certificate block".to_string());
        }
        let key = match block.tag() {
            "CERTIFICATE" => {
                let (_, cert) =
                    x509_parser::parse_x509_certificate(block.contents()).map_err(|_| {
                        "failed to parse a PEM certificate: x509: malformed certificate".to_string()
                    })?;
                parse_spki_der(cert.tbs_certificate.subject_pki.raw)
                    .map_err(|e| format!("failed to parse a PEM certificate: {e}"))?
            }
            "PUBLIC KEY" => parse_spki_der(block.contents())
                .map_err(|e| format!("failed to parse a PEM public key: {e}"))?,
            _ => return Err("failed to extract a Key from the PEM certificate".to_string()),
        };
        return Ok(vec![Jwk {
            key,
            kid: None,
            alg: None,
        }]);
    }
    let keys = parse_jwks(text).map_err(|e| {
        format!("failed to parse a JWK key (set): jwk.ParseString: failed to parse string: {e}")
    })?;
    Ok(keys
        .into_iter()
        .filter(|k| match &k.alg {
            Some(a) => ALGORITHMS.contains(&a.as_str()),
            None => true,
        })
        .collect())
}

/// What Go's `pem.Decode` leaves after the first block: the text after
/// the line holding the first `-----END ` marker.
pub(crate) fn pem_rest(text: &str) -> &str {
    let Some(end) = text.find("-----END ") else {
        return "";
    };
    let after = text.get(end + 9..).unwrap_or_default();
    let Some(close) = after.find("-----") else {
        return "";
    };
    let rest = after.get(close + 5..).unwrap_or_default();
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .unwrap_or(rest)
}

/// A hash function by JWS algorithm suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
    pub(crate) fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        macro_rules! mac {
            ($h:ty) => {{
                match <Hmac<$h> as Mac>::new_from_slice(key) {
                    Ok(mut m) => {
                        m.update(data);
                        m.finalize().into_bytes().to_vec()
                    }
                    Err(_) => Vec::new(),
                }
            }};
        }
        match self {
            Hash::Sha256 => mac!(Sha256),
            Hash::Sha384 => mac!(Sha384),
            Hash::Sha512 => mac!(Sha512),
        }
    }
    fn pkcs1(self) -> rsa::Pkcs1v15Sign {
        match self {
            Hash::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
            Hash::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
            Hash::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
        }
    }
    fn len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
}

/// RSASSA-PKCS1-v1_5 verification of a message digest.
pub(crate) fn verify_rs(key: &RsaPublicKey, h: Hash, digest: &[u8], sig: &[u8]) -> bool {
    key.verify(h.pkcs1(), digest, sig).is_ok()
}

fn mgf1(h: Hash, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut data = seed.to_vec();
        data.extend_from_slice(&counter.to_be_bytes());
        out.extend(h.digest(&data));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// RSASSA-PSS verification of a digest with the salt length detected from
/// the signature (Go's `PSSSaltLengthAuto`, what `rsa.VerifyPSS(.., nil)`
/// does).
pub(crate) fn verify_ps(key: &RsaPublicKey, h: Hash, digest: &[u8], sig: &[u8]) -> bool {
    let k = key.size();
    if sig.len() != k || digest.len() != h.len() {
        return false;
    }
    let s = BigUint::from_bytes_be(sig);
    if &s >= key.n() {
        return false;
    }
    let m = s.modpow(key.e(), key.n());
    let em_bits = key.n().bits() - 1;
    let em_len = em_bits.div_ceil(8);
    let mb = m.to_bytes_be();
    if mb.len() > em_len {
        return false;
    }
    let mut em = vec![0u8; em_len - mb.len()];
    em.extend(mb);
    let hlen = h.len();
    if em_len < hlen + 2 || em.last() != Some(&0xbc) {
        return false;
    }
    let db_len = em_len - hlen - 1;
    let (masked_db, rest) = em.split_at(db_len);
    let hh = rest.get(..hlen).unwrap_or_default();
    let unused_bits = 8 * em_len - em_bits;
    let top_mask: u8 = if unused_bits >= 8 {
        0
    } else {
        0xffu8 >> unused_bits
    };
    if masked_db.first().is_some_and(|b| b & !top_mask != 0) {
        return false;
    }
    let mask = mgf1(h, hh, db_len);
    let mut db: Vec<u8> = masked_db.iter().zip(mask).map(|(a, b)| a ^ b).collect();
    if let Some(b) = db.first_mut() {
        *b &= top_mask;
    }
    let Some(one) = db.iter().position(|b| *b != 0) else {
        return false;
    };
    if db.get(one) != Some(&1) {
        return false;
    }
    let salt = db.get(one + 1..).unwrap_or_default();
    let mut mp = vec![0u8; 8];
    mp.extend_from_slice(digest);
    mp.extend_from_slice(salt);
    h.digest(&mp) == hh
}

/// Split a JOSE `r || s` signature in half and left-pad each to `size`.
fn split_rs(sig: &[u8], size: usize) -> Option<Vec<u8>> {
    let n = sig.len() / 2;
    let (r, s) = (sig.get(..n)?, sig.get(n..)?);
    let strip = |x: &[u8]| -> Option<Vec<u8>> {
        let first = x.iter().position(|b| *b != 0).unwrap_or(x.len());
        let x = x.get(first..)?;
        if x.len() > size {
            return None;
        }
        let mut v = vec![0u8; size - x.len()];
        v.extend_from_slice(x);
        Some(v)
    };
    let mut out = strip(r)?;
    out.extend(strip(s)?);
    Some(out)
}

/// ECDSA verification of a digest with a JOSE `r || s` signature, as Go's
/// `ecdsa.Verify` (the digest is truncated to the curve order size).
pub(crate) fn verify_es(key: &EcPub, digest: &[u8], sig: &[u8]) -> bool {
    use ecdsa::signature::hazmat::PrehashVerifier;
    match key {
        EcPub::P256(k) => split_rs(sig, 32)
            .and_then(|b| p256::ecdsa::Signature::from_slice(&b).ok())
            .is_some_and(|s| {
                p256::ecdsa::VerifyingKey::from(k)
                    .verify_prehash(digest, &s)
                    .is_ok()
            }),
        EcPub::P384(k) => split_rs(sig, 48)
            .and_then(|b| p384::ecdsa::Signature::from_slice(&b).ok())
            .is_some_and(|s| {
                p384::ecdsa::VerifyingKey::from(k)
                    .verify_prehash(digest, &s)
                    .is_ok()
            }),
        EcPub::P521(k) => split_rs(sig, 66)
            .and_then(|b| p521::ecdsa::Signature::from_slice(&b).ok())
            .is_some_and(|s| {
                p521::ecdsa::VerifyingKey::from_affine(*k.as_affine())
                    .is_ok_and(|vk| verify_prehash_padded(&vk, digest, &s))
            }),
    }
}

fn verify_prehash_padded(
    vk: &p521::ecdsa::VerifyingKey,
    digest: &[u8],
    sig: &p521::ecdsa::Signature,
) -> bool {
    use ecdsa::signature::hazmat::PrehashVerifier;
    // Go left-pads short digests; RustCrypto needs at least half the
    // field size.
    if digest.len() < 33 {
        let mut d = vec![0u8; 33 - digest.len()];
        d.extend_from_slice(digest);
        return vk.verify_prehash(&d, sig).is_ok();
    }
    vk.verify_prehash(digest, sig).is_ok()
}

/// Ed25519 verification of the message itself.
pub(crate) fn verify_ed(key: &ed25519_dalek::VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
    let Ok(bytes) = <[u8; 64]>::try_from(sig) else {
        return false;
    };
    key.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(&bytes))
        .is_ok()
        || ed25519_dalek::Verifier::verify(key, msg, &ed25519_dalek::Signature::from_bytes(&bytes))
            .is_ok()
}

fn alg_hash(alg: &str) -> Option<Hash> {
    match alg.get(2..) {
        Some("256") => Some(Hash::Sha256),
        Some("384") => Some(Hash::Sha384),
        Some("512") => Some(Hash::Sha512),
        _ => None,
    }
}

/// JWS verification by algorithm name (what `decode_verify` does with its
/// constraints): `Ok(true)` when the signature verifies with `key`.
pub(crate) fn jws_verify(key: &Key, alg: &str, input: &[u8], sig: &[u8]) -> bool {
    let family = alg.get(..2).unwrap_or_default();
    if alg == "EdDSA" {
        return matches!(key, Key::EdPub(k) if verify_ed(k, input, sig));
    }
    let Some(h) = alg_hash(alg) else {
        return false;
    };
    match (family, key) {
        ("HS", Key::Oct(secret)) => {
            let mac = h.hmac(secret, input);
            !mac.is_empty() && constant_eq(&mac, sig)
        }
        ("RS", Key::RsaPub(k)) => verify_rs(k, h, &h.digest(input), sig),
        ("PS", Key::RsaPub(k)) => verify_ps(k, h, &h.digest(input), sig),
        ("ES", Key::EcPub(k)) => {
            let (size, curve_hash) = match k {
                EcPub::P256(_) => (32, Hash::Sha256),
                EcPub::P384(_) => (48, Hash::Sha384),
                EcPub::P521(_) => (66, Hash::Sha512),
            };
            curve_hash == h && sig.len() == 2 * size && verify_es(k, &h.digest(input), sig)
        }
        _ => false,
    }
}

/// Constant-time comparison of two byte strings.
pub(crate) fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle_eq::ct_eq;
    ct_eq(a, b)
}

mod subtle_eq {
    pub(super) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// The jwx Go type of a key (named in its errors).
fn jwx_type(key: &Key) -> &'static str {
    match key {
        Key::Oct(_) => "*jwk.symmetricKey",
        Key::RsaPub(_) => "*jwk.rsaPublicKey",
        Key::RsaPriv(_) => "*jwk.rsaPrivateKey",
        Key::EcPub(_) => "*jwk.ecdsaPublicKey",
        Key::EcPriv(_) => "*jwk.ecdsaPrivateKey",
        Key::EdPub(_) => "*jwk.okpPublicKey",
        Key::EdPriv(_) => "*jwk.okpPrivateKey",
    }
}

/// OPA v1.20.2's (jwx's) error for signing with a key of the wrong type.
fn wrong_key_error(key: &Key, alg: &str) -> String {
    let t = jwx_type(key);
    let (required, produced, keyconv, was) = match alg.get(..2).unwrap_or_default() {
        "HS" => ("[]byte", "[]byte", "keyconv: ", "[]byte"),
        "RS" | "PS" => ("*rsa.PrivateKey", "rsa.PrivateKey", "", "*rsa.PrivateKey"),
        "ES" => (
            "*ecdsa.PrivateKey",
            "ecdsa.PrivateKey",
            "keyconv: ",
            "*ecdsa.PrivateKey",
        ),
        _ => (
            "ed25519.PrivateKey",
            "ed25519.PrivateKey",
            "",
            "*ed25519.PrivateKey",
        ),
    };
    let cause = match key {
        Key::EdPub(_) | Key::EdPriv(_) => {
            let go = if matches!(key, Key::EdPub(_)) {
                "ed25519.PublicKey"
            } else {
                "ed25519.PrivateKey"
            };
            format!(
                "failed to assign key: argument to AssignIfCompatible() must be compatible with {go} (was {was})"
            )
        }
        _ => format!("no suitable exporter found for key type '{t}'"),
    };
    format!(
        "jwsbb.Sign: invalid key type {t}. {required} is required: {keyconv}failed to produce {produced} from {t}: jwk.Export: {cause}"
    )
}

/// Sign `input` with `key` for JWS algorithm `alg`.
pub(crate) fn jws_sign(key: &Key, alg: &str, input: &[u8]) -> Result<Vec<u8>, String> {
    use ecdsa::signature::hazmat::PrehashSigner;
    if alg == "EdDSA" {
        return match key {
            Key::EdPriv(k) => Ok(ed25519_dalek::Signer::sign(k.as_ref(), input)
                .to_bytes()
                .to_vec()),
            _ => Err(wrong_key_error(key, alg)),
        };
    }
    let h = alg_hash(alg).ok_or_else(|| format!("unknown JWS algorithm: {alg}"))?;
    let family = alg.get(..2).unwrap_or_default();
    let wrong = || wrong_key_error(key, alg);
    match (family, key) {
        ("HS", Key::Oct(secret)) => {
            if secret.is_empty() {
                return Err("failed to sign payload: missing secret key".to_string());
            }
            Ok(h.hmac(secret, input))
        }
        // jwx exports an Ed25519 key as its Go type, a byte slice, which
        // HMAC then takes as the secret (the public key, or seed ‖ public).
        ("HS", Key::EdPub(k)) => Ok(h.hmac(k.as_bytes(), input)),
        ("HS", Key::EdPriv(k)) => Ok(h.hmac(&k.to_keypair_bytes(), input)),
        ("RS", Key::RsaPriv(k)) => k
            .sign(h.pkcs1(), &h.digest(input))
            .map_err(|e| format!("failed to sign payload: {e}")),
        ("PS", Key::RsaPriv(k)) => {
            let mut rng = rand_core::OsRng;
            let scheme = match h {
                Hash::Sha256 => rsa::Pss::new::<Sha256>(),
                Hash::Sha384 => rsa::Pss::new::<Sha384>(),
                Hash::Sha512 => rsa::Pss::new::<Sha512>(),
            };
            k.sign_with_rng(&mut rng, scheme, &h.digest(input))
                .map_err(|e| format!("failed to sign payload: {e}"))
        }
        ("ES", Key::EcPriv(k)) => {
            let digest = h.digest(input);
            let err = |e: ecdsa::Error| format!("failed to sign payload: {e}");
            match k {
                EcPriv::P256(sk) => {
                    let s: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(sk)
                        .sign_prehash(&digest)
                        .map_err(err)?;
                    Ok(s.to_bytes().to_vec())
                }
                EcPriv::P384(sk) => {
                    let s: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(sk)
                        .sign_prehash(&digest)
                        .map_err(err)?;
                    Ok(s.to_bytes().to_vec())
                }
                EcPriv::P521(sk) => {
                    let signer =
                        p521::ecdsa::SigningKey::from_slice(&sk.to_bytes()).map_err(err)?;
                    let mut d = digest.clone();
                    if d.len() < 33 {
                        let mut p = vec![0u8; 33 - d.len()];
                        p.extend_from_slice(&d);
                        d = p;
                    }
                    let s: p521::ecdsa::Signature = signer.sign_prehash(&d).map_err(err)?;
                    Ok(s.to_bytes().to_vec())
                }
            }
        }
        _ => Err(wrong()),
    }
}
