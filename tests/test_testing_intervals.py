"""The bounds of autograd.testing.intervals hold the engine's float value, rounding included."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from autograd import Value
from autograd.rules import RULES, UNARY_KIND
from autograd.testing.intervals import Node, Ref, interval
from autograd.value import apply

pytestmark = pytest.mark.core

Span = tuple[float, float]

WIDE = (-40.0, 40.0)  # the tails, where 1 + tanh(x / 2) has no digits left
POS, NEG, ANY = (0.5, 3.0), (-3.0, -0.5), (-3.0, 3.0)

# Where the builder lets each one-input operation's operand lie (away from kinks and edges).
UNARY_DOMAIN: dict[str, list[Span]] = {
    "log": [POS],
    "sqrt": [POS],
    "log2": [POS],
    "log10": [POS],
    "log1p": [(-0.5, 3.0)],
    "acosh": [(1.5, 4.0)],
    "asin": [(-0.5, 0.5)],
    "acos": [(-0.5, 0.5)],
    "atanh": [(-0.5, 0.5)],
    "tan": [(-1.0, 1.0)],
    "abs": [POS, NEG],
    "relu": [POS, NEG],
    "tanh": [WIDE],
    "sigmoid": [WIDE],
    "softplus": [WIDE],
    "erf": [WIDE],
    "atan": [WIDE],
    "asinh": [WIDE],
}


def _draw(rng: random.Random, span: Span) -> Span:
    a, b = sorted(rng.uniform(*span) for _ in range(2))
    return a, b


def _check(op: str, args: tuple[Ref | float, ...], spans: list[Span], rng: random.Random) -> None:
    """The engine's value at the ends and inside the operand intervals is inside the bound."""
    nodes = [Node("", (), lo, hi, 1.0) for lo, hi in spans]
    lo, hi = interval(op, args, nodes)
    for k in range(6):
        point = [s[0] if k == 0 else s[1] if k == 1 else rng.uniform(*s) for s in spans]
        operands = [Value(point[a.at]) if isinstance(a, Ref) else a for a in args]
        y = apply(op, operands).data
        assert lo <= y <= hi, (op, args, spans, point, (lo, hi), y)


UNARY = [r.name for r in RULES.values() if r.kind == UNARY_KIND and r.name != "neg"] + ["neg"]


@pytest.mark.parametrize("op", UNARY)
def test_one_input_bounds_hold_the_engines_value(op: str) -> None:
    rng = random.Random(op)
    for _ in range(400):
        span = rng.choice(UNARY_DOMAIN.get(op, [ANY]))
        _check(op, (Ref(0),), [_draw(rng, span)], rng)
        x = rng.uniform(*span)  # a point interval: the bound is the function's value itself
        _check(op, (Ref(0),), [(x, x)], rng)


def _cases(op: str, rng: random.Random) -> tuple[tuple[Ref | float, ...], list[Span]]:
    side = rng.choice([POS, NEG])
    a, b = Ref(0), Ref(1)
    if op in ("add", "sub", "mul", "hypot", "minimum", "maximum"):
        return (a, b), [_draw(rng, ANY), _draw(rng, ANY)]
    if op == "div":
        return (a, b), [_draw(rng, ANY), _draw(rng, side)]
    if op == "atan2":
        return (a, b), [_draw(rng, ANY), _draw(rng, POS)]
    if op == "pow":
        return (a, b), [_draw(rng, POS), _draw(rng, (-2.0, 2.0))]
    if op in ("addc", "subc", "mulc"):
        return (a, rng.uniform(*ANY)), [_draw(rng, ANY)]
    if op == "divc":
        return (a, rng.uniform(*side)), [_draw(rng, ANY)]
    if op == "rsubc":
        return (rng.uniform(*ANY), a), [_draw(rng, ANY)]
    if op == "rdivc":
        return (rng.uniform(*ANY), a), [_draw(rng, side)]
    if op == "powc":
        if rng.random() < 0.5:
            return (a, rng.choice([2.0, 3.0])), [_draw(rng, ANY)]
        return (a, rng.uniform(-2.0, 2.0)), [_draw(rng, POS)]
    if op == "rpowc":
        return (rng.choice([2.0, 0.5, 3.0, 1.5]), a), [_draw(rng, ANY)]
    if op == "leaky_relu":
        return (a, rng.choice([0.01, 0.1, 0.2])), [_draw(rng, side)]
    if op == "clamp":
        lo, hi = _draw(rng, ANY)
        return (a, lo, hi), [_draw(rng, ANY)]
    assert op == "affine"
    # bias, then weight and input pairs; an input may be a constant
    return (Ref(0), Ref(1), Ref(2), Ref(3), rng.uniform(*ANY), Ref(4), Ref(5)), [
        _draw(rng, ANY) for _ in range(6)
    ]


MORE = [r.name for r in RULES.values() if r.name not in UNARY]


@pytest.mark.parametrize("op", MORE)
def test_two_input_and_constant_bounds_hold_the_engines_value(op: str) -> None:
    rng = random.Random(op)
    for _ in range(400):
        args, spans = _cases(op, rng)
        _check(op, args, spans, rng)


@pytest.mark.parametrize("x", [-4.040714816900952, -21.699022298363786, -38.81627603600944])
def test_sigmoid_upper_bound_is_not_below_the_engines_sigmoid(x: float) -> None:
    """Regression: the bound was 0.5 * (1 + tanh(x / 2)), one ulp and more below sigmoid(x)
    (0.0 at x = -38.8, where sigmoid is 1.4e-17)."""
    lo, hi = interval("sigmoid", (Ref(0),), [Node("", (), x - 1.0, x, 1.0)])
    y = Value(x).sigmoid().data
    assert lo <= y <= hi
    assert hi > 0.0


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_arithmetic_bounds_hold_the_exact_result(op: str) -> None:
    """Rounded outward, the bounds hold the real result too, not only its rounding."""
    exact = {
        "add": lambda p, q: p + q,
        "sub": lambda p, q: p - q,
        "mul": lambda p, q: p * q,
        "div": lambda p, q: p / q,
    }[op]
    rng = random.Random(op)
    for _ in range(400):
        a, b = rng.uniform(*ANY), rng.uniform(*POS)
        lo, hi = interval(op, (Ref(0), Ref(1)), [Node("", (), a, a, 1.0), Node("", (), b, b, 1.0)])
        assert Fraction(lo) <= exact(Fraction(a), Fraction(b)) <= Fraction(hi)
        assert lo < hi  # a point's bounds are a float apart: outward, never exactly on it
