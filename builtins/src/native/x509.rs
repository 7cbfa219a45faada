//! `crypto.x509.*` and `crypto.parse_private_keys`: certificates, chains,
//! CSRs, key pairs and private keys, in the JSON shapes OPA produces (Go's
//! `encoding/json` marshalling of `x509.Certificate`, `tls.Certificate`,
//! `rsa.PrivateKey`, ... and JWKs).

use super::jose::{self, B64STD, B64URL};
use super::native;
use super::x509_constraints::{self, NameConstraints};
use crate::{BuiltinError, EvalContext, Number, Registry, Value, args};
use base64::Engine as _;
use num_bigint::{BigInt, Sign};
use x509_parser::prelude::*;

/// Register the X.509 / private-key builtins.
pub(crate) fn register(r: &mut Registry) {
    native(r, "crypto.x509.parse_certificates", 1, |_, a| {
        let name = "crypto.x509.parse_certificates";
        let input = args::string(name, a, 0)?;
        let ders = certs_from_string(input).map_err(|e| BuiltinError::failed(name, e))?;
        let certs = ders
            .iter()
            .map(|d| cert_value(d, true))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| BuiltinError::failed(name, e))?;
        Ok(Some(Value::array(certs)))
    });
    native(
        r,
        "crypto.x509.parse_and_verify_certificates",
        1,
        |ctx, a| {
            let name = "crypto.x509.parse_and_verify_certificates";
            let input = args::string(name, a, 0)?;
            Ok(Some(parse_and_verify(
                ctx,
                input,
                &VerifyOpts::default(),
                true,
            )))
        },
    );
    native(
        r,
        "crypto.x509.parse_and_verify_certificates_with_options",
        2,
        |ctx, a| {
            let name = "crypto.x509.parse_and_verify_certificates_with_options";
            let input = args::string(name, a, 0)?;
            let opts = args::object(name, a, 1)?;
            if certs_from_string(input).is_err() {
                return Ok(Some(unverified()));
            }
            let o = verify_opts(opts).map_err(|e| BuiltinError::failed(name, e))?;
            Ok(Some(parse_and_verify(ctx, input, &o, false)))
        },
    );
    native(r, "crypto.x509.parse_certificate_request", 1, |_, a| {
        let name = "crypto.x509.parse_certificate_request";
        let input = args::string(name, a, 0)?;
        csr(input)
            .map(Some)
            .map_err(|e| BuiltinError::failed(name, e))
    });
    native(r, "crypto.x509.parse_rsa_private_key", 1, |_, a| {
        let name = "crypto.x509.parse_rsa_private_key";
        let input = args::string(name, a, 0)?;
        rsa_private_key_jwk(input)
            .map(Some)
            .map_err(|e| BuiltinError::failed(name, e))
    });
    native(r, "crypto.parse_private_keys", 1, |_, a| {
        let name = "crypto.parse_private_keys";
        let input = args::string(name, a, 0)?;
        if input.is_empty() {
            return Ok(Some(Value::Null));
        }
        let keys = private_keys(input).map_err(|e| BuiltinError::failed(name, e))?;
        Ok(Some(Value::array(
            keys.iter().map(go_private_key).collect(),
        )))
    });
    native(r, "crypto.x509.parse_keypair", 2, |_, a| {
        let name = "crypto.x509.parse_keypair";
        let cert = args::string(name, a, 0)?;
        let key = args::string(name, a, 1)?;
        keypair(cert, key)
            .map(Some)
            .map_err(|e| BuiltinError::failed(name, e))
    });
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn obj<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::object(entries.into_iter().map(|(k, v)| (s(k), v)))
}

fn b64(bytes: &[u8]) -> Value {
    Value::string(B64STD.encode(bytes))
}

fn big(bytes: &[u8]) -> Value {
    Value::Number(Number::from(BigInt::from_bytes_be(Sign::Plus, bytes)))
}

fn bigu(n: &rsa::BigUint) -> Value {
    big(&n.to_bytes_be())
}

fn null_or<T>(items: Vec<T>, f: impl Fn(T) -> Value) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::array(items.into_iter().map(f).collect())
    }
}

fn oid_value(oid: &x509_parser::der_parser::oid::Oid<'_>) -> Value {
    match oid.iter() {
        Some(it) => Value::array(
            it.map(|n| Value::Number(Number::from(BigInt::from(n))))
                .collect(),
        ),
        None => Value::array(vec![]),
    }
}

/// Go's `getX509CertsFromString`: PEM, or base64 of PEM or DER.
fn certs_from_string(input: &str) -> Result<Vec<Vec<u8>>, String> {
    if input.starts_with("-----BEGIN") {
        return certs_from_pem(input.as_bytes());
    }
    let raw = B64STD
        .decode(input.as_bytes())
        .map_err(|e| jose::b64_error(e, input.len()))?;
    if raw.starts_with(b"-----BEGIN") {
        return certs_from_pem(&raw);
    }
    split_ders(&raw)
}

fn certs_from_pem(text: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut der = Vec::new();
    for block in ::pem::parse_many(text).map_err(|e| format!("x509: malformed PEM: {e}"))? {
        if block.tag() != "CERTIFICATE" {
            return Err(format!(
                "PEM block type is '{}', expected CERTIFICATE",
                block.tag()
            ));
        }
        der.extend_from_slice(block.contents());
    }
    split_ders(&der)
}

/// `x509.ParseCertificates`: concatenated DER certificates.
fn split_ders(mut der: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    while !der.is_empty() {
        let (rest, _) = X509Certificate::from_der(der)
            .map_err(|_| "x509: malformed certificate".to_string())?;
        let used = der.len() - rest.len();
        out.push(der.get(..used).unwrap_or_default().to_vec());
        der = rest;
    }
    Ok(out)
}

