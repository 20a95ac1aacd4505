"""From drawn steps to an expression that stays inside every operation's domain.

Each ``Step`` names an operation and how to pick its operands; the builder
appends it to the expression, first inserting what its operands need (a
shift ``z + c`` away from a pole or kink, a ``tanh`` squash into a domain, a
scaling ``z / 2**k`` that cuts a slope), using the bounds of ``intervals.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from .. import rules
from .expression import Expression
from .intervals import CAP, MARGIN, Node, Ref, interval, magnitude, slope_bound

__all__ = ["CONSTANTS", "SIDED", "TWO_OPERANDS", "Step", "build_expression"]

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


def _nice(x: float) -> float:
    """``x`` rounded up to a multiple of 0.25, so shifts print as short numbers."""
    return math.ceil(x * 4.0) / 4.0


class _Builder:
    """Appends nodes, inserting the shifts and squashes that keep them in their domains."""

    def __init__(self, n_inputs: int, bound: float) -> None:
        r = bound + _SLACK
        self.nodes: list[Node] = [Node("", (), -r, r, 1.0) for _ in range(n_inputs)]

    def add(self, op: str, *args: Ref | float) -> int:
        lo, hi = interval(op, args, self.nodes)
        slope = slope_bound(op, args, self.nodes, lo, hi)
        self.nodes.append(Node(op, args, lo, hi, slope if slope == slope else math.inf))
        return len(self.nodes) - 1

    def tame(self, i: int) -> int:
        """``i`` scaled (``i / 2**k``) and squashed (``tanh``) to a small size and slope."""
        n = self.nodes[i]
        if n.slope > _TAME_SLOPE:
            i = self.add("divc", Ref(i), 2.0 ** math.ceil(math.log2(n.slope / _TAME_SLOPE)))
            n = self.nodes[i]
        return i if magnitude(n.lo, n.hi) <= _TAME_SIZE else self.add("tanh", Ref(i))

    def ok(self, i: int) -> bool:
        n = self.nodes[i]
        return magnitude(n.lo, n.hi) <= CAP and n.slope <= CAP

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
        if magnitude(self.nodes[i].lo, self.nodes[i].hi) <= r:
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


CONSTANTS: dict[str, tuple[float, ...]] = {
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
TWO_OPERANDS = tuple(r.name for r in rules.RULES.values() if r.kind == rules.BINARY_KIND)
SIDED = ("div", "rdivc", "powc", "relu", "abs", "leaky_relu", "hypot", "clamp")  # guarded


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
        n_picks = 2 if op in TWO_OPERANDS else 1
    table = CONSTANTS.get(op, (0.0,))
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
    results no later step uses are then summed, so every step matters. The
    sum is held to ``CAP`` like every other node: where adding a result would
    break it, both terms are tamed first.
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
            mark = len(b.nodes)
            i = b.add("add", Ref(root), Ref(s))
            if not b.ok(i):  # tamed terms are at most _TAME_SIZE, slope _TAME_SLOPE: ok
                del b.nodes[mark:]
                i = b.add("add", Ref(b.tame(root)), Ref(b.tame(s)))
            root = i
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
