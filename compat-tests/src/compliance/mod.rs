//! The OPA compliance-suite runner.
//!
//! Loads OPA's compliance YAML cases ([`case`]), runs each on one or more
//! engines ([`engines`]: `rego`, `oracle`, `wasm`), judges every outcome
//! against the case's expectations ([`judge`]) and reports per folder and
//! engine ([`Report`]), with a baseline of passing cases to catch
//! regressions.

pub mod case;
pub mod engines;

pub use case::{Case, LoadError, RegoVersion, load_corpus};
pub use engines::{
    ComplianceEngine, OracleEngine, Outcome, RegoEngine, WRAPPER_ENTRYPOINT, WasmEngine,
    runtime_executor, wasm_result_to_outcome,
};

use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// The verdict on one case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Matched the expectation.
    Pass,
    /// Did not.
    Fail,
    /// Not run.
    Skip,
}

/// One case's verdict with the reason.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CaseResult {
    /// `<file>#<index>`.
    pub id: String,
    /// Report folder.
    pub folder: String,
    /// The case note.
    pub note: String,
    /// Verdict.
    pub status: Status,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// For a failure: its class (see [`classify_failure`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub class: String,
}

/// The failure classes, in report order.
pub const FAILURE_CLASSES: &[&str] = &[
    "missing builtin",
    "error message differs",
    "error code differs",
    "engine panic",
    "unexpected error",
    "error expected, got results",
    "results differ",
];

/// Classify a failure from its detail and the engine's known cause.
pub fn classify_failure(detail: &str, known_cause: Option<&str>) -> &'static str {
    if known_cause.is_some_and(|c| c.starts_with("missing builtin")) {
        "missing builtin"
    } else if detail.contains("panicked") {
        "engine panic"
    } else if detail.starts_with("error message") {
        "error message differs"
    } else if detail.starts_with("error code") {
        "error code differs"
    } else if detail.starts_with("unexpected error") {
        "unexpected error"
    } else if detail.starts_with("want error") {
        "error expected, got results"
    } else {
        "results differ"
    }
}

