#!/usr/bin/env bash
# Run the chainrule demo: trains a small MLP on two moons and writes its
# plots, graph and model (see `chainrule demo --help`; arguments pass through,
# e.g. scripts/demo.sh --out /tmp/chainrule-demo).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh demo
exec "$ROOT/.venv/bin/python" -m chainrule demo "$@"
