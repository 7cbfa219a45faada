#!/usr/bin/env python3
"""Extract OPA v1.20.2's builtin catalogue from the oracle library.

OPA embeds its capabilities files (one per release) in every binary; the
newest one in compat-tests/oracle/lib/libopabridge.so (OPA v1.20.2) is the
catalogue of builtins that release knows, with their type declarations.
This script finds it, checks it against the evaluator itself (every
builtin must compile, with its arity, in a policy given to the bridge)
and writes builtins/data/opa-builtins.json, which `regowasm builtins` and
`regowasm capabilities` read.

Usage: catalogue.py [--check]   (--check: exit 1 if the file would change)
"""
import ctypes, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(HERE, "lib", "libopabridge.so")
OUT = os.path.join(HERE, "..", "..", "builtins", "data", "opa-builtins.json")
OPA_VERSION = "1.20.2"


def embedded_capabilities(data):
    """Every capabilities document embedded in the binary."""
    dec = json.JSONDecoder()
    for m in re.finditer(rb'\{\s*"builtins"\s*:', data):
        chunk = data[m.start():m.start() + 4_000_000].decode("utf-8", "replace")
        try:
            obj, _ = dec.raw_decode(chunk)
        except ValueError:
            continue
        if isinstance(obj, dict) and "wasm_abi_versions" in obj and all(
            isinstance(b, dict) and "name" in b for b in obj["builtins"]
        ):
            yield obj


def arity(b):
    return len(b.get("decl", {}).get("args") or [])


class Bridge:
    def __init__(self):
        self.lib = ctypes.CDLL(LIB)
        self.lib.OpaNew.restype = ctypes.c_uint64
        self.lib.OpaAddPolicy.restype = ctypes.c_void_p
        self.lib.OpaAddPolicy.argtypes = [ctypes.c_uint64, ctypes.c_char_p, ctypes.c_char_p]
        self.lib.OpaEvalQuery.restype = ctypes.c_void_p
        self.lib.OpaEvalQuery.argtypes = [ctypes.c_uint64, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
        self.lib.OpaFreeString.argtypes = [ctypes.c_void_p]

    def compiles(self, name, n):
        """Whether OPA accepts a call of `name` with `n` arguments."""
        h = self.lib.OpaNew()
        args = ", ".join(f"input.a{i}" for i in range(n))
        src = f"package catalogue\n\np if {{\n\tinput.never == 1\n\t{name}({args})\n}}\n"
        p = self.lib.OpaAddPolicy(h, b"c.rego", src.encode())
        if p:
            s = ctypes.string_at(p).decode()
            self.lib.OpaFreeString(p)
            if s and "error" in s:
                return False, s
        p = self.lib.OpaEvalQuery(h, b"x := data.catalogue.p", b"{}", 0, 0)
        s = ctypes.string_at(p).decode()
        self.lib.OpaFreeString(p)
        r = json.loads(s)
        return "error" not in r, s


def main():
    data = open(LIB, "rb").read()
    docs = list(embedded_capabilities(data))
    if not docs:
        sys.exit("no capabilities document found in " + LIB)
    newest = max(docs, key=lambda d: len(d["builtins"]))
    bridge = Bridge()
    bad = []
    for b in newest["builtins"]:
        if b.get("infix"):
            continue  # operators (`+`, `:=`, ...): checked by every policy
        ok, why = bridge.compiles(b["name"], arity(b))
        if not ok and "deprecated built-in function" in why:
            ok = b.get("deprecated", False)  # known to OPA, rejected in v1
        if not ok:
            bad.append((b["name"], why[:200]))
    if bad:
        for name, why in bad:
            print(f"OPA does not accept {name}: {why}", file=sys.stderr)
        sys.exit(1)
    out = {
        "opa_version": OPA_VERSION,
        "source": "the newest capabilities document embedded in libopabridge.so "
                  "(opa-golib-python-bindings 0.4.4), checked by compiling every builtin; "
                  "written by compat-tests/oracle/catalogue.py",
        "builtins": sorted(newest["builtins"], key=lambda b: b["name"]),
        "features": newest.get("features", []),
        "wasm_abi_versions": newest["wasm_abi_versions"],
    }
    text = json.dumps(out, indent=1, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        old = open(OUT).read() if os.path.exists(OUT) else ""
        if old != text:
            sys.exit(f"{OUT} is stale: rerun {sys.argv[0]}")
        print(f"{OUT}: up to date ({len(out['builtins'])} builtins)")
        return
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {OUT}: {len(out['builtins'])} builtins")


if __name__ == "__main__":
    main()