fn name_value(n: &X509Name<'_>) -> Value {
    let mut country = Vec::new();
    let mut org = Vec::new();
    let mut ou = Vec::new();
    let mut locality = Vec::new();
    let mut province = Vec::new();
    let mut street = Vec::new();
    let mut postal = Vec::new();
    let mut serial = String::new();
    let mut cn = String::new();
    let mut names = Vec::new();
    for rdn in n.iter() {
        for atv in rdn.iter() {
            let val = atv
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|_| String::from_utf8_lossy(atv.attr_value().data).to_string());
            names.push(obj([
                ("Type", oid_value(atv.attr_type())),
                ("Value", Value::string(val.as_str())),
            ]));
            match atv.attr_type().to_id_string().as_str() {
                "2.5.4.6" => country.push(val),
                "2.5.4.10" => org.push(val),
                "2.5.4.11" => ou.push(val),
                "2.5.4.7" => locality.push(val),
                "2.5.4.8" => province.push(val),
                "2.5.4.9" => street.push(val),
                "2.5.4.17" => postal.push(val),
                "2.5.4.5" => serial = val,
                "2.5.4.3" => cn = val,
                _ => {}
            }
        }
    }
    let list = |v: Vec<String>| null_or(v, Value::string);
    obj([
        ("Country", list(country)),
        ("Organization", list(org)),
        ("OrganizationalUnit", list(ou)),
        ("Locality", list(locality)),
        ("Province", list(province)),
        ("StreetAddress", list(street)),
        ("PostalCode", list(postal)),
        ("SerialNumber", Value::string(serial)),
        ("CommonName", Value::string(cn)),
        ("Names", null_or(names, |x| x)),
        ("ExtraNames", Value::Null),
    ])
}

fn go_time(t: &ASN1Time) -> Value {
    let dt = t.to_datetime();
    let (y, m, d) = (dt.year(), u8::from(dt.month()), dt.day());
    let (hh, mm, ss) = (dt.hour(), dt.minute(), dt.second());
    let ns = dt.nanosecond();
    let frac = if ns == 0 {
        String::new()
    } else {
        format!(".{ns:09}").trim_end_matches('0').to_string()
    };
    Value::string(format!(
        "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}{frac}Z"
    ))
}

fn signature_algorithm(oid: &str) -> i64 {
    match oid {
        "1.2.840.113549.1.1.2" => 1,
        "1.2.840.113549.1.1.4" => 2,
        "1.2.840.113549.1.1.5" => 3,
        "1.2.840.113549.1.1.11" => 4,
        "1.2.840.113549.1.1.12" => 5,
        "1.2.840.113549.1.1.13" => 6,
        "1.2.840.10040.4.3" => 7,
        "2.16.840.1.101.3.4.3.2" => 8,
        "1.2.840.10045.4.1" => 9,
        "1.2.840.10045.4.3.2" => 10,
        "1.2.840.10045.4.3.3" => 11,
        "1.2.840.10045.4.3.4" => 12,
        "1.2.840.113549.1.1.10" => 13, // refined by the hash below
        "1.3.101.112" => 16,
        _ => 0,
    }
}

fn pss_variant(params: Option<&x509_parser::der_parser::asn1_rs::Any<'_>>) -> i64 {
    // RSASSA-PSS: the hash OID inside the parameters picks the variant.
    let Some(p) = params else { return 0 };
    let data = p.data;
    let find = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
    // id-sha256 / id-sha384 / id-sha512 OID contents
    if find(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]) {
        13
    } else if find(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02]) {
        14
    } else if find(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03]) {
        15
    } else {
        0
    }
}

fn sig_alg_value(alg: &AlgorithmIdentifier<'_>) -> Value {
    let id = alg.algorithm.to_id_string();
    let mut v = signature_algorithm(&id);
    if v == 13 {
        v = pss_variant(alg.parameters.as_ref());
    }
    Value::int(v)
}

/// Go's JSON of a public key: RSA {N, E}, ECDSA {Curve: {}, X, Y},
/// Ed25519 base64 bytes; and the `PublicKeyAlgorithm` enum.
fn public_key_value(spki: &SubjectPublicKeyInfo<'_>) -> (Value, i64) {
    match spki.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(k)) => {
            (obj([("N", big(k.modulus)), ("E", big(k.exponent))]), 1)
        }
        Ok(x509_parser::public_key::PublicKey::EC(p)) => {
            let data = p.data();
            let coord = data.len().saturating_sub(1) / 2;
            let x = data.get(1..1 + coord).unwrap_or_default();
            let y = data.get(1 + coord..).unwrap_or_default();
            (
                obj([("Curve", Value::object([])), ("X", big(x)), ("Y", big(y))]),
                3,
            )
        }
        Ok(x509_parser::public_key::PublicKey::DSA(_)) => (Value::object([]), 2),
        _ => {
            if spki.algorithm.algorithm.to_id_string() == "1.3.101.112" {
                (b64(&spki.subject_public_key.data), 4)
            } else {
                (Value::Null, 0)
            }
        }
    }
}

/// A minimal DER TLV reader for extension bodies.
fn der_items(mut data: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    while let Some((&tag, rest)) = data.split_first() {
        let Some((&l0, mut rest)) = rest.split_first() else {
            break;
        };
        let len = if l0 < 0x80 {
            usize::from(l0)
        } else {
            let n = usize::from(l0 & 0x7f);
            if n > 4 || rest.len() < n {
                break;
            }
            let (lb, r) = rest.split_at(n);
            rest = r;
            lb.iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
        };
        if rest.len() < len {
            break;
        }
        let (v, r) = rest.split_at(len);
        out.push((tag, v));
        data = r;
    }
    out
}

fn oid_arcs(content: &[u8]) -> Vec<u64> {
    let mut arcs = Vec::new();
    let mut cur: u64 = 0;
    for (i, b) in content.iter().enumerate() {
        cur = (cur << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() && i < content.len() {
                let first = if cur < 40 {
                    0
                } else if cur < 80 {
                    1
                } else {
                    2
                };
                arcs.push(first);
                arcs.push(cur - first * 40);
            } else {
                arcs.push(cur);
            }
            cur = 0;
        }
    }
    arcs
}

