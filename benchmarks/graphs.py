"""Workload definitions shared by every engine: the wide DAG and the moons data.

Everything here is generated once, before any timing, from a fixed seed, so
every engine runs exactly the same graph and the generation cost is never
timed.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

UNARY = ("tanh", "exp", "relu")
BINARY = ("add", "sub", "mul", "div")
OPS = BINARY + UNARY
SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/"}

BOUND = 2.0
"""Every value of the wide graph stays in [-BOUND, BOUND]."""
MIN_DIVISOR = 1.0
"""Divisors are at least this large in magnitude, so 1/b never amplifies."""
WINDOW = 64
EXP_MAX = 0.5
"""Second operands are drawn from this many most recent nodes (node reuse)."""


@dataclass(frozen=True)
class WideGraph:
    """A random DAG: ``leaves`` then ``ops``; op ``k`` makes node ``len(leaves) + k``.

    Each op is ``(name, a, b)`` with node indices (``b == -1`` for unary ops).
    The last op is the root; every node is an ancestor of the root.
    """

    leaves: tuple[float, ...]
    ops: tuple[tuple[str, int, int], ...]
    values: tuple[float, ...]  # forward values in plain floats (for reference)
    depth: int  # longest leaf-to-root path, in ops

    @property
    def n_ops(self) -> int:
        return len(self.ops)


def _apply(op: str, x: float, y: float) -> float:
    if op == "add":
        return x + y
    if op == "sub":
        return x - y
    if op == "mul":
        return x * y
    if op == "div":
        return x / y
    if op == "tanh":
        return math.tanh(x)
    if op == "exp":
        return math.exp(x)
    return x if x > 0.0 else 0.0  # relu


def _acceptable(op: str, x: float, y: float) -> bool:
    """Keep values bounded and away from singular points and kinks."""
    if op == "div" and abs(y) < MIN_DIVISOR:
        return False
    if op == "relu" and x == 0.0:
        return False  # engines disagree on relu'(0): avoid the tie
    if op == "exp" and x > EXP_MAX:
        return False  # exp' = exp(x) stays small
    return abs(_apply(op, x, y)) <= BOUND


def make_wide(n_ops: int, n_leaves: int | None = None, seed: int = 0) -> WideGraph:
    """A random DAG of exactly ``n_ops`` operations over + - * / tanh exp relu.

    The first operand of every op is the oldest node nobody has used yet (a
    FIFO), so every node feeds the root; the second operand is drawn from the
    ``WINDOW`` most recent nodes, so nodes are reused. Ops that would leave
    ``[-BOUND, BOUND]``, divide by a small number or hit relu's kink are
    replaced by another op (tanh always qualifies). The last ``n_leaves - 1``
    ops add up the nodes still unused, pairwise, making one root.

    ``n_leaves`` defaults to ``n_ops // 40``: the graph grows in width, not
    depth, so gradients stay of moderate size (below about 1e4) at any ``n_ops``.
    """
    if n_leaves is None:
        n_leaves = max(32, n_ops // 40)
    if n_ops < n_leaves:
        raise ValueError(f"make_wide: need at least {n_leaves} ops, got {n_ops}")
    rng = random.Random(seed)
    leaves = tuple(rng.uniform(-1.0, 1.0) for _ in range(n_leaves))
    values = list(leaves)
    depth = [0] * n_leaves
    unused = deque(range(n_leaves))
    ops: list[tuple[str, int, int]] = []
    n_random = n_ops - (n_leaves - 1)
    for _ in range(n_random):
        a = unused.popleft()
        lo = max(0, len(values) - WINDOW)
        b = rng.randrange(lo, len(values))
        x, y = values[a], values[b]
        op = rng.choice(OPS)
        if not _acceptable(op, x, y):
            order = list(OPS)
            rng.shuffle(order)
            op = next(o for o in order if _acceptable(o, x, y))
        if op in UNARY:
            b = -1
            y = 0.0
        ops.append((op, a, b))
        values.append(_apply(op, x, y))
        depth.append(1 + max(depth[a], depth[b] if b >= 0 else 0))
        unused.append(len(values) - 1)
    # Add up the nodes nobody used, pairwise (a balanced tree), into one root.
    while len(unused) > 1:
        a, b = unused.popleft(), unused.popleft()
        ops.append(("add", a, b))
        values.append(values[a] + values[b])
        depth.append(1 + max(depth[a], depth[b]))
        unused.append(len(values) - 1)
    return WideGraph(leaves, tuple(ops), tuple(values), max(depth))


def reference_gradients(g: WideGraph) -> list[float]:
    """d(root)/d(node) for every node, in plain floats (a quick sanity oracle)."""
    n_leaves = len(g.leaves)
    grads = [0.0] * len(g.values)
    grads[-1] = 1.0
    for k in range(len(g.ops) - 1, -1, -1):
        op, a, b = g.ops[k]
        out = grads[n_leaves + k]
        if out == 0.0:
            continue
        x = g.values[a]
        r = g.values[n_leaves + k]
        if op == "add":
            grads[a] += out
            grads[b] += out
        elif op == "sub":
            grads[a] += out
            grads[b] -= out
        elif op == "mul":
            y = g.values[b]
            grads[a] += out * y
            grads[b] += out * x
        elif op == "div":
            y = g.values[b]
            grads[a] += out / y
            grads[b] -= out * r / y
        elif op == "tanh":
            grads[a] += out * (1.0 - r * r)
        elif op == "exp":
            grads[a] += out * r
        elif x > 0.0:
            grads[a] += out
    return grads


def wide_source(g: WideGraph, style: str) -> str:
    """Straight-line Python for the graph: ``def f(leaves): ... return root``.

    ``style="method"`` writes ``v.tanh()`` (Value-like engines and torch);
    ``style="function"`` writes ``tanh(v)``, ``exp(v)``, ``relu(v)`` with
    those names supplied by the caller's globals (HIPS autograd on numpy).
    """
    n_leaves = len(g.leaves)
    lines = ["def f(leaves):"]
    lines.append("    " + ", ".join(f"v{i}" for i in range(n_leaves)) + ", = leaves")
    for k, (op, a, b) in enumerate(g.ops):
        i = n_leaves + k
        if op in SYMBOL:
            expr = f"v{a} {SYMBOL[op]} v{b}"
        elif style == "method":
            expr = f"v{a}.{op}()"
        else:
            expr = f"{op}(v{a})"
        lines.append(f"    v{i} = {expr}")
    lines.append(f"    return v{n_leaves + len(g.ops) - 1}")
    return "\n".join(lines) + "\n"


def compile_wide(g: WideGraph, style: str, namespace: dict[str, object]) -> Callable[..., object]:
    """Compile ``wide_source`` once; the result is reused across engines and repetitions."""
    code = compile(wide_source(g, style), f"<wide {g.n_ops} {style}>", "exec")
    ns = dict(namespace)
    exec(code, ns)
    return ns["f"]  # type: ignore[return-value]


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: int = 1
) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (as scikit-learn draws them); labels in {-1, 1}.

    Gaussian noise comes from ``random.Random(seed)``: no numpy, no downloads.
    """
    rng = random.Random(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    xs: list[tuple[float, float]] = []
    ys: list[float] = []
    for i in range(n_out):
        t = math.pi * i / (n_out - 1)
        xs.append((math.cos(t), math.sin(t)))
        ys.append(-1.0)
    for i in range(n_in):
        t = math.pi * i / (n_in - 1)
        xs.append((1.0 - math.cos(t), 0.5 - math.sin(t)))
        ys.append(1.0)
    noisy = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y in xs]
    return noisy, ys


