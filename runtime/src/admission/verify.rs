//! gator `verify` suites (`test.gatekeeper.sh/v1alpha1` `Suite`).
//!
//! A suite lists tests; a test names a ConstraintTemplate and a Constraint
//! (paths relative to the suite file) and cases; a case names an object to
//! review (a plain object, or an `AdmissionReview` carrying a request with
//! `operation`, `oldObject`, `userInfo`, ...), optional inventory files and
//! assertions `violations: yes | no | <N>` with an optional `message`
//! regular expression. `invalid: true` on a test expects the constraint to
//! fail schema validation; `skip: true` skips a suite, test or case.
//!
//! Extension: a test may name a Kubewarden-style `policy` (an
//! `AdmissionPolicy` file) instead of a template and constraint; a denial
//! then counts as one violation with the denial message, and an assertion
//! may also say `mutated: true|false`.
//!
//! Evaluation errors fail the case (gator would count them as violations;
//! here they are reported, so that an engine problem never passes a case).

use super::yaml::{group_version, read_documents, str_at};
use super::{
    AdmissionError, Constraint, ConstraintTemplate, Decision, GatekeeperPolicy, Inventory,
    OpaPolicy, OutcomeKind, PolicySet, ReviewRequest,
};
use regex::Regex;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The API group of Suite documents.
const SUITE_GROUP: &str = "test.gatekeeper.sh";

/// A test suite file.
#[derive(Debug, Clone, Deserialize)]
pub struct Suite {
    /// The path shown in output (as the user spelled the directory).
    #[serde(skip)]
    pub display_path: String,
    /// The suite file.
    #[serde(skip)]
    pub path: PathBuf,
    /// The tests.
    #[serde(default)]
    pub tests: Vec<Test>,
    /// Skip the whole suite.
    #[serde(default)]
    pub skip: bool,
}

/// One template/constraint (or policy) pair and its cases.
#[derive(Debug, Clone, Deserialize)]
pub struct Test {
    /// The test name.
    #[serde(default)]
    pub name: String,
    /// The ConstraintTemplate file.
    #[serde(default)]
    pub template: Option<String>,
    /// The Constraint file.
    #[serde(default)]
    pub constraint: Option<String>,
    /// Extension: an `AdmissionPolicy` file instead of template/constraint.
    #[serde(default)]
    pub policy: Option<String>,
    /// The cases.
    #[serde(default)]
    pub cases: Vec<Case>,
    /// Expect the constraint to fail schema validation.
    #[serde(default)]
    pub invalid: bool,
    /// Skip the test.
    #[serde(default)]
    pub skip: bool,
}

/// One object reviewed against the test's constraint.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// The case name.
    #[serde(default)]
    pub name: String,
    /// The object file (exactly one document).
    #[serde(default)]
    pub object: String,
    /// Files whose objects make up `data.inventory`.
    #[serde(default)]
    pub inventory: Vec<String>,
    /// What must hold.
    #[serde(default)]
    pub assertions: Vec<Assertion>,
    /// Skip the case.
    #[serde(default)]
    pub skip: bool,
}

/// `violations: yes | no | N`, with an optional message regex.
#[derive(Debug, Clone, Deserialize)]
pub struct Assertion {
    /// `yes` (default), `no`, or an exact count.
    #[serde(default)]
    pub violations: Option<serde_json::Value>,
    /// Only violations whose message matches this regex count.
    #[serde(default)]
    pub message: Option<String>,
    /// Extension for policy tests: whether the policy patched the object.
    #[serde(default)]
    pub mutated: Option<bool>,
}

/// Selects tests and cases by name (gator's `--run`): `regex` matches a
/// test or a case name; `test-regex//case-regex` must match both.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    test: Option<Regex>,
    case: Option<Regex>,
    either: bool,
}

impl Filter {
    /// Parse a `--run` value (empty = everything).
    pub fn new(run: &str) -> Result<Filter, String> {
        if run.is_empty() {
            return Ok(Filter::default());
        }
        let compile = |s: &str| Regex::new(s).map_err(|e| format!("invalid test filter: {e}"));
        let parts: Vec<&str> = run.split("//").collect();
        match parts.as_slice() {
            [one] => {
                let r = compile(one)?;
                Ok(Filter {
                    test: Some(r.clone()),
                    case: Some(r),
                    either: true,
                })
            }
            [t, c] => Ok(Filter {
                test: Some(compile(t)?),
                case: Some(compile(c)?),
                either: false,
            }),
            _ => Err("invalid test filter: a filter may include at most one \"//\"".into()),
        }
    }