fn eku_code(arcs: &[u64]) -> Option<i64> {
    let s: Vec<String> = arcs.iter().map(u64::to_string).collect();
    Some(match s.join(".").as_str() {
        "2.5.29.37.0" => 0,
        "1.3.6.1.5.5.7.3.1" => 1,
        "1.3.6.1.5.5.7.3.2" => 2,
        "1.3.6.1.5.5.7.3.3" => 3,
        "1.3.6.1.5.5.7.3.4" => 4,
        "1.3.6.1.5.5.7.3.5" => 5,
        "1.3.6.1.5.5.7.3.6" => 6,
        "1.3.6.1.5.5.7.3.7" => 7,
        "1.3.6.1.5.5.7.3.8" => 8,
        "1.3.6.1.5.5.7.3.9" => 9,
        "1.3.6.1.4.1.311.10.3.3" => 10,
        "2.16.840.1.113730.4.1" => 11,
        "1.3.6.1.4.1.311.2.1.22" => 12,
        "1.3.6.1.4.1.311.61.1.1" => 13,
        _ => return None,
    })
}

fn arcs_value(arcs: &[u64]) -> Value {
    Value::array(
        arcs.iter()
            .map(|a| Value::Number(Number::from(BigInt::from(*a))))
            .collect(),
    )
}

/// Go's `url.URL` JSON for a URI SAN, plus its string form.
fn url_value(u: &str) -> Value {
    let (scheme, rest) = match u.find(':') {
        Some(i)
            if u.get(..i).is_some_and(|sc| {
                !sc.is_empty()
                    && sc.starts_with(|c: char| c.is_ascii_alphabetic())
                    && sc
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            }) =>
        {
            (
                u.get(..i).unwrap_or_default().to_ascii_lowercase(),
                u.get(i + 1..).unwrap_or_default(),
            )
        }
        _ => (String::new(), u),
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((a, b)) => (a, b.to_string()),
        None => (rest, String::new()),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((a, b)) => (a, b.to_string()),
        None => (rest, String::new()),
    };
    let mut host = String::new();
    let mut path = String::new();
    let mut opaque = String::new();
    let mut user = Value::Null;
    if let Some(auth_path) = rest.strip_prefix("//") {
        let (auth, p) = match auth_path.find('/') {
            Some(i) => (
                auth_path.get(..i).unwrap_or_default(),
                auth_path.get(i..).unwrap_or_default(),
            ),
            None => (auth_path, ""),
        };
        let h = match auth.rsplit_once('@') {
            Some((_, h)) => {
                user = Value::object([]);
                h
            }
            None => auth,
        };
        host = h.to_string();
        path = p.to_string();
    } else if !scheme.is_empty() && !rest.starts_with('/') {
        opaque = rest.to_string();
    } else {
        path = rest.to_string();
    }
    obj([
        ("Scheme", Value::string(scheme)),
        ("Opaque", Value::string(opaque)),
        ("User", user),
        ("Host", Value::string(host)),
        ("Path", Value::string(path)),
        ("RawPath", s("")),
        ("OmitHost", Value::Bool(false)),
        ("ForceQuery", Value::Bool(false)),
        ("RawQuery", Value::string(query)),
        ("Fragment", Value::string(fragment)),
        ("RawFragment", s("")),
    ])
}

/// Go's JSON of `[]*net.IPNet`: the address as text, the mask as base64.
fn ip_ranges(ranges: Vec<x509_constraints::IpRange>) -> Value {
    null_or(ranges, |(ip, mask)| {
        obj([("IP", Value::string(ip_string(&ip))), ("Mask", b64(&mask))])
    })
}

fn ip_string(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::new(
            bytes.first().copied().unwrap_or(0),
            bytes.get(1).copied().unwrap_or(0),
            bytes.get(2).copied().unwrap_or(0),
            bytes.get(3).copied().unwrap_or(0),
        )
        .to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(bytes);
            let ip = std::net::Ipv6Addr::from(a);
            match ip.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => ip.to_string(),
            }
        }
        _ => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            format!("?{hex}")
        }
    }
}

#[derive(Default)]
struct Sans {
    dns: Vec<String>,
    email: Vec<String>,
    ip: Vec<String>,
    uri: Vec<String>,
}

