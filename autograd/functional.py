"""Derivatives of any order: ``grad``, ``value_and_grad`` and ``hessian``.

(``jacobians.py`` builds ``jacobian``, ``jvp``, ``vjp`` and ``hvp`` on the
same machinery.)

The differentiable twin of ``backward.py``: instead of multiplying stored
floats, it rebuilds each local derivative from the rule table in Value
operations (``rules.RULES[op].derivative``), so a gradient is itself a graph
and can be differentiated again.

Each call wraps its arguments in fresh nodes and differentiates only with
respect to those, so nested calls never mix up their variables (the
"perturbation confusion" of naive nesting). ``.grad`` of user Values is never
read or written.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Sequence
from typing import Any

from . import errors, modes
from . import value as _v
from .backward import (
    backward_through,
    gradient_message,
    gradients,
    parents,
    reverse_order,
)
from .modes import enable_grad
from .rules import RULES
from .value import Value


class _Depth(threading.local):
    """How many grad calls this thread is inside: above zero, results stay Values."""

    def __init__(self) -> None:
        self.n = 0


_depth = _Depth()

Argnums = int | tuple[int, ...]


def _scale(g: Any, d: Any) -> Any:
    """``g * d`` where an exact zero wins over an infinite factor (no 0 * inf = nan)."""
    gd = g.data if isinstance(g, Value) else g
    dd = d.data if isinstance(d, Value) else d
    if (gd == 0.0 and dd - dd != 0.0) or (dd == 0.0 and gd - gd != 0.0):
        return 0.0
    if gd.__class__ is float and gd == 1.0 and not isinstance(g, Value):
        return d
    return g * d


def _subgraph(root: Value, targets: Sequence[Value]) -> tuple[list[Value], set[Value]]:
    """Interior nodes between the targets and ``root``, parents first, and the target set.

    The walk does not go beyond a target: what made the target is outside
    this derivative.
    """
    tset = set(targets)
    nodes = reverse_order(root, stop=tset)
    nodes.reverse()
    return nodes, tset


def _vjp_values(root: Value, targets: Sequence[Value]) -> list[Any]:
    """d(root)/d(target) for each target, as Values (or 0.0 where independent)."""
    nodes, tset = _subgraph(root, targets)
    depends: set[Value] = set(tset)
    for node in nodes:
        if node not in depends and any(p in depends for p in parents(node)):
            depends.add(node)
    grads: dict[Value, Any] = {}
    if root in depends:
        grads[root] = 1.0
    lenient = errors.LENIENT
    lenient.depth += 1
    try:
        if modes.anomaly_enabled():
            _accumulate_checked(nodes, tset, depends, grads)
        else:
            _accumulate(nodes, tset, depends, grads)
    finally:
        lenient.depth -= 1
    return [grads.get(t, 0.0) for t in targets]


def vjp_floats(root: Value, targets: Sequence[Value]) -> list[float]:
    """``vjp`` as plain floats, from the local derivatives stored in forward.

    ``backward``'s sweep (``backward.gradients``) into a private dict, so no
    ``.grad`` changes, stopping at the targets; used when nothing will
    differentiate the result again. Under ``detect_anomaly`` a gradient that
    is not finite raises, as in ``backward``.
    """
    grads = gradients(root, stop=set(targets), checked=modes.anomaly_enabled())
    return [float(grads.get(t, 0.0)) for t in targets]


def _accumulate(
    nodes: list[Value], tset: set[Value], depends: set[Value], grads: dict[Value, Any]
) -> None:
    """The reverse sweep of ``vjp``, in Value operations."""
    with enable_grad():
        for node in reversed(nodes):
            if node in tset or node not in grads:
                continue
            g = grads.pop(node)
            ps = parents(node)
            ds = RULES[node._rule].derivative(node)
            for p, d in zip(ps, ds):
                if p in depends:
                    c = _scale(g, d)
                    old = grads.get(p)
                    grads[p] = c if old is None else old + c


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _accumulate_checked(
    nodes: list[Value], tset: set[Value], depends: set[Value], grads: dict[Value, Any]
) -> None:
    """``_accumulate`` under ``detect_anomaly``: every gradient must stay finite.

    Each derivative is built under ``modes.built_for(node)``, so its own nodes
    remember the user's line that made ``node``; a non-finite number made
    while building it is reported as a backward anomaly of ``node``.
    """
    with enable_grad():
        for node in reversed(nodes):
            if node in tset or node not in grads:
                continue
            g = grads.pop(node)
            ps = parents(node)
            made = []
            try:
                with modes.built_for(node):
                    ds = RULES[node._rule].derivative(node)
                    for p, d in zip(ps, ds):
                        if p in depends:
                            c = _scale(g, d)
                            old = grads.get(p)
                            grads[p] = new = c if old is None else old + c
                            made.append((p, d, old, new))
            except FloatingPointError as e:  # a step of the derivative itself was not finite
                inner = str(e).removeprefix("detect_anomaly: ")
                raise FloatingPointError(
                    f"{backward_through(node)} failed building its derivative: {inner}"
                ) from None
            for p, d, old, new in made:
                total = _data(new)
                if not math.isfinite(total):
                    before = 0.0 if old is None else _data(old)
                    raise FloatingPointError(
                        gradient_message(node, p, _data(g), _data(d), before, total)
                    )


def _normalize_argnums(argnums: Argnums, nargs: int) -> tuple[tuple[int, ...], bool]:
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    raw: Any = (argnums,) if single else argnums
    if not isinstance(raw, tuple) or not raw:
        raise TypeError(f"grad: argnums must be an int or a tuple of ints, got {argnums!r}")
    nums: list[int] = []
    for i in raw:
        if not isinstance(i, int) or isinstance(i, bool):
            raise TypeError(f"grad: argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -nargs <= i < nargs:
            raise ValueError(
                f"grad: argnums {argnums!r} is out of range for a call with {nargs} "
                f"positional argument{'s' if nargs != 1 else ''}"
            )
        nums.append(i % nargs)
    return tuple(nums), single


def _wrap(arg: Any, i: int) -> Value:
    """A fresh node standing for argument ``i``: a new leaf, or ``arg - 0.0`` for a Value.

    ``x - 0.0`` is ``x`` exactly, also for ``-0.0`` (``-0.0 + 0.0`` would be ``+0.0``).
    """
    if isinstance(arg, Value):
        with enable_grad():
            return arg - 0.0
    return Value(_v._as_float(arg, f"grad: argument {i}"))


def _call(
    f: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    nums: tuple[int, ...],
    floats: bool = False,
) -> tuple[Any, list[Value], list[Any]]:
    """Run ``f`` on wrapped arguments; return (output, wrapped targets, gradients).

    One target per distinct argument; the gradients follow ``nums``, so an
    argument listed twice gets its gradient twice. ``kwargs`` reach ``f``
    as given and are not differentiated. ``floats``: the gradients will not
    be differentiated again, so the fast float sweep is enough.
    """
    call = [
        Value(a) if isinstance(a, (int, float)) and not isinstance(a, bool) else a for a in args
    ]  # numbers not differentiated become constants, so f can use Value methods on them
    distinct = list(dict.fromkeys(nums))
    targets = []
    for i in distinct:
        t = _wrap(args[i], i)
        call[i] = t
        targets.append(t)
    depth = _depth
    depth.n += 1
    try:
        with enable_grad():
            out = f(*call, **kwargs)
            if isinstance(out, Value):
                grads = vjp_floats(out, targets) if floats else _vjp_values(out, targets)
            elif isinstance(out, (int, float)) and not isinstance(out, bool):
                grads = [0.0] * len(targets)
            else:
                raise TypeError(
                    f"grad: the function must return a scalar Value or a number, "
                    f"got {errors.describe(out)}"
                )
    finally:
        depth.n -= 1
    by_arg = dict(zip(distinct, grads))
    return out, targets, [by_arg[i] for i in nums]


def _as_floats(args: tuple[Any, ...]) -> bool:
    """Return floats when called with plain numbers outside any other grad call in this thread."""
    return _depth.n == 0 and not any(isinstance(a, Value) for a in args)


def _finish(x: Any, floats: bool) -> Any:
    if floats:
        return x.data if isinstance(x, Value) else float(x)
    return x if isinstance(x, Value) else Value(x)


def value_and_grad(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., tuple[Any, Any]]:
    """A function returning ``(f(*args), df/d args[argnums])``.

    With plain numbers it returns floats; with Values (or inside another
    ``grad``) it returns Values, so the result can be differentiated again.
    Keyword arguments pass through to ``f`` and are not differentiated.
    ``has_aux=True``: ``f`` returns ``(value, aux)``; the call returns
    ``((value, aux), grads)`` and ``aux`` is not differentiated, as in JAX.
    """
    if has_aux:
        return _value_and_grad_aux(f, argnums)

    @functools.wraps(f)
    def value_and_gradf(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        nums, single = _normalize_argnums(argnums, len(args))
        floats = _as_floats(args)
        out, _, grads = _call(f, args, kwargs, nums, floats)
        gs = [_finish(g, floats) for g in grads]
        return _finish(out, floats), (gs[0] if single else tuple(gs))

    return value_and_gradf


def grad(f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False) -> Callable[..., Any]:
    """The derivative of ``f`` with respect to ``args[argnums]``; nests to any order.

    ``grad(grad(f))`` is the second derivative. A tuple ``argnums`` gives a
    tuple of partial derivatives, one per entry (an argument listed twice
    gets its gradient twice, as in JAX). Keyword arguments pass through to
    ``f`` and are not differentiated. ``has_aux=True``: ``f`` returns
    ``(value, aux)`` and the call returns ``(grads, aux)``, as in JAX.
    """
    vg = value_and_grad(f, argnums, has_aux)

    @functools.wraps(f)
    def gradf(*args: Any, **kwargs: Any) -> Any:
        result = vg(*args, **kwargs)
        if has_aux:
            return result[1], result[0][1]
        return result[1]

    return gradf


def hessian(f: Callable[..., Any]) -> Callable[..., list[list[float]]]:
    """The matrix of second derivatives of ``f`` at its (scalar) positional arguments, as floats.

    Keyword arguments pass through to ``f`` and are not differentiated.
    """

    @functools.wraps(f)
    def hessianf(*args: Any, **kwargs: Any) -> list[list[float]]:
        n = len(args)
        if n == 0:
            raise ValueError("hessian: the function needs at least one argument")
        nums = tuple(range(n))
        _, targets, grads = _call(f, args, kwargs, nums)
        rows = []
        depth = _depth
        depth.n += 1
        try:
            for g in grads:
                if isinstance(g, Value):
                    row = _vjp_values(g, targets)
                else:
                    row = [0.0] * n
                rows.append([r.data if isinstance(r, Value) else float(r) for r in row])
        finally:
            depth.n -= 1
        return rows

    return hessianf


def _is_scalar_out(x: Any) -> bool:
    return isinstance(x, Value) or (isinstance(x, (int, float)) and not isinstance(x, bool))


# --- has_aux: f returns (value, aux) ------------------------------------------


def _plain(x: Any) -> Any:
    """``aux`` for a top-level call: Values (also inside lists, tuples, dicts) become floats."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, list):
        return [_plain(i) for i in x]
    if isinstance(x, tuple):
        items = [_plain(i) for i in x]
        return x._make(items) if hasattr(x, "_make") else tuple(items)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _split_aux(res: Any) -> tuple[Any, Any]:
    """``(value, aux)`` from what ``f`` returned under ``has_aux=True``."""
    where = "grad(has_aux=True): the function must return a pair (value, aux)"
    if isinstance(res, (list, tuple)):
        if len(res) != 2:
            raise ValueError(f"{where}, got a {type(res).__name__} of {len(res)} items")
        value, aux = res
    elif _is_scalar_out(res):
        raise ValueError(
            f"{where}, got the single value {errors.describe(res)}; return (value, aux), "
            "or leave has_aux off"
        )
    else:
        raise TypeError(f"{where}, got {errors.describe(res)}")
    if isinstance(value, (list, tuple)):
        raise ValueError(
            f"grad(has_aux=True): the value (first of the pair) must be a scalar, "
            f"got a {type(value).__name__} of {len(value)} items"
        )
    if not _is_scalar_out(value):
        raise TypeError(
            "grad(has_aux=True): the value (first of the pair) must be a scalar Value or "
            f"a number, got {errors.describe(value)}"
        )
    return value, aux


def _value_and_grad_aux(f: Callable[..., Any], argnums: Argnums) -> Callable[..., tuple[Any, Any]]:
    """``value_and_grad(f, argnums, has_aux=True)``: ``((value, aux), grads)``."""

    @functools.wraps(f)
    def value_and_gradf(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        nums, single = _normalize_argnums(argnums, len(args))
        floats = _as_floats(args)
        auxes: list[Any] = []

        def value_only(*a: Any, **kw: Any) -> Any:
            value, aux = _split_aux(f(*a, **kw))
            auxes.append(aux)
            return value

        out, _, grads = _call(value_only, args, kwargs, nums, floats)
        gs = [_finish(g, floats) for g in grads]
        aux = _plain(auxes[0]) if floats else auxes[0]
        return (_finish(out, floats), aux), (gs[0] if single else tuple(gs))

    return value_and_gradf


__all__ = ["grad", "hessian", "value_and_grad"]
