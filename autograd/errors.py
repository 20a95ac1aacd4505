"""Error messages for bad input, shaped like Python's ``math`` module errors.

Every message names the operation and the offending value, so a failure deep
inside a model points straight at its cause. ``detect_anomaly``'s reports also
name the line of user code that made a node: ``user_frame`` finds it, skipping
the frames of the engine and of any library registered with ``skip_frames_from``.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from typing import Any


def short(obj: object) -> str:
    """``repr(obj)`` cut to 60 characters; an int too long to print names its size."""
    if isinstance(obj, int) and obj.bit_length() > 190:  # more than 57 digits
        digits = int(obj.bit_length() * 0.30102999566398120) + 1  # log10(2)
        return f"{'-' if obj < 0 else ''}<an integer of about {digits} digits>"
    text = repr(obj)
    if len(text) > 60:
        text = text[:57] + "..."
    return text


def describe(obj: object) -> str:
    """A short description of an object for an error message."""
    return f"{short(obj)} ({type(obj).__name__})"


def not_a_number(where: str, obj: object) -> TypeError:
    """The error for a non-real operand (str, None, complex, list, ...)."""
    return TypeError(f"{where}: expected a real number or a Value, got {describe(obj)}")


def value_as_number(where: str, obj: object) -> TypeError:
    """The error for a Value where a plain number is needed (``Value(v)``, a slope)."""
    return TypeError(
        f"{where}: a Value is not accepted as a number here, got {describe(obj)}; "
        "pass its .data to use the number it holds"
    )


def too_large(where: str, obj: object) -> OverflowError:
    """The error for a number given as input that does not fit in a float (a huge int)."""
    return OverflowError(f"{where}: {short(obj)} is too large for a float")


def domain(op: str, why: str, *inputs: float) -> ValueError:
    """The error for an input outside an operation's real domain."""
    shown = ", ".join(short(x) for x in inputs)
    return ValueError(f"{op}: math domain error: {why} (got {shown})")


def zero_division(op: str, why: str, *inputs: float) -> ZeroDivisionError:
    """The error for a division by zero or ``0 ** negative``."""
    shown = ", ".join(short(x) for x in inputs)
    return ZeroDivisionError(f"{op}: {why} (got {shown})")


def overflow(op: str, *inputs: float) -> OverflowError:
    """The error for a finite input whose result does not fit in a float."""
    shown = ", ".join(short(x) for x in inputs)
    return OverflowError(f"{op}: result too large for a float (got {shown})")


class _Lenient(threading.local):
    """This thread's leniency depth, read as ``LENIENT[0]`` (only on the overflow path)."""

    def __init__(self) -> None:
        self.depth = 0

    def __getitem__(self, i: int) -> int:
        return self.depth

    def __setitem__(self, i: int, depth: int) -> None:
        self.depth = depth


LENIENT = _Lenient()
"""Above zero while ``functional`` builds derivative graphs in this thread: a
derivative too large for a float becomes inf there, as it does in ``backward``,
instead of an error. Per thread, so another thread's overflow still raises."""


def check_result(op: str, result: float, *inputs: float) -> None:
    """Raise if finite inputs gave a non-finite result; called only when ``result`` is inf/nan."""
    if LENIENT.depth and not math.isnan(result):
        return
    if all(math.isfinite(x) for x in inputs):
        # from finite inputs, nan only arises as inf - inf of overflowed partial sums
        raise overflow(op, *inputs)
    return None


# --- where an anomaly report points: the user's line ----------------------------------

WHERE = "_anomaly_where"
"""Instance attribute holding ``(file, line)`` of the user code that made a node."""

_skipped: tuple[str, ...] = (os.path.dirname(os.path.abspath(__file__)) + os.sep,)
"""Folders whose frames are library code, not the user's: the engine's own, and every
folder registered with ``skip_frames_from``. Set at import time, read-only afterwards."""


def skip_frames_from(path: str) -> None:
    """Let anomaly reports skip frames of code under ``path`` (a package's folder).

    ``detect_anomaly`` names the line of user code that made a node; a library
    built on the engine (``nn``) registers its folder here, so the line named is
    its caller's. Registering the same folder twice changes nothing.
    """
    folder = os.path.abspath(path).rstrip(os.sep) + os.sep
    global _skipped
    if folder not in _skipped:
        _skipped = (*_skipped, folder)


def user_frame() -> tuple[str, int]:
    """File and line of the nearest caller outside the registered library folders."""
    skipped = _skipped
    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not os.path.abspath(fn).startswith(skipped):
            return fn, f.f_lineno
        f = f.f_back  # type: ignore[assignment]
    return "<unknown>", 0


def where_text(node: object) -> str:
    """``file:line`` recorded for a node under ``detect_anomaly``, or a hint."""
    w = getattr(node, WHERE, None)
    if w is None:
        return "an unknown line (the node was created outside detect_anomaly)"
    return f"{w[0]}:{w[1]}"


def describe_node(node: Any) -> str:
    """``label`` if any, else the data, for error messages."""
    return f"{node.label!r} ({node.data!r})" if node.label else repr(node.data)
