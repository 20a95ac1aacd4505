"""The engine's numeric edges: overflow in every operation, huge ints, numpy
scalars as numbers, negative bases to integer Value powers, signed zeros."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Tape, Value, grad
from autograd import errors as _errors
from autograd.value import affine

pytestmark = pytest.mark.core

HUGE = 10**5000  # more digits than int -> str allows (4300 by default)


# --- overflow -------------------------------------------------------------------


def test_leaky_relu_overflow_raises_like_every_other_operation() -> None:
    with pytest.raises(OverflowError, match=r"leaky_relu.*-1e\+308.*10000000000\.0"):
        Value(-1e308).leaky_relu(1e10)


def test_leaky_relu_overflow_in_a_tape_is_the_engines() -> None:
    x = Value(-1.0)
    tape = Tape(x.leaky_relu(1e10))
    x.data = -1e308
    with pytest.raises(OverflowError, match="leaky_relu"):
        tape()
    assert x.grad == 0.0


def test_leaky_relu_of_infinite_input_is_not_an_overflow() -> None:
    assert Value(-math.inf).leaky_relu(0.5).data == -math.inf


# --- huge ints --------------------------------------------------------------------


HUGE_CASES: list[tuple[str, Callable[[], object], str]] = [
    ("Value(huge)", lambda: Value(HUGE), "Value"),
    ("Value(-huge)", lambda: Value(-HUGE), "Value"),
    ("v * huge", lambda: Value(2.0) * HUGE, r"operator \*"),
    ("huge * v", lambda: HUGE * Value(2.0), r"operator \*"),
    ("v + huge", lambda: Value(2.0) + HUGE, r"operator \+"),
    ("huge - v", lambda: HUGE - Value(2.0), "operator -"),
    ("v / huge", lambda: Value(2.0) / HUGE, "operator /"),
    ("huge / v", lambda: HUGE / Value(2.0), "operator /"),
    ("v ** huge", lambda: Value(2.0) ** HUGE, r"operator \*\*"),
    ("huge ** v", lambda: HUGE ** Value(2.0), r"operator \*\*"),
    ("leaky_relu(huge)", lambda: Value(-1.0).leaky_relu(HUGE), "leaky_relu slope"),
]


@pytest.mark.parametrize(("name", "make", "where"), HUGE_CASES, ids=[c[0] for c in HUGE_CASES])
def test_huge_ints_raise_a_short_overflow_error(
    name: str, make: Callable[[], object], where: str
) -> None:
    with pytest.raises(OverflowError, match=where) as info:
        make()
    text = str(info.value)
    assert "too large for a float" in text and "5001 digits" in text
    assert len(text) < 120


def test_describe_copes_with_huge_ints() -> None:
    assert _errors.describe(HUGE) == "<an integer of about 5001 digits> (int)"
    assert _errors.describe(-HUGE).startswith("-<an integer of about 5001 digits>")
    assert _errors.describe(10**50) == f"{10**50} (int)"  # short ints are shown in full
    assert "5001 digits" in str(_errors.overflow("pow", 2.0, HUGE))  # type: ignore[arg-type]


def test_a_huge_int_subclass_overflows_clearly() -> None:
    class Big(int):
        pass

    with pytest.raises(OverflowError, match="Value: <an integer"):
        Value(Big(HUGE))


# --- what is a number ---------------------------------------------------------


def test_a_value_as_data_is_refused_without_offering_a_value() -> None:
    with pytest.raises(TypeError) as info:
        Value(Value(1.0))
    text = str(info.value)
    assert "Value(data=1.0" in text and ".data" in text
    assert "or a Value" not in text


def test_a_value_as_slope_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"leaky_relu slope.*Value.*not accepted"):
        Value(1.0).leaky_relu(Value(0.1))  # type: ignore[arg-type]


def test_a_value_subclass_is_an_input_of_affine() -> None:
    class Tagged(Value):
        pass

    w, b, x = Value(2.0), Value(0.5), Tagged(3.0)
    out = affine([w], [x], b)
    out.backward()
    assert out.data == 6.5
    assert (x.grad, w.grad, b.grad) == (2.0, 3.0, 1.0)


OPERATORS: list[Callable[[Any, Any], Any]] = [
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    operator.pow,
]


@pytest.mark.parametrize("kind", ["bool_", "float32", "float64", "int64", "int8", "uint8"])
@pytest.mark.parametrize("op", OPERATORS, ids=lambda o: o.__name__)
def test_numpy_scalars_on_both_sides_of_every_operator(kind: str, op: Any) -> None:
    np = pytest.importorskip("numpy", reason="numpy scalars are what is tested")
    n = np.True_ if kind == "bool_" else getattr(np, kind)(3)
    c = float(n)
    for on_left in (True, False):
        v, ref = Value(2.0), Value(2.0)
        out = op(v, n) if on_left else op(n, v)
        want = op(ref, c) if on_left else op(c, ref)  # the same with a plain float
        assert isinstance(out, Value), (kind, op)
        assert type(out.data) is float and out.data == want.data
        out.backward()
        want.backward()
        assert v.grad == ref.grad


@pytest.mark.parametrize("kind", ["bool_", "float32", "float64", "int64"])
def test_numpy_scalars_as_data_exponent_and_slope(kind: str) -> None:
    np = pytest.importorskip("numpy", reason="numpy scalars are what is tested")
    n = np.True_ if kind == "bool_" else getattr(np, kind)(2)
    assert Value(n).data == float(n) and type(Value(n).data) is float
    assert (Value(3.0) ** n).data == 3.0 ** float(n)
    assert (n ** Value(3.0)).data == float(n) ** 3.0
    assert Value(-1.0).leaky_relu(n).data == -float(n)
    assert grad(lambda x: x * x)(n) == 2.0 * float(n)


def test_numpy_complex_is_still_refused() -> None:
    np = pytest.importorskip("numpy", reason="numpy scalars are what is tested")
    with pytest.raises(TypeError, match="complex"):
        Value(np.complex128(1.0))
    with pytest.raises(TypeError, match="complex"):
        Value(1.0) + np.complex128(1.0)


# --- a negative base to an integer Value power ---------------------------------


def test_negative_base_to_a_value_integer_power_forward_and_backward() -> None:
    a, b = Value(-2.0), Value(3.0)
    out = a**b
    assert out.data == -8.0
    out.backward()
    assert a.grad == 12.0  # b * a ** (b - 1)
    assert b.grad == -8.0 * math.log(2.0)  # the real convention: a ** b * log|a|
    c = Value(2.0)
    r = (-2.0) ** c
    assert r.data == 4.0
    r.backward()
    assert c.grad == 4.0 * math.log(2.0)


def test_negative_base_in_grad_and_tape() -> None:
    f = lambda a, b: a**b  # noqa: E731
    assert grad(f, (0, 1))(-2.0, 3.0) == (12.0, -8.0 * math.log(2.0))
    assert grad(grad(f, 0), 0)(-2.0, 3.0) == -12.0  # b (b - 1) a ** (b - 2)
    assert grad(lambda y: (-3.0) ** y)(2.0) == 9.0 * math.log(3.0)
    a, b = Value(1.5), Value(2.0)
    tape = Tape(a**b)
    a.data = -2.0
    b.data = 3.0
    assert tape() == -8.0
    assert (a.grad, b.grad) == (12.0, -8.0 * math.log(2.0))


@pytest.mark.parametrize(("a", "b"), [(-2.0, 0.5), (-8.0, 1.0 / 3.0)])
def test_negative_base_to_a_non_integer_power_is_still_a_domain_error(a: float, b: float) -> None:
    with pytest.raises(ValueError, match=r"pow.*negative base"):
        Value(a) ** Value(b)
    with pytest.raises(ValueError, match=r"pow.*negative base"):
        a ** Value(b)


# --- signed zeros and infinite local derivatives -----------------------------------


def test_relu_of_negative_zero_is_negative_zero() -> None:
    x = Value(-0.0)
    r = x.relu()
    assert math.copysign(1.0, r.data) == -1.0
    r.backward()
    assert x.grad == 0.0
    assert math.copysign(1.0, Value(0.0).relu().data) == 1.0
    assert Value(-3.0).relu().data == 0.0 and math.isnan(Value(math.nan).relu().data)
    tape = Tape(Value(-0.0).relu())
    assert math.copysign(1.0, tape.forward()) == -1.0


def test_sqrt_derivative_at_negative_zero_is_negative_infinity() -> None:
    x = Value(-0.0)
    x.sqrt().backward()
    assert x.grad == -math.inf
    assert grad(lambda v: v.sqrt())(-0.0) == -math.inf
    assert grad(lambda v: v.sqrt())(0.0) == math.inf


@pytest.mark.parametrize(
    ("f", "want"),
    [
        (lambda x: x.sqrt(), [math.inf, -math.inf, math.inf]),
        (lambda x: x**0.5, [math.inf, -math.inf, math.inf]),
        (lambda x: x**0.25, [math.inf, -math.inf, math.inf]),
        (lambda x: x**1.5, [0.0, math.inf, -math.inf]),
    ],
)
def test_higher_derivatives_where_the_first_is_infinite(
    f: Callable[[Value], Value], want: list[float]
) -> None:
    g: Any = f
    for w in want:
        g = grad(g)
        assert g(0.0) == w


def test_singular_points_of_a_value_exponent() -> None:
    dx = grad(lambda x, y: x**y, 0)
    assert dx(0.0, 0.5) == math.inf
    assert grad(dx, 0)(0.0, 0.5) == -math.inf
    assert grad(grad(dx, 0), 0)(0.0, 0.5) == math.inf
    assert grad(dx, 1)(0.0, 0.5) == math.inf  # d/dy (y * 0 ** (y - 1)): 0 ** (y - 1), no nan
