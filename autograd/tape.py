"""``Tape``: a recorded graph, replayed as straight-line Python.

A training loop builds the same graph every step, only with new numbers in
its leaves (the parameters). Building it costs one object per operation.
A tape records the graph once and compiles it into one Python function of
plain float statements: the forward pass, then the chain rule in the exact
order ``backward`` uses. Replaying it reads the leaves' current ``data``,
returns the root's new value and adds d(root)/d(leaf) into each leaf's
``grad`` (the pass's terms summed first, then added once), bit for bit what
rebuilding the graph and calling ``backward`` would give.

What is replayed is what was recorded: a Python ``if`` on ``.data`` or a
number computed from values while recording (such as the largest logit
that ``cross_entropy`` subtracts) is frozen into the tape. Record again
when such a choice would change. ``tape.source`` shows the code.

Anything unusual (a non-finite number anywhere, a domain error, an
overflow, ``detect_anomaly`` switched on) makes the replay rebuild the
graph with the engine's own operations, so errors and edge cases are
exactly the engine's: the same exception and message, leaves' ``grad``
untouched on error. (When several operations would fail, the one reported
is the first in depth-first order, which is how Python evaluates an
expression. Code that made its nodes in another order might have hit a
different one first.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import modes
from . import value as _value
from ._tape_ops import BACKWARD, FORWARD, HELPERS
from .backward import reverse_order, topological_order
from .rules import CONST_LEFT, RULES
from .value import Operand, Value, apply

__all__ = ["Tape"]

_CHUNK = 50  # terms per line in long sums: keeps the compiler's recursion shallow


_HELPERS: dict[str, Any] = HELPERS
"""Names the generated code uses, bound as default arguments (fast local lookups)."""


def _num(c: float) -> str:
    """A float as Python source that reads back bit for bit."""
    c = float(c)
    if math.isfinite(c):
        return repr(c)
    if c != c:
        return "_NAN"
    return "_INF" if c > 0 else "(-_INF)"


def _affine_terms(node: Value) -> list[tuple[Value, Operand]]:
    """An affine node's (weight, input) pairs; inputs are Values or folded numbers."""
    parents, partners = node._left, node._dright
    terms: list[tuple[Value, Operand]] = []
    i = 1
    while i < len(parents):
        partner = partners[i]
        if partner.__class__ is float:
            terms.append((parents[i], partner))
            i += 1
        else:
            terms.append((parents[i], parents[i + 1]))
            i += 2
    return terms


