"""Error messages for bad input, shaped like Python's ``math`` module errors.

Every message names the operation and the offending value, so a failure deep
inside a model points straight at its cause.
"""

from __future__ import annotations

import math
import threading


def describe(obj: object) -> str:
    """A short description of an object for an error message."""
    text = repr(obj)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(obj).__name__})"


def not_a_number(where: str, obj: object) -> TypeError:
    """The error for a non-real operand (str, None, complex, list, ...)."""
    return TypeError(f"{where}: expected a real number or a Value, got {describe(obj)}")


def domain(op: str, why: str, *inputs: float) -> ValueError:
    """The error for an input outside an operation's real domain."""
    shown = ", ".join(repr(x) for x in inputs)
    return ValueError(f"{op}: math domain error: {why} (got {shown})")


def zero_division(op: str, why: str, *inputs: float) -> ZeroDivisionError:
    """The error for a division by zero or ``0 ** negative``."""
    shown = ", ".join(repr(x) for x in inputs)
    return ZeroDivisionError(f"{op}: {why} (got {shown})")


def overflow(op: str, *inputs: float) -> OverflowError:
    """The error for a finite input whose result does not fit in a float."""
    shown = ", ".join(repr(x) for x in inputs)
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
