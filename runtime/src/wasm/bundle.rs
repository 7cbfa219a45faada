//! Reading OPA bundles (`.tar.gz`): Wasm modules, data files, manifest.

use super::BundleError;
use regowasm_builtins::Value;
use std::collections::BTreeMap;
use std::io::Read;

/// One `wasm` entry of a bundle manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct WasmEntry {
    /// The entrypoint (`a/b`).
    pub entrypoint: String,
    /// The module path inside the bundle (`/policy.wasm`).
    pub module: String,
}

/// The parts of a bundle `.manifest` the runtime uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct Manifest {
    /// The bundle revision.
    #[serde(default)]
    pub revision: String,
    /// The data/policy roots the bundle owns (`None`: everything).
    #[serde(default)]
    pub roots: Option<Vec<String>>,
    /// The Rego version the bundle was built for (0 or 1).
    #[serde(default)]
    pub rego_version: Option<i64>,
    /// Wasm modules and the entrypoints they serve.
    #[serde(default)]
    pub wasm: Vec<WasmEntry>,
    /// Per-file Rego versions (`/path/x.rego` → 0 or 1), overriding
    /// `rego_version`.
    #[serde(default)]
    pub file_rego_versions: BTreeMap<String, i64>,
}

/// A bundle read into memory.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The manifest, when the bundle has one.
    pub manifest: Option<Manifest>,
    /// Wasm modules by normalised path (`policy.wasm`), in path order.
    pub modules: BTreeMap<String, Vec<u8>>,
    /// Rego source files by normalised path (`x/policy.rego`).
    pub rego: BTreeMap<String, String>,
    /// The merged data document.
    pub data: Value,
}

/// Size limits for reading bundles.
#[derive(Debug, Clone, Copy)]
pub struct BundleLimits {
    /// Largest allowed member (unpacked). Default: 256 MiB.
    pub max_member_bytes: u64,
    /// Largest allowed total unpacked size. Default: 1 GiB.
    pub max_total_bytes: u64,
}

impl Default for BundleLimits {
    fn default() -> Self {
        BundleLimits {
            max_member_bytes: 256 << 20,
            max_total_bytes: 1 << 30,
        }
    }
}

/// Normalise a member path: strip leading `/` and `./`, drop `.`
/// components; reject `..`, backslashes and NULs.
pub fn normalize_path(raw: &str) -> Result<Vec<String>, BundleError> {
    let unsafe_path = || BundleError::PathTraversal {
        path: raw.to_string(),
    };
    if raw.contains('\\') || raw.contains('\0') {
        return Err(unsafe_path());
    }
    let mut parts = Vec::new();
    for comp in raw.split('/') {
        match comp {
            "" | "." => {}
            ".." => return Err(unsafe_path()),
            c => parts.push(c.to_string()),
        }
    }
    Ok(parts)
}