class _Writer:
    """Generates the tape's source: names, forward statements, backward statements."""

    def __init__(
        self, leaves: list[Value], nodes: list[Value], back: list[Value], root: Value
    ) -> None:
        self.name: dict[Value, str] = {}
        for i, leaf in enumerate(leaves):
            self.name[leaf] = f"x{i}"
        for j, node in enumerate(nodes):
            self.name[node] = f"v{j}"
        self.leaves = leaves
        self.nodes = nodes  # forward order
        self.back = back  # backward's order
        self.root = root
        self.terms: dict[Value, list[str]] = {}
        self.lines: list[str] = []

    def emit(self, target: Value, expr: str) -> None:
        """Record ``expr`` as the next term of the gradient of ``target``."""
        self.terms.setdefault(target, []).append(expr)

    def sums(self, target: str, names: list[str]) -> None:
        """``target = names[0] + names[1] + ...`` in lines of at most ``_CHUNK`` terms."""
        for k in range(0, len(names), _CHUNK):
            part = " + ".join(names[k : k + _CHUNK])
            self.lines.append(
                f"    {target} = {part}" if k == 0 else f"    {target} = {target} + {part}"
            )

    def forward(self, node: Value, grads: bool) -> None:
        n = self.name
        v = n[node]
        op = node._rule
        out = self.lines.append
        if op == "affine":
            terms = [
                f"{n[w]} * {n[x] if isinstance(x, Value) else _num(x)}"
                for w, x in _affine_terms(node)
            ]
            self.sums(v, [n[node._left[0]], *terms])
            return
        out(f"    {FORWARD[op]}".format(**self._names(node)))

    def _names(self, node: Value) -> dict[str, str]:
        """The placeholders of a template filled in for ``node``."""
        n = self.name
        v = n[node]
        right = node._right
        c = node._dright if right is None else None
        const = (
            "(" + ", ".join(map(_num, c)) + ")"
            if isinstance(c, tuple)
            else _num(c)
            if c is not None
            else ""
        )
        return {
            "v": v,
            "g": "g" + v,
            "x": n[node._left],
            "y": n[right] if right is not None else "",
            "c": const,
            "d0": _num(node._dleft) if node._dleft.__class__ is float else "",
            "d1": _num(node._dright)
            if right is not None and node._dright.__class__ is float
            else "",
        }

    def backward(self, node: Value) -> None:
        n = self.name
        v = n[node]
        g = "g" + v
        op = node._rule
        emit = self.emit
        if op == "affine":
            emit(node._left[0], g)
            for w, x in _affine_terms(node):
                if isinstance(x, Value):
                    emit(w, f"{g} * {n[x]}")
                    emit(x, f"{g} * {n[w]}")
                else:
                    emit(w, f"{g} * {_num(x)}")
            return
        names = self._names(node)
        parents = (node._left,) if node._right is None else (node._left, node._right)
        for parent, term in zip(parents, BACKWARD[op]):
            emit(parent, term.format(**names))

    def source(self, grads: bool) -> str:
        """The whole function: ``step(L)`` with grads, ``value(L)`` without."""
        self.lines = []
        n = self.name
        out = self.lines.append
        out("")  # the header, written last: it names only the helpers the body uses
        k = len(self.leaves)
        out(f"    {', '.join(f'l{i}' for i in range(k))}{',' if k == 1 else ''} = L")
        for i, leaf in enumerate(self.leaves):
            out(f"    x{i} = l{i}.data" + (f"  # {leaf.label!r}" if leaf.label else ""))
        for node in self.nodes:
            self.forward(node, grads)
        # One sum of every number: inf or nan anywhere makes it non-finite.
        self.sums("_t", [f"x{i}" for i in range(k)] + [n[m] for m in self.nodes])
        out("    if _t - _t:")
        out("        return None")
        r = n[self.root]
        if not grads:
            out(f"    return {r}")
            return self._finish(grads)
        # The chain rule, pulled: each node's gradient is one sum of the terms
        # its consumers send it, in the order ``backward`` would add them.
        self.terms = {}
        if self.root._left is None:
            self.terms[self.root] = ["1.0"]
        else:
            out(f"    g{r} = 1.0")
        for node in self.back:
            if node is not self.root:
                self.sums("g" + n[node], self.terms.pop(node))
            self.backward(node)
        # Each leaf's terms are summed on their own, then added to its grad
        # once, as ``backward`` does: a second replay exactly doubles it.
        got = []
        for i, leaf in enumerate(self.leaves):
            if leaf in self.terms:
                self.sums(f"gx{i}", self.terms.pop(leaf))
                got.append(i)
        self.sums("_t", [f"gx{i}" for i in got])
        out("    if _t - _t:")
        out("        return None")
        for i in got:
            out(f"    l{i}.grad += gx{i}")
        out(f"    return {r}")
        return self._finish(grads)

    def _finish(self, grads: bool) -> str:
        body = "\n".join(self.lines[1:]) + "\n"
        used = [h for h in sorted(_HELPERS) if h + "(" in body]
        params = "".join(f", {h}={h}" for h in used)  # defaults: fast local lookups
        return f"def {'step' if grads else 'value'}(L{params}):\n" + body


def _compile(text: str, name: str) -> Callable[[tuple[Value, ...]], float | None]:
    scope: dict[str, Any] = {"_INF": math.inf, "_NAN": math.nan, **_HELPERS}
    exec(compile(text, f"<chainrule tape: {name}>", "exec"), scope)
    fn: Callable[[tuple[Value, ...]], float | None] = scope.pop(name)
    return fn


