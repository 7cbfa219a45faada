//! Gatekeeper's `spec.match`: which objects a constraint applies to.
//!
//! Semantics follow Gatekeeper's matcher: every criterion that is set must
//! hold; the object under review *or* its old version may match; namespace
//! criteria use the request's Namespace object when known, the object's
//! own `metadata.namespace` otherwise; a Namespace object is matched by its
//! own name and labels.

use super::selector::{LabelSelector, Wildcard, labels_of};
use super::yaml::{group_version, str_at};
use serde::{Deserialize, Serialize};

/// One `kinds` entry: API groups and kinds (`*` = any; empty = any).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KindSelector {
    /// API groups (`""` is the core group).
    #[serde(default)]
    pub api_groups: Vec<String>,
    /// Kinds, e.g. `Pod`.
    #[serde(default)]
    pub kinds: Vec<String>,
}

/// A constraint's `spec.match`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Match {
    /// Kinds the constraint applies to; empty = all.
    #[serde(default)]
    pub kinds: Vec<KindSelector>,
    /// `*` (default), `Cluster` or `Namespaced`.
    #[serde(default)]
    pub scope: Option<String>,
    /// Namespaces (with globs) the object must be in.
    #[serde(default)]
    pub namespaces: Vec<Wildcard>,
    /// Namespaces (with globs) the object must not be in.
    #[serde(default)]
    pub excluded_namespaces: Vec<Wildcard>,
    /// Selector on the object's labels.
    #[serde(default)]
    pub label_selector: Option<LabelSelector>,
    /// Selector on the labels of the object's namespace (or of the object,
    /// if it is a Namespace).
    #[serde(default)]
    pub namespace_selector: Option<LabelSelector>,
    /// The object's name (with globs).
    #[serde(default)]
    pub name: Option<Wildcard>,
    /// `Original` (default), `Generated` or `All`; this runtime only sees
    /// original objects, so `Generated` never matches.
    #[serde(default)]
    pub source: Option<String>,
}

impl Match {
    /// Parse a `spec.match` object, validating its selectors.
    pub fn from_value(value: &serde_json::Value) -> Result<Match, String> {
        let m: Match =
            serde_json::from_value(value.clone()).map_err(|e| format!("spec.match: {e}"))?;
        if let Some(sel) = &m.label_selector {
            sel.validate()
                .map_err(|e| format!("spec.match.labelSelector: {e}"))?;
        }
        if let Some(sel) = &m.namespace_selector {
            sel.validate()
                .map_err(|e| format!("spec.match.namespaceSelector: {e}"))?;
        }
        Ok(m)
    }

    /// Does the request match? `object` / `old_object` are the request's
    /// objects (either may match), `namespace` the request's Namespace
    /// object when known. Errors when neither object is present, or when a
    /// namespace selector needs a Namespace that is not known.
    pub fn matches_request(
        &self,
        object: Option<&serde_json::Value>,
        old_object: Option<&serde_json::Value>,
        namespace: Option<&serde_json::Value>,
    ) -> Result<bool, String> {
        let objs: Vec<&serde_json::Value> = [object, old_object]
            .into_iter()
            .flatten()
            .filter(|o| !o.is_null())
            .collect();
        if objs.is_empty() {
            return Err("neither object nor oldObject is defined".to_string());
        }
        for obj in objs {
            if self.matches_object(obj, namespace)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Does one object match?
    pub fn matches_object(
        &self,
        obj: &serde_json::Value,
        namespace: Option<&serde_json::Value>,
    ) -> Result<bool, String> {
        let api_version = str_at(obj, &["apiVersion"]).unwrap_or("");
        let (group, _) = group_version(api_version);
        let kind = str_at(obj, &["kind"]).unwrap_or("");
        let obj_ns = str_at(obj, &["metadata", "namespace"]).unwrap_or("");
        let ns_name = namespace.and_then(|n| str_at(n, &["metadata", "name"]));
        let is_namespace = kind == "Namespace" && group.is_empty();

        // kinds
        if !self.kinds.is_empty() {
            let any = self.kinds.iter().any(|ks| {
                let kind_ok = ks.kinds.is_empty() || ks.kinds.iter().any(|k| k == "*" || k == kind);
                let group_ok = ks.api_groups.is_empty()
                    || ks.api_groups.iter().any(|g| g == "*" || g == group);
                kind_ok && group_ok
            });
            if !any {
                return Ok(false);
            }
        }

        // scope
        let has_namespace = !obj_ns.is_empty() || namespace.is_some();
        match self.scope.as_deref() {
            Some("Cluster") if !is_namespace && has_namespace => return Ok(false),
            Some("Namespaced") if is_namespace || !has_namespace => return Ok(false),
            _ => {}
        }

        // the namespace the object is "in", for namespaces/excludedNamespaces
        let effective_ns: Option<&str> = if is_namespace {
            str_at(obj, &["metadata", "name"])
        } else if let Some(n) = ns_name {
            Some(n)
        } else if !obj_ns.is_empty() {
            Some(obj_ns)
        } else {
            None
        };

        if !self.namespaces.is_empty()
            && let Some(ns) = effective_ns
            && !self.namespaces.iter().any(|w| w.matches(ns))
        {
            return Ok(false);
        }
        if !self.excluded_namespaces.is_empty()
            && let Some(ns) = effective_ns
            && self.excluded_namespaces.iter().any(|w| w.matches(ns))
        {
            return Ok(false);
        }

        if let Some(sel) = &self.label_selector
            && !sel.matches(&labels_of(obj))
        {
            return Ok(false);
        }

        if let Some(sel) = &self.namespace_selector {
            if is_namespace {
                if !sel.matches(&labels_of(obj)) {
                    return Ok(false);
                }
            } else if namespace.is_none() && obj_ns.is_empty() {
                // cluster-scoped, non-Namespace objects always match
            } else {
                match namespace {
                    Some(ns) => {
                        if !sel.matches(&labels_of(ns)) {
                            return Ok(false);
                        }
                    }
                    None => {
                        return Err(format!(
                            "namespaceSelector needs the labels of Namespace {obj_ns:?}, which is not known (add it to the inventory)"
                        ));
                    }
                }
            }
        }

        if let Some(name) = &self.name
            && !name.0.is_empty()
        {
            let obj_name = str_at(obj, &["metadata", "name"]).unwrap_or("");
            let ok = if obj_name.is_empty() {
                str_at(obj, &["metadata", "generateName"])
                    .is_some_and(|g| name.matches_generate_name(g))
            } else {
                name.matches(obj_name)
            };
            if !ok {
                return Ok(false);
            }
        }

        if let Some(source) = self.source.as_deref()
            && source == "Generated"
        {
            return Ok(false);
        }

        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    fn pod(ns: &str, labels: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "p", "namespace": ns, "labels": labels}})
    }

    #[test]
    fn kinds_and_groups() {
        let m = Match::from_value(
            &json!({"kinds": [{"apiGroups": ["apps"], "kinds": ["Deployment"]}]}),
        )
        .unwrap();
        assert!(!m.matches_object(&pod("a", json!({})), None).unwrap());
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}});
        assert!(m.matches_object(&d, None).unwrap());
    }

    #[test]
    fn old_object_can_match() {
        let m = Match::from_value(&json!({"labelSelector": {"matchLabels": {"a": "b"}}})).unwrap();
        let new = pod("x", json!({}));
        let old = pod("x", json!({"a": "b"}));
        assert!(m.matches_request(Some(&new), Some(&old), None).unwrap());
        assert!(!m.matches_request(Some(&new), None, None).unwrap());
        assert!(m.matches_request(None, None, None).is_err());
    }
}
