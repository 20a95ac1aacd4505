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
            with pytest.raises(type(err)) as failed:
                _run(tape, leaves, xs)
            assert str(failed.value) == str(err)
            assert [leaf.grad for leaf in leaves] == [0.0] * N
            continue
        got = _run(tape, leaves, xs)
        assert _same(got[0], want[0]), (e, xs, got, want)
        assert all(map(_same, got[1], want[1])), (e, xs, got, want)
        assert math.isfinite(got[0]) or not math.isfinite(want[0])
