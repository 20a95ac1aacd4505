"""Hypothesis strategies for property tests of derivatives.

``expressions(n_inputs, max_ops)`` draws random functions built from every
operation of the engine, with intermediate results reused by later
operations (the shared nodes that break a naive backward pass). Each drawn
function is smooth for every input in ``[-bound, bound]`` (default
``[-1, 1]``), so ``gradcheck`` must pass on it:

* every node carries an interval that surely contains its value for any
  input in range (interval arithmetic, widened a little so that
  ``gradcheck``'s ``x ± eps`` stays inside), and a bound on its slope;
* ``log``, ``sqrt``, a non-integer power and the base of ``a ** b`` get an
  argument >= 0.5: when the interval does not promise that, a shift
  ``z + c`` is inserted first;
* divisors, negative integer powers, ``relu``, ``abs`` and ``leaky_relu``
  get an argument at least 0.5 away from 0 (the pole or the kink), shifted
  to one side the same way; so do ``hypot``'s first argument and ``atan2``'s
  ``x`` (kept >= 0.5, clear of the branch cut);
* ``log2``, ``log10`` get an argument >= 0.5, ``log1p`` >= -0.5, ``acosh``
  >= 1.5; ``asin``, ``acos``, ``atanh`` one within ±0.5 and ``tan`` within
  ±1 (squashed by ``tanh`` when needed);
* ``minimum`` and ``maximum`` get a second operand shifted above the first
  (no tie, so no kink), and ``clamp`` bounds clear of its argument (the
  identity, or a constant);
* a result whose size or slope could exceed 100 is rebuilt from tamed
  operands (``z / 2**k`` to cut the slope, ``tanh`` to cut the size), so
  nothing overflows, ``exp`` stays moderate and central differences stay
  accurate.

Drawn functions shrink towards one operation on one input, and print as a
line of Python that rebuilds them, e.g.
``def f(x0, x1): t1 = x0.sin(); return (t1 * x1 + 1.75).log() + t1``.

Needs hypothesis (``pip install 'chainrule[test]'``); it is imported when a
strategy is first made, so importing this module is always safe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors, rules
from ..value import Value
from .builder import CONSTANTS, SIDED, TWO_OPERANDS, Step, build_expression
from .expression import Expression
from .intervals import CAP, MARGIN, Node, Ref

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn, SearchStrategy

__all__ = [
    "CAP",
    "MARGIN",
    "OPERATIONS",
    "Expression",
    "Node",
    "Ref",
    "Step",
    "build_expression",
    "expressions",
    "floats",
    "values",
]

OPERATIONS: tuple[str, ...] = tuple(rules.RULES)
"""Every engine operation ``expressions`` draws from, by its ``Value._rule`` name.

The rule table's order, which puts the operators first: hypothesis shrinks a
failing example towards the front.
"""


def _hypothesis() -> Any:
    try:
        import hypothesis.strategies as st
    except ImportError:
        raise ImportError(
            "autograd.testing.strategies needs hypothesis: pip install 'chainrule[test]'"
        ) from None
    return st


# --- strategies ---------------------------------------------------------------


def floats(min_value: float | None = None, max_value: float | None = None) -> SearchStrategy[float]:
    """Finite floats in ``[min_value, max_value]`` (no NaN, no infinity)."""
    st = _hypothesis()
    return st.floats(  # type: ignore[no-any-return]
        min_value=min_value, max_value=max_value, allow_nan=False, allow_infinity=False
    )


def values(
    min_value: float | None = None, max_value: float | None = None, label: str = ""
) -> SearchStrategy[Value]:
    """Fresh leaf Values holding finite floats in ``[min_value, max_value]``."""
    st = _hypothesis()
    return st.builds(  # type: ignore[no-any-return]
        lambda x: Value(x, label=label), floats(min_value, max_value)
    )


def _check_count(name: str, n: object, least: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expressions: {name} must be an int, got {errors.describe(n)}")
    if n < least:
        raise ValueError(f"expressions: {name} must be >= {least}, got {n}")
    return n


def expressions(
    n_inputs: int = 1, max_ops: int = 8, *, bound: float = 1.0
) -> SearchStrategy[Expression]:
    """Random smooth functions of ``n_inputs`` scalars with 1 to ``max_ops`` operations.

    Every engine operation in ``OPERATIONS`` can appear; operands are drawn
    from the inputs and all earlier results, so nodes are shared. Guards
    (shifts ``z + c`` and ``tanh`` squashes) may add nodes beyond
    ``max_ops``. Results nobody uses are summed into the output, so every
    drawn operation matters. Valid, smooth and of moderate size for every
    input in ``[-bound, bound]``.
    """
    st = _hypothesis()
    n_inputs = _check_count("n_inputs", n_inputs, 1)
    max_ops = _check_count("max_ops", max_ops, 1)
    if isinstance(bound, bool) or not isinstance(bound, (int, float)):
        raise TypeError(f"expressions: bound must be a number, got {errors.describe(bound)}")
    if not (0.0 < bound < 1e6):
        raise ValueError(f"expressions: bound must be > 0 and < 1e6, got {bound!r}")
    bound = float(bound)

    @st.composite  # type: ignore[untyped-decorator]
    def step(draw: DrawFn) -> Step:
        """One step; it draws only what its operation uses, so shrinking has less to do."""
        op: str = draw(st.sampled_from(OPERATIONS))
        width = 1
        const_inputs: tuple[bool, ...] = ()
        if op == "affine":
            width = draw(st.integers(min_value=1, max_value=3))
            const_inputs = tuple(draw(st.booleans()) for _ in range(width))
            n_picks = 1 + width + sum(not c for c in const_inputs)
        else:
            n_picks = 2 if op in TWO_OPERANDS else 1
        picks = tuple(draw(st.integers(min_value=0, max_value=15)) for _ in range(n_picks))
        const = (
            draw(st.integers(min_value=0, max_value=7))
            if op in CONSTANTS or any(const_inputs)
            else 0
        )
        negative = draw(st.booleans()) if op in SIDED else False
        flip = draw(st.booleans()) if op in ("addc", "mulc") else False
        return Step(op, picks, const, negative, flip, width, const_inputs)

    return st.lists(step(), min_size=1, max_size=max_ops).map(  # type: ignore[no-any-return]
        lambda steps: build_expression(n_inputs, steps, bound)
    )
