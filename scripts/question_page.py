#!/usr/bin/env python3
"""Regenerate the docs' copy of the interactive question page and its picture.

* ``docs/interactive/question.html``: the page ``chainrule question`` writes
  as index.html (without the link to the static report, which the docs do
  not hold);
* ``docs/img/question-xor.svg``: one of its pictures, the decision regions
  of a linear and a tanh stack of four hidden layers on XOR after training,
  drawn from the same numbers as the page draws them (cells of the class
  grid, the data, the collapsed map's line), with the standard library only.

``tests/test_interactive.py`` rebuilds both and compares them with the
committed files, so run this after changing the page or its experiments,
and commit the results:

    .venv/bin/python scripts/question_page.py [--docs DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, ROOT)

from chainrule import interactive  # noqa: E402
from chainrule.interactive_page import render  # noqa: E402

DEFAULT_DOCS = os.path.join(ROOT, "docs")
PAGE = os.path.join("interactive", "question.html")
PICTURE = os.path.join("img", "question-xor.svg")
RUNS = ("xor/linear/4", "xor/tanh/4")
"""The two runs of the picture, as the page names them (data/activation/depth)."""

REGION = {"0": "#c6dbef", "1": "#fcbba1"}
POINT = {0: "#1f77b4", 1: "#d62728"}


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _tick_text(t: float) -> str:
    return _num(t).replace("-", "\u2212")


def _ticks(lo: float, hi: float) -> list[float]:
    """Every half unit inside [lo, hi] (the XOR box is about ±1.4)."""
    first = int(lo * 2) / 2
    out = []
    t = first
    while t <= hi + 1e-9:
        if t >= lo - 1e-9:
            out.append(t)
        t += 0.5
    return out


def panel(run: dict[str, Any], dataset: dict[str, Any], res: int, left: float, title: str) -> str:
    """One plot: the last frame's regions, the points, the collapsed line if any."""
    frame = run["frames"][-1]
    x0, x1, y0, y1 = dataset["box"]
    top, size = 40.0, 300.0

    def X(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * size

    def Y(v: float) -> float:
        return top + (y1 - v) / (y1 - y0) * size

    cell = size / res
    parts = [f'<text x="{_num(left)}" y="26" class="title">{title}</text>']
    parts.append('<g shape-rendering="crispEdges">')
    classes = frame["classes"]
    for i in range(res):  # row i is the i-th y from the bottom
        j = 0
        while j < res:
            c = classes[i * res + j]
            j1 = j
            while j1 < res and classes[i * res + j1] == c:
                j1 += 1
            parts.append(
                f'<rect x="{_num(left + j * cell)}" y="{_num(top + (res - 1 - i) * cell)}" '
                f'width="{_num((j1 - j) * cell + 0.3)}" height="{_num(cell + 0.3)}" '
                f'fill="{REGION[c]}"/>'
            )
            j = j1
    parts.append("</g>")
    line = frame.get("collapsed", {}).get("line")
    if line:
        parts.append(
            f'<line x1="{_num(X(line[0]))}" y1="{_num(Y(line[1]))}" x2="{_num(X(line[2]))}" '
            f'y2="{_num(Y(line[3]))}" stroke="#111" stroke-width="2.5" '
            'stroke-dasharray="8 5"/>'
        )
    for (px, py), label in zip(dataset["points"], dataset["labels"]):
        parts.append(
            f'<circle cx="{_num(X(px))}" cy="{_num(Y(py))}" r="4.5" fill="{POINT[label]}" '
            'stroke="#fff" stroke-width="1.2"/>'
        )
    parts.append(
        f'<rect x="{_num(left)}" y="{top:g}" width="{size:g}" height="{size:g}" '
        'fill="none" stroke="#444"/>'
    )
    for t in _ticks(x0, x1):
        parts.append(
            f'<text x="{_num(X(t))}" y="{_num(top + size + 17)}" '
            f'text-anchor="middle">{_tick_text(t)}</text>'
        )
    for t in _ticks(y0, y1):
        parts.append(
            f'<text x="{_num(left - 6)}" y="{_num(Y(t) + 4)}" '
            f'text-anchor="end">{_tick_text(t)}</text>'
        )
    parts.append(
        f'<text x="{_num(left + size / 2)}" y="{_num(top + size + 36)}" '
        'text-anchor="middle">x₁</text>'
    )
    parts.append(
        f'<text transform="translate({_num(left - 34)},{_num(top + size / 2)}) rotate(-90)" '
        'text-anchor="middle">x₂</text>'
    )
    return "\n".join(parts)


def picture(runs: Sequence[dict[str, Any]], dataset: dict[str, Any], res: int) -> str:
    """The SVG: the runs side by side, titled with their accuracy, and a legend."""
    width, height = 760, 420
    body = []
    for n, run in enumerate(runs):
        acc = run["accuracies"][-1]
        depth = run["depth"]
        title = f"{run['activation']}, {depth} hidden layers: {100 * acc:.1f}% correct"
        body.append(panel(run, dataset, res, 50.0 + n * 380.0, title))
    legend = (
        f'<rect x="50" y="398" width="12" height="12" fill="{REGION["0"]}" stroke="#888"/>'
        '<text x="67" y="409">class 0</text>'
        f'<rect x="130" y="398" width="12" height="12" fill="{REGION["1"]}" stroke="#888"/>'
        '<text x="147" y="409">class 1 (predicted regions; dots are the data)</text>'
        '<line x1="470" y1="404" x2="500" y2="404" stroke="#111" stroke-width="2.5" '
        'stroke-dasharray="8 5"/>'
        '<text x="506" y="409">the collapsed map s = w·x + b = 0</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">\n'
        "<style>.title { font-weight: bold; font-size: 14px; }</style>\n"
        f'<rect width="{width}" height="{height}" fill="#fff"/>\n'
        + "\n".join(body)
        + "\n"
        + legend
        + "\n</svg>\n"
    )


def build(data: dict[str, Any] | None = None) -> dict[str, str]:
    """The two files, by path under docs/, from the page's data (computed when not given)."""
    if data is None:
        data = interactive.page_data(progress=False)
    depth = data["depth"]
    runs = [depth["runs"][key] for key in RUNS]
    return {
        PAGE: render(data, details=None),
        PICTURE: picture(runs, depth["datasets"]["xor"], depth["resolution"]),
    }


def main(argv: list[str] | None = None) -> int:
    """Write both files under ``--docs`` (default docs/) and print their paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default=DEFAULT_DOCS, help="the docs folder to write into")
    args = parser.parse_args(argv)
    for name, text in build().items():
        path = os.path.join(args.docs, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
