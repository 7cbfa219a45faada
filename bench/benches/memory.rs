//! Memory held by warm policies: heap bytes retained (counted by a global
//! allocator wrapper) after loading a policy and answering one request,
//! plus the linear memory of warm Wasm instances. Not a criterion bench:
//! it prints a table and writes `target/criterion/memory/report.json`
//! for `bench/report.py`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use regowasm_bench::corpus::{gatekeeper_cases, workspace_root};
use regowasm_bench::{admission_review, inventory_objects, pod};
use regowasm_builtins::Value;
use regowasm_runtime::admission::{GatekeeperPolicy, Inventory, PolicySet, ReviewRequest};
use regowasm_runtime::wasm::{WasmOptions, WasmPolicy};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

/// The system allocator, counting live heap bytes.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by this allocator with `layout`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap bytes retained by what `f` builds (kept alive until measured).
fn retained<T>(f: impl FnOnce() -> T) -> (T, isize) {
    let before = LIVE.load(Ordering::Relaxed);
    let t = f();
    (t, LIVE.load(Ordering::Relaxed) - before)
}

fn main() {
    let pod_review = admission_review(pod(4, "registry.example.com"));
    let req = ReviewRequest::from_admission_review(&pod_review).unwrap();
    let (cases, _) = gatekeeper_cases();
    let mut rows: Vec<(String, f64, String)> = Vec::new();

    // The whole set.
    let (set, bytes) = retained(|| {
        let mut s = PolicySet::new();
        for c in &cases {
            if let Ok(mut p) = GatekeeperPolicy::compile(c.original.clone())
                && p.add_constraint(c.constraint.clone()).is_ok()
            {
                s.add_template(p).unwrap();
            }
        }
        s.decide(&req);
        s
    });
    let templates = set.templates().len().max(1);
    rows.push((
        "gatekeeper_set_per_template".into(),
        bytes as f64 / templates as f64,
        format!("heap bytes per template, whole set of {templates} templates, warm"),
    ));

    // One template, compiled and warm.
    if let Some(big) = cases.iter().find(|c| c.name == "library/containerlimits") {
        let (set, bytes) = retained(|| {
            let mut s = PolicySet::new();
            let mut p = GatekeeperPolicy::compile(big.original.clone()).unwrap();
            p.add_constraint(big.constraint.clone()).unwrap();
            s.add_template(p).unwrap();
            s.decide(&req);
            s
        });
        rows.push((
            "gatekeeper_template_containerlimits".into(),
            bytes as f64,
            "heap bytes retained by one compiled + warm template (largest library template; measured after the set, so one-time globals are not counted)".into(),
        ));
        drop(set);
    }

    // Inventory held by the set.
    for n in [1_000usize, 10_000] {
        let objects = inventory_objects(n);
        let inv = Inventory::from_objects(&objects).unwrap();
        drop(objects);
        let ((), bytes) = retained(|| set.set_inventory(inv));
        rows.push((
            format!("inventory_{n}_objects"),
            bytes as f64,
            format!("heap bytes retained by set_inventory of {n} Pods"),
        ));
        set.set_inventory(Inventory::new());
    }
    drop(set);

    // A Wasm policy with one warm instance (the ABI test module).
    let wat = include_str!("../../runtime/tests/wasm/opa_test.wat")
        .lines()
        .filter(|l| !l.contains("[opt:noprint]"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("{MAJOR}", "1")
        .replace("{MINOR}", "3");
    let bytes_wasm = wat::parse_str(&wat).unwrap();
    let mut options = WasmOptions::default();
    options.registry.register("test.zero", 0, |_, _| Ok(None));
    for (name, arity) in [
        ("test.one", 1),
        ("test.two", 2),
        ("test.three", 3),
        ("test.four", 4),
        ("test.inspect", 1),
    ] {
        options.registry.register(name, arity, |_, _| Ok(None));
    }
    let (policy, heap) = retained(|| {
        let p = WasmPolicy::load(&bytes_wasm, &options).unwrap();
        p.eval("echo/input", &Value::from_json_str("{}").unwrap())
            .unwrap();
        p
    });
    let linear: usize = policy
        .idle_instance_stats(0)
        .iter()
        .map(|s| s.memory_bytes)
        .sum();
    rows.push((
        "wasm_policy_heap".into(),
        heap as f64,
        "heap bytes retained by a loaded WasmPolicy with one warm instance (ABI test module): module metadata, instance pool, data; compiled code and linear memory are mmap'd and not counted here".into(),
    ));
    rows.push((
        "wasm_instance_linear_memory".into(),
        linear as f64,
        "linear memory of that warm instance".into(),
    ));
    drop(policy);

    println!("memory: heap bytes retained (counting allocator)");
    for (name, bytes, what) in &rows {
        println!("  {name:40} {:>12.0}  {what}", bytes);
    }
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("target"))
        .join("criterion/memory");
    std::fs::create_dir_all(&dir).unwrap();
    let json: serde_json::Value = rows
        .iter()
        .map(|(n, b, w)| (n.clone(), serde_json::json!({"bytes": b, "what": w})))
        .collect::<serde_json::Map<_, _>>()
        .into();
    std::fs::write(dir.join("report.json"), json.to_string()).unwrap();
}
