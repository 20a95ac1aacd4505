"""Sure bounds for the random expressions of ``strategies``: value intervals and slopes.

For each engine operation, ``interval`` gives an interval that surely holds
the node's value, from its operands' intervals (interval arithmetic), and
``slope_bound`` a bound on the sum of the sizes of its partial derivatives. The
builder (``builder.py``) reads both to keep every node inside its
operation's domain and of moderate size and slope.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

__all__ = [
    "CAP",
    "LIBRARY_ULPS",
    "MARGIN",
    "Node",
    "Ref",
    "interval",
    "magnitude",
    "slope_bound",
]

MARGIN = 0.5
"""Distance kept from every kink, pole and domain edge."""
CAP = 100.0
"""Largest size of any intermediate result, and of its slope (see ``Node``)."""


class Ref(NamedTuple):
    """An operand that is an earlier node of the expression, by position."""

    at: int


class Node(NamedTuple):
    """One step of an expression: an engine operation on earlier nodes and constants.

    ``args`` mixes ``Ref`` operands and float constants in call order (for
    ``affine``: bias, then weight and input pairs). ``lo``/``hi`` bound the
    node's value for every input in range, and ``slope`` bounds the sum of
    the absolute values of its partial derivatives there: keeping both
    moderate keeps central differences accurate. Inputs have ``op == ""``.
    """

    op: str
    args: tuple[Ref | float, ...]
    lo: float
    hi: float
    slope: float


def magnitude(lo: float, hi: float) -> float:
    return max(abs(lo), abs(hi))


def _span(values: Sequence[float]) -> tuple[float, float]:
    """The smallest interval holding ``values``; NaN (from inf - inf) widens to everything."""
    if any(v != v for v in values):
        return -math.inf, math.inf
    return min(values), max(values)


def _safe(fn: Callable[..., float], *args: float) -> float:
    try:
        return fn(*args)
    except OverflowError:
        return math.inf
    except (ValueError, ZeroDivisionError):  # pragma: no cover - guards rule these out
        return math.nan


def _pow_span(blo: float, bhi: float, elo: float, ehi: float) -> tuple[float, float]:
    """Interval of b ** e over a box; exact at the corners for b > 0 and for integer e."""
    corners = [_safe(math.pow, b, e) for b in (blo, bhi) for e in (elo, ehi)]
    if elo == ehi and blo < 0.0 < bhi and elo > 0.0:
        corners.append(0.0)  # x ** 2 over an interval holding 0
    return _span(corners)


_EXACT = frozenset({"neg", "abs", "relu", "clamp", "minimum", "maximum", "sin", "cos"})
"""Operations whose bounds are their operands' bounds or constants: no rounding to undo."""

_ARITHMETIC = frozenset(
    {"add", "addc", "sub", "subc", "rsubc", "mul", "mulc", "div", "divc", "rdivc", "affine"}
    | {"leaky_relu"}
)
"""Operations made of correctly rounded ``+ - * /``: each bound is within half an ulp."""

LIBRARY_ULPS = 8
"""How far (in ulps) a bound from ``math``'s functions is pushed outward.

Neither the bound nor the engine's value is exact: each comes from the C
library's functions (a few ulps from the true value: glibc documents at most 2
for the ones used here) and, for ``sigmoid`` and ``softplus``, a few roundings
more. Eight ulps covers both errors, in opposite directions, with room to spare.
"""


def _outward(lo: float, hi: float, ulps: int) -> tuple[float, float]:
    """``[lo, hi]`` widened by ``ulps`` floats on each side (``inf`` and NaN stay)."""
    for _ in range(ulps):
        lo, hi = math.nextafter(lo, -math.inf), math.nextafter(hi, math.inf)
    return lo, hi


def interval(op: str, args: Sequence[Ref | float], nodes: Sequence[Node]) -> tuple[float, float]:
    """A sure enclosure of the node's float value given its operands' intervals.

    The bounds are computed in floating point and then rounded outward (one
    ulp for arithmetic, ``LIBRARY_ULPS`` for ``math``'s functions), so the
    value the engine computes, rounding included, is inside.
    """
    lo, hi = _enclosure(op, args, nodes)
    if op in _EXACT:
        return lo, hi
    return _outward(lo, hi, 1 if op in _ARITHMETIC else LIBRARY_ULPS)


