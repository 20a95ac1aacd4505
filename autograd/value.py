"""``Value``: a scalar that remembers how it was computed.

Each operation computes its result *and* its local derivatives as floats
and stores them on the new node, so ``backward`` only multiplies and adds.
The operators and methods are generated from the rule table in
``rules.py`` (``scripts/gen_ops.py``, between the ``generated`` markers
below): edit the row there, not the method here. A node holds its parents
in fixed slots and no closures, so a dropped graph is freed at once by
reference counting, without waiting for the garbage collector.

Node fields (all internal; a reader's guide to every slot):

* ``_left``      the first parent; ``None`` for a leaf; for an n-input node
                 (``affine``) the tuple of all parents
* ``_right``     the second parent; ``None`` for a one-input node; ``NARY``
                 for an n-input node
* ``_dleft``     d(node)/d(_left), a float (for n inputs: a tuple of floats,
                 one per parent)
* ``_dright``    d(node)/d(_right) for two inputs; for one input, what the
                 node folded in: the constant (``x * 3`` stores ``3.0``; no
                 node for ``3``), leaky_relu's slope, clamp's ``(lo, hi)``, or
                 ``None``; for n inputs, each parent's partner (Value or number)
* ``_rule``      the key of the node's row in ``rules.RULES`` (``''`` for a leaf)
* ``_consumers`` 0, except while ``backward`` walks the graph: it counts there
                 how many nodes of the graph consume this one

micrograd's names read the same fields, with micrograd's meaning, as
class-level properties (no cost per node): ``_prev`` (the set of parents),
``_op`` (a short symbol, ``''`` for a leaf) and ``_backward()`` (one
chain-rule step into the parents' ``grad``).
"""

from __future__ import annotations

import math
import numbers
import operator
import threading
from collections.abc import Callable, Sequence
from typing import Any, Union

from . import errors, rules

__all__ = ["Value", "affine", "apply", "atan2", "hypot", "maximum", "minimum"]

_new = object.__new__
_exp = math.exp
_tanh = math.tanh
_abs = abs

NARY: Any = ("nary",)
"""Marker in ``_right`` for nodes with a tuple of parents."""


def parents(node: Value) -> tuple[Value, ...]:
    """The nodes ``node`` was computed from, in order (empty for a leaf)."""
    left = node._left
    if left is None:
        return ()
    right = node._right
    if right is None:
        return (left,)
    if right is NARY:
        return left  # type: ignore[no-any-return]
    return (left, right)


def local_derivatives(node: Value) -> tuple[float, ...]:
    """d(node)/d(parent) as floats, aligned with ``parents(node)``."""
    if node._left is None:
        return ()
    right = node._right
    if right is None:
        return (node._dleft,)
    if right is NARY:
        return node._dleft  # type: ignore[no-any-return]
    return (node._dleft, node._dright)


# --- modes: the state operations read (autograd.modes changes it) ------------------


class ThreadModes(threading.local):
    """One thread's modes; a new thread starts with every mode off."""

    def __init__(self) -> None:
        self.grad_enabled = True  # False inside no_grad
        self.anomaly = 0  # detect_anomaly nesting depth
        self.where: tuple[str, int] | None = None  # see modes.built_for
        self.counted = False  # this thread is counted in _active


_modes = ThreadModes()
_special = False
"""True while some thread, anywhere in the process, has a mode on: the one flag every
operation tests. Only then does it call ``_post``, which reads this thread's own modes."""
_active = 0  # threads with a mode on; _special is _active > 0
_lock = threading.Lock()


def thread_modes() -> ThreadModes:
    """This thread's modes, to read; change them with ``set_modes``."""
    return _modes


