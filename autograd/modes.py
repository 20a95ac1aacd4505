"""Modes that change how operations record: ``no_grad`` and ``detect_anomaly``.

Both are off by default. While both are off, an operation pays for one
global flag test; everything else here runs only while a mode is on.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typing.Self is 3.11+; annotations are never evaluated at run time
    from typing_extensions import Self

from . import value as _value

_grad_enabled = True
_anomaly_depth = 0
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = tuple(  # frames here are the library's own: anomaly reports skip them
    d + os.sep for d in (_PACKAGE_DIR, os.path.join(os.path.dirname(_PACKAGE_DIR), "nn"))
)

WHERE = "_anomaly_where"
"""Instance attribute holding ``(file, line)`` of the user code that made a node."""


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()``."""
    return _grad_enabled


def anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()``."""
    return _anomaly_depth > 0


def _sync() -> None:
    _value._special = (not _grad_enabled) or _anomaly_depth > 0


def user_frame() -> tuple[str, int]:
    """File and line of the nearest caller outside the ``autograd`` and ``nn`` packages."""
    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not os.path.abspath(fn).startswith(_LIBRARY_DIRS):
            return fn, f.f_lineno
        f = f.f_back  # type: ignore[assignment]
    return "<unknown>", 0


def where_text(node: Any) -> str:
    """``file:line`` recorded for a node under ``detect_anomaly``, or a hint."""
    w = getattr(node, WHERE, None)
    if w is None:
        return "an unknown line (the node was created outside detect_anomaly)"
    return f"{w[0]}:{w[1]}"


def describe_node(node: Any) -> str:
    """``label`` if any, else the data, for error messages."""
    return f"{node.label!r} ({node.data!r})" if node.label else repr(node.data)


def _post(node: Any, leaf: bool = False) -> None:
    """Run for every new node while a mode is on."""
    if leaf:
        if _anomaly_depth:
            node.__dict__[WHERE] = user_frame()
        return
    if _anomaly_depth:
        # Checked before no_grad drops the parents: a constant result that is
        # not finite is still an anomaly, and the message needs the inputs.
        node.__dict__[WHERE] = user_frame()
        r = node.data
        if not math.isfinite(r):
            from .backward import parents

            ins = ", ".join(describe_node(p) for p in parents(node))
            if node._b is _value.NARY:  # affine: constant inputs sit among the partners
                cs = [c for c in node._db[1:] if c.__class__ is float]
                consts = f" and constants {cs!r}" if cs else ""
            else:
                const = node._db if node._b is None else None
                consts = f" and constant {const!r}" if const is not None else ""
            raise FloatingPointError(
                f"detect_anomaly: operation {node._op!r} produced {r!r} from inputs "
                f"[{ins}]{consts}, at {where_text(node)}"
            )
    if not _grad_enabled:
        node._a = node._b = node._da = node._db = None
        node._op = ""


_value._post = _post


class _GradMode(contextlib.ContextDecorator):
    """Set whether operations record parents inside a block; restore it on exit."""

    _enabled = True

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> Self:
        global _grad_enabled
        self._saved.append(_grad_enabled)
        _grad_enabled = self._enabled
        _sync()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _grad_enabled
        _grad_enabled = self._saved.pop()
        _sync()


class no_grad(_GradMode):
    """Inside this block operations record no parents: results are constants.

    Nests, and restores the previous mode on exit, also when an error escapes.
    Usable as ``with no_grad():`` or as a ``@no_grad()`` decorator.
    """

    _enabled = False


class enable_grad(_GradMode):
    """Turn recording back on inside a ``no_grad`` block (used by ``grad``)."""

    _enabled = True


class detect_anomaly(contextlib.ContextDecorator):
    """Find where a NaN or inf came from.

    Inside, every new node remembers the file and line of the user code that
    made it, and any non-finite forward result or gradient raises
    ``FloatingPointError`` naming the operation, its inputs and that line.
    """

    def __enter__(self) -> detect_anomaly:
        global _anomaly_depth
        _anomaly_depth += 1
        _sync()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _anomaly_depth
        _anomaly_depth -= 1
        _sync()
