"""Pages from blocks: any finding renders without the writer knowing it; no import circle.

Standard library only: the HTML is parsed with ``html.parser``, the module
imports with ``ast``.
"""

from __future__ import annotations

import ast
import html.parser
import pathlib

import pytest

from autograd import Value
from chainrule import pages
from chainrule.blocks import (
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
    Table,
    decision_grid,
    text_table,
)
from chainrule.report import question_blocks

pytestmark = pytest.mark.core

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "chainrule"


class Elements(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text of the page."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]


def invented_finding() -> Finding:
    """A finding no writer has heard of, with one block of each kind."""
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.backward()
    return Finding(
        key="made_up",
        title="A finding <the writers> never saw",
        statement="It shows that 1 < 2 & 'quotes' stay text.",
        holds=False,
        numbers={"answer": 42},
        blocks=[
            Table(["name", "score", "note"], [["a", 0.123456789, "x"], ["b", 2, "y"]], key=(1,)),
            Figure("made_up_graph.svg", "its graph", Graph(y, "TB")),
            Figure("made_up_curve.svg", "a curve", Chart([[LinePanel("t", "s", "v", [])]], 3, 2)),
            Paragraph.of("See ", Link("data", "made up.json"), " and ", Code("f(x)"), "."),
            Heading("More"),
        ],
    )


def test_an_unknown_finding_renders_every_block_generically() -> None:
    f = invented_finding()
    sizes = {"made_up_graph.svg": (300.0, 500.0), "made_up_curve.svg": (216.0, 144.0)}
    page = pages.page("Title", question_blocks([f]), sizes)
    parsed = Elements(page)
    text = "".join(parsed.text)
    assert "1. A finding <the writers> never saw" in text
    assert f.statement in text and "FAILED" in text
    assert [a["src"] for a in parsed.find("img")] == ["made_up_graph.svg", "made_up_curve.svg"]
    assert [a.get("class", "") for a in parsed.find("th")] == ["", "key num", ""]
    assert "0.1235" in text  # floats shown with 4 significant digits
    hrefs = [a["href"] for a in parsed.find("a")]
    assert hrefs == ["made up.json", "report.json"]
    assert "<code>f(x)</code>" in page
    assert "<h2>More</h2>" in page
    # a graph that fits is shown at its natural size (4/3 px per pt), capped by the column
    graph = parsed.find("img")[0]
    assert graph["width"] == "400" and graph["height"] == "667"


def test_a_graph_wider_than_the_column_is_shown_full_size_with_a_link() -> None:
    root = Value(1.0, label="r")
    wide = Figure("wide.svg", "a wide graph", Graph(root))
    chart = Figure("chart.svg", "a wide chart", Chart([[]], 20, 2))
    page = pages.page("T", [wide, chart], {"wide.svg": (2041.0, 100.0), "chart.svg": (1440, 144)})
    parsed = Elements(page)
    figures = parsed.find("figure")
    assert figures[0]["class"] == "graph full"  # scrolls, never shrunk below 1 px per pt
    assert "full" not in figures[1].get("class", "")  # a chart may shrink to the column
    assert [a["href"] for a in parsed.find("a")] == ["wide.svg"]
    assert "figure.full img { max-width: none; }" in page


def test_question_writer_names_no_finding_and_no_experiment_module() -> None:
    """No ``if f.key == ...`` in the writers: they contain no finding's key, import no question."""
    keys = {"delta_rule", "activation_derivative", "linear_collapse"}
    for name in ("pages.py", "plots.py", "report.py"):
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
        assert not keys & strings, (name, keys & strings)
        assert "question" not in imported(tree), name


def imported(tree: ast.Module) -> set[str]:
    """Module names imported anywhere in ``tree`` (relative ones without their dots)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.name for a in node.names)
    return names


def test_experiments_and_blocks_import_no_writer() -> None:
    for name in ("question.py", "blocks.py"):
        used = imported(ast.parse((PACKAGE / name).read_text(encoding="utf-8")))
        assert not used & {"report", "pages", "plots", "matplotlib", "graphviz"}, (name, used)


def test_table_rows_must_match_the_headers_and_keys_must_exist() -> None:
    with pytest.raises(ValueError, match=r"Table: row 1 has 1 cells for 2 headers"):
        Table(["a", "b"], [[1, 2], [3]])
    with pytest.raises(ValueError, match=r"key column 2 is not one of the 2 columns"):
        Table(["a", "b"], [], key=(2,))


def test_text_alignment_numbers_right_words_left() -> None:
    t = Table(["what", "n", "list", "when"], [["a b", 1.5, "0.1, -2e-05", "never"]])
    th = [a.get("class", "") for a in Elements(pages.render_block(t, {})).find("th")]
    assert th == ["", "num", "num", ""]
    assert text_table(t.headers, t.rows).splitlines()[2] == "a b   1.5  0.1, -2e-05  never"
    assert t.as_text() == text_table(t.headers, t.rows)


def test_decision_grid_samples_around_the_points() -> None:
    grid = decision_grid(lambda p: p[0] - p[1], [[0.0, 0.0], [1.0, 2.0]], 2, resolution=3)
    assert grid.xs == pytest.approx([-0.4, 0.5, 1.4], abs=1e-15)
    assert grid.ys == pytest.approx([-0.4, 1.0, 2.4], abs=1e-15)
    assert grid.values[2][0] == grid.xs[0] - grid.ys[2]  # values[i][j] is at (xs[j], ys[i])
    with pytest.raises(ValueError, match="resolution must be at least 2, got 1"):
        decision_grid(lambda p: 0.0, [[0.0, 0.0]], 2, resolution=1)


def test_line_panel_defaults() -> None:
    panel = LinePanel("t", "x", "y", [Line("a", [1.0, 2.0])])
    assert not panel.log_y and panel.legend and panel.ylim is None