def set_modes(grad_enabled: bool, anomaly: int) -> None:
    """Set this thread's modes (``autograd.modes`` does, on entering and leaving a block).

    Keeps ``_special`` true exactly while some thread has a mode on, so with
    no mode on anywhere an operation pays for one flag test and nothing else.
    """
    global _active, _special
    st = _modes
    st.grad_enabled = grad_enabled
    st.anomaly = anomaly
    on = not grad_enabled or anomaly > 0
    if on is not st.counted:
        with _lock:
            _active += 1 if on else -1
            st.counted = on
            _special = _active > 0


def _post(node: Value, leaf: bool = False) -> None:
    """Run for every new node while some thread has a mode on; applies this thread's modes."""
    st = _modes
    if st.anomaly:
        node.__dict__[errors.WHERE] = st.where or errors.user_frame()
        if leaf:
            return
        # Checked before no_grad drops the parents: a constant result that is
        # not finite is still an anomaly, and the message needs the inputs.
        r = node.data
        if not math.isfinite(r):
            ins = ", ".join(errors.describe_node(p) for p in parents(node))
            if node._right is NARY:  # affine: constant inputs sit among the partners
                cs = [c for c in node._dright[1:] if c.__class__ is float]
                consts = f" and constants {cs!r}" if cs else ""
            else:
                const = node._dright if node._right is None else None
                consts = f" and constant {const!r}" if const is not None else ""
            raise FloatingPointError(
                f"detect_anomaly: operation {node._rule!r} produced {r!r} from inputs "
                f"[{ins}]{consts}, at {errors.where_text(node)}"
            )
    if leaf:
        return
    if not st.grad_enabled:
        node._left = node._right = node._dleft = node._dright = None
        node._rule = ""


Operand = Union["Value", float]
"""A Value or a plain number (int and bool are accepted where float is): the one alias."""


def _as_float(obj: Any, where: str) -> float:
    """Convert a real number to float or raise TypeError naming what was given.

    Real numbers are ``int``, ``float``, ``bool``, any ``numbers.Real`` (numpy's
    float and int scalars, ``Fraction``) and numpy's ``bool_``. A Value is
    refused: it is a node, not a number (its ``.data`` is the number).
    """
    cls = obj.__class__
    if cls is float:
        return obj  # type: ignore[no-any-return]
    if cls is not int and cls is not bool:
        if isinstance(obj, Value):
            raise errors.value_as_number(where, obj)
        if not isinstance(obj, numbers.Real) and not _is_numpy_bool(cls):
            raise errors.not_a_number(where, obj)
    try:
        return float(obj)
    except OverflowError:
        raise errors.too_large(where, obj) from None


def _is_numpy_bool(cls: type) -> bool:
    """numpy's ``bool_`` is a number to numpy but not a ``numbers.Real``."""
    return cls.__module__ == "numpy" and cls.__name__ in ("bool", "bool_")


def _fin(op: str, r: float, *inputs: float) -> None:
    errors.check_result(op, r, *inputs)


