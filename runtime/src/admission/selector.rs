//! Kubernetes label selectors and Gatekeeper's prefix/suffix globs.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A name that may glob at its front or end (Gatekeeper's `Wildcard`):
/// `kube-*` matches `kube-system`, `*-system` matches `gatekeeper-system`,
/// `*sys*` matches anything containing `sys`; without a `*` it must match
/// exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Wildcard(pub String);

impl Wildcard {
    /// Does `candidate` match this pattern?
    pub fn matches(&self, candidate: &str) -> bool {
        let w = self.0.as_str();
        match (w.strip_prefix('*'), w.strip_suffix('*')) {
            (Some(rest), _) if rest.ends_with('*') || rest.is_empty() => {
                candidate.contains(rest.strip_suffix('*').unwrap_or(rest))
            }
            (Some(suffix), _) => candidate.ends_with(suffix),
            (None, Some(prefix)) => candidate.starts_with(prefix),
            (None, None) => w == candidate,
        }
    }

    /// Does an object created with `generateName: candidate` (and no name)
    /// match? Only a prefix glob can be decided from the prefix alone.
    pub fn matches_generate_name(&self, candidate: &str) -> bool {
        let w = self.0.as_str();
        if w.starts_with('*') {
            return w == "*";
        }
        match w.strip_suffix('*') {
            Some(prefix) => candidate.starts_with(prefix),
            None => false,
        }
    }
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSelectorRequirement {
    /// The label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// Values for `In` / `NotIn`.
    #[serde(default)]
    pub values: Vec<String>,
}

/// A Kubernetes `LabelSelector`: `matchLabels` and `matchExpressions`,
/// ANDed. An empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// Labels that must be present with exactly these values.
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
    /// Set-based requirements.
    #[serde(default)]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

impl LabelSelector {
    /// Check the selector is well formed, as the API server does: `In` and
    /// `NotIn` need values, `Exists` and `DoesNotExist` take none, and no
    /// other operator exists.
    pub fn validate(&self) -> Result<(), String> {
        for req in &self.match_expressions {
            match req.operator.as_str() {
                "In" | "NotIn" if req.values.is_empty() => {
                    return Err(format!(
                        "matchExpressions[key={}]: operator {} needs at least one value",
                        req.key, req.operator
                    ));
                }
                "Exists" | "DoesNotExist" if !req.values.is_empty() => {
                    return Err(format!(
                        "matchExpressions[key={}]: operator {} takes no values",
                        req.key, req.operator
                    ));
                }
                "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
                other => {
                    return Err(format!(
                        "matchExpressions[key={}]: {other:?} is not a valid label selector operator",
                        req.key
                    ));
                }
            }
            if req.key.is_empty() {
                return Err("matchExpressions: empty key".to_string());
            }
        }
        Ok(())
    }

    /// Does a label set satisfy the selector?
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        for (k, v) in &self.match_labels {
            if labels.get(k) != Some(v) {
                return false;
            }
        }
        self.match_expressions.iter().all(|req| {
            let value = labels.get(&req.key);
            match req.operator.as_str() {
                "In" => value.is_some_and(|v| req.values.contains(v)),
                "NotIn" => value.is_none_or(|v| !req.values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        })
    }
}

/// The `metadata.labels` of an object (non-string values are ignored).
pub(crate) fn labels_of(obj: &serde_json::Value) -> BTreeMap<String, String> {
    obj.get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(serde_json::Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn w(s: &str) -> Wildcard {
        Wildcard(s.to_string())
    }

    #[test]
    fn wildcard_globs() {
        assert!(w("kube-*").matches("kube-system"));
        assert!(!w("kube-*").matches("default"));
        assert!(w("*-system").matches("gatekeeper-system"));
        assert!(!w("*-system").matches("system-x"));
        assert!(w("*sys*").matches("a-sys-b"));
        assert!(w("*").matches("anything"));
        assert!(w("exact").matches("exact"));
        assert!(!w("exact").matches("exactly"));
        assert!(w("pod-*").matches_generate_name("pod-abc-"));
        assert!(!w("*-pod").matches_generate_name("x-pod"));
    }

    #[test]
    fn selector_semantics() {
        let sel: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["a", "b"]},
                {"key": "env", "operator": "NotIn", "values": ["prod"]},
                {"key": "owner", "operator": "Exists"},
                {"key": "legacy", "operator": "DoesNotExist"}
            ]
        }))
        .unwrap();
        sel.validate().unwrap();
        let mut labels: BTreeMap<String, String> = [("app", "web"), ("tier", "a"), ("owner", "me")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert!(sel.matches(&labels));
        labels.insert("env".into(), "prod".into());
        assert!(!sel.matches(&labels));
        labels.insert("env".into(), "dev".into());
        assert!(sel.matches(&labels));
        labels.insert("legacy".into(), "".into());
        assert!(!sel.matches(&labels));
        labels.remove("legacy");
        labels.insert("tier".into(), "c".into());
        assert!(!sel.matches(&labels));
        assert!(LabelSelector::default().matches(&BTreeMap::new()));
    }

    #[test]
    fn invalid_selectors_are_rejected() {
        let bad = |op: &str, values: Vec<&str>| LabelSelector {
            match_labels: BTreeMap::new(),
            match_expressions: vec![LabelSelectorRequirement {
                key: "k".into(),
                operator: op.into(),
                values: values.into_iter().map(String::from).collect(),
            }],
        };
        assert!(bad("In", vec![]).validate().is_err());
        assert!(bad("Exists", vec!["x"]).validate().is_err());
        assert!(bad("Equals", vec!["x"]).validate().is_err());
        assert!(bad("NotIn", vec!["x"]).validate().is_ok());
    }
}