    fn matches_test(&self, t: &Test) -> bool {
        match (&self.test, self.either) {
            (None, _) => true,
            (Some(r), true) => {
                r.is_match(&t.name) || t.cases.iter().any(|c| self.matches_case(&t.name, &c.name))
            }
            (Some(r), false) => r.is_match(&t.name),
        }
    }

    fn matches_case(&self, test: &str, case: &str) -> bool {
        match (&self.test, &self.case) {
            (Some(t), Some(c)) if self.either => c.is_match(case) || t.is_match(test),
            (Some(t), Some(c)) => c.is_match(case) && t.is_match(test),
            _ => true,
        }
    }
}

/// The result of a suite.
#[derive(Debug, Clone)]
pub struct SuiteResult {
    /// The suite path as displayed.
    pub path: String,
    /// An error that stopped the suite.
    pub error: Option<String>,
    /// Time taken.
    pub runtime: Duration,
    /// Per-test results.
    pub tests: Vec<TestResult>,
    /// The suite was skipped.
    pub skipped: bool,
}

/// The result of a test.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The test name.
    pub name: String,
    /// Skipped (by `skip` or the filter).
    pub skipped: bool,
    /// An error that stopped the test (template, constraint).
    pub error: Option<String>,
    /// Time taken.
    pub runtime: Duration,
    /// Per-case results.
    pub cases: Vec<CaseResult>,
}

/// The result of a case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case name.
    pub name: String,
    /// Skipped (by `skip` or the filter).
    pub skipped: bool,
    /// Why the case failed.
    pub error: Option<String>,
    /// Time taken.
    pub runtime: Duration,
}

impl SuiteResult {
    /// Did anything fail?
    pub fn is_failure(&self) -> bool {
        self.error.is_some() || self.tests.iter().any(TestResult::is_failure)
    }
}

impl TestResult {
    /// Did the test or one of its cases fail?
    pub fn is_failure(&self) -> bool {
        self.error.is_some() || self.cases.iter().any(|c| c.error.is_some())
    }
}

/// Counts over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Suites run.
    pub suites: usize,
    /// Cases passed.
    pub passed: usize,
    /// Cases failed (including cases of a test that could not run).
    pub failed: usize,
    /// Cases skipped.
    pub skipped: usize,
    /// Tests that failed before running cases.
    pub test_errors: usize,
}

/// Count passed, failed and skipped cases.
pub fn counts(results: &[SuiteResult]) -> Counts {
    let mut c = Counts {
        suites: results.len(),
        ..Counts::default()
    };
    for s in results {
        for t in &s.tests {
            if t.error.is_some() {
                c.test_errors += 1;
            }
            for case in &t.cases {
                match (case.skipped, &case.error) {
                    (true, _) => c.skipped += 1,
                    (false, Some(_)) => c.failed += 1,
                    (false, None) => c.passed += 1,
                }
            }
        }
    }
    c
}

/// Find the suites at `target`: a suite file, or every `Suite` document in
/// `*.yaml`/`*.yml` files under a directory (recursively; a trailing `/...`
/// as in gator is accepted). Suites are returned in path order.
pub fn find_suites(target: &str) -> Result<Vec<Suite>, AdmissionError> {
    let display = target.strip_suffix("/...").unwrap_or(target);
    let root = Path::new(display);
    let meta = std::fs::metadata(root).map_err(|source| AdmissionError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    if meta.is_dir() {
        walk_yaml(root, &mut files)?;
    } else {
        match root.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => files.push(root.to_path_buf()),
            ext => {
                return Err(AdmissionError::parse(
                    display,
                    format!("unsupported extension {:?}", ext.unwrap_or("")),
                ));
            }
        }
    }
    files.sort();
    let mut suites = Vec::new();
    for f in files {
        let text = super::yaml::read_text(&f)?;
        let docs = super::yaml::documents(&text, &f.display().to_string())?;
        let Some(doc) = docs.first() else { continue };
        let (group, _) = group_version(str_at(doc, &["apiVersion"]).unwrap_or(""));
        if group != SUITE_GROUP || str_at(doc, &["kind"]) != Some("Suite") {
            continue;
        }
        let mut suite: Suite = serde_json::from_value(doc.clone()).map_err(|e| {
            AdmissionError::parse(f.display().to_string(), format!("invalid yaml: {e}"))
        })?;
        suite.display_path = f.display().to_string();
        suite.path = f;
        suites.push(suite);
    }
    Ok(suites)
}