class Value:
    """A scalar node in a computation graph.

    ``data`` is the value, ``grad`` is d(root)/d(this) after ``root.backward()``.
    ``label`` names the node in pictures and error messages.
    """

    __slots__ = (
        "__dict__",
        "__weakref__",
        "_consumers",
        "_dleft",
        "_dright",
        "_left",
        "_right",
        "_rule",
        "data",
        "grad",
    )

    data: float
    grad: float
    label: str = ""  # class default: only labelled nodes pay for an instance dict
    _rule: str  # key in rules.RULES; "" for a leaf
    _left: Any  # first parent, or the tuple of parents (n inputs)
    _right: Any  # second parent, None (one input) or NARY (n inputs)
    _dleft: Any  # d(self)/d(_left), or a tuple (n inputs)
    _dright: Any  # d(self)/d(_right), or the folded constant (one input), or partners
    _consumers: int  # consumer count, used by backward (0 outside it)

    def __init__(self, data: Any, label: str = "") -> None:
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self._consumers = 0
        self._rule = ""
        self._left = None
        self._right = None
        self._dleft = None
        self._dright = None
        if not isinstance(label, str):
            raise _bad_label(label)
        if label:
            self.label = label
        if _special:
            _post(self, True)

    def __repr__(self) -> str:
        lab = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{lab})"

    __hash__ = object.__hash__

    def __pos__(self) -> Value:
        return self

    # --- Value's operations: generated by scripts/gen_ops.py — edit autograd/rules.py ---
    def __add__(self, o: Operand) -> Value:
        out = _new(Value)
        x = self.data
        cls = o.__class__
        if cls is Value or (cls is not float and isinstance(o, Value)):
            r = x + o.data  # type: ignore[union-attr]
            if r - r:
                _fin("add", r, x, o.data)  # type: ignore[union-attr]
            out._right = o
            out._dleft = 1.0
            out._dright = 1.0
            out._rule = "add"
        else:
            c: float = o if cls is float else _as_float(o, "operator +")  # type: ignore[assignment]
            r = x + c
            if r - r:
                _fin("add", r, x, c)
            out._right = None
            out._dleft = 1.0
            out._dright = c
            out._rule = "addc"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    __radd__ = __add__

    def __sub__(self, o: Operand) -> Value:
        out = _new(Value)
        x = self.data
        cls = o.__class__
        if cls is Value or (cls is not float and isinstance(o, Value)):
            r = x - o.data  # type: ignore[union-attr]
            if r - r:
                _fin("sub", r, x, o.data)  # type: ignore[union-attr]
            out._right = o
            out._dleft = 1.0
            out._dright = -1.0
            out._rule = "sub"
        else:
            c: float = o if cls is float else _as_float(o, "operator -")  # type: ignore[assignment]
            r = x - c
            if r - r:
                _fin("sub", r, x, c)
            out._right = None
            out._dleft = 1.0
            out._dright = c
            out._rule = "subc"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def __rsub__(self, o: Operand) -> Value:
        c = _const(o, "-")
        if c.__class__ is not float:
            return c - self  # type: ignore[no-any-return]
        x = self.data
        r = c - x
        if r - r:
            _fin("sub", r, c, x)
        out = _new(Value)
        out._right = None
        out._dleft = -1.0
        out._dright = c
        out._rule = "rsubc"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def __mul__(self, o: Operand) -> Value:
        out = _new(Value)
        x = self.data
        cls = o.__class__
        if cls is Value or (cls is not float and isinstance(o, Value)):
            y = o.data  # type: ignore[union-attr]
            r = x * y
            if r - r:
                _fin("mul", r, x, y)
            out._right = o
            out._dleft = y
            out._dright = x
            out._rule = "mul"
        else:
            c: float = o if cls is float else _as_float(o, "operator *")  # type: ignore[assignment]
            r = x * c
            if r - r:
                _fin("mul", r, x, c)
            out._right = None
            out._dleft = c
            out._dright = c
            out._rule = "mulc"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    __rmul__ = __mul__

    def __truediv__(self, o: Operand) -> Value:
        out = _new(Value)
        x = self.data
        cls = o.__class__
        if cls is Value or (cls is not float and isinstance(o, Value)):
            y = o.data  # type: ignore[union-attr]
            if y == 0.0:
                raise errors.zero_division("div", "division by zero", x, y)
            r = x / y
            if r - r:
                _fin("div", r, x, y)
            out._right = o
            out._dleft = 1.0 / y
            out._dright = -r / y
            out._rule = "div"
        else:
            c: float = o if cls is float else _as_float(o, "operator /")  # type: ignore[assignment]
            if c == 0.0:
                raise errors.zero_division("div", "division by zero", x, c)
            r = x / c
            if r - r:
                _fin("div", r, x, c)
            out._right = None
            out._dleft = 1.0 / c
            out._dright = c
            out._rule = "divc"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def __rtruediv__(self, o: Operand) -> Value:
        c = _const(o, "/")
        if c.__class__ is not float:
            return c / self  # type: ignore[no-any-return]
        x = self.data
        if x == 0.0:
            raise errors.zero_division("div", "division by zero", c, x)
        r = c / x
        if r - r:
            _fin("div", r, c, x)
        out = _new(Value)
        out._right = None
        out._dleft = -r / x
        out._dright = c
        out._rule = "rdivc"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def __pow__(self, o: Operand) -> Value:
        out = _new(Value)
        x = self.data
        cls = o.__class__
        if cls is Value or (cls is not float and isinstance(o, Value)):
            y = o.data  # type: ignore[union-attr]
            r, d, e = rules.pow2_f(x, y)
            out._right = o
            out._dleft = d
            out._dright = e
            out._rule = "pow"
        else:
            c: float = o if cls is float else _as_float(o, "operator **")  # type: ignore[assignment]
            r, d = rules.powc_f(x, c)
            out._right = None
            out._dleft = d
            out._dright = c
            out._rule = "powc"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def __rpow__(self, o: Operand) -> Value:
        c = _const(o, "**")
        if c.__class__ is not float:
            return c**self  # type: ignore[no-any-return]
        x = self.data
        r, d = rules.rpowc_f(c, x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = c
        out._rule = "rpowc"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def __neg__(self) -> Value:
        x = self.data
        r = -x
        out = _new(Value)
        out._right = None
        out._dleft = -1.0
        out._dright = None
        out._rule = "neg"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def exp(self) -> Value:
        """e ** self."""
        x = self.data
        try:
            r = _exp(x)
        except OverflowError:
            raise errors.overflow("exp", x) from None
        out = _new(Value)
        out._right = None
        out._dleft = r
        out._dright = None
        out._rule = "exp"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def log(self) -> Value:
        """Natural logarithm; ValueError for self <= 0."""
        x = self.data
        r, d = rules.log_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "log"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def sqrt(self) -> Value:
        """Square root; ValueError for self < 0, gradient inf at 0."""
        x = self.data
        r, d = rules.sqrt_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "sqrt"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        x = self.data
        r = _tanh(x)
        out = _new(Value)
        out._right = None
        out._dleft = 4.0 * (e := _exp(-2.0 * _abs(x))) / ((s := 1.0 + e) * s)
        out._dright = None
        out._rule = "tanh"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e ** -self), stable for any input."""
        x = self.data
        r, d = rules.sigmoid_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "sigmoid"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def softplus(self) -> Value:
        """log(1 + e ** self), stable for any input."""
        x = self.data
        r, d = rules.softplus_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "softplus"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def relu(self) -> Value:
        """max(self, 0); derivative 0 at 0."""
        x = self.data
        out = _new(Value)
        if x > 0.0:
            out.data = x
            out._dleft = 1.0
        else:
            out.data = 0.0 if x < 0.0 else x
            out._dleft = 0.0
        out._right = None
        out._dright = None
        out._rule = "relu"
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def abs(self) -> Value:
        """|self|; derivative 0 at 0."""
        x = self.data
        r, d = rules.abs_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "abs"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def sin(self) -> Value:
        """Sine (radians)."""
        x = self.data
        r, d = rules.sin_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "sin"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def cos(self) -> Value:
        """Cosine (radians)."""
        x = self.data
        r, d = rules.cos_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "cos"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """self if self > 0 else slope * self; derivative ``slope`` at 0."""
        c = _as_float(slope, "leaky_relu slope")
        x = self.data
        r, d = rules.leaky_relu_f(x, c)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = c
        out._rule = "leaky_relu"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def tan(self) -> Value:
        """Tangent (radians); ValueError for an infinite input."""
        x = self.data
        r, d = rules.tan_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "tan"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def asin(self) -> Value:
        """Arcsine; ValueError outside [-1, 1], gradient inf at ±1."""
        x = self.data
        r, d = rules.asin_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "asin"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def acos(self) -> Value:
        """Arccosine; ValueError outside [-1, 1], gradient -inf at ±1."""
        x = self.data
        r, d = rules.acos_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "acos"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def atan(self) -> Value:
        """Arctangent."""
        x = self.data
        r, d = rules.atan_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "atan"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def sinh(self) -> Value:
        """Hyperbolic sine; OverflowError beyond float range."""
        x = self.data
        r, d = rules.sinh_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "sinh"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def cosh(self) -> Value:
        """Hyperbolic cosine; OverflowError beyond float range."""
        x = self.data
        r, d = rules.cosh_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "cosh"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def asinh(self) -> Value:
        """Inverse hyperbolic sine."""
        x = self.data
        r, d = rules.asinh_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "asinh"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def acosh(self) -> Value:
        """Inverse hyperbolic cosine; ValueError for self < 1, gradient inf at 1."""
        x = self.data
        r, d = rules.acosh_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "acosh"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def atanh(self) -> Value:
        """Inverse hyperbolic tangent; ValueError outside (-1, 1)."""
        x = self.data
        r, d = rules.atanh_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "atanh"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def log2(self) -> Value:
        """Base-2 logarithm; ValueError for self <= 0."""
        x = self.data
        r, d = rules.log2_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "log2"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def log10(self) -> Value:
        """Base-10 logarithm; ValueError for self <= 0."""
        x = self.data
        r, d = rules.log10_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "log10"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def log1p(self) -> Value:
        """log(1 + self), accurate near 0; ValueError for self <= -1."""
        x = self.data
        r, d = rules.log1p_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "log1p"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def expm1(self) -> Value:
        """e ** self - 1, accurate near 0; OverflowError beyond float range."""
        x = self.data
        r, d = rules.expm1_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "expm1"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def erf(self) -> Value:
        """The error function."""
        x = self.data
        r, d = rules.erf_f(x)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = None
        out._rule = "erf"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    def clamp(self, lo: float, hi: float) -> Value:
        """self limited to [lo, hi]; gradient 1 inside, boundaries included (as PyTorch)."""
        a = _as_float(lo, "clamp lo")
        b = _as_float(hi, "clamp hi")
        if not a <= b:
            raise ValueError(f"clamp: lo must be <= hi, got lo={a!r}, hi={b!r}")
        c = (a, b)
        x = self.data
        r, d = rules.clamp_f(x, c)
        out = _new(Value)
        out._right = None
        out._dleft = d
        out._dright = c
        out._rule = "clamp"
        out.data = r
        out.grad = 0.0
        out._consumers = 0
        out._left = self
        if _special:
            _post(out)
        return out

    # --- end of Value's operations ---

    # --- comparisons: by data, so max(a, b) and sorted(values) work; == stays identity

    def __lt__(self, o: object) -> bool:
        c = _compared(o)
        return NotImplemented if c is None else self.data < c

    def __le__(self, o: object) -> bool:
        c = _compared(o)
        return NotImplemented if c is None else self.data <= c

    def __gt__(self, o: object) -> bool:
        c = _compared(o)
        return NotImplemented if c is None else self.data > c

    def __ge__(self, o: object) -> bool:
        c = _compared(o)
        return NotImplemented if c is None else self.data >= c

    # --- micrograd's names for the node fields (class-level: nothing per node) --

    _parents = property(parents, doc="The nodes this one was computed from, in order.")
    _locals = property(local_derivatives, doc="d(self)/d(parent) as floats, aligned with _parents.")

    @property
    def _const(self) -> Any:
        """What a one-input node folded in (constant, slope, bounds), else None."""
        return self._dright if self._left is not None and self._right is None else None

    @property
    def _prev(self) -> set[Value]:
        """micrograd's ``_prev``: the set of Values this one was computed from."""
        return set(self._parents)

    @property
    def _op(self) -> str:
        """micrograd's ``_op``: a short symbol for the operation, ``''`` for a leaf.

        micrograd's own where it has one (``+ * **2 ReLU tanh exp``), the
        derivative table's display symbol otherwise.
        """
        rule = self._rule
        if not rule:
            return ""
        row = rules.RULES[rule]
        if not row.micrograd:
            return row.symbol
        c = self._const
        if isinstance(c, float) and c.is_integer() and abs(c) < 1e16:
            c = int(c)  # x ** 2 shows as micrograd's '**2'
        return row.micrograd.format(c=c)

    def _backward(self) -> None:
        """micrograd's ``_backward()``: one chain-rule step from this node.

        Adds ``self.grad`` times each local derivative into the parents'
        ``grad``; a leaf's does nothing, and so does a zero ``grad`` (a zero
        upstream contributes exactly 0, as in ``backward``).
        """
        g = self.grad
        if not g:
            return
        for p, d in zip(self._parents, self._locals):
            p.grad += g * d

    def _unary_node(self, op: str, y: float, d: float, c: Any) -> Value:
        """A one-input node on self with its value and local derivative given.

        For ``rules.py``'s Value faces, which sit below this module and cannot import it.
        """
        return _unary(self, op, y, d, c)

    def _binary_node(self, o: Value, op: str, y: float, da: float, db: float) -> Value:
        """A two-input node on (self, o) with its value and local derivatives given."""
        return _binary(self, o, op, y, da, db)

    def backward(self) -> None:
        """Run the chain rule from this node; see ``autograd.backward``."""
        # The engine's one import that points up (backward.py sits above value.py);
        # made on the call, so importing value.py never loads backward.py.
        from .backward import backward

        backward(self)


