"""Derivatives of any order: ``grad``, ``value_and_grad``, ``hessian``, ``jacobian``,
``jvp``, ``vjp`` and ``hvp``.

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

import contextlib
import functools
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from . import errors, modes
from . import value as _v
from .backward import (
    backward_through,
    gradient_message,
    gradients,
    local_derivatives,
    parents,
    reverse_order,
    term,
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


# --- JAX's functional transformations: has_aux, jacobian, jvp, vjp, hvp ---------
#
# Shape rules shared by all of them: a list or tuple where a scalar belongs, a
# scalar where a list or tuple belongs, or two sequences of different lengths
# raise ValueError; an object that is no number at all raises TypeError.


@contextlib.contextmanager
def _inside() -> Iterator[None]:
    """Record, and count as one more functional call in this thread (results stay Values)."""
    depth = _depth
    depth.n += 1
    try:
        with enable_grad():
            yield
    finally:
        depth.n -= 1


def _is_scalar_out(x: Any) -> bool:
    return isinstance(x, Value) or (isinstance(x, (int, float)) and not isinstance(x, bool))


def _check_scalar(where: str, x: Any) -> Any:
    """``x`` as a Value or a float; a list or tuple is a shape error."""
    if isinstance(x, Value):
        return x
    if isinstance(x, (list, tuple)):
        raise ValueError(
            f"{where} must be a scalar (a number or a Value), "
            f"got a {type(x).__name__} of {len(x)} item{'s' if len(x) != 1 else ''}"
        )
    return _v._as_float(x, where)


def _scalars(name: str, what: str, xs: Any) -> list[Any]:
    """A list or tuple of scalars (``what``, e.g. 'primals'), checked one by one."""
    if not isinstance(xs, (list, tuple)):
        if _is_scalar_out(xs):
            raise ValueError(
                f"{name}: {what} must be a list or tuple of scalars, got the single "
                f"scalar {errors.describe(xs)}; wrap it as ({errors.short(xs)},)"
            )
        raise TypeError(f"{name}: {what} must be a list or tuple, got {errors.describe(xs)}")
    return [_check_scalar(f"{name}: {what}[{i}]", x) for i, x in enumerate(xs)]


def _outputs(name: str, out: Any) -> tuple[list[Any], type | None]:
    """What ``f`` returned as a list of scalars, and its kind (list, tuple, or None: a scalar)."""
    if _is_scalar_out(out):
        return [out], None
    if isinstance(out, (list, tuple)):
        for i, o in enumerate(out):
            if isinstance(o, (list, tuple)):
                raise ValueError(
                    f"{name}: output {i} of the function is a {type(o).__name__}; "
                    "each output must be a scalar Value or a number"
                )
            if not _is_scalar_out(o):
                raise TypeError(
                    f"{name}: output {i} of the function must be a scalar Value or a number, "
                    f"got {errors.describe(o)}"
                )
        return list(out), list if isinstance(out, list) else tuple
    raise TypeError(
        f"{name}: the function must return a scalar Value, a number, or a list or tuple "
        f"of them, got {errors.describe(out)}"
    )


def _shaped(items: list[Any], kind: type | None) -> Any:
    """``items`` back in the shape ``f`` returned: a scalar, a list or a tuple."""
    if kind is None:
        return items[0]
    return list(items) if kind is list else tuple(items)


def _argnums_for(name: str, argnums: Argnums, nargs: int) -> tuple[tuple[int, ...], bool]:
    """``_normalize_argnums`` with errors naming ``name`` instead of ``grad``."""
    try:
        return _normalize_argnums(argnums, nargs)
    except (TypeError, ValueError) as e:
        raise type(e)(str(e).replace("grad:", f"{name}:", 1)) from None


def _trace(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], nums: Sequence[int]
) -> tuple[Any, list[Value], list[int]]:
    """Run ``f`` with fresh nodes for ``args[nums]``: (output, targets, their positions).

    Called inside ``_inside()``. As in ``_call``: numbers not differentiated
    become constants, one target per distinct position, ``kwargs`` as given.
    """
    call = [
        Value(a) if isinstance(a, (int, float)) and not isinstance(a, bool) else a for a in args
    ]
    distinct = list(dict.fromkeys(nums))
    targets = []
    for i in distinct:
        t = _wrap(args[i], i)
        call[i] = t
        targets.append(t)
    return f(*call, **kwargs), targets, distinct


def _contract(xs: Sequence[Any], cs: Sequence[Any]) -> Any:
    """``sum(c * x)`` over the Values ``x`` (numbers are constants), as a Value or 0.0.

    A plain-number weight of 0 drops its term (it would only add zeros, or
    a nan through an infinite ``x``); a weight of 1 adds ``x`` itself.
    """
    total: Any = 0.0
    lenient = errors.LENIENT
    lenient.depth += 1  # an overflowing product becomes inf, as in the sweeps
    try:
        for x, c in zip(xs, cs):
            if not isinstance(x, Value):
                continue
            if not isinstance(c, Value):
                if c == 0.0:
                    continue
                term = x if c == 1.0 else x * c
            else:
                term = x * c
            total = term if isinstance(total, float) else total + term
    finally:
        lenient.depth -= 1
    return total


def _pullback(outs: list[Any], cts: list[Any], targets: list[Value], floats: bool) -> list[Any]:
    """``sum_i cts[i] * d outs[i] / d target`` for each target, in one reverse sweep."""
    with _inside():
        root = _contract(outs, cts)
        if not isinstance(root, Value):
            return [0.0] * len(targets)
        return vjp_floats(root, targets) if floats else _vjp_values(root, targets)


def _push_floats(outs: list[Any], targets: list[Value], tangents: list[float]) -> list[float]:
    """Forward mode over the stored float local derivatives: d outs[i] along ``tangents``.

    One sweep, parents first, over what the outputs depend on; the walk
    stops at the targets and at nodes an earlier output already reached.
    """
    tan: dict[Value, float] = dict(zip(targets, tangents))
    result = []
    for o in outs:
        if not isinstance(o, Value):
            result.append(0.0)
            continue
        if o not in tan:
            for node in reversed(reverse_order(o, stop=tan)):
                if node in tan:
                    continue
                total = 0.0
                for p, d in zip(parents(node), local_derivatives(node)):
                    t = tan.get(p)
                    if t:
                        total += term(d, t)
                tan[node] = total
        result.append(tan.get(o, 0.0))
    return result


def _push_values(outs: list[Any], targets: list[Value], tangents: list[Any]) -> list[Any]:
    """d outs[i] along ``tangents`` as Values, by reverse over reverse.

    With a weight ``u_i`` per output, ``g = J^T u`` is a graph linear in
    ``u``; ``d/du (g . tangents)`` is ``J tangents``, still differentiable.
    """
    with _inside():
        us = [Value(1.0) for o in outs if isinstance(o, Value)]
        if not us:
            return [0.0] * len(outs)
        weights = iter(us)
        root = _contract(outs, [next(weights) if isinstance(o, Value) else 0.0 for o in outs])
        gs = _vjp_values(root, targets) if isinstance(root, Value) else []
        h = _contract(gs, tangents)
        back = _vjp_values(h, us) if isinstance(h, Value) else [0.0] * len(us)
        found = iter(back)
        return [next(found) if isinstance(o, Value) else 0.0 for o in outs]


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


def jacobian(f: Callable[..., Any], argnums: Argnums | None = None) -> Callable[..., Any]:
    """The Jacobian of ``f``, which returns a list or tuple of scalars, as a list of rows.

    Row ``i`` holds the derivatives of output ``i``: a list with one entry
    per positional argument (by default) or per entry of a tuple
    ``argnums``, or one number for an int ``argnums`` (as ``grad`` gives).
    A scalar ``f`` gives that one row, its gradient. Floats with plain
    numbers, Values inside another ``grad``. One reverse sweep per output.
    Keyword arguments pass through to ``f`` and are not differentiated.
    """

    @functools.wraps(f)
    def jacobianf(*args: Any, **kwargs: Any) -> Any:
        if argnums is None:
            nums, single = tuple(range(len(args))), False
        else:
            nums, single = _argnums_for("jacobian", argnums, len(args))
        for i in dict.fromkeys(nums):
            _check_scalar(f"jacobian: argument {i}", args[i])
        floats = _as_floats(args)
        with _inside():
            out, targets, distinct = _trace(f, args, kwargs, nums)
            outs, kind = _outputs("jacobian", out)
            rows = []
            for o in outs:
                if isinstance(o, Value):
                    gs = vjp_floats(o, targets) if floats else _vjp_values(o, targets)
                else:
                    gs = [0.0] * len(targets)
                by_arg = dict(zip(distinct, gs))
                row = [_finish(by_arg[i], floats) for i in nums]
                rows.append(row[0] if single else row)
        return rows if kind is not None else rows[0]

    return jacobianf


def jvp(
    f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any], **kwargs: Any
) -> tuple[Any, Any]:
    """``(f(*primals), J @ tangents)``: the value and the directional derivative along ``tangents``.

    ``primals`` and ``tangents`` are lists or tuples of scalars of the same
    length. ``f`` returns a scalar or a list or tuple of them; both results
    have that shape. With plain numbers, forward mode over the stored float
    derivatives gives floats; with Values (or inside another ``grad``), reverse
    over reverse gives Values that can be differentiated again. Keyword
    arguments pass through to ``f`` and are not differentiated.
    """
    ps = _scalars("jvp", "primals", primals)
    ts = _scalars("jvp", "tangents", tangents)
    if len(ps) != len(ts):
        raise ValueError(f"jvp: {len(ps)} primals but {len(ts)} tangents; give one tangent each")
    floats = _as_floats((*ps, *ts))
    with _inside():
        out, targets, _ = _trace(f, ps, kwargs, range(len(ps)))
        outs, kind = _outputs("jvp", out)
        if floats and not modes.anomaly_enabled():
            tans: list[Any] = _push_floats(outs, targets, ts)
        else:  # under detect_anomaly the Value sweep checks every step
            tans = _push_values(outs, targets, ts)
        shown = [_finish(o, floats) for o in outs]
        tans = [_finish(t, floats) for t in tans]
    return _shaped(shown, kind), _shaped(tans, kind)


def vjp(f: Callable[..., Any], *primals: Any, **kwargs: Any) -> tuple[Any, Callable[[Any], Any]]:
    """``(f(*primals), vjp_fn)``; ``vjp_fn(cotangent)`` gives one gradient per primal, as a tuple.

    For a scalar ``f`` the cotangent is a number (or a Value); for ``f``
    returning a list or tuple of scalars, a list or tuple of the same
    length. ``vjp_fn`` runs one reverse sweep per call and can be called
    again. Floats with plain numbers, Values with Values or inside another
    ``grad``. Keyword arguments pass through to ``f`` and are not
    differentiated.
    """
    ps = [_check_scalar(f"vjp: primal {i}", p) for i, p in enumerate(primals)]
    floats = _as_floats(tuple(ps))
    with _inside():
        out, targets, _ = _trace(f, ps, kwargs, range(len(ps)))
        outs, kind = _outputs("vjp", out)
        shown = [_finish(o, floats) for o in outs]

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        if kind is None:
            cts = [_check_scalar("vjp_fn: the cotangent of a scalar output", cotangent)]
        else:
            if not isinstance(cotangent, (list, tuple)):
                raise ValueError(
                    f"vjp_fn: the function returned a {kind.__name__} of {len(outs)} outputs, "
                    f"so the cotangent must be a list or tuple of {len(outs)} scalars, "
                    f"got {errors.describe(cotangent)}"
                )
            if len(cotangent) != len(outs):
                raise ValueError(
                    f"vjp_fn: the function returned {len(outs)} outputs but the cotangent "
                    f"has {len(cotangent)} entries"
                )
            cts = [_check_scalar(f"vjp_fn: cotangent[{i}]", c) for i, c in enumerate(cotangent)]
        fl = floats and _depth.n == 0 and not any(isinstance(c, Value) for c in cts)
        gs = _pullback(outs, cts, targets, fl)
        return tuple(_finish(g, fl) for g in gs)

    return _shaped(shown, kind), vjp_fn


def hvp(f: Callable[..., Any]) -> Callable[..., list[Any]]:
    """``hvp(f)(xs, v)``: the Hessian of scalar ``f`` at ``f(*xs)`` times the vector ``v``.

    ``xs`` and ``v`` are lists or tuples of scalars of the same length; the
    result is a list like them. It never builds the Hessian: one sweep
    builds the gradient as a graph, a second sweep differentiates
    ``gradient . v``. Floats with plain numbers, Values with Values or inside
    another ``grad``. Keyword arguments pass through to ``f`` and are not
    differentiated.
    """

    @functools.wraps(f)
    def hvpf(xs: Sequence[Any], v: Sequence[Any], **kwargs: Any) -> list[Any]:
        ps = _scalars("hvp", "xs", xs)
        vs = _scalars("hvp", "v", v)
        if len(ps) != len(vs):
            raise ValueError(f"hvp: {len(ps)} arguments in xs but {len(vs)} entries in v")
        floats = _as_floats((*ps, *vs))
        with _inside():
            out, targets, _ = _trace(f, ps, kwargs, range(len(ps)))
            if isinstance(out, (list, tuple)):
                raise ValueError(
                    f"hvp: the function must return a scalar, got a {type(out).__name__} "
                    f"of {len(out)} items"
                )
            if not _is_scalar_out(out):
                raise TypeError(
                    f"hvp: the function must return a scalar Value or a number, "
                    f"got {errors.describe(out)}"
                )
            gs = _vjp_values(out, targets) if isinstance(out, Value) else []
            h = _contract(gs, vs)
            if isinstance(h, Value):
                hv = vjp_floats(h, targets) if floats else _vjp_values(h, targets)
            else:
                hv = [0.0] * len(targets)
            return [_finish(r, floats) for r in hv]

    return hvpf


__all__ = ["grad", "hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp"]
