"""``to_torch``: the same model as a float64 ``torch.nn.Module``.

For users who outgrow scalar graphs: the exported module computes the same
function on batches of inputs, with tensors. It holds copies of the
parameters, so training one model does not change the other. PyTorch is
optional (the ``torch`` extra) and imported only when this is called.
"""

from __future__ import annotations

import importlib
from typing import Any

from .module import MLP, Layer, Module, Neuron

__all__ = ["to_torch"]

_ACTIVATION_MODULES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": None}


def _import_torch() -> Any:
    try:
        return importlib.import_module("torch")
    except ImportError as e:
        raise ImportError(
            "nn.to_torch needs PyTorch, which is not installed; "
            "install it with: pip install 'chainrule[torch]'"
        ) from e


def to_torch(model: Module) -> Any:
    """A ``torch.nn.Sequential`` in float64 computing the same function as ``model``.

    It maps a tensor of shape ``(..., nin)`` to ``(..., nout)`` (``nout`` is 1
    for a Neuron): ``Linear`` layers with the model's weights and biases, each
    followed by the layer's activation (none for linear layers).
    """
    if isinstance(model, MLP):
        layers = list(model.layers)
    elif isinstance(model, Layer):
        layers = [model]
    elif isinstance(model, Neuron):
        layers = []
    else:
        raise TypeError(
            f"nn.to_torch: can export Neuron, Layer or MLP models, got a {type(model).__name__}"
        )
    torch = _import_torch()
    tnn = torch.nn
    f64 = torch.float64
    rows: list[tuple[list[list[float]], list[float], str]]
    if isinstance(model, Neuron):
        rows = [([[w.data for w in model.w]], [model.b.data], model.activation)]
    else:
        rows = [
            (
                [[w.data for w in n.w] for n in layer.neurons],
                [n.b.data for n in layer.neurons],
                layer.activation,
            )
            for layer in layers
        ]
    mods: list[Any] = []
    for weights, biases, activation in rows:
        lin = tnn.Linear(len(weights[0]), len(weights), dtype=f64)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(weights, dtype=f64))
            lin.bias.copy_(torch.tensor(biases, dtype=f64))
        mods.append(lin)
        name = _ACTIVATION_MODULES[activation]
        if name is not None:
            mods.append(getattr(tnn, name)())
    return tnn.Sequential(*mods)
