"""Save and load models as JSON (never pickle: loading a file runs no code).

The file holds a format name and version, the model's class and constructor
arguments (``config()``), and its ``state_dict``::

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

from .module import MLP, Layer, Module, Neuron, describe

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
    if not isinstance(model, Module):
        raise TypeError(f"nn.save: expected an nn.Module, got {describe(model)}")
    cls = type(model)
    # every .data a number (a numpy float becomes a float), else a TypeError naming it
    for i, x in enumerate(model._floats("nn.save")):
        if not math.isfinite(x):
            raise ValueError(
                f"nn.save: parameter {model._param_name(i)} of the {cls.__name__} is {x!r}; "
                "JSON has no NaN or infinity, so the model cannot be saved"
            )
    config = model.config()
    try:
        json.dumps(config, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"nn.save: {cls.__name__}.config() must return JSON-able constructor arguments, "
            f"got {config!r} ({e})"
        ) from None
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "class": cls.__name__,
        "config": config,
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


def _int(text: str) -> int:
    # Python refuses ints of more than 4300 digits with a long message; a
    # model file holds floats, so anything this long is not one of them.
    if len(text.lstrip("-")) > 400:
        raise ValueError(f"an integer of {len(text.lstrip('-'))} digits is too large for a float")
    return int(text)


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


def decode(text: str | bytes, source: str = "<string>", cls: type[Module] | None = None) -> Module:
    """Build a model from the JSON text of a saved file; ``ValueError`` if it is not one.

    ``cls`` is the model's class, needed for a class of your own (see ``load``).
    """
    if cls is not None and not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"nn.load: cls must be an nn.Module subclass, got {describe(cls)}")

    def bad(why: str) -> ValueError:
        return ValueError(f"nn.load: {source}: {why}")

    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        doc = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_int,
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
    if not isinstance(name, str) or not name:
        raise bad(f"the model class must be a name, got {name!r}")
    if cls is None:
        if name not in _CLASSES:
            raise bad(
                f"the file holds a {name!r}, which is not one of nn's classes "
                f"({', '.join(_CLASSES)}); load never imports code, so pass the class: "
                f"nn.load(path, cls={name})"
            )
        cls = _CLASSES[name]
    elif cls.__name__ != name:
        raise bad(f"the file holds a {name!r} model, not a {cls.__name__!r}")
    config = doc["config"]
    if not isinstance(config, dict):
        raise bad(f"config must be a JSON object, got {type(config).__name__}")
    if cls in _CLASSES.values():
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
    else:
        try:
            model = cls(**config)
        except (TypeError, ValueError) as e:
            raise bad(
                f"cannot build {name}(**{config}): {e}; a module whose constructor needs "
                f"arguments defines config() to return them"
            ) from None
    try:
        model.load_state_dict(doc["state"])
    except ValueError as e:
        raise bad(str(e)) from None
    return model


def load(path: PathLike, cls: type[Module] | None = None) -> Module:
    """Read a model written by ``save``; returns a new model of the saved class.

    A Neuron, Layer or MLP needs nothing more. A module class of your own
    is named in the file but never imported from it (loading a file runs no
    code): pass it, ``nn.load(path, cls=MyModule)``. The model is built as
    ``cls(**config)`` (see ``Module.config``) and then loaded with
    ``load_state_dict``.

    A missing or unreadable file raises ``OSError``; anything that is not a
    valid, consistent model file (or a file of another class than ``cls``)
    raises ``ValueError``.
    """
    p = _path(path, "nn.load")
    if cls is not None and not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"nn.load: cls must be an nn.Module subclass, got {describe(cls)}")
    with open(p, "rb") as f:
        data = f.read()
    return decode(data, p, cls)
