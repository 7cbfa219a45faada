//! Loading OPA compliance YAML files.

use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// An error loading the corpus.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file is not a valid compliance YAML document.
    #[error("{path}: {message}")]
    Format {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Which Rego syntax a case's modules use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RegoVersion {
    /// Pre-1.0 syntax (files under a `v0/` directory).
    V0,
    /// Rego v1.
    V1,
}

/// One compliance case.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file, relative to the corpus root (`/`-separated).
    pub file: String,
    /// The folder used for reporting: `<top>/<folder>`, e.g. `v1/sets`.
    pub folder: String,
    /// Position of the case in its file.
    pub index: usize,
    /// The case's note.
    pub note: String,
    /// The query.
    pub query: String,
    /// Module sources (named `test-<i>.rego` when loaded).
    pub modules: Vec<String>,
    /// The base data document (`{}` when absent or null).
    pub data: Json,
    /// The input document as YAML/JSON.
    pub input: Option<Json>,
    /// The input document as a Rego term.
    pub input_term: Option<String>,
    /// The expected solutions.
    pub want_result: Option<Vec<serde_json::Map<String, Json>>>,
    /// Expect only definedness.
    pub want_defined: Option<bool>,
    /// Expected error message fragment.
    pub want_error: Option<String>,
    /// Expected error code.
    pub want_error_code: Option<String>,
    /// Strict builtin errors.
    pub strict_error: bool,
    /// Compare array values of bindings without regard to order.
    pub sort_bindings: bool,
    /// Marked skip upstream.
    pub skip: bool,
    /// Environment variables the case needs (unsupported: such cases skip).
    pub env: Option<Json>,
    /// Leave compiler-generated variables (`__…__`) out of the comparison.
    pub ignore_generated_vars: bool,
    /// Rego syntax version.
    pub version: RegoVersion,
}

impl Case {
    /// A stable id: `<file>#<index>`.
    pub fn id(&self) -> String {
        format!("{}#{}", self.file, self.index)
    }

    /// Module file names and sources as OPA's harness names them.
    pub fn named_modules(&self) -> Vec<(String, String)> {
        self.modules
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("test-{i}.rego"), m.clone()))
            .collect()
    }
}

/// Convert YAML to JSON; non-string map keys become their text.
pub fn yaml_to_json(v: &serde_yaml::Value) -> Json {
    match v {
        serde_yaml::Value::Null => Json::Null,
        serde_yaml::Value::Bool(b) => Json::Bool(*b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Json::Number)
                    .unwrap_or(Json::Null)
            }
        }
        serde_yaml::Value::String(s) => Json::String(s.clone()),
        serde_yaml::Value::Sequence(items) => Json::Array(items.iter().map(yaml_to_json).collect()),
        serde_yaml::Value::Mapping(m) => Json::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match k {
                        serde_yaml::Value::String(s) => s.clone(),
                        other => match yaml_to_json(other) {
                            Json::String(s) => s,
                            j => j.to_string(),
                        },
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        serde_yaml::Value::Tagged(t) => yaml_to_json(&t.value),
    }
}

fn get_str(case: &serde_yaml::Mapping, key: &str) -> Option<String> {
    case.get(key).and_then(|v| v.as_str()).map(str::to_string)
}

/// A flag: `true`, or a non-empty string (a reason), counts as set.
fn get_bool(case: &serde_yaml::Mapping, key: &str) -> bool {
    match case.get(key) {
        Some(serde_yaml::Value::Bool(b)) => *b,
        Some(serde_yaml::Value::String(s)) => !s.is_empty(),
        _ => false,
    }
}

