"""The backward pass: reverse topological order, then the chain rule.

Every walk here is iterative (an explicit stack), so a graph of any depth
works. ``backward`` multiplies the float local derivatives that forward
stored on each node; ``functional.py`` has the differentiable twin.
"""

from __future__ import annotations

import math
from collections.abc import Container

from . import modes
from . import value as _value
from .value import NARY, Value


def parents(node: Value) -> tuple[Value, ...]:
    """The nodes ``node`` was computed from, in order (empty for a leaf)."""
    a = node._left
    if a is None:
        return ()
    b = node._right
    if b is None:
        return (a,)
    if b is NARY:
        return a  # type: ignore[no-any-return]
    return (a, b)


def local_derivatives(node: Value) -> tuple[float, ...]:
    """d(node)/d(parent) as floats, aligned with ``parents(node)``."""
    a = node._left
    if a is None:
        return ()
    b = node._right
    if b is None:
        return (node._dleft,)
    if b is NARY:
        return node._dleft  # type: ignore[no-any-return]
    return (node._dleft, node._dright)


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


def reverse_order(root: Value, stop: Container[Value] = ()) -> list[Value]:
    """Interior nodes that ``root`` depends on, each before all of its parents.

    This is the order ``backward`` processes nodes in (Kahn's algorithm: a
    node is ready once every node that consumes it is done; ready nodes
    come off a stack, those of one node in the order ``backward`` pushes
    them). Leaves are left out. The walk does not go beyond
    nodes in ``stop``; they are listed but their parents are not.
    """
    if root._left is None:
        return []
    nodes = [root]
    app = nodes.append
    try:
        for node in nodes:  # count each node's consumers inside the graph
            if node in stop:
                continue
            for p in parents(node):
                if p._left is not None:
                    c = p._consumers
                    if not c:
                        app(p)
                    p._consumers = c + 1
        order: list[Value] = []
        stack = [root]
        while stack:
            node = stack.pop()
            order.append(node)
            if node in stop:
                continue
            ps = parents(node)
            if node._right is not NARY:  # two inputs: pushed last, popped first, so in order
                ps = ps[::-1]
            for p in ps:  # an affine node pushes its parents in order (one loop in backward)
                if p._left is not None:
                    c = p._consumers - 1
                    p._consumers = c
                    if not c:
                        stack.append(p)
    except BaseException:
        _reset(nodes)
        raise
    return order


def _reset(nodes: list[Value]) -> None:
    """Zero the consumer counts after an interrupted walk, so the next walk starts clean."""
    for node in nodes:
        node._consumers = 0


def backward(root: Value) -> None:
    """Seed ``root.grad`` with 1 and accumulate d(root)/d(node) into every node it depends on.

    Leaves accumulate across calls (as in PyTorch): each pass sums a leaf's
    incoming terms from 0.0 and adds that total to its ``grad`` once, so a
    second pass exactly doubles it. Interior nodes are reset and hold the
    gradient of this pass. A zero upstream gradient contributes exactly 0,
    even through an infinite local derivative.

    Two sweeps, no recursion and no sorting: the first counts, for each
    interior node, the nodes in this graph that consume it (kept in ``_consumers``,
    which is 0 between passes) and resets its grad; the second starts at
    the root and handles a node once all its consumers are done, which is
    reverse topological order (the same as ``reverse_order``).

    A leaf is set aside the first time it is met (its ``_consumers`` marks it; its
    grad is saved and zeroed), at the latest just before its first term
    arrives, and gets the saved grad back at the end. Leaves of one- and
    two-input nodes are met in the first sweep; leaves of ``affine`` nodes
    in the second, inside the one loop over the parents that also adds
    their terms, so a training graph's many weight edges cost no extra loop.
    """
    if root._left is None:
        root.grad += 1.0
        return
    if _value._special and modes._state.anomaly:
        _backward_checked(root)
        return
    nary = NARY
    nodes = [root]
    app = nodes.append
    leaves: list[Value] = []
    saved: list[float] = []
    leaf = leaves.append
    save = saved.append
    try:
        for node in nodes:
            a = node._left
            b = node._right
            if b is None:
                if a._left is not None:
                    c = a._consumers
                    if not c:
                        a.grad = 0.0
                        app(a)
                    a._consumers = c + 1
                elif not a._consumers:
                    a._consumers = 1
                    leaf(a)
                    save(a.grad)
                    a.grad = 0.0
            elif b is nary:  # leaves are met in the second sweep
                for p in a:
                    if p._left is not None:
                        c = p._consumers
                        if not c:
                            p.grad = 0.0
                            app(p)
                        p._consumers = c + 1
            else:
                if a._left is not None:
                    c = a._consumers
                    if not c:
                        a.grad = 0.0
                        app(a)
                    a._consumers = c + 1
                elif not a._consumers:
                    a._consumers = 1
                    leaf(a)
                    save(a.grad)
                    a.grad = 0.0
                if b._left is not None:
                    c = b._consumers
                    if not c:
                        b.grad = 0.0
                        app(b)
                    b._consumers = c + 1
                elif not b._consumers:
                    b._consumers = 1
                    leaf(b)
                    save(b.grad)
                    b.grad = 0.0
        root.grad = 1.0
        stack = [root]
        pop = stack.pop
        push = stack.append
        while stack:
            node = pop()
            g = node.grad
            if g - g:  # inf or nan upstream: a zero local derivative still gives 0
                _propagate_nonfinite(node, g, leaves, saved)
                g = 0.0
            a = node._left
            b = node._right
            if b is None:
                if g:
                    a.grad += g * node._dleft
                if a._left is not None:
                    c = a._consumers - 1
                    a._consumers = c
                    if not c:
                        push(a)
            elif b is nary:
                if g:  # one loop adds the terms, counts down and pushes
                    for p, d in zip(a, node._dleft):
                        if p._left is not None:
                            p.grad += g * d
                            c = p._consumers - 1
                            p._consumers = c
                            if not c:
                                push(p)
                        else:
                            if not p._consumers:
                                p._consumers = 1
                                leaf(p)
                                save(p.grad)
                                p.grad = 0.0
                            p.grad += g * d
                else:
                    for p in a:
                        if p._left is not None:
                            c = p._consumers - 1
                            p._consumers = c
                            if not c:
                                push(p)
            else:
                if g:
                    a.grad += g * node._dleft
                    b.grad += g * node._dright
                if b._left is not None:
                    c = b._consumers - 1
                    b._consumers = c
                    if not c:
                        push(b)
                if a._left is not None:
                    c = a._consumers - 1
                    a._consumers = c
                    if not c:
                        push(a)
    except BaseException:
        _reset(nodes)
        _restore(leaves, saved)
        raise
    for p, before in zip(leaves, saved):
        p._consumers = 0
        if before:  # adding 0.0 would change nothing: this pass's sum is never -0.0
            p.grad += before


