#!/usr/bin/env bash
# Install the reference engines for benchmarks/run.py (idempotent).
#
#   benchmarks/setup.sh
#
# micrograd 0.1.0 and torch 2.13.0 (CPU) go into .venv through the `bench`
# extra. HIPS autograd is published on PyPI as `autograd`, the same import
# name as chainrule's engine, so it goes into its own folder, .bench/hips,
# which benchmarks/run.py loads under another name. Nothing is reinstalled
# when it is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
HIPS_DIR="$ROOT/.bench/hips"
HIPS_VERSION="1.9.1"
TORCH_VERSION="2.13.0"

export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_NO_INPUT=1
say() { printf 'bench-setup: %s\n' "$*"; }
# Drop pip's warning about local index folders listed in pip.conf that do not exist.
pip_quiet() { "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }; }

[[ -x "$PY" ]] || { say "no .venv here: run scripts/setup.sh first" >&2; exit 1; }

links=()
[[ -d /opt/wheels ]] && links=(--find-links /opt/wheels)

# micrograd and torch: the `bench` extra (skip pip when both are in place).
if "$PY" - "$TORCH_VERSION" <<'PYEOF' 2>/dev/null
import sys
from importlib.metadata import version
assert version("micrograd") == "0.1.0"
assert version("torch").split("+")[0] == sys.argv[1]
PYEOF
then
    say "micrograd 0.1.0 and torch $TORCH_VERSION already in .venv"
else
    say "pip install -e '.[bench]' into .venv"
    pip_quiet "$PY" -m pip install -q "${links[@]}" -e ".[bench]"
fi

# HIPS autograd (and the numpy it needs) in a separate folder.
if [[ -f "$HIPS_DIR/autograd/tracer.py" ]] \
        && [[ -d "$HIPS_DIR/autograd-$HIPS_VERSION.dist-info" ]]; then
    say "HIPS autograd $HIPS_VERSION already in .bench/hips"
else
    say "pip install autograd==$HIPS_VERSION (HIPS) into .bench/hips"
    rm -rf "$HIPS_DIR"
    mkdir -p "$(dirname "$HIPS_DIR")"
    pip_quiet "$PY" -m pip install -q --target "$HIPS_DIR" "autograd==$HIPS_VERSION"
    [[ -f "$HIPS_DIR/autograd/tracer.py" ]] || { say "HIPS install failed" >&2; exit 1; }
fi
say "done; run: .venv/bin/python benchmarks/run.py"
