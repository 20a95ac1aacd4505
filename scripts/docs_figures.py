#!/usr/bin/env python3
"""Regenerate the graph pictures of the docs (docs/img/*.svg) with ``autograd.render``.

Each figure is a small graph after ``backward()``, drawn with the local
derivative on every edge. ``tests/test_docs_generated.py`` redraws them and
compares with the committed files, so run this after changing a figure or
the drawing code, and commit the SVGs:

    .venv/bin/python scripts/docs_figures.py [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, ROOT)

from autograd import Value, render  # noqa: E402

DEFAULT_OUT_DIR = os.path.join(ROOT, "docs", "img")


def reuse() -> Value:
    """b = a + a; c = b + b: a is reached by four paths, so a.grad = 4."""
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    c.backward()
    return c


def sigmoid_neuron() -> Value:
    """L = ½(f − y)² with f = sigmoid(w·x + b): the neuron of "The derivative question"."""
    x = Value(1.5, label="x")
    w = Value(0.8, label="w")
    b = Value(-0.2, label="b")
    wx = w * x
    wx.label = "w·x"
    z = wx + b
    z.label = "z"
    f = z.sigmoid()
    f.label = "f"
    err = f - 1.0  # the target y = 1 is a constant folded into the node
    err.label = "f − y"
    loss = 0.5 * err**2
    loss.label = "L"
    loss.backward()
    return loss


def diamond() -> Value:
    """e = d + exp(d) with d = a·b: d's gradient is complete only after both uses."""
    a = Value(0.5, label="a")
    b = Value(-2.0, label="b")
    d = a * b
    d.label = "d"
    e = d + d.exp()
    e.label = "e"
    e.backward()
    return e


FIGURES: dict[str, tuple[Callable[[], Value], dict[str, Any]]] = {
    "reuse.svg": (reuse, {"show_local": True}),
    "diamond.svg": (diamond, {"show_local": True}),
    "sigmoid-neuron.svg": (sigmoid_neuron, {"show_local": True, "rankdir": "TB"}),
}
"""File name in docs/img -> the graph it shows and the drawing options."""


def main(argv: list[str] | None = None) -> int:
    """Draw every figure into ``--out-dir`` (default docs/img) and print the paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=DEFAULT_OUT_DIR, help="where to write the SVGs")
    args = parser.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    for name, (build, options) in FIGURES.items():
        path = os.path.join(args.out_dir, name)
        render(build(), path, **options)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
