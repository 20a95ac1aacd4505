"""The charts of the pages, drawn by matplotlib: scales, labels and reproducible SVG."""

from __future__ import annotations

import pathlib

import pytest
from svg_helpers import parse_file, view_box

from chainrule import plots
from chainrule.blocks import Chart, Figure, LinePanel, RegionPanel
from chainrule.report import training_blocks
from chainrule.training import Run, Settings, train

pytest.importorskip("matplotlib", reason="charts are drawn by matplotlib (plot extra)")


@pytest.fixture(scope="module")
def run() -> Run:
    return train(Settings(hidden=(4,), epochs=5, samples=20), progress=False)


def chart(blocks: list[object], file: str) -> Chart:
    (figure,) = [b for b in blocks if isinstance(b, Figure) and b.file == file]
    assert isinstance(figure.content, Chart)
    return figure.content


def test_demo_loss_is_on_a_log_scale_and_the_boundary_axes_are_x1_x2(run: Run) -> None:
    blocks = training_blocks(run)
    loss = plots.chart_figure(chart(blocks, "loss.svg"))
    loss_ax, accuracy_ax = loss.axes
    assert loss_ax.get_yscale() == "log" and accuracy_ax.get_yscale() == "linear"
    assert loss_ax.get_ylabel() == "loss" and "log scale" in loss_ax.get_title()
    boundary = plots.chart_figure(chart(blocks, "boundary.svg"))
    (ax,) = boundary.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x₁", "x₂")
    assert ax.get_legend() is not None


def test_a_loss_that_reaches_zero_stays_on_a_linear_scale(run: Run) -> None:
    zero = Run(run.settings, run.model, run.points, run.labels, run.classes, [1.0, 0.5, 0.0])
    zero.accuracies = [0.5, 1.0, 1.0]
    blocks = training_blocks(zero)
    panel = chart(blocks, "loss.svg").panels[0][0]
    assert isinstance(panel, LinePanel) and not panel.log_y
    assert plots.chart_figure(chart(blocks, "loss.svg")).axes[0].get_yscale() == "linear"
    caption = next(b.caption for b in blocks if isinstance(b, Figure) and b.file == "loss.svg")
    assert "linear scale" in caption


def test_small_multiples_have_bare_axes_and_short_rows_leave_blanks(run: Run) -> None:
    region = chart(training_blocks(run), "boundary.svg").panels[0][0]
    assert isinstance(region, RegionPanel)
    bare = RegionPanel("bare", region.grid, region.points, region.labels, axes=None)
    fig = plots.chart_figure(Chart([[bare, bare], [bare]], 4.0, 4.0))
    axes = fig.axes
    assert len(axes) == 4 and not axes[3].get_visible()
    assert list(axes[0].get_xticks()) == [] and axes[0].get_xlabel() == ""


def test_draw_writes_reproducible_svg_and_returns_its_size(
    run: Run, tmp_path: pathlib.Path
) -> None:
    figure = Figure("loss.svg", "", chart(training_blocks(run), "loss.svg"))
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    size = plots.draw(figure, first)
    plots.draw(figure, second)
    assert first.read_bytes() == second.read_bytes()
    assert size == view_box(parse_file(first)) == (576.0, 230.4)  # 8 x 3.2 inches at 72 pt
