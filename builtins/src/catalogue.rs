//! OPA's builtin catalogue, and how this runtime serves each entry.
//!
//! The catalogue is OPA v1.20.2's own list of builtins with their type
//! declarations (`data/opa-builtins.json`, extracted from the OPA library
//! by `compat-tests/oracle/catalogue.py` and checked against it). With the
//! list of builtins OPA's Wasm compiler leaves to the host
//! ([`WASM_HOST_BUILTINS`]) and a [`Registry`], it answers, for every
//! builtin, where a policy gets it from:
//!
//! - on the Wasm path: inside the module, or from the host registry;
//! - on the Rego path: the host registry, regorus itself, or nowhere.
//!
//! [`capabilities_document`] turns that into OPA's capabilities format, so
//! that `opa build --capabilities` rejects a policy this runtime cannot
//! serve at build time.

use crate::fallback::regorus_builtins;
use crate::{Registry, Served};
use serde::Deserialize;
use serde_json::{Value as Json, json};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::OnceLock;

/// The OPA release the catalogue describes.
pub const OPA_VERSION: &str = "1.20.2";

/// The builtins OPA v1.20.2's Wasm compiler does not implement inside the
/// module: a module lists those it calls in its `builtins` export and the
/// host serves them through `opa_builtin0..4`. Every other catalogue entry
/// is compiled into the module (or rewritten away at compile time).
pub const WASM_HOST_BUILTINS: [&str; 105] = [
    "base64url.encode_no_pad",
    "cast_array",
    "cast_boolean",
    "cast_null",
    "cast_object",
    "cast_set",
    "cast_string",
    "crypto.hmac.equal",
    "crypto.hmac.md5",
    "crypto.hmac.sha1",
    "crypto.hmac.sha256",
    "crypto.hmac.sha512",
    "crypto.md5",
    "crypto.parse_private_keys",
    "crypto.sha1",
    "crypto.sha256",
    "crypto.x509.parse_and_verify_certificates",
    "crypto.x509.parse_and_verify_certificates_with_options",
    "crypto.x509.parse_certificate_request",
    "crypto.x509.parse_certificates",
    "crypto.x509.parse_keypair",
    "crypto.x509.parse_rsa_private_key",
    "glob.quote_meta",
    "graph.reachable_paths",
    "graphql.is_valid",
    "graphql.parse",
    "graphql.parse_and_verify",
    "graphql.parse_query",
    "graphql.parse_schema",
    "graphql.schema_is_valid",
    "hex.decode",
    "hex.encode",
    "http.send",
    "indexof_n",
    "internal.print",
    "internal.test_case",
    "io.jwt.decode",
    "io.jwt.decode_verify",
    "io.jwt.encode_sign",
    "io.jwt.encode_sign_raw",
    "io.jwt.verify_eddsa",
    "io.jwt.verify_es256",
    "io.jwt.verify_es384",
    "io.jwt.verify_es512",
    "io.jwt.verify_hs256",
    "io.jwt.verify_hs384",
    "io.jwt.verify_hs512",
    "io.jwt.verify_ps256",
    "io.jwt.verify_ps384",
    "io.jwt.verify_ps512",
    "io.jwt.verify_rs256",
    "io.jwt.verify_rs384",
    "io.jwt.verify_rs512",
    "json.marshal_with_options",
    "json.match_schema",
    "json.patch",
    "json.verify_schema",
    "net.cidr_contains_matches",
    "net.cidr_expand",
    "net.cidr_is_valid",
    "net.cidr_merge",
    "net.lookup_ip_addr",
    "numbers.range_step",
    "object.subset",
    "opa.runtime",
    "providers.aws.sign_req",
    "rand.intn",
    "regex.find_n",
    "regex.globs_match",
    "regex.replace",
    "regex.split",
    "regex.template_match",
    "rego.parse_module",
    "semver.compare",
    "semver.is_valid",
    "sprintf",
    "strings.any_prefix_match",
    "strings.any_suffix_match",
    "strings.count",
    "strings.render_template",
    "strings.split_n",
    "time.add_date",
    "time.clock",
    "time.date",
    "time.diff",
    "time.format",
    "time.now_ns",
    "time.parse_duration_ns",
    "time.parse_ns",
    "time.parse_rfc3339_ns",
    "time.weekday",
    "trace",
    "units.parse",
    "units.parse_bytes",
    "uri.is_valid",
    "uri.parse",
    "urlquery.decode",
    "urlquery.decode_object",
    "urlquery.encode",
    "urlquery.encode_object",
    "uuid.parse",
    "uuid.rfc4122",
    "yaml.is_valid",
    "yaml.marshal",
    "yaml.unmarshal",
];

