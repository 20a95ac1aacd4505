"""The output folders of the ``chainrule`` commands: figures, JSON files and a page.

``write_training`` (``demo``, ``train``) and ``write_question`` (``question``)
write every file of a run: the pictures through ``plots``, the page through
``pages``, the numbers as JSON here. What a training run's page shows is
composed here too (``training_blocks``); an experiment's blocks come with
its ``Finding``. Nothing here knows one experiment from another.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import pages, plots
from .blocks import (
    Block,
    Chart,
    Code,
    Figure,
    Finding,
    Graph,
    Heading,
    Line,
    LinePanel,
    Link,
    Paragraph,
    RegionPanel,
    Table,
    decision_grid,
    fmt,
    text_table,
)
from .plots import check_graphviz, check_matplotlib

if TYPE_CHECKING:
    from .training import Run

__all__ = [
    "QUESTION",
    "check_graphviz",
    "check_matplotlib",
    "text_table",
    "training_blocks",
    "write_figures",
    "write_json",
    "write_question",
    "write_text",
    "write_training",
]


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 with ``\\n`` line ends (the same bytes on every platform)."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_json(path: str | os.PathLike[str], data: object) -> None:
    """Write ``data`` as indented JSON; NaN and infinity are refused (JSON has neither)."""
    write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def write_figures(
    figures: Sequence[Figure], out: str
) -> tuple[list[str], dict[str, tuple[float, float]]]:
    """Draw every figure into ``out``: the paths written and each picture's size by file."""
    paths: list[str] = []
    sizes: dict[str, tuple[float, float]] = {}
    for f in figures:
        if f.file in sizes:
            raise ValueError(f"two figures would both be written to {f.file!r}")
        path = os.path.join(out, f.file)
        sizes[f.file] = plots.draw(f, path)
        paths.append(path)
    return paths, sizes


# --- demo and train -------------------------------------------------------------------


def _model_text(run: Run) -> str:
    layers = "-".join(str(n) for n in [2, *run.settings.hidden, run.model.nouts[-1]])
    return f"MLP {layers}, {run.settings.activation} hidden layers, linear output"


def training_blocks(run: Run) -> list[Block]:
    """What the page of a training run shows: the finding, settings, figures and log."""
    from .training import neuron_graph, predictor

    s = run.settings
    model_text = _model_text(run)
    grid = decision_grid(predictor(run.model, run.classes), run.points, run.classes)
    positive = min(run.losses) > 0.0
    loss_panel = LinePanel(
        "Training loss (log scale)" if positive else "Training loss",
        "step",
        "loss",
        [Line("loss", run.losses)],
        log_y=positive,
        legend=False,
    )
    accuracy_panel = LinePanel(
        "Training accuracy",
        "step",
        "accuracy (%)",
        [Line("accuracy", [100.0 * a for a in run.accuracies])],
        ylim=(0.0, 102.0),
        legend=False,
    )
    loss_caption = (
        "Loss and training accuracy at each step. The loss is drawn on a log scale, so "
        "a spike in the first steps does not flatten the rest of the curve."
        if positive
        else "Loss and training accuracy at each step (linear scale: the loss reaches 0)."
    )
    lr_text = f"{s.lr:g}, decaying linearly to {s.lr / 10:g}"
    return [
        Paragraph.of(
            f"A {model_text} trained on {s.samples} {s.dataset} points for {s.epochs} "
            f"full-batch steps of {s.optimizer.upper()} reaches "
            f"{100 * run.final_accuracy:.1f}% training accuracy (loss {fmt(run.final_loss)}).",
            lead=True,
        ),
        Table(
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
            key=(0, 1),
        ),
        Figure("loss.svg", loss_caption, Chart([[loss_panel, accuracy_panel]], 8.0, 3.2)),
        Figure(
            "boundary.svg",
            "Decision regions of the trained model over the inputs (x₁, x₂), with the data.",
            Chart(
                [
                    [
                        RegionPanel(
                            f"{s.dataset}: {100 * run.final_accuracy:.1f}% correct",
                            grid,
                            run.points,
                            run.labels,
                            legend=True,
                        )
                    ]
                ],
                5.0,
                4.4,
            ),
        ),
        Figure(
            "graph.svg",
            "One neuron of the first layer on one data point, after backward(): each box "
            "shows a value, its data and its grad; edges carry local derivatives.",
            Graph(neuron_graph(run)),
        ),
        Heading("Training log"),
        Table(
            ["step", "loss", "accuracy"],
            [[k, loss, f"{100 * acc:.1f}%"] for k, loss, acc in run.log],
            key=(0, 1, 2),
        ),
        Paragraph.of(
            "The trained model: ",
            Link("model.json", "model.json"),
            " (load it with ",
            Code('nn.load("model.json")'),
            "); every number: ",
            Link("run.json", "run.json"),
            ".",
        ),
    ]