fn collect_sans(names: &[GeneralName<'_>], out: &mut Sans) {
    for n in names {
        match n {
            GeneralName::DNSName(d) => out.dns.push((*d).to_string()),
            GeneralName::RFC822Name(e) => out.email.push((*e).to_string()),
            GeneralName::URI(u) => out.uri.push((*u).to_string()),
            GeneralName::IPAddress(b) => out.ip.push(ip_string(b)),
            _ => {}
        }
    }
}

/// The parsed fields of a certificate's extensions, as Go exposes them.
struct ExtFields {
    fields: Vec<(&'static str, Value)>,
    sans: Sans,
    is_ca: bool,
    bc_valid: bool,
    key_usage: i64,
    ext_key_usage: Vec<i64>,
    unknown_eku: Vec<Vec<u64>>,
}

fn extensions_value(exts: &[X509Extension<'_>]) -> (Value, ExtFields) {
    let mut list = Vec::new();
    let mut f = ExtFields {
        fields: Vec::new(),
        sans: Sans::default(),
        is_ca: false,
        bc_valid: false,
        key_usage: 0,
        ext_key_usage: Vec::new(),
        unknown_eku: Vec::new(),
    };
    let mut max_path_len: i64 = 0;
    let mut max_path_len_zero = false;
    let mut skid = Value::Null;
    let mut akid = Value::Null;
    let mut ocsp = Vec::new();
    let mut issuing = Vec::new();
    let mut crl = Vec::new();
    let mut policies: Vec<Vec<u64>> = Vec::new();
    let mut unhandled = Vec::new();
    let mut constraints = NameConstraints::default();
    let mut permitted_critical = false;
    for e in exts {
        list.push(obj([
            ("Id", oid_value(&e.oid)),
            ("Critical", Value::Bool(e.critical)),
            ("Value", b64(e.value)),
        ]));
        match e.parsed_extension() {
            ParsedExtension::BasicConstraints(bc) => {
                f.bc_valid = true;
                f.is_ca = bc.ca;
                match bc.path_len_constraint {
                    Some(n) => {
                        max_path_len = i64::from(n);
                        max_path_len_zero = n == 0;
                    }
                    None => max_path_len = -1,
                }
            }
            ParsedExtension::KeyUsage(ku) => {
                // DER bit i (MSB first) is Go's 1 << i.
                let mut v: i64 = 0;
                for i in 0..9u16 {
                    if ku.flags & (1 << i) != 0 {
                        v |= 1 << i;
                    }
                }
                f.key_usage = v;
            }
            ParsedExtension::SubjectKeyIdentifier(k) => skid = b64(k.0),
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                if let Some(k) = &a.key_identifier {
                    akid = b64(k.0);
                }
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                collect_sans(&san.general_names, &mut f.sans);
            }
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for ad in aia.iter() {
                    if let GeneralName::URI(u) = ad.access_location {
                        match ad.access_method.to_id_string().as_str() {
                            "1.3.6.1.5.5.7.48.1" => ocsp.push(u.to_string()),
                            "1.3.6.1.5.5.7.48.2" => issuing.push(u.to_string()),
                            _ => {}
                        }
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                for p in points.iter() {
                    if let Some(x509_parser::extensions::DistributionPointName::FullName(names)) =
                        &p.distribution_point
                    {
                        for n in names {
                            if let GeneralName::URI(u) = n {
                                crl.push((*u).to_string());
                            }
                        }
                    }
                }
            }
            ParsedExtension::CertificatePolicies(ps) => {
                for p in ps.iter() {
                    if let Some(arcs) = p.policy_id.iter() {
                        policies.push(arcs.collect());
                    }
                }
            }
            ParsedExtension::NameConstraints(nc) => {
                permitted_critical = e.critical;
                constraints = NameConstraints::from_extension(nc);
            }
            ParsedExtension::ExtendedKeyUsage(_) => {
                for (tag, seq) in der_items(e.value) {
                    if tag != 0x30 {
                        continue;
                    }
                    for (t, oid) in der_items(seq) {
                        if t != 0x06 {
                            continue;
                        }
                        let arcs = oid_arcs(oid);
                        match eku_code(&arcs) {
                            Some(c) => f.ext_key_usage.push(c),
                            None => f.unknown_eku.push(arcs),
                        }
                    }
                }
            }
            ParsedExtension::UnsupportedExtension { .. } | ParsedExtension::ParseError { .. }
                if e.critical =>
            {
                unhandled.push(oid_value(&e.oid));
            }
            _ => {}
        }
    }
    let strs = |v: Vec<String>| null_or(v, Value::string);
    let policy_ids = null_or(policies.clone(), |a| arcs_value(&a));
    let policy_strs = null_or(policies, |a| {
        Value::string(a.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
    });
    f.fields = vec![
        ("MaxPathLen", Value::int(max_path_len)),
        ("MaxPathLenZero", Value::Bool(max_path_len_zero)),
        ("SubjectKeyId", skid),
        ("AuthorityKeyId", akid),
        ("OCSPServer", strs(ocsp)),
        ("IssuingCertificateURL", strs(issuing)),
        ("CRLDistributionPoints", strs(crl)),
        ("PolicyIdentifiers", policy_ids),
        ("Policies", policy_strs),
        ("UnhandledCriticalExtensions", null_or(unhandled, |x| x)),
        (
            "PermittedDNSDomainsCritical",
            Value::Bool(permitted_critical),
        ),
        ("PermittedDNSDomains", strs(constraints.dns.0)),
        ("ExcludedDNSDomains", strs(constraints.dns.1)),
        ("PermittedEmailAddresses", strs(constraints.email.0)),
        ("ExcludedEmailAddresses", strs(constraints.email.1)),
        ("PermittedURIDomains", strs(constraints.uri.0)),
        ("ExcludedURIDomains", strs(constraints.uri.1)),
        ("PermittedIPRanges", ip_ranges(constraints.ip.0)),
        ("ExcludedIPRanges", ip_ranges(constraints.ip.1)),
    ];
    (null_or(list, |x| x), f)
}

/// Go's JSON of an `x509.Certificate` (plus OPA's `URIStrings` when
/// `uri_strings`).
fn cert_value(der: &[u8], uri_strings: bool) -> Result<Value, String> {
    let (_, c) =
        X509Certificate::from_der(der).map_err(|_| "x509: malformed certificate".to_string())?;
    let tbs = &c.tbs_certificate;
    let (pk, pk_alg) = public_key_value(&tbs.subject_pki);
    let (exts, f) = extensions_value(tbs.extensions());
    let mut entries: Vec<(&str, Value)> = vec![
        ("Raw", b64(der)),
        ("RawTBSCertificate", b64(tbs.as_ref())),
        ("RawSubjectPublicKeyInfo", b64(tbs.subject_pki.raw)),
        ("RawSubject", b64(tbs.subject.as_raw())),
        ("RawIssuer", b64(tbs.issuer.as_raw())),
        ("Signature", b64(&c.signature_value.data)),
        ("SignatureAlgorithm", sig_alg_value(&c.signature_algorithm)),
        ("PublicKeyAlgorithm", Value::int(pk_alg)),
        ("PublicKey", pk),
        ("Version", Value::int(i64::from(tbs.version.0) + 1)),
        ("SerialNumber", {
            let b = BigInt::from_signed_bytes_be(tbs.raw_serial());
            Value::Number(Number::from(b))
        }),
        ("Issuer", name_value(&tbs.issuer)),
        ("Subject", name_value(&tbs.subject)),
        ("NotBefore", go_time(&tbs.validity.not_before)),
        ("NotAfter", go_time(&tbs.validity.not_after)),
        ("KeyUsage", Value::int(f.key_usage)),
        ("Extensions", exts),
        ("ExtraExtensions", Value::Null),
        ("ExtKeyUsage", null_or(f.ext_key_usage.clone(), Value::int)),
        (
            "UnknownExtKeyUsage",
            null_or(f.unknown_eku.clone(), |a| arcs_value(&a)),
        ),
        ("BasicConstraintsValid", Value::Bool(f.bc_valid)),
        ("IsCA", Value::Bool(f.is_ca)),
        ("DNSNames", null_or(f.sans.dns.clone(), Value::string)),
        (
            "EmailAddresses",
            null_or(f.sans.email.clone(), Value::string),
        ),
        ("IPAddresses", null_or(f.sans.ip.clone(), Value::string)),
        ("URIs", null_or(f.sans.uri.clone(), |x| url_value(&x))),
        ("InhibitAnyPolicy", Value::int(0)),
        ("InhibitAnyPolicyZero", Value::Bool(false)),
        ("InhibitPolicyMapping", Value::int(0)),
        ("InhibitPolicyMappingZero", Value::Bool(false)),
        ("RequireExplicitPolicy", Value::int(0)),
        ("RequireExplicitPolicyZero", Value::Bool(false)),
        ("PolicyMappings", Value::Null),
    ];
    entries.extend(f.fields);
    if uri_strings {
        entries.push(("URIStrings", null_or(f.sans.uri, Value::string)));
    }
    Ok(Value::object(
        entries.into_iter().map(|(k, v)| (Value::string(k), v)),
    ))
}

fn unverified() -> Value {
    Value::array(vec![Value::Bool(false), Value::array(vec![])])
}

/// `x509.VerifyOptions` as OPA reads them.
#[derive(Default)]
struct VerifyOpts {
    dns_name: Option<String>,
    current_time_ns: Option<i64>,
    key_usages: Vec<i64>,
}

fn verify_opts(o: &std::collections::BTreeMap<Value, Value>) -> Result<VerifyOpts, String> {
    let mut v = VerifyOpts::default();
    for (k, val) in o {
        let Value::String(k) = k else { continue };
        match &**k {
            "DNSName" => match val {
                Value::String(d) => v.dns_name = Some(d.trim_matches('"').to_string()),
                _ => return Err("'DNSName' should be a string".to_string()),
            },
            "CurrentTime" => match val {
                Value::Number(n) => {
                    v.current_time_ns = Some(n.as_i64().ok_or_else(|| {
                        "'CurrentTime' should be a valid int64 number".to_string()
                    })?);
                }
                _ => return Err("'CurrentTime' should be a number".to_string()),
            },
            "MaxConstraintComparisons" => match val {
                Value::Number(n) if n.as_i64().is_some() => {}
                Value::Number(_) => {
                    return Err("'MaxConstraintComparisons' should be a valid number".to_string());
                }
                _ => return Err("'MaxConstraintComparisons' should be a number".to_string()),
            },
            "KeyUsages" => {
                let items: Vec<&Value> = match val {
                    Value::Array(a) => a.iter().collect(),
                    Value::Set(s) => s.iter().collect(),
                    _ => return Err("'KeyUsages' should be an Array or Set".to_string()),
                };
                let mut invalid = Vec::new();
                for it in items {
                    if let Value::String(u) = it {
                        let u = u.trim_matches('"');
                        match key_usage_code(u) {
                            Some(c) => v.key_usages.push(c),
                            None => invalid.push(u.to_string()),
                        }
                    }
                }
                if !invalid.is_empty() {
                    return Err(format!(
                        "invalid entries for 'KeyUsages' found: [{}]",
                        invalid.join(" ")
                    ));
                }
            }
            _ => return Err("invalid key option".to_string()),
        }
    }
    Ok(v)
}

fn key_usage_code(name: &str) -> Option<i64> {
    let names = [
        "KeyUsageAny",
        "KeyUsageServerAuth",
        "KeyUsageClientAuth",
        "KeyUsageCodeSigning",
        "KeyUsageEmailProtection",
        "KeyUsageIPSECEndSystem",
        "KeyUsageIPSECTunnel",
        "KeyUsageIPSECUser",
        "KeyUsageTimeStamping",
        "KeyUsageOCSPSigning",
        "KeyUsageMicrosoftServerGatedCrypto",
        "KeyUsageNetscapeServerGatedCrypto",
        "KeyUsageMicrosoftCommercialCodeSigning",
        "KeyUsageMicrosoftKernelCodeSigning",
    ];
    names
        .iter()
        .position(|n| *n == name)
        .and_then(|p| i64::try_from(p).ok())
}

fn parse_and_verify(ctx: &EvalContext, input: &str, o: &VerifyOpts, uri_strings: bool) -> Value {
    let Ok(ders) = certs_from_string(input) else {
        return unverified();
    };
    let now = o.current_time_ns.unwrap_or_else(|| ctx.now_ns());
    match verify_chain(&ders, o, now) {
        Some(chain) => {
            let certs: Option<Vec<Value>> = chain
                .iter()
                .map(|d| cert_value(d, uri_strings).ok())
                .collect();
            match certs {
                Some(c) => Value::array(vec![Value::Bool(true), Value::array(c)]),
                None => unverified(),
            }
        }
        None => unverified(),
    }
}

/// Go's `leaf.Verify` with the first certificate as the only root and
/// the middle ones as intermediates; returns the chain leaf → root.
fn verify_chain(ders: &[Vec<u8>], o: &VerifyOpts, now_ns: i64) -> Option<Vec<Vec<u8>>> {
    if ders.len() < 2 {
        return None;
    }
    let parsed: Vec<X509Certificate<'_>> = ders
        .iter()
        .map(|d| X509Certificate::from_der(d).ok().map(|(_, c)| c))
        .collect::<Option<_>>()?;
    let root = 0usize;
    let leaf = parsed.len() - 1;
    let now = ASN1Time::from_timestamp(now_ns.div_euclid(1_000_000_000)).ok()?;
    // leaf checks
    let leaf_cert = parsed.get(leaf)?;
    if let Some(host) = &o.dns_name
        && !hostname_matches(leaf_cert, host)
    {
        return None;
    }
    // depth-first search from the leaf up to the root
    let mut chain = vec![leaf];
    if !extend(&parsed, &mut chain, root, &now) {
        return None;
    }
    // extended key usage, requested (default server auth)
    let wanted = if o.key_usages.is_empty() {
        vec![1]
    } else {
        o.key_usages.clone()
    };
    if !wanted.contains(&0) {
        let mut usages = wanted;
        for &i in chain.iter().rev() {
            let c = parsed.get(i)?;
            let e = cert_ekus(c).unwrap_or_default();
            if e.is_empty() || e.contains(&0) {
                continue;
            }
            usages.retain(|u| e.contains(u));
            if usages.is_empty() {
                return None;
            }
        }
    }
    chain.iter().map(|&i| ders.get(i).cloned()).collect()
}

fn cert_ekus(c: &X509Certificate<'_>) -> Option<Vec<i64>> {
    let ext = c
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.37")?;
    let mut out = Vec::new();
    for (tag, seq) in der_items(ext.value) {
        if tag != 0x30 {
            continue;
        }
        for (t, oid) in der_items(seq) {
            if t == 0x06 {
                out.push(eku_code(&oid_arcs(oid)).unwrap_or(-1));
            }
        }
    }
    Some(out)
}

fn time_ok(c: &X509Certificate<'_>, now: &ASN1Time) -> bool {
    c.validity().not_before <= *now && *now <= c.validity().not_after
}

fn can_sign(parent: &X509Certificate<'_>) -> bool {
    let v3 = parent.version().0 >= 2;
    let (bc_valid, is_ca) = match parent.basic_constraints() {
        Ok(Some(bc)) => (true, bc.value.ca),
        _ => (false, false),
    };
    if v3 && !(bc_valid && is_ca) {
        return false;
    }
    if let Ok(Some(ku)) = parent.key_usage()
        && ku.value.flags != 0
        && !ku.value.key_cert_sign()
    {
        return false;
    }
    true
}

fn extend(
    certs: &[X509Certificate<'_>],
    chain: &mut Vec<usize>,
    root: usize,
    now: &ASN1Time,
) -> bool {
    let Some(&cur) = chain.last() else {
        return false;
    };
    let Some(child) = certs.get(cur) else {
        return false;
    };
    if !time_ok(child, now) || chain.len() > certs.len() + 1 {
        return false;
    }
    // candidates: root first, then intermediates (not the leaf)
    let leaf = certs.len() - 1;
    let mut candidates = vec![root];
    candidates.extend((1..leaf).filter(|i| !chain.contains(i)));
    for p in candidates {
        let Some(parent) = certs.get(p) else { continue };
        if child.issuer().as_raw() != parent.subject().as_raw() {
            continue;
        }
        if !can_sign(parent) || !time_ok(parent, now) {
            continue;
        }
        if child.verify_signature(Some(parent.public_key())).is_err() {
            continue;
        }
        if p == root {
            chain.push(p);
            let certs_in_chain: Vec<&X509Certificate<'_>> =
                chain.iter().filter_map(|&i| certs.get(i)).collect();
            if x509_constraints::chain_ok(&certs_in_chain) {
                return true;
            }
            chain.pop();
            continue;
        }
        chain.push(p);
        if extend(certs, chain, root, now) {
            return true;
        }
        chain.pop();
    }
    false
}

fn hostname_matches(c: &X509Certificate<'_>, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let mut sans = Sans::default();
    if let Ok(Some(san)) = c.subject_alternative_name() {
        collect_sans(&san.value.general_names, &mut sans);
    }
    if host.parse::<std::net::IpAddr>().is_ok() || (host.starts_with('[') && host.ends_with(']')) {
        let h = host.trim_start_matches('[').trim_end_matches(']');
        return sans
            .ip
            .iter()
            .any(|ip| ip.parse::<std::net::IpAddr>().ok() == h.parse::<std::net::IpAddr>().ok());
    }
    sans.dns.iter().any(|pattern| {
        let p = pattern.trim_end_matches('.').to_ascii_lowercase();
        if let Some(suffix) = p.strip_prefix("*.") {
            match host.split_once('.') {
                Some((first, rest)) => !first.is_empty() && rest == suffix,
                None => false,
            }
        } else {
            p == host
        }
    })
}

fn csr(input: &str) -> Result<Value, String> {
    let mut bytes = input.as_bytes().to_vec();
    if !input.starts_with("-----BEGIN CERTIFICATE REQUEST-----") {
        bytes = B64STD
            .decode(input.as_bytes())
            .map_err(|e| jose::b64_error(e, input.len()))?;
    }
    if let Ok(block) = ::pem::parse(&bytes) {
        if block.tag() != "CERTIFICATE REQUEST" {
            return Err("invalid PEM-encoded certificate signing request".to_string());
        }
        bytes = block.contents().to_vec();
    }
    let (_, req) = X509CertificationRequest::from_der(&bytes)
        .map_err(|e| format!("x509: malformed certificate request: {e}"))?;
    let info = &req.certification_request_info;
    let (pk, pk_alg) = public_key_value(&info.subject_pki);
    let mut ext_list = Vec::new();
    let mut sans = Sans::default();
    let mut attrs = Vec::new();
    for attr in info.iter_attributes() {
        let mut inner = Vec::new();
        if let ParsedCriAttribute::ExtensionRequest(er) = attr.parsed_attribute() {
            let mut one = Vec::new();
            for e in &er.extensions {
                let ev = obj([("Type", oid_value(&e.oid)), ("Value", b64(e.value))]);
                one.push(ev);
                ext_list.push(obj([
                    ("Id", oid_value(&e.oid)),
                    ("Critical", Value::Bool(e.critical)),
                    ("Value", b64(e.value)),
                ]));
                if let ParsedExtension::SubjectAlternativeName(san) = e.parsed_extension() {
                    collect_sans(&san.general_names, &mut sans);
                }
            }
            inner.push(Value::array(one));
        }
        attrs.push(obj([
            ("Type", oid_value(&attr.oid)),
            ("Value", Value::array(inner)),
        ]));
    }
    let raw_tbs = info.raw;
    let entries: Vec<(&str, Value)> = vec![
        ("Raw", b64(&bytes)),
        ("RawTBSCertificateRequest", b64(raw_tbs)),
        ("RawSubjectPublicKeyInfo", b64(info.subject_pki.raw)),
        ("RawSubject", b64(info.subject.as_raw())),
        ("Version", Value::int(i64::from(info.version.0))),
        ("Signature", b64(&req.signature_value.data)),
        (
            "SignatureAlgorithm",
            sig_alg_value(&req.signature_algorithm),
        ),
        ("PublicKeyAlgorithm", Value::int(pk_alg)),
        ("PublicKey", pk),
        ("Subject", name_value(&info.subject)),
        ("Attributes", null_or(attrs, |x| x)),
        ("Extensions", null_or(ext_list, |x| x)),
        ("ExtraExtensions", Value::Null),
        ("DNSNames", null_or(sans.dns, Value::string)),
        ("EmailAddresses", null_or(sans.email, Value::string)),
        ("IPAddresses", null_or(sans.ip, Value::string)),
        ("URIs", null_or(sans.uri, |x| url_value(&x))),
    ];
    Ok(Value::object(
        entries.into_iter().map(|(k, v)| (Value::string(k), v)),
    ))
}

/// A private key as Go parses it.
enum PrivKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ec(EcKey),
    Ed(Box<ed25519_dalek::SigningKey>),
}

enum EcKey {
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
}

fn parse_pkcs8(der: &[u8]) -> Result<PrivKey, String> {
    use rsa::pkcs8::DecodePrivateKey;
    if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
        return Ok(PrivKey::Rsa(Box::new(k)));
    }
    if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
        return Ok(PrivKey::Ec(EcKey::P256(k)));
    }
    if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
        return Ok(PrivKey::Ec(EcKey::P384(k)));
    }
    if let Ok(k) = p521::SecretKey::from_pkcs8_der(der) {
        return Ok(PrivKey::Ec(EcKey::P521(k)));
    }
    if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
        return Ok(PrivKey::Ed(Box::new(k)));
    }
    Err(
        "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)"
            .to_string(),
    )
}

