"""Errors follow Python's math module, with the operation and the input in the message."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from autograd import Value

pytestmark = pytest.mark.core

CASES: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("log(0)", lambda: Value(0.0).log(), ValueError, r"log.*0\.0"),
    ("log(-1)", lambda: Value(-1.0).log(), ValueError, r"log.*-1\.0"),
    ("sqrt(-1)", lambda: Value(-1.0).sqrt(), ValueError, r"sqrt.*-1\.0"),
    ("(-8)**(1/3)", lambda: Value(-8.0) ** (1 / 3), ValueError, r"pow.*-8\.0"),
    ("(-8)**Value(0.5)", lambda: Value(-8.0) ** Value(0.5), ValueError, r"pow.*-8\.0"),
    ("(-2)**v", lambda: (-2.0) ** Value(0.5), ValueError, r"pow.*-2\.0"),
    ("1/0", lambda: Value(1.0) / 0, ZeroDivisionError, r"div.*1\.0, 0\.0"),
    ("1/Value(0)", lambda: Value(1.0) / Value(0.0), ZeroDivisionError, r"div"),
    ("2/Value(0)", lambda: 2 / Value(0.0), ZeroDivisionError, r"div.*2\.0"),
    ("0**-1", lambda: Value(0.0) ** -1, ZeroDivisionError, r"pow.*negative power"),
    ("0**Value(-1)", lambda: Value(0.0) ** Value(-1.0), ZeroDivisionError, r"pow"),
    ("exp(1000)", lambda: Value(1000.0).exp(), OverflowError, r"exp.*1000\.0"),
    ("10**400", lambda: Value(10.0) ** 400, OverflowError, r"pow.*10\.0"),
    ("1e200*1e200", lambda: Value(1e200) * Value(1e200), OverflowError, r"mul.*1e\+200"),
    ("1e308+1e308", lambda: Value(1e308) + 1e308, OverflowError, r"add"),
    ("-1e308-1e308", lambda: -1e308 - Value(1e308), OverflowError, r"sub"),
    ("1e300/1e-300", lambda: Value(1e300) / 1e-300, OverflowError, r"div"),
    ("2**Value(5000)", lambda: 2 ** Value(5000.0), OverflowError, r"pow"),
]


@pytest.mark.parametrize(("name", "make", "kind", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_error_type_and_message(
    name: str, make: Callable[[], object], kind: type[Exception], pattern: str
) -> None:
    with pytest.raises(kind, match=pattern):
        make()


def test_negative_base_with_integer_exponent_is_fine() -> None:
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


def test_non_finite_inputs_propagate_like_floats() -> None:
    inf = Value(math.inf)
    assert (inf + 1.0).data == math.inf
    assert math.isnan((inf - inf).data)
    assert (inf * 2.0).data == math.inf
    assert Value(math.nan).tanh().data != Value(math.nan).tanh().data


def test_sin_of_infinity_is_a_domain_error() -> None:
    with pytest.raises(ValueError, match="sin"):
        Value(math.inf).sin()


def test_overflowing_partial_sums_are_an_overflow() -> None:
    from autograd.value import affine

    ws = [Value(1e308), Value(1e308), Value(-1e308), Value(-1e308)]
    with pytest.raises(OverflowError, match="affine"):
        affine(ws, [1.0, 1.0, 1.0, 1.0], Value(0.0))