MOONS_SIZES = (2, 16, 16, 1)


@dataclass(frozen=True)
class MLPInit:
    """Initial parameters of the 2-16-16-1 MLP, shared by every engine.

    ``weights[l][j]`` are neuron ``j``'s input weights in layer ``l``, drawn
    uniformly from [-1, 1] as micrograd does; ``biases[l][j]`` start at 0.
    Flattened order (``flat``) is micrograd's: per neuron, weights then bias.
    """

    weights: tuple[tuple[tuple[float, ...], ...], ...]
    biases: tuple[tuple[float, ...], ...]

    def flat(self) -> list[float]:
        out: list[float] = []
        for wl, bl in zip(self.weights, self.biases):
            for w, b in zip(wl, bl):
                out.extend(w)
                out.append(b)
        return out


def make_mlp_init(sizes: tuple[int, ...] = MOONS_SIZES, seed: int = 2) -> MLPInit:
    """Seeded initial parameters for an MLP with layer sizes ``sizes``."""
    rng = random.Random(seed)
    weights = []
    biases = []
    for nin, nout in itertools.pairwise(sizes):
        rows = tuple(tuple(rng.uniform(-1.0, 1.0) for _ in range(nin)) for _ in range(nout))
        weights.append(rows)
        biases.append(tuple(0.0 for _ in range(nout)))
    return MLPInit(tuple(weights), tuple(biases))
