"""Jacobians and their products with vectors: ``jacobian``, ``jvp``, ``vjp``, ``hvp``.

JAX's transformations, built on ``functional``'s machinery: each call wraps
its arguments in fresh nodes, traces ``f`` and differentiates with the same
rule table, so every result nests with ``grad`` and no ``.grad`` of a user
Value is read or written.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from . import errors, modes
from . import value as _v
from .backward import local_derivatives, parents, reverse_order, term
from .functional import (
    Argnums,
    _as_floats,
    _depth,
    _finish,
    _is_scalar_out,
    _normalize_argnums,
    _vjp_values,
    _wrap,
    vjp_floats,
)
from .modes import enable_grad
from .value import Value

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



__all__ = ["hvp", "jacobian", "jvp", "vjp"]
