"""chainrule's neural-network layer, built on the ``autograd`` engine.

Models (``Module``, ``Neuron``, ``Layer``, ``MLP``), losses, optimizers
(``SGD``, ``Adam``, ``AdamW``) and learning-rate schedules (``StepLR``,
``ExponentialLR``, ``CosineAnnealingLR``, ``LinearLR``), JSON save/load,
toy datasets and export to PyTorch. Standard library only; PyTorch is
needed for ``to_torch`` alone.
"""

from __future__ import annotations

import autograd as _autograd

if not getattr(_autograd, "__chainrule__", False):
    raise ImportError(
        f"nn needs chainrule's 'autograd' package, but 'autograd' resolves to "
        f"{getattr(_autograd, '__file__', None) or _autograd!r}, which is another package "
        "(HIPS autograd installs a package of the same name and shadows chainrule's). "
        "Use a separate virtual environment, or run 'pip uninstall autograd' and then "
        "'pip install --force-reinstall chainrule'."
    )

from . import datasets, schedules
from .export import to_torch
from .io import load, save
from .losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
)
from .module import MLP, Layer, Module, Neuron
from .optim import SGD, Adam, AdamW, Optimizer
from .schedules import CosineAnnealingLR, ExponentialLR, LinearLR, LRScheduler, StepLR

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "Layer",
    "LinearLR",
    "Module",
    "Neuron",
    "Optimizer",
    "StepLR",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "datasets",
    "hinge_loss",
    "load",
    "mse_loss",
    "save",
    "schedules",
    "to_torch",
]