fn parse_sec1(der: &[u8]) -> Result<PrivKey, String> {
    if let Ok(k) = p256::SecretKey::from_sec1_der(der) {
        return Ok(PrivKey::Ec(EcKey::P256(k)));
    }
    if let Ok(k) = p384::SecretKey::from_sec1_der(der) {
        return Ok(PrivKey::Ec(EcKey::P384(k)));
    }
    if let Ok(k) = p521::SecretKey::from_sec1_der(der) {
        return Ok(PrivKey::Ec(EcKey::P521(k)));
    }
    Err("x509: failed to parse EC private key".to_string())
}

fn parse_pkcs1(der: &[u8]) -> Result<PrivKey, String> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    rsa::RsaPrivateKey::from_pkcs1_der(der)
        .map(|k| PrivKey::Rsa(Box::new(k)))
        .map_err(|_| {
            "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)"
                .to_string()
        })
}

/// Go's `getPrivateKeysFromPEMData`.
fn private_keys(input: &str) -> Result<Vec<PrivKey>, String> {
    let text = match B64STD.decode(input.as_bytes()) {
        Ok(b) => String::from_utf8_lossy(&b).to_string(),
        Err(_) => input.to_string(),
    };
    let mut out = Vec::new();
    for block in ::pem::parse_many(text.as_bytes()).unwrap_or_default() {
        match block.tag() {
            "RSA PRIVATE KEY" => out.push(parse_pkcs1(block.contents())?),
            "PRIVATE KEY" => out.push(parse_pkcs8(block.contents())?),
            "EC PRIVATE KEY" => out.push(parse_sec1(block.contents())?),
            _ => {}
        }
    }
    Ok(out)
}