/// Parse one compliance file's text. `file` is its corpus-relative path.
pub fn parse_file(file: &str, text: &str) -> Result<Vec<Case>, String> {
    let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    let cases = doc
        .get("cases")
        .and_then(|c| c.as_sequence())
        .ok_or("no `cases` list")?;
    let parts: Vec<&str> = file.split('/').collect();
    let folder = match parts.as_slice() {
        [top, folder, _, ..] => format!("{top}/{folder}"),
        [folder, _] => (*folder).to_string(),
        _ => ".".to_string(),
    };
    let version = if parts.first() == Some(&"v0") {
        RegoVersion::V0
    } else {
        RegoVersion::V1
    };
    let mut out = Vec::with_capacity(cases.len());
    for (index, c) in cases.iter().enumerate() {
        let m = c
            .as_mapping()
            .ok_or_else(|| format!("case {index} is not a mapping"))?;
        let query = get_str(m, "query").ok_or_else(|| format!("case {index} has no query"))?;
        let modules = match m.get("modules") {
            Some(serde_yaml::Value::Sequence(ms)) => ms
                .iter()
                .map(|s| {
                    s.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("case {index}: module is not a string"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(serde_yaml::Value::Null) | None => Vec::new(),
            Some(_) => return Err(format!("case {index}: modules is not a list")),
        };
        let data = match m.get("data").map(yaml_to_json) {
            None | Some(Json::Null) => Json::Object(serde_json::Map::new()),
            Some(d) => d,
        };
        let want_result = match m.get("want_result").map(yaml_to_json) {
            None => None,
            Some(Json::Null) => Some(Vec::new()),
            Some(Json::Array(rows)) => Some(
                rows.into_iter()
                    .map(|r| match r {
                        Json::Object(o) => Ok(o),
                        Json::Null => Ok(serde_json::Map::new()),
                        other => Err(format!(
                            "case {index}: want_result row {other} is not a mapping"
                        )),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(other) => return Err(format!("case {index}: want_result {other} is not a list")),
        };
        out.push(Case {
            file: file.to_string(),
            folder: folder.clone(),
            index,
            note: get_str(m, "note").unwrap_or_default(),
            query,
            modules,
            data,
            // `input:` with no value means no input, as upstream.
            input: m.get("input").map(yaml_to_json).filter(|i| !i.is_null()),
            input_term: get_str(m, "input_term"),
            want_result,
            want_defined: m.get("want_defined").and_then(serde_yaml::Value::as_bool),
            want_error: get_str(m, "want_error"),
            want_error_code: get_str(m, "want_error_code"),
            strict_error: get_bool(m, "strict_error"),
            sort_bindings: get_bool(m, "sort_bindings"),
            skip: get_bool(m, "skip"),
            env: m.get("env").map(yaml_to_json),
            ignore_generated_vars: get_bool(m, "ignore_generated_vars"),
            version,
        });
    }
    Ok(out)
}

/// All `.yaml`/`.yml`/`.json`-free YAML files under `root`, sorted.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// Load every case under `root` (recursively), files in sorted order.
pub fn load_corpus(root: &Path) -> Result<Vec<Case>, LoadError> {
    let mut files = Vec::new();
    yaml_files(root, &mut files)?;
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let parsed = parse_file(&rel, &text).map_err(|message| LoadError::Format {
            path: path.clone(),
            message,
        })?;
        cases.extend(parsed);
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    #[test]
    fn parses_all_fields() {
        let text = r#"
cases:
  - note: a/b
    query: data.p.x = x
    modules:
      - |
        package p
        x := 1
    data:
    input: {1: "one"}
    want_result:
      - x: 1
    sort_bindings: true
  - note: err
    query: data.p.x = x
    input_term: '{"a": {1}}'
    want_error_code: eval_type_error
    want_error: boom
    strict_error: true
    skip: skipped for a reason
    ignore_generated_vars: true
"#;
        let cases = parse_file("v0/folder/t.yaml", text).unwrap();
        assert_eq!(cases.len(), 2);
        let a = &cases[0];
        assert_eq!(a.folder, "v0/folder");
        assert_eq!(a.version, RegoVersion::V0);
        assert_eq!(a.data, serde_json::json!({}));
        assert_eq!(a.input, Some(serde_json::json!({"1": "one"})));
        assert_eq!(
            a.want_result.as_ref().unwrap()[0]["x"],
            serde_json::json!(1)
        );
        assert!(a.sort_bindings && !a.strict_error);
        assert_eq!(a.named_modules()[0].0, "test-0.rego");
        let b = &cases[1];
        assert_eq!(b.input_term.as_deref(), Some(r#"{"a": {1}}"#));
        assert!(b.strict_error && b.skip && b.want_result.is_none());
        assert!(b.ignore_generated_vars && !a.ignore_generated_vars);
        assert_eq!(b.want_error_code.as_deref(), Some("eval_type_error"));
        assert_eq!(b.id(), "v0/folder/t.yaml#1");
        assert!(parse_file("x.yaml", "cases: 3").is_err());
        assert!(parse_file("x.yaml", "cases:\n  - note: n\n").is_err());
    }
}