/// Read a `.tar.gz` OPA bundle.
pub fn read_bundle(bytes: &[u8], limits: BundleLimits) -> Result<Bundle, BundleError> {
    let gz = flate2::read::GzDecoder::new(bytes);
    let mut archive = tar::Archive::new(gz);
    let entries = archive
        .entries()
        .map_err(|e| BundleError::Archive(e.to_string()))?;
    let mut total: u64 = 0;
    let mut manifest = None;
    let mut modules = BTreeMap::new();
    let mut rego = BTreeMap::new();
    let mut data_files: Vec<(Vec<String>, String, Value)> = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| BundleError::Archive(e.to_string()))?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let parts = normalize_path(&raw)?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if !(kind.is_file() || kind.is_contiguous()) {
            return Err(BundleError::NotAFile { path: raw });
        }
        let declared = entry.header().size().unwrap_or(0);
        if declared > limits.max_member_bytes {
            return Err(BundleError::MemberTooLarge {
                path: raw,
                limit: limits.max_member_bytes,
            });
        }
        let mut buf = Vec::new();
        (&mut entry)
            .take(limits.max_member_bytes + 1)
            .read_to_end(&mut buf)
            .map_err(|e| BundleError::Archive(format!("reading {raw:?}: {e}")))?;
        if buf.len() as u64 > limits.max_member_bytes {
            return Err(BundleError::MemberTooLarge {
                path: raw,
                limit: limits.max_member_bytes,
            });
        }
        total = total.saturating_add(buf.len() as u64);
        if total > limits.max_total_bytes {
            return Err(BundleError::TooLarge {
                limit: limits.max_total_bytes,
            });
        }
        let Some((file, dir)) = parts.split_last() else {
            continue;
        };
        let joined = parts.join("/");
        match file.as_str() {
            ".manifest" if dir.is_empty() => {
                let m: Manifest = serde_json::from_slice(&buf)
                    .map_err(|e| BundleError::Manifest(e.to_string()))?;
                manifest = Some(m);
            }
            "data.json" => {
                let text = std::str::from_utf8(&buf).map_err(|e| BundleError::Data {
                    path: joined.clone(),
                    message: e.to_string(),
                })?;
                let v = Value::from_json_str(text).map_err(|e| BundleError::Data {
                    path: joined.clone(),
                    message: e.to_string(),
                })?;
                data_files.push((dir.to_vec(), joined, v));
            }
            "data.yaml" | "data.yml" => {
                let y: serde_json::Value =
                    serde_yaml::from_slice(&buf).map_err(|e| BundleError::Data {
                        path: joined.clone(),
                        message: e.to_string(),
                    })?;
                data_files.push((dir.to_vec(), joined, Value::from_serde(&y)));
            }
            f if f.ends_with(".wasm") => {
                modules.insert(joined, buf);
            }
            f if f.ends_with(".rego") => {
                let text = String::from_utf8(buf).map_err(|e| BundleError::Data {
                    path: joined.clone(),
                    message: format!("Rego source is not UTF-8: {e}"),
                })?;
                rego.insert(joined, text);
            }
            _ => {}
        }
    }
    // Shallow paths first, so deeper files merge into what is above them.
    data_files.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.1.cmp(&b.1)));
    let mut data = Value::object(Vec::new());
    for (dir, path, v) in data_files {
        data = merge_at(&data, &dir, v).map_err(|message| BundleError::DataConflict {
            path: if path.is_empty() { "/".into() } else { path },
            message,
        })?;
    }
    Ok(Bundle {
        manifest,
        modules,
        rego,
        data,
    })
}

/// Deep-merge `doc` into `base` at `path`. Objects merge key by key; any
/// other clash is an error.
pub fn merge_at(base: &Value, path: &[String], doc: Value) -> Result<Value, String> {
    match path.split_first() {
        None => merge(base, doc),
        Some((head, rest)) => {
            let Value::Object(map) = base else {
                return Err(format!("{head:?} is under a non-object value"));
            };
            let key = Value::string(head.as_str());
            let child = map
                .get(&key)
                .cloned()
                .unwrap_or_else(|| Value::object(Vec::new()));
            let merged = merge_at(&child, rest, doc)?;
            let mut out = (**map).clone();
            out.insert(key, merged);
            Ok(Value::Object(std::sync::Arc::new(out)))
        }
    }
}

fn merge(base: &Value, doc: Value) -> Result<Value, String> {
    match (base, doc) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = (**a).clone();
            for (k, v) in b.iter() {
                let merged = match out.get(k) {
                    Some(existing) => {
                        merge(existing, v.clone()).map_err(|e| format!("key {k}: {e}"))?
                    }
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Ok(Value::Object(std::sync::Arc::new(out)))
        }
        (Value::Object(a), doc) if a.is_empty() => Ok(doc),
        (_, doc) => Err(format!(
            "cannot merge {} into existing value",
            doc.type_name()
        )),
    }
}

/// Parse YAML text into JSON (for data files).
pub fn yaml_to_json(text: &str) -> Result<serde_json::Value, BundleError> {
    serde_yaml::from_str(text).map_err(|e| BundleError::Data {
        path: String::new(),
        message: e.to_string(),
    })
}
