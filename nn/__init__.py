"""chainrule's neural-network layer, built on the ``autograd`` engine.

Models (``Module``, ``Neuron``, ``Layer``, ``MLP``), losses, optimizers
(``SGD``, ``Adam``, ``AdamW``) and learning-rate schedules (``StepLR``,
``ExponentialLR``, ``CosineAnnealingLR``, ``LinearLR``), JSON save/load,
toy datasets and export to PyTorch. Standard library only; PyTorch is
needed for ``to_torch`` alone.
"""

from __future__ import annotations

import os as _os
import sys as _sys

try:
    import autograd as _autograd
except ImportError as _e:  # HIPS autograd written into our engine's folder
    _problem: str | None = " ".join(str(_e).split())
else:
    _problem = None
    if not getattr(_autograd, "__chainrule__", False):
        _problem = (
            f"nn needs chainrule's 'autograd' package, but 'autograd' resolves to "
            f"{getattr(_autograd, '__file__', None) or _autograd!r}, which is another package "
            "(HIPS autograd installs a package of the same name); repair with "
            "'pip uninstall autograd chainrule' and then 'pip install chainrule', "
            "or use a separate virtual environment"
        )
if _problem is not None:
    _argv = _sys.orig_argv
    if "-m" in _argv and _argv[_argv.index("-m") + 1 :][:1] == ["nn"]:
        # `python -m nn ...` runs the chainrule command: its one-line error, not a traceback
        raise SystemExit(f"chainrule: error: {_problem}")
    raise ImportError(_problem)

from autograd.modes import skip_frames_from as _skip_frames_from

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

# nn is library code: detect_anomaly reports name the line of its caller that made a node
_skip_frames_from(_os.path.dirname(_os.path.abspath(__file__)))

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
