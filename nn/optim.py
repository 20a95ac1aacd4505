"""Optimizers: ``SGD``, ``Adam`` and ``AdamW``, with PyTorch's update equations.

Each ``step()`` reads ``p.grad`` and updates ``p.data`` in place, doing the
same floating-point operations in the same order as ``torch.optim`` (its
single-tensor path), so a run matches PyTorch in float64 step by step.
``lr`` is a plain attribute: change it between steps, or let a schedule
from ``nn.schedules`` do it.

``state_dict()`` returns the hyperparameters and the per-parameter state
(momentum buffers, Adam's moments and step count) as plain JSON-able data;
``load_state_dict()`` puts it back, so a run stopped after 10 steps and
resumed for 10 more ends bit for bit where 20 straight steps end.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from autograd import Value

from .module import _keys, _number, describe, finite_number, is_int

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]


def _at_least_zero(x: object, name: str, where: str) -> float:
    v = finite_number(x, name, where)
    if v < 0.0:
        raise ValueError(f"{where}: {name} must be >= 0, got {x!r}")
    return v


def _betas(betas: object, where: str) -> tuple[float, float]:
    try:
        pair: tuple[object, ...] = tuple(betas)  # type: ignore[arg-type]
        if len(pair) != 2:
            raise ValueError
    except (TypeError, ValueError):
        raise ValueError(f"{where}: betas must be a pair of numbers, got {betas!r}") from None
    out = (finite_number(pair[0], "betas[0]", where), finite_number(pair[1], "betas[1]", where))
    for i, b in enumerate(out):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"{where}: betas[{i}] must be in [0, 1), got {b!r}")
    return out


def _floats(obj: object, n: int, name: str, where: str) -> list[float]:
    if not isinstance(obj, list) or len(obj) != n:
        got = f"{len(obj)} numbers" if isinstance(obj, list) else describe(obj)
        raise ValueError(
            f"{where}: state[{name!r}] must be {n} numbers (one a parameter), got {got}"
        )
    return [_number(v, f"state[{name!r}][{i}]", where) for i, v in enumerate(obj)]


class Optimizer:
    """Holds the parameter list; ``zero_grad`` resets their gradients.

    ``initial_lr`` is the learning rate a schedule started from (``None``
    until a schedule is attached), as PyTorch keeps it in the param group.
    """

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
        self.lr = finite_number(lr, "lr", where)
        if self.lr <= 0.0:
            raise ValueError(f"{where}: lr must be > 0, got {lr!r}")
        self.initial_lr: float | None = None

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters and per-parameter state as plain JSON-able data.

        Lists hold one number per parameter, in the order of ``params``.
        """
        return {
            "optimizer": type(self).__name__,
            "lr": self.lr,
            "initial_lr": self.initial_lr,
            **self._state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned: hyperparameters and buffers.

        Strict and all-or-nothing: the optimizer class, every key and the
        number of parameters must match, or ``ValueError`` names the
        problem and nothing changes.
        """
        where = f"{type(self).__name__}.load_state_dict"
        keys = ("optimizer", "lr", "initial_lr", *self._state())
        d = _keys(state, keys, "state", where)
        if d["optimizer"] != type(self).__name__:
            raise ValueError(
                f"{where}: the state is of a {d['optimizer']!r}, not a {type(self).__name__!r}"
            )
        lr = _at_least_zero(_number(d["lr"], "state['lr']", where), "state['lr']", where)
        initial = d["initial_lr"]
        if initial is not None:
            initial = _number(initial, "state['initial_lr']", where)
            initial = finite_number(initial, "initial_lr", where)
        apply = self._parse(d, where)
        self.lr = lr
        self.initial_lr = initial
        apply()

    def _state(self) -> dict[str, Any]:
        return {}

    def _parse(self, d: dict[str, Any], where: str) -> Any:
        """Check the subclass's part of ``d``; return a function that applies it."""
        return lambda: None


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
        self.momentum, self.weight_decay, self.nesterov = self._hyper(
            momentum, weight_decay, nesterov, "SGD"
        )
        self._buffers: list[float] | None = None

    @staticmethod
    def _hyper(
        momentum: object, weight_decay: object, nesterov: object, where: str
    ) -> tuple[float, float, bool]:
        mu = _at_least_zero(momentum, "momentum", where)
        wd = _at_least_zero(weight_decay, "weight_decay", where)
        if not isinstance(nesterov, bool):
            raise TypeError(f"{where}: nesterov must be True or False, got {nesterov!r}")
        if nesterov and mu == 0.0:
            raise ValueError(f"{where}: nesterov=True needs a momentum > 0")
        return mu, wd, nesterov

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

    def _state(self) -> dict[str, Any]:
        """``momentum``, ``weight_decay``, ``nesterov`` and ``momentum_buffers``
        (``None`` before the first step with momentum)."""
        bufs = None if self._buffers is None else list(self._buffers)
        return {
            "momentum": self.momentum,
            "weight_decay": self.weight_decay,
            "nesterov": self.nesterov,
            "momentum_buffers": bufs,
        }

    def _parse(self, d: dict[str, Any], where: str) -> Any:
        mu, wd, nesterov = self._hyper(d["momentum"], d["weight_decay"], d["nesterov"], where)
        raw = d["momentum_buffers"]
        bufs = None if raw is None else _floats(raw, len(self.params), "momentum_buffers", where)

        def apply() -> None:
            self.momentum, self.weight_decay, self.nesterov = mu, wd, nesterov
            self._buffers = bufs

        return apply


class Adam(Optimizer):
    """Adam with bias correction; ``weight_decay`` adds ``weight_decay * p`` to the gradient.

    Per parameter, at step ``t`` with ``g = p.grad + weight_decay * p``::

        m ← m + (1 - β1)(g - m)          v ← β2 v + (1 - β2) g²
        p ← p - lr / (1 - β1ᵗ) · m / (√v / √(1 - β2ᵗ) + eps)

    (``eps`` is added after the bias correction of ``v``, as in PyTorch.) With
    ``eps=0`` a parameter that has only ever had zero gradients stays put,
    where PyTorch would compute 0/0 and make it NaN.
    """

    _decoupled = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        where = type(self).__name__
        super().__init__(params, lr, where)
        self.betas = _betas(betas, where)
        self.eps = _at_least_zero(eps, "eps", where)
        self.weight_decay = _at_least_zero(weight_decay, "weight_decay", where)
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
        decay = 1.0
        if self._decoupled:
            decay = 1.0 - self.lr * wd
            wd = 0.0
        ms = self._m
        vs = self._v
        sqrt = math.sqrt
        for i, p in enumerate(self.params):
            x = p.data
            g = p.grad
            if decay != 1.0:
                x = x * decay
            elif wd != 0.0:
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
            elif decay != 1.0:
                p.data = x

    def _state(self) -> dict[str, Any]:
        """``betas``, ``eps``, ``weight_decay``, the step count ``step`` and the
        moments ``exp_avg`` and ``exp_avg_sq`` (PyTorch's names)."""
        return {
            "betas": list(self.betas),
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "step": self.t,
            "exp_avg": list(self._m),
            "exp_avg_sq": list(self._v),
        }

    def _parse(self, d: dict[str, Any], where: str) -> Any:
        betas = _betas(d["betas"], where)
        eps = _at_least_zero(d["eps"], "eps", where)
        wd = _at_least_zero(d["weight_decay"], "weight_decay", where)
        step = d["step"]
        if not is_int(step) or step < 0:
            raise ValueError(f"{where}: state['step'] must be an int >= 0, got {describe(step)}")
        n = len(self.params)
        m = _floats(d["exp_avg"], n, "exp_avg", where)
        v = _floats(d["exp_avg_sq"], n, "exp_avg_sq", where)

        def apply() -> None:
            self.betas, self.eps, self.weight_decay = betas, eps, wd
            self.t = int(step)
            self._m, self._v = m, v

        return apply


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter), as ``torch.optim.AdamW``.

    Each step first shrinks every parameter, ``p ← p · (1 - lr · weight_decay)``,
    then takes Adam's step with the plain gradient (the decay never enters
    the moments). The default ``weight_decay`` is PyTorch's, 1e-2.
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)