/// Numbers compared numerically, arrays/objects structurally.
pub fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Sort key for JSON values (used for `sort_bindings`): OPA's type order,
/// then value.
fn json_cmp(a: &Json, b: &Json) -> std::cmp::Ordering {
    fn rank(v: &Json) -> u8 {
        match v {
            Json::Null => 0,
            Json::Bool(_) => 1,
            Json::Number(_) => 2,
            Json::String(_) => 3,
            Json::Array(_) => 4,
            Json::Object(_) => 5,
        }
    }
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(std::cmp::Ordering::Equal),
        (Json::Bool(x), Json::Bool(y)) => x.cmp(y),
        (Json::String(x), Json::String(y)) => x.cmp(y),
        (Json::Array(x), Json::Array(y)) => {
            for (p, q) in x.iter().zip(y) {
                let o = json_cmp(p, q);
                if o.is_ne() {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

fn sorted_bindings(row: &serde_json::Map<String, Json>) -> serde_json::Map<String, Json> {
    row.iter()
        .map(|(k, v)| {
            let v = match v {
                Json::Array(items) => {
                    let mut items = items.clone();
                    items.sort_by(json_cmp);
                    Json::Array(items)
                }
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

/// Compare solution lists as multisets of binding objects; with
/// `sort_bindings`, array values are compared without regard to order.
pub fn results_match(
    want: &[serde_json::Map<String, Json>],
    got: &[serde_json::Map<String, Json>],
    sort_bindings: bool,
) -> bool {
    if want.len() != got.len() {
        return false;
    }
    let norm = |r: &serde_json::Map<String, Json>| {
        if sort_bindings {
            Json::Object(sorted_bindings(r))
        } else {
            Json::Object(r.clone())
        }
    };
    let mut unused: Vec<Json> = got.iter().map(norm).collect();
    for w in want.iter().map(norm) {
        match unused.iter().position(|g| json_eq(&w, g)) {
            Some(i) => {
                unused.swap_remove(i);
            }
            None => return false,
        }
    }
    true
}

/// A one-line form of an error message: regorus' multi-line diagnostics
/// become `<location> <error line>`.
pub fn condense(message: &str) -> String {
    let keep: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("-->") || l.starts_with("error:"))
        .collect();
    if keep.is_empty() {
        message.replace('\n', " ")
    } else {
        keep.join(" ")
    }
}

fn short(v: &impl std::fmt::Display) -> String {
    let s = condense(&v.to_string());
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

/// Judge an engine's outcome against a case's expectations.
pub fn judge(case: &Case, outcome: &Outcome) -> (Status, String) {
    if let Outcome::Skip(why) = outcome {
        return (Status::Skip, why.clone());
    }
    let wants_error = case.want_error.is_some() || case.want_error_code.is_some();
    if wants_error {
        return match outcome {
            Outcome::Error { code, message } => {
                if let Some(want) = &case.want_error_code
                    && code.as_deref() != Some(want.as_str())
                {
                    return (
                        Status::Fail,
                        format!("error code: want {want}, got {code:?} ({})", short(message)),
                    );
                }
                if let Some(want) = &case.want_error
                    && !message.contains(want.as_str())
                {
                    return (
                        Status::Fail,
                        format!("error message: want …{want}…, got {}", short(message)),
                    );
                }
                (Status::Pass, String::new())
            }
            Outcome::Results(got) => (
                Status::Fail,
                format!(
                    "want error {:?}/{:?}, got {} solution(s): {}",
                    case.want_error_code,
                    case.want_error,
                    got.len(),
                    short(&Json::from(
                        got.iter().cloned().map(Json::Object).collect::<Vec<_>>()
                    ))
                ),
            ),
            Outcome::Skip(_) => (Status::Skip, String::new()),
        };
    }
    let stripped: Vec<serde_json::Map<String, Json>>;
    let got = match outcome {
        Outcome::Results(got) if case.ignore_generated_vars => {
            stripped = got
                .iter()
                .map(|row| {
                    row.iter()
                        .filter(|(k, _)| !(k.starts_with("__") && k.ends_with("__")))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .collect();
            &stripped
        }
        Outcome::Results(got) => got,
        Outcome::Error { code, message } => {
            return (
                Status::Fail,
                format!("unexpected error {code:?}: {}", short(message)),
            );
        }
        Outcome::Skip(_) => return (Status::Skip, String::new()),
    };
    if let Some(defined) = case.want_defined {
        return if got.is_empty() != defined {
            (Status::Pass, String::new())
        } else {
            (
                Status::Fail,
                format!("want defined={defined}, got {} solution(s)", got.len()),
            )
        };
    }
    match &case.want_result {
        Some(want) if results_match(want, got, case.sort_bindings) => (Status::Pass, String::new()),
        Some(want) => (
            Status::Fail,
            format!(
                "results: want {}, got {}",
                short(&Json::from(
                    want.iter().cloned().map(Json::Object).collect::<Vec<_>>()
                )),
                short(&Json::from(
                    got.iter().cloned().map(Json::Object).collect::<Vec<_>>()
                ))
            ),
        ),
        None => (Status::Skip, "case states no expectation".into()),
    }
}

/// Run one case on an engine (honouring `skip` and `env`).
pub fn run_case(engine: &mut dyn ComplianceEngine, case: &Case) -> CaseResult {
    let (status, detail) = if case.skip {
        (Status::Skip, "marked skip in the corpus".to_string())
    } else if case.env.is_some() {
        (
            Status::Skip,
            "needs environment variables (env)".to_string(),
        )
    } else {
        judge(case, &engine.run(case))
    };
    let (class, detail) = if status == Status::Fail {
        let cause = engine.known_cause(case);
        let class = classify_failure(&detail, cause.as_deref()).to_string();
        let detail = match cause {
            Some(c) => format!("{c}; {detail}"),
            None => detail,
        };
        (class, detail)
    } else {
        (String::new(), detail)
    };
    CaseResult {
        id: case.id(),
        folder: case.folder.clone(),
        note: case.note.clone(),
        status,
        detail,
        class,
    }
}

/// Counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Skipped.
    pub skip: usize,
}

impl Tally {
    fn add(&mut self, s: &Status) {
        match s {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Skip => self.skip += 1,
        }
    }

    /// Pass rate over the cases that ran (pass + fail), in percent.
    pub fn rate(&self) -> f64 {
        let ran = self.pass + self.fail;
        if ran == 0 {
            0.0
        } else {
            #[allow(clippy::cast_precision_loss)]
            let r = self.pass as f64 * 100.0 / ran as f64;
            r
        }
    }
}

/// One engine's results.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EngineReport {
    /// Engine name.
    pub engine: String,
    /// Totals.
    pub total: Tally,
    /// Per folder.
    pub folders: BTreeMap<String, Tally>,
    /// Every case.
    pub cases: Vec<CaseResult>,
}

impl EngineReport {
    /// Build from case results.
    pub fn new(engine: &str, cases: Vec<CaseResult>) -> EngineReport {
        let mut total = Tally::default();
        let mut folders: BTreeMap<String, Tally> = BTreeMap::new();
        for c in &cases {
            total.add(&c.status);
            folders.entry(c.folder.clone()).or_default().add(&c.status);
        }
        EngineReport {
            engine: engine.to_string(),
            total,
            folders,
            cases,
        }
    }
}

/// Run every case on an engine.
pub fn run_engine(engine: &mut dyn ComplianceEngine, cases: &[Case]) -> EngineReport {
    let results = cases.iter().map(|c| run_case(engine, c)).collect();
    EngineReport::new(engine.name(), results)
}

/// The whole report.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Report {
    /// One entry per engine run.
    pub engines: Vec<EngineReport>,
}

impl Report {
    /// As Markdown: a summary table (engine × pass/fail/skip/rate), then a
    /// per-folder table with one column per engine.
    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "| engine | pass | fail | skipped | pass rate (of run) |\n|---|---:|---:|---:|---:|\n",
        );
        for e in &self.engines {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {:.1}% |\n",
                e.engine,
                e.total.pass,
                e.total.fail,
                e.total.skip,
                e.total.rate()
            ));
        }
        out.push_str("\n| failure class |");
        for e in &self.engines {
            out.push_str(&format!(" {} |", e.engine));
        }
        out.push_str("\n|---|");
        for _ in &self.engines {
            out.push_str("---:|");
        }
        out.push('\n');
        for class in FAILURE_CLASSES {
            out.push_str(&format!("| {class} |"));
            for e in &self.engines {
                let n = e.cases.iter().filter(|c| c.class == *class).count();
                out.push_str(&format!(" {n} |"));
            }
            out.push('\n');
        }
        let folders: BTreeSet<&String> =
            self.engines.iter().flat_map(|e| e.folders.keys()).collect();
        out.push_str("\n| folder |");
        for e in &self.engines {
            out.push_str(&format!(" {} (pass/fail/skip) |", e.engine));
        }
        out.push_str("\n|---|");
        for _ in &self.engines {
            out.push_str("---|");
        }
        out.push('\n');
        for f in folders {
            out.push_str(&format!("| {f} |"));
            for e in &self.engines {
                let t = e.folders.get(f).copied().unwrap_or_default();
                out.push_str(&format!(" {}/{}/{} |", t.pass, t.fail, t.skip));
            }
            out.push('\n');
        }
        out
    }
}

/// The checked-in list of case ids that pass on an engine.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    /// Engine name.
    pub engine: String,
    /// Passing case ids, sorted.
    pub passing: BTreeSet<String>,
}

impl Baseline {
    /// The baseline of a report.
    pub fn from_report(r: &EngineReport) -> Baseline {
        Baseline {
            engine: r.engine.clone(),
            passing: r
                .cases
                .iter()
                .filter(|c| c.status == Status::Pass)
                .map(|c| c.id.clone())
                .collect(),
        }
    }

    /// Cases that passed in the baseline and fail now (skips are not
    /// regressions; cases no longer in the corpus are ignored).
    pub fn regressions<'a>(&self, r: &'a EngineReport) -> Vec<&'a CaseResult> {
        r.cases
            .iter()
            .filter(|c| c.status == Status::Fail && self.passing.contains(&c.id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use serde_json::json;

    fn rows(v: Json) -> Vec<serde_json::Map<String, Json>> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_object().unwrap().clone())
            .collect()
    }

    fn case(yaml: &str) -> Case {
        case::parse_file("v1/f/t.yaml", yaml).unwrap().remove(0)
    }

    #[test]
    fn compares_results() {
        let want = rows(json!([{"x": 1}, {"x": [2, 1]}]));
        assert!(results_match(
            &want,
            &rows(json!([{"x": [2, 1]}, {"x": 1.0}])),
            false
        ));
        assert!(!results_match(
            &want,
            &rows(json!([{"x": [1, 2]}, {"x": 1}])),
            false
        ));
        assert!(results_match(
            &want,
            &rows(json!([{"x": [1, 2]}, {"x": 1}])),
            true
        ));
        assert!(!results_match(&want, &rows(json!([{"x": 1}])), false));
        assert!(!results_match(
            &want,
            &rows(json!([{"x": 1}, {"x": 1}])),
            false
        ));
        assert!(results_match(&[], &[], false));
    }

    #[test]
    fn judges_errors_for_real() {
        let c = case(
            "cases:\n- note: n\n  query: x = 1\n  want_error_code: eval_conflict_error\n  want_error: two values\n",
        );
        let ok = Outcome::Error {
            code: Some("eval_conflict_error".into()),
            message: "t.rego:3: eval_conflict_error: two values".into(),
        };
        assert_eq!(judge(&c, &ok).0, Status::Pass);
        let wrong_code = Outcome::Error {
            code: Some("eval_type_error".into()),
            message: "two values".into(),
        };
        assert_eq!(judge(&c, &wrong_code).0, Status::Fail);
        let wrong_msg = Outcome::Error {
            code: Some("eval_conflict_error".into()),
            message: "other".into(),
        };
        assert_eq!(judge(&c, &wrong_msg).0, Status::Fail);
        assert_eq!(judge(&c, &Outcome::Results(vec![])).0, Status::Fail);

        let r = case("cases:\n- note: n\n  query: x = 1\n  want_result: []\n");
        assert_eq!(judge(&r, &Outcome::Results(vec![])).0, Status::Pass);
        assert_eq!(judge(&r, &ok).0, Status::Fail);
        assert_eq!(
            judge(&r, &Outcome::Skip("why".into())),
            (Status::Skip, "why".into())
        );
    }

    #[test]
    fn baseline_finds_regressions_only() {
        let mk = |id: &str, status: Status| CaseResult {
            id: id.into(),
            folder: "v1/f".into(),
            note: String::new(),
            status,
            detail: String::new(),
            class: String::new(),
        };
        let before = EngineReport::new(
            "rego",
            vec![
                mk("a", Status::Pass),
                mk("b", Status::Pass),
                mk("c", Status::Fail),
            ],
        );
        let base = Baseline::from_report(&before);
        assert_eq!(base.passing.len(), 2);
        let after = EngineReport::new(
            "rego",
            vec![
                mk("a", Status::Fail),
                mk("b", Status::Skip),
                mk("c", Status::Pass),
            ],
        );
        let reg: Vec<_> = base
            .regressions(&after)
            .iter()
            .map(|c| c.id.clone())
            .collect();
        assert_eq!(reg, vec!["a"]);
        assert_eq!(
            after.total,
            Tally {
                pass: 1,
                fail: 1,
                skip: 1
            }
        );
        let md = Report {
            engines: vec![after],
        }
        .markdown();
        assert!(md.contains("| rego | 1 | 1 | 1 | 50.0% |"), "{md}");
        assert!(md.contains("| v1/f | 1/1/1 |"), "{md}");
    }
}
