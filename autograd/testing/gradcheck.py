"""Check the engine's derivatives against central finite differences.

``gradcheck(f, inputs)`` runs ``f`` on fresh leaves, calls ``backward`` and
compares every input's ``.grad`` with ``numerical_grad``: the fast path.
With ``order=2`` (or more) it also checks the differentiable path, as
HIPS autograd's ``check_grads`` does: ``grad(f)`` against differences of
``f``, and the derivatives of each gradient component against differences
of that component, up to the requested order.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .. import errors
from ..backward import topological_order
from ..value import Value

__all__ = ["GradcheckError", "gradcheck", "numerical_grad"]

_MAX_ROWS = 40  # rows shown in a failure table; the rest are summarised


class GradcheckError(AssertionError):
    """Analytic and numeric derivatives disagree.

    The message is a table of every checked derivative. ``rows`` holds the
    same data as ``(index, value, analytic, numeric, difference, ok)``
    tuples, where ``index`` is a tuple of input indices (one per
    differentiation) and ``value`` the input that was perturbed.
    """

    def __init__(
        self, message: str, rows: list[tuple[Any, ...]] | None = None, order: int = 1
    ) -> None:
        super().__init__(message)
        self.rows = rows if rows is not None else []
        self.order = order


def _check_callable(f: object, who: str) -> None:
    if not callable(f):
        raise TypeError(f"{who}: f must be a callable taking Values, got {errors.describe(f)}")


def _check_inputs(inputs: object, who: str) -> list[float]:
    """Validate ``inputs`` and return them as floats."""
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(
            f"{who}: inputs must be a list of numbers (one per argument of f), "
            f"got {errors.describe(inputs)}"
        )
    if len(inputs) == 0:
        raise ValueError(f"{who}: inputs is empty; f needs at least one argument to check")
    xs: list[float] = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            raise TypeError(
                f"{who}: inputs[{i}] is {x!r}; pass plain numbers (e.g. v.data), "
                "gradcheck makes its own Values"
            )
        if not isinstance(x, numbers.Real):
            raise TypeError(f"{who}: inputs[{i}] must be a real number, got {errors.describe(x)}")
        fx = float(x)
        if not math.isfinite(fx):
            raise ValueError(f"{who}: inputs[{i}] must be finite, got {fx!r}")
        xs.append(fx)
    return xs


def _check_positive(name: str, x: object, who: str, allow_zero: bool) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{who}: {name} must be a real number, got {errors.describe(x)}")
    fx = float(x)
    if not math.isfinite(fx) or fx < 0.0 or (fx == 0.0 and not allow_zero):
        need = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{who}: {name} must be finite and {need}, got {fx!r}")
    return fx


def _scalar(out: object, who: str, xs: Sequence[float]) -> float:
    """The float behind f's result, or a TypeError naming what f returned."""
    if not isinstance(out, Value):
        raise TypeError(
            f"{who}: f must return a scalar Value, got {errors.describe(out)} at inputs {xs!r}"
        )
    return out.data


def _annotate(exc: BaseException, note: str) -> None:
    if sys.version_info >= (3, 11):
        exc.add_note(note)


def _evaluate(f: Callable[..., Any], xs: Sequence[float], who: str) -> float:
    try:
        out = f(*[Value(x) for x in xs])
    except (ArithmeticError, ValueError) as exc:
        _annotate(exc, f"{who}: raised while evaluating f at inputs {list(xs)!r}")
        raise
    return _scalar(out, who, xs)


def _differences(f: Callable[..., Any], xs: list[float], eps: float, who: str) -> list[float]:
    grads = []
    for i, x in enumerate(xs):
        up = list(xs)
        down = list(xs)
        up[i] = x + eps
        down[i] = x - eps
        grads.append((_evaluate(f, up, who) - _evaluate(f, down, who)) / (2.0 * eps))
    return grads


def numerical_grad(
    f: Callable[..., Any], inputs: Sequence[float], eps: float = 1e-6
) -> list[float]:
    """Central differences ``(f(x + eps) - f(x - eps)) / (2 eps)`` for each input.

    ``f`` takes one Value per input and returns a scalar Value. Its error is
    about ``eps**2 * |f'''|`` plus rounding of ``|f| * 1e-16 / eps``.
    """
    who = "numerical_grad"
    _check_callable(f, who)
    xs = _check_inputs(inputs, who)
    eps = _check_positive("eps", eps, who, allow_zero=False)
    return _differences(f, xs, eps, who)


def _fast_path(f: Callable[..., Any], xs: list[float], who: str) -> list[float]:
    """Gradients from ``Value.backward`` on fresh leaves."""
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    y = _scalar(out, who, xs)
    if not math.isfinite(y):
        raise ValueError(
            f"{who}: f returned {y!r} at inputs {xs!r}; "
            "gradients can only be checked where f is finite"
        )
    # Values that f closes over (parameters) receive gradients too: put theirs back.
    saved = [(n, n.grad) for n in topological_order(out)]
    out.backward()
    grads = [leaf.grad for leaf in leaves]
    for n, g in saved:
        n.grad = g
    return grads


def _close(a: float, n: float, atol: float, rtol: float) -> bool:
    if a == n:
        return True
    return abs(a - n) <= atol + rtol * abs(n)


