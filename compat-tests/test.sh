#!/usr/bin/env bash
# The project's test command (the README's second command; .ci/run calls it).
# Installs what the tests need, then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. The OPA v1.20.2 oracle (a C shared library shipped in a PyPI wheel).
#    Tests that need it skip with a message when this step cannot run.
bash compat-tests/oracle/setup.sh || echo "oracle setup failed; oracle tests will skip"
# The builtin catalogue (builtins/data/opa-builtins.json) must be the one
# in the oracle's OPA, with every builtin accepted by its compiler.
if [ -f compat-tests/oracle/lib/libopabridge.so ]; then
  python3 compat-tests/oracle/catalogue.py --check
fi

# 2. Formatting, then every test of the workspace. (Clippy is run by
#    developers before each commit — `cargo clippy --workspace --all-targets
#    -- -D warnings` — and by CI only with REGOWASM_CLIPPY=1: a second full
#    compile of the dependency tree does not fit CI's time on 2 cores.)
cargo fmt --all -- --check
if [ "${REGOWASM_CLIPPY:-0}" = 1 ]; then
  cargo clippy --workspace --all-targets --locked -- -D warnings
fi
cargo test --workspace --locked
