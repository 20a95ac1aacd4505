"""``backward`` is ``backward_reference`` unrolled: on random graphs they agree bit for bit.

Every operation of the rule table appears (one and two inputs, a constant on
either side, leaky_relu's slope, clamp's bounds, the n-input ``affine`` with
Values and constants among its inputs); later operations reuse earlier
results, so nodes are shared; inputs include 0 and -0.0, where ``sqrt`` and
``x ** 0.5`` have an infinite local derivative and ``relu`` a zero one (a zero
upstream through an infinite local derivative must add exactly 0). The same
leaves feed two graphs, one pass each, so the per-pass leaf semantics is held
too: a pass sums a leaf's terms from 0.0 and adds that total to its ``grad`` once.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from typing import Any

import pytest

from autograd import Value
from autograd.backward import backward, backward_reference, gradients, topological_order
from autograd.functional import vjp_floats
from autograd.rules import BINARY_KIND, RULES
from autograd.value import apply

hypothesis = pytest.importorskip("hypothesis", reason="property tests need hypothesis")
st = hypothesis.strategies
given, settings = hypothesis.given, hypothesis.settings

CONST_RIGHT = {"addc", "subc", "mulc", "divc", "powc"}
CONST_LEFT = {"rsubc", "rdivc", "rpowc"}
TWO_INPUTS = {name for name, rule in RULES.items() if rule.kind == BINARY_KIND}
OPS = sorted(RULES)
NUMBERS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 2.0, 3.0, 1e-3, -0.75, 1e150, math.inf]
"""Inputs and constants: zeros for the infinite and zero local derivatives, large numbers
for infinite gradients (a product of two 1e150 gradients is inf in backward, never an error)."""


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def same(a: float, b: float) -> bool:
    """Equal bit for bit, except that any NaN equals any NaN."""
    return (math.isnan(a) and math.isnan(b)) or bits(a) == bits(b)


@st.composite
def plans(draw: Any) -> tuple[list[float], list[float], list[list[tuple[Any, ...]]]]:
    """Leaf values, the leaves' grads before the first pass, and two graphs' steps."""
    n = draw(st.integers(1, 4))
    leaves = draw(st.lists(st.sampled_from(NUMBERS[:10]), min_size=n, max_size=n))
    grads0 = draw(st.lists(st.sampled_from([0.0, 1.0, -0.5, 1e308]), min_size=n, max_size=n))
    step = st.tuples(
        st.sampled_from(OPS),
        st.lists(st.integers(0, 50), min_size=7, max_size=7),  # operand picks
        st.lists(st.sampled_from(NUMBERS), min_size=4, max_size=4),  # constants
        st.integers(0, 3),  # affine: number of terms
    )
    passes = [draw(st.lists(step, min_size=1, max_size=14)) for _ in range(2)]
    return leaves, grads0, passes


def operands(
    op: str, picks: Sequence[int], consts: Sequence[float], width: int, pool: list[Value]
) -> list[Any]:
    """What ``apply(op, ...)`` takes, picked from the nodes so far (newest first)."""
    at = [pool[-1 - p % len(pool)] for p in picks]
    if op in TWO_INPUTS:
        return at[:2]
    if op in CONST_RIGHT:
        return [at[0], consts[0]]
    if op in CONST_LEFT:
        return [consts[0], at[0]]
    if op == "leaky_relu":
        return [at[0], (0.01, 0.2, 0.0)[picks[1] % 3]]
    if op == "clamp":
        lo, hi = sorted(consts[:2])
        return [at[0], lo, hi]
    if op == "affine":
        out: list[Any] = [at[0]]
        for j in range(width):
            out += [at[1 + 2 * j], at[2 + 2 * j] if j % 2 == 0 else consts[j]]
        return out
    return at[:1]


def build(leaves: list[Value], steps: list[tuple[Any, ...]]) -> Value:
    """The graph of ``steps`` over ``leaves``: operations outside their domain are left out."""
    pool = list(leaves)
    for op, picks, consts, width in steps:
        try:
            pool.append(apply(op, operands(op, picks, consts, width, pool)))
        except (ValueError, OverflowError, ZeroDivisionError):
            continue
    root = pool[-1]
    for extra in pool[len(leaves) : -1 : 3]:  # more consumers: shared nodes all over
        try:
            root = root + extra
        except OverflowError:
            continue
    return root


def run(plan: Any, sweep: Any) -> list[list[float]]:
    """Every node's grad after each of the two passes, the leaves' first."""
    values, grads0, passes = plan
    leaves = [Value(v) for v in values]
    for leaf, g in zip(leaves, grads0):
        leaf.grad = g
    seen: list[list[float]] = []
    roots = []
    for steps in passes:
        root = build(leaves, steps)
        roots.append(root)
        sweep(root)
        nodes = {v: None for r in roots for v in topological_order(r)}
        seen.append([v.grad for v in [*leaves, *nodes]])
    return seen


@settings(max_examples=400, deadline=None)
@given(plans())
def test_backward_is_the_reference_unrolled_bit_for_bit(plan: Any) -> None:
    fast = run(plan, backward)
    reference = run(plan, backward_reference)
    assert len(fast) == len(reference)
    for a, b in zip(fast, reference):
        assert len(a) == len(b)
        assert all(same(x, y) for x, y in zip(a, b)), (a, b)


@settings(max_examples=200, deadline=None)
@given(plans())
def test_vjp_floats_is_the_same_sweep(plan: Any) -> None:
    """The float sweep of ``grad`` gives each leaf this pass's sum as ``backward`` adds it."""
    values, _, passes = plan
    leaves = [Value(v) for v in values]
    root = build(leaves, passes[0])
    got = vjp_floats(root, leaves)
    expected = gradients(root)
    assert [bits(g) for g in got] == [bits(float(expected.get(x, 0.0))) for x in leaves]
    backward(root)  # from zero grads: backward's leaf grads are this pass's sums
    assert all(same(x.grad, g) for x, g in zip(leaves, got))


def test_the_reference_keeps_the_leaf_semantics_on_a_small_graph() -> None:
    """Hand-checked: x is met twice in pass 1 (3 + 4 = 7) and once in pass 2."""
    x, y = Value(2.0), Value(3.0)
    x.grad = 0.5
    backward_reference(x * y + x * 4.0)
    assert (x.grad, y.grad) == (0.5 + 7.0, 2.0)
    backward_reference(x * y)
    assert (x.grad, y.grad) == (7.5 + 3.0, 4.0)
    z = Value(0.0)
    out = z.relu() * z.sqrt()  # sqrt'(0) = inf meets the upstream relu(0) = 0
    backward_reference(out)
    assert z.grad == 0.0 and math.copysign(1.0, z.grad) == 1.0


def test_a_leaf_root_gets_one() -> None:
    x = Value(1.0)
    x.grad = 2.0
    backward_reference(x)
    assert x.grad == 3.0


def test_an_anomaly_in_backward_changes_no_grad() -> None:
    """Under detect_anomaly the checked pass raises before it writes any ``.grad``."""
    from autograd import detect_anomaly

    with detect_anomaly():
        x, y = Value(1.0), Value(1.0)
        h = (x - y) * 3.0
        d = (h * h).sqrt()  # sqrt'(0) = inf: the gradient of h*h is not finite
        h.grad, x.grad = 5.0, 7.0
        with pytest.raises(FloatingPointError, match="backward through operation 'sqrt'"):
            d.backward()
    assert (h.grad, x.grad, y.grad, d.grad) == (5.0, 7.0, 0.0, 0.0)