def _bad_label(label: object) -> TypeError:
    """The error for a label that is not a str, with a hint for micrograd's constructor.

    micrograd builds nodes as ``Value(data, _children, _op)``; here the
    operations record a node's parents, so a tuple in that place is refused
    (an empty one too) rather than taken for a label.
    """
    msg = f"Value: label must be a str, got {errors.describe(label)}"
    if isinstance(label, (tuple, list, set, frozenset)):
        msg += (
            "; micrograd's Value(data, _children, _op) form is not needed: "
            "operators and methods record a node's parents themselves (read them as ._prev)"
        )
    return TypeError(msg)


def _compared(o: object) -> Any:
    """What a Value compares against: a Value's data, or the real number itself."""
    if isinstance(o, Value):
        return o.data
    if isinstance(o, numbers.Real):
        return o  # compared exactly, also an int too large for a float
    if _is_numpy_bool(o.__class__):
        return bool(o)
    return None


def _const(other: object, op: str) -> Any:
    """A plain number as float; a Value subclass is returned unchanged."""
    if isinstance(other, Value):
        return other
    return _as_float(other, f"operator {op}")


def _unary(parent: Value, op: str, y: float, d: float, c: Any) -> Value:
    out = _new(Value)
    out.data = y
    out.grad = 0.0
    out._consumers = 0
    out._left = parent
    out._right = None
    out._dleft = d
    out._dright = c
    out._rule = op
    if _special:
        _post(out)
    return out