def write_training(run: Run, out: str, title: str) -> list[str]:
    """Write the outputs of ``chainrule demo`` / ``train`` into ``out``; return their paths.

    loss.svg, boundary.svg, graph.svg, model.json, run.json and index.html.
    """
    from nn.io import save

    s = run.settings
    blocks = training_blocks(run)
    paths, sizes = write_figures([b for b in blocks if isinstance(b, Figure)], out)
    model_path = os.path.join(out, "model.json")
    save(run.model, model_path)
    run_path = os.path.join(out, "run.json")
    write_json(
        run_path,
        {
            "settings": {
                "dataset": s.dataset,
                "samples": s.samples,
                "hidden": list(s.hidden),
                "activation": s.activation,
                "optimizer": s.optimizer,
                "lr": s.lr,
                "epochs": s.epochs,
                "seed": s.seed,
                "l2": s.l2,
            },
            "model": _model_text(run),
            "loss": run.loss_name,
            "final_loss": run.final_loss,
            "final_accuracy": run.final_accuracy,
            "losses": run.losses,
            "accuracies": run.accuracies,
        },
    )
    page_path = os.path.join(out, "index.html")
    write_text(page_path, pages.page(title, blocks, sizes))
    return [*paths, model_path, run_path, page_path]


# --- question -------------------------------------------------------------------------

QUESTION = (
    "When we update a weight, why compute the derivative of the activation function, when "
    "w ← w + η (y − ŷ) x seems to work without one? And why is the constant derivative of a "
    "linear activation a disadvantage? Three experiments answer it with the engine; every "
    "number below is recomputed on each run (fixed seeds, so the same each time)."
)


def question_blocks(findings: Sequence[Finding], *, main_page: bool = False) -> list[Block]:
    """The question page: the question, then each finding's lead, verdict and blocks.

    ``main_page`` says that an interactive page (index.html) leads to this one.
    """
    blocks: list[Block] = [Paragraph.of(QUESTION)]
    if main_page:
        blocks.append(
            Paragraph.of(
                "To switch the activation and its derivative and scrub through training, "
                "open ",
                Link("the interactive page", "index.html"),
                ".",
            )
        )
    for i, f in enumerate(findings, start=1):
        blocks.append(Heading(f"{i}. {f.title}"))
        blocks.append(Paragraph.of(f.statement, lead=True))
        if not f.holds:
            blocks.append(Paragraph.of("This finding's check FAILED on this run.", lead=True))
        blocks.extend(f.blocks)
    blocks.append(
        Paragraph.of("Every number of this page: ", Link("report.json", "report.json"), ".")
    )
    return blocks


def write_question(
    findings: Sequence[Finding], out: str, *, main_page: str | None = None
) -> list[str]:
    """Write the report of ``chainrule question`` into ``out``; return the paths written.

    Each finding's figures, report.json (every number, by finding) and the
    report page: index.html, or, when ``main_page`` (a complete HTML page,
    the interactive one) is given, report.html, with ``main_page`` as
    index.html.
    """
    keys = [f.key for f in findings]
    if len(set(keys)) != len(keys):
        raise ValueError(f"write_question: findings need distinct keys, got {keys}")
    blocks = question_blocks(findings, main_page=main_page is not None)
    paths, sizes = write_figures([b for b in blocks if isinstance(b, Figure)], out)
    report_path = os.path.join(out, "report.json")
    write_json(
        report_path,
        {"question": QUESTION, "findings": {f.key: f.to_json() for f in findings}},
    )
    page_path = os.path.join(out, "index.html" if main_page is None else "report.html")
    write_text(page_path, pages.page("The derivative question", blocks, sizes))
    if main_page is None:
        return [*paths, report_path, page_path]
    main_path = os.path.join(out, "index.html")
    write_text(main_path, main_page)
    return [*paths, report_path, page_path, main_path]
