"""Learning-rate schedules with PyTorch's signatures and numbers.

A schedule takes an optimizer and sets its ``lr`` at construction and at
each ``step()`` (call it after ``optimizer.step()``, once per epoch or per
iteration, as in PyTorch). The rates are computed by the same recurrences
as ``torch.optim.lr_scheduler`` (each new rate from the current one), so
they agree with PyTorch's step by step, to the last bit or nearly.

To resume, build the optimizer and the schedule as at the start, then load
both ``state_dict()`` s: the optimizer's carries ``lr`` and ``initial_lr``,
the schedule's its position (``last_epoch``).
"""

from __future__ import annotations

import math
import operator
from typing import Any

from .module import _keys, describe, finite_number, is_int
from .optim import Optimizer

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LinearLR", "StepLR"]


def _count(x: object, name: str, where: str, low: int) -> int:
    if not is_int(x):
        raise TypeError(f"{where}: {name} must be an int, got {describe(x)}")
    n = operator.index(x)  # type: ignore[arg-type]
    if n < low:
        raise ValueError(f"{where}: {name} must be at least {low}, got {n}")
    return n


class LRScheduler:
    """Base class: holds the optimizer, ``last_epoch`` and the base learning rate.

    ``last_epoch=-1`` (the default) starts a schedule: the optimizer's
    current ``lr`` becomes its ``initial_lr`` (unless an earlier schedule
    set one) and the schedule's base. A ``last_epoch >= 0`` continues one
    and needs ``initial_lr`` set, as in PyTorch.
    """

    _hyper: tuple[str, ...] = ()

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        where = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{where}: expected an nn optimizer (SGD, Adam, ...), got {describe(optimizer)}"
            )
        last = _count(last_epoch, "last_epoch", where, -1)
        if last == -1:
            if optimizer.initial_lr is None:
                optimizer.initial_lr = optimizer.lr
        elif optimizer.initial_lr is None:
            raise ValueError(
                f"{where}: last_epoch={last} continues a schedule, but the optimizer has no "
                "initial_lr; load the optimizer's state_dict first, or start with last_epoch=-1"
            )
        self.optimizer = optimizer
        self.base_lr: float = optimizer.initial_lr
        self.last_epoch = last
        self._step_count = 0
        self._initial = True
        try:
            self.step()
        finally:
            self._initial = False

    def step(self) -> None:
        """Advance one epoch and set the optimizer's ``lr`` to the new rate."""
        self._step_count += 1
        self.last_epoch += 1
        lr = self._next(self.optimizer.lr)
        self.optimizer.lr = lr
        self._last_lr = lr

    def _next(self, lr: float) -> float:
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The rate set by the latest ``step()``, as a one-element list (PyTorch's form)."""
        return [self._last_lr]

    def state_dict(self) -> dict[str, Any]:
        """The schedule's position and arguments as plain JSON-able data."""
        return {
            "scheduler": type(self).__name__,
            "last_epoch": self.last_epoch,
            "step_count": self._step_count,
            "base_lr": self.base_lr,
            "last_lr": self._last_lr,
            **{k: getattr(self, k) for k in self._hyper},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned; strict and all-or-nothing."""
        where = f"{type(self).__name__}.load_state_dict"
        keys = ("scheduler", "last_epoch", "step_count", "base_lr", "last_lr", *self._hyper)
        d = _keys(state, keys, "state", where)
        if d["scheduler"] != type(self).__name__:
            raise ValueError(
                f"{where}: the state is of a {d['scheduler']!r}, not a {type(self).__name__!r}"
            )
        last = _count(d["last_epoch"], "state['last_epoch']", where, 0)
        count = _count(d["step_count"], "state['step_count']", where, 1)
        base = finite_number(d["base_lr"], "state['base_lr']", where)
        last_lr = finite_number(d["last_lr"], "state['last_lr']", where)
        hyper = self._check(d, where)
        self.last_epoch, self._step_count = last, count
        self.base_lr, self._last_lr = base, last_lr
        for k, v in hyper.items():
            setattr(self, k, v)

    def _check(self, d: dict[str, Any], where: str) -> dict[str, Any]:
        return {}


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs."""

    _hyper = ("step_size", "gamma")

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size, self.gamma = self._args(step_size, gamma, "StepLR")
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _args(step_size: object, gamma: object, where: str) -> tuple[int, float]:
        return _count(step_size, "step_size", where, 1), finite_number(gamma, "gamma", where)

    def _next(self, lr: float) -> float:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lr
        return lr * self.gamma

    def _check(self, d: dict[str, Any], where: str) -> dict[str, Any]:
        step_size, gamma = self._args(d["step_size"], d["gamma"], where)
        return {"step_size": step_size, "gamma": gamma}


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch."""

    _hyper = ("gamma",)

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = finite_number(gamma, "gamma", "ExponentialLR")
        super().__init__(optimizer, last_epoch)

    def _next(self, lr: float) -> float:
        return lr if self._initial else lr * self.gamma

    def _check(self, d: dict[str, Any], where: str) -> dict[str, Any]:
        return {"gamma": finite_number(d["gamma"], "gamma", where)}


class CosineAnnealingLR(LRScheduler):
    """Anneal from the base rate to ``eta_min`` along half a cosine over ``T_max`` epochs.

    ``lr_t = eta_min + (base - eta_min)(1 + cos(π t / T_max)) / 2``, computed
    as PyTorch does, each rate from the one before; past ``T_max`` the rate
    climbs back (the cosine goes on), as in PyTorch.
    """

    _hyper = ("T_max", "eta_min")

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max, self.eta_min = self._args(T_max, eta_min, "CosineAnnealingLR")
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _args(t_max: object, eta_min: object, where: str) -> tuple[int, float]:
        return _count(t_max, "T_max", where, 1), finite_number(eta_min, "eta_min", where)

    def _next(self, lr: float) -> float:
        t, T, lo, base = self.last_epoch, self.T_max, self.eta_min, self.base_lr
        if self._initial:
            return lr
        if self._step_count == 1 and t > 0:
            return lo + (base - lo) * (1 + math.cos(t * math.pi / T)) / 2
        if (t - 1 - T) % (2 * T) == 0:
            return lr + (base - lo) * (1 - math.cos(math.pi / T)) / 2
        return (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (
            lr - lo
        ) + lo

    def _check(self, d: dict[str, Any], where: str) -> dict[str, Any]:
        t_max, eta_min = self._args(d["T_max"], d["eta_min"], where)
        return {"T_max": t_max, "eta_min": eta_min}


class LinearLR(LRScheduler):
    """Scale the rate linearly from ``start_factor`` to ``end_factor`` over ``total_iters`` epochs.

    Epoch 0 uses ``base · start_factor``; from epoch ``total_iters`` on, the
    rate stays at ``base · end_factor``. A warm-up, with the defaults.
    """

    _hyper = ("start_factor", "end_factor", "total_iters")

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.start_factor, self.end_factor, self.total_iters = self._args(
            start_factor, end_factor, total_iters, "LinearLR"
        )
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _args(
        start_factor: object, end_factor: object, total_iters: object, where: str
    ) -> tuple[float, float, int]:
        start = finite_number(start_factor, "start_factor", where)
        end = finite_number(end_factor, "end_factor", where)
        if not 0.0 < start <= 1.0:
            raise ValueError(f"{where}: start_factor must be in (0, 1], got {start!r}")
        if not 0.0 <= end <= 1.0:
            raise ValueError(f"{where}: end_factor must be in [0, 1], got {end!r}")
        return start, end, _count(total_iters, "total_iters", where, 1)

    def _next(self, lr: float) -> float:
        t, s, e, n = self.last_epoch, self.start_factor, self.end_factor, self.total_iters
        if t == 0:
            return lr * s
        if self._initial or t > n:
            return lr
        return lr * (1.0 + (e - s) / (n * s + (t - 1) * (e - s)))

    def _check(self, d: dict[str, Any], where: str) -> dict[str, Any]:
        start, end, total = self._args(d["start_factor"], d["end_factor"], d["total_iters"], where)
        return {"start_factor": start, "end_factor": end, "total_iters": total}