/// Builtins the Rego path gets from regorus's interpreter itself (syntax,
/// operators, compile-time rewrites), not from its builtin table.
const REGO_INTERPRETER: [&str; 4] = [
    "print",
    "internal.print",
    "internal.member_2",
    "internal.member_3",
];

/// The Wasm ABI versions (major, minor) this runtime's host accepts.
pub const WASM_ABI_VERSIONS: [(u32, u32); 4] = [(1, 0), (1, 1), (1, 2), (1, 3)];

/// Errors reading the embedded catalogue.
#[derive(Debug, thiserror::Error)]
#[error("the embedded OPA builtin catalogue is malformed: {0}")]
pub struct CatalogueError(String);

/// One builtin of OPA's catalogue, as OPA's capabilities format has it.
#[derive(Debug, Clone, Deserialize)]
pub struct OpaBuiltin {
    /// The builtin's name, e.g. `sprintf`.
    pub name: String,
    /// OPA's type declaration (`{"type": "function", "args": [...], ...}`).
    pub decl: Json,
    /// The operator spelling of infix builtins (`+`, `==`, ...).
    #[serde(default)]
    pub infix: Option<String>,
    /// Deprecated in OPA (rejected by Rego v1's compiler).
    #[serde(default)]
    pub deprecated: bool,
    /// Non-deterministic (`time.now_ns`, `http.send`, ...).
    #[serde(default)]
    pub nondeterministic: bool,
    /// A relation (may bind several outputs, e.g. `walk`).
    #[serde(default)]
    pub relation: bool,
}

impl OpaBuiltin {
    /// Number of declared arguments (a variadic builtin counts 0).
    pub fn arity(&self) -> usize {
        self.decl
            .get("args")
            .and_then(Json::as_array)
            .map_or(0, Vec::len)
    }

    /// The entry in OPA's capabilities format.
    pub fn to_capability(&self) -> Json {
        let mut entry = json!({ "name": self.name, "decl": self.decl });
        if let Some(obj) = entry.as_object_mut() {
            if let Some(infix) = &self.infix {
                obj.insert("infix".into(), json!(infix));
            }
            for (flag, on) in [
                ("deprecated", self.deprecated),
                ("nondeterministic", self.nondeterministic),
                ("relation", self.relation),
            ] {
                if on {
                    obj.insert(flag.into(), json!(true));
                }
            }
        }
        entry
    }
}

/// OPA's builtin catalogue: builtins, language features and ABI versions.
#[derive(Debug, Clone, Deserialize)]
pub struct Catalogue {
    /// The OPA release it describes.
    pub opa_version: String,
    /// Every builtin, by name.
    pub builtins: Vec<OpaBuiltin>,
    /// OPA's language feature flags (`rego_v1`, ...).
    #[serde(default)]
    pub features: Vec<String>,
}

static CATALOGUE: OnceLock<Result<Catalogue, String>> = OnceLock::new();

/// The catalogue embedded in this crate (parsed once).
pub fn opa_catalogue() -> Result<&'static Catalogue, CatalogueError> {
    CATALOGUE
        .get_or_init(|| {
            serde_json::from_str(include_str!("../data/opa-builtins.json"))
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| CatalogueError(e.clone()))
}