def _binary(a: Value, b: Value, op: str, y: float, da: float, db: float) -> Value:
    """A two-input node with its value and local derivatives already computed."""
    out = _new(Value)
    out.data = y
    out.grad = 0.0
    out._consumers = 0
    out._left = a
    out._right = b
    out._dleft = da
    out._dright = db
    out._rule = op
    if _special:
        _post(out)
    return out


def affine(weights: Sequence[Value], inputs: Sequence[Operand], bias: Value) -> Value:
    """One node computing ``bias + Σ weights[i] * inputs[i]``.

    Used by ``nn.Neuron``: one node instead of ``2n`` keeps training graphs
    small. ``inputs`` may mix Values and plain numbers.
    """
    n = len(weights)
    if len(inputs) != n:
        raise ValueError(f"affine: {n} weights but {len(inputs)} inputs")
    total = bias.data
    parents: list[Value] = [bias]
    locals_: list[float] = [1.0]
    partners: list[Any] = [1.0]
    for w, x in zip(weights, inputs):
        wd = w.data
        if isinstance(x, Value):  # a subclass too (not only ``x.__class__ is Value``)
            xd = x.data
            parents.append(w)
            locals_.append(xd)
            partners.append(x)
            parents.append(x)
            locals_.append(wd)
            partners.append(w)
        else:
            xd = _as_float(x, "affine input")
            parents.append(w)
            locals_.append(xd)
            partners.append(xd)
        total += wd * xd
    if total - total:
        consts = [c for c in partners[1:] if c.__class__ is float]
        _fin("affine", total, *[p.data for p in parents], *consts)
    out = _new(Value)
    out.data = total
    out.grad = 0.0
    out._consumers = 0
    out._left = tuple(parents)
    out._right = NARY
    out._dleft = tuple(locals_)
    out._dright = tuple(partners)
    out._rule = "affine"
    if _special:
        _post(out)
    return out


