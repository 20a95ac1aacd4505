"""Modes that change how operations record: ``no_grad`` and ``detect_anomaly``.

Both are off by default and both are per thread, as PyTorch's ``no_grad``
is: the state lives in a ``threading.local``, so one thread's mode never
changes what another thread computes.

Cost: every operation tests one module flag, ``value._special``. It is
true while some thread, anywhere in the process, has a mode on (a count of
such threads, kept under a lock on entering and leaving a mode). Only then
does an operation call ``_post``, which reads this thread's own state and
does nothing for a thread with no mode on.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typing.Self is 3.11+; annotations are never evaluated at run time
    from typing_extensions import Self

from . import value as _value


class _State(threading.local):
    """One thread's modes; a new thread starts with every mode off."""

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = 0  # detect_anomaly nesting depth
        self.saved: list[bool] = []  # grad modes to restore, innermost last
        self.counted = False  # this thread is counted in _active
        self.where: tuple[str, int] | None = None  # see built_for


_state = _State()
_lock = threading.Lock()
_active = 0  # threads with a mode on: value._special is _active > 0
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = tuple(  # frames here are the library's own: anomaly reports skip them
    d + os.sep for d in (_PACKAGE_DIR, os.path.join(os.path.dirname(_PACKAGE_DIR), "nn"))
)

WHERE = "_anomaly_where"
"""Instance attribute holding ``(file, line)`` of the user code that made a node."""


def is_grad_enabled() -> bool:
    """True unless this thread is inside ``no_grad()``."""
    return _state.grad_enabled


def anomaly_enabled() -> bool:
    """True while this thread is inside ``detect_anomaly()``."""
    return _state.anomaly > 0


def _sync(st: _State) -> None:
    """Count this thread in or out of ``_active`` after its modes changed."""
    global _active
    on = (not st.grad_enabled) or st.anomaly > 0
    if on is st.counted:
        return
    with _lock:
        _active += 1 if on else -1
        st.counted = on
        _value._special = _active > 0


@contextlib.contextmanager
def built_for(node: Any) -> Any:
    """Nodes made inside remember where ``node`` was made instead of the caller's line.

    The functional API builds each derivative under this, so an anomaly in a
    higher derivative points at the user's line that made the operation.
    """
    st = _state
    saved = st.where
    st.where = getattr(node, WHERE, None)
    try:
        yield
    finally:
        st.where = saved


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
    """Run for every new node while some thread has a mode on; applies this thread's modes."""
    st = _state
    if st.anomaly:
        node.__dict__[WHERE] = st.where or user_frame()
        if leaf:
            return
        # Checked before no_grad drops the parents: a constant result that is
        # not finite is still an anomaly, and the message needs the inputs.
        r = node.data
        if not math.isfinite(r):
            from .backward import parents

            ins = ", ".join(describe_node(p) for p in parents(node))
            if node._right is _value.NARY:  # affine: constant inputs sit among the partners
                cs = [c for c in node._dright[1:] if c.__class__ is float]
                consts = f" and constants {cs!r}" if cs else ""
            else:
                const = node._dright if node._right is None else None
                consts = f" and constant {const!r}" if const is not None else ""
            raise FloatingPointError(
                f"detect_anomaly: operation {node._rule!r} produced {r!r} from inputs "
                f"[{ins}]{consts}, at {where_text(node)}"
            )
    if leaf:
        return
    if not st.grad_enabled:
        node._left = node._right = node._dleft = node._dright = None
        node._rule = ""


_value._post = _post


class _GradMode(contextlib.ContextDecorator):
    """Set whether this thread's operations record parents inside a block; restore it on exit.

    The mode to restore is kept per thread, so one object can serve as a
    decorator called from several threads at once.
    """

    _enabled = True

    def __enter__(self) -> Self:
        st = _state
        st.saved.append(st.grad_enabled)
        st.grad_enabled = self._enabled
        _sync(st)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        st = _state
        st.grad_enabled = st.saved.pop()
        _sync(st)


class no_grad(_GradMode):
    """Inside this block this thread's operations record no parents: results are constants.

    Per thread, as in PyTorch: other threads keep recording. Nests, and
    restores the previous mode on exit, also when an error escapes.
    Usable as ``with no_grad():`` or as a ``@no_grad()`` decorator.
    """

    _enabled = False


class enable_grad(_GradMode):
    """Turn recording back on inside a ``no_grad`` block (used by ``grad``)."""

    _enabled = True


class detect_anomaly(contextlib.ContextDecorator):
    """Find where a NaN or inf came from.

    Per thread. Inside, every new node remembers the file and line of the user code that
    made it, and any non-finite forward result or gradient raises
    ``FloatingPointError`` naming the operation, its inputs and that line.
    """

    def __enter__(self) -> detect_anomaly:
        st = _state
        st.anomaly += 1
        _sync(st)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        st = _state
        st.anomaly -= 1
        _sync(st)