fn walk_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), AdmissionError> {
    let io = |source| AdmissionError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            walk_yaml(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// Run a suite.
pub fn run_suite(suite: &Suite, filter: &Filter) -> SuiteResult {
    let start = Instant::now();
    if suite.skip {
        return SuiteResult {
            path: suite.display_path.clone(),
            error: None,
            runtime: start.elapsed(),
            tests: Vec::new(),
            skipped: true,
        };
    }
    let dir = suite.path.parent().unwrap_or(Path::new("."));
    let tests = suite
        .tests
        .iter()
        .map(|t| {
            if t.skip || !filter.matches_test(t) {
                TestResult {
                    name: t.name.clone(),
                    skipped: true,
                    error: None,
                    runtime: Duration::ZERO,
                    cases: Vec::new(),
                }
            } else {
                run_test(dir, t, filter)
            }
        })
        .collect();
    SuiteResult {
        path: suite.display_path.clone(),
        error: None,
        runtime: start.elapsed(),
        tests,
        skipped: false,
    }
}

/// Run every suite at `target` (see [`find_suites`]).
pub fn run(target: &str, filter: &Filter) -> Result<Vec<SuiteResult>, AdmissionError> {
    Ok(find_suites(target)?
        .iter()
        .map(|s| run_suite(s, filter))
        .collect())
}

fn run_test(dir: &Path, t: &Test, filter: &Filter) -> TestResult {
    let start = Instant::now();
    let mut result = TestResult {
        name: t.name.clone(),
        skipped: false,
        error: None,
        runtime: Duration::ZERO,
        cases: Vec::new(),
    };
    match build_set(dir, t) {
        Err(e) => result.error = Some(e),
        Ok(None) => {} // invalid constraint, as expected
        Ok(Some(set)) => {
            result.cases = t
                .cases
                .iter()
                .map(|c| {
                    if c.skip || !filter.matches_case(&t.name, &c.name) {
                        CaseResult {
                            name: c.name.clone(),
                            skipped: true,
                            error: None,
                            runtime: Duration::ZERO,
                        }
                    } else {
                        let start = Instant::now();
                        let error = run_case(dir, &set, c).err();
                        CaseResult {
                            name: c.name.clone(),
                            skipped: false,
                            error,
                            runtime: start.elapsed(),
                        }
                    }
                })
                .collect();
        }
    }
    result.runtime = start.elapsed();
    result
}

/// The policy set of a test; `Ok(None)` for an `invalid` test whose
/// constraint failed schema validation as expected.
fn build_set(dir: &Path, t: &Test) -> Result<Option<PolicySet>, String> {
    let mut set = PolicySet::new();
    if let Some(policy) = &t.policy {
        let path = dir.join(policy);
        let docs = read_documents(&path).map_err(|e| e.to_string())?;
        let doc = single(&docs, &path)?;
        let base = path.parent().unwrap_or(dir);
        let p = OpaPolicy::from_value(doc, base).map_err(|e| format!("adding policy: {e}"))?;
        set.add_opa_policy(p).map_err(|e| e.to_string())?;
        return Ok(Some(set));
    }
    let template_path = t
        .template
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or("invalid Suite: missing template")?;
    let path = dir.join(template_path);
    let docs = read_documents(&path).map_err(|e| e.to_string())?;
    let template = ConstraintTemplate::from_value(single(&docs, &path)?)
        .map_err(|e| format!("adding template: {e}"))?;
    let compiled =
        GatekeeperPolicy::compile(template).map_err(|e| format!("adding template: {e}"))?;
    set.add_template(compiled).map_err(|e| e.to_string())?;
    let constraint_path = t
        .constraint
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or("invalid Suite: missing constraint")?;
    let path = dir.join(constraint_path);
    let docs = read_documents(&path).map_err(|e| e.to_string())?;
    let added = Constraint::from_value(single(&docs, &path)?).and_then(|c| set.add_constraint(c));
    match (added, t.invalid) {
        (Ok(()), false) => Ok(Some(set)),
        (Err(AdmissionError::Schema { .. }), true) => Ok(None),
        (Ok(()), true) => Err("constraint should have failed schema validation".into()),
        (Err(e), true) => Err(format!(
            "constraint should have failed schema validation: got error {e}"
        )),
        (Err(e), false) => Err(format!("adding constraint: {e}")),
    }
}

fn single<'a>(docs: &'a [serde_json::Value], path: &Path) -> Result<&'a serde_json::Value, String> {
    match docs {
        [one] => Ok(one),
        [] => Err(format!(
            "missing objects: path {:?} defines no YAML objects",
            path.display().to_string()
        )),
        many => Err(format!(
            "object file must contain exactly one object: {:?} defines {} objects",
            path.display().to_string(),
            many.len()
        )),
    }
}

