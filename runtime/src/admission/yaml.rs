//! Reading Kubernetes-style YAML documents into JSON values.

use super::AdmissionError;
use serde::Deserialize;
use std::path::Path;

/// Parse every document of a (multi-document) YAML or JSON text into JSON
/// values. Empty documents (`---` alone, comments only) are skipped.
pub(crate) fn documents(
    text: &str,
    origin: &str,
) -> Result<Vec<serde_json::Value>, AdmissionError> {
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let value =
            serde_yaml::Value::deserialize(doc).map_err(|e| AdmissionError::parse(origin, e))?;
        if value.is_null() {
            continue;
        }
        let json = yaml_to_json(value).map_err(|e| AdmissionError::parse(origin, e))?;
        out.push(json);
    }
    Ok(out)
}

/// Read a file and parse its documents.
pub(crate) fn read_documents(path: &Path) -> Result<Vec<serde_json::Value>, AdmissionError> {
    let text = read_text(path)?;
    documents(&text, &path.display().to_string())
}

/// Read a file as UTF-8 text.
pub(crate) fn read_text(path: &Path) -> Result<String, AdmissionError> {
    std::fs::read_to_string(path).map_err(|source| AdmissionError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Convert a YAML value to JSON. Non-string mapping keys are written as
/// their YAML text (as Kubernetes' YAML decoder does for scalars).
fn yaml_to_json(value: serde_yaml::Value) -> Result<serde_json::Value, String> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => serde_json::Value::Null,
        Y::Bool(b) => serde_json::Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                serde_json::Value::from(i)
            } else if let Some(u) = n.as_u64() {
                serde_json::Value::from(u)
            } else if let Some(f) = n.as_f64() {
                serde_json::Number::from_f64(f)
                    .map(serde_json::Value::Number)
                    .ok_or_else(|| format!("number {f} cannot be represented in JSON"))?
            } else {
                return Err(format!("unsupported number {n}"));
            }
        }
        Y::String(s) => serde_json::Value::String(s),
        Y::Sequence(items) => serde_json::Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut obj = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Bool(b) => b.to_string(),
                    Y::Number(n) => n.to_string(),
                    Y::Null => "null".to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                obj.insert(key, yaml_to_json(v)?);
            }
            serde_json::Value::Object(obj)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

/// `apiVersion` split into group and version (`v1` → `("", "v1")`).
pub(crate) fn group_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// A string field at a path of nested objects.
pub(crate) fn str_at<'a>(value: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    at(value, path).and_then(serde_json::Value::as_str)
}

/// A value at a path of nested objects.
pub(crate) fn at<'a>(value: &'a serde_json::Value, path: &[&str]) -> Option<&'a serde_json::Value> {
    let mut cur = value;
    for key in path {
        cur = cur.get(key)?;
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn multi_document_yaml_skips_empty_documents() {
        let docs = documents("a: 1\n---\n# only a comment\n---\nb: [x, 2]\n", "t").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1]["b"][1], 2);
    }

    #[test]
    fn bad_yaml_is_an_error_naming_the_origin() {
        let err = documents("a: [1, 2\n", "file.yaml").unwrap_err();
        assert!(err.to_string().contains("file.yaml"), "{err}");
    }

    #[test]
    fn group_version_splits() {
        assert_eq!(group_version("apps/v1"), ("apps", "v1"));
        assert_eq!(group_version("v1"), ("", "v1"));
    }
}
