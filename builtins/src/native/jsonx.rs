//! `json.is_valid`, `json.marshal_with_options`, `json.patch`,
//! `json.match_schema`, `json.verify_schema`, `object.subset`,
//! `object.union_n`, `yaml.marshal/unmarshal/is_valid`.

use super::gojsonschema::{self, Json};
use super::native;
use crate::{BuiltinError, Registry, Value, args};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Go `encoding/json` string quoting (HTML-safe, as `json.Marshal`).
pub(crate) fn go_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) => s.to_string(),
        other => other.to_json().to_string(),
    }
}

/// Go `json.Marshal` / `json.MarshalIndent` of a value as OPA converts it
/// (sets become arrays, keys sorted).
fn go_json(v: &Value, indent: Option<(&str, &str)>, depth: usize, out: &mut String) {
    let newline = |out: &mut String, d: usize| {
        if let Some((prefix, ind)) = indent {
            out.push('\n');
            out.push_str(prefix);
            for _ in 0..d {
                out.push_str(ind);
            }
        }
    };
    match v {
        Value::Null | Value::Bool(_) | Value::Number(_) => out.push_str(&v.to_string()),
        Value::String(s) => go_json_string(s, out),
        Value::Array(_) | Value::Set(_) => {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                Value::Set(s) => s.iter().collect(),
                _ => Vec::new(),
            };
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                go_json(x, indent, depth + 1, out);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(o) => {
            if o.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut entries: Vec<(String, &Value)> =
                o.iter().map(|(k, v)| (key_text(k), v)).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                go_json_string(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                go_json(x, indent, depth + 1, out);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

fn marshal_with_options(name: &str, a: &[Value]) -> Result<Value, BuiltinError> {
    let x = args::any(name, a, 0)?;
    let opts = args::object(name, a, 1)?;
    let mut indent = "\t".to_string();
    let mut prefix = String::new();
    let mut implicit = false;
    let mut explicit: Option<bool> = None;
    let opt_err = |m: String| BuiltinError::failed(name, format!("operand 2 {m}"));
    for (k, v) in opts.iter() {
        match (k.as_str(), v) {
            (Some("prefix"), Value::String(s)) => {
                prefix = s.to_string();
                implicit = true;
            }
            (Some("indent"), Value::String(s)) => {
                indent = s.to_string();
                implicit = true;
            }
            (Some("pretty"), Value::Bool(b)) => explicit = Some(*b),
            (Some(key @ ("prefix" | "indent")), other) => {
                return Err(opt_err(format!(
                    "{key} must be string but got {}",
                    other.type_name()
                )));
            }
            (Some("pretty"), other) => {
                return Err(opt_err(format!(
                    "pretty must be boolean but got {}",
                    other.type_name()
                )));
            }
            _ => {
                return Err(opt_err(format!(
                    "object contained unknown key {}",
                    crate::native::misc::rego_text(k)
                )));
            }
        }
    }
    let pretty = explicit.unwrap_or(implicit);
    let mut out = String::new();
    if pretty {
        out.push_str(&prefix);
        go_json(x, Some((&prefix, &indent)), 0, &mut out);
    } else {
        go_json(x, None, 0, &mut out);
    }
    Ok(Value::string(out))
}

fn array_subset(sup: &[Value], sub: &[Value]) -> bool {
    sub.is_empty() || sup.windows(sub.len()).any(|w| w == sub)
}

fn nested_subset(sup: &Value, sub: &Value) -> bool {
    match (sup, sub) {
        (Value::Object(a), Value::Object(b)) => b
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|sv| nested_subset(sv, v))),
        (Value::Set(a), Value::Set(b)) => b.iter().all(|x| a.contains(x)),
        (Value::Array(a), Value::Array(b)) => array_subset(a, b),
        _ => sup == sub,
    }
}

fn object_subset(name: &str, a: &[Value]) -> Result<bool, BuiltinError> {
    let sup = args::any(name, a, 0)?;
    let sub = args::any(name, a, 1)?;
    match (sup, sub) {
        (Value::Array(s), Value::Set(b)) => Ok(b.iter().all(|x| s.contains(x))),
        (Value::Object(_), Value::Object(_))
        | (Value::Set(_), Value::Set(_))
        | (Value::Array(_), Value::Array(_)) => Ok(nested_subset(sup, sub)),
        _ => Err(BuiltinError::failed(
            name,
            "both arguments object.subset must be of the same type or array and set",
        )),
    }
}

fn merge_overwrite(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut out: BTreeMap<Value, Value> = (**x).clone();
            for (k, v) in y.iter() {
                let merged = match out.get(k) {
                    Some(old) => merge_overwrite(old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(Arc::new(out))
        }
        _ => b.clone(),
    }
}

// --- json.patch -----------------------------------------------------------

fn parse_path(name: &str, p: &Value) -> Result<Vec<Value>, BuiltinError> {
    match p {
        Value::String(s) => {
            if s.is_empty() {
                return Ok(Vec::new());
            }
            Ok(s.trim_start_matches('/')
                .split('/')
                .map(|seg| Value::string(seg.replace("~1", "/").replace("~0", "~")))
                .collect())
        }
        Value::Array(a) => Ok(a.to_vec()),
        other => Err(BuiltinError::failed(
            name,
            format!(
                "operand 2 must be one of {{set, array}} containing string paths or array of path segments but got {}",
                other.type_name()
            ),
        )),
    }
}

fn array_index(key: &Value, len: usize, allow_end: bool) -> Result<usize, String> {
    let idx = match key {
        Value::String(s) if allow_end && s.as_ref() == "-" => return Ok(len),
        Value::String(s) => s.parse::<i64>().map_err(|_| {
            format!(
                "invalid string for array index: {}",
                crate::native::go_quote(s)
            )
        })?,
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| format!("invalid number type for indexing: {n}"))?,
        other => {
            return Err(format!(
                "invalid type for array index: {}",
                other.type_name()
            ));
        }
    };
    let max = if allow_end {
        len
    } else {
        len.saturating_sub(1)
    };
    match usize::try_from(idx) {
        Ok(i) if i <= max && (allow_end || len > 0) => Ok(i),
        _ => Err(format!("index {idx} out of range")),
    }
}

fn key_str(k: &Value) -> String {
    crate::native::misc::rego_text(k)
}

fn insert_at(root: &Value, path: &[Value], value: &Value) -> Result<Value, String> {
    let Some((key, rest)) = path.split_first() else {
        return Ok(value.clone());
    };
    match root {
        Value::Object(o) => {
            let mut o2 = (**o).clone();
            if rest.is_empty() {
                o2.insert(key.clone(), value.clone());
            } else {
                let child = o
                    .get(key)
                    .ok_or_else(|| format!("path {} does not exist", key_str(key)))?;
                o2.insert(key.clone(), insert_at(child, rest, value)?);
            }
            Ok(Value::Object(Arc::new(o2)))
        }
        Value::Array(a) => {
            let mut a2 = (**a).clone();
            if rest.is_empty() {
                let i = array_index(key, a.len(), true)?;
                a2.insert(i, value.clone());
            } else {
                let i = array_index(key, a.len(), false)?;
                let child = a.get(i).ok_or_else(|| format!("index {i} out of range"))?;
                let new = insert_at(child, rest, value)?;
                if let Some(slot) = a2.get_mut(i) {
                    *slot = new;
                }
            }
            Ok(Value::Array(Arc::new(a2)))
        }
        Value::Set(s) => {
            let mut s2 = (**s).clone();
            if rest.is_empty() {
                s2.insert(value.clone());
            } else {
                let child = s
                    .get(key)
                    .ok_or_else(|| format!("path {} does not exist", key_str(key)))?;
                let new = insert_at(child, rest, value)?;
                s2.remove(key);
                s2.insert(new);
            }
            Ok(Value::Set(Arc::new(s2)))
        }
        other => Err(format!(
            "cannot insert into scalar value of type {}",
            other.type_name()
        )),
    }
}

fn delete_at(root: &Value, path: &[Value]) -> Result<Value, String> {
    let Some((key, rest)) = path.split_first() else {
        return Ok(Value::Null);
    };
    let missing = || {
        format!(
            "cannot delete child key {} that does not exist",
            key_str(key)
        )
    };
    match root {
        Value::Object(o) => {
            let mut o2 = (**o).clone();
            let child = o.get(key).ok_or_else(missing)?;
            if rest.is_empty() {
                o2.remove(key);
            } else {
                o2.insert(key.clone(), delete_at(child, rest)?);
            }
            Ok(Value::Object(Arc::new(o2)))
        }
        Value::Array(a) => {
            let mut a2 = (**a).clone();
            let i = array_index(key, a.len(), false)?;
            if rest.is_empty() {
                a2.remove(i);
            } else if let Some(slot) = a2.get_mut(i) {
                *slot = delete_at(slot, rest)?;
            }
            Ok(Value::Array(Arc::new(a2)))
        }
        Value::Set(s) => {
            let mut s2 = (**s).clone();
            let child = s.get(key).ok_or_else(missing)?.clone();
            s2.remove(key);
            if !rest.is_empty() {
                s2.insert(delete_at(&child, rest)?);
            }
            Ok(Value::Set(Arc::new(s2)))
        }
        other => Err(format!(
            "cannot delete child key {} of scalar value of type {}",
            key_str(key),
            other.type_name()
        )),
    }
}

fn render_at(root: &Value, path: &[Value]) -> Result<Value, String> {
    let mut cur = root;
    for key in path {
        cur = match cur {
            Value::Object(o) => o.get(key),
            Value::Array(a) => a.get(array_index(key, a.len(), false)?),
            Value::Set(s) => s.get(key),
            _ => None,
        }
        .ok_or_else(|| format!("path {} does not exist", key_str(key)))?;
    }
    Ok(cur.clone())
}

fn json_patch(name: &str, a: &[Value]) -> Result<Value, BuiltinError> {
    let target = args::any(name, a, 0)?;
    let ops = args::array(name, a, 1)?;
    let fail = |m: String| BuiltinError::failed(name, m);
    let mut doc = target.clone();
    for op in ops {
        let Value::Object(o) = op else {
            return Err(fail(
                "must be an array of JSON-Patch objects, but at least one element is not an object"
                    .into(),
            ));
        };
        let get = |k: &str| o.get(&Value::from(k));
        let path_v = get("path").ok_or_else(|| fail("missing required attribute 'path'".into()))?;
        let op_v = get("op").ok_or_else(|| fail("missing required attribute 'op'".into()))?;
        let Value::String(op_s) = op_v else {
            return Err(fail(format!(
                "attribute 'op' must be a string but found: {}",
                op_v.type_name()
            )));
        };
        let path = parse_path(name, path_v)?;
        let value =
            || get("value").ok_or_else(|| fail("missing required attribute 'value'".into()));
        let from = || -> Result<Vec<Value>, BuiltinError> {
            let f = get("from").ok_or_else(|| fail("missing required attribute 'from'".into()))?;
            parse_path(name, f)
        };
        doc = match op_s.as_ref() {
            "add" => insert_at(&doc, &path, value()?).map_err(fail)?,
            "remove" => delete_at(&doc, &path).map_err(fail)?,
            "replace" => {
                let d = delete_at(&doc, &path).map_err(fail)?;
                insert_at(&d, &path, value()?).map_err(fail)?
            }
            "move" => {
                let f = from()?;
                let chunk = render_at(&doc, &f).map_err(fail)?;
                let d = delete_at(&doc, &f).map_err(fail)?;
                insert_at(&d, &path, &chunk).map_err(fail)?
            }
            "copy" => {
                let f = from()?;
                let chunk = render_at(&doc, &f).map_err(fail)?;
                insert_at(&doc, &path, &chunk).map_err(fail)?
            }
            "test" => {
                let chunk = render_at(&doc, &path).map_err(fail)?;
                let want = value()?;
                if &chunk != want {
                    return Err(fail(format!(
                        "value from EditTree != patch value.\n\nExpected: {}\n\nFound: {}",
                        crate::native::misc::rego_text(want),
                        crate::native::misc::rego_text(&chunk)
                    )));
                }
                doc
            }
            other => return Err(fail(format!("unrecognized op: '{other}'"))),
        };
    }
    Ok(doc)
}

// --- JSON schema ----------------------------------------------------------

/// Read a `json.match_schema` / `json.verify_schema` operand as OPA does:
/// a string holding JSON text, or an object or array taken as is.
fn schema_json(name: &str, v: &Value) -> Result<Json, BuiltinError> {
    match v {
        Value::String(s) => Value::from_json_str(s)
            .map(|d| Json::from_value(&d))
            .map_err(|_| BuiltinError::failed(name, "invalid JSON string")),
        Value::Object(_) | Value::Array(_) => Ok(Json::from_value(v)),
        _ => Err(BuiltinError::failed(
            name,
            "wrong type, expected string or object",
        )),
    }
}

fn match_schema(name: &str, a: &[Value]) -> Result<Value, BuiltinError> {
    let doc = schema_json(name, args::any(name, a, 0)?)?;
    let schema = schema_json(name, args::any(name, a, 1)?)?;
    let compiled = gojsonschema::compile(&schema).map_err(|m| BuiltinError::failed(name, m))?;
    let errors: Vec<Value> = compiled
        .validate(&doc)
        .into_iter()
        .map(|e| {
            Value::object([
                (
                    Value::from("error"),
                    Value::string(format!("{}: {}", e.field, e.desc)),
                ),
                (Value::from("type"), Value::from(e.kind)),
                (Value::from("field"), Value::string(e.field)),
                (Value::from("desc"), Value::string(e.desc)),
            ])
        })
        .collect();
    Ok(Value::array(vec![
        Value::Bool(errors.is_empty()),
        Value::array(errors),
    ]))
}

/// Register the JSON / YAML / object builtins.
pub(crate) fn register(r: &mut Registry) {
    native(r, "json.is_valid", 1, |_, a| {
        let ok = matches!(a.first(), Some(Value::String(s))
            if serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok());
        Ok(Some(Value::Bool(ok)))
    });
    native(r, "json.marshal_with_options", 2, |_, a| {
        marshal_with_options("json.marshal_with_options", a).map(Some)
    });
    native(r, "json.patch", 2, |_, a| {
        json_patch("json.patch", a).map(Some)
    });
    native(r, "json.match_schema", 2, |_, a| {
        match_schema("json.match_schema", a).map(Some)
    });
    native(r, "json.verify_schema", 1, |_, a| {
        let name = "json.verify_schema";
        let schema = match schema_json(name, args::any(name, a, 0)?) {
            Ok(s) => s,
            Err(BuiltinError::Failed { message, .. }) => {
                return Ok(Some(Value::array(vec![
                    Value::Bool(false),
                    Value::string(format!("jsonschema: {message}")),
                ])));
            }
            Err(e) => return Err(e),
        };
        Ok(Some(match gojsonschema::compile(&schema) {
            Ok(_) => Value::array(vec![Value::Bool(true), Value::Null]),
            Err(m) => Value::array(vec![
                Value::Bool(false),
                Value::string(format!("jsonschema: {m}")),
            ]),
        }))
    });
    native(r, "object.subset", 2, |_, a| {
        object_subset("object.subset", a).map(|b| Some(Value::Bool(b)))
    });
    native(r, "object.union_n", 1, |_, a| {
        let name = "object.union_n";
        let arr = args::array(name, a, 0)?;
        let mut acc = Value::object([]);
        for x in arr {
            if !matches!(x, Value::Object(_)) {
                return Err(BuiltinError::failed(
                    name,
                    format!(
                        "operand 1 must be array of objects but got array containing {}",
                        x.type_name()
                    ),
                ));
            }
            acc = merge_overwrite(&acc, x);
        }
        Ok(Some(acc))
    });
    native(r, "yaml.is_valid", 1, |_, a| {
        let ok = matches!(a.first(), Some(Value::String(s)) if super::yaml_decode::is_valid(s));
        Ok(Some(Value::Bool(ok)))
    });
    native(r, "yaml.unmarshal", 1, |_, a| {
        let name = "yaml.unmarshal";
        let s = args::string(name, a, 0)?;
        super::yaml_decode::unmarshal(s)
            .map(Some)
            .map_err(|m| BuiltinError::failed(name, m))
    });
    native(r, "yaml.marshal", 1, |_, a| {
        let v = args::any("yaml.marshal", a, 0)?;
        Ok(Some(Value::string(super::goyaml::marshal(v))))
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use crate::{EvalContext, Registry, Value};

    fn call(name: &str, args: &[Value]) -> Result<Option<Value>, String> {
        Registry::with_defaults()
            .call(&EvalContext::new(), name, args)
            .map_err(|e| e.to_string())
    }
    fn v(s: &str) -> Value {
        Value::from_json_str(s).unwrap()
    }

    #[test]
    fn marshal_with_options_like_go() {
        assert_eq!(
            call(
                "json.marshal_with_options",
                &[
                    v(r#"{"a":"<&>", "b":[1,{"c":[]}]}"#),
                    v(r#"{"pretty": true}"#)
                ]
            ),
            Ok(Some(Value::from(
                "{\n\t\"a\": \"\\u003c\\u0026\\u003e\",\n\t\"b\": [\n\t\t1,\n\t\t{\n\t\t\t\"c\": []\n\t\t}\n\t]\n}"
            )))
        );
        assert_eq!(
            call(
                "json.marshal_with_options",
                &[v(r#"{"a":1}"#), v(r#"{"prefix": "P"}"#)]
            ),
            Ok(Some(Value::from("P{\nP\t\"a\": 1\nP}")))
        );
        assert_eq!(
            call(
                "json.marshal_with_options",
                &[v(r#"{"a":1}"#), v(r#"{"x": 1}"#)]
            ),
            Err("json.marshal_with_options: operand 2 object contained unknown key \"x\"".into())
        );
    }

    #[test]
    fn subset_and_union() {
        assert_eq!(
            call("object.subset", &[v("[1,2,3]"), v("[1,3]")]),
            Ok(Some(v("false")))
        );
        assert_eq!(
            call("object.subset", &[v("[1,2,1,2,3]"), v("[1,2,3]")]),
            Ok(Some(v("true")))
        );
        assert_eq!(
            call(
                "object.subset",
                &[v(r#"{"a":[1,2,3]}"#), v(r#"{"a":[1,2]}"#)]
            ),
            Ok(Some(v("true")))
        );
        assert_eq!(
            call(
                "object.union_n",
                &[v(r#"[{"a": {"b": 2}}, {"a": 4}, {"a": {"c": 3}}]"#)]
            ),
            Ok(Some(v(r#"{"a": {"c": 3}}"#)))
        );
    }

    #[test]
    fn patch_ops() {
        assert_eq!(
            call(
                "json.patch",
                &[
                    v(r#"{"a": [1]}"#),
                    v(r#"[{"op": "add", "path": "/a/-", "value": 2}]"#)
                ]
            ),
            Ok(Some(v(r#"{"a": [1, 2]}"#)))
        );
        assert_eq!(
            call(
                "json.patch",
                &[v(r#"{"a": 1}"#), v(r#"[{"op": "remove", "path": "/b"}]"#)]
            ),
            Err("json.patch: cannot delete child key \"b\" that does not exist".into())
        );
        assert_eq!(
            call(
                "json.patch",
                &[
                    Value::object([(Value::from("a"), Value::set([Value::int(1), Value::int(2)]))]),
                    v(r#"[{"op": "remove", "path": ["a", 1]}]"#)
                ]
            ),
            Ok(Some(Value::object([(
                Value::from("a"),
                Value::set([Value::int(2)])
            )])))
        );
        assert_eq!(
            call(
                "json.patch",
                &[v(r#"{"a": [1]}"#), v(r#"[{"op": "bogus", "path": "/a"}]"#)]
            ),
            Err("json.patch: unrecognized op: 'bogus'".into())
        );
    }

    #[test]
    fn schemas() {
        assert_eq!(
            call(
                "json.match_schema",
                &[v(r#"{"a": 1}"#), v(r#"{"type": "object"}"#)]
            ),
            Ok(Some(v("[true, []]")))
        );
        let r = call(
            "json.match_schema",
            &[
                v(r#"{"a": 1}"#),
                v(r#"{"properties": {"a": {"type": "string"}}}"#),
            ],
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.to_json()[0], serde_json::Value::Bool(false));
        assert_eq!(
            call("json.verify_schema", &[v(r#"{"type": "object"}"#)]),
            Ok(Some(v("[true, null]")))
        );
    }
}
