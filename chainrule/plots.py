"""The pictures of the pages: charts with matplotlib, graphs with Graphviz, as SVG files.

matplotlib (the ``plot`` extra) is imported only when a chart is drawn, and
used through its object-oriented API on an Agg canvas: no global pyplot
state, no window. The SVG files are byte-for-byte reproducible: no date in
the metadata, and element ids derived from a fixed ``svg.hashsalt``.
Graphs are drawn by ``autograd.viz`` (the ``viz`` extra and Graphviz).
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .blocks import Chart, Figure, Graph, Grid, LinePanel, RegionPanel

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

__all__ = [
    "PLOT_HINT",
    "chart_figure",
    "check_graphviz",
    "check_matplotlib",
    "draw",
    "svg_size",
]

PLOT_HINT = "install the plot extra: pip install 'chainrule[plot]'"

# Class colours (colour-blind safe), light versions for the regions behind the points.
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
REGIONS = ["#c6dbef", "#fcbba1", "#c7e9c0", "#dadaeb", "#fdd0a2", "#e7cbc6"]

_SVG_RC = {"svg.hashsalt": "chainrule", "svg.fonttype": "path"}


# --- optional dependencies, checked before any work starts ------------------------


def check_matplotlib() -> None:
    """ImportError naming the ``plot`` extra when matplotlib is missing."""
    _matplotlib()


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(f"plots need matplotlib, which is not installed; {PLOT_HINT}") from exc
    return matplotlib


def check_graphviz() -> None:
    """ImportError (``viz`` extra) or GraphvizNotFoundError when graphs cannot be drawn."""
    from autograd.viz.dot import INSTALL_HINT, GraphvizNotFoundError, graphviz_module

    graphviz_module()
    if shutil.which("dot") is None:
        raise GraphvizNotFoundError(
            "drawing graphs needs Graphviz's 'dot' program, which is not on PATH. "
            + " ".join(line.strip() for line in INSTALL_HINT.splitlines())
        )


# --- drawing ------------------------------------------------------------------------


def draw(figure: Figure, path: str | os.PathLike[str]) -> tuple[float, float]:
    """Write ``figure`` as SVG at ``path``; return its width and height in SVG units (pt)."""
    content = figure.content
    if isinstance(content, Graph):
        from autograd.viz import render

        render(content.root, os.fspath(path), show_local=True, rankdir=content.rankdir)
    else:
        mpl = _matplotlib()
        with mpl.rc_context(_SVG_RC):
            chart_figure(content).savefig(os.fspath(path), format="svg", metadata={"Date": None})
    return svg_size(path)


def svg_size(path: str | os.PathLike[str]) -> tuple[float, float]:
    """The width and height of the SVG file at ``path``, from its ``viewBox``."""
    root = ET.parse(path).getroot()
    box = root.get("viewBox")
    if box is None:
        raise ValueError(f"{os.fspath(path)!r}: the SVG has no viewBox")
    _, _, width, height = (float(v) for v in box.replace(",", " ").split())
    return width, height


def chart_figure(chart: Chart) -> MplFigure:
    """The matplotlib figure of ``chart``, on an Agg canvas (not saved)."""
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(chart.width, chart.height), layout="tight")
    FigureCanvasAgg(fig)
    rows = len(chart.panels)
    cols = max(len(r) for r in chart.panels)
    axes = fig.subplots(rows, cols, squeeze=False)
    for i in range(rows):
        for j in range(cols):
            ax = axes[i][j]
            if j >= len(chart.panels[i]):
                ax.set_visible(False)
                continue
            panel = chart.panels[i][j]
            if isinstance(panel, LinePanel):
                _lines(ax, panel)
            else:
                _region_panel(ax, panel)
    return fig


def _lines(ax: Axes, panel: LinePanel) -> None:
    for i, line in enumerate(panel.lines):
        ax.plot(range(len(line.ys)), list(line.ys), color=COLORS[i % len(COLORS)], label=line.name)
    if panel.log_y:
        ax.set_yscale("log")
    if panel.ylim is not None:
        ax.set_ylim(*panel.ylim)
    if panel.hline is not None:
        ax.axhline(panel.hline, color="gray", linestyle=":", linewidth=1.0)
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel)
    ax.set_title(panel.title)
    if panel.legend:
        ax.legend(fontsize="small")
    ax.grid(alpha=0.3)


def _region_panel(ax: Axes, panel: RegionPanel) -> None:
    _regions(ax, panel.grid)
    _scatter(ax, panel.points, panel.labels)
    if panel.axes is None:
        ax.set_title(panel.title, fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        ax.set_title(panel.title)
        ax.set_xlabel(panel.axes[0])
        ax.set_ylabel(panel.axes[1])
    if panel.legend:
        ax.legend(loc="best", fontsize="small")


def _scatter(ax: Axes, points: Sequence[Sequence[float]], labels: Sequence[int]) -> None:
    for c in sorted(set(labels)):
        xs = [p[0] for p, t in zip(points, labels) if t == c]
        ys = [p[1] for p, t in zip(points, labels) if t == c]
        ax.scatter(
            xs,
            ys,
            s=18,
            color=COLORS[c % len(COLORS)],
            edgecolors="black",
            linewidths=0.5,
            label=f"class {c}",
            zorder=3,
        )


def _regions(ax: Axes, grid: Grid) -> None:
    """Colour the plane by predicted class and draw the boundary."""
    if grid.classes == 2:
        big = max(1.0, max(abs(v) for row in grid.values for v in row))
        levels = [-2.0 * big, 0.0, 2.0 * big]
        colors = REGIONS[:2]
    else:
        levels = [c - 0.5 for c in range(grid.classes + 1)]
        colors = [REGIONS[c % len(REGIONS)] for c in range(grid.classes)]
    ax.contourf(grid.xs, grid.ys, grid.values, levels=levels, colors=colors)
    boundary = [0.0] if grid.classes == 2 else levels[1:-1]
    ax.contour(grid.xs, grid.ys, grid.values, levels=boundary, colors="black", linewidths=1.0)
    ax.set_xlim(grid.xs[0], grid.xs[-1])
    ax.set_ylim(grid.ys[0], grid.ys[-1])
