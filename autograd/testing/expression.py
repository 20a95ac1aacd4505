"""``Expression``: a drawn function, its evaluation and its printing as a line of Python."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from .. import errors, rules
from ..modes import no_grad
from ..value import Value, apply
from .intervals import Node, Ref

__all__ = ["Expression"]

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
