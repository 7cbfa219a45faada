//! `data.inventory`: cluster objects that referential policies read.
//!
//! Layout, as Gatekeeper syncs it:
//! - cluster-scoped objects: `data.inventory.cluster[<groupversion>][<kind>][<name>]`
//! - namespaced objects: `data.inventory.namespace[<ns>][<groupversion>][<kind>][<name>]`
//!
//! where `<groupversion>` is the object's `apiVersion` (`v1`, `apps/v1`).
//! Namespace objects also serve namespace selectors.

use super::AdmissionError;
use super::yaml::{group_version, str_at};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `<groupversion>` → `<kind>` → `<name>` → object.
type ByGroupVersion = BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>>;

/// A set of cluster objects exposed to policies as `data.inventory`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    cluster: ByGroupVersion,
    namespaced: BTreeMap<String, ByGroupVersion>,
    namespaces: BTreeMap<String, Value>,
    count: usize,
}

impl Inventory {
    /// An empty inventory.
    pub fn new() -> Inventory {
        Inventory::default()
    }

    /// An inventory holding these objects.
    pub fn from_objects<'a>(
        objects: impl IntoIterator<Item = &'a Value>,
    ) -> Result<Inventory, AdmissionError> {
        let mut inv = Inventory::new();
        for o in objects {
            inv.add(o.clone())?;
        }
        Ok(inv)
    }

    /// Add (or replace) an object. It must have an `apiVersion` and a
    /// `kind`.
    pub fn add(&mut self, object: Value) -> Result<(), AdmissionError> {
        let name = str_at(&object, &["metadata", "name"])
            .unwrap_or("")
            .to_string();
        let api_version = str_at(&object, &["apiVersion"]).unwrap_or("").to_string();
        let kind = str_at(&object, &["kind"]).unwrap_or("").to_string();
        let (group, version) = group_version(&api_version);
        if version.is_empty() {
            return Err(AdmissionError::InvalidReview(format!(
                "inventory object {name:?} has no version"
            )));
        }
        if kind.is_empty() {
            return Err(AdmissionError::InvalidReview(format!(
                "inventory object {name:?} has no kind"
            )));
        }
        let ns = str_at(&object, &["metadata", "namespace"])
            .unwrap_or("")
            .to_string();
        if kind == "Namespace" && group.is_empty() {
            self.namespaces.insert(name.clone(), object.clone());
        }
        let root = if ns.is_empty() {
            &mut self.cluster
        } else {
            self.namespaced.entry(ns).or_default()
        };
        let previous = root
            .entry(api_version)
            .or_default()
            .entry(kind)
            .or_default()
            .insert(name, object);
        if previous.is_none() {
            self.count += 1;
        }
        Ok(())
    }

    /// The Namespace object called `name`, if known.
    pub fn namespace(&self, name: &str) -> Option<&Value> {
        self.namespaces.get(name)
    }

    /// Number of objects added.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when no object was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The `data.inventory` document: `{"cluster": ..., "namespace": ...}`.
    pub fn document(&self) -> Value {
        let mut m = Map::new();
        m.insert("cluster".into(), layout(&self.cluster));
        m.insert(
            "namespace".into(),
            Value::Object(
                self.namespaced
                    .iter()
                    .map(|(ns, by_gv)| (ns.clone(), layout(by_gv)))
                    .collect(),
            ),
        );
        Value::Object(m)
    }
}

fn layout(by_gv: &ByGroupVersion) -> Value {
    Value::Object(
        by_gv
            .iter()
            .map(|(gv, kinds)| {
                let kinds = kinds
                    .iter()
                    .map(|(kind, names)| {
                        let names = names.iter().map(|(n, o)| (n.clone(), o.clone())).collect();
                        (kind.clone(), Value::Object(names))
                    })
                    .collect();
                (gv.clone(), Value::Object(kinds))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    #[test]
    fn layouts() {
        let inv = Inventory::from_objects(&[
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod", "labels": {"env": "prod"}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "prod"}}),
        ])
        .unwrap();
        let doc = inv.document();
        assert_eq!(
            doc["cluster"]["v1"]["Namespace"]["prod"]["metadata"]["labels"]["env"],
            "prod"
        );
        assert_eq!(
            doc["namespace"]["prod"]["apps/v1"]["Deployment"]["d"]["metadata"]["name"],
            "d"
        );
        assert!(inv.namespace("prod").is_some());
        assert_eq!(inv.len(), 2);
    }

    #[test]
    fn objects_without_kind_are_rejected() {
        assert!(
            Inventory::from_objects(&[json!({"apiVersion": "v1", "metadata": {"name": "x"}})])
                .is_err()
        );
        assert!(
            Inventory::from_objects(&[json!({"kind": "Pod", "metadata": {"name": "x"}})]).is_err()
        );
    }
}
