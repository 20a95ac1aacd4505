"""Modes that change how operations record: ``no_grad`` and ``detect_anomaly``.

Both are off by default and both are per thread, as PyTorch's ``no_grad``
is: one thread's mode never changes what another thread computes.

The state itself lives in ``value.py``, next to the operations that read
it (a per-thread ``ThreadModes`` and the one process-wide flag
``value._special``, true while some thread has a mode on; with no mode on
anywhere an operation pays one flag test). This module only provides the
blocks that change it, through ``value.set_modes``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typing.Self is 3.11+; annotations are never evaluated at run time
    from typing_extensions import Self

from .errors import WHERE, describe_node, skip_frames_from, user_frame, where_text
from .value import set_modes, thread_modes

__all__ = [
    "WHERE",
    "anomaly_enabled",
    "built_for",
    "describe_node",
    "detect_anomaly",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "skip_frames_from",
    "user_frame",
    "where_text",
]


def is_grad_enabled() -> bool:
    """True unless this thread is inside ``no_grad()``."""
    return thread_modes().grad_enabled


def anomaly_enabled() -> bool:
    """True while this thread is inside ``detect_anomaly()``."""
    return thread_modes().anomaly > 0


@contextlib.contextmanager
def built_for(node: Any) -> Iterator[None]:
    """Nodes made inside remember where ``node`` was made instead of the caller's line.

    The functional API builds each derivative under this, so an anomaly in a
    higher derivative points at the user's line that made the operation.
    """
    st = thread_modes()
    saved = st.where
    st.where = getattr(node, WHERE, None)
    try:
        yield
    finally:
        st.where = saved


class _Saved(threading.local):
    """This thread's grad modes to restore, innermost last."""

    def __init__(self) -> None:
        self.grad: list[bool] = []


_saved = _Saved()


class _GradMode(contextlib.ContextDecorator):
    """Set whether this thread's operations record parents inside a block; restore it on exit.

    The mode to restore is kept per thread, so one object can serve as a
    decorator called from several threads at once.
    """

    _enabled = True

    def __enter__(self) -> Self:
        st = thread_modes()
        _saved.grad.append(st.grad_enabled)
        set_modes(self._enabled, st.anomaly)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        set_modes(_saved.grad.pop(), thread_modes().anomaly)


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
        st = thread_modes()
        set_modes(st.grad_enabled, st.anomaly + 1)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        st = thread_modes()
        set_modes(st.grad_enabled, st.anomaly - 1)
