"""Sums of floats that are the same on every Python the project supports.

Python 3.12 made the built-in ``sum`` of floats compensated (it rounds less
than adding one term after another), so ``sum`` gives different last bits on
3.10/3.11 and on 3.12+. The experiments add the way the engine does, one
term after another from the left, so their numbers agree with the engine's
Value sums and are the same on every version.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["total"]


def total(terms: Iterable[float]) -> float:
    """``terms`` added left to right, starting from 0.0."""
    result = 0.0
    for t in terms:
        result += t
    return result
