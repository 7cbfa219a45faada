//! The Gatekeeper policies the benchmarks evaluate: every template of the
//! shared Gatekeeper library (`library/general/<policy>/template.yaml`
//! with its first sample's `constraint.yaml`) and of the project's own
//! `policies/gatekeeper/`, each also rewritten to Rego v1
//! ([`crate::regov1`]) so that a v1-only evaluator can run the same text.

use regowasm_runtime::admission::{Constraint, ConstraintTemplate};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One template with the constraint the benchmarks enforce.
#[derive(Debug, Clone)]
pub struct TemplateCase {
    /// Where it comes from: `library/<policy>` or `policies/<policy>`.
    pub name: String,
    /// The template as written.
    pub original: ConstraintTemplate,
    /// The same template with its Rego rewritten to v1.
    pub v1: ConstraintTemplate,
    /// The constraint (a sample of the library, or the project's own).
    pub constraint: Constraint,
    /// Example objects next to the constraint (for equivalence checks).
    pub examples: Vec<Value>,
}

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The shared Gatekeeper library: `$REGOWASM_GATEKEEPER_LIBRARY`, else
/// `shared/gatekeeper-library` next to the workspace or its parent.
pub fn gatekeeper_library() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("REGOWASM_GATEKEEPER_LIBRARY") {
        let p = PathBuf::from(p);
        return p.join("library").is_dir().then_some(p);
    }
    let root = workspace_root();
    [
        root.join("../shared/gatekeeper-library"),
        root.join("../../shared/gatekeeper-library"),
    ]
    .into_iter()
    .find(|p| p.join("library").is_dir())
}

fn read_yaml_docs(path: &Path) -> Result<Vec<Value>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut docs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(&text) {
        let v: Value = serde::Deserialize::deserialize(doc)
            .map_err(|e| format!("parsing {}: {e}", path.display()))?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

fn first_doc(path: &Path) -> Result<Value, String> {
    read_yaml_docs(path)?
        .into_iter()
        .next()
        .ok_or_else(|| format!("{} is empty", path.display()))
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn to_v1(t: &ConstraintTemplate) -> ConstraintTemplate {
    let mut v1 = t.clone();
    v1.source.rego = crate::regov1::to_v1(&t.source.rego);
    v1.source.libs = t
        .source
        .libs
        .iter()
        .map(|l| crate::regov1::to_v1(l))
        .collect();
    v1.source.version = Some("v1".to_string());
    v1
}

fn case(
    name: String,
    template: &Path,
    constraint: &Path,
    examples_dir: &Path,
) -> Result<TemplateCase, String> {
    let original = ConstraintTemplate::from_value(&first_doc(template)?)
        .map_err(|e| format!("{name}: {e}"))?;
    let constraint =
        Constraint::from_value(&first_doc(constraint)?).map_err(|e| format!("{name}: {e}"))?;
    let mut examples = Vec::new();
    for f in yaml_files(examples_dir) {
        if f.file_name().is_some_and(|n| n == "constraint.yaml") {
            continue;
        }
        if let Ok(docs) = read_yaml_docs(&f) {
            examples.extend(docs.into_iter().filter(|d| d.get("kind").is_some()));
        }
    }
    Ok(TemplateCase {
        name,
        v1: to_v1(&original),
        original,
        constraint,
        examples,
    })
}

/// Every template case found, and a message per policy that could not be
/// read.
pub fn gatekeeper_cases() -> (Vec<TemplateCase>, Vec<String>) {
    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    if let Some(lib) = gatekeeper_library() {
        for dir in sorted_dirs(&lib.join("library/general")) {
            let policy = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Some(sample) = sorted_dirs(&dir.join("samples")).into_iter().next() else {
                skipped.push(format!("library/{policy}: no sample constraint"));
                continue;
            };
            match case(
                format!("library/{policy}"),
                &dir.join("template.yaml"),
                &sample.join("constraint.yaml"),
                &sample,
            ) {
                Ok(c) => cases.push(c),
                Err(e) => skipped.push(e),
            }
        }
    } else {
        skipped.push(
            "the shared Gatekeeper library was not found (set REGOWASM_GATEKEEPER_LIBRARY)".into(),
        );
    }
    for dir in sorted_dirs(&workspace_root().join("policies/gatekeeper")) {
        let policy = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match case(
            format!("policies/{policy}"),
            &dir.join("template.yaml"),
            &dir.join("constraint.yaml"),
            &dir.join("examples"),
        ) {
            Ok(c) => cases.push(c),
            Err(e) => skipped.push(e),
        }
    }
    (cases, skipped)
}
