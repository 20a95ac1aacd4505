"""Models: ``Module``, ``Neuron``, ``Layer`` and ``MLP``.

A neuron computes ``activation(b + Σ wᵢxᵢ)``. Its weighted sum is one fused
``affine`` node, not ``2n`` additions and multiplications: neurons are the hot
path of every training loop, and a smaller graph is a faster backward.

Initialisation (biases start at 0, weights are uniform in ``[-a, a]``):

* ``relu``: He (Kaiming) uniform, ``a = sqrt(6 / nin)``, which keeps the
  variance of activations steady through layers that zero half their inputs;
* ``tanh``, ``sigmoid``, ``linear``: Glorot (Xavier) uniform,
  ``a = sqrt(6 / (nin + nout))``, where ``nout`` is the width of the layer the
  neuron belongs to (1 for a lone neuron).

``seed=`` takes an int (or a ``random.Random``) and makes initialisation
reproducible without touching Python's global random state; without it each
model draws fresh weights.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value
from autograd.value import affine

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Module", "Neuron", "Seed"]

Seed = int | random.Random | None
Input = Sequence[Value | float] | Value | float

ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "linear": None,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
}
"""Activation functions by name; ``None`` means the identity."""


def _check_activation(name: object, where: str) -> Callable[[Value], Value] | None:
    if not isinstance(name, str) or name not in ACTIVATIONS:
        choices = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"{where}: unknown activation {name!r}; choose one of {choices}")
    return ACTIVATIONS[name]


def _check_size(n: object, what: str, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{where}: {what} must be an int, got {n!r} ({type(n).__name__})")
    if n < 1:
        raise ValueError(f"{where}: {what} must be at least 1, got {n}")
    return n


def make_rng(seed: Seed, where: str) -> random.Random:
    """A ``random.Random`` for ``seed``: an int seeds a new one, a Random is used as is."""
    if seed is None:
        return random.Random()
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(
            f"{where}: seed must be an int, a random.Random or None, "
            f"got {seed!r} ({type(seed).__name__})"
        )
    return random.Random(seed)


def init_bound(activation: str, nin: int, nout: int) -> float:
    """Half-width of the uniform weight initialisation (see the module docstring)."""
    if activation == "relu":
        return math.sqrt(6.0 / nin)
    return math.sqrt(6.0 / (nin + nout))


def _as_inputs(x: Input, nin: int, where: str) -> Sequence[Value | float]:
    """``x`` as a sequence of ``nin`` inputs; a lone number or Value is accepted when nin is 1."""
    try:
        if isinstance(x, (str, bytes)):
            raise TypeError
        n = len(x)  # type: ignore[arg-type]
    except TypeError:
        if nin == 1 and (isinstance(x, (Value, int, float))):
            return (x,)
        raise TypeError(
            f"{where}: expected a list of {nin} numbers or Values, got {x!r} ({type(x).__name__})"
        ) from None
    if n != nin:
        raise ValueError(f"{where}: expected {nin} inputs, got {n}")
    return x  # type: ignore[return-value]


def _numbers(obj: object, n: int, path: str, where: str) -> list[float]:
    """Validate a list of ``n`` real numbers (no bools) and return them as floats."""
    if not isinstance(obj, list):
        raise ValueError(f"{where}: {path} must be a list of {n} numbers, got {type(obj).__name__}")
    if len(obj) != n:
        raise ValueError(f"{where}: {path} has {len(obj)} numbers, expected {n}")
    return [_number(v, f"{path}[{i}]", where) for i, v in enumerate(obj)]


def _number(v: object, path: str, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{where}: {path} must be a number, got {v!r} ({type(v).__name__})")
    try:
        return float(v)
    except OverflowError:
        raise ValueError(f"{where}: {path} = {v} is too large for a float") from None


def _keys(d: object, keys: tuple[str, ...], path: str, where: str) -> dict[str, Any]:
    """Check that ``d`` is a dict with exactly ``keys`` (strict loading)."""
    if not isinstance(d, dict):
        raise ValueError(f"{where}: {path} must be a dict, got {type(d).__name__}")
    missing = [k for k in keys if k not in d]
    extra = [k for k in d if k not in keys]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unexpected {extra}")
        raise ValueError(f"{where}: {path} has keys {sorted(map(str, d))}: {', '.join(parts)}")
    return d


class Module:
    """Base class: something with parameters that maps inputs to outputs.

    Subclasses implement ``forward`` (or ``__call__``) and ``parameters``.
    ``state_dict`` / ``load_state_dict`` work for any subclass through the
    order of ``parameters()``; ``Neuron``, ``Layer`` and ``MLP`` store their
    weights by shape instead.
    """

    def parameters(self) -> list[Value]:
        """The trainable Values, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0.0 (before each backward)."""
        for p in self.parameters():
            p.grad = 0.0

    def forward(self, x: Any) -> Any:
        """The forward pass; ``model(x)`` calls it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def state_dict(self) -> dict[str, Any]:
        """The parameter values as plain JSON-able data (floats in lists and dicts)."""
        return {"parameters": [p.data for p in self.parameters()]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set every parameter from ``state`` (as made by ``state_dict``).

        Strict and all-or-nothing: every key, shape and number is checked
        before any parameter changes; a mismatch raises ``ValueError`` naming
        the offending entry and leaves the model as it was.
        """
        values = self._parse_state(state)
        params = self.parameters()
        if len(values) != len(params):  # pragma: no cover - _parse_state checks shapes
            raise ValueError(f"load_state_dict: {len(values)} numbers for {len(params)} parameters")
        for p, v in zip(params, values):
            p.data = v

    def _parse_state(self, state: object) -> list[float]:
        """Validate ``state`` and flatten it in ``parameters()`` order."""
        where = f"{type(self).__name__}.load_state_dict"
        d = _keys(state, ("parameters",), "state", where)
        return _numbers(d["parameters"], len(self.parameters()), "parameters", where)

    def config(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this model's shape (used by ``nn.save``)."""
        raise NotImplementedError(f"{type(self).__name__} has no config(); nn.save cannot store it")


class Neuron(Module):
    """``activation(b + Σ wᵢxᵢ)`` with ``nin`` weights and one bias.

    ``fan_out`` is the width of the layer the neuron belongs to; it only
    scales the Glorot initialisation of tanh, sigmoid and linear neurons.
    """

    def __init__(
        self,
        nin: int,
        activation: str = "tanh",
        *,
        seed: Seed = None,
        fan_out: int = 1,
    ) -> None:
        self.nin = _check_size(nin, "nin", "Neuron")
        self._act = _check_activation(activation, "Neuron")
        self.activation: str = activation
        fan_out = _check_size(fan_out, "fan_out", "Neuron")
        rng = make_rng(seed, "Neuron")
        a = init_bound(activation, nin, fan_out)
        self.w = [Value(rng.uniform(-a, a)) for _ in range(nin)]
        self.b = Value(0.0)

    def forward(self, x: Input) -> Value:
        """One output Value for ``nin`` inputs."""
        if x.__class__ is not list or len(x) != self.nin:
            x = _as_inputs(x, self.nin, "Neuron")
        out = affine(self.w, x, self.b)
        act = self._act
        return out if act is None else act(out)

    def parameters(self) -> list[Value]:
        """The weights, then the bias."""
        return [*self.w, self.b]

    def state_dict(self) -> dict[str, Any]:
        """``{"weights": [nin floats], "bias": float}``."""
        return {"weights": [w.data for w in self.w], "bias": self.b.data}

    def _parse_state(self, state: object) -> list[float]:
        return self._parse_neuron(state, "state", "Neuron.load_state_dict")

    def _parse_neuron(self, state: object, path: str, where: str) -> list[float]:
        d = _keys(state, ("weights", "bias"), path, where)
        ws = _numbers(d["weights"], self.nin, f"{path}['weights']", where)
        ws.append(_number(d["bias"], f"{path}['bias']", where))
        return ws

    def config(self) -> dict[str, Any]:
        """``{"nin": ..., "activation": ...}``."""
        return {"nin": self.nin, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons that all see the same ``nin`` inputs."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "tanh",
        *,
        seed: Seed = None,
    ) -> None:
        self.nin = _check_size(nin, "nin", "Layer")
        self.nout = _check_size(nout, "nout", "Layer")
        self._act = _check_activation(activation, "Layer")
        self.activation: str = activation
        rng = make_rng(seed, "Layer")
        self.neurons = [Neuron(nin, activation, seed=rng, fan_out=nout) for _ in range(nout)]

    def outputs(self, x: Input) -> list[Value]:
        """The layer's outputs, always as a list (also when ``nout`` is 1)."""
        if x.__class__ is not list or len(x) != self.nin:
            x = _as_inputs(x, self.nin, "Layer")
        act = self._act
        if act is None:
            return [affine(n.w, x, n.b) for n in self.neurons]
        return [act(affine(n.w, x, n.b)) for n in self.neurons]

    def forward(self, x: Input) -> Value | list[Value]:
        """A Value when ``nout`` is 1, else a list of ``nout`` Values."""
        out = self.outputs(x)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Each neuron's weights and bias, neuron by neuron."""
        return [p for n in self.neurons for p in (*n.w, n.b)]

    def state_dict(self) -> dict[str, Any]:
        """``{"weights": nout lists of nin floats, "biases": nout floats}``."""
        return {
            "weights": [[w.data for w in n.w] for n in self.neurons],
            "biases": [n.b.data for n in self.neurons],
        }

    def _parse_state(self, state: object) -> list[float]:
        return self._parse_layer(state, "state", "Layer.load_state_dict")

    def _parse_layer(self, state: object, path: str, where: str) -> list[float]:
        d = _keys(state, ("weights", "biases"), path, where)
        rows = d["weights"]
        if not isinstance(rows, list) or len(rows) != self.nout:
            got = f"{len(rows)} rows" if isinstance(rows, list) else type(rows).__name__
            raise ValueError(
                f"{where}: {path}['weights'] must be {self.nout} rows of {self.nin} numbers, "
                f"got {got}"
            )
        biases = _numbers(d["biases"], self.nout, f"{path}['biases']", where)
        flat: list[float] = []
        for i, row in enumerate(rows):
            flat += _numbers(row, self.nin, f"{path}['weights'][{i}]", where)
            flat.append(biases[i])
        return flat

    def config(self) -> dict[str, Any]:
        """``{"nin": ..., "nout": ..., "activation": ...}``."""
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multilayer perceptron: ``nin`` inputs, layers of sizes ``nouts``.

    Hidden layers use ``activation``; the last layer is linear, so the
    outputs are unbounded scores (pair them with a loss that expects that).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        *,
        seed: Seed = None,
    ) -> None:
        self.nin = _check_size(nin, "nin", "MLP")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        self.nouts = [_check_size(n, f"nouts[{i}]", "MLP") for i, n in enumerate(nouts)]
        _check_activation(activation, "MLP")
        self.activation: str = activation
        rng = make_rng(seed, "MLP")
        sizes = [nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else "linear", seed=rng)
            for i in range(len(self.nouts))
        ]

    def forward(self, x: Input) -> Value | list[Value]:
        """A Value when the last layer has one output, else a list of Values."""
        out: Any = x
        for layer in self.layers:
            out = layer.outputs(out)
        return out[0] if len(out) == 1 else out  # type: ignore[no-any-return]

    def parameters(self) -> list[Value]:
        """Every layer's parameters, first layer first."""
        return [p for layer in self.layers for p in layer.parameters()]

    def state_dict(self) -> dict[str, Any]:
        """``{"layers": [each layer's state_dict]}``."""
        return {"layers": [layer.state_dict() for layer in self.layers]}

    def _parse_state(self, state: object) -> list[float]:
        where = "MLP.load_state_dict"
        d = _keys(state, ("layers",), "state", where)
        layers = d["layers"]
        if not isinstance(layers, list) or len(layers) != len(self.layers):
            got = f"{len(layers)} layers" if isinstance(layers, list) else type(layers).__name__
            raise ValueError(
                f"{where}: state['layers'] must be {len(self.layers)} layers, got {got}"
            )
        flat: list[float] = []
        for i, (layer, s) in enumerate(zip(self.layers, layers)):
            flat += layer._parse_layer(s, f"state['layers'][{i}]", where)
        return flat

    def config(self) -> dict[str, Any]:
        """``{"nin": ..., "nouts": [...], "activation": ...}``."""
        return {"nin": self.nin, "nouts": list(self.nouts), "activation": self.activation}

    def __repr__(self) -> str:
        return f"MLP({self.nin}, {self.nouts}, activation={self.activation!r})"
