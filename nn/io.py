"""Save and load models as JSON (never pickle: loading a file runs no code).

The file holds a format name and version, the model's class and constructor
arguments, and its ``state_dict``::

    {"format": "chainrule.nn", "version": 1, "class": "MLP",
     "config": {"nin": 2, "nouts": [16, 1], "activation": "relu"},
     "state": {"layers": [...]}}

Floats are written with ``repr``, the shortest text that reads back as the
same double, so a round trip is exact to the bit. JSON has no NaN or
infinity: ``save`` refuses a model holding one (fix or reset it first), and
``load`` rejects those tokens as a corrupt file.

``save`` writes a temporary file next to the target and renames it over the
target (``os.replace``, atomic on POSIX and Windows), so a failed save leaves
any previous file untouched. ``load`` checks everything before it builds
the model: a corrupt, truncated, wrong-version or mismatching file raises
``ValueError`` naming the file and the problem.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from typing import Any, Union

from autograd.files import atomic_write

from .module import MLP, Layer, Module, Neuron

__all__ = ["FORMAT", "VERSION", "load", "save"]

FORMAT = "chainrule.nn"
VERSION = 1
_CLASSES: dict[str, type[Module]] = {"Neuron": Neuron, "Layer": Layer, "MLP": MLP}

PathLike = Union[str, "os.PathLike[str]"]


def _path(path: object, where: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{where}: path must be a str or os.PathLike, got {path!r}")
    p = os.fspath(path)
    if not isinstance(p, str):
        raise TypeError(f"{where}: path must be text, got {p!r}")
    return p


def encode(model: Module) -> str:
    """The JSON text ``save`` writes for ``model``."""
    cls = type(model)
    if cls not in _CLASSES.values():
        names = ", ".join(_CLASSES)
        raise TypeError(f"nn.save: can save {names} models, got a {cls.__name__}")
    for i, p in enumerate(model.parameters()):
        if not math.isfinite(p.data):
            raise ValueError(
                f"nn.save: parameter {i} of the {cls.__name__} is {p.data!r}; JSON has no "
                "NaN or infinity, so the model cannot be saved"
            )
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "class": cls.__name__,
        "config": model.config(),
        "state": model.state_dict(),
    }
    return _dump(doc, "") + "\n"


def _dump(obj: object, indent: str) -> str:
    """JSON with one line per list of numbers (a weight row), nested containers indented."""
    if isinstance(obj, dict) and obj:
        inner = indent + "  "
        items = [f"{inner}{json.dumps(k)}: {_dump(v, inner)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        inner = indent + "  "
        items = [inner + _dump(v, inner) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(obj, allow_nan=False)


def save(model: Module, path: PathLike) -> None:
    """Write ``model`` to ``path`` as JSON, atomically (see the module docstring)."""
    target = _path(path, "nn.save")
    text = encode(model).encode("utf-8")
    atomic_write(target, text, what="nn.save")


def _reject_constant(token: str) -> None:
    raise ValueError(f"{token} is not a JSON number (a model file holds finite numbers only)")


def _finite_float(text: str) -> float:
    x = float(text)
    if not math.isfinite(x):
        raise ValueError(f"number {text} is too large for a float (must be finite)")
    return x


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"key {k!r} appears twice")
        d[k] = v
    return d


def _count_numbers(obj: object) -> int:
    """How many leaves (numbers, or anything in their place) nested lists and dicts hold."""
    n = 0
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
        else:  # a number, or something in a number's place (load_state_dict names it)
            n += 1
    return n


def _parameter_count(cls: type[Module], config: dict[str, Any]) -> int | None:
    """Parameters a model built from ``config`` would have; None if config is malformed."""
    try:
        if cls is Neuron:
            return int(config["nin"]) + 1
        if cls is Layer:
            return int(config["nout"]) * (int(config["nin"]) + 1)
        sizes = [int(config["nin"]), *(int(n) for n in config["nouts"])]
        return sum(b * (a + 1) for a, b in itertools.pairwise(sizes))
    except (KeyError, TypeError, ValueError):
        return None


def decode(text: str | bytes, source: str = "<string>") -> Module:
    """Build a model from the JSON text of a saved file; ``ValueError`` if it is not one."""

    def bad(why: str) -> ValueError:
        return ValueError(f"nn.load: {source}: {why}")

    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        doc = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=_no_duplicates,
        )
    except UnicodeDecodeError as e:
        raise bad(f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise bad(f"not valid JSON, the file may be truncated or corrupt ({e})") from None
    except ValueError as e:
        raise bad(f"not a valid model file ({e})") from None
    except RecursionError:
        raise bad("not a valid model file (nested too deeply)") from None
    if not isinstance(doc, dict):
        raise bad(f"expected a JSON object at the top, got {type(doc).__name__}")
    if doc.get("format") != FORMAT:
        raise bad(f"not a chainrule model file (format is {doc.get('format')!r}, not {FORMAT!r})")
    version = doc.get("version")
    if isinstance(version, bool) or version != VERSION:
        raise bad(f"unsupported format version {version!r}; this version of nn reads {VERSION}")
    expected = {"format", "version", "class", "config", "state"}
    if set(doc) != expected:
        missing = sorted(expected - set(doc))
        extra = sorted(set(doc) - expected)
        raise bad(f"top-level keys: missing {missing}, unexpected {extra}")
    name = doc["class"]
    if not isinstance(name, str) or name not in _CLASSES:
        raise bad(f"unknown model class {name!r}; expected one of {', '.join(_CLASSES)}")
    cls = _CLASSES[name]
    config = doc["config"]
    if not isinstance(config, dict):
        raise bad(f"config must be a JSON object, got {type(config).__name__}")
    count = _parameter_count(cls, config)
    held = _count_numbers(doc["state"])
    if count is not None and count != held:
        raise bad(
            f"the {name} described by config {config} has {count} parameters, "
            f"but the file holds {held} numbers"
        )
    try:
        model = cls(**config, seed=0)  # type: ignore[call-arg]
    except (TypeError, ValueError) as e:
        raise bad(f"bad config {config}: {e}") from None
    try:
        model.load_state_dict(doc["state"])
    except ValueError as e:
        raise bad(str(e)) from None
    return model


def load(path: PathLike) -> Module:
    """Read a model written by ``save``; returns a new Neuron, Layer or MLP.

    A missing or unreadable file raises ``OSError``; anything that is not a
    valid, consistent model file raises ``ValueError``.
    """
    p = _path(path, "nn.load")
    with open(p, "rb") as f:
        data = f.read()
    return decode(data, p)