def _fmt(x: float) -> str:
    return f"{x:.9g}"


def _describe_f(f: Callable[..., Any]) -> str:
    name = getattr(f, "__qualname__", None)
    text = name if isinstance(name, str) else repr(f)
    return text if len(text) <= 200 else text[:197] + "..."


def _table(
    f: Callable[..., Any],
    rows: list[tuple[Any, ...]],
    level: int,
    path: str,
    eps: float,
    atol: float,
    rtol: float,
) -> str:
    bad = sum(1 for r in rows if not r[5])
    what = {1: "first derivatives", 2: "second derivatives", 3: "third derivatives"}.get(
        level, f"derivatives of order {level}"
    )
    index_head = "input" if level == 1 else "inputs"
    lines = [
        f"gradcheck: {what} of {_describe_f(f)} from {path} differ from central "
        f"differences in {bad} of {len(rows)} entries",
        f"  (eps={eps!r}; an entry passes when |analytic - numeric| <= atol + rtol * |numeric| "
        f"with atol={atol!r}, rtol={rtol!r})",
    ]
    if level > 1:
        lines.append(
            "  'inputs' i,...,j is the derivative with respect to x_i, ..., x_j; "
            "'value' is x_j, the input that was perturbed"
        )
    header = (index_head, "value", "analytic", "numeric", "difference")
    widths = (max(len(index_head), 2 * level + 3), 16, 16, 16, 16)
    lines.append("  " + "  ".join(h.rjust(w) for h, w in zip(header, widths)))
    shown = rows if len(rows) <= _MAX_ROWS else [r for r in rows if not r[5]][:_MAX_ROWS]
    for index, value, a, n, diff, ok in shown:
        cells = (",".join(str(i) for i in index), _fmt(value), _fmt(a), _fmt(n), _fmt(diff))
        line = "  " + "  ".join(c.rjust(w) for c, w in zip(cells, widths))
        lines.append(line + ("" if ok else "  <- mismatch"))
    if len(shown) < len(rows):
        lines.append(f"  ({len(rows) - len(shown)} more entries not shown)")
    return "\n".join(lines)


def _compare(
    f: Callable[..., Any],
    xs: list[float],
    checks: list[tuple[tuple[int, ...], list[float], list[float]]],
    level: int,
    path: str,
    eps: float,
    atol: float,
    rtol: float,
) -> None:
    """Raise GradcheckError unless every analytic entry matches its numeric twin."""
    rows: list[tuple[Any, ...]] = []
    for prefix, analytic, numeric in checks:
        for j, (a, n) in enumerate(zip(analytic, numeric)):
            ok = _close(a, n, atol, rtol)
            rows.append(((*prefix, j), xs[j], a, n, a - n, ok))
    if not all(r[5] for r in rows):
        raise GradcheckError(_table(f, rows, level, path, eps, atol, rtol), rows, level)


def _as_float(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def gradcheck(
    f: Callable[..., Any],
    inputs: Sequence[float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    order: int = 1,
) -> bool:
    """Check ``f``'s derivatives at ``inputs`` against central differences.

    ``f`` takes one Value per entry of ``inputs`` and returns a scalar Value.
    ``order=1`` checks the gradient that ``backward`` computes; ``order=k``
    also checks ``autograd.grad`` and every derivative up to order ``k``
    (for ``n`` inputs that is ``n**k`` entries at the top order).
    Returns ``True``; raises ``GradcheckError`` with a table of input index,
    value, analytic, numeric and difference when any entry is off by more
    than ``atol + rtol * |numeric|``.
    """
    who = "gradcheck"
    _check_callable(f, who)
    xs = _check_inputs(inputs, who)
    eps = _check_positive("eps", eps, who, allow_zero=False)
    atol = _check_positive("atol", atol, who, allow_zero=True)
    rtol = _check_positive("rtol", rtol, who, allow_zero=True)
    if isinstance(order, bool) or not isinstance(order, int):
        raise TypeError(f"{who}: order must be an int >= 1, got {errors.describe(order)}")
    if order < 1:
        raise ValueError(f"{who}: order must be >= 1, got {order}")

    analytic = _fast_path(f, xs, who)
    numeric = _differences(f, xs, eps, who)
    _compare(f, xs, [((), analytic, numeric)], 1, "Value.backward", eps, atol, rtol)
    if order == 1:
        return True

    from ..functional import grad

    n = len(xs)
    everything = tuple(range(n))
    # Functions at the current level, each with the indices it was differentiated by.
    level_fns: list[tuple[tuple[int, ...], Callable[..., Any]]] = [((), f)]
    for level in range(1, order + 1):
        checks = []
        for prefix, h in level_fns:
            # Value arguments make grad take its differentiable path (the rules'
            # Value faces), which is what higher orders are built from.
            exact = [_as_float(g) for g in grad(h, argnums=everything)(*map(Value, xs))]
            diffs = numeric if h is f else _differences(h, xs, eps, who)
            checks.append((prefix, exact, diffs))
        _compare(f, xs, checks, level, "autograd.grad", eps, atol, rtol)
        if level < order:
            level_fns = [
                ((*prefix, i), grad(h, argnums=i)) for prefix, h in level_fns for i in range(n)
            ]
    return True
