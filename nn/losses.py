"""Loss functions: a list of predictions and a list of targets in, one Value out.

Each returns the mean over the list, so the loss and the learning rate keep
their meaning whatever the batch size. Predictions may be Values or plain
numbers (numpy scalars included); labels are plain numbers, and
``mse_loss`` also takes Value targets, which then get gradients too. The
stable forms never overflow: ``binary_cross_entropy_with_logits`` uses
softplus, ``cross_entropy`` shifts by the largest logit before
exponentiating.

Non-finite inputs propagate as they do through every operation of the
engine (and as in PyTorch): a NaN logit makes a NaN loss wherever it sits,
and ``autograd.detect_anomaly()`` reports where it entered.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence, Set

from autograd import Value

from .module import describe, is_int, is_real

__all__ = ["binary_cross_entropy_with_logits", "cross_entropy", "hinge_loss", "mse_loss"]

Scalar = Value | float


def _as_value(x: object, what: str, i: int, where: str) -> Value:
    if x.__class__ is Value:
        return x
    if isinstance(x, Value):
        return x
    if not is_real(x):
        raise TypeError(f"{where}: {what}[{i}] must be a number or a Value, got {describe(x)}")
    return Value(x)


def _target(t: object, i: int, where: str) -> float:
    if not is_real(t):
        raise TypeError(f"{where}: targets[{i}] must be a number, got {describe(t)}")
    try:
        return float(t)  # type: ignore[arg-type]
    except OverflowError:
        raise OverflowError(
            f"{where}: targets[{i}] is {describe(t)}, too large for a float"
        ) from None


def _is_list(seq: object) -> bool:
    if isinstance(seq, (Value, str, bytes, Mapping, Set)) or is_real(seq):
        return False
    return hasattr(seq, "__len__") and hasattr(seq, "__getitem__")


def _pair(preds: Sequence[Scalar], targets: Sequence[Scalar], where: str) -> int:
    for name, seq in (("predictions", preds), ("targets", targets)):
        if not _is_list(seq):
            raise TypeError(f"{where}: {name} must be a list, got {describe(seq)}")
    n = len(preds)
    if n != len(targets):
        raise ValueError(f"{where}: {n} predictions but {len(targets)} targets")
    if n == 0:
        raise ValueError(f"{where}: empty lists; the mean of no losses is undefined")
    return n


def _mean(terms: list[Value]) -> Value:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total if len(terms) == 1 else total / float(len(terms))


def mse_loss(preds: Sequence[Scalar], targets: Sequence[Scalar]) -> Value:
    """Mean squared error: mean of ``(p - t) ** 2``.

    Targets may be Values: the gradient then reaches them too, as with
    ``torch.nn.functional.mse_loss``.
    """
    n = _pair(preds, targets, "mse_loss")
    terms = []
    for i in range(n):
        p = _as_value(preds[i], "predictions", i, "mse_loss")
        t = targets[i]
        d = p - (t if isinstance(t, Value) else _target(t, i, "mse_loss"))
        terms.append(d * d)
    return _mean(terms)


def hinge_loss(scores: Sequence[Scalar], labels: Sequence[float]) -> Value:
    """Mean of ``max(0, 1 - y * s)`` with labels ``y`` in {-1, 1} (an SVM's loss)."""
    n = _pair(scores, labels, "hinge_loss")
    terms = []
    for i in range(n):
        y = _target(labels[i], i, "hinge_loss")
        if y != 1.0 and y != -1.0:
            raise ValueError(f"hinge_loss: labels[{i}] = {labels[i]!r}; labels must be -1 or 1")
        s = _as_value(scores[i], "scores", i, "hinge_loss")
        terms.append((1.0 - s if y == 1.0 else 1.0 + s).relu())
    return _mean(terms)


def binary_cross_entropy_with_logits(logits: Sequence[Scalar], labels: Sequence[float]) -> Value:
    """Mean of ``-y log σ(z) - (1 - y) log(1 - σ(z))``, computed from the logits ``z``.

    Written as ``y softplus(-z) + (1 - y) softplus(z)``, which is finite and
    accurate for logits of any size (``±1000`` included). Labels are in
    {0, 1}; soft labels in [0, 1] are accepted too, as in PyTorch.
    """
    where = "binary_cross_entropy_with_logits"
    n = _pair(logits, labels, where)
    terms = []
    for i in range(n):
        y = _target(labels[i], i, where)
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"{where}: labels[{i}] = {labels[i]!r}; labels must be in [0, 1]")
        z = _as_value(logits[i], "logits", i, where)
        if y == 1.0:
            terms.append((-z).softplus())
        elif y == 0.0:
            terms.append(z.softplus())
        else:
            terms.append(y * (-z).softplus() + (1.0 - y) * z.softplus())
    return _mean(terms)


_NEGLIGIBLE = -746.0
"""Below this, ``exp`` is exactly 0.0 in doubles: such a term adds nothing to the sum."""


def cross_entropy(logits: Sequence[Scalar], target: int) -> Value:
    """``-log softmax(logits)[target]`` for one sample with an int class index.

    Computed as ``log Σ exp(zᵢ - m) - (z[target] - m)`` with ``m`` the largest
    logit, so no exponential overflows. A logit so far below ``m`` that its
    exponential is 0.0 is left out of the sum (it adds exactly 0.0, and so
    does its gradient), so ``z - m`` never overflows either: the loss is
    finite and exact at every finite input whose loss is finite, and an
    ``OverflowError`` says so when the loss itself is too large for a float.
    ``-inf`` logits are masked out, as in PyTorch; a NaN logit anywhere
    gives a NaN loss (also as in PyTorch).
    """
    where = "cross_entropy"
    if not _is_list(logits):
        raise TypeError(f"{where}: logits must be a list of class scores, got {describe(logits)}")
    k = len(logits)
    if k == 0:
        raise ValueError(f"{where}: logits is empty; need at least one class")
    if not is_int(target):
        raise TypeError(f"{where}: target must be an int class index, got {describe(target)}")
    t = operator.index(target)
    if not 0 <= t < k:
        raise ValueError(f"{where}: target {t} is out of range for {k} classes (0..{k - 1})")
    zs = [_as_value(z, "logits", i, where) for i, z in enumerate(logits)]
    datas = [z.data for z in zs]
    m = math.nan if any(d != d for d in datas) else max(datas)
    zt = datas[t]
    if math.isfinite(zt) and math.isfinite(m) and zt - m == -math.inf:
        raise OverflowError(
            f"{where}: the loss is too large for a float: logits[{t}] = {zt!r} is "
            f"further below the largest logit, {m!r}, than a float can hold"
        )
    total: Value | None = None
    for z, d in zip(zs, datas):
        if d - m < _NEGLIGIBLE:  # exp(d - m) is 0.0 (also for -inf logits)
            continue
        e = (z - m).exp()
        total = e if total is None else total + e
    if total is None:  # pragma: no cover - the largest logit always stays in
        raise AssertionError("cross_entropy: no term left in the sum")
    return total.log() - (zs[t] - m)
