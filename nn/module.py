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
import numbers
import operator
import random
from collections.abc import Callable, Mapping, Sequence, Set
from typing import Any

from autograd import Value, affine

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "Seed",
    "describe",
    "finite_number",
    "is_int",
    "is_real",
]

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


def is_real(x: object) -> bool:
    """True for a real number (int, float, numpy scalar, ...), False for bools and Values.

    Bools are refused where nn wants a number (``True`` as a size or a
    learning rate is a mistake, not a 1); Values are not numbers here.
    """
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, Value))


def finite_number(x: object, name: str, where: str) -> float:
    """``x`` as a finite float (numpy scalars too, not a bool); a clear error naming it otherwise.

    The check every hyperparameter and dataset argument goes through.
    """
    if not is_real(x):
        raise TypeError(f"{where}: {name} must be a number, got {describe(x)}")
    try:
        v = float(x)  # type: ignore[arg-type]
    except OverflowError:  # an int beyond the largest float
        v = math.inf
    if not math.isfinite(v):
        raise ValueError(f"{where}: {name} must be a finite number, got {describe(x)}")
    return v


def is_int(x: object) -> bool:
    """True for an integer (int, numpy integer, ...), False for bools."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def describe(x: object) -> str:
    """``repr(x)`` with its type, kept short: a huge int is described by its size.

    Python refuses to turn an int of more than 4300 digits into text, and
    one of 400 digits makes an unreadable message.
    """
    if isinstance(x, int) and not isinstance(x, bool) and abs(x) >= 10**30:
        digits = int(math.log10(abs(x))) + 1
        return f"an int of about {digits} digits"
    text = repr(x)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(x).__name__})"


def _check_size(n: object, what: str, where: str) -> int:
    if not is_int(n):
        raise TypeError(f"{where}: {what} must be an int, got {describe(n)}")
    size = operator.index(n)  # type: ignore[arg-type]
    if size < 1:
        raise ValueError(f"{where}: {what} must be at least 1, got {size}")
    return size


def make_rng(seed: Seed, where: str) -> random.Random:
    """A ``random.Random`` for ``seed``: an int seeds a new one, a Random is used as is."""
    if seed is None:
        return random.Random()
    if isinstance(seed, random.Random):
        return seed
    if not is_int(seed):
        raise TypeError(
            f"{where}: seed must be an int, a random.Random or None, got {describe(seed)}"
        )
    return random.Random(operator.index(seed))


def init_bound(activation: str, nin: int, nout: int) -> float:
    """Half-width of the uniform weight initialisation (see the module docstring)."""
    if activation == "relu":
        return math.sqrt(6.0 / nin)
    return math.sqrt(6.0 / (nin + nout))


def _as_inputs(x: Input, nin: int, where: str) -> Sequence[Value | float]:
    """``x`` as a sequence of ``nin`` inputs; a lone number or Value is accepted when nin is 1.

    Dicts and sets are refused: their order is not an input order.
    """
    if isinstance(x, (Mapping, Set)):
        raise TypeError(
            f"{where}: expected a list of {nin} numbers or Values, got a {type(x).__name__}; "
            "a dict or set has no input order, pass a list or tuple"
        )
    try:
        if isinstance(x, (str, bytes)):
            raise TypeError
        n = len(x)  # type: ignore[arg-type]
    except TypeError:
        if nin == 1 and (isinstance(x, Value) or isinstance(x, numbers.Real)):
            return (x,)  # type: ignore[return-value]
        raise TypeError(
            f"{where}: expected a list of {nin} numbers or Values, got {describe(x)}"
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
    if not is_real(v):
        raise ValueError(f"{where}: {path} must be a number, got {describe(v)}")
    try:
        return float(v)  # type: ignore[arg-type]
    except OverflowError:
        raise ValueError(f"{where}: {path} is {describe(v)}, too large for a float") from None


def _some(names: list[str]) -> str:
    """A list of names for a message, cut short when long."""
    if len(names) <= 6:
        return repr(names)
    return repr(names[:6])[:-1] + f", ... ({len(names)} in all)]"


def _keys(d: object, keys: Sequence[str], path: str, where: str) -> dict[str, Any]:
    """Check that ``d`` is a dict with exactly ``keys`` (strict loading)."""
    if not isinstance(d, dict):
        raise ValueError(f"{where}: {path} must be a dict, got {type(d).__name__}")
    wanted = set(keys)
    missing = [k for k in keys if k not in d]
    extra = [str(k) for k in d if k not in wanted]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {_some(missing)}")
        if extra:
            parts.append(f"unexpected {_some(extra)}")
        have = _some(sorted(map(str, d)))
        raise ValueError(f"{where}: {path} has keys {have}: {', '.join(parts)}")
    return d


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _overrides(cls: type, name: str) -> bool:
    return getattr(cls, name) is not getattr(Module, name)


def _walk(
    obj: object,
    prefix: str,
    out: list[tuple[str, Value]],
    seen: set[int],
) -> None:
    """Append ``(dotted name, Value)`` for every parameter ``obj`` holds, first name wins."""
    if isinstance(obj, Value):
        if id(obj) not in seen:
            seen.add(id(obj))
            out.append((prefix, obj))
    elif isinstance(obj, Module):
        if id(obj) in seen:  # a module held twice, or a cycle (a child holding its parent)
            return
        seen.add(id(obj))
        cls = type(obj)
        if _overrides(cls, "parameters") or _overrides(cls, "named_parameters"):
            for name, p in obj.named_parameters():
                _walk(p, _join(prefix, name), out, seen)
        else:
            obj._walk_attributes(prefix, out, seen)
    elif isinstance(obj, (list, tuple)):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        for i, item in enumerate(obj):
            _walk(item, _join(prefix, str(i)), out, seen)


class Module:
    """Base class: something with parameters that maps inputs to outputs.

    Write a model the PyTorch way: assign its parts to attributes in
    ``__init__`` and define ``forward``. Every Value, Module, or list or
    tuple of them (nested too) held by an attribute is registered, in
    assignment order, so ``parameters()``, ``named_parameters()``,
    ``zero_grad()``, ``state_dict()`` and ``nn.save`` find them with no
    further code. A Value reached twice (a shared weight) counts once.

    Overriding ``parameters()`` (micrograd's way) still works and wins: the
    override alone decides which Values are parameters, and in what order.
    """

    def parameters(self) -> list[Value]:
        """The trainable Values, in a fixed order (the order of ``named_parameters()``)."""
        return [p for _, p in self.named_parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(dotted name, Value)`` pairs, e.g. ``("l1.neurons.0.w.1", Value(...))``.

        Names join attribute names and list positions with dots. When a
        subclass overrides ``parameters()``, the override decides which
        Values and in what order; each is named where an attribute holds it,
        or by its position in the list if none does.
        """
        if _overrides(type(self), "parameters"):
            held = {id(p): name for name, p in self._registered()}
            return [(held.get(id(p), str(i)), p) for i, p in enumerate(self.parameters())]
        return self._registered()

    def _registered(self) -> list[tuple[str, Value]]:
        """The parameters found in the attributes, whatever ``parameters()`` says."""
        out: list[tuple[str, Value]] = []
        seen = {id(self)}
        self._walk_attributes("", out, seen)
        return out

    def _walk_attributes(self, prefix: str, out: list[tuple[str, Value]], seen: set[int]) -> None:
        for name, value in getattr(self, "__dict__", {}).items():
            _walk(value, _join(prefix, name), out, seen)

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0.0 (before each backward)."""
        for p in self.parameters():
            p.grad = 0.0

    def forward(self, x: Any) -> Any:
        """The forward pass; ``model(x)`` calls it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def _floats(self, where: str) -> list[float]:
        """Every parameter's ``.data`` as a float, in ``parameters()`` order.

        ``.data`` may have been set by hand: a numpy float becomes a float; a
        non-number raises ``TypeError`` naming the parameter.
        """
        params = self.parameters()
        out: list[float] = []
        for i, p in enumerate(params):
            d = p.data
            if d.__class__ is not float:
                d = self._as_float(i, d, where)
            out.append(d)
        return out

    def _as_float(self, i: int, d: object, where: str) -> float:
        if is_real(d):
            try:
                return float(d)  # type: ignore[arg-type]
            except OverflowError:
                why = f"{describe(d)}, too large for a float"
        else:
            why = f"{describe(d)}, not a number"
        raise TypeError(f"{where}: parameter {self._param_name(i)} holds {why}")

    def _param_name(self, i: int) -> str:
        """The name (and label) of parameter ``i``, for messages."""
        name, p = self.named_parameters()[i]
        return f"{name!r} (label {p.label!r})" if p.label else repr(name)

    def state_dict(self) -> dict[str, Any]:
        """The parameter values as plain JSON-able data: ``{dotted name: float}``."""
        names = [name for name, _ in self.named_parameters()]
        return dict(zip(names, self._floats(f"{type(self).__name__}.state_dict")))

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
        names = [name for name, _ in self.named_parameters()]
        d = _keys(state, names, "state", where)
        return [_number(d[k], f"state[{k!r}]", where) for k in names]

    def config(self) -> dict[str, Any]:
        """Constructor keyword arguments that rebuild this model (stored by ``nn.save``).

        ``nn.load(path, cls=...)`` calls ``cls(**config)``. The base has none,
        so a module of your own is rebuilt with ``cls()``; override this when
        its constructor needs arguments (return JSON-able values).
        """
        return {}


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
        self.w = [Value(rng.uniform(-a, a), label=f"w{i}") for i in range(self.nin)]
        self.b = Value(0.0, label="b")

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

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``w.0 ... w.{nin-1}`` and ``b``, in ``parameters()`` order."""
        return self._registered()

    def state_dict(self) -> dict[str, Any]:
        """``{"weights": [nin floats], "bias": float}``."""
        values = self._floats("Neuron.state_dict")
        return {"weights": values[:-1], "bias": values[-1]}

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
        for j, n in enumerate(self.neurons):
            for p in n.parameters():
                p.label = f"N{j}.{p.label}"

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

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``neurons.{j}.w.{i}`` and ``neurons.{j}.b``, in ``parameters()`` order."""
        return self._registered()

    def state_dict(self) -> dict[str, Any]:
        """``{"weights": nout lists of nin floats, "biases": nout floats}``."""
        return self._layer_state(self._floats("Layer.state_dict"))

    def _layer_state(self, values: list[float]) -> dict[str, Any]:
        k = self.nin + 1
        rows = [values[j * k : (j + 1) * k] for j in range(self.nout)]
        return {"weights": [r[:-1] for r in rows], "biases": [r[-1] for r in rows]}

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
        for i, layer in enumerate(self.layers):
            for p in layer.parameters():
                p.label = f"L{i}.{p.label}"

    def forward(self, x: Input) -> Value | list[Value]:
        """A Value when the last layer has one output, else a list of Values."""
        out: Any = x
        for layer in self.layers:
            out = layer.outputs(out)
        return out[0] if len(out) == 1 else out  # type: ignore[no-any-return]

    def parameters(self) -> list[Value]:
        """Every layer's parameters, first layer first."""
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``layers.{i}.neurons.{j}.w.{k}`` and ``....b``, in ``parameters()`` order."""
        return self._registered()

    def state_dict(self) -> dict[str, Any]:
        """``{"layers": [each layer's state_dict]}``."""
        values = self._floats("MLP.state_dict")
        out = []
        start = 0
        for layer in self.layers:
            n = layer.nout * (layer.nin + 1)
            out.append(layer._layer_state(values[start : start + n]))
            start += n
        return {"layers": out}

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