def _function(
    op: str, face: Callable[[float, float], tuple[float, float, float]], a: Operand, b: Operand
) -> Value:
    """A two-input function node; a plain number becomes a constant leaf."""
    x = a if isinstance(a, Value) else Value(_as_float(a, op))
    y = b if isinstance(b, Value) else Value(_as_float(b, op))
    r, da, db = face(x.data, y.data)
    return _binary(x, y, op, r, da, db)


# --- two-input functions: generated by scripts/gen_ops.py — edit autograd/rules.py ---


def atan2(y: Operand, x: Operand) -> Value:
    """The angle of the point (x, y), in (-pi, pi]; gradient 0 at the origin."""
    return _function("atan2", rules.atan2_f, y, x)


def hypot(x: Operand, y: Operand) -> Value:
    """sqrt(x ** 2 + y ** 2) without overflow on the way; gradient 0 at the origin."""
    return _function("hypot", rules.hypot_f, x, y)


def minimum(a: Operand, b: Operand) -> Value:
    """The smaller of a and b; the gradient goes to it, a tie splits it 0.5 / 0.5."""
    return _function("minimum", rules.minimum_f, a, b)


def maximum(a: Operand, b: Operand) -> Value:
    """The larger of a and b; the gradient goes to it, a tie splits it 0.5 / 0.5."""
    return _function("maximum", rules.maximum_f, a, b)


