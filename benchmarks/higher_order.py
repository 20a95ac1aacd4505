"""Cost of a second derivative against the first, on a 1,000-operation expression.

    .venv/bin/python benchmarks/higher_order.py

The function chains 125 steps of ``y = tanh(0.9 y + 0.1 x) + 0.01 x sin(y)``,
8 operations each: 1,000 operations. It prints the median time of the forward pass,
forward + ``backward()``, ``grad(f)`` called with a float (the float sweep),
and ``grad(grad(f))`` (the derivative built from Value operations, then
differentiated again), with the ratio of the second derivative to the
first. It also checks both derivatives against central differences.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograd import Value, grad
from autograd.backward import topological_order

STEPS = 125
X0 = 0.3


def f(x: Any) -> Any:
    y = x
    for _ in range(STEPS):
        y = (0.9 * y + 0.1 * x).tanh() + 0.01 * x * y.sin()
    return y


def _median_ms(fn: Callable[[], object], reps: int = 9) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def _central(fn: Callable[[float], float], x: float, h: float = 1e-5) -> float:
    return (fn(x + h) - fn(x - h)) / (2 * h)


def main() -> int:
    gc.disable()
    ops = sum(1 for n in topological_order(f(Value(X0))) if n._rule)

    def fwd_bwd() -> None:
        x = Value(X0)
        f(x).backward()

    df = grad(f)
    d2f = grad(grad(f))
    fwd = _median_ms(lambda: f(Value(X0)))
    first_bwd = _median_ms(fwd_bwd)
    first = _median_ms(lambda: df(X0))
    second = _median_ms(lambda: d2f(X0))
    gc.enable()

    g1, g2 = df(X0), d2f(X0)
    n1 = _central(lambda x: f(Value(x)).data, X0)
    n2 = _central(df, X0)
    print(f"f: {STEPS} steps, {ops} operations; x = {X0}; Python {sys.version.split()[0]}")
    print(f"  forward                        {fwd:8.2f} ms")
    print(f"  forward + backward()           {first_bwd:8.2f} ms")
    print(f"  grad(f)(x), floats             {first:8.2f} ms")
    print(f"  grad(grad(f))(x)               {second:8.2f} ms   {second / first:.1f}x grad(f)")
    print(f"  f'  = {g1:.12g}  (central difference {n1:.12g})")
    print(f"  f'' = {g2:.12g}  (central difference of f' {n2:.12g})")
    ok = abs(g1 - n1) <= 1e-6 * max(1.0, abs(g1)) and abs(g2 - n2) <= 1e-5 * max(1.0, abs(g2))
    print("  derivatives agree with central differences" if ok else "  MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
