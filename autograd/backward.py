"""The backward pass: reverse topological order, then the chain rule.

Every walk here is iterative (an explicit stack), so a graph of any depth
works. ``backward`` multiplies the float local derivatives that forward
stored on each node; ``functional.py`` has the differentiable twin.
"""

from __future__ import annotations

import math
from operator import attrgetter
from typing import cast

from . import modes
from .value import NARY, Value

_stamp = attrgetter("_n")


def parents(node: Value) -> tuple[Value, ...]:
    """The nodes ``node`` was computed from, in order (empty for a leaf)."""
    a = node._a
    if a is None:
        return ()
    b = node._b
    if b is None:
        return (a,)
    if b is NARY:
        return a  # type: ignore[no-any-return]
    return (a, b)


def local_derivatives(node: Value) -> tuple[float, ...]:
    """d(node)/d(parent) as floats, aligned with ``parents(node)``."""
    a = node._a
    if a is None:
        return ()
    b = node._b
    if b is None:
        return (node._da,)
    if b is NARY:
        return node._da  # type: ignore[no-any-return]
    return (node._da, node._db)


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, leaves included, each after its parents.

    Deterministic: parents are visited in order, so the same graph always
    gives the same list (the pictures rely on it).
    """
    order: list[Value] = []
    done: set[Value] = set()
    entered: set[Value] = set()
    stack = [root]
    while stack:
        node = stack[-1]
        if node in entered:
            stack.pop()
            if node not in done:
                done.add(node)
                order.append(node)
            continue
        entered.add(node)
        for p in reversed(parents(node)):
            if p not in entered:
                stack.append(p)
    return order


def _interior_order(root: Value) -> list[Value | None]:
    """Non-leaf nodes reachable from ``root``, newest first (None in holes); resets their grads.

    The hot half of ``backward``. A node is always made after its parents, so
    sorting by creation stamp (``_n``) gives a reverse topological order with
    one cheap sweep instead of a two-visit depth-first search. Leaves are
    skipped: they only receive.
    """
    root.grad = 0.0
    nodes: list[Value] = [root]
    seen = {root}
    add = seen.add
    app = nodes.append
    nary = NARY
    for node in nodes:
        a = node._a
        b = node._b
        if b is None:
            if a._a is not None and a not in seen:
                a.grad = 0.0
                add(a)
                app(a)
        elif b is nary:
            for p in a:
                if p._a is not None and p not in seen:
                    p.grad = 0.0
                    add(p)
                    app(p)
        else:
            if a._a is not None and a not in seen:
                a.grad = 0.0
                add(a)
                app(a)
            if b._a is not None and b not in seen:
                b.grad = 0.0
                add(b)
                app(b)
    # Place each node by its stamp instead of sorting: a graph built in one go
    # has dense stamps, so this is one cheap pass. A graph that reaches back to
    # much older nodes falls back to the sort. Holes in ``slots`` are None.
    hi = root._n
    span = hi - min(map(_stamp, nodes)) + 1
    if span > 4 * len(nodes):
        nodes.sort(key=_stamp, reverse=True)
        return cast("list[Value | None]", nodes)
    slots: list[Value | None] = [None] * span
    for node in nodes:
        slots[hi - node._n] = node
    return slots


def backward(root: Value) -> None:
    """Seed ``root.grad`` with 1 and accumulate d(root)/d(node) into every node it depends on.

    Leaves accumulate across calls (as in PyTorch); interior nodes are reset
    and hold the gradient of this pass. A zero upstream gradient contributes
    exactly 0, even through an infinite local derivative.
    """
    if root._a is None:
        root.grad += 1.0
        return
    order = _interior_order(root)
    if modes._anomaly_depth:
        _backward_checked(order, root)
        return
    root.grad = 1.0
    nary = NARY
    for node in order:
        if node is None:
            continue
        g = node.grad
        if g == 0.0:
            continue
        if g - g:
            _propagate_nonfinite(node, g)
            continue
        a = node._a
        b = node._b
        if b is None:
            a.grad += g * node._da
        elif b is nary:
            for p, d in zip(a, node._da):
                p.grad += g * d
        else:
            a.grad += g * node._da
            b.grad += g * node._db


def _times(g: float, d: float) -> float:
    """g * d where a zero factor wins over an infinite one."""
    if g == 0.0 or d == 0.0:
        return 0.0
    return g * d


def _propagate_nonfinite(node: Value, g: float) -> None:
    for p, d in zip(parents(node), local_derivatives(node)):
        p.grad += _times(g, d)


def _backward_checked(order: list[Value | None], root: Value) -> None:
    """``backward`` under ``detect_anomaly``: every gradient must stay finite."""
    root.grad = 1.0
    for node in order:
        if node is None:
            continue
        g = node.grad
        if g == 0.0:
            continue
        for p, d in zip(parents(node), local_derivatives(node)):
            before = p.grad
            p.grad = before + _times(g, d)
            if not math.isfinite(p.grad):
                raise FloatingPointError(_gradient_message(node, p, g, d, before))


def _gradient_message(node: Value, p: Value, g: float, d: float, before: float) -> str:
    ins = ", ".join(modes.describe_node(q) for q in parents(node))
    name = f" of node {node.label!r}" if node.label else ""
    return (
        f"detect_anomaly: backward through operation {node._op!r}{name} (inputs [{ins}], "
        f"created at {modes.where_text(node)}) made the gradient of input "
        f"{modes.describe_node(p)} {p.grad!r} (upstream {g!r} x local {d!r}, plus {before!r})"
    )
