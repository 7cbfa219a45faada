//! Scaling of regowasm's Gatekeeper path: evaluations/s on 1 and 2
//! threads, latency vs input size (1 KB → 1 MB), latency vs
//! `data.inventory` size (10 → 10,000 objects) for a policy that does not
//! read the inventory and one that does, and the time to load and warm a
//! policy.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use regowasm_bench::corpus::{TemplateCase, gatekeeper_cases, workspace_root};
use regowasm_bench::{admission_review, inventory_objects, pod, pod_review_of_size};
use regowasm_runtime::admission::{
    Constraint, ConstraintTemplate, GatekeeperPolicy, Inventory, PolicySet, ReviewRequest,
};
use serde_json::{Value, json};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A template that reads `data.inventory`: a Pod's `app` label must not
/// be used by a Pod of another namespace (a scan of the synced Pods).
const READS_INVENTORY: &str = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: benchuniqueapp
spec:
  crd:
    spec:
      names:
        kind: BenchUniqueApp
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package benchuniqueapp

        violation contains {"msg": msg} if {
          app := input.review.object.metadata.labels.app
          some ns, name
          other := data.inventory.namespace[ns].v1.Pod[name]
          other.metadata.labels.app == app
          ns != input.review.object.metadata.namespace
          msg := sprintf("app label %v is also used by %v/%v", [app, ns, name])
        }
"#;

const READS_INVENTORY_CONSTRAINT: &str = r#"
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: BenchUniqueApp
metadata:
  name: unique-app
spec:
  match:
    kinds:
      - apiGroups: [""]
        kinds: ["Pod"]
"#;

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap()
}

fn policy(t: &ConstraintTemplate, c: &Constraint) -> GatekeeperPolicy {
    let mut p = GatekeeperPolicy::compile(t.clone()).unwrap();
    p.add_constraint(c.clone()).unwrap();
    p
}

fn set_of<'a>(cases: impl IntoIterator<Item = &'a TemplateCase>) -> PolicySet {
    let mut s = PolicySet::new();
    for c in cases {
        if let Ok(mut p) = GatekeeperPolicy::compile(c.original.clone())
            && p.add_constraint(c.constraint.clone()).is_ok()
        {
            s.add_template(p).unwrap();
        }
    }
    s
}

fn decide_text(set: &PolicySet, text: &str) -> regowasm_runtime::admission::Decision {
    let v: Value = serde_json::from_str(text).unwrap();
    let req = ReviewRequest::from_admission_review(&v).unwrap();
    set.decide(&req)
}

fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    g
}

fn scaling(c: &mut Criterion) {
    let (cases, _) = gatekeeper_cases();
    let full = set_of(&cases);
    eprintln!("scaling: full set = {} constraints", full.len());
    let pod_text = admission_review(pod(4, "registry.example.com")).to_string();

    // 1. Throughput on 1 and 2 threads (one shared PolicySet).
    {
        let mut g = group(c, "scaling/threads");
        for threads in [1usize, 2] {
            g.throughput(Throughput::Elements(threads as u64));
            g.bench_function(BenchmarkId::from_parameter(threads), |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    std::thread::scope(|s| {
                        for _ in 0..threads {
                            s.spawn(|| {
                                for _ in 0..iters {
                                    black_box(decide_text(&full, &pod_text));
                                }
                            });
                        }
                    });
                    start.elapsed()
                })
            });
        }
        g.finish();
    }

    // 2. Latency vs input size: the full set vs the serde_json floor.
    {
        let mut g = group(c, "scaling/input_size");
        for bytes in [1_000usize, 10_000, 100_000, 1_000_000] {
            let text = pod_review_of_size(bytes).to_string();
            g.throughput(Throughput::Bytes(text.len() as u64));
            g.bench_with_input(BenchmarkId::new("serde_floor", bytes), &text, |b, t| {
                b.iter(|| black_box(serde_json::from_str::<Value>(t).unwrap()))
            });
            g.bench_with_input(BenchmarkId::new("regowasm", bytes), &text, |b, t| {
                b.iter(|| black_box(decide_text(&full, t)))
            });
        }
        g.finish();
    }

    // 3. Latency vs data.inventory size.
    {
        let blind = cases
            .iter()
            .find(|c| c.name == "library/allowedrepos")
            .or_else(|| cases.first())
            .expect("a template");
        let blind_set = set_of([blind]);
        let reader = ConstraintTemplate::from_value(&yaml(READS_INVENTORY)).unwrap();
        let reader_c = Constraint::from_value(&yaml(READS_INVENTORY_CONSTRAINT)).unwrap();
        let mut reader_set = PolicySet::new();
        reader_set.add_template(policy(&reader, &reader_c)).unwrap();
        let mut g = group(c, "scaling/inventory");
        for objects in [10usize, 100, 1_000, 10_000] {
            let inv = Inventory::from_objects(&inventory_objects(objects)).unwrap();
            blind_set.set_inventory(inv.clone());
            reader_set.set_inventory(inv);
            // The reading policy really reads: a Pod whose app label is
            // used in the inventory is denied.
            let mut clash = admission_review(pod(4, "registry.example.com"));
            clash["request"]["object"]["metadata"]["labels"]["app"] = json!("app-1");
            let d = decide_text(&reader_set, &clash.to_string());
            assert!(
                d.violations().count() > 0,
                "the inventory policy sees the inventory"
            );
            let d = decide_text(&reader_set, &pod_text);
            assert_eq!(d.outcomes.len(), 1, "the inventory policy matches Pods");
            g.bench_with_input(
                BenchmarkId::new("not_reading", objects),
                &pod_text,
                |b, t| b.iter(|| black_box(decide_text(&blind_set, t))),
            );
            g.bench_with_input(BenchmarkId::new("reading", objects), &pod_text, |b, t| {
                b.iter(|| black_box(decide_text(&reader_set, t)))
            });
        }
        g.finish();
    }

    // 4. Time to load and warm: compile a template, add its constraint and
    //    answer the first request; and the project's whole policies/ dir.
    {
        let mut g = group(c, "scaling/load_warm");
        if let Some(big) = cases.iter().find(|c| c.name == "library/containerlimits") {
            g.bench_function("template_containerlimits", |b| {
                b.iter(|| {
                    let mut s = PolicySet::new();
                    s.add_template(policy(&big.original, &big.constraint))
                        .unwrap();
                    black_box(decide_text(&s, &pod_text))
                })
            });
        }
        let dir = workspace_root().join("policies");
        g.bench_function("policies_dir", |b| {
            b.iter(|| {
                let s = PolicySet::from_dir(&dir).unwrap();
                black_box(decide_text(&s, &pod_text))
            })
        });
        g.finish();
    }
}

criterion_group!(benches, scaling);
criterion_main!(benches);