def _restore(leaves: list[Value], saved: list[float]) -> None:
    """Give the leaves back the grads they had before an interrupted pass."""
    for p, before in zip(leaves, saved):
        p.grad = before
        p._consumers = 0


def _times(g: float, d: float) -> float:
    """g * d where a zero factor wins over an infinite one."""
    if g == 0.0 or d == 0.0:
        return 0.0
    return g * d


def _propagate_nonfinite(node: Value, g: float, leaves: list[Value], saved: list[float]) -> None:
    """Pass a non-finite upstream ``g`` on, with zero local derivatives giving exactly 0."""
    for p, d in zip(parents(node), local_derivatives(node)):
        if p._left is None and not p._consumers:  # a leaf met here first: set it aside
            p._consumers = 1
            leaves.append(p)
            saved.append(p.grad)
            p.grad = 0.0
        p.grad += _times(g, d)


def _backward_checked(root: Value) -> None:
    """``backward`` under ``detect_anomaly``: every gradient must stay finite.

    Leaves sum this pass's terms from 0.0 and add the total once, as in
    ``backward``; on an anomaly they keep the grads they had before the pass.
    """
    order = reverse_order(root)
    for node in order:
        node.grad = 0.0
    pending: dict[Value, float] = {}  # leaf -> this pass's sum
    root.grad = 1.0
    for node in order:
        g = node.grad
        if g == 0.0:
            continue
        for p, d in zip(parents(node), local_derivatives(node)):
            term = _times(g, d)
            if p._left is None:
                before = pending.get(p, 0.0)
                total = pending[p] = before + term
            else:
                before = p.grad
                total = p.grad = before + term
            if not math.isfinite(total):
                raise FloatingPointError(_gradient_message(node, p, g, d, before, total))
    for p, total in pending.items():
        before = p.grad
        after = before + total
        if not math.isfinite(after):
            raise FloatingPointError(
                f"detect_anomaly: backward made the gradient of leaf {modes.describe_node(p)} "
                f"{after!r}: this pass's {total!r} plus {before!r} accumulated before"
            )
    for p, total in pending.items():
        p.grad += total


def _backward_through(node: Value) -> str:
    """The start of a backward anomaly report: the operation, its inputs, its line."""
    ins = ", ".join(modes.describe_node(q) for q in parents(node))
    name = f" of node {node.label!r}" if node.label else ""
    return (
        f"detect_anomaly: backward through operation {node._rule!r}{name} (inputs [{ins}], "
        f"created at {modes.where_text(node)})"
    )


def _gradient_message(
    node: Value, p: Value, g: float, d: float, before: float, total: float
) -> str:
    """The report for a gradient of ``p`` that became ``total``, not finite, through ``node``."""
    return (
        f"{_backward_through(node)} made the gradient of input "
        f"{modes.describe_node(p)} {total!r} (upstream {g!r} x local {d!r}, plus {before!r})"
    )
