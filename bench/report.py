#!/usr/bin/env python3
"""Print the same-run ratio table of regowasm's benchmarks as Markdown.

Reads criterion's output (`<target>/criterion/**/new/{benchmark,estimates}.json`)
written by `cargo bench -p regowasm-bench`. Every figure is a ratio of two
medians measured in the same run; absolute medians are shown for context.

Usage: python3 bench/report.py [target/criterion]
"""

import json
import os
import sys


def load(root):
    """full_id -> median in nanoseconds."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        if os.path.basename(dirpath) != "new" or "benchmark.json" not in files:
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            est = json.load(f)
        out[bench["full_id"]] = est["median"]["point_estimate"]
    return out


def fmt_time(ns):
    if ns is None:
        return "–"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r, suffix="x"):
    return "–" if r is None else f"{r:.2f}{suffix}"


def verdict(ok):
    return "–" if ok is None else ("met" if ok else "not met")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "target", "criterion")
    m = load(root)
    if not m:
        sys.exit(f"no criterion results under {root}; run `cargo bench -p regowasm-bench` first")
    g = m.get
    lines = []
    p = lines.append

    p("### Gatekeeper evaluation (all matching constraints of the template set, from JSON text)")
    p("")
    p("| input | regowasm | serde_json floor | regowasm / floor | OPA topdown | OPA / regowasm (target ≥ 3x) | v0 source / v1 rewrite |")
    p("|---|---|---|---|---|---|---|")
    for inp in ("pod", "deployment", "ingress"):
        ours = g(f"gatekeeper/{inp}/regowasm")
        floor = g(f"gatekeeper/{inp}/serde_floor")
        opa = g(f"gatekeeper/{inp}/opa_topdown")
        v0 = g(f"gatekeeper/{inp}/regowasm_v0_source")
        speed = ratio(opa, ours)
        p(f"| {inp} | {fmt_time(ours)} | {fmt_time(floor)} | {fmt_ratio(ratio(ours, floor))} "
          f"| {fmt_time(opa)} | {fmt_ratio(speed)} ({verdict(None if speed is None else speed >= 3)}) "
          f"| {fmt_ratio(ratio(v0, ours))} |")
    p("")

    p("### Wasm host overhead per evaluation (ABI test module)")
    p("")
    p("| case | regowasm | opa-wasm 0.3.4 | regowasm / opa-wasm (target ≤ 0.5x) | regowasm, input as JSON text | text / opa-wasm |")
    p("|---|---|---|---|---|---|")
    for case in ("call_empty", "echo_10k", "builtin_arity1", "builtin_arity4"):
        ours = g(f"wasm_host/{case}/regowasm")
        theirs = g(f"wasm_host/{case}/opa_wasm")
        r = ratio(ours, theirs)
        text = g(f"wasm_host/{case}/regowasm_text")
        p(f"| {case} | {fmt_time(ours)} | {fmt_time(theirs)} | {fmt_ratio(r)} ({verdict(None if r is None else r <= 0.5)}) "
          f"| {fmt_time(text)} | {fmt_ratio(ratio(text, theirs))} |")
    a3 = g("wasm_host/builtin_arity3/regowasm")
    p(f"| builtin_arity3 (regowasm only) | {fmt_time(a3)} | – | vs regowasm arity 1: {fmt_ratio(ratio(a3, g('wasm_host/builtin_arity1/regowasm')))} | – | – |")
    p("")

    p("### Builtins: native vs regorus fallback")
    p("")
    p("| builtin | native | regorus fallback | native / fallback |")
    p("|---|---|---|---|")
    for b in ("sprintf", "regex.match", "regex.replace", "time.parse_rfc3339_ns", "time.date",
              "units.parse", "json.patch", "yaml.marshal", "yaml.unmarshal"):
        n = g(f"builtins/{b}/native")
        r = g(f"builtins/{b}/regorus")
        p(f"| {b} | {fmt_time(n)} | {fmt_time(r)} | {fmt_ratio(ratio(n, r))} |")
    p("")

    p("### Scaling")
    p("")
    t1 = g("scaling/threads/1")
    t2 = g("scaling/threads/2")
    p("| threads | time per round (one evaluation per thread) | evaluations/s | vs 1 thread |")
    p("|---|---|---|---|")
    for n, t in ((1, t1), (2, t2)):
        eps = None if t is None else n * 1e9 / t
        base = None if t1 is None else 1e9 / t1
        p(f"| {n} | {fmt_time(t)} | {'–' if eps is None else f'{eps:.0f}'} | {fmt_ratio(ratio(eps, base))} |")
    p("")
    p("| input size | regowasm | serde_json floor | regowasm / floor | regowasm vs 1 KB |")
    p("|---|---|---|---|---|")
    base = g("scaling/input_size/regowasm/1000")
    for size in ("1000", "10000", "100000", "1000000"):
        ours = g(f"scaling/input_size/regowasm/{size}")
        floor = g(f"scaling/input_size/serde_floor/{size}")
        p(f"| {int(size) // 1000} KB | {fmt_time(ours)} | {fmt_time(floor)} | {fmt_ratio(ratio(ours, floor))} | {fmt_ratio(ratio(ours, base))} |")
    p("")
    p("| data.inventory objects | not reading it | vs 10 objects (target: flat, ~1x) | reading it | vs 10 objects |")
    p("|---|---|---|---|---|")
    nb = g("scaling/inventory/not_reading/10")
    rb = g("scaling/inventory/reading/10")
    for n in ("10", "100", "1000", "10000"):
        a = g(f"scaling/inventory/not_reading/{n}")
        b = g(f"scaling/inventory/reading/{n}")
        p(f"| {n} | {fmt_time(a)} | {fmt_ratio(ratio(a, nb))} | {fmt_time(b)} | {fmt_ratio(ratio(b, rb))} |")
    p("")
    p("| load and warm | time | vs one warm evaluation of the full set on the pod |")
    p("|---|---|---|")
    warm = g("scaling/threads/1")
    for name in ("template_containerlimits", "policies_dir"):
        t = g(f"scaling/load_warm/{name}")
        p(f"| {name} | {fmt_time(t)} | {fmt_ratio(ratio(t, warm))} |")
    mem_path = os.path.join(root, "memory", "report.json")
    if os.path.exists(mem_path):
        with open(mem_path) as f:
            mem = json.load(f)
        p("")
        p("### Memory (heap bytes retained, counting allocator)")
        p("")
        p("| what | bytes | |")
        p("|---|---|---|")
        for name, row in mem.items():
            p(f"| {name} | {row['bytes'] / 1024:.0f} KiB | {row['what']} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
