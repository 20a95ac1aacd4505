"""The backward pass: reverse topological order, then the chain rule.

Read ``backward_reference`` first: the whole algorithm in a few lines. Visit
the nodes so that each comes after every node that consumes it
(``reverse_order``), so its gradient is complete when it is reached; then add
upstream gradient times local derivative into each parent (``chain_rule``).
``backward`` further down is the same algorithm unrolled for speed, and
``tests/test_backward_reference.py`` holds the two equal bit for bit on
random graphs. The other reverse sweeps (``detect_anomaly``'s checked pass,
``functional.vjp_floats``, the steps ``viz.to_html`` shows) run on
``chain_rule`` too, so they visit nodes and add terms exactly as ``backward`` does.

Every walk here is iterative (an explicit stack), so a graph of any depth
works. ``functional.py`` has the differentiable twin.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterator

from .errors import describe_node, where_text
from .modes import anomaly_enabled
from .value import NARY, Value, local_derivatives, parents

__all__ = [
    "backward",
    "backward_reference",
    "chain_rule",
    "gradients",
    "local_derivatives",
    "parents",
    "reverse_order",
    "term",
    "topological_order",
]

# --- the algorithm, to read ---------------------------------------------------------


def backward_reference(root: Value) -> None:
    """What ``backward`` computes, written to be read (``backward`` is this, unrolled).

    Leaves accumulate across passes: a pass sums a leaf's terms from 0.0 and
    adds the total once. Interior nodes hold this pass's gradient.
    """
    grads = gradients(root)  # d(root)/d(node) for every node root depends on
    for node, g in grads.items():
        if node._left is None:
            node.grad += g  # a leaf: this pass's total, added once
        else:
            node.grad = g  # an interior node: this pass's gradient


def gradients(
    root: Value, stop: Container[Value] = (), checked: bool = False
) -> dict[Value, float]:
    """d(root)/d(node) for every node the sweep from ``root`` reaches, in a new dict.

    No ``.grad`` changes. The sweep does not go through nodes in ``stop``.
    ``checked`` (``detect_anomaly``): a gradient that is not finite raises
    ``FloatingPointError`` naming the node, the input and the user's line.
    """
    grads: dict[Value, float] = {}
    for node, parent, local, upstream in chain_rule(root, grads, stop):
        before = grads.get(parent, 0.0)
        grads[parent] = after = before + term(upstream, local)
        if checked and not math.isfinite(after):
            raise FloatingPointError(gradient_message(node, parent, upstream, local, before, after))
    return grads


def chain_rule(
    root: Value, grads: dict[Value, float], stop: Container[Value] = ()
) -> Iterator[tuple[Value, Value, float, float]]:
    """The chain rule's steps in ``backward``'s order: ``(node, parent, local, upstream)``.

    Seeds ``grads[root] = 1.0``, then for each node of ``reverse_order`` (each
    after all its consumers, so ``grads[node]`` is complete) yields one step
    per parent; the caller adds ``term(upstream, local)`` into ``grads[parent]``
    before asking for the next step. Nodes in ``stop`` are reached, not gone through.
    """
    grads[root] = 1.0
    for node in reverse_order(root, stop):
        if node in stop:
            continue
        upstream = grads.get(node, 0.0)
        for parent, local in zip(parents(node), local_derivatives(node)):
            yield node, parent, local, upstream


def term(upstream: float, local: float) -> float:
    """``upstream * local``, the term a parent's gradient gets; 0 where a factor is 0.

    A zero factor wins over an infinite or NaN one (0 * inf is 0 here, not
    NaN): a path that carries no gradient adds nothing. (A sum that starts
    at 0.0 is never -0.0, so adding a zero term leaves it as it is: the same
    bits as ``backward``, which skips a node whose upstream is 0.)
    """
    t = upstream * local
    if t != t and (upstream == 0.0 or local == 0.0):
        return 0.0
    return t


# --- the orders ----------------------------------------------------------------------


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


# --- the same algorithm, unrolled for speed --------------------------------------------


def backward(root: Value) -> None:
    """Seed ``root.grad`` with 1 and accumulate d(root)/d(node) into every node it depends on.

    ``backward_reference`` unrolled: the same nodes in the same order, the
    same terms added in the same order, so the same bits; but the order is
    found while the terms are added (no list of nodes, no dict of grads), and
    grads are summed in place on the nodes.

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
    if anomaly_enabled():
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


def _propagate_nonfinite(node: Value, g: float, leaves: list[Value], saved: list[float]) -> None:
    """Pass a non-finite upstream ``g`` on, with zero local derivatives giving exactly 0."""
    for p, d in zip(parents(node), local_derivatives(node)):
        if p._left is None and not p._consumers:  # a leaf met here first: set it aside
            p._consumers = 1
            leaves.append(p)
            saved.append(p.grad)
            p.grad = 0.0
        p.grad += term(g, d)


# --- under detect_anomaly ------------------------------------------------------------


def _backward_checked(root: Value) -> None:
    """``backward`` under ``detect_anomaly``: every gradient must stay finite.

    ``backward_reference`` with checks: on an anomaly no ``.grad`` has changed.
    """
    grads = gradients(root, checked=True)
    for p, total in grads.items():
        if p._left is None and not math.isfinite(p.grad + total):
            raise FloatingPointError(
                f"detect_anomaly: backward made the gradient of leaf {describe_node(p)} "
                f"{p.grad + total!r}: this pass's {total!r} plus {p.grad!r} accumulated before"
            )
    for node, g in grads.items():
        if node._left is None:
            node.grad += g
        else:
            node.grad = g


def backward_through(node: Value) -> str:
    """The start of a backward anomaly report: the operation, its inputs, its line."""
    ins = ", ".join(describe_node(q) for q in parents(node))
    name = f" of node {node.label!r}" if node.label else ""
    return (
        f"detect_anomaly: backward through operation {node._rule!r}{name} (inputs [{ins}], "
        f"created at {where_text(node)})"
    )


def gradient_message(node: Value, p: Value, g: float, d: float, before: float, total: float) -> str:
    """The report for a gradient of ``p`` that became ``total``, not finite, through ``node``."""
    return (
        f"{backward_through(node)} made the gradient of input "
        f"{describe_node(p)} {total!r} (upstream {g!r} x local {d!r}, plus {before!r})"
    )
