"""Tape against the engine on drawn expressions: exact equality, errors included.

Each drawn function is recorded at one point and replayed at others, inside
the range where it is smooth and far outside it (where domain errors and
overflows happen): the tape must give the engine's value and gradients bit
for bit, or raise the engine's error with the same message.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="property tests need the 'test' extra")
st = hypothesis.strategies
from hypothesis import given  # noqa: E402

from autograd import Tape, Value  # noqa: E402
from autograd.testing.strategies import Expression, expressions, floats  # noqa: E402

N = 3
_NAMED = {c: c.removeprefix("r")[:-1] for c in ("addc", "subc", "rsubc", "mulc", "divc", "rdivc")}
_NAMED |= {"powc": "pow", "rpowc": "pow"}  # errors name the operator: "pow: ..."


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)


def _run(f: Any, leaves: list[Value], xs: list[float]) -> tuple[float, list[float]]:
    for leaf, x in zip(leaves, xs):
        leaf.data = x
        leaf.grad = 0.0
    out = f()
    return out, [leaf.grad for leaf in leaves]


def _engine(e: Expression, leaves: list[Value]) -> float:
    root = e(*leaves)
    root.backward()
    return float(root.data)


def _failing_ops(tape: Tape) -> int:
    """How many operations fail at the leaves' data, each tried on its own inputs."""
    from autograd.tape import _replay_op

    values: dict[Value, Value] = {leaf: Value(leaf.data) for leaf in tape.leaves}
    failing = 0
    for node in tape._nodes:  # parents first
        try:
            values[node] = _replay_op(node, values)
        except KeyError:  # an input failed: this node is never computed, in any order
            continue
        except (ArithmeticError, ValueError):
            failing += 1
    return failing


@given(
    expressions(N, 12),
    st.lists(floats(-1.0, 1.0), min_size=N, max_size=N),
    st.lists(
        st.lists(st.one_of(floats(-1.0, 1.0), floats(-60.0, 60.0)), min_size=N, max_size=N),
        min_size=1,
        max_size=4,
    ),
)
def test_replay_equals_rebuilding(
    e: Expression, at: list[float], points: list[list[float]]
) -> None:
    leaves = [Value(x) for x in at]
    tape = Tape(e(*leaves))
    for xs in points:
        try:
            want = _run(lambda: _engine(e, leaves), leaves, xs)
        except (ArithmeticError, ValueError) as err:
            with pytest.raises((ArithmeticError, ValueError)) as failed:
                _run(tape, leaves, xs)
            # The engine's error, for an operation of this graph; when several
            # operations fail, depth-first order may meet another one first.
            ops = {_NAMED.get(m._rule, m._rule) for m in tape._nodes}
            assert str(failed.value).split(":")[0] in ops, (str(failed.value), ops)
            if _failing_ops(tape) == 1:
                assert type(failed.value) is type(err) and str(failed.value) == str(err)
            assert [leaf.grad for leaf in leaves] == [0.0] * N
            continue
        got = _run(tape, leaves, xs)
        assert _same(got[0], want[0]), (e, xs, got, want)
        assert all(map(_same, got[1], want[1])), (e, xs, got, want)
        assert math.isfinite(got[0]) or not math.isfinite(want[0])
