#!/usr/bin/env python3
"""Regenerate docs/img/neuron.svg: one 2-input tanh neuron after backward.

The numbers are micrograd's classic example (x1=2, x2=0, w1=-3, w2=1,
b=6.8813735870195432, so n=0.8814 and o=tanh(n)=0.7071). The edges carry
the local derivatives. tests/test_viz_neuron.py regenerates the picture and
compares it with the committed file, so run this after changing the drawing:

    .venv/bin/python scripts/neuron_graph.py [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, ROOT)

from autograd import Value, render  # noqa: E402
from autograd.value import affine  # noqa: E402

DEFAULT_OUT = os.path.join(ROOT, "docs", "img", "neuron.svg")


def neuron() -> Value:
    """o = tanh(w1*x1 + w2*x2 + b), after ``o.backward()``, every Value labelled."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = affine([w1, w2], [x1, x2], b)  # the fused node nn.Neuron builds
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def main(argv: list[str] | None = None) -> int:
    """Write the SVG to ``--out`` (default docs/img/neuron.svg)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="where to write the SVG")
    args = parser.parse_args(argv)
    render(neuron(), args.out, show_local=True)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