fn ec_value(d: &[u8], point: &[u8]) -> Value {
    let coord = point.len().saturating_sub(1) / 2;
    obj([
        ("Curve", Value::object([])),
        ("X", big(point.get(1..1 + coord).unwrap_or_default())),
        ("Y", big(point.get(1 + coord..).unwrap_or_default())),
        ("D", big(d)),
    ])
}

/// Go's JSON of a private key (`rsa.PrivateKey`, `ecdsa.PrivateKey`,
/// `ed25519.PrivateKey`).
fn go_private_key(k: &PrivKey) -> Value {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    match k {
        PrivKey::Rsa(k) => {
            let mut k = (**k).clone();
            let _ = k.precompute();
            let (dp, dq, qinv) = match (k.dp(), k.dq(), k.qinv()) {
                (Some(dp), Some(dq), Some(qi)) => (bigu(dp), bigu(dq), big(&qi.to_bytes_be().1)),
                _ => (Value::Null, Value::Null, Value::Null),
            };
            obj([
                ("N", bigu(k.n())),
                ("E", bigu(k.e())),
                ("D", bigu(k.d())),
                (
                    "Primes",
                    Value::array(k.primes().iter().map(bigu).collect()),
                ),
                (
                    "Precomputed",
                    obj([
                        ("Dp", dp),
                        ("Dq", dq),
                        ("Qinv", qinv),
                        ("CRTValues", Value::array(vec![])),
                    ]),
                ),
            ])
        }
        PrivKey::Ec(EcKey::P256(k)) => ec_value(
            &k.to_bytes(),
            p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&k.public_key(), false)
                .as_bytes(),
        ),
        PrivKey::Ec(EcKey::P384(k)) => ec_value(
            &k.to_bytes(),
            p384::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&k.public_key(), false)
                .as_bytes(),
        ),
        PrivKey::Ec(EcKey::P521(k)) => ec_value(
            &k.to_bytes(),
            p521::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&k.public_key(), false)
                .as_bytes(),
        ),
        PrivKey::Ed(k) => b64(&k.to_keypair_bytes()),
    }
}