def _sigmoid(x: float) -> float:
    """The logistic function without cancellation (``1 + tanh(x / 2)`` has none left at x << 0)."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _enclosure(op: str, args: Sequence[Ref | float], nodes: Sequence[Node]) -> tuple[float, float]:
    """The interval-arithmetic bounds of ``interval``, before rounding outward."""

    def iv(a: Ref | float) -> tuple[float, float]:
        if isinstance(a, Ref):
            n = nodes[a.at]
            return n.lo, n.hi
        return a, a

    ivs = [iv(a) for a in args]
    if op in ("add", "addc"):
        (alo, ahi), (blo, bhi) = ivs
        return alo + blo, ahi + bhi
    if op in ("sub", "subc", "rsubc"):
        (alo, ahi), (blo, bhi) = ivs
        return alo - bhi, ahi - blo
    if op in ("mul", "mulc"):
        (alo, ahi), (blo, bhi) = ivs
        return _span([alo * blo, alo * bhi, ahi * blo, ahi * bhi])
    if op in ("div", "divc", "rdivc"):
        (alo, ahi), (blo, bhi) = ivs  # the divisor never holds 0
        return _span([alo / blo, alo / bhi, ahi / blo, ahi / bhi])
    if op in ("pow", "powc", "rpowc"):
        (blo, bhi), (elo, ehi) = ivs
        return _pow_span(blo, bhi, elo, ehi)
    if op == "affine":
        lo, hi = ivs[0]
        for (wlo, whi), (xlo, xhi) in zip(ivs[1::2], ivs[2::2]):
            plo, phi = _span([wlo * xlo, wlo * xhi, whi * xlo, whi * xhi])
            lo, hi = lo + plo, hi + phi
        return lo, hi
    lo, hi = ivs[0]
    if op == "neg":
        return -hi, -lo
    if op in ("sin", "cos"):
        return -1.0, 1.0
    if op == "abs":  # the argument is away from 0
        return (lo, hi) if lo > 0.0 else (-hi, -lo)
    if op == "leaky_relu":
        slope = ivs[1][0]
        return (lo, hi) if lo > 0.0 else (slope * lo, slope * hi)
    if op == "relu":
        return (lo, hi) if lo > 0.0 else (0.0, 0.0)
    if op == "acos":  # decreasing
        return _safe(math.acos, hi), _safe(math.acos, lo)
    if op == "cosh":
        top = max(_safe(math.cosh, lo), _safe(math.cosh, hi))
        return (1.0, top) if lo <= 0.0 <= hi else (min(math.cosh(lo), math.cosh(hi)), top)
    if op == "clamp":  # non-decreasing: clamp the ends
        clo, chi = ivs[1][0], ivs[2][0]
        return min(max(lo, clo), chi), min(max(hi, clo), chi)
    if op in ("minimum", "maximum"):
        f = min if op == "minimum" else max
        return f(lo, ivs[1][0]), f(hi, ivs[1][1])
    if op == "atan2":  # the divisor side is >= MARGIN: the right half-plane
        return -math.pi / 2.0, math.pi / 2.0
    if op == "hypot":
        return 0.0, math.hypot(magnitude(lo, hi), magnitude(*ivs[1]))
    fn: Callable[[float], float] = {
        "exp": math.exp,
        "log": math.log,
        "sqrt": math.sqrt,
        "tanh": math.tanh,
        "sigmoid": _sigmoid,
        "softplus": lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),
        **{f: getattr(math, f) for f in _INCREASING},
    }[op]
    return _safe(fn, lo), _safe(fn, hi)  # increasing functions


_INCREASING: tuple[str, ...] = ("tan", "asin", "atan", "sinh", "asinh", "acosh", "atanh")
_INCREASING += ("log2", "log10", "log1p", "expm1", "erf")
"""Functions increasing on the arguments the builder gives them (``tan`` within ±1)."""


def slope_bound(
    op: str, args: Sequence[Ref | float], nodes: Sequence[Node], lo: float, hi: float
) -> float:
    """A bound on the node's slope from its operands' intervals and slopes."""

    def size(a: Ref | float) -> float:
        return magnitude(nodes[a.at].lo, nodes[a.at].hi) if isinstance(a, Ref) else abs(a)

    def least(a: Ref | float) -> float:  # smallest |value|; only asked of operands away from 0
        return min(abs(nodes[a.at].lo), abs(nodes[a.at].hi)) if isinstance(a, Ref) else abs(a)

    def sl(a: Ref | float) -> float:
        return nodes[a.at].slope if isinstance(a, Ref) else 0.0

    def term(bound: float, s: float) -> float:
        return 0.0 if s == 0.0 else bound * s

    if op == "affine":
        total = sl(args[0])
        for w, x in zip(args[1::2], args[2::2]):
            total += term(size(x), sl(w)) + term(size(w), sl(x))
        return total
    a = args[0]
    if op in ("add", "addc", "sub", "subc", "rsubc"):
        return sl(a) + sl(args[1])
    if op in ("mul", "mulc"):
        return term(size(args[1]), sl(a)) + term(size(a), sl(args[1]))
    if op in ("div", "divc", "rdivc"):
        d = least(args[1])
        return term(1.0 / d, sl(a)) + term(size(a) / (d * d), sl(args[1]))
    if op in ("pow", "powc", "rpowc"):
        e = args[1]
        total = 0.0
        if sl(a):  # |e * a ** (e - 1)|
            alo, ahi = (nodes[a.at].lo, nodes[a.at].hi) if isinstance(a, Ref) else (a, a)
            elo, ehi = (nodes[e.at].lo, nodes[e.at].hi) if isinstance(e, Ref) else (e, e)
            total += term(size(e) * magnitude(*_pow_span(alo, ahi, elo - 1.0, ehi - 1.0)), sl(a))
        if sl(e):  # |a ** e * log(a)|, a > 0
            alo, ahi = (nodes[a.at].lo, nodes[a.at].hi) if isinstance(a, Ref) else (a, a)
            total += term(magnitude(lo, hi) * max(abs(math.log(alo)), abs(math.log(ahi))), sl(e))
        return total
    s = sl(a)
    if op == "exp":
        return term(hi, s)
    if op == "log":
        return s / nodes[a.at].lo  # type: ignore[union-attr]
    if op == "sqrt":
        return s / (2.0 * math.sqrt(nodes[a.at].lo))  # type: ignore[union-attr]
    if op == "sigmoid":
        return s / 4.0
    if op == "relu":
        return s if lo > 0.0 else 0.0
    if op == "leaky_relu":
        return s if lo > 0.0 else s * abs(size(args[1]))
    if op in ("minimum", "maximum", "hypot"):  # partials at most 1 in size
        return s + sl(args[1])
    if op == "atan2":  # |d/dy| <= 1 / |x|, |d/dx| <= 1 / (2 |x|)
        return term(1.0 / least(args[1]), s + sl(args[1]))
    if s == 0.0:
        return 0.0
    alo, ahi = nodes[a.at].lo, nodes[a.at].hi  # type: ignore[union-attr]
    m = magnitude(alo, ahi)
    if op == "tan":
        return s * (1.0 + max(math.tan(alo) ** 2, math.tan(ahi) ** 2))
    if op in ("asin", "acos"):
        return s / math.sqrt(1.0 - m * m)
    if op == "atanh":
        return s / (1.0 - m * m)
    if op == "sinh":
        return s * _safe(math.cosh, m)
    if op == "cosh":
        return s * abs(_safe(math.sinh, m))
    if op == "acosh":
        return s / math.sqrt(alo * alo - 1.0)
    if op in ("log2", "log10"):
        return s / (alo * math.log(2.0 if op == "log2" else 10.0))
    if op == "log1p":
        return s / (1.0 + alo)
    if op == "expm1":
        return term(_safe(math.exp, ahi), s)
    if op == "erf":
        return s * 2.0 / math.sqrt(math.pi)
    if op == "clamp":
        return s if lo < hi else 0.0
    return s  # neg, abs, tanh, softplus, sin, cos, atan, asinh: derivative at most 1 in size