fn run_case(dir: &Path, set: &PolicySet, c: &Case) -> Result<(), String> {
    if c.object.is_empty() {
        return Err("invalid Case: must define object".into());
    }
    if c.assertions.is_empty() {
        return Err("invalid Case: assertions must be non-empty".into());
    }
    let path = dir.join(&c.object);
    let docs = read_documents(&path).map_err(|e| e.to_string())?;
    let obj = single(&docs, &path)?;
    let mut inventory = Inventory::new();
    for inv in &c.inventory {
        let p = dir.join(inv);
        let objs = read_documents(&p).map_err(|e| e.to_string())?;
        if objs.is_empty() {
            return Err(format!(
                "missing objects: path {:?} defines no YAML objects",
                p.display().to_string()
            ));
        }
        for o in objs {
            inventory
                .add(o)
                .map_err(|e| format!("unable to add object to data.inventory: {e}"))?;
        }
    }
    let (group, _) = group_version(str_at(obj, &["apiVersion"]).unwrap_or(""));
    let request =
        if str_at(obj, &["kind"]) == Some("AdmissionReview") && group == "admission.k8s.io" {
            ReviewRequest::from_admission_review(obj).map_err(|e| e.to_string())?
        } else {
            ReviewRequest::from_object(obj).map_err(|e| e.to_string())?
        };
    let decision = set.decide_with_inventory(&request, &inventory);
    let errors: Vec<String> = decision
        .errors()
        .map(|(p, m)| format!("{p}: {m}"))
        .collect();
    if !errors.is_empty() {
        return Err(format!("evaluation error: {}", errors.join("; ")));
    }
    let messages = messages(&decision);
    let mutated = decision
        .outcomes
        .iter()
        .any(|o| matches!(o.kind, OutcomeKind::Verdict { mutated: true, .. }));
    for a in &c.assertions {
        check(a, &messages, mutated)?;
    }
    Ok(())
}

/// The "violations" of a decision: Gatekeeper violations (any action) and
/// OPA denials.
fn messages(d: &Decision) -> Vec<String> {
    let mut out: Vec<String> = d.violations().map(|v| v.msg.clone()).collect();
    for o in &d.outcomes {
        if let OutcomeKind::Verdict {
            allowed: false,
            message,
            ..
        } = &o.kind
        {
            out.push(message.clone());
        }
    }
    out
}

fn check(a: &Assertion, messages: &[String], mutated: bool) -> Result<(), String> {
    let regex = match &a.message {
        Some(m) => Some(
            Regex::new(m)
                .map_err(|e| format!("message contains invalid regular expression: {e}"))?,
        ),
        None => None,
    };
    let matching = messages
        .iter()
        .filter(|m| regex.as_ref().is_none_or(|r| r.is_match(m)))
        .count();
    let got = format!("got messages [{}]", messages.join(" "));
    let containing = a
        .message
        .as_ref()
        .map(|m| format!(" containing {m:?}"))
        .unwrap_or_default();
    let fail = |want: String| {
        Err(format!(
            "unexpected number of violations: got {matching} violations{containing} but want {want}: {got}"
        ))
    };
    match &a.violations {
        None if a.mutated.is_some() && a.message.is_none() => {}
        None => {
            if matching == 0 {
                return fail("at least 1".into());
            }
        }
        Some(serde_json::Value::String(s)) if s == "yes" => {
            if matching == 0 {
                return fail("at least 1".into());
            }
        }
        Some(serde_json::Value::String(s)) if s == "no" => {
            if matching > 0 {
                return fail("none".into());
            }
        }
        Some(serde_json::Value::Number(n)) if n.as_u64().is_some() => {
            let want = n.as_u64().unwrap_or(0);
            if u64::try_from(matching).ok() != Some(want) {
                return fail(format!("exactly {want}"));
            }
        }
        Some(_) => {
            return Err(
                "invalid yaml: assertion.violation, if set, must be a nonnegative integer, \"yes\", or \"no\""
                    .into(),
            );
        }
    }
    if let Some(want) = a.mutated
        && want != mutated
    {
        return Err(format!(
            "unexpected mutation: the object was {}patched",
            if mutated { "" } else { "not " }
        ));
    }
    Ok(())
}

