"""Optimizers: ``SGD`` and ``Adam``, with PyTorch's update equations.

Each ``step()`` reads ``p.grad`` and updates ``p.data`` in place, doing the
same floating-point operations in the same order as ``torch.optim`` (its
single-tensor path), so a run matches PyTorch in float64 step by step.
``lr`` is a plain attribute: change it between steps for a schedule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value

from .module import describe, is_real

__all__ = ["SGD", "Adam", "Optimizer"]


def _real(x: object, name: str, where: str) -> float:
    """``x`` as a finite float: any real number (numpy scalars too), not a bool."""
    if not is_real(x):
        raise TypeError(f"{where}: {name} must be a number, got {describe(x)}")
    try:
        v = float(x)  # type: ignore[arg-type]
    except OverflowError:
        raise ValueError(f"{where}: {name} must be finite, got {describe(x)}") from None
    if not math.isfinite(v):
        raise ValueError(f"{where}: {name} must be finite, got {v!r}")
    return v


class Optimizer:
    """Holds the parameter list; ``zero_grad`` resets their gradients."""

    def __init__(self, params: Iterable[Value], lr: float, where: str) -> None:
        try:
            plist = list(params)
        except TypeError:
            raise TypeError(
                f"{where}: params must be a list of Values (e.g. model.parameters()), "
                f"got {params!r}"
            ) from None
        if not plist:
            raise ValueError(f"{where}: the parameter list is empty; nothing to optimize")
        seen: set[int] = set()
        for i, p in enumerate(plist):
            if not isinstance(p, Value):
                raise TypeError(f"{where}: params[{i}] must be a Value, got {p!r}")
            if id(p) in seen:
                raise ValueError(f"{where}: params[{i}] appears more than once in the list")
            seen.add(id(p))
        self.params: list[Value] = plist
        self.lr = _real(lr, "lr", where)
        if self.lr <= 0.0:
            raise ValueError(f"{where}: lr must be > 0, got {lr!r}")

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and weight decay.

    With ``g = p.grad + weight_decay * p``: without momentum
    ``p ← p - lr * g``. With momentum the buffer starts as ``b = g`` on the
    first step, then ``b ← momentum * b + g``; the update uses ``b``, or
    ``g + momentum * b`` with ``nesterov=True``.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr, "SGD")
        self.momentum = _real(momentum, "momentum", "SGD")
        self.weight_decay = _real(weight_decay, "weight_decay", "SGD")
        if self.momentum < 0.0:
            raise ValueError(f"SGD: momentum must be >= 0, got {momentum!r}")
        if self.weight_decay < 0.0:
            raise ValueError(f"SGD: weight_decay must be >= 0, got {weight_decay!r}")
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        if nesterov and self.momentum == 0.0:
            raise ValueError("SGD: nesterov=True needs a momentum > 0")
        self.nesterov = nesterov
        self._buffers: list[float] | None = None

    def step(self) -> None:
        """One update of every parameter (see the class docstring)."""
        neg_lr = -self.lr
        wd = self.weight_decay
        mu = self.momentum
        params = self.params
        if mu == 0.0:
            if wd == 0.0:
                for p in params:
                    p.data = p.data + neg_lr * p.grad
            else:
                for p in params:
                    x = p.data
                    p.data = x + neg_lr * (p.grad + wd * x)
            return
        bufs = self._buffers
        first = bufs is None
        if bufs is None:
            bufs = self._buffers = [0.0] * len(params)
        nesterov = self.nesterov
        for i, p in enumerate(params):
            x = p.data
            g = p.grad
            if wd != 0.0:
                g = g + wd * x
            b = g if first else bufs[i] * mu + g
            bufs[i] = b
            if nesterov:
                g = g + mu * b
            else:
                g = b
            p.data = x + neg_lr * g


class Adam(Optimizer):
    """Adam with bias correction; ``weight_decay`` adds ``weight_decay * p`` to the gradient.

    Per parameter, at step ``t`` with ``g = p.grad + weight_decay * p``::

        m ← m + (1 - β1)(g - m)          v ← β2 v + (1 - β2) g²
        p ← p - lr / (1 - β1ᵗ) · m / (√v / √(1 - β2ᵗ) + eps)

    (``eps`` is added after the bias correction of ``v``, as in PyTorch.) With
    ``eps=0`` a parameter that has only ever had zero gradients stays put,
    where PyTorch would compute 0/0 and make it NaN.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, "Adam")
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"Adam: betas must be a pair of numbers, got {betas!r}") from None
        self.betas = (_real(b1, "betas[0]", "Adam"), _real(b2, "betas[1]", "Adam"))
        for i, b in enumerate(self.betas):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"Adam: betas[{i}] must be in [0, 1), got {betas[i]!r}")
        self.eps = _real(eps, "eps", "Adam")
        if self.eps < 0.0:
            raise ValueError(f"Adam: eps must be >= 0, got {eps!r}")
        self.weight_decay = _real(weight_decay, "weight_decay", "Adam")
        if self.weight_decay < 0.0:
            raise ValueError(f"Adam: weight_decay must be >= 0, got {weight_decay!r}")
        self.t = 0
        n = len(self.params)
        self._m = [0.0] * n
        self._v = [0.0] * n

    def step(self) -> None:
        """One update of every parameter (see the class docstring)."""
        self.t += 1
        b1, b2 = self.betas
        t = float(self.t)
        step_size = self.lr / (1.0 - b1**t)
        neg_step = -step_size
        bc2_sqrt = (1.0 - b2**t) ** 0.5
        w1 = 1.0 - b1  # torch's lerp weight
        w2 = 1.0 - b2
        eps = self.eps
        wd = self.weight_decay
        ms = self._m
        vs = self._v
        sqrt = math.sqrt
        for i, p in enumerate(self.params):
            x = p.data
            g = p.grad
            if wd != 0.0:
                g = g + wd * x
            m = ms[i]
            # torch.lerp: start + w (end - start) for w < 0.5, else end - (end - start)(1 - w)
            m = m + w1 * (g - m) if w1 < 0.5 else g - (g - m) * (1.0 - w1)
            v = vs[i] * b2 + w2 * g * g
            ms[i] = m
            vs[i] = v
            denom = sqrt(v) / bc2_sqrt + eps
            if denom != 0.0:  # 0 only with eps=0 and no gradient so far (m is 0 too)
                p.data = x + neg_step * (m / denom)