class Tape:
    """A recorded graph from ``root``, replayed on the leaves' current ``data``.

    ``tape()`` returns the root's new value and adds d(root)/d(leaf) into
    every leaf's ``grad`` (leaves accumulate, as with ``backward``);
    ``tape.forward()`` only returns the value. Interior nodes of the
    recorded graph keep the numbers of the recording. ``leaves`` lists the
    leaves in the order the code names them (``x0, x1, ...``); ``source``
    is the generated Python.
    """

    __slots__ = (
        "__weakref__",
        "_back",
        "_forward",
        "_nodes",
        "_root",
        "_step",
        "leaves",
        "source",
    )

    def __init__(self, root: Value) -> None:
        if not isinstance(root, Value):
            raise TypeError(
                f"Tape: root must be a Value (the output of a graph), got {root!r} "
                f"({type(root).__name__})"
            )
        # Forward runs in depth-first order, parents in order: the order in
        # which Python evaluates an expression, so when several operations
        # would fail, the first one reported is usually the one user code
        # hits first. Backward runs in ``backward``'s own order, so sums
        # are added up in the same order, bit for bit.
        order = topological_order(root)
        leaves = [m for m in order if m._left is None]
        nodes = [m for m in order if m._left is not None]
        back = reverse_order(root)
        step_source = _Writer(leaves, nodes, back, root).source(grads=True)
        self._root = root
        self._nodes = nodes
        self._back = back
        self.leaves: tuple[Value, ...] = tuple(leaves)
        self.source: str = step_source
        self._step = _compile(step_source, "step")
        self._forward: Callable[[tuple[Value, ...]], float | None] | None = None  # on first use

    def __len__(self) -> int:
        """Number of recorded operations."""
        return len(self._nodes)

    def __repr__(self) -> str:
        return f"Tape(ops={len(self._nodes)}, leaves={len(self.leaves)}, root={self._root!r})"

    def __call__(self) -> float:
        """Forward and backward: the root's value; gradients added into the leaves."""
        r = self._fast(self._step)
        if r is not None:
            return r
        with modes.enable_grad():
            root = self._rebuild()
        root.backward()
        return root.data

    def forward(self) -> float:
        """The root's value for the leaves' current data; no gradients."""
        if self._forward is None:
            writer = _Writer(list(self.leaves), self._nodes, self._back, self._root)
            self._forward = _compile(writer.source(grads=False), "value")
        r = self._fast(self._forward)
        if r is not None:
            return r
        with modes.no_grad():
            return self._rebuild().data

    def _fast(self, code: Callable[[tuple[Value, ...]], float | None]) -> float | None:
        """The generated code's result, or None when the engine must redo it."""
        if _value._special and modes.anomaly_enabled():
            return None
        try:
            return code(self.leaves)
        except (ArithmeticError, ValueError):
            return None

    def _rebuild(self) -> Value:
        """The recorded graph made again with the engine's operations, on the same leaves."""
        new: dict[Value, Value] = {leaf: leaf for leaf in self.leaves}
        for node in self._nodes:
            made = _replay_op(node, new)
            label = node.label
            if label:
                made.label = label
            new[node] = made
        return new[self._root]


def _replay_op(node: Value, new: dict[Value, Value]) -> Value:
    """One recorded operation applied by the engine to the new parents."""
    return apply(node._rule, _operands(node, new))  # type: ignore[no-any-return]


def _operands(node: Value, new: dict[Value, Value]) -> list[Any]:
    """A recorded node's operands in ``value.apply``'s order, parents mapped through ``new``."""
    if node._rule == "affine":
        operands: list[Any] = [new[node._left[0]]]
        for w, x in _affine_terms(node):
            operands += [new[w], new[x] if isinstance(x, Value) else x]
        return operands
    a = new[node._left]
    if node._right is not None:
        return [a, new[node._right]]
    c = node._dright  # the folded constant, leaky_relu's slope, clamp's bounds, or None
    if c is None:
        return [a]
    if isinstance(c, tuple):  # clamp's bounds
        return [a, *c]
    return [c, a] if RULES[node._rule].kind == CONST_LEFT else [a, c]