fn secs(d: Duration) -> String {
    format!("{:.3}s", d.as_secs_f64())
}

/// Render results as `gator verify` does (Go test style), ending with
/// `PASS` or `FAIL`.
pub fn print_go(results: &[SuiteResult], verbose: bool) -> String {
    let mut w = String::new();
    let mut fail = false;
    for s in results {
        for t in &s.tests {
            if verbose {
                if t.skipped {
                    let _ = writeln!(w, "=== SKIP  {}", t.name);
                    continue;
                }
                let _ = writeln!(w, "=== RUN   {}", t.name);
            }
            for c in &t.cases {
                if verbose {
                    if c.skipped {
                        let _ = writeln!(w, "    === SKIP  {}", c.name);
                        continue;
                    }
                    let _ = writeln!(w, "    === RUN   {}", c.name);
                }
                if let Some(e) = &c.error {
                    let _ = writeln!(
                        w,
                        "    --- FAIL: {}\t({})\n        {}",
                        c.name,
                        secs(c.runtime),
                        e
                    );
                } else if verbose {
                    let _ = writeln!(w, "    --- PASS: {}\t({})", c.name, secs(c.runtime));
                }
            }
            if t.is_failure() {
                let _ = writeln!(w, "--- FAIL: {}\t({})", t.name, secs(t.runtime));
                if let Some(e) = &t.error {
                    let _ = writeln!(w, "  {e}");
                }
            } else if verbose {
                let _ = writeln!(w, "--- PASS: {}\t({})", t.name, secs(t.runtime));
            }
        }
        if s.is_failure() {
            fail = true;
            let _ = writeln!(w, "FAIL\t{}\t{}", s.path, secs(s.runtime));
            if let Some(e) = &s.error {
                let _ = writeln!(w, "  {e}");
            }
        } else {
            let _ = writeln!(w, "ok\t{}\t{}", s.path, secs(s.runtime));
        }
    }
    w.push_str(if fail { "FAIL\n" } else { "PASS\n" });
    w
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn test(name: &str, cases: &[&str]) -> Test {
        Test {
            name: name.into(),
            template: None,
            constraint: None,
            policy: None,
            cases: cases
                .iter()
                .map(|c| Case {
                    name: (*c).into(),
                    object: String::new(),
                    inventory: vec![],
                    assertions: vec![],
                    skip: false,
                })
                .collect(),
            invalid: false,
            skip: false,
        }
    }

    #[test]
    fn filters_follow_gator() {
        let t = test("require-foo-label", &["missing-label", "ok"]);
        let f = Filter::new("missing").unwrap();
        assert!(f.matches_test(&t));
        assert!(f.matches_case(&t.name, "missing-label"));
        assert!(!f.matches_case(&t.name, "ok"));
        let f = Filter::new("^require-foo-label$//").unwrap();
        assert!(f.matches_test(&t) && f.matches_case(&t.name, "ok"));
        let f = Filter::new("other//ok").unwrap();
        assert!(!f.matches_test(&t));
        assert!(Filter::new("a//b//c").is_err());
    }

    #[test]
    fn assertions() {
        let msgs = vec![
            "container x has no limits".to_string(),
            "initContainer y".to_string(),
        ];
        let a = |v: serde_json::Value, m: Option<&str>| Assertion {
            violations: Some(v),
            message: m.map(String::from),
            mutated: None,
        };
        assert!(check(&a(serde_json::json!("yes"), None), &msgs, false).is_ok());
        assert!(check(&a(serde_json::json!("no"), None), &msgs, false).is_err());
        assert!(check(&a(serde_json::json!(2), None), &msgs, false).is_ok());
        assert!(check(&a(serde_json::json!(1), Some("^init")), &msgs, false).is_ok());
        let err = check(&a(serde_json::json!(0), Some("container")), &msgs, false).unwrap_err();
        assert!(
            err.starts_with("unexpected number of violations: got 1 violations containing"),
            "{err}"
        );
        assert!(check(&a(serde_json::json!("maybe"), None), &msgs, false).is_err());
        assert!(check(&a(serde_json::json!("no"), None), &[], false).is_ok());
    }
}
