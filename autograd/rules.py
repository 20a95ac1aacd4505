"""The derivative table: one line per operation.

Each operation has two faces that must agree:

* a float face, used during forward by ``Value``: ``forward(x) -> (y, dy/dx)``
  computes the result and its local derivative at once, so ``backward`` only
  multiplies stored floats (the fast path);
* a Value face, ``derivative(node) -> (dy/dparent, ...)``, the same local
  derivatives written in Value operations, so the derivative is itself a
  graph and can be differentiated again (``grad(grad(f))``).

The binary operators ``+ - * / **`` compute their float face inline in
``value.py`` for speed; ``tests/test_rules.py`` checks both faces of every
entry against each other and against independent oracles.

Conventions at kinks and singular points (PyTorch's choices):
``relu'(0) = 0``, ``abs'(0) = 0``, ``leaky_relu'(0) = slope``;
``d(x ** c)/dx`` at ``x = 0`` is ``inf`` for ``0 < c < 1``;
``d(a ** b)/db`` is ``0`` where ``a == 0`` and ``b >= 0``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import errors

if TYPE_CHECKING:
    from .value import Value

INF = math.inf
_exp = math.exp
_log1p = math.log1p


# --- float faces of the unary operations: x -> (f(x), f'(x)) -------------------


def exp_f(x: float) -> tuple[float, float]:
    try:
        y = _exp(x)
    except OverflowError:
        raise errors.overflow("exp", x) from None
    return y, y


def log_f(x: float) -> tuple[float, float]:
    if not x > 0.0:
        if x != x:
            return x, x
        raise errors.domain("log", "log is defined for x > 0 only", x)
    return math.log(x), 1.0 / x


def sqrt_f(x: float) -> tuple[float, float]:
    if x < 0.0:
        raise errors.domain("sqrt", "sqrt is defined for x >= 0 only", x)
    y = math.sqrt(x)
    return y, (0.5 / y if y != 0.0 else math.copysign(INF, y))  # sqrt(-0.0) is -0.0: -inf


def _sech2_parts(x: float) -> tuple[float, float]:
    """Return (e, 4e/(1+e)^2) with e = exp(-2|x|): tanh and its derivative without cancellation."""
    e = _exp(-2.0 * abs(x))
    s = 1.0 + e
    return e, 4.0 * e / (s * s)


def tanh_f(x: float) -> tuple[float, float]:
    return math.tanh(x), _sech2_parts(x)[1]


def sigmoid_f(x: float) -> tuple[float, float]:
    e = _exp(-abs(x))
    s = 1.0 + e
    y = 1.0 / s if x >= 0.0 else e / s
    return y, e / (s * s)


def softplus_f(x: float) -> tuple[float, float]:
    e = _exp(-abs(x))
    y = (x if x > 0.0 else 0.0) + _log1p(e)
    s = 1.0 + e
    return y, (1.0 / s if x >= 0.0 else e / s)


def relu_f(x: float) -> tuple[float, float]:
    if x > 0.0:
        return x, 1.0
    return (0.0 if x < 0.0 else x), 0.0  # -0.0 and NaN pass through, as in PyTorch


def abs_f(x: float) -> tuple[float, float]:
    return abs(x), (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0)


def sin_f(x: float) -> tuple[float, float]:
    if x - x != 0.0 and x == x:
        raise errors.domain("sin", "sin of an infinite number", x)
    return math.sin(x), math.cos(x)


def cos_f(x: float) -> tuple[float, float]:
    if x - x != 0.0 and x == x:
        raise errors.domain("cos", "cos of an infinite number", x)
    return math.cos(x), -math.sin(x)


def neg_f(x: float) -> tuple[float, float]:
    return -x, -1.0


def leaky_relu_f(x: float, slope: float) -> tuple[float, float]:
    if x > 0.0:
        return x, 1.0
    y = slope * x
    if y - y:
        errors.check_result("leaky_relu", y, x, slope)
    return y, slope


def pow_f(a: float, b: float, op: str = "pow") -> float:
    """``a ** b`` with math-module errors instead of complex results."""
    if a < 0.0 and b != b // 1 and b - b == 0.0:
        raise errors.domain(op, "a negative base needs an integer exponent", a, b)
    try:
        y = a**b
    except ZeroDivisionError:
        raise errors.zero_division(op, "0 cannot be raised to a negative power", a, b) from None
    except OverflowError:
        if errors.LENIENT[0]:
            return -INF if a < 0.0 and b % 2.0 == 1.0 else INF
        raise errors.overflow(op, a, b) from None
    if y - y and a - a == 0.0 and b - b == 0.0 and not errors.LENIENT[0]:
        raise errors.overflow(op, a, b)
    return float(y)


def pow_local(a: float, b: float, y: float) -> tuple[float, float]:
    """Local derivatives of ``y = a ** b`` with respect to ``a`` and to ``b``."""
    if a == 0.0:
        if b == 0.0:
            da = 0.0
        elif b == 1.0:
            da = 1.0
        elif b > 1.0:
            da = 0.0
        else:
            da = INF if b > 0.0 else -INF
        return da, 0.0
    try:
        da = b * a ** (b - 1.0)
    except OverflowError:
        da = b * y / a  # the true derivative is beyond float range: this gives inf, signed
    # a < 0 (so b is an integer): the real part of the complex derivative
    # a ** b * (log|a| + i*pi), which is the derivative of |a| ** b * cos(pi * b).
    db = y * math.log(a if a > 0.0 else -a)
    return da, db


# --- more functions: the same shape, x -> (f(x), f'(x)) -------------------------

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _outside(op: str, why: str, x: float) -> tuple[float, float]:
    """NaN passes through (as in ``math``); any other input outside the domain raises."""
    if x != x:
        return x, x
    raise errors.domain(op, why, x)


def tan_f(x: float) -> tuple[float, float]:
    if x - x != 0.0 and x == x:
        raise errors.domain("tan", "tan of an infinite number", x)
    y = math.tan(x)
    return y, 1.0 + y * y


def asin_f(x: float) -> tuple[float, float]:
    if not -1.0 <= x <= 1.0:
        return _outside("asin", "asin is defined for -1 <= x <= 1 only", x)
    r = (1.0 - x) * (1.0 + x)  # 1 - x**2 without cancellation near ±1
    return math.asin(x), (1.0 / math.sqrt(r) if r else INF)


def acos_f(x: float) -> tuple[float, float]:
    if not -1.0 <= x <= 1.0:
        return _outside("acos", "acos is defined for -1 <= x <= 1 only", x)
    r = (1.0 - x) * (1.0 + x)
    return math.acos(x), (-1.0 / math.sqrt(r) if r else -INF)


def atan_f(x: float) -> tuple[float, float]:
    return math.atan(x), 1.0 / (1.0 + x * x)


def sinh_f(x: float) -> tuple[float, float]:
    try:
        y = math.sinh(x)
    except OverflowError:
        raise errors.overflow("sinh", x) from None
    try:
        return y, math.cosh(x)
    except OverflowError:  # the last representable sinh: its derivative is just beyond
        return y, INF


def cosh_f(x: float) -> tuple[float, float]:
    try:
        y = math.cosh(x)
    except OverflowError:
        raise errors.overflow("cosh", x) from None
    return y, math.sinh(x)


def asinh_f(x: float) -> tuple[float, float]:
    return math.asinh(x), 1.0 / math.hypot(1.0, x)  # no overflow of x**2


def acosh_f(x: float) -> tuple[float, float]:
    if not x >= 1.0:
        return _outside("acosh", "acosh is defined for x >= 1 only", x)
    r = math.sqrt(x - 1.0) * math.sqrt(x + 1.0)
    return math.acosh(x), (1.0 / r if r else INF)


def atanh_f(x: float) -> tuple[float, float]:
    if not -1.0 < x < 1.0:
        return _outside("atanh", "atanh is defined for -1 < x < 1 only", x)
    return math.atanh(x), 1.0 / ((1.0 - x) * (1.0 + x))


def log2_f(x: float) -> tuple[float, float]:
    if not x > 0.0:
        return _outside("log2", "log2 is defined for x > 0 only", x)
    return math.log2(x), 1.0 / (x * _LN2)


def log10_f(x: float) -> tuple[float, float]:
    if not x > 0.0:
        return _outside("log10", "log10 is defined for x > 0 only", x)
    return math.log10(x), 1.0 / (x * _LN10)


def log1p_f(x: float) -> tuple[float, float]:
    if not x > -1.0:
        return _outside("log1p", "log1p is defined for x > -1 only", x)
    return math.log1p(x), 1.0 / (1.0 + x)


def expm1_f(x: float) -> tuple[float, float]:
    try:
        return math.expm1(x), _exp(x)
    except OverflowError:
        raise errors.overflow("expm1", x) from None


def erf_f(x: float) -> tuple[float, float]:
    return math.erf(x), _TWO_OVER_SQRT_PI * _exp(-x * x)


def clamp_f(x: float, lo: float, hi: float) -> tuple[float, float]:
    """``x`` limited to ``[lo, hi]``; derivative 1 inside, boundaries included (PyTorch's)."""
    if x < lo:
        return lo, 0.0
    if x > hi:
        return hi, 0.0
    return x, 1.0  # NaN stays NaN


# --- two-input functions: (a, b) -> (f, df/da, df/db) ---------------------------


def atan2_f(y: float, x: float) -> tuple[float, float, float]:
    """``atan2(y, x)``; both partials 0 at the origin, where there is no derivative."""
    r = math.atan2(y, x)
    h = math.hypot(x, y)
    if h == 0.0 or h - h != 0.0:
        return r, 0.0, 0.0
    return r, (x / h) / h, (-y / h) / h


def hypot_f(x: float, y: float) -> tuple[float, float, float]:
    """``sqrt(x**2 + y**2)`` without overflow; both partials 0 at the origin (PyTorch: nan)."""
    h = math.hypot(x, y)
    if h - h:
        errors.check_result("hypot", h, x, y)
    if h == 0.0 or h - h != 0.0:
        return h, 0.0, 0.0
    return h, x / h, y / h


def minimum_f(a: float, b: float) -> tuple[float, float, float]:
    """The smaller input takes the gradient; a tie splits it 0.5 / 0.5 (PyTorch's)."""
    if a < b:
        return a, 1.0, 0.0
    if b < a:
        return b, 0.0, 1.0
    if a == b:
        return a, 0.5, 0.5
    return math.nan, 1.0, 1.0  # a NaN input: NaN, as in PyTorch


def maximum_f(a: float, b: float) -> tuple[float, float, float]:
    """The larger input takes the gradient; a tie splits it 0.5 / 0.5 (PyTorch's)."""
    if a > b:
        return a, 1.0, 0.0
    if b > a:
        return b, 0.0, 1.0
    if a == b:
        return a, 0.5, 0.5
    return math.nan, 1.0, 1.0


# --- Value faces: the same local derivatives as graphs ------------------------


def _const(x: float) -> float:
    """A constant local derivative: a plain number, which the sweep treats as a constant."""
    return x


def _pow_limit(a: float, e: float) -> float:
    """The limit of ``x ** e`` as x goes to ``a``, for ``a = ±0`` and ``e < 0``.

    It is ``inf``, negative only for a negative zero to an odd integer power.
    """
    return math.copysign(INF, a) if e % 2.0 == 1.0 else INF


def _pow_value(a: Value, e: Any) -> Any:
    """``a ** e`` as a Value, also where a derivative meets ``0 ** negative``.

    There (``sqrt`` or ``x ** 0.5`` at 0, and their higher derivatives) the
    node holds the limit ``±inf`` and its own local derivative
    ``e * 0 ** (e - 1)``, so it can be differentiated again: each order gets
    the signed infinity PyTorch gives, never 0 or NaN. Its derivative with
    respect to a Value exponent is 0, as at every zero base.
    """
    ed = e if isinstance(e, (int, float)) else e.data
    ad = a.data
    if ad != 0.0 or not ed < 0.0:
        return a**e
    y = _pow_limit(ad, ed)
    d = ed * _pow_limit(ad, ed - 1.0)
    if not isinstance(e, (int, float)):
        return a._binary_node(e, "pow", y, d, 0.0)
    return a._unary_node("powc", y, d, ed)


def _pow_dbase(a: Value, b: Any) -> Any:
    """d(a**b)/da as a Value expression (b may be a plain float)."""
    bd = b if isinstance(b, (int, float)) else b.data
    if a.data == 0.0 and (bd == 0.0 or bd == 1.0):
        return _const(bd)  # 0 ** 0 and 0 ** 1: constant derivatives 0 and 1
    return b * _pow_value(a, b - 1.0)


def _pow_dexp(a: Any, y: Value) -> Any:
    """d(a**b)/db as a Value expression, where ``y = a ** b``.

    0 at a zero base; at a negative base (b is an integer there) the real
    part ``a ** b * log|a|``, as in ``pow_local``.
    """
    if isinstance(a, (int, float)):
        return _const(0.0) if a == 0.0 else y * math.log(abs(a))
    ad = a.data
    if ad == 0.0:
        return _const(0.0)
    return y * (a.log() if ad > 0.0 else a.abs().log())


def _inv_sqrt(x: Value) -> Any:
    """``x ** -0.5``, also at ``x = 0`` (an infinite derivative that stays differentiable)."""
    return _pow_value(x, -0.5)


def _binary_d(n: Value, face: Callable[[Value, Value], tuple[Any, Any]]) -> tuple[Any, Any]:
    """Both partials of a two-input function as Values: 0 where the float face says 0."""
    a, b = _ps(n)
    if n._dleft == 0.0 and n._dright == 0.0:
        return _const(0.0), _const(0.0)
    return face(a, b)


def _sqrt_d(n: Value) -> Any:
    """d sqrt(x)/dx = 0.5 / sqrt(x); at 0 written as a power so higher orders stay signed."""
    return 0.5 / n if n.data != 0.0 else 0.5 * _pow_value(n, -1.0)


@dataclass(frozen=True)
class Rule:
    """One operation: its display symbol and its derivative in Value operations.

    ``derivative(node)`` returns d(node)/d(parent) for each parent, in order.
    """

    name: str
    symbol: str
    derivative: Callable[[Value], tuple[Any, ...]]


def _ps(n: Value) -> tuple[Any, ...]:
    ps: tuple[Any, ...] = n._parents
    return ps


def _p(n: Value) -> Value:
    return _ps(n)[0]  # type: ignore[no-any-return]


def _c(n: Value) -> Any:
    return n._dright


RULES: dict[str, Rule] = {
    r.name: r
    for r in [
        # name         symbol    derivative of the node w.r.t. each parent, in Value operations
        Rule("add", "+", lambda n: (1.0, 1.0)),
        Rule("sub", "-", lambda n: (1.0, -1.0)),
        Rule("mul", "*", lambda n: (_ps(n)[1], _ps(n)[0])),
        Rule("div", "/", lambda n: (1.0 / _ps(n)[1], -n / _ps(n)[1])),
        Rule("pow", "**", lambda n: (_pow_dbase(*_ps(n)), _pow_dexp(_ps(n)[0], n))),
        Rule("addc", "+", lambda n: (1.0,)),
        Rule("subc", "-", lambda n: (1.0,)),
        Rule("rsubc", "-", lambda n: (-1.0,)),
        Rule("mulc", "*", lambda n: (_c(n),)),
        Rule("divc", "/", lambda n: (1.0 / _c(n),)),
        Rule("rdivc", "/", lambda n: (-n / _p(n),)),
        Rule("powc", "**", lambda n: (_pow_dbase(_p(n), _c(n)),)),
        Rule("rpowc", "**", lambda n: (_pow_dexp(_c(n), n),)),
        Rule("neg", "-", lambda n: (-1.0,)),
        Rule("exp", "exp", lambda n: (n,)),
        Rule("log", "log", lambda n: (1.0 / _p(n),)),
        Rule("sqrt", "sqrt", lambda n: (_sqrt_d(n),)),
        Rule("tanh", "tanh", lambda n: (4.0 * (2.0 * _p(n)).sigmoid() * (-2.0 * _p(n)).sigmoid(),)),  # type: ignore[attr-defined, operator]
        Rule("sigmoid", "sigmoid", lambda n: (_p(n).sigmoid() * (-_p(n)).sigmoid(),)),
        Rule("softplus", "softplus", lambda n: (_p(n).sigmoid(),)),
        Rule("relu", "relu", lambda n: (_const(relu_f(_p(n).data)[1]),)),
        Rule("abs", "abs", lambda n: (_const(abs_f(_p(n).data)[1]),)),
        Rule("leaky_relu", "leaky_relu", lambda n: (_const(n._dleft),)),
        Rule("sin", "sin", lambda n: (_p(n).cos(),)),
        Rule("cos", "cos", lambda n: (-_p(n).sin(),)),
        Rule("affine", "Σ", lambda n: n._dright),
        Rule("tan", "tan", lambda n: (n * n + 1.0,)),
        Rule("asin", "asin", lambda n: (_inv_sqrt((1.0 - _p(n)) * (_p(n) + 1.0)),)),
        Rule("acos", "acos", lambda n: (-_inv_sqrt((1.0 - _p(n)) * (_p(n) + 1.0)),)),
        Rule("atan", "atan", lambda n: (1.0 / (_p(n) * _p(n) + 1.0),)),
        Rule("sinh", "sinh", lambda n: (_p(n).cosh(),)),
        Rule("cosh", "cosh", lambda n: (_p(n).sinh(),)),
        Rule("asinh", "asinh", lambda n: (_inv_sqrt(_p(n) * _p(n) + 1.0),)),
        Rule("acosh", "acosh", lambda n: (_inv_sqrt(_p(n) - 1.0) * _inv_sqrt(_p(n) + 1.0),)),
        Rule("atanh", "atanh", lambda n: (1.0 / ((1.0 - _p(n)) * (_p(n) + 1.0)),)),
        Rule("log2", "log2", lambda n: (1.0 / (_p(n) * _LN2),)),
        Rule("log10", "log10", lambda n: (1.0 / (_p(n) * _LN10),)),
        Rule("log1p", "log1p", lambda n: (1.0 / (_p(n) + 1.0),)),
        Rule("expm1", "expm1", lambda n: (_p(n).exp(),)),
        Rule("erf", "erf", lambda n: ((-(_p(n) * _p(n))).exp() * _TWO_OVER_SQRT_PI,)),
        Rule("clamp", "clamp", lambda n: (_const(n._dleft),)),
        Rule(
            "atan2",
            "atan2",
            lambda n: _binary_d(n, lambda y, x: (x / (x * x + y * y), -y / (x * x + y * y))),
        ),
        Rule("hypot", "hypot", lambda n: _binary_d(n, lambda x, y: (x / n, y / n))),
        Rule("minimum", "minimum", lambda n: (_const(n._dleft), _const(n._dright))),
        Rule("maximum", "maximum", lambda n: (_const(n._dleft), _const(n._dright))),
    ]
}
"""Every operation by name. ``Value._rule`` holds the key."""

UNARY: dict[str, Callable[[float], tuple[float, float]]] = {
    "exp": exp_f,
    "log": log_f,
    "sqrt": sqrt_f,
    "tanh": tanh_f,
    "sigmoid": sigmoid_f,
    "softplus": softplus_f,
    "relu": relu_f,
    "abs": abs_f,
    "sin": sin_f,
    "cos": cos_f,
    "neg": neg_f,
    "tan": tan_f,
    "asin": asin_f,
    "acos": acos_f,
    "atan": atan_f,
    "sinh": sinh_f,
    "cosh": cosh_f,
    "asinh": asinh_f,
    "acosh": acosh_f,
    "atanh": atanh_f,
    "log2": log2_f,
    "log10": log10_f,
    "log1p": log1p_f,
    "expm1": expm1_f,
    "erf": erf_f,
}
"""The float faces of the one-input operations, keyed like ``RULES``."""

BINARY: dict[str, Callable[[float, float], tuple[float, float, float]]] = {
    "atan2": atan2_f,
    "hypot": hypot_f,
    "minimum": minimum_f,
    "maximum": maximum_f,
}
"""The float faces of the two-input functions (``autograd.atan2`` ...), keyed like ``RULES``."""

FORMULAS: dict[str, tuple[str, tuple[str, ...]]] = {
    # name        forward (Python syntax)      d(result)/d(each input), in the order of parents()
    "add": ("a + b", ("1", "1")),
    "sub": ("a - b", ("1", "-1")),
    "mul": ("a * b", ("b", "a")),
    "div": ("a / b", ("1 / b", "-a / b ** 2")),
    "pow": ("a ** b", ("b * a ** (b - 1)", "a ** b * log(a)")),
    "addc": ("x + c", ("1",)),
    "subc": ("x - c", ("1",)),
    "rsubc": ("c - x", ("-1",)),
    "mulc": ("x * c", ("c",)),
    "divc": ("x / c", ("1 / c",)),
    "rdivc": ("c / x", ("-c / x ** 2",)),
    "powc": ("x ** c", ("c * x ** (c - 1)",)),
    "rpowc": ("c ** x", ("c ** x * log(c)",)),
    "neg": ("-x", ("-1",)),
    "exp": ("exp(x)", ("exp(x)",)),
    "log": ("log(x)", ("1 / x",)),
    "sqrt": ("sqrt(x)", ("1 / (2 * sqrt(x))",)),
    "tanh": ("tanh(x)", ("1 - tanh(x) ** 2",)),
    "sigmoid": ("1 / (1 + exp(-x))", ("sigmoid(x) * (1 - sigmoid(x))",)),
    "softplus": ("log(1 + exp(x))", ("sigmoid(x)",)),
    "relu": ("max(x, 0)", ("1 if x > 0 else 0",)),
    "abs": ("abs(x)", ("sign(x)",)),
    "leaky_relu": ("x if x > 0 else slope * x", ("1 if x > 0 else slope",)),
    "sin": ("sin(x)", ("cos(x)",)),
    "cos": ("cos(x)", ("-sin(x)",)),
    "affine": ("b + sum(w[i] * x[i] for i in range(n))", ("1", "x[i]", "w[i]")),
    "tan": ("tan(x)", ("1 + tan(x) ** 2",)),
    "asin": ("asin(x)", ("1 / sqrt(1 - x ** 2)",)),
    "acos": ("acos(x)", ("-1 / sqrt(1 - x ** 2)",)),
    "atan": ("atan(x)", ("1 / (1 + x ** 2)",)),
    "sinh": ("sinh(x)", ("cosh(x)",)),
    "cosh": ("cosh(x)", ("sinh(x)",)),
    "asinh": ("asinh(x)", ("1 / sqrt(1 + x ** 2)",)),
    "acosh": ("acosh(x)", ("1 / sqrt(x ** 2 - 1)",)),
    "atanh": ("atanh(x)", ("1 / (1 - x ** 2)",)),
    "log2": ("log2(x)", ("1 / (x * log(2))",)),
    "log10": ("log10(x)", ("1 / (x * log(10))",)),
    "log1p": ("log1p(x)", ("1 / (1 + x)",)),
    "expm1": ("expm1(x)", ("exp(x)",)),
    "erf": ("erf(x)", ("2 / sqrt(pi) * exp(-x ** 2)",)),
    "clamp": ("min(max(x, lo), hi)", ("1 if lo <= x <= hi else 0",)),
    "atan2": ("atan2(a, b)", ("b / (a ** 2 + b ** 2)", "-a / (a ** 2 + b ** 2)")),
    "hypot": ("hypot(a, b)", ("a / hypot(a, b)", "b / hypot(a, b)")),
    "minimum": (
        "min(a, b)",
        ("1 if a < b else 0.5 if a == b else 0", "1 if b < a else 0.5 if a == b else 0"),
    ),
    "maximum": (
        "max(a, b)",
        ("1 if a > b else 0.5 if a == b else 0", "1 if b > a else 0.5 if a == b else 0"),
    ),
}
"""Each rule in words, for the docs' derivative table (``scripts/derivative_table.py``).

Inputs are ``x`` (one input), ``a, b`` (two), ``c`` a constant folded into the
node, ``slope`` leaky_relu's parameter, ``lo, hi`` clamp's bounds; ``affine`` has inputs ``b``, then
``w[i], x[i]`` for each of the n terms. ``tests/test_docs_generated.py`` evaluates every
expression against the engine, so the words cannot drift from the code.
"""