/// Where the Wasm path gets a builtin from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WasmServing {
    /// Compiled into the module by OPA.
    InModule,
    /// Served by the host registry.
    Host(Served),
    /// Left to the host, and the registry does not serve it.
    NotAvailable,
}

impl fmt::Display for WasmServing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WasmServing::InModule => f.write_str("native in Wasm"),
            WasmServing::Host(s) => s.fmt(f),
            WasmServing::NotAvailable => f.write_str("not available"),
        }
    }
}

/// Where the Rego (regorus) path gets a builtin from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RegoServing {
    /// The host registry, registered into regorus as an extension (it
    /// overrides regorus's own implementation).
    Host(Served),
    /// regorus's builtin table.
    Regorus,
    /// The regorus interpreter itself (operators, `print`, ...).
    Interpreter,
    /// Not available on the Rego path.
    NotAvailable,
}

impl fmt::Display for RegoServing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegoServing::Host(s) => s.fmt(f),
            RegoServing::Regorus => f.write_str("regorus"),
            RegoServing::Interpreter => f.write_str("regorus (language)"),
            RegoServing::NotAvailable => f.write_str("not available"),
        }
    }
}

/// One catalogue builtin and how each path serves it.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// The catalogue entry.
    pub builtin: OpaBuiltin,
    /// On the Wasm path.
    pub wasm: WasmServing,
    /// On the Rego path.
    pub rego: RegoServing,
}

/// How `registry` serves every builtin of the catalogue, by name.
pub fn coverage(registry: &Registry) -> Result<Vec<Coverage>, CatalogueError> {
    let catalogue = opa_catalogue()?;
    let host: BTreeSet<&str> = WASM_HOST_BUILTINS.into_iter().collect();
    let regorus: BTreeSet<&str> = regorus_builtins().into_iter().map(|(n, _)| n).collect();
    Ok(catalogue
        .builtins
        .iter()
        .map(|b| {
            let served = registry.get(&b.name).map(|r| r.served());
            let wasm = match (host.contains(b.name.as_str()), served) {
                (false, _) => WasmServing::InModule,
                (true, Some(s)) => WasmServing::Host(s),
                (true, None) => WasmServing::NotAvailable,
            };
            let rego = match served {
                Some(s) if s != Served::RegorusFallback => RegoServing::Host(s),
                _ if regorus.contains(b.name.as_str()) => RegoServing::Regorus,
                _ if b.infix.is_some() || REGO_INTERPRETER.contains(&b.name.as_str()) => {
                    RegoServing::Interpreter
                }
                _ => RegoServing::NotAvailable,
            };
            Coverage {
                builtin: b.clone(),
                wasm,
                rego,
            }
        })
        .collect())
}

/// OPA's capabilities document for the Wasm path of this runtime: every
/// catalogue builtin compiled into modules or served by `registry`
/// (capability-gated ones only with `include_gated`), the ABI versions the
/// host accepts, and OPA's language features. Pass it to
/// `opa build -t wasm --capabilities` to reject, at build time, a policy
/// that calls a builtin this runtime cannot serve.
pub fn capabilities_document(
    registry: &Registry,
    include_gated: bool,
) -> Result<Json, CatalogueError> {
    let catalogue = opa_catalogue()?;
    let builtins: Vec<Json> = coverage(registry)?
        .into_iter()
        .filter(|c| match c.wasm {
            WasmServing::InModule => true,
            WasmServing::Host(Served::Gated) => include_gated,
            WasmServing::Host(_) => true,
            WasmServing::NotAvailable => false,
        })
        .map(|c| c.builtin.to_capability())
        .collect();
    let abi: Vec<Json> = WASM_ABI_VERSIONS
        .iter()
        .map(|(major, minor)| json!({ "version": major, "minor_version": minor }))
        .collect();
    Ok(json!({
        "builtins": builtins,
        "features": catalogue.features,
        "wasm_abi_versions": abi,
    }))
}
