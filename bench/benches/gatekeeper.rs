//! Gatekeeper evaluation on realistic AdmissionReviews: regowasm (regorus
//! path, the whole `PolicySet::decide` pipeline from JSON text) vs a bare
//! `serde_json` parse of the same text (the floor) vs OPA v1.20.2 topdown
//! in-process (the PyPI wheel's `libopabridge.so`).
//!
//! This binary never creates a wasmtime Engine: the Go runtime of the OPA
//! library installs signal handlers that must not meet wasmtime's.
//!
//! OPA's library build takes Rego v1 only, and the Gatekeeper library is
//! written in v0, so every template is measured in its v1 rewrite
//! (`regowasm_bench::regov1`) on both engines; a template is kept only if
//! the rewrite gives regowasm the same violations as the original and OPA
//! gives the same violations as regowasm on every input checked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{Criterion, criterion_group, criterion_main};
use regowasm_bench::corpus::{TemplateCase, gatekeeper_cases, workspace_root};
use regowasm_bench::{admission_review, deployment, ingress, pod};
use regowasm_runtime::admission::{
    Decision, GatekeeperPolicy, OutcomeKind, PolicySet, ReviewRequest,
};
use serde_json::{Value, json};
use std::ffi::{CStr, CString, c_char, c_int};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

type NewFn = unsafe extern "C" fn() -> u64;
type FreeFn = unsafe extern "C" fn(*mut c_char);
type AddFn = unsafe extern "C" fn(u64, *const c_char, *const c_char) -> *mut c_char;
type EvalFn = unsafe extern "C" fn(u64, *const c_char, *const c_char, c_int, c_int) -> *mut c_char;

/// OPA v1.20.2's evaluator, loaded in-process.
struct Bridge {
    new: NewFn,
    free: FreeFn,
    add_policy: AddFn,
    eval_query: EvalFn,
    _lib: libloading::Library,
}

impl Bridge {
    fn path() -> PathBuf {
        std::env::var("REGOWASM_OPA_BRIDGE")
            .map(PathBuf::from)
            .unwrap_or_else(|_| workspace_root().join("compat-tests/oracle/lib/libopabridge.so"))
    }

    fn load() -> Result<Bridge, String> {
        let path = Bridge::path();
        if !path.is_file() {
            return Err(format!(
                "{} is absent (run compat-tests/oracle/setup.sh)",
                path.display()
            ));
        }
        // SAFETY: loading runs the Go runtime's initialisers; no wasmtime
        // Engine exists in this process, so no signal handlers clash.
        let lib = unsafe { libloading::Library::new(&path) }.map_err(|e| e.to_string())?;
        // SAFETY: these are the signatures the wheel's ctypes wrapper
        // declares (see compat-tests/src/bin/regowasm-oracle.rs).
        unsafe {
            Ok(Bridge {
                new: *lib.get::<NewFn>(b"OpaNew\0").map_err(|e| e.to_string())?,
                free: *lib
                    .get::<FreeFn>(b"OpaFreeString\0")
                    .map_err(|e| e.to_string())?,
                add_policy: *lib
                    .get::<AddFn>(b"OpaAddPolicy\0")
                    .map_err(|e| e.to_string())?,
                eval_query: *lib
                    .get::<EvalFn>(b"OpaEvalQuery\0")
                    .map_err(|e| e.to_string())?,
                _lib: lib,
            })
        }
    }

