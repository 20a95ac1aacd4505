"""What ``detect_anomaly`` costs while it is off.

    .venv/bin/python benchmarks/anomaly_off.py [--ops 10000] [--reps 100]

Every operation in ``autograd/value.py`` ends with ``if _special: _post(out)``:
the only trace of the modes (``no_grad`` and ``detect_anomaly``) when they
are off. This script copies the package twice into a temporary folder under new
names, once as it is and once with those two lines removed everywhere,
imports both into this process, and times the forward pass of the same
graph of ``--ops`` operations (mul, add, tanh, sub and constant operands)
with each, in alternation and in CPU time, so that both see the same
machine load. It prints the best and the median ns per operation of each.
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


def copy_package(tmp: Path, name: str, strip: bool) -> tuple[Any, int]:
    """Import a copy of autograd as ``name``; without the mode hook if ``strip``.

    Both builds are copies imported the same way, so that nothing but the
    hook differs between them (the original package, imported first, can
    differ by a few percent from an identical copy).
    """
    dest = tmp / name
    shutil.copytree(ROOT / "autograd", dest)
    value = dest / "value.py"
    text = value.read_text()
    sites = len(HOOK.findall(text))
    if sites == 0:
        sys.exit("no 'if _special: _post(...)' lines found in autograd/value.py")
    if strip:
        value.write_text(HOOK.sub("", text))
    if str(tmp) not in sys.path:
        sys.path.insert(0, str(tmp))
    return importlib.import_module(name), sites


def forward(value_cls: Any, n: int) -> Any:
    x, w, b = value_cls(0.3), value_cls(0.9), value_cls(0.1)
    t = x
    for _ in range(n // 4):
        t = (t * w + 0.1).tanh() - b
    return t


def timed(fn: Callable[[], Any]) -> int:
    t0 = time.thread_time_ns()
    fn()
    return time.thread_time_ns() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--ops", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=100)
    args = ap.parse_args()
    n = args.ops // 4 * 4
    with tempfile.TemporaryDirectory() as tmp:
        # Two copies of each build, imported A B B A: a build imported earlier
        # runs a few percent slower or faster for reasons of memory layout
        # alone, and this order cancels that out.
        order = [("shipped", False), ("bare", True), ("bare", True), ("shipped", False)]
        builds = []
        sites = 0
        for k, (kind, strip) in enumerate(order):
            module, sites = copy_package(Path(tmp), f"autograd_{kind}{k}", strip=strip)
            builds.append((kind, module.Value))
        for _ in range(5):  # warm up: the first rounds run slower whatever the build
            for _, cls in builds:
                forward(cls, n)
        times: list[list[float]] = [[] for _ in builds]
        gc.disable()
        try:
            for _ in range(args.reps):
                for ts, (_, cls) in zip(times, builds):
                    ts.append(timed(lambda cls=cls: forward(cls, n)) / n)
                gc.collect()
        finally:
            gc.enable()
    label = {"shipped": "as shipped, mode off", "bare": f"hook removed ({sites} sites)"}
    best: dict[str, list[float]] = {"shipped": [], "bare": []}
    print(f"forward pass of {n} ops, {args.reps} alternating reps, CPU time (ns/op)")
    for ts, (kind, _) in zip(times, builds):
        best[kind].append(min(ts))
        print(f"  {label[kind]:28s} best {min(ts):6.1f}   median {statistics.median(ts):6.1f}")
    shipped, removed = statistics.fmean(best["shipped"]), statistics.fmean(best["bare"])
    print(
        f"  cost of the off mode (mean of the bests): {shipped - removed:+.1f} ns/op "
        f"({(shipped - removed) / removed:+.1%})"
    )


if __name__ == "__main__":
    main()