# --- end of two-input functions ---


_OPERATORS: dict[str, Callable[..., Any]] = {
    r.name: getattr(operator, r.method.strip("_")[1 if r.kind == rules.CONST_LEFT else 0 :])
    for r in rules.RULES.values()
    if r.method.startswith("__")
}
"""Each operator rule's Python operator (``operator.add`` for ``add`` and ``addc`` ...)."""


def apply(op: str, operands: Sequence[Any]) -> Any:
    """Run the operation named ``op`` (a key of ``rules.RULES``) on ``operands``.

    Operands come in the order the operation reads them: ``[a, b]``; ``[x, c]``
    with a constant ``c`` on the right; ``[c, x]`` for the reflected operators
    (``rsubc``, ``rdivc``, ``rpowc``); ``[x, slope]`` for ``leaky_relu``;
    ``[x, lo, hi]`` for ``clamp``; ``[bias, w0, x0, w1, x1, ...]`` for
    ``affine``. As with the operators themselves, which node is made follows
    from the operand types.
    """
    rule = rules.RULES.get(op)
    if rule is None:
        raise ValueError(f"unknown operation {op!r}")
    if op in _OPERATORS:
        return _OPERATORS[op](*operands)
    if rule.kind == rules.NARY_KIND:
        return affine(list(operands[1::2]), list(operands[2::2]), operands[0])
    if rule.kind == rules.BINARY_KIND:
        return globals()[rule.method](operands[0], operands[1])
    return getattr(operands[0], rule.method)(*operands[1:])
