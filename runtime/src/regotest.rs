//! Rego unit tests, as `opa test` runs them.
//!
//! Every `.rego` file under the given paths is loaded (Rego v1 first, v0
//! when that does not parse, per file). Rules named `test_*` are tests;
//! `todo_test_*` rules are reported as skipped. A test passes when its
//! value is defined and not `false`; it fails when undefined or `false`,
//! and is an error when evaluation fails. Tests with the same name in one
//! package are run separately and reported as `test_x`, `test_x#01`, ...
//!
//! All modules share one data document, as with `opa test`. If they do
//! not compile together, each directory is compiled on its own so that one
//! broken policy does not hide the results of the others (its failure is
//! reported as a load error).

use regex::Regex;
use regorus::unstable::{Rule, RuleHead};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options of a test run.
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// Only tests whose `data.<package>.<name>` matches run.
    pub run: Option<Regex>,
    /// Deadline per test. Default 5 s.
    pub timeout: Duration,
}

impl Default for TestOptions {
    fn default() -> Self {
        TestOptions {
            run: None,
            timeout: Duration::from_secs(5),
        }
    }
}

/// How a test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestOutcome {
    /// Defined and not false.
    Pass,
    /// Undefined or false.
    Fail,
    /// Evaluation failed.
    Error(String),
    /// A `todo_test_*` rule.
    Skip,
}

/// One test's result.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The file defining the test.
    pub file: PathBuf,
    /// The package, `data.x.y`.
    pub package: String,
    /// The name as reported (`test_x`, or `test_x#01` for a duplicate).
    pub name: String,
    /// The outcome.
    pub outcome: TestOutcome,
    /// Time taken.
    pub duration: Duration,
}

/// The results of a run.
#[derive(Debug, Clone, Default)]
pub struct TestReport {
    /// Per-test results, in file order.
    pub results: Vec<TestResult>,
    /// Files or directories that could not be loaded, with the cause.
    pub load_errors: Vec<(PathBuf, String)>,
}

impl TestReport {
    /// Count results with an outcome.
    pub fn count(&self, pred: impl Fn(&TestOutcome) -> bool) -> usize {
        self.results.iter().filter(|r| pred(&r.outcome)).count()
    }

    /// `opa test`'s exit code: 0 all passed, 2 some test did not pass, 1
    /// something could not be loaded.
    pub fn exit_code(&self) -> u8 {
        if !self.load_errors.is_empty() {
            1
        } else if self.results.iter().any(|r| r.outcome != TestOutcome::Pass) {
            2
        } else {
            0
        }
    }
}

/// A loaded module with its tests.
struct Loaded {
    file: PathBuf,
    source: String,
    v0: bool,
    package: String,
    tests: Vec<TestRule>,
}

struct TestRule {
    /// Rule name in the (rewritten) source.
    rule: String,
    /// Name reported.
    display: String,
    skip: bool,
}

