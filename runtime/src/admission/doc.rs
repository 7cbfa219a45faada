//! Documents handed to admission policies, converted to the Rego
//! engine's value form once and shared: the request under review (one
//! conversion per AdmissionReview, however many constraints see it) and
//! the inventory (one per [`PolicySet::set_inventory`]).
//!
//! [`PolicySet::set_inventory`]: super::PolicySet::set_inventory

use serde_json::Value;
use std::sync::OnceLock;

/// A JSON document with its regorus form made on first use.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    json: Value,
    rego: OnceLock<regorus::Value>,
}

impl PartialEq for Doc {
    fn eq(&self, other: &Doc) -> bool {
        self.json == other.json
    }
}

impl Doc {
    /// A document from its JSON.
    pub(crate) fn new(json: Value) -> Doc {
        Doc {
            json,
            rego: OnceLock::new(),
        }
    }

    /// The JSON form.
    pub(crate) fn json(&self) -> &Value {
        &self.json
    }

    /// The regorus form (converted once; clones share its contents).
    pub(crate) fn rego(&self) -> regorus::Value {
        self.rego
            .get_or_init(|| regorus::Value::from(self.json.clone()))
            .clone()
    }
}

/// One part of an evaluation's input object.
pub(crate) enum Part<'a> {
    /// A document shared across evaluations (converted once).
    Shared(&'a Doc),
    /// A value of this evaluation only.
    Own(&'a Value),
}

/// The input document of one evaluation.
pub(crate) enum Input<'a> {
    /// A whole document.
    Whole(&'a Value),
    /// An object of named parts (`{"review": ..., "parameters": ...}`).
    Object(Vec<(&'static str, Part<'a>)>),
}

impl Input<'_> {
    /// As JSON (for engines that take JSON).
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Input::Whole(v) => (*v).clone(),
            Input::Object(parts) => Value::Object(
                parts
                    .iter()
                    .map(|(k, p)| {
                        let v = match p {
                            Part::Shared(d) => d.json().clone(),
                            Part::Own(v) => (*v).clone(),
                        };
                        ((*k).to_string(), v)
                    })
                    .collect(),
            ),
        }
    }

    /// As a regorus value, reusing the shared parts' conversions.
    pub(crate) fn to_rego(&self) -> regorus::Value {
        match self {
            Input::Whole(v) => regorus::Value::from((*v).clone()),
            Input::Object(parts) => {
                let mut obj = regorus::Value::new_object();
                if let Ok(map) = obj.as_object_mut() {
                    for (k, p) in parts {
                        let v = match p {
                            Part::Shared(d) => d.rego(),
                            Part::Own(v) => regorus::Value::from((*v).clone()),
                        };
                        map.insert(regorus::Value::from(*k), v);
                    }
                }
                obj
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn both_forms_agree_and_the_shared_part_converts_once() {
        let review = Doc::new(json!({"object": {"kind": "Pod", "n": [1, 2.5]}}));
        let params = json!({"labels": ["a"]});
        let input = Input::Object(vec![
            ("review", Part::Shared(&review)),
            ("parameters", Part::Own(&params)),
        ]);
        let want = json!({"review": review.json(), "parameters": params});
        assert_eq!(input.to_json(), want);
        assert_eq!(input.to_rego(), regorus::Value::from(want));
        assert!(review.rego.get().is_some());
        assert_eq!(
            Input::Whole(&params).to_rego(),
            regorus::Value::from(params.clone())
        );
    }
}