    fn take(&self, ptr: *mut c_char) -> String {
        assert!(!ptr.is_null(), "the OPA bridge returned NULL");
        // SAFETY: a non-NULL return is a NUL-terminated string malloc'd by
        // the bridge; copied, then freed once.
        let s = unsafe { CStr::from_ptr(ptr) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: see above.
        unsafe { (self.free)(ptr) };
        s
    }

    /// A new evaluator holding `modules`, or the bridge's error.
    fn handle(&self, modules: &[(String, String)]) -> Result<u64, String> {
        // SAFETY: OpaNew takes no arguments.
        let h = unsafe { (self.new)() };
        for (name, src) in modules {
            let name = CString::new(name.as_str()).unwrap();
            let src = CString::new(src.as_str()).unwrap();
            // SAFETY: valid handle, NUL-terminated strings outliving the call.
            let env = self.take(unsafe { (self.add_policy)(h, name.as_ptr(), src.as_ptr()) });
            let v: Value = serde_json::from_str(&env).unwrap_or(Value::Null);
            if let Some(e) = v.get("error").filter(|e| !e.is_null()) {
                let msg = e["message"].as_str().unwrap_or("").to_string();
                return Err(msg.lines().take(2).collect::<Vec<_>>().join(" "));
            }
        }
        Ok(h)
    }

    /// Evaluate `query` on `input` (JSON text); the bridge's envelope.
    fn eval(&self, h: u64, query: &CStr, input: &CStr) -> String {
        // SAFETY: valid handle and NUL-terminated strings; coverage and
        // trace off.
        self.take(unsafe { (self.eval_query)(h, query.as_ptr(), input.as_ptr(), 0, 0) })
    }
}

/// The violation messages in an OPA envelope for `data.x.violation`.
fn opa_msgs(envelope: &str) -> Result<Vec<String>, String> {
    let v: Value = serde_json::from_str(envelope).map_err(|e| e.to_string())?;
    if let Some(e) = v.get("error").filter(|e| !e.is_null()) {
        return Err(e.to_string());
    }
    let value = &v["result"][0]["expressions"][0]["value"];
    let mut msgs: Vec<String> = value
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x["msg"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    msgs.sort();
    Ok(msgs)
}

/// Per matching constraint: its violation messages, or the error.
fn regowasm_msgs(d: &Decision) -> Vec<(String, Result<Vec<String>, String>)> {
    let mut out: Vec<_> = d
        .outcomes
        .iter()
        .map(|o| {
            let r = match &o.kind {
                OutcomeKind::Violations(v) => {
                    let mut m: Vec<String> = v.iter().map(|x| x.msg.clone()).collect();
                    m.sort();
                    Ok(m)
                }
                OutcomeKind::Error { message, .. } => Err(message.clone()),
                OutcomeKind::Verdict { message, .. } => Err(message.clone()),
            };
            (o.policy.clone(), r)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn compile(
    t: &regowasm_runtime::admission::ConstraintTemplate,
    c: &TemplateCase,
) -> Result<GatekeeperPolicy, String> {
    let mut p = GatekeeperPolicy::compile(t.clone()).map_err(|e| e.to_string())?;
    p.add_constraint(c.constraint.clone())
        .map_err(|e| e.to_string())?;
    Ok(p)
}

fn single_set(p: GatekeeperPolicy) -> PolicySet {
    let mut s = PolicySet::new();
    s.add_template(p).unwrap();
    s
}

fn modules(t: &regowasm_runtime::admission::ConstraintTemplate) -> Vec<(String, String)> {
    let mut m = vec![("template.rego".to_string(), t.source.rego.clone())];
    for (i, l) in t.source.libs.iter().enumerate() {
        m.push((format!("lib_{i}.rego"), l.clone()));
    }
    m
}

fn package_of(rego: &str) -> String {
    rego.lines()
        .find_map(|l| l.trim().strip_prefix("package "))
        .unwrap_or("")
        .trim()
        .to_string()
}

fn gatekeeper_input(req: &ReviewRequest, c: &TemplateCase) -> String {
    json!({"review": req.request(), "parameters": c.constraint.parameters}).to_string()
}

/// A template both engines run, with the OPA handle holding it.
struct Accepted {
    case: TemplateCase,
    opa: Option<u64>,
}

/// Check a case on regowasm (original vs v1 rewrite) and on OPA; `Err`
/// says why it is left out.
fn check(
    case: &TemplateCase,
    bridge: Option<&Bridge>,
    reviews: &[ReviewRequest],
) -> Result<Option<u64>, String> {
    let orig = single_set(compile(&case.original, case).map_err(|e| format!("compile: {e}"))?);
    let v1 = single_set(compile(&case.v1, case).map_err(|e| format!("compile v1 rewrite: {e}"))?);
    let opa = match bridge {
        Some(b) => Some(
            b.handle(&modules(&case.v1))
                .map_err(|e| format!("OPA refuses the v1 rewrite: {e}"))?,
        ),
        None => None,
    };
    let query = CString::new(format!(
        "data.{}.violation",
        package_of(&case.v1.source.rego)
    ))
    .unwrap();
    let mut examples: Vec<ReviewRequest> = case
        .examples
        .iter()
        .filter_map(|e| {
            if e["kind"] == "AdmissionReview" {
                ReviewRequest::from_admission_review(e).ok()
            } else {
                ReviewRequest::from_object(e).ok()
            }
        })
        .collect();
    examples.extend(reviews.iter().cloned());
    for (i, req) in examples.iter().enumerate() {
        let a = regowasm_msgs(&orig.decide(req));
        let b = regowasm_msgs(&v1.decide(req));
        if a != b {
            return Err(format!(
                "the v1 rewrite changes regowasm's result on input {i}: {a:?} vs {b:?}"
            ));
        }
        for (policy, r) in &b {
            let msgs = r
                .as_ref()
                .map_err(|e| format!("regowasm fails on input {i} ({policy}): {e}"))?;
            if let (Some(bridge), Some(h)) = (bridge, opa) {
                let input = CString::new(gatekeeper_input(req, case)).unwrap();
                let theirs = opa_msgs(&bridge.eval(h, &query, &input))
                    .map_err(|e| format!("OPA fails on input {i}: {e}"))?;
                if &theirs != msgs {
                    return Err(format!(
                        "OPA and regowasm disagree on input {i}: {theirs:?} vs {msgs:?}"
                    ));
                }
            }
        }
    }
    Ok(opa)
}

fn gatekeeper(c: &mut Criterion) {
    let bridge = match Bridge::load() {
        Ok(b) => Some(b),
        Err(e) => {
            eprintln!("gatekeeper: skipping the OPA topdown baseline: {e}");
            None
        }
    };
    let inputs: Vec<(&str, Value)> = vec![
        ("pod", admission_review(pod(4, "registry.example.com"))),
        ("deployment", admission_review(deployment(4))),
        ("ingress", admission_review(ingress(40))),
    ];
    let reviews: Vec<ReviewRequest> = inputs
        .iter()
        .map(|(_, v)| ReviewRequest::from_admission_review(v).unwrap())
        .collect();

    let (cases, unreadable) = gatekeeper_cases();
    for s in &unreadable {
        eprintln!("gatekeeper: skipped {s}");
    }
    let mut accepted = Vec::new();
    for case in cases {
        match check(&case, bridge.as_ref(), &reviews) {
            Ok(opa) => accepted.push(Accepted { case, opa }),
            Err(e) => eprintln!("gatekeeper: skipped {}: {e}", case.name),
        }
    }
    eprintln!(
        "gatekeeper: {} templates measured: {}",
        accepted.len(),
        accepted
            .iter()
            .map(|a| a.case.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if accepted.len() < 10 {
        eprintln!(
            "gatekeeper: warning: only {} templates are usable (fewer than 10); see the messages above",
            accepted.len()
        );
    }
    if accepted.is_empty() {
        return;
    }

    let mut set_v1 = PolicySet::new();
    let mut set_orig = PolicySet::new();
    for a in &accepted {
        set_v1
            .add_template(compile(&a.case.v1, &a.case).unwrap())
            .unwrap();
        set_orig
            .add_template(compile(&a.case.original, &a.case).unwrap())
            .unwrap();
    }

    for ((label, doc), req) in inputs.iter().zip(&reviews) {
        let text = doc.to_string();
        let decision = set_v1.decide(req);
        // The constraints that match this request, prepared for OPA: the
        // input text is built outside the timed loop (to OPA's advantage).
        let opa_calls: Vec<(u64, CString, CString)> = decision
            .outcomes
            .iter()
            .filter_map(|o| {
                let a = accepted.iter().find(|a| {
                    o.policy == format!("{}/{}", a.case.constraint.kind, a.case.constraint.name)
                })?;
                Some((
                    a.opa?,
                    CString::new(format!(
                        "data.{}.violation",
                        package_of(&a.case.v1.source.rego)
                    ))
                    .unwrap(),
                    CString::new(gatekeeper_input(req, &a.case)).unwrap(),
                ))
            })
            .collect();
        let violations: usize = decision.violations().count();
        eprintln!(
            "gatekeeper/{label}: {} bytes, {} of {} constraints match, {} violations",
            text.len(),
            decision.outcomes.len(),
            accepted.len(),
            violations
        );

        let mut g = c.benchmark_group(format!("gatekeeper/{label}"));
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(3));
        g.bench_function("serde_floor", |b| {
            b.iter(|| black_box(serde_json::from_str::<Value>(black_box(&text)).unwrap()))
        });
        g.bench_function("regowasm", |b| {
            b.iter(|| {
                let v: Value = serde_json::from_str(black_box(&text)).unwrap();
                let req = ReviewRequest::from_admission_review(&v).unwrap();
                black_box(set_v1.decide(&req))
            })
        });
        g.bench_function("regowasm_v0_source", |b| {
            b.iter(|| {
                let v: Value = serde_json::from_str(black_box(&text)).unwrap();
                let req = ReviewRequest::from_admission_review(&v).unwrap();
                black_box(set_orig.decide(&req))
            })
        });
        if let Some(bridge) = &bridge {
            g.bench_function("opa_topdown", |b| {
                b.iter(|| {
                    for (h, q, input) in &opa_calls {
                        black_box(bridge.eval(*h, q, input));
                    }
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, gatekeeper);
criterion_main!(benches);
