"""autograd.testing.gradcheck and numerical_grad: every operation, failure tables, bad input."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import autograd.rules
from autograd import Value, atan2, hypot, maximum, minimum
from autograd.testing import GradcheckError, gradcheck, numerical_grad
from autograd.value import affine

pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parents[1]

# Every operation of the engine (RULES keys), with points inside its domain,
# including the awkward ones: near domain edges, saturated tails, negative
# bases with integer powers, a zero base with a positive integer power.
OP_CASES: dict[str, tuple[Callable[..., Any], list[list[float]]]] = {
    "add": (lambda x, y: x + y, [[0.5, -2.0], [1e-8, 3e5]]),
    "sub": (lambda x, y: x - y, [[0.5, -2.0], [-7.0, -7.0]]),
    "mul": (lambda x, y: x * y, [[0.5, -2.0], [0.0, 3.0], [-1e3, 1e-3]]),
    "div": (lambda x, y: x / y, [[0.5, -2.0], [3.0, 1e-3], [-2.0, 40.0]]),
    "pow": (lambda x, y: x**y, [[0.5, -2.0], [2.0, 0.5], [1e-3, 1.5], [3.0, 0.0]]),
    "addc": (lambda x: x + 2.5, [[0.5], [-1e6]]),
    "subc": (lambda x: x - 2.5, [[0.5], [-3.0]]),
    "rsubc": (lambda x: 2.5 - x, [[0.5], [10.0]]),
    "mulc": (lambda x: -3.0 * x, [[0.5], [0.0]]),
    "divc": (lambda x: x / -4.0, [[0.5], [1e4]]),
    "rdivc": (lambda x: 3.0 / x, [[0.5], [-2.0], [1e-2]]),
    "powc": (
        lambda x: x**3,
        [[0.5], [-1.5], [0.0], [1e-4]],
    ),
    "rpowc": (lambda x: 2.0**x, [[0.5], [-10.0], [20.0]]),
    "neg": (lambda x: -x, [[0.5], [-3.0]]),
    "exp": (lambda x: x.exp(), [[0.5], [-30.0], [700.0]]),
    "log": (lambda x: x.log(), [[0.5], [1e-3], [1e8]]),
    "sqrt": (lambda x: x.sqrt(), [[0.5], [1e-4], [1e6]]),
    "tanh": (lambda x: x.tanh(), [[0.5], [-3.0], [19.0]]),
    "sigmoid": (lambda x: x.sigmoid(), [[0.5], [-30.0], [30.0]]),
    "softplus": (lambda x: x.softplus(), [[0.5], [-30.0], [30.0]]),
    "relu": (lambda x: x.relu(), [[0.5], [-0.5], [1e-5]]),
    "abs": (lambda x: x.abs(), [[0.5], [-0.5], [-1e-5]]),
    "leaky_relu": (lambda x: x.leaky_relu(0.2), [[0.5], [-0.5], [-1e-5]]),
    "sin": (lambda x: x.sin(), [[0.5], [-3.0], [100.0]]),
    "cos": (lambda x: x.cos(), [[0.5], [0.0], [math.pi]]),
    "affine": (
        lambda w1, w2, x1, b: affine([w1, w2], [x1, 0.25], b),
        [[0.5, -2.0, 3.0, 0.1], [0.0, 0.0, 0.0, 0.0]],
    ),
    "tan": (lambda x: x.tan(), [[0.5], [-1.2]]),
    "asin": (lambda x: x.asin(), [[0.5], [-0.9]]),
    "acos": (lambda x: x.acos(), [[0.5], [0.9]]),
    "atan": (lambda x: x.atan(), [[0.5], [-30.0]]),
    "sinh": (lambda x: x.sinh(), [[0.5], [-5.0]]),
    "cosh": (lambda x: x.cosh(), [[0.5], [5.0]]),
    "asinh": (lambda x: x.asinh(), [[0.5], [-100.0]]),
    "acosh": (lambda x: x.acosh(), [[1.5], [100.0]]),
    "atanh": (lambda x: x.atanh(), [[0.5], [-0.9]]),
    "log2": (lambda x: x.log2(), [[0.5], [1e3]]),
    "log10": (lambda x: x.log10(), [[0.5], [1e-2]]),
    "log1p": (lambda x: x.log1p(), [[0.5], [-0.9], [1e-8]]),
    "expm1": (lambda x: x.expm1(), [[0.5], [-20.0], [1e-8]]),
    "erf": (lambda x: x.erf(), [[0.5], [-2.0]]),
    "clamp": (lambda x: x.clamp(-1.0, 1.0), [[0.5], [-3.0], [2.0]]),
    "atan2": (lambda y, x: atan2(y, x), [[0.5, -2.0], [-1.0, 0.25]]),
    "hypot": (lambda x, y: hypot(x, y), [[0.5, -2.0], [3.0, 0.0]]),
    "minimum": (lambda a, b: minimum(a, b), [[0.5, -2.0], [-1.0, 3.0]]),
    "maximum": (lambda a, b: maximum(a, b), [[0.5, -2.0], [-1.0, 3.0]]),
}

# Extra powers with a constant exponent: roots, negative and fractional powers.
POWC_EXTRA: list[tuple[float, list[float]]] = [
    (0.5, [0.5, 1e-4, 9.0]),
    (-1.0, [0.5, -2.0]),
    (-2.0, [0.5, -2.0]),
    (2.0, [-1.5, 0.0]),
    (1.5, [0.5, 1e-4]),
    (-0.5, [0.5, 4.0]),
]


def test_op_cases_cover_every_engine_operation() -> None:
    assert set(OP_CASES) == set(autograd.rules.RULES)


def _ops_made(f: Callable[..., Any], xs: list[float]) -> set[str]:
    from autograd.backward import topological_order

    return {n._rule for n in topological_order(f(*[Value(x) for x in xs]))} - {""}


@pytest.mark.parametrize("op", sorted(OP_CASES))
def test_gradcheck_passes_on_every_operation(op: str) -> None:
    f, points = OP_CASES[op]
    for xs in points:
        assert _ops_made(f, xs) == {op}, "the case must exercise the operation it names"
        assert gradcheck(f, xs) is True


@pytest.mark.parametrize("op", sorted(OP_CASES))
def test_second_order_gradcheck_passes_on_every_operation(op: str) -> None:
    f, points = OP_CASES[op]
    for xs in points:
        assert gradcheck(f, xs, order=2) is True


@pytest.mark.parametrize(("c", "points"), POWC_EXTRA)
def test_gradcheck_passes_on_constant_powers(c: float, points: list[float]) -> None:
    for x in points:
        assert gradcheck(lambda v: v**c, [x], order=2) is True


def test_numerical_grad_matches_hand_derivatives() -> None:
    def f(x: Value, y: Value) -> Value:
        return (x * y).sin() + x.exp() / y

    x, y = 0.3, 0.7
    expected = [
        y * math.cos(x * y) + math.exp(x) / y,
        x * math.cos(x * y) - math.exp(x) / (y * y),
    ]
    got = numerical_grad(f, [x, y])
    assert isinstance(got, list) and all(isinstance(g, float) for g in got)
    for g, e in zip(got, expected):
        assert abs(g - e) <= 1e-8 * abs(e)


def test_numerical_grad_uses_central_differences_of_size_eps() -> None:
    # For x**3 the central difference is 3x^2 + eps^2: the eps^2 term shows which formula ran.
    g = numerical_grad(lambda v: v**3, [2.0], eps=1e-2)
    assert g[0] == pytest.approx(12.0 + 1e-4, rel=1e-12)


def test_gradcheck_on_shared_nodes_and_many_inputs() -> None:
    def f(a: Value, b: Value, c: Value) -> Value:
        t = a * b + c.tanh()
        u = t * t + (t - a).sigmoid()
        return u / (1.0 + c * c) + t.exp()

    assert gradcheck(f, [0.3, -0.8, 1.1], order=3) is True


def test_gradcheck_accepts_a_function_returning_an_input_or_a_constant() -> None:
    assert gradcheck(lambda x, y: x, [1.0, 2.0]) is True
    assert gradcheck(lambda x: x * 0.0 + 5.0, [1.0], order=2) is True


def test_gradcheck_leaves_gradients_of_closed_over_values_alone() -> None:
    w = Value(3.0, label="w")
    w.grad = 0.25
    assert gradcheck(lambda x: x * w, [2.0]) is True
    assert w.grad == 0.25


# --- failures ------------------------------------------------------------------


def _wrong_sin(x: float) -> tuple[float, float]:
    return math.sin(x), math.sin(x)  # the derivative should be cos(x)


def test_wrong_fast_path_derivative_fails_with_a_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autograd.rules, "sin_f", _wrong_sin)

    def f(x: Value, y: Value) -> Value:
        return x * y + y.sin()

    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [0.3, 0.7])
    err = info.value
    lines = str(err).splitlines()
    assert lines[0] == (
        "gradcheck: first derivatives of "
        "test_wrong_fast_path_derivative_fails_with_a_table.<locals>.f from Value.backward "
        "differ from central differences in 1 of 2 entries"
    )
    assert lines[1] == (
        "  (eps=1e-06; an entry passes when |analytic - numeric| <= atol + rtol * |numeric| "
        "with atol=1e-05, rtol=0.001)"
    )
    assert lines[2].split() == ["input", "value", "analytic", "numeric", "difference"]
    row0, row1 = lines[3].split(), lines[4].split()
    assert row0[:2] == ["0", "0.3"] and float(row0[2]) == pytest.approx(0.7, rel=1e-8)
    assert "mismatch" not in lines[3]
    analytic, numeric = 0.3 + math.sin(0.7), 0.3 + math.cos(0.7)
    assert row1[:2] == ["1", "0.7"]
    assert float(row1[2]) == pytest.approx(analytic, rel=1e-8)
    assert float(row1[3]) == pytest.approx(numeric, rel=1e-8)
    assert float(row1[4]) == pytest.approx(analytic - numeric, rel=1e-6)
    assert lines[4].endswith("<- mismatch")
    assert len(lines) == 5
    assert isinstance(err, AssertionError)
    assert err.order == 1
    assert [r[5] for r in err.rows] == [True, False]
    assert err.rows[1][0] == (1,)


def test_gradcheck_error_survives_pickling() -> None:
    import pickle

    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x.relu(), [0.0])
    again = pickle.loads(pickle.dumps(info.value))
    assert isinstance(again, GradcheckError) and str(again) == str(info.value)
    assert again.rows == info.value.rows and again.order == 1


def test_a_kink_is_reported_not_hidden() -> None:
    # relu'(0) is 0 by convention; the central difference sees the average slope 0.5.
    with pytest.raises(GradcheckError, match=r"<- mismatch"):
        gradcheck(lambda x: x.relu(), [0.0])


def test_wrong_second_derivative_fails_only_at_order_two(monkeypatch: pytest.MonkeyPatch) -> None:
    # A classic higher-order bug: the derivative is right but is a constant, not a graph.
    rule = autograd.rules.RULES["sin"]
    broken = dataclasses.replace(rule, dvalue=lambda n, x: (Value(math.cos(x.data)),))
    monkeypatch.setitem(autograd.rules.RULES, "sin", broken)

    def f(x: Value, y: Value) -> Value:
        return x.sin() * y

    assert gradcheck(f, [0.4, 1.5]) is True
    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [0.4, 1.5], order=2)
    err = info.value
    text = str(err)
    assert "second derivatives" in text and "autograd.grad" in text
    assert err.order == 2
    assert len(err.rows) == 4  # n**2 entries
    bad = {r[0]: r for r in err.rows if not r[5]}
    assert set(bad) == {(0, 0)}  # d2/dx0^2 = -sin(x0) * y is lost; the others survive
    _, value, analytic, numeric, _, _ = bad[(0, 0)]
    assert value == 0.4 and analytic == 0.0
    assert numeric == pytest.approx(-math.sin(0.4) * 1.5, rel=1e-6)
    assert "0,0" in text and "<- mismatch" in text


def test_order_two_checks_grad_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = autograd.rules.RULES["exp"]
    broken = dataclasses.replace(rule, dvalue=lambda n, x: (n * 2.0,))
    monkeypatch.setitem(autograd.rules.RULES, "exp", broken)
    assert gradcheck(lambda x: x.exp(), [0.5]) is True  # the fast path is untouched
    with pytest.raises(GradcheckError, match=r"first derivatives of .* from autograd.grad"):
        gradcheck(lambda x: x.exp(), [0.5], order=2)


def test_a_large_failure_table_is_trimmed_to_the_mismatches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(autograd.rules, "sin_f", _wrong_sin)
    n = 60

    def f(*xs: Value) -> Value:
        total = xs[0].sin()
        for x in xs[1:]:
            total = total + x * 2.0
        return total

    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [0.5] * n)
    text = str(info.value)
    assert "in 1 of 60 entries" in text
    assert text.count("<- mismatch") == 1
    assert "(59 more entries not shown)" in text


def test_tolerances_are_applied_as_documented() -> None:
    # f(x) = x**3 at 2 with eps = 0.1: numeric 12.01, analytic 12, difference 0.01 exactly-ish.
    def f(x: Value) -> Value:
        return x**3

    assert gradcheck(f, [2.0], eps=0.1, atol=0.0101, rtol=0.0) is True
    assert gradcheck(f, [2.0], eps=0.1, atol=0.0, rtol=0.00084) is True  # 0.01 / 12.01
    with pytest.raises(GradcheckError):
        gradcheck(f, [2.0], eps=0.1, atol=0.0099, rtol=0.0)
    with pytest.raises(GradcheckError):
        gradcheck(f, [2.0], eps=0.1, atol=0.0, rtol=0.0008)


# --- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("check", [gradcheck, numerical_grad])
def test_bad_inputs_are_refused(check: Callable[..., Any]) -> None:
    def f(x: Value) -> Value:
        return x * 2.0

    name = check.__name__
    with pytest.raises(ValueError, match=rf"{name}: inputs is empty"):
        check(f, [])
    with pytest.raises(TypeError, match=rf"{name}: inputs\[1\] must be a real number, got 'a'"):
        check(f, [1.0, "a"])
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a real number, got None"):
        check(f, [None])
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a real number, got \(1\+2j\)"):
        check(f, [1 + 2j])
    with pytest.raises(TypeError, match=r"inputs\[0\] is Value\(data=1.0.*pass plain numbers"):
        check(f, [Value(1.0)])
    with pytest.raises(TypeError, match=r"inputs must be a list of numbers.*got 1.5 \(float\)"):
        check(f, 1.5)
    with pytest.raises(TypeError, match=r"inputs must be a list of numbers"):
        check(f, "12")
    with pytest.raises(ValueError, match=r"inputs\[0\] must be finite, got nan"):
        check(f, [math.nan])
    with pytest.raises(ValueError, match=r"inputs\[0\] must be finite, got inf"):
        check(f, [math.inf])
    with pytest.raises(TypeError, match=rf"{name}: f must be a callable taking Values, got 3"):
        check(3, [1.0])
    with pytest.raises(ValueError, match=r"eps must be finite and > 0, got 0.0"):
        check(f, [1.0], eps=0.0)
    with pytest.raises(ValueError, match=r"eps must be finite and > 0, got -1e-06"):
        check(f, [1.0], eps=-1e-6)
    with pytest.raises(TypeError, match=r"eps must be a real number, got '1'"):
        check(f, [1.0], eps="1")


@pytest.mark.parametrize("check", [gradcheck, numerical_grad])
def test_f_returning_something_else_than_a_value_is_refused(check: Callable[..., Any]) -> None:
    with pytest.raises(TypeError, match=r"f must return a scalar Value, got 2.0 \(float\)"):
        check(lambda x: 2.0, [1.0])
    with pytest.raises(TypeError, match=r"f must return a scalar Value, got \[Value"):
        check(lambda x: [x, x], [1.0])
    with pytest.raises(TypeError, match=r"got None"):
        check(lambda x: None, [1.0])


def test_gradcheck_parameters_are_validated() -> None:
    def f(x: Value) -> Value:
        return x * 2.0

    with pytest.raises(ValueError, match=r"gradcheck: atol must be finite and >= 0, got -1.0"):
        gradcheck(f, [1.0], atol=-1.0)
    with pytest.raises(ValueError, match=r"gradcheck: rtol must be finite and >= 0, got nan"):
        gradcheck(f, [1.0], rtol=math.nan)
    with pytest.raises(ValueError, match=r"gradcheck: order must be >= 1, got 0"):
        gradcheck(f, [1.0], order=0)
    with pytest.raises(TypeError, match=r"gradcheck: order must be an int >= 1, got True"):
        gradcheck(f, [1.0], order=True)
    with pytest.raises(TypeError, match=r"order must be an int >= 1, got 2.0"):
        gradcheck(f, [1.0], order=2.0)  # type: ignore[arg-type]
    assert gradcheck(f, [1.0], eps=0.5, atol=0.0, rtol=0.0) is True  # exact arithmetic


def test_non_finite_output_is_a_value_error() -> None:
    nan_out = Value(math.nan)
    with pytest.raises(ValueError, match=r"gradcheck: f returned nan at inputs \[1.0\]"):
        gradcheck(lambda x: x * 0.0 + nan_out, [1.0])


def test_domain_errors_from_f_propagate_with_context() -> None:
    with pytest.raises(ValueError, match="log") as info:
        gradcheck(lambda x: x.log(), [-1.0])
    assert "math domain error" in str(info.value)
    # At a point inside the domain but within eps of its edge, the shifted evaluation fails.
    with pytest.raises(ValueError, match="sqrt") as info2:
        numerical_grad(lambda x: x.sqrt(), [0.0])
    if sys.version_info >= (3, 11):
        assert any("numerical_grad: raised while evaluating f" in n for n in info2.value.__notes__)


# --- the package without hypothesis ----------------------------------------------


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )


def test_autograd_testing_does_not_import_hypothesis() -> None:
    r = _run(
        "import sys, autograd.testing\n"
        "assert 'hypothesis' not in sys.modules\n"
        "assert autograd.testing.gradcheck(lambda x: x * x, [3.0])\n"
        "assert 'hypothesis' not in sys.modules\n"
    )
    assert r.returncode == 0, r.stderr


def test_strategies_without_hypothesis_say_which_extra_to_install() -> None:
    r = _run(
        "import sys\n"
        "sys.modules['hypothesis'] = None  # as if it were not installed\n"
        "from autograd.testing import strategies\n"
        "try:\n"
        "    strategies.expressions(2, 5)\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    assert r.returncode == 0, r.stderr
    assert "pip install 'chainrule[test]'" in r.stdout
    assert "hypothesis" in r.stdout


def test_unknown_attribute_of_autograd_testing() -> None:
    import autograd.testing

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        autograd.testing.nope  # noqa: B018