/// Run the tests under `paths` (files or directories).
pub fn run(paths: &[PathBuf], opts: &TestOptions) -> TestReport {
    let mut report = TestReport::default();
    let mut files = Vec::new();
    for p in paths {
        if let Err(e) = collect(p, &mut files) {
            report.load_errors.push((p.clone(), e));
        }
    }
    files.sort();
    files.dedup();

    // Parse each file on its own: syntax version, package, test rules.
    let mut loaded = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for f in files {
        match load_file(&f, &mut seen) {
            Ok(l) => loaded.push(l),
            Err(e) => report.load_errors.push((f, e)),
        }
    }

    match compile(&loaded, opts) {
        Ok(mut engine) => run_group(&mut engine, &loaded, opts, &mut report),
        Err(all_err) => {
            // Isolate by directory.
            let mut groups: BTreeMap<PathBuf, Vec<&Loaded>> = BTreeMap::new();
            for l in &loaded {
                let dir = l.file.parent().map(Path::to_path_buf).unwrap_or_default();
                groups.entry(dir).or_default().push(l);
            }
            tracing::debug!(error = %all_err, "modules do not compile together; compiling per directory");
            for (dir, group) in groups {
                let owned: Vec<&Loaded> = group;
                match compile_refs(&owned, opts) {
                    Ok(mut engine) => run_group_refs(&mut engine, &owned, opts, &mut report),
                    Err(e) => report.load_errors.push((dir, e)),
                }
            }
        }
    }
    report
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
    if meta.is_dir() {
        let entries = std::fs::read_dir(p).map_err(|e| format!("{}: {e}", p.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", p.display()))?.path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                collect(&path, out)?;
            } else if path.extension().and_then(|e| e.to_str()) == Some("rego") {
                out.push(path);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
    Ok(())
}

/// Parse a file (v1, then v0), find its test rules, and rename duplicate
/// test rules so each runs on its own.
fn load_file(path: &Path, seen: &mut HashMap<(String, String), usize>) -> Result<Loaded, String> {
    let raw = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let name = path.display().to_string();
    // Refuse what regorus cannot parse in bounded time before parsing it.
    crate::rego::check_nesting(&name, &raw).map_err(|e| e.to_string())?;
    let mut source = crate::admission::compat::separate_paren_lines(&raw);
    let mut v0 = false;
    let mut engine = regorus::Engine::new();
    let package = match engine.add_policy(name.clone(), source.clone()) {
        Ok(p) => p,
        Err(v1_err) => {
            engine = regorus::Engine::new();
            engine.set_rego_v0(true);
            v0 = true;
            let first = engine.add_policy(name.clone(), source.clone());
            let added = match (
                first,
                crate::admission::compat::split_chained_bodies(&source),
            ) {
                (Ok(p), _) => Ok(p),
                (Err(e), None) => Err(e),
                (Err(_), Some(split)) => {
                    source = split;
                    engine.add_policy(name.clone(), source.clone())
                }
            };
            added.map_err(|e| {
                format!(
                    "{e} (as Rego v1: {})",
                    crate::admission::engine_first_line(&v1_err.to_string())
                )
            })?
        }
    };
    // Test rule heads with their byte spans.
    let mut heads: Vec<(String, usize, usize)> = Vec::new();
    if let Some(module) = engine.get_modules().last() {
        for rule in &module.policy {
            if let Rule::Spec { head, .. } = rule.as_ref() {
                let refr = match head {
                    RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. } => refr,
                    RuleHead::Func { .. } => continue,
                };
                let span = refr.span();
                let text = span.text().to_string();
                if text.starts_with("test_") || text.starts_with("todo_test_") {
                    let start = usize::try_from(span.start).unwrap_or(usize::MAX);
                    let end = usize::try_from(span.end).unwrap_or(usize::MAX);
                    heads.push((text, start, end));
                }
            }
        }
    }
    let mut rewritten = String::with_capacity(source.len());
    let mut cursor = 0usize;
    let mut tests = Vec::new();
    for (text, start, end) in heads {
        let key = (package.clone(), text.clone());
        let n = seen.entry(key).or_insert(0);
        let index = *n;
        *n += 1;
        let skip = text.starts_with("todo_");
        if index == 0 {
            tests.push(TestRule {
                rule: text.clone(),
                display: text,
                skip,
            });
            continue;
        }
        // Rename this head in the source, if the span is where we expect.
        let renamed = format!("{text}__dup{index:02}");
        match source.get(start..end) {
            Some(s) if s == text && start >= cursor => {
                rewritten.push_str(source.get(cursor..start).unwrap_or(""));
                rewritten.push_str(&renamed);
                cursor = end;
                tests.push(TestRule {
                    rule: renamed,
                    display: format!("{text}#{index:02}"),
                    skip,
                });
            }
            _ => {
                // Cannot rename safely: the bodies run as one rule.
            }
        }
    }
    rewritten.push_str(source.get(cursor..).unwrap_or(""));
    Ok(Loaded {
        file: path.to_path_buf(),
        source: rewritten,
        v0,
        package,
        tests,
    })
}

fn new_engine(opts: &TestOptions) -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    crate::rego::lift_source_limits(&mut engine);
    let registry = crate::rego::default_registry();
    if let Err(e) = crate::rego::register_host_builtins(&mut engine, registry, false) {
        tracing::warn!(error = %e, "host builtins not registered; regorus's own serve the tests");
    }
    engine.set_strict_builtin_errors(false);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: opts.timeout,
        check_interval: NonZeroU32::MIN,
    });
    engine
}

