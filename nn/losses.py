"""Loss functions: a list of predictions and a list of targets in, one Value out.

Each returns the mean over the list, so the loss and the learning rate keep
their meaning whatever the batch size. Predictions may be Values or plain
numbers; targets are plain numbers. The stable forms never overflow:
``binary_cross_entropy_with_logits`` uses softplus, ``cross_entropy`` shifts
by the largest logit before exponentiating.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autograd import Value

__all__ = ["binary_cross_entropy_with_logits", "cross_entropy", "hinge_loss", "mse_loss"]

Scalar = Value | float


def _as_value(x: object, what: str, i: int, where: str) -> Value:
    if x.__class__ is Value:
        return x
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"{where}: {what}[{i}] must be a number or a Value, got {x!r}")
    return Value(x)


def _target(t: object, i: int, where: str) -> float:
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        raise TypeError(f"{where}: targets[{i}] must be a number, got {t!r} ({type(t).__name__})")
    return float(t)


def _pair(preds: Sequence[Scalar], targets: Sequence[float], where: str) -> int:
    for name, seq in (("predictions", preds), ("targets", targets)):
        if isinstance(seq, (Value, int, float, str, bytes)) or not hasattr(seq, "__len__"):
            raise TypeError(f"{where}: {name} must be a list, got {seq!r} ({type(seq).__name__})")
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


def mse_loss(preds: Sequence[Scalar], targets: Sequence[float]) -> Value:
    """Mean squared error: mean of ``(p - t) ** 2``."""
    n = _pair(preds, targets, "mse_loss")
    terms = []
    for i in range(n):
        d = _as_value(preds[i], "predictions", i, "mse_loss") - _target(targets[i], i, "mse_loss")
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


def cross_entropy(logits: Sequence[Scalar], target: int) -> Value:
    """``-log softmax(logits)[target]`` for one sample with an int class index.

    Computed as ``log Σ exp(zᵢ - m) - (z[target] - m)`` with ``m`` the largest
    logit, so no exponential overflows.
    """
    where = "cross_entropy"
    if isinstance(logits, (Value, int, float, str, bytes)) or not hasattr(logits, "__len__"):
        raise TypeError(f"{where}: logits must be a list of class scores, got {logits!r}")
    k = len(logits)
    if k == 0:
        raise ValueError(f"{where}: logits is empty; need at least one class")
    if isinstance(target, bool) or not isinstance(target, int):
        raise TypeError(
            f"{where}: target must be an int class index, got {target!r} ({type(target).__name__})"
        )
    if not 0 <= target < k:
        raise ValueError(f"{where}: target {target} is out of range for {k} classes (0..{k - 1})")
    zs = [_as_value(z, "logits", i, where) for i, z in enumerate(logits)]
    m = max(z.data for z in zs)
    if not math.isfinite(m):
        raise ValueError(f"{where}: logits must be finite, got a largest logit of {m!r}")
    total = (zs[0] - m).exp()
    for z in zs[1:]:
        total = total + (z - m).exp()
    return total.log() - (zs[target] - m)