/// `crypto.x509.parse_rsa_private_key`: the first private key as a JWK.
fn rsa_private_key_jwk(input: &str) -> Result<Value, String> {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    if input.is_empty() {
        return Err("input PEM data was empty".to_string());
    }
    let text = if input.starts_with("-----BEGIN") {
        input.to_string()
    } else {
        let b = B64STD
            .decode(input.as_bytes())
            .map_err(|e| jose::b64_error(e, input.len()))?;
        String::from_utf8_lossy(&b).to_string()
    };
    let keys = private_keys(&text)?;
    let Some(first) = keys.first() else {
        return Ok(Value::Null);
    };
    let u = |n: &rsa::BigUint| Value::string(B64URL.encode(n.to_bytes_be()));
    Ok(match first {
        PrivKey::Rsa(k) => {
            let mut k = (**k).clone();
            let _ = k.precompute();
            let mut e = vec![
                ("kty", s("RSA")),
                ("n", u(k.n())),
                ("e", u(k.e())),
                ("d", u(k.d())),
            ];
            if let [p, q, ..] = k.primes() {
                e.push(("p", u(p)));
                e.push(("q", u(q)));
            }
            if let (Some(dp), Some(dq), Some(qi)) = (k.dp(), k.dq(), k.qinv()) {
                e.push(("dp", u(dp)));
                e.push(("dq", u(dq)));
                let (_, qb) = qi.to_bytes_be();
                e.push(("qi", Value::string(B64URL.encode(qb))));
            }
            Value::object(e.into_iter().map(|(k, v)| (s(k), v)))
        }
        PrivKey::Ec(ec) => {
            let (crv, d, point, size) = match ec {
                EcKey::P256(k) => (
                    "P-256",
                    k.to_bytes().to_vec(),
                    p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                        &k.public_key(),
                        false,
                    )
                    .as_bytes()
                    .to_vec(),
                    32,
                ),
                EcKey::P384(k) => (
                    "P-384",
                    k.to_bytes().to_vec(),
                    p384::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                        &k.public_key(),
                        false,
                    )
                    .as_bytes()
                    .to_vec(),
                    48,
                ),
                EcKey::P521(k) => (
                    "P-521",
                    k.to_bytes().to_vec(),
                    p521::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                        &k.public_key(),
                        false,
                    )
                    .as_bytes()
                    .to_vec(),
                    66,
                ),
            };
            let x = point.get(1..1 + size).unwrap_or_default();
            let y = point.get(1 + size..).unwrap_or_default();
            obj([
                ("kty", s("EC")),
                ("crv", s(crv)),
                ("x", Value::string(B64URL.encode(x))),
                ("y", Value::string(B64URL.encode(y))),
                ("d", Value::string(B64URL.encode(d))),
            ])
        }
        PrivKey::Ed(k) => obj([
            ("kty", s("OKP")),
            ("crv", s("Ed25519")),
            (
                "x",
                Value::string(B64URL.encode(k.verifying_key().as_bytes())),
            ),
            ("d", Value::string(B64URL.encode(k.to_bytes()))),
        ]),
    })
}