fn compile(loaded: &[Loaded], opts: &TestOptions) -> Result<regorus::Engine, String> {
    let refs: Vec<&Loaded> = loaded.iter().collect();
    compile_refs(&refs, opts)
}

fn compile_refs(loaded: &[&Loaded], opts: &TestOptions) -> Result<regorus::Engine, String> {
    let mut engine = new_engine(opts);
    let registry = crate::rego::default_registry();
    for l in loaded {
        engine.set_rego_v0(l.v0);
        // Output-argument calls of host builtins, as every Rego path does.
        // Nesting was checked when the file was loaded.
        let name = l.file.display().to_string();
        let source = crate::rego::rewrite_for_host_builtins(&l.source, registry);
        engine
            .add_policy(name, source.into_owned())
            .map_err(|e| e.to_string())?;
    }
    // Analyse everything now, so compile errors surface here.
    engine
        .eval_query("true".to_string(), false)
        .map_err(|e| e.to_string())?;
    Ok(engine)
}

fn run_group(
    engine: &mut regorus::Engine,
    loaded: &[Loaded],
    opts: &TestOptions,
    report: &mut TestReport,
) {
    let refs: Vec<&Loaded> = loaded.iter().collect();
    run_group_refs(engine, &refs, opts, report);
}

fn run_group_refs(
    engine: &mut regorus::Engine,
    loaded: &[&Loaded],
    opts: &TestOptions,
    report: &mut TestReport,
) {
    for l in loaded {
        for t in &l.tests {
            let full = format!("{}.{}", l.package, t.display);
            if opts.run.as_ref().is_some_and(|r| !r.is_match(&full)) {
                continue;
            }
            let start = Instant::now();
            let outcome = if t.skip {
                TestOutcome::Skip
            } else {
                match engine.eval_rule(format!("{}.{}", l.package, t.rule)) {
                    Ok(v) if v == regorus::Value::Undefined || v == regorus::Value::Bool(false) => {
                        TestOutcome::Fail
                    }
                    Ok(_) => TestOutcome::Pass,
                    Err(e) => TestOutcome::Error(e.to_string()),
                }
            };
            report.results.push(TestResult {
                file: l.file.clone(),
                package: l.package.clone(),
                name: t.display.clone(),
                outcome,
                duration: start.elapsed(),
            });
        }
    }
}

fn timing(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.1}µs")
    } else if us < 1e6 {
        format!("{:.3}ms", us / 1000.0)
    } else {
        format!("{:.3}s", us / 1e6)
    }
}

