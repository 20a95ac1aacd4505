"""Output of the ``chainrule`` commands: SVG plots, an HTML page and JSON files.

Plots use matplotlib (the ``plot`` extra), imported only when a plot is
drawn, through its object-oriented API on an Agg canvas: no global pyplot
state, no window. The SVG files are byte-for-byte reproducible: no date in
the metadata, and element ids derived from a fixed ``svg.hashsalt`` instead of
random ones. Pages are plain HTML that show the SVG files beside them with
``<img>``, so a run's folder can be opened or copied as it is.
"""

from __future__ import annotations

import html
import json
import math
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from autograd import Value

    from .question import Finding
    from .training import Run

__all__ = [
    "Grid",
    "check_graphviz",
    "check_matplotlib",
    "decision_grid",
    "figure",
    "fmt",
    "page",
    "paragraph",
    "plot_boundary",
    "plot_sigmoid_runs",
    "plot_training",
    "plot_xor_grid",
    "table",
    "text_table",
    "write_json",
    "write_question",
    "write_text",
    "write_training",
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


# --- numbers and files -------------------------------------------------------------


def fmt(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits, for tables and sentences."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0.0:
        return "0"
    return f"{x:.{digits}g}"


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 with ``\\n`` line ends (the same bytes on every platform)."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_json(path: str | os.PathLike[str], data: object) -> None:
    """Write ``data`` as indented JSON; NaN and infinity are refused (JSON has neither)."""
    write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


# --- decision boundaries -------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """A model's output on a regular grid: ``values[i][j]`` at ``(xs[j], ys[i])``.

    Binary models give a score (class 1 where it is > 0), multi-class models
    the index of the predicted class.
    """

    xs: list[float]
    ys: list[float]
    values: list[list[float]]
    classes: int


def _linspace(lo: float, hi: float, n: int) -> list[float]:
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def decision_grid(
    predict: Callable[[list[float]], float],
    points: Sequence[Sequence[float]],
    classes: int,
    resolution: int = 60,
    margin: float = 0.4,
) -> Grid:
    """Evaluate ``predict`` on a ``resolution`` x ``resolution`` grid around ``points``."""
    x0 = min(p[0] for p in points) - margin
    x1 = max(p[0] for p in points) + margin
    y0 = min(p[1] for p in points) - margin
    y1 = max(p[1] for p in points) + margin
    xs = _linspace(x0, x1, resolution)
    ys = _linspace(y0, y1, resolution)
    values = [[predict([x, y]) for x in xs] for y in ys]
    return Grid(xs, ys, values, classes)


# --- figures -------------------------------------------------------------------------


@contextmanager
def _figure(width: float, height: float, path: str | os.PathLike[str]) -> Iterator[Figure]:
    """A new figure on an Agg canvas, saved as reproducible SVG at ``path`` on exit."""
    mpl = _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with mpl.rc_context(_SVG_RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        yield fig
        fig.savefig(os.fspath(path), format="svg", metadata={"Date": None})


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


def plot_training(
    path: str | os.PathLike[str], losses: Sequence[float], accuracies: Sequence[float]
) -> None:
    """Loss and training accuracy against the step, side by side."""
    steps = list(range(len(losses)))
    with _figure(8.0, 3.2, path) as fig:
        ax1, ax2 = fig.subplots(1, 2)
        ax1.plot(steps, losses, color=COLORS[0])
        ax1.set_xlabel("step")
        ax1.set_ylabel("loss")
        ax1.set_title("Training loss")
        ax1.grid(alpha=0.3)
        ax2.plot(steps, [100.0 * a for a in accuracies], color=COLORS[2])
        ax2.set_xlabel("step")
        ax2.set_ylabel("accuracy (%)")
        ax2.set_ylim(0.0, 102.0)
        ax2.set_title("Training accuracy")
        ax2.grid(alpha=0.3)


def plot_boundary(
    path: str | os.PathLike[str],
    grid: Grid,
    points: Sequence[Sequence[float]],
    labels: Sequence[int],
    title: str,
) -> None:
    """The model's decision regions with the training points on top."""
    with _figure(5.0, 4.4, path) as fig:
        ax = fig.subplots()
        _regions(ax, grid)
        _scatter(ax, points, labels)
        ax.set_title(title)
        ax.legend(loc="best", fontsize="small")


def plot_sigmoid_runs(
    path: str | os.PathLike[str],
    runs: Sequence[tuple[str, Sequence[float], Sequence[float]]],
) -> None:
    """Loss curves (log scale) and the mean activation slope f(1-f) of several runs."""
    with _figure(9.0, 3.4, path) as fig:
        ax1, ax2 = fig.subplots(1, 2)
        for i, (name, losses, slopes) in enumerate(runs):
            steps = list(range(len(losses)))
            ax1.plot(steps, losses, color=COLORS[i], label=name)
            ax2.plot(steps, slopes, color=COLORS[i], label=name)
        ax1.set_yscale("log")
        ax1.set_xlabel("step")
        ax1.set_ylabel("squared error  (1/n) Σ ½(f − y)²")
        ax1.set_title("Loss")
        ax1.legend(fontsize="small")
        ax1.grid(alpha=0.3)
        ax2.axhline(0.25, color="gray", linestyle=":", linewidth=1.0)
        ax2.set_xlabel("step")
        ax2.set_ylabel("mean f(1 − f)  (at most 0.25)")
        ax2.set_title("Sigmoid slope at the data")
        ax2.legend(fontsize="small")
        ax2.grid(alpha=0.3)


def plot_xor_grid(
    path: str | os.PathLike[str],
    panels: Sequence[Sequence[tuple[str, Grid]]],
    points: Sequence[Sequence[float]],
    labels: Sequence[int],
) -> None:
    """Rows of decision-boundary panels (one row per activation, one column per depth)."""
    rows = len(panels)
    cols = max(len(r) for r in panels)
    with _figure(2.6 * cols, 2.5 * rows, path) as fig:
        axes = fig.subplots(rows, cols, squeeze=False)
        for i, row in enumerate(panels):
            for j, (title, grid) in enumerate(row):
                ax = axes[i][j]
                _regions(ax, grid)
                _scatter(ax, points, labels)
                ax.set_title(title, fontsize="small")
                ax.set_xticks([])
                ax.set_yticks([])


# --- HTML ----------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #222; }
h1, h2 { line-height: 1.2; }
table { border-collapse: collapse; margin: 1rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: right; white-space: nowrap; }
.wide { overflow-x: auto; }
th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9rem; }
.finding { background: #f6f8ff; border-left: 4px solid #3f51b5; padding: 0.5rem 1rem; }
code { background: #f3f3f3; padding: 0 0.2rem; }
"""


def paragraph(text: str, css_class: str = "") -> str:
    """A paragraph of escaped text."""
    cls = f' class="{css_class}"' if css_class else ""
    return f"<p{cls}>{html.escape(text)}</p>"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table; cells are escaped, floats shown with ``fmt``."""

    def cell(v: object) -> str:
        return html.escape(fmt(v) if isinstance(v, float) else str(v))

    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return (
        f'<div class="wide"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def text_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table for the terminal (numbers right-aligned, floats shown with ``fmt``)."""
    cells = [list(headers)] + [
        [fmt(v, 6) if isinstance(v, float) else str(v) for v in r] for r in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def figure(src: str, caption: str) -> str:
    """An image file beside the page, with a caption (also its alt text)."""
    text = html.escape(caption)
    return (
        f'<figure><img src="{html.escape(src)}" alt="{text}">'
        f"<figcaption>{text}</figcaption></figure>"
    )


def page(title: str, parts: Sequence[str]) -> str:
    """A complete HTML page: ``title`` as heading, then ``parts`` (HTML fragments) in order."""
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


# --- the pages of the commands --------------------------------------------------------


def _graph_svg(root: Value, path: str) -> None:
    """Draw ``root``'s graph with each edge's local derivative (needs the viz extra)."""
    from autograd.viz import render

    render(root, path, show_local=True)


def write_training(run: Run, out: str, title: str) -> list[str]:
    """Write the outputs of ``chainrule demo`` / ``train`` into ``out``; return their paths."""
    from nn.io import save

    from .training import neuron_graph

    s = run.settings
    files = {
        name: os.path.join(out, name)
        for name in ("loss.svg", "boundary.svg", "graph.svg", "model.json", "run.json")
    }
    plot_training(files["loss.svg"], run.losses, run.accuracies)
    grid = decision_grid(partial(_predict, run), run.points, run.classes)
    layers = "-".join(str(n) for n in [2, *s.hidden, run.model.nouts[-1]])
    model_text = f"MLP {layers}, {s.activation} hidden layers, linear output"
    plot_boundary(
        files["boundary.svg"],
        grid,
        run.points,
        run.labels,
        f"{s.dataset}: {100 * run.final_accuracy:.1f}% correct",
    )
    root = neuron_graph(run)
    _graph_svg(root, files["graph.svg"])
    save(run.model, files["model.json"])
    settings = {
        "dataset": s.dataset,
        "samples": s.samples,
        "hidden": list(s.hidden),
        "activation": s.activation,
        "optimizer": s.optimizer,
        "lr": s.lr,
        "epochs": s.epochs,
        "seed": s.seed,
        "l2": s.l2,
    }
    write_json(
        files["run.json"],
        {
            "settings": settings,
            "model": model_text,
            "loss": run.loss_name,
            "final_loss": run.final_loss,
            "final_accuracy": run.final_accuracy,
            "losses": run.losses,
            "accuracies": run.accuracies,
        },
    )
    lr_text = f"{s.lr:g}, decaying linearly to {s.lr / 10:g}"
    parts = [
        paragraph(
            f"A {model_text} trained on {s.samples} {s.dataset} points for {s.epochs} "
            f"full-batch steps of {s.optimizer.upper()} reaches "
            f"{100 * run.final_accuracy:.1f}% training accuracy (loss {fmt(run.final_loss)}).",
            "finding",
        ),
        table(
            ["setting", "value"],
            [
                ["dataset", f"{s.dataset} ({s.samples} points, seed {s.seed})"],
                ["model", model_text],
                ["loss", run.loss_name],
                ["optimizer", f"{s.optimizer.upper()}, learning rate {lr_text}"],
                ["steps", s.epochs],
                ["final loss", run.final_loss],
                ["final accuracy", f"{100 * run.final_accuracy:.1f}%"],
            ],
        ),
        figure("loss.svg", "Loss and training accuracy at each step."),
        figure("boundary.svg", "Decision regions of the trained model, with the data."),
        figure(
            "graph.svg",
            "The first neuron of the first layer on the first data point, after backward(): "
            "each box shows a value, its data and its grad; edges carry local derivatives.",
        ),
        "<h2>Training log</h2>",
        table(
            ["step", "loss", "accuracy"],
            [[k, loss, f"{100 * acc:.1f}%"] for k, loss, acc in run.log],
        ),
        '<p>The trained model: <a href="model.json">model.json</a> (load it with '
        '<code>nn.load("model.json")</code>); every number: '
        '<a href="run.json">run.json</a>.</p>',
    ]
    files["index.html"] = os.path.join(out, "index.html")
    write_text(files["index.html"], page(title, parts))
    return list(files.values())


def _predict(run: Run, x: list[float]) -> float:
    from .training import predict

    return predict(run.model, x, run.classes)


QUESTION = (
    "When we update a weight, why compute the derivative of the activation function, when "
    "w ← w + η (y − ŷ) x seems to work without one? And why is the constant derivative of a "
    "linear activation a disadvantage? Three experiments answer it with the engine; every "
    "number below is recomputed on each run (fixed seeds, so the same each time)."
)


def write_question(findings: Sequence[Finding], out: str) -> list[str]:
    """Write the report of ``chainrule question`` into ``out``; return the paths written."""
    by_key = {f.key: f for f in findings}
    files: list[str] = []
    parts = [paragraph(QUESTION)]
    for i, f in enumerate(findings, start=1):
        parts.append(f"<h2>{i}. {html.escape(f.title)}</h2>")
        parts.append(paragraph(f.statement, "finding"))
        if not f.holds:
            parts.append(paragraph("This finding's check FAILED on this run.", "finding"))
        parts.extend(_finding_parts(f, out, files))
    parts.append('<p>Every number of this page: <a href="report.json">report.json</a>.</p>')
    report = {
        "question": QUESTION,
        "findings": {k: f.to_json() for k, f in by_key.items()},
    }
    path = os.path.join(out, "report.json")
    write_json(path, report)
    files.append(path)
    path = os.path.join(out, "index.html")
    write_text(path, page("The derivative question", parts))
    files.append(path)
    return files


def _finding_parts(f: Finding, out: str, files: list[str]) -> list[str]:
    """The tables and figures of one finding (the figures are written to ``out``)."""
    parts: list[str] = []
    n = f.numbers
    if f.key == "delta_rule":
        rows = [
            [
                r["step"],
                ", ".join(fmt(v) for v in r["x"]),
                r["y"],
                r["y_hat"],
                ", ".join(fmt(v, 6) for v in r["rule"]),
                ", ".join(fmt(v, 6) for v in r["engine"]),
                r["max_abs_difference"],
            ]
            for r in n["steps"]
        ]
        parts.append(
            table(
                ["step", "x", "y", "ŷ", "rule: w1, w2, b", "engine: w1, w2, b", "max |diff|"],
                rows,
            )
        )
    elif f.key == "activation_derivative":
        name = "sigmoid.svg"
        t, d = n["true_gradient"], n["delta_rule"]
        plot_sigmoid_runs(
            os.path.join(out, name),
            [
                ("true gradient (with f(1 − f))", t["losses"], t["mean_slopes"]),
                ("delta rule (without f(1 − f))", d["losses"], d["mean_slopes"]),
            ],
        )
        files.append(os.path.join(out, name))
        early = n["saturation"]["early_step"]
        thr = n["saturation"]["loss_threshold"]
        parts.append(
            table(
                [
                    "update",
                    "loss at start",
                    f"loss at step {early}",
                    f"first step below {thr:g}",
                    "final loss",
                    "final w, b",
                ],
                [
                    [
                        label,
                        n["start"]["loss"],
                        r["loss_at_early_step"],
                        "never"
                        if r["first_step_below_threshold"] is None
                        else str(r["first_step_below_threshold"]),
                        r["final_loss"],
                        f"{fmt(r['final']['w'])}, {fmt(r['final']['b'])}",
                    ]
                    for label, r in (("true gradient", t), ("delta rule", d))
                ],
            )
        )
        parts.append(
            figure(
                name,
                "Left: the squared error of both runs (log scale). Right: the mean sigmoid "
                "slope f(1 − f) over the data. While the slope is tiny (saturation) the true "
                "gradient barely moves; the delta rule ignores the slope, escapes at once, "
                "and then settles at a higher squared error.",
            )
        )
    elif f.key == "linear_collapse":
        name = "xor.svg"
        plot_xor_grid(os.path.join(out, name), f.grids, n["points"], n["labels"])
        files.append(os.path.join(out, name))
        rows = []
        for lin, tanh in zip(n["linear"], n["tanh"]):
            W, b = lin["collapsed"]["W"], lin["collapsed"]["b"]
            rows.append(
                [
                    lin["depth"],
                    f"{100 * lin['accuracy']:.1f}%",
                    lin["final_loss"],
                    f"({fmt(W[0], 3)}, {fmt(W[1], 3)}), {fmt(b, 3)}",
                    lin["collapse_max_abs_difference"],
                    f"{100 * tanh['accuracy']:.1f}%",
                    tanh["final_loss"],
                    tanh["mirror_gap"],
                ]
            )
        parts.append(
            table(
                [
                    "hidden layers",
                    "linear: accuracy",
                    "linear: loss",
                    "collapsed W, b",
                    "max |model − (W x + b)|",
                    "tanh: accuracy",
                    "tanh: loss",
                    "tanh: max mirror gap",
                ],
                rows,
            )
        )
        parts.append(
            figure(
                name,
                "Decision regions on XOR: linear stacks (top) draw one straight boundary "
                "whatever their depth; tanh stacks (bottom) bend it around the quadrants.",
            )
        )
        parts.append(
            paragraph(
                "The mirror gap is f(a, b) + f(−a, −b) − f(−a, b) − f(a, −b), largest over the "
                "groups of four mirrored points: 0 for every affine f (so at most 3 of each 4 "
                "points are right), far from 0 for the tanh networks."
            )
        )
    if f.graph is not None:
        name = f"{f.key}_graph.svg"
        _graph_svg(f.graph, os.path.join(out, name))
        files.append(os.path.join(out, name))
        parts.append(figure(name, f.graph_caption))
    return parts
