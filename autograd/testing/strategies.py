"""Hypothesis strategies for property tests of derivatives.

``expressions(n_inputs, max_ops)`` draws random functions built from every
operation of the engine, with intermediate results reused by later
operations (the shared nodes that break a naive backward pass). Each drawn
function is smooth for every input in ``[-bound, bound]`` (default
``[-1, 1]``), so ``gradcheck`` must pass on it:

* every node carries an interval that surely contains its value for any
  input in range (interval arithmetic, widened a little so that
  ``gradcheck``'s ``x ± eps`` stays inside), and a bound on its slope;
* ``log``, ``sqrt``, a non-integer power and the base of ``a ** b`` get an
  argument >= 0.5: when the interval does not promise that, a shift
  ``z + c`` is inserted first;
* divisors, negative integer powers, ``relu``, ``abs`` and ``leaky_relu``
  get an argument at least 0.5 away from 0 (the pole or the kink), shifted
  to one side the same way; so do ``hypot``'s first argument and ``atan2``'s
  ``x`` (kept >= 0.5, clear of the branch cut);
* ``log2``, ``log10`` get an argument >= 0.5, ``log1p`` >= -0.5, ``acosh``
  >= 1.5; ``asin``, ``acos``, ``atanh`` one within ±0.5 and ``tan`` within
  ±1 (squashed by ``tanh`` when needed);
* ``minimum`` and ``maximum`` get a second operand shifted above the first
  (no tie, so no kink), and ``clamp`` bounds clear of its argument (the
  identity, or a constant);
* a result whose size or slope could exceed 100 is rebuilt from tamed
  operands (``z / 2**k`` to cut the slope, ``tanh`` to cut the size), so
  nothing overflows, ``exp`` stays moderate and central differences stay
  accurate.

Drawn functions shrink towards one operation on one input, and print as a
line of Python that rebuilds them, e.g.
``def f(x0, x1): t1 = x0.sin(); return (t1 * x1 + 1.75).log() + t1``.

Needs hypothesis (``pip install 'chainrule[test]'``); it is imported when a
strategy is first made, so importing this module is always safe.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import errors, rules
from ..modes import no_grad
from ..value import Value, apply

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn, SearchStrategy

__all__ = [
    "OPERATIONS",
    "Expression",
    "Step",
    "build_expression",
    "expressions",
    "floats",
    "values",
]

OPERATIONS: tuple[str, ...] = tuple(rules.RULES)
"""Every engine operation ``expressions`` draws from, by its ``Value._rule`` name.