fn keypair(cert: &str, key: &str) -> Result<Value, String> {
    let decode = |t: &str| -> Result<Vec<u8>, String> {
        if t.starts_with("-----BEGIN ") {
            Ok(t.as_bytes().to_vec())
        } else {
            B64STD
                .decode(t.as_bytes())
                .map_err(|e| jose::b64_error(e, t.len()))
        }
    };
    let cert_bytes = decode(cert)?;
    let key_bytes = decode(key)?;
    let cert_ders = if cert_bytes.starts_with(b"-----BEGIN ") {
        let blocks = ::pem::parse_many(&cert_bytes).unwrap_or_default();
        let ders: Vec<Vec<u8>> = blocks
            .iter()
            .filter(|b| b.tag() == "CERTIFICATE")
            .map(|b| b.contents().to_vec())
            .collect();
        if ders.is_empty() {
            return Err("tls: failed to find any PEM data in certificate input".to_string());
        }
        ders
    } else {
        vec![cert_bytes]
    };
    let priv_key = if key_bytes.starts_with(b"-----BEGIN") {
        let blocks = ::pem::parse_many(&key_bytes).unwrap_or_default();
        let block = blocks
            .iter()
            .find(|b| b.tag() == "PRIVATE KEY" || b.tag().ends_with(" PRIVATE KEY"))
            .ok_or_else(|| "tls: failed to find any PEM data in key input".to_string())?;
        parse_tls_key(block.contents())?
    } else {
        parse_tls_key(&key_bytes)?
    };
    let leaf_der = cert_ders
        .first()
        .ok_or_else(|| "tls: failed to find any PEM data in certificate input".to_string())?;
    let leaf = cert_value(leaf_der, false)?;
    check_key_matches(leaf_der, &priv_key)?;
    Ok(obj([
        (
            "Certificate",
            Value::array(cert_ders.iter().map(|d| b64(d)).collect()),
        ),
        ("PrivateKey", go_private_key(&priv_key)),
        ("SupportedSignatureAlgorithms", Value::Null),
        ("OCSPStaple", Value::Null),
        ("SignedCertificateTimestamps", Value::Null),
        ("Leaf", leaf),
    ]))
}

fn parse_tls_key(der: &[u8]) -> Result<PrivKey, String> {
    parse_pkcs1(der)
        .or_else(|_| parse_pkcs8(der))
        .or_else(|_| parse_sec1(der))
        .map_err(|_| "tls: failed to parse private key".to_string())
}

fn check_key_matches(cert_der: &[u8], key: &PrivKey) -> Result<(), String> {
    use rsa::traits::PublicKeyParts;
    let (_, c) = X509Certificate::from_der(cert_der)
        .map_err(|_| "x509: malformed certificate".to_string())?;
    let pk = jose::parse_spki_der(c.tbs_certificate.subject_pki.raw);
    let ok = match (pk, key) {
        (Ok(jose::Key::RsaPub(p)), PrivKey::Rsa(k)) => p.n() == k.n() && p.e() == k.e(),
        (Ok(jose::Key::EcPub(jose::EcPub::P256(p))), PrivKey::Ec(EcKey::P256(k))) => {
            p == k.public_key()
        }
        (Ok(jose::Key::EcPub(jose::EcPub::P384(p))), PrivKey::Ec(EcKey::P384(k))) => {
            p == k.public_key()
        }
        (Ok(jose::Key::EcPub(jose::EcPub::P521(p))), PrivKey::Ec(EcKey::P521(k))) => {
            p == k.public_key()
        }
        (Ok(jose::Key::EdPub(p)), PrivKey::Ed(k)) => p == k.verifying_key(),
        (Ok(jose::Key::RsaPub(_)), _) => {
            return Err("tls: private key type does not match public key type".to_string());
        }
        (Ok(jose::Key::EcPub(_)), _) => {
            return Err("tls: private key type does not match public key type".to_string());
        }
        _ => return Err("tls: unknown public key algorithm".to_string()),
    };
    if ok {
        Ok(())
    } else {
        Err("tls: private key does not match public key".to_string())
    }
}