/// Render a report as `opa test` does (failures, then a per-file summary
/// of what did not pass, then `PASS: n/N` and friends).
pub fn render(report: &TestReport, verbose: bool) -> String {
    let hl = "-".repeat(80);
    let mut w = String::new();
    let label = |o: &TestOutcome| match o {
        TestOutcome::Pass => "PASS",
        TestOutcome::Fail => "FAIL",
        TestOutcome::Error(_) => "ERROR",
        TestOutcome::Skip => "SKIPPED",
    };
    let line = |r: &TestResult| {
        format!(
            "{}.{}: {} ({})",
            r.package,
            r.name,
            label(&r.outcome),
            timing(r.duration)
        )
    };
    for (path, e) in &report.load_errors {
        let _ = writeln!(w, "{}: load error: {e}", path.display());
    }
    let failures: Vec<&TestResult> = report
        .results
        .iter()
        .filter(|r| r.outcome == TestOutcome::Fail)
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(w, "FAILURES\n{hl}");
        for f in &failures {
            let _ = writeln!(w, "{}\n", line(f));
        }
        let _ = writeln!(w, "SUMMARY\n{hl}");
    }
    let mut last_file: Option<&Path> = None;
    let mut dirty = false;
    for r in &report.results {
        if verbose || r.outcome != TestOutcome::Pass {
            if last_file != Some(r.file.as_path()) {
                let _ = writeln!(w, "{}:", r.file.display());
                last_file = Some(r.file.as_path());
            }
            let _ = writeln!(w, "{}", line(r));
            if let TestOutcome::Error(e) = &r.outcome {
                let _ = writeln!(w, "  {e}");
            }
            dirty = true;
        }
    }
    if dirty {
        let _ = writeln!(w, "{hl}");
    }
    let total = report.results.len();
    let pass = report.count(|o| *o == TestOutcome::Pass);
    let fail = report.count(|o| *o == TestOutcome::Fail);
    let skip = report.count(|o| *o == TestOutcome::Skip);
    let errs = report.count(|o| matches!(o, TestOutcome::Error(_)));
    for (n, name) in [
        (pass, "PASS"),
        (fail, "FAIL"),
        (skip, "SKIPPED"),
        (errs, "ERROR"),
    ] {
        if n != 0 {
            let _ = writeln!(w, "{name}: {n}/{total}");
        }
    }
    if total == 0 {
        let _ = writeln!(w, "no tests found");
    }
    w
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn runs_v0_and_v1_tests_with_duplicates_and_with() {
        let dir = std::env::temp_dir().join(format!("regowasm-regotest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        write(&dir, "p.rego", "package p\nallow if input.x == 1\n");
        write(
            &dir,
            "p_test.rego",
            "package p\ntest_allow { allow with input as {\"x\": 1} }\ntest_allow { allow with input as {\"x\": 2} }\ntest_deny { not allow with input as {\"x\": 2} }\ntodo_test_later { false }\n",
        );
        let report = run(std::slice::from_ref(&dir), &TestOptions::default());
        assert!(report.load_errors.is_empty(), "{:?}", report.load_errors);
        let names: Vec<(&str, &TestOutcome)> = report
            .results
            .iter()
            .map(|r| (r.name.as_str(), &r.outcome))
            .collect();
        assert_eq!(
            names,
            vec![
                ("test_allow", &TestOutcome::Pass),
                ("test_allow#01", &TestOutcome::Fail),
                ("test_deny", &TestOutcome::Pass),
                ("todo_test_later", &TestOutcome::Skip),
            ]
        );
        assert_eq!(report.exit_code(), 2);
        let text = render(&report, false);
        assert!(text.contains("PASS: 2/4"), "{text}");
        assert!(text.contains("FAIL: 1/4"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A host builtin called with an output argument (`f(x, out)`), which
    /// regorus cannot run for extensions unless rewritten.
    #[test]
    fn host_builtins_with_output_arguments() {
        let dir =
            std::env::temp_dir().join(format!("regowasm-regotest-out-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        write(
            &dir,
            "s_test.rego",
            "package s\ntest_sprintf if { sprintf(\"%d-%s\", [1, \"a\"], out); out == \"1-a\" }\ntest_graphql if { graphql.schema_is_valid(\"type Query { a: Int }\", ok); ok == true }\n",
        );
        let report = run(std::slice::from_ref(&dir), &TestOptions::default());
        assert!(report.load_errors.is_empty(), "{:?}", report.load_errors);
        let outcomes: Vec<&TestOutcome> = report.results.iter().map(|r| &r.outcome).collect();
        assert_eq!(
            outcomes,
            vec![&TestOutcome::Pass, &TestOutcome::Pass],
            "{:?}",
            report.results
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