The rule table's order, which puts the operators first: hypothesis shrinks a
failing example towards the front.
"""

MARGIN = 0.5
"""Distance kept from every kink, pole and domain edge."""
CAP = 100.0
"""Largest size of any intermediate result, and of its slope (see ``Node``)."""
_TAME_SIZE = 1.5  # operands of a result that would break CAP are squashed to this size ...
_TAME_SLOPE = 2.0  # ... and scaled down to this slope
_SLACK = 0.01  # inputs may stray this far outside [-bound, bound] (gradcheck's x ± eps)

_ADD_CONSTS = (1.0, 0.5, 2.0, 0.25, 3.0)
_MUL_CONSTS = (2.0, 0.5, -1.0, 3.0, -0.5, 1.5)
_DIV_CONSTS = (2.0, 0.5, -4.0, 3.0)
_RDIV_CONSTS = (1.0, 2.0, -1.0, 0.5)
_EXPONENTS = (2.0, 3.0, 0.5, -1.0, 1.5, -2.0, -0.5)
_BASES = (2.0, 0.5, 3.0, 1.5)
_SLOPES = (0.01, 0.1, 0.2)


def _hypothesis() -> Any:
    try:
        import hypothesis.strategies as st
    except ImportError:
        raise ImportError(
            "autograd.testing.strategies needs hypothesis: pip install 'chainrule[test]'"
        ) from None
    return st


# --- the expression: a list of nodes, each with a safe interval ---------------


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


def _size(lo: float, hi: float) -> float:
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


def _interval(op: str, args: Sequence[Ref | float], nodes: Sequence[Node]) -> tuple[float, float]:
    """A sure enclosure of the node's value given its operands' intervals."""

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
        return 0.0, math.hypot(_size(lo, hi), _size(*ivs[1]))
    fn: Callable[[float], float] = {
        "exp": math.exp,
        "log": math.log,
        "sqrt": math.sqrt,
        "tanh": math.tanh,
        "sigmoid": lambda x: 0.5 * (1.0 + math.tanh(0.5 * x)),
        "softplus": lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),
        **{f: getattr(math, f) for f in _INCREASING},
    }[op]
    return _safe(fn, lo), _safe(fn, hi)  # increasing functions


_INCREASING: tuple[str, ...] = ("tan", "asin", "atan", "sinh", "asinh", "acosh", "atanh")
_INCREASING += ("log2", "log10", "log1p", "expm1", "erf")
"""Functions increasing on the arguments the builder gives them (``tan`` within ±1)."""


def _slope(
    op: str, args: Sequence[Ref | float], nodes: Sequence[Node], lo: float, hi: float
) -> float:
    """A bound on the node's slope from its operands' intervals and slopes."""

    def size(a: Ref | float) -> float:
        return _size(nodes[a.at].lo, nodes[a.at].hi) if isinstance(a, Ref) else abs(a)

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
            total += term(size(e) * _size(*_pow_span(alo, ahi, elo - 1.0, ehi - 1.0)), sl(a))
        if sl(e):  # |a ** e * log(a)|, a > 0
            alo, ahi = (nodes[a.at].lo, nodes[a.at].hi) if isinstance(a, Ref) else (a, a)
            total += term(_size(lo, hi) * max(abs(math.log(alo)), abs(math.log(ahi))), sl(e))
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
    m = _size(alo, ahi)
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


def _nice(x: float) -> float:
    """``x`` rounded up to a multiple of 0.25, so shifts print as short numbers."""
    return math.ceil(x * 4.0) / 4.0


class _Builder:
    """Appends nodes, inserting the shifts and squashes that keep them in their domains."""

    def __init__(self, n_inputs: int, bound: float) -> None:
        r = bound + _SLACK
        self.nodes: list[Node] = [Node("", (), -r, r, 1.0) for _ in range(n_inputs)]

    def add(self, op: str, *args: Ref | float) -> int:
        lo, hi = _interval(op, args, self.nodes)
        slope = _slope(op, args, self.nodes, lo, hi)
        self.nodes.append(Node(op, args, lo, hi, slope if slope == slope else math.inf))
        return len(self.nodes) - 1

    def tame(self, i: int) -> int:
        """``i`` scaled (``i / 2**k``) and squashed (``tanh``) to a small size and slope."""
        n = self.nodes[i]
        if n.slope > _TAME_SLOPE:
            i = self.add("divc", Ref(i), 2.0 ** math.ceil(math.log2(n.slope / _TAME_SLOPE)))
            n = self.nodes[i]
        return i if _size(n.lo, n.hi) <= _TAME_SIZE else self.add("tanh", Ref(i))

    def ok(self, i: int) -> bool:
        n = self.nodes[i]
        return _size(n.lo, n.hi) <= CAP and n.slope <= CAP

    def positive(self, i: int) -> int:
        """``i``, or ``i + c`` with ``c`` making it >= MARGIN everywhere."""
        lo = self.nodes[i].lo
        if lo >= MARGIN:
            return i
        return self.add("addc", Ref(i), _nice(MARGIN - lo))

    def at_least(self, i: int, least: float) -> int:
        """``i``, or ``i + c`` with ``c`` making it >= ``least`` everywhere."""
        lo = self.nodes[i].lo
        return i if lo >= least else self.add("addc", Ref(i), _nice(least - lo))

    def inside(self, i: int, r: float) -> int:
        """``i``, or ``r * tanh(i)``: within ``[-r, r]`` everywhere (``r <= 1``)."""
        if _size(self.nodes[i].lo, self.nodes[i].hi) <= r:
            return i
        t = self.add("tanh", Ref(i))
        return t if r == 1.0 else self.add("mulc", Ref(t), r)

    def away(self, i: int, negative: bool) -> int:
        """``i``, or ``i`` shifted to be at least MARGIN away from 0 on one side."""
        n = self.nodes[i]
        if n.lo >= MARGIN or n.hi <= -MARGIN:
            return i
        if negative:
            return self.add("subc", Ref(i), _nice(n.hi + MARGIN))
        return self.positive(i)


class Step(NamedTuple):
    """One drawn operation, independent of the steps before it.

    Operand choices are counted back from the newest node, modulo the number
    of nodes, so any step stays valid when the shrinker deletes others.
    """

    op: str
    picks: tuple[int, ...]  # operand choices, in order: 0 is the newest node
    const: int  # which entry of the operation's constant table
    negative: bool  # which side of 0 a guarded operand is shifted to
    flip: bool  # constant on the left (``2.0 * x``) for + and *
    width: int  # affine: number of weight and input pairs, 1 to 3
    const_inputs: tuple[bool, ...]  # affine: which inputs are constants


_CONSTS: dict[str, tuple[float, ...]] = {
    "addc": _ADD_CONSTS,
    "subc": _ADD_CONSTS,
    "rsubc": _ADD_CONSTS,
    "mulc": _MUL_CONSTS,
    "divc": _DIV_CONSTS,
    "rdivc": _RDIV_CONSTS,
    "powc": _EXPONENTS,
    "rpowc": _BASES,
    "leaky_relu": _SLOPES,
}
_BINARY = tuple(r.name for r in rules.RULES.values() if r.kind == rules.BINARY_KIND)
_SIDED = ("div", "rdivc", "powc", "relu", "abs", "leaky_relu", "hypot", "clamp")  # guarded


class _Draw(NamedTuple):
    """A step resolved against the nodes so far: operand positions and constants."""

    op: str
    picks: tuple[int, ...]
    const: float
    negative: bool
    flip: bool
    const_inputs: tuple[float | None, ...]


def _resolve(step: Step, n_nodes: int) -> _Draw:
    op = step.op
    const_inputs: tuple[float | None, ...] = ()
    if op == "affine":
        m = len(_MUL_CONSTS)
        const_inputs = tuple(
            _MUL_CONSTS[(step.const + j) % m] if step.const_inputs[j] else None
            for j in range(step.width)
        )
        n_picks = 1 + step.width + sum(c is None for c in const_inputs)
    else:
        n_picks = 2 if op in _BINARY else 1
    table = _CONSTS.get(op, (0.0,))
    return _Draw(
        op=op,
        picks=tuple(
            n_nodes - 1 - step.picks[j % len(step.picks)] % n_nodes for j in range(n_picks)
        ),
        const=table[step.const % len(table)],
        negative=step.negative,
        flip=step.flip,
        const_inputs=const_inputs,
    )


def build_expression(n_inputs: int, steps: Sequence[Step], bound: float = 1.0) -> Expression:
    """The expression made by ``steps`` on ``n_inputs`` inputs in ``[-bound, bound]``.

    Each step appends its operation (after any shift or taming it needs);
    results no later step uses are then summed, so every step matters.
    """
    b = _Builder(n_inputs, bound)
    for step in steps:
        d = _resolve(step, len(b.nodes))
        mark = len(b.nodes)
        i = _build(b, d, squash=False)
        if not b.ok(i):
            del b.nodes[mark:]
            i = _build(b, d, squash=True)
            if not b.ok(i):  # pragma: no cover - the caps are chosen so this cannot happen
                raise AssertionError(f"expressions: {d} exceeds {CAP} after taming")
    used = {a.at for n in b.nodes for a in n.args if isinstance(a, Ref)}
    sinks = [i for i in range(n_inputs, len(b.nodes)) if i not in used]
    if sinks:
        root = sinks[0]
        for s in sinks[1:]:
            root = b.add("add", Ref(root), Ref(s))
    return Expression(n_inputs, b.nodes, bound)


def _build(b: _Builder, d: _Draw, squash: bool) -> int:
    """Append the node for ``d`` (and its guards); return its position."""
    if squash:  # tame each operand once, even when it is picked twice
        tamed = {p: b.tame(p) for p in dict.fromkeys(d.picks)}
        picks = [tamed[p] for p in d.picks]
    else:
        picks = list(d.picks)
    op, c = d.op, d.const
    if op in ("add", "sub", "mul"):
        return b.add(op, Ref(picks[0]), Ref(picks[1]))
    if op == "div":
        return b.add(op, Ref(picks[0]), Ref(b.away(picks[1], d.negative)))
    if op == "pow":
        return b.add(op, Ref(b.positive(picks[0])), Ref(picks[1]))
    a = picks[0]
    if op in ("addc", "mulc"):
        return b.add(op, c, Ref(a)) if d.flip else b.add(op, Ref(a), c)
    if op in ("subc", "divc"):
        return b.add(op, Ref(a), c)
    if op in ("rsubc", "rpowc"):
        return b.add(op, c, Ref(a))
    if op == "rdivc":
        return b.add(op, c, Ref(b.away(a, d.negative)))
    if op == "powc":
        if c != int(c):
            a = b.positive(a)
        elif c < 0.0:
            a = b.away(a, d.negative)
        return b.add(op, Ref(a), c)
    if op in ("log", "sqrt"):
        return b.add(op, Ref(b.positive(a)))
    if op in ("relu", "abs"):
        return b.add(op, Ref(b.away(a, d.negative)))
    if op == "leaky_relu":
        return b.add(op, Ref(b.away(a, d.negative)), c)
    if op in ("tan", "asin", "acos", "atanh"):  # tan within ±1, the others within ±0.5
        return b.add(op, Ref(b.inside(a, 1.0 if op == "tan" else MARGIN)))
    if op in ("log2", "log10"):
        return b.add(op, Ref(b.positive(a)))
    if op == "log1p":
        return b.add(op, Ref(b.at_least(a, MARGIN - 1.0)))
    if op == "acosh":
        return b.add(op, Ref(b.at_least(a, 1.0 + MARGIN)))
    if op == "clamp":  # bounds clear of the argument: the identity, or (negative) a constant
        n = b.nodes[a]
        lo, hi = _nice(n.hi + MARGIN), _nice(n.hi + 1.0 + MARGIN)
        if not d.negative:
            lo, hi = -_nice(-n.lo + MARGIN), hi
        return b.add(op, Ref(a), lo, hi)
    if op in ("minimum", "maximum"):  # the second operand shifted above the first: no tie
        top = b.nodes[a].hi + MARGIN
        return b.add(op, Ref(a), Ref(b.at_least(picks[1], top)))
    if op == "atan2":  # x >= MARGIN: away from the origin and the branch cut
        return b.add(op, Ref(a), Ref(b.positive(picks[1])))
    if op == "hypot":
        return b.add(op, Ref(b.away(a, d.negative)), Ref(picks[1]))
    if op == "affine":
        args: list[Ref | float] = [Ref(a)]
        rest = iter(picks[1:])  # a weight for each input, an input where it is no constant
        for const in d.const_inputs:
            w = next(rest)
            args += [Ref(w), Ref(next(rest)) if const is None else const]
        return b.add(op, *args)
    return b.add(op, Ref(a))  # neg and the unary functions defined everywhere


# --- printing ----------------------------------------------------------------

_ATOM, _POWER, _UNARY, _PRODUCT, _SUM = 9, 7, 6, 5, 4
_PRECEDENCE = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT, "**": _POWER}
_INFIX = {
    r.name: (r.symbol, _PRECEDENCE[r.symbol])
    for r in rules.RULES.values()
    if r.method.startswith("__") and r.kind != rules.UNARY_KIND
}


def _const_text(c: float) -> tuple[str, int]:
    return repr(c), (_UNARY if c < 0.0 else _ATOM)


def _wrap(text: str, prec: int, need: int) -> str:
    return text if prec >= need else f"({text})"


class Expression:
    """A drawn function of ``n_inputs`` scalars; call it with Values or floats.

    With Values it returns a Value (a graph you can ``backward`` through or
    pass to ``grad``); with plain numbers it returns a float. ``repr`` is a
    line of Python defining the same function. ``ops`` lists the engine
    operations it performs, one per node, in order.
    """

    def __init__(self, n_inputs: int, nodes: Sequence[Node], bound: float = 1.0) -> None:
        self.n_inputs = n_inputs
        self.bound = bound
        self.nodes: tuple[Node, ...] = tuple(nodes)
        self.ops: tuple[str, ...] = tuple(n.op for n in self.nodes[n_inputs:])
        self._text = self._render()

    def __repr__(self) -> str:
        return self._text

    def __call__(self, *args: Value | float) -> Any:
        if len(args) != self.n_inputs:
            names = ", ".join(f"x{i}" for i in range(self.n_inputs))
            raise TypeError(
                f"expression takes {self.n_inputs} argument{'s' if self.n_inputs != 1 else ''} "
                f"({names}), got {len(args)}"
            )
        if any(isinstance(a, Value) for a in args):
            return self._evaluate([a if isinstance(a, Value) else Value(a) for a in args])
        leaves: list[Value] = []
        for i, a in enumerate(args):
            if not isinstance(a, numbers.Real):
                raise errors.not_a_number(f"expression argument x{i}", a)
            leaves.append(Value(a))
        with no_grad():
            out = self._evaluate(leaves)
        return out.data

    def _evaluate(self, args: Sequence[Value | float]) -> Any:
        vals: list[Any] = list(args)
        for n in self.nodes[self.n_inputs :]:
            xs = [vals[a.at] if isinstance(a, Ref) else a for a in n.args]
            vals.append(apply(n.op, xs))
        return vals[-1]

    def _render(self) -> str:
        k = self.n_inputs
        uses = [0] * len(self.nodes)
        for n in self.nodes:
            for a in n.args:
                if isinstance(a, Ref):
                    uses[a.at] += 1
        texts: list[tuple[str, int]] = [(f"x{i}", _ATOM) for i in range(k)]
        temps: list[str] = []
        for i, n in enumerate(self.nodes[k:], start=k):
            text = _node_text(n, texts)
            if uses[i] > 1:
                name = f"t{len(temps) + 1}"
                temps.append(f"{name} = {text[0]}")
                text = (name, _ATOM)
            texts.append(text)
        params = ", ".join(f"x{i}" for i in range(k))
        body = "; ".join([*temps, f"return {texts[-1][0]}"])
        return f"def f({params}): {body}"


def _node_text(n: Node, texts: Sequence[tuple[str, int]]) -> tuple[str, int]:
    parts = [texts[a.at] if isinstance(a, Ref) else _const_text(a) for a in n.args]
    if n.op in _INFIX:
        sym, prec = _INFIX[n.op]
        (lt, lp), (rt, rp) = parts
        if prec == _POWER:
            return f"{_wrap(lt, lp, _ATOM)} ** {_wrap(rt, rp, _UNARY)}", prec
        return f"{_wrap(lt, lp, prec)} {sym} {_wrap(rt, rp, prec + 1)}", prec
    if n.op == "neg":
        return f"-{_wrap(parts[0][0], parts[0][1], _ATOM)}", _UNARY
    if n.op in rules.FUNCTIONS:
        return f"{n.op}({parts[0][0]}, {parts[1][0]})", _ATOM
    if n.op == "affine":
        ws = ", ".join(t for t, _ in parts[1::2])
        xs = ", ".join(t for t, _ in parts[2::2])
        return f"affine([{ws}], [{xs}], {parts[0][0]})", _ATOM
    recv = _wrap(parts[0][0], parts[0][1], _ATOM)
    extra = ", ".join(t for t, _ in parts[1:])
    return f"{recv}.{n.op}({extra})", _ATOM


# --- strategies ---------------------------------------------------------------


def floats(min_value: float | None = None, max_value: float | None = None) -> SearchStrategy[float]:
    """Finite floats in ``[min_value, max_value]`` (no NaN, no infinity)."""
    st = _hypothesis()
    return st.floats(  # type: ignore[no-any-return]
        min_value=min_value, max_value=max_value, allow_nan=False, allow_infinity=False
    )


def values(
    min_value: float | None = None, max_value: float | None = None, label: str = ""
) -> SearchStrategy[Value]:
    """Fresh leaf Values holding finite floats in ``[min_value, max_value]``."""
    st = _hypothesis()
    return st.builds(  # type: ignore[no-any-return]
        lambda x: Value(x, label=label), floats(min_value, max_value)
    )


def _check_count(name: str, n: object, least: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expressions: {name} must be an int, got {errors.describe(n)}")
    if n < least:
        raise ValueError(f"expressions: {name} must be >= {least}, got {n}")
    return n


def expressions(
    n_inputs: int = 1, max_ops: int = 8, *, bound: float = 1.0
) -> SearchStrategy[Expression]:
    """Random smooth functions of ``n_inputs`` scalars with 1 to ``max_ops`` operations.

    Every engine operation in ``OPERATIONS`` can appear; operands are drawn
    from the inputs and all earlier results, so nodes are shared. Guards
    (shifts ``z + c`` and ``tanh`` squashes) may add nodes beyond
    ``max_ops``. Results nobody uses are summed into the output, so every
    drawn operation matters. Valid, smooth and of moderate size for every
    input in ``[-bound, bound]``.
    """
    st = _hypothesis()
    n_inputs = _check_count("n_inputs", n_inputs, 1)
    max_ops = _check_count("max_ops", max_ops, 1)
    if isinstance(bound, bool) or not isinstance(bound, (int, float)):
        raise TypeError(f"expressions: bound must be a number, got {errors.describe(bound)}")
    if not (0.0 < bound < 1e6):
        raise ValueError(f"expressions: bound must be > 0 and < 1e6, got {bound!r}")
    bound = float(bound)

    @st.composite  # type: ignore[untyped-decorator]
    def step(draw: DrawFn) -> Step:
        """One step; it draws only what its operation uses, so shrinking has less to do."""
        op: str = draw(st.sampled_from(OPERATIONS))
        width = 1
        const_inputs: tuple[bool, ...] = ()
        if op == "affine":
            width = draw(st.integers(min_value=1, max_value=3))
            const_inputs = tuple(draw(st.booleans()) for _ in range(width))
            n_picks = 1 + width + sum(not c for c in const_inputs)
        else:
            n_picks = 2 if op in _BINARY else 1
        picks = tuple(draw(st.integers(min_value=0, max_value=15)) for _ in range(n_picks))
        const = (
            draw(st.integers(min_value=0, max_value=7)) if op in _CONSTS or any(const_inputs) else 0
        )
        negative = draw(st.booleans()) if op in _SIDED else False
        flip = draw(st.booleans()) if op in ("addc", "mulc") else False
        return Step(op, picks, const, negative, flip, width, const_inputs)

    return st.lists(step(), min_size=1, max_size=max_ops).map(  # type: ignore[no-any-return]
        lambda steps: build_expression(n_inputs, steps, bound)
    )
