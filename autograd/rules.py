"""The rule table: one ``Rule`` row per operation, its whole definition.

Each row (``RULES``, at the end of this file) gives two faces that must agree:

* the float face, used during forward: Python expressions of the inputs
  (``"x * y"``, local derivatives ``("y", "x")``) or, for the stable and
  domain-checked forms, a named float function here (``log_f(x) -> (y,
  dy/dx)``). ``scripts/gen_ops.py`` inlines it into ``Value``'s methods
  (``value.py``) and ``Tape``'s templates (``_tape_ops.py``), so forward
  stores floats and ``backward`` only multiplies them (the fast path);
* the Value face, ``dvalue(node, *inputs)``, the same local derivatives
  written in Value operations, so a derivative is itself a graph and can be
  differentiated again (``grad(grad(f))``).

The row also holds the display symbol (pictures, micrograd's ``_op``), the
kind, the method that makes the node and the words of the docs' derivative
table. ``tests/test_rules.py`` checks both faces of every row against each
other and against independent oracles; ``tests/test_gen_ops.py`` checks the
generated code is current.

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


# --- named float faces: x -> (f(x), f'(x)), for the stable and domain-checked forms


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


def pow2_f(a: float, b: float) -> tuple[float, float, float]:
    """``a ** b`` with both local derivatives: the float face of ``pow``."""
    r = pow_f(a, b)
    da, db = pow_local(a, b, r)
    return r, da, db


def powc_f(x: float, c: float) -> tuple[float, float]:
    """``x ** c`` and d/dx: the float face of ``powc``."""
    r = pow_f(x, c)
    return r, pow_local(x, c, r)[0]


def rpowc_f(c: float, x: float) -> tuple[float, float]:
    """``c ** x`` and d/dx: the float face of ``rpowc``."""
    r = pow_f(c, x)
    return r, pow_local(c, x, r)[1]


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


def clamp_f(x: float, bounds: tuple[float, float]) -> tuple[float, float]:
    """``x`` limited to ``bounds = (lo, hi)``; derivative 1 inside, boundaries included."""
    lo, hi = bounds
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


def _sqrt_d(n: Value) -> Any:
    """d sqrt(x)/dx = 0.5 / sqrt(x); at 0 written as a power so higher orders stay signed."""
    return 0.5 / n if n.data != 0.0 else 0.5 * _pow_value(n, -1.0)


def _binary_d(n: Value, a: Value, b: Value, face: Callable[[], tuple[Any, Any]]) -> tuple[Any, ...]:
    """Both partials of a two-input function as Values: 0 where the float face said 0."""
    if n._dleft == 0.0 and n._dright == 0.0:
        return _const(0.0), _const(0.0)
    return face()


def _stored(n: Value) -> tuple[Any, ...]:
    """The float local derivatives forward stored, as constants (piecewise-constant rules)."""
    if n._right is None:
        return (_const(n._dleft),)
    return _const(n._dleft), _const(n._dright)


# --- the table -----------------------------------------------------------------

UNARY_KIND = "unary"
"""One Value input ``x``."""
BINARY_KIND = "binary"
"""Two Value inputs ``x, y``."""
CONST_RIGHT = "constant on the right"
"""A Value ``x`` and a number ``c`` folded into the node (``x + 3``, ``x.leaky_relu(0.1)``)."""
CONST_LEFT = "constant on the left"
"""A number ``c`` and a Value ``x`` (``3 - x``): the reflected operators."""
NARY_KIND = "n-ary"
"""A tuple of Value inputs (``affine``)."""


@dataclass(frozen=True)
class Rule:
    """One operation, whole: what it is called, how it is drawn, how it differentiates.

    Float code (the fast path, generated into ``value.py`` and ``_tape_ops.py``
    by ``scripts/gen_ops.py``) is either ``forward`` and ``local``, Python
    expressions over the inputs (``x``, ``y``, a constant ``c``) and the
    result ``r``, or ``face``, the name of a float function in this module
    returning ``(r, *locals)`` (for stable and domain-checked forms).

    ``dvalue(node, *inputs)`` gives the same local derivatives in Value
    operations, so a derivative is a graph that can be differentiated
    again; inputs are passed in the order of ``kind`` (``x``; ``x, y``;
    ``x, c``; ``c, x``; or every parent), so the table needs no graph walk.
    ``words`` is the rule for the docs' derivative table.
    """

    name: str  # the key, stored in Value._rule
    symbol: str  # display symbol (pictures, micrograd's _op)
    kind: str
    words: tuple[str, tuple[str, ...]]  # forward, and d(result)/d(each input)
    dvalue: Callable[..., tuple[Any, ...]]
    forward: str = ""
    local: tuple[str, ...] = ()
    face: str = ""
    method: str = ""  # the operator, method or function of autograd that makes the node
    doc: str = ""  # the method's docstring
    params: tuple[str, ...] = ()  # the method's parameters beyond self
    prelude: str = ""  # statements turning ``params`` into the constant ``c``
    divisor: str = ""  # the input that must not be 0 (ZeroDivisionError)
    checked: bool = False  # a result that is not finite is checked (errors.check_result)
    overflow: bool = False  # forward's OverflowError becomes errors.overflow
    family: str = ""  # the name errors use, if not ``name`` (``add`` for ``addc``)
    micrograd: str = ""  # micrograd's ``_op`` where it differs from ``symbol``; {c}: the constant

    @property
    def error_name(self) -> str:
        return self.family or self.name

    @property
    def float_face(self) -> Callable[..., tuple[float, ...]]:
        """The named float function of this rule (for rules with a ``face``)."""
        fn: Callable[..., tuple[float, ...]] = globals()[self.face]
        return fn

    def derivative(self, node: Value) -> tuple[Any, ...]:
        """d(node)/d(parent) for each parent, in order, as Values (or numbers)."""
        kind = self.kind
        if kind == UNARY_KIND:
            return self.dvalue(node, node._left)
        if kind == BINARY_KIND:
            return self.dvalue(node, node._left, node._right)
        if kind == CONST_RIGHT:
            return self.dvalue(node, node._left, node._dright)
        if kind == CONST_LEFT:
            return self.dvalue(node, node._dright, node._left)
        return self.dvalue(node, *node._left)


_U, _B, _CR, _CL = UNARY_KIND, BINARY_KIND, CONST_RIGHT, CONST_LEFT

_ROWS = [
    # --- the operators: binary, with a constant on the right, on the left --------
    Rule(
        "add",
        "+",
        _B,
        ("a + b", ("1", "1")),
        lambda n, x, y: (1.0, 1.0),
        forward="x + y",
        local=("1.0", "1.0"),
        method="__add__",
        checked=True,
    ),
    Rule(
        "addc",
        "+",
        _CR,
        ("x + c", ("1",)),
        lambda n, x, c: (1.0,),
        forward="x + c",
        local=("1.0",),
        method="__add__",
        checked=True,
        family="add",
    ),
    Rule(
        "sub",
        "-",
        _B,
        ("a - b", ("1", "-1")),
        lambda n, x, y: (1.0, -1.0),
        forward="x - y",
        local=("1.0", "-1.0"),
        method="__sub__",
        checked=True,
    ),
    Rule(
        "subc",
        "-",
        _CR,
        ("x - c", ("1",)),
        lambda n, x, c: (1.0,),
        forward="x - c",
        local=("1.0",),
        method="__sub__",
        checked=True,
        family="sub",
    ),
    Rule(
        "rsubc",
        "-",
        _CL,
        ("c - x", ("-1",)),
        lambda n, c, x: (-1.0,),
        forward="c - x",
        local=("-1.0",),
        method="__rsub__",
        checked=True,
        family="sub",
    ),
    Rule(
        "mul",
        "*",
        _B,
        ("a * b", ("b", "a")),
        lambda n, x, y: (y, x),
        forward="x * y",
        local=("y", "x"),
        method="__mul__",
        checked=True,
    ),
    Rule(
        "mulc",
        "*",
        _CR,
        ("x * c", ("c",)),
        lambda n, x, c: (c,),
        forward="x * c",
        local=("c",),
        method="__mul__",
        checked=True,
        family="mul",
    ),
    Rule(
        "div",
        "/",
        _B,
        ("a / b", ("1 / b", "-a / b ** 2")),
        lambda n, x, y: (1.0 / y, -n / y),
        forward="x / y",
        local=("1.0 / y", "-r / y"),
        method="__truediv__",
        divisor="y",
        checked=True,
    ),
    Rule(
        "divc",
        "/",
        _CR,
        ("x / c", ("1 / c",)),
        lambda n, x, c: (1.0 / c,),
        forward="x / c",
        local=("1.0 / c",),
        method="__truediv__",
        divisor="c",
        checked=True,
        family="div",
    ),
    Rule(
        "rdivc",
        "/",
        _CL,
        ("c / x", ("-c / x ** 2",)),
        lambda n, c, x: (-n / x,),
        forward="c / x",
        local=("-r / x",),
        method="__rtruediv__",
        divisor="x",
        checked=True,
        family="div",
    ),
    Rule(
        "pow",
        "**",
        _B,
        ("a ** b", ("b * a ** (b - 1)", "a ** b * log(a)")),
        lambda n, x, y: (_pow_dbase(x, y), _pow_dexp(x, n)),
        face="pow2_f",
        method="__pow__",
    ),
    Rule(
        "powc",
        "**",
        _CR,
        ("x ** c", ("c * x ** (c - 1)",)),
        lambda n, x, c: (_pow_dbase(x, c),),
        face="powc_f",
        method="__pow__",
        family="pow",
        micrograd="**{c}",
    ),
    Rule(
        "rpowc",
        "**",
        _CL,
        ("c ** x", ("c ** x * log(c)",)),
        lambda n, c, x: (_pow_dexp(c, n),),
        face="rpowc_f",
        method="__rpow__",
        family="pow",
    ),
    Rule(
        "neg",
        "-",
        _U,
        ("-x", ("-1",)),
        lambda n, x: (-1.0,),
        forward="-x",
        local=("-1.0",),
        method="__neg__",
    ),
    # --- one-input methods ------------------------------------------------------
    Rule(
        "exp",
        "exp",
        _U,
        ("exp(x)", ("exp(x)",)),
        lambda n, x: (n,),
        forward="_exp(x)",
        local=("r",),
        method="exp",
        doc="e ** self.",
        overflow=True,
    ),
    Rule(
        "log",
        "log",
        _U,
        ("log(x)", ("1 / x",)),
        lambda n, x: (1.0 / x,),
        face="log_f",
        method="log",
        doc="Natural logarithm; ValueError for self <= 0.",
    ),
    Rule(
        "sqrt",
        "sqrt",
        _U,
        ("sqrt(x)", ("1 / (2 * sqrt(x))",)),
        lambda n, x: (_sqrt_d(n),),
        face="sqrt_f",
        method="sqrt",
        doc="Square root; ValueError for self < 0, gradient inf at 0.",
    ),
    Rule(
        "tanh",
        "tanh",
        _U,
        ("tanh(x)", ("1 - tanh(x) ** 2",)),
        lambda n, x: (4.0 * (2.0 * x).sigmoid() * (-2.0 * x).sigmoid(),),
        # sech^2 without cancellation: 4e / (1 + e)^2 with e = exp(-2|x|)
        forward="_tanh(x)",
        local=("4.0 * (e := _exp(-2.0 * _abs(x))) / ((s := 1.0 + e) * s)",),
        method="tanh",
        doc="Hyperbolic tangent.",
    ),
    Rule(
        "sigmoid",
        "sigmoid",
        _U,
        ("1 / (1 + exp(-x))", ("sigmoid(x) * (1 - sigmoid(x))",)),
        lambda n, x: (x.sigmoid() * (-x).sigmoid(),),
        face="sigmoid_f",
        method="sigmoid",
        doc="Logistic function 1 / (1 + e ** -self), stable for any input.",
    ),
    Rule(
        "softplus",
        "softplus",
        _U,
        ("log(1 + exp(x))", ("sigmoid(x)",)),
        lambda n, x: (x.sigmoid(),),
        face="softplus_f",
        method="softplus",
        doc="log(1 + e ** self), stable for any input.",
    ),
    Rule(
        "relu",
        "relu",
        _U,
        ("max(x, 0)", ("1 if x > 0 else 0",)),
        lambda n, x: _stored(n),
        # -0.0 and NaN pass through, as in PyTorch
        forward="x if x > 0.0 else 0.0 if x < 0.0 else x",
        local=("1.0 if x > 0.0 else 0.0",),
        method="relu",
        doc="max(self, 0); derivative 0 at 0.",
        micrograd="ReLU",
    ),
    Rule(
        "abs",
        "abs",
        _U,
        ("abs(x)", ("sign(x)",)),
        lambda n, x: _stored(n),
        face="abs_f",
        method="abs",
        doc="|self|; derivative 0 at 0.",
    ),
    Rule(
        "sin",
        "sin",
        _U,
        ("sin(x)", ("cos(x)",)),
        lambda n, x: (x.cos(),),
        face="sin_f",
        method="sin",
        doc="Sine (radians).",
    ),
    Rule(
        "cos",
        "cos",
        _U,
        ("cos(x)", ("-sin(x)",)),
        lambda n, x: (-x.sin(),),
        face="cos_f",
        method="cos",
        doc="Cosine (radians).",
    ),
    Rule(
        "leaky_relu",
        "leaky_relu",
        _CR,
        ("x if x > 0 else slope * x", ("1 if x > 0 else slope",)),
        lambda n, x, c: _stored(n),
        face="leaky_relu_f",
        method="leaky_relu",
        params=("slope: float = 0.01",),
        prelude='c = _as_float(slope, "leaky_relu slope")',
        doc="self if self > 0 else slope * self; derivative ``slope`` at 0.",
    ),
    Rule(
        "tan",
        "tan",
        _U,
        ("tan(x)", ("1 + tan(x) ** 2",)),
        lambda n, x: (n * n + 1.0,),
        face="tan_f",
        method="tan",
        doc="Tangent (radians); ValueError for an infinite input.",
    ),
    Rule(
        "asin",
        "asin",
        _U,
        ("asin(x)", ("1 / sqrt(1 - x ** 2)",)),
        lambda n, x: (_inv_sqrt((1.0 - x) * (x + 1.0)),),
        face="asin_f",
        method="asin",
        doc="Arcsine; ValueError outside [-1, 1], gradient inf at ±1.",
    ),
    Rule(
        "acos",
        "acos",
        _U,
        ("acos(x)", ("-1 / sqrt(1 - x ** 2)",)),
        lambda n, x: (-_inv_sqrt((1.0 - x) * (x + 1.0)),),
        face="acos_f",
        method="acos",
        doc="Arccosine; ValueError outside [-1, 1], gradient -inf at ±1.",
    ),
    Rule(
        "atan",
        "atan",
        _U,
        ("atan(x)", ("1 / (1 + x ** 2)",)),
        lambda n, x: (1.0 / (x * x + 1.0),),
        face="atan_f",
        method="atan",
        doc="Arctangent.",
    ),
    Rule(
        "sinh",
        "sinh",
        _U,
        ("sinh(x)", ("cosh(x)",)),
        lambda n, x: (x.cosh(),),
        face="sinh_f",
        method="sinh",
        doc="Hyperbolic sine; OverflowError beyond float range.",
    ),
    Rule(
        "cosh",
        "cosh",
        _U,
        ("cosh(x)", ("sinh(x)",)),
        lambda n, x: (x.sinh(),),
        face="cosh_f",
        method="cosh",
        doc="Hyperbolic cosine; OverflowError beyond float range.",
    ),
    Rule(
        "asinh",
        "asinh",
        _U,
        ("asinh(x)", ("1 / sqrt(1 + x ** 2)",)),
        lambda n, x: (_inv_sqrt(x * x + 1.0),),
        face="asinh_f",
        method="asinh",
        doc="Inverse hyperbolic sine.",
    ),
    Rule(
        "acosh",
        "acosh",
        _U,
        ("acosh(x)", ("1 / sqrt(x ** 2 - 1)",)),
        lambda n, x: (_inv_sqrt(x - 1.0) * _inv_sqrt(x + 1.0),),
        face="acosh_f",
        method="acosh",
        doc="Inverse hyperbolic cosine; ValueError for self < 1, gradient inf at 1.",
    ),
    Rule(
        "atanh",
        "atanh",
        _U,
        ("atanh(x)", ("1 / (1 - x ** 2)",)),
        lambda n, x: (1.0 / ((1.0 - x) * (x + 1.0)),),
        face="atanh_f",
        method="atanh",
        doc="Inverse hyperbolic tangent; ValueError outside (-1, 1).",
    ),
    Rule(
        "log2",
        "log2",
        _U,
        ("log2(x)", ("1 / (x * log(2))",)),
        lambda n, x: (1.0 / (x * _LN2),),
        face="log2_f",
        method="log2",
        doc="Base-2 logarithm; ValueError for self <= 0.",
    ),
    Rule(
        "log10",
        "log10",
        _U,
        ("log10(x)", ("1 / (x * log(10))",)),
        lambda n, x: (1.0 / (x * _LN10),),
        face="log10_f",
        method="log10",
        doc="Base-10 logarithm; ValueError for self <= 0.",
    ),
    Rule(
        "log1p",
        "log1p",
        _U,
        ("log1p(x)", ("1 / (1 + x)",)),
        lambda n, x: (1.0 / (x + 1.0),),
        face="log1p_f",
        method="log1p",
        doc="log(1 + self), accurate near 0; ValueError for self <= -1.",
    ),
    Rule(
        "expm1",
        "expm1",
        _U,
        ("expm1(x)", ("exp(x)",)),
        lambda n, x: (x.exp(),),
        face="expm1_f",
        method="expm1",
        doc="e ** self - 1, accurate near 0; OverflowError beyond float range.",
    ),
    Rule(
        "erf",
        "erf",
        _U,
        ("erf(x)", ("2 / sqrt(pi) * exp(-x ** 2)",)),
        lambda n, x: ((-(x * x)).exp() * _TWO_OVER_SQRT_PI,),
        face="erf_f",
        method="erf",
        doc="The error function.",
    ),
    Rule(
        "clamp",
        "clamp",
        _CR,
        ("min(max(x, lo), hi)", ("1 if lo <= x <= hi else 0",)),
        lambda n, x, c: _stored(n),
        face="clamp_f",
        method="clamp",
        params=("lo: float", "hi: float"),
        prelude=(
            'a = _as_float(lo, "clamp lo")\n'
            'b = _as_float(hi, "clamp hi")\n'
            "if not a <= b:\n"
            '    raise ValueError(f"clamp: lo must be <= hi, got lo={a!r}, hi={b!r}")\n'
            "c = (a, b)"
        ),
        doc="self limited to [lo, hi]; gradient 1 inside, boundaries included (as PyTorch).",
    ),
    # --- two-input functions: autograd.atan2(y, x), ... ---------------------------
    Rule(
        "atan2",
        "atan2",
        _B,
        ("atan2(a, b)", ("b / (a ** 2 + b ** 2)", "-a / (a ** 2 + b ** 2)")),
        lambda n, y, x: _binary_d(n, y, x, lambda: (x / (x * x + y * y), -y / (x * x + y * y))),
        face="atan2_f",
        method="atan2",
        params=("y", "x"),
        doc="The angle of the point (x, y), in (-pi, pi]; gradient 0 at the origin.",
    ),
    Rule(
        "hypot",
        "hypot",
        _B,
        ("hypot(a, b)", ("a / hypot(a, b)", "b / hypot(a, b)")),
        lambda n, x, y: _binary_d(n, x, y, lambda: (x / n, y / n)),
        face="hypot_f",
        method="hypot",
        params=("x", "y"),
        doc="sqrt(x ** 2 + y ** 2) without overflow on the way; gradient 0 at the origin.",
    ),
    Rule(
        "minimum",
        "minimum",
        _B,
        (
            "min(a, b)",
            ("1 if a < b else 0.5 if a == b else 0", "1 if b < a else 0.5 if a == b else 0"),
        ),
        lambda n, x, y: _stored(n),
        face="minimum_f",
        method="minimum",
        params=("a", "b"),
        doc="The smaller of a and b; the gradient goes to it, a tie splits it 0.5 / 0.5.",
    ),
    Rule(
        "maximum",
        "maximum",
        _B,
        (
            "max(a, b)",
            ("1 if a > b else 0.5 if a == b else 0", "1 if b > a else 0.5 if a == b else 0"),
        ),
        lambda n, x, y: _stored(n),
        face="maximum_f",
        method="maximum",
        params=("a", "b"),
        doc="The larger of a and b; the gradient goes to it, a tie splits it 0.5 / 0.5.",
    ),
    # --- n inputs -----------------------------------------------------------------
    Rule(
        "affine",
        "Σ",
        NARY_KIND,
        ("b + sum(w[i] * x[i] for i in range(n))", ("1", "x[i]", "w[i]")),
        lambda n, *ps: n._dright,
        method="affine",
    ),
]

RULES: dict[str, Rule] = {r.name: r for r in _ROWS}
"""Every operation by name, in table order. ``Value._rule`` holds the key."""

FORMULAS: dict[str, tuple[str, tuple[str, ...]]] = {r.name: r.words for r in _ROWS}
"""Each rule in words, for the docs' derivative table (``scripts/derivative_table.py``).

Inputs are ``x`` (one input), ``a, b`` (two), ``c`` a constant folded into the
node, ``slope`` leaky_relu's parameter, ``lo, hi`` clamp's bounds; ``affine`` has inputs ``b``, then
``w[i], x[i]`` for each of the n terms. ``tests/test_docs_generated.py`` evaluates every
expression against the engine, so the words cannot drift from the code.
"""

METHODS: tuple[str, ...] = tuple(
    r.method for r in _ROWS if r.kind == UNARY_KIND and not r.method.startswith("__")
)
"""The one-input methods of ``Value`` that take no argument (``exp``, ``log``, ...)."""

FUNCTIONS: tuple[str, ...] = tuple(
    r.method for r in _ROWS if r.kind == BINARY_KIND and r.face and not r.method.startswith("__")
)
"""The two-input functions of ``autograd`` (``atan2``, ``hypot``, ``minimum``, ``maximum``)."""
