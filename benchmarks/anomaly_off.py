"""What ``detect_anomaly`` costs while it is off.

    .venv/bin/python benchmarks/anomaly_off.py [--ops 10000] [--reps 40]

Every operation in ``autograd/value.py`` ends with ``if _special: _post(out)``:
the only trace of the modes (``no_grad`` and ``detect_anomaly``) when they
are off. This script copies the package into a temporary folder under a new
name with those two lines removed everywhere, imports both builds into this
process, and times the forward pass of the same graph of ``--ops``
operations (mul, add, tanh, sub and constant operands) with each, in
alternation so that both see the same machine load. It prints the best and
the median ns per operation of each build.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HOOK = re.compile(r"^\s*if _special:\n\s*_post\([^)]*\)\n", re.MULTILINE)


def stripped_copy(tmp: Path) -> tuple[Any, int]:
    """Import a copy of autograd without the mode hook, as ``autograd_nohook``."""
    dest = tmp / "autograd_nohook"
    shutil.copytree(ROOT / "autograd", dest)
    value = dest / "value.py"
    text = value.read_text()
    sites = len(HOOK.findall(text))
    if sites == 0:
        sys.exit("no 'if _special: _post(...)' lines found in autograd/value.py")
    value.write_text(HOOK.sub("", text))
    sys.path.insert(0, str(tmp))
    return importlib.import_module("autograd_nohook"), sites


def forward(value_cls: Any, n: int) -> Any:
    x, w, b = value_cls(0.3), value_cls(0.9), value_cls(0.1)
    t = x
    for _ in range(n // 4):
        t = (t * w + 0.1).tanh() - b
    return t


def timed(fn: Callable[[], Any]) -> int:
    t0 = time.perf_counter_ns()
    fn()
    return time.perf_counter_ns() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--ops", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=40)
    args = ap.parse_args()
    n = args.ops // 4 * 4
    sys.path.insert(0, str(ROOT))
    import autograd

    with tempfile.TemporaryDirectory() as tmp:
        bare, sites = stripped_copy(Path(tmp))
        builds = {
            "as shipped, mode off": autograd.Value,
            f"hook removed ({sites} sites)": bare.Value,
        }
        for cls in builds.values():
            forward(cls, n)  # warm up
        times: dict[str, list[float]] = {name: [] for name in builds}
        gc.disable()
        try:
            for _ in range(args.reps):
                for name, cls in builds.items():
                    times[name].append(timed(lambda cls=cls: forward(cls, n)) / n)
                gc.collect()
        finally:
            gc.enable()
    print(f"forward pass of {n} ops, {args.reps} alternating reps (ns/op)")
    best = {}
    for name, ts in times.items():
        best[name] = min(ts)
        print(f"  {name:28s} best {min(ts):6.1f}   median {statistics.median(ts):6.1f}")
    shipped, removed = best.values()
    print(
        f"  cost of the off mode (best): {shipped - removed:+.1f} ns/op "
        f"({(shipped - removed) / removed:+.1%})"
    )


if __name__ == "__main__":
    main()
