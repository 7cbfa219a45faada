#!/usr/bin/env bash
# Fetch OPA v1.20.2's evaluator (libopabridge.so) from the PyPI wheel
# opa-golib-python-bindings==0.4.4 into compat-tests/oracle/lib/.
# Idempotent; exits 0 without network work when the library is present.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/lib"
[ -f "$lib/libopabridge.so" ] && exit 0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.14 \
  -d "$tmp" opa-golib-python-bindings==0.4.4
mkdir -p "$lib"
python3 - "$tmp" "$lib" <<'PY'
import glob, sys, zipfile
tmp, lib = sys.argv[1], sys.argv[2]
whl = glob.glob(tmp + "/*.whl")[0]
with zipfile.ZipFile(whl) as z:
    for name in z.namelist():
        if name.endswith("libopabridge.so"):
            with open(lib + "/libopabridge.so", "wb") as out:
                out.write(z.read(name))
PY
echo "oracle: $lib/libopabridge.so"
