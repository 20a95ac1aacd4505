"""Independent oracles for the ``nn`` tests, in plain floats (standard library only)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from autograd import Value

EPS = 1e-6


def central_differences(f: Callable[[], float], params: Sequence[Value]) -> list[float]:
    """d f / d p.data for every parameter by central differences, restoring each value."""
    out = []
    for p in params:
        x = p.data
        p.data = x + EPS
        up = f()
        p.data = x - EPS
        down = f()
        p.data = x
        out.append((up - down) / (2 * EPS))
    return out


def assert_grads_match(analytic: Sequence[float], numeric: Sequence[float]) -> None:
    """Central differences with eps=1e-6 are good to about 1e-9; allow 1e-7 abs + 1e-6 rel."""
    assert len(analytic) == len(numeric)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        assert math.isclose(a, n, rel_tol=1e-6, abs_tol=1e-7), f"param {i}: {a} vs {n}"


def act(name: str, z: float) -> float:
    """The activations, written out independently of the engine."""
    if name == "linear":
        return z
    if name == "relu":
        return z if z > 0 else 0.0
    if name == "tanh":
        return math.tanh(z)
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z))
    raise AssertionError(name)


def layer_forward(
    weights: list[list[float]], biases: list[float], activation: str, x: Sequence[float]
) -> list[float]:
    """A layer from its state_dict, in floats (exactly summed, then activated)."""
    return [
        act(activation, math.fsum([b, *(w * xi for w, xi in zip(row, x))]))
        for row, b in zip(weights, biases)
    ]


def mlp_forward(state: dict, activation: str, x: Sequence[float]) -> list[float]:  # type: ignore[type-arg]
    """An MLP from its state_dict: hidden layers use ``activation``, the last is linear."""
    layers = state["layers"]
    h = list(x)
    for i, layer in enumerate(layers):
        a = activation if i < len(layers) - 1 else "linear"
        h = layer_forward(layer["weights"], layer["biases"], a, h)
    return h


def pre_activations(state: dict, x: Sequence[float]) -> list[float]:  # type: ignore[type-arg]
    """Every hidden pre-activation of an MLP with relu hidden layers (to stay off the kink)."""
    layers = state["layers"]
    h = list(x)
    zs: list[float] = []
    for i, layer in enumerate(layers):
        z = [
            math.fsum([b, *(w * xi for w, xi in zip(row, h))])
            for row, b in zip(layer["weights"], layer["biases"])
        ]
        if i < len(layers) - 1:
            zs += z
            h = [max(v, 0.0) for v in z]
    return zs
