"""What a page shows, as data: paragraphs, tables, figures, and the findings built of them.

An experiment (``question``) or a training run (``report``) describes its
result with these classes; the writers (``pages`` for HTML, ``plots`` for
the pictures, ``Table.as_text`` for the terminal) render any of them without
knowing which experiment made it. This module imports only the standard
library and ``autograd``'s ``Value`` (the root of a drawn graph), so every
experiment and its blocks can be built and checked without matplotlib or
Graphviz.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograd import Value

__all__ = [
    "Block",
    "Chart",
    "Code",
    "Figure",
    "Finding",
    "Graph",
    "Grid",
    "Heading",
    "Line",
    "LinePanel",
    "Link",
    "Panel",
    "Paragraph",
    "RegionPanel",
    "Table",
    "decision_grid",
    "fmt",
    "text_table",
]


def fmt(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits, for tables and sentences."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0.0:
        return "0"
    return f"{x:.{digits}g}"


# --- text -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A link inside a paragraph, to a file beside the page."""

    text: str
    href: str


@dataclass(frozen=True)
class Code:
    """Code inside a paragraph (shown in a fixed-width font)."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text, links and code; ``lead`` marks the finding it states."""

    parts: tuple[str | Link | Code, ...]
    lead: bool = False

    @classmethod
    def of(cls, *parts: str | Link | Code, lead: bool = False) -> Paragraph:
        """``Paragraph.of("text ", Link("a", "a.json"), ".")``."""
        return cls(tuple(parts), lead)

    @property
    def text(self) -> str:
        """The paragraph as plain text."""
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)


@dataclass(frozen=True)
class Heading:
    """A section heading inside a page."""

    text: str


# --- tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Rows of cells under ``headers``; floats are shown with ``fmt``.

    ``key`` lists the columns a reader must see to get the point (by index);
    writers keep them visible and mark them. Put them first.
    """

    headers: list[str]
    rows: list[list[object]]
    key: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        width = len(self.headers)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(
                    f"Table: row {i} has {len(row)} cells for {width} headers: {row!r}"
                )
        for k in self.key:
            if not 0 <= k < width:
                raise ValueError(f"Table: key column {k} is not one of the {width} columns")

    def as_text(self) -> str:
        """The table for the terminal (numbers right-aligned)."""
        return text_table(self.headers, self.rows)


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


# --- figures ----------------------------------------------------------------------------


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
    if resolution < 2:
        raise ValueError(f"decision_grid: resolution must be at least 2, got {resolution}")
    x0 = min(p[0] for p in points) - margin
    x1 = max(p[0] for p in points) + margin
    y0 = min(p[1] for p in points) - margin
    y1 = max(p[1] for p in points) + margin
    xs = _linspace(x0, x1, resolution)
    ys = _linspace(y0, y1, resolution)
    values = [[predict([x, y]) for x in xs] for y in ys]
    return Grid(xs, ys, values, classes)


@dataclass(frozen=True)
class Line:
    """One curve of a line panel: ``ys`` against the step ``0, 1, 2, ...``."""

    name: str
    ys: Sequence[float]


@dataclass(frozen=True)
class LinePanel:
    """Curves against the step. ``log_y`` draws the y axis on a log scale."""

    title: str
    xlabel: str
    ylabel: str
    lines: list[Line]
    log_y: bool = False
    ylim: tuple[float, float] | None = None
    hline: float | None = None
    legend: bool = True


@dataclass(frozen=True)
class RegionPanel:
    """A model's decision regions (``grid``) with the labelled points on top.

    ``axes`` labels the two input axes; ``None`` leaves axes bare (small multiples).
    """

    title: str
    grid: Grid
    points: Sequence[Sequence[float]]
    labels: Sequence[int]
    axes: tuple[str, str] | None = ("x₁", "x₂")
    legend: bool = False


Panel = LinePanel | RegionPanel


@dataclass(frozen=True)
class Chart:
    """Rows of panels drawn as one picture of ``width`` x ``height`` inches (matplotlib)."""

    panels: Sequence[Sequence[Panel]]
    width: float
    height: float


@dataclass(frozen=True)
class Graph:
    """The graph under ``root`` after ``backward()``, each edge with its local derivative.

    ``rankdir`` is the direction the graph flows in (Graphviz's ``LR``, ``TB``, ...).
    """

    root: Value
    rankdir: str = "LR"


@dataclass(frozen=True)
class Figure:
    """A picture written beside the page as ``file`` (SVG), shown with ``caption``."""

    file: str
    caption: str
    content: Chart | Graph


Block = Paragraph | Heading | Table | Figure


# --- findings ---------------------------------------------------------------------------


@dataclass
class Finding:
    """One experiment's outcome, as a page section and as data.

    ``statement`` is the lead paragraph: what the experiment shows, in words,
    with its numbers. ``holds`` says whether the statement's exact claims held
    on this run. ``blocks`` are the tables and figures that follow it;
    ``console`` the table printed in the terminal; ``numbers`` everything
    measured, as JSON-able data. ``key`` names the finding in report.json.
    """

    key: str
    title: str
    statement: str
    holds: bool
    numbers: dict[str, Any]
    blocks: list[Block] = field(default_factory=list)
    console: Table | None = None

    def console_table(self) -> tuple[list[str], list[list[object]]] | None:
        """The finding's main numbers as a table for the terminal (headers, rows), if any."""
        if self.console is None:
            return None
        return self.console.headers, self.console.rows

    def figures(self) -> list[Figure]:
        """The finding's figures, in the order they are shown."""
        return [b for b in self.blocks if isinstance(b, Figure)]

    def to_json(self) -> dict[str, Any]:
        """The finding as JSON-able data (for report.json)."""
        return {
            "title": self.title,
            "statement": self.statement,
            "holds": self.holds,
            **self.numbers,
        }
