"""to_html and the backward pass it embeds: the page's numbers are the engine's, bit for bit.

``backward_steps`` is checked against ``Value.backward`` on random graphs
(hypothesis) and against hand-worked examples; the written page is checked
to be one self-contained file whose embedded data and SVG match the graph.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from autograd import Value
from autograd.backward import local_derivatives, parents, topological_order
from autograd.value import affine
from autograd.viz import backward_steps, to_html

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed (test extra)")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

needs_dot = pytest.mark.skipif(
    importlib.util.find_spec("graphviz") is None or shutil.which("dot") is None,
    reason="needs the graphviz Python package and Graphviz's dot program "
    "(pip install 'chainrule[viz]'; apt-get install graphviz)",
)
SVG = "{http://www.w3.org/2000/svg}"


# ------------------------------------------------------------ random graphs


@st.composite
def graphs(draw: st.DrawFn) -> tuple[Value, list[Value]]:
    """A random graph with shared nodes, repeated inputs, constants and fused sums.

    Operations stay inside their domains (log and sqrt get positive inputs)
    so every graph builds; relu and abs at 0 give zero local derivatives.
    """
    small = st.floats(-2.0, 2.0, allow_nan=False).map(lambda x: round(x, 1))
    leaves = [Value(draw(small), label=f"x{i}") for i in range(draw(st.integers(1, 4)))]
    pool = list(leaves)
    for _ in range(draw(st.integers(0, 12))):
        a = draw(st.sampled_from(pool))
        b = draw(st.sampled_from(pool))  # may be a again: a repeated input
        c = draw(small)
        kind = draw(st.integers(0, 11))
        try:
            v = _op(kind, a, b, c)
        except OverflowError:  # repeated squaring can outgrow a float
            v = a.tanh()
        pool.append(v)
    root = pool[-1]
    for extra in pool[-3:-1]:  # sometimes join a few late nodes so more paths meet
        if draw(st.booleans()) and abs(root.data) + abs(extra.data) < 1e300:
            root = root + extra
    return root, leaves


def _op(kind: int, a: Value, b: Value, c: float) -> Value:
    if kind == 0:
        return a + b
    elif kind == 1:
        return a * b
    elif kind == 2:
        return a - b
    elif kind == 3:
        return a * c + 1
    elif kind == 4:
        return a.tanh()
    elif kind == 5:
        return a.relu()
    elif kind == 6:
        return (a * a + 1).log()
    elif kind == 7:
        return (a * a).sqrt() if a.data != 0 else a.abs()
    elif kind == 8:
        return a / (b * b + 1)
    elif kind == 9:
        return 2 - a**2
    elif kind == 10:
        return affine([a, b], [b, c], a)
    else:
        return a.sigmoid() * c


def engine_grads(root: Value) -> dict[Value, float]:
    for v in topological_order(root):
        v.grad = 0.0
    root.backward()
    return {v: v.grad for v in topological_order(root)}


def same(a: float, b: float) -> bool:
    """Equal as floats, nan equal to nan, and 0.0 told from -0.0."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def replay(data: dict[str, Any]) -> dict[str, float]:
    """Run the steps as the page's script does: sum contributions in order."""
    grads = {n["id"]: 0.0 for n in data["nodes"]}
    for s in data["steps"]:
        if s["seed"]:
            grads[s["node"]] = s["upstream"]
        if not s["skipped"]:
            for e in s["inputs"]:
                grads[e["id"]] += e["contribution"]
    return grads


# ------------------------------------------------------ the simulated pass


@given(graphs())
def test_replayed_steps_give_the_engines_grads_exactly(case: tuple[Value, list[Value]]) -> None:
    root, _ = case
    order = topological_order(root)
    data = backward_steps(root)  # before backward: the steps do not depend on .grad
    expected = engine_grads(root)
    got = replay(data)
    assert [n["id"] for n in data["nodes"]] == [f"v{i}" for i in range(len(order))]
    for i, v in enumerate(order):
        assert same(got[f"v{i}"], expected[v]), (i, got[f"v{i}"], expected[v])
    # each step's running value is the sum so far, and the graph was left alone
    assert data == backward_steps(root)


@given(graphs())
def test_steps_run_in_reverse_topological_order(case: tuple[Value, list[Value]]) -> None:
    root, _ = case
    data = backward_steps(root)
    order = topological_order(root)
    index = {f"v{i}": i for i in range(len(order))}
    steps = data["steps"]
    assert steps[0]["seed"] and steps[0]["node"] == data["root"] == f"v{len(order) - 1}"
    interior = [f"v{i}" for i, v in enumerate(order) if parents(v)]
    visited = [s["node"] for s in steps[1:]]
    assert sorted(visited) == sorted(interior)  # each operation node once
    position = {n: k for k, n in enumerate(visited)}
    for k, s in enumerate(steps[1:]):
        v = order[index[s["node"]]]
        assert [e["id"] for e in s["inputs"]] == [f"v{index_of(order, p)}" for p in parents(v)]
        assert [e["local"] for e in s["inputs"]] == list(local_derivatives(v))
        for e in s["inputs"]:  # an input's own step comes after every node that feeds it
            if e["id"] in position:
                assert position[e["id"]] > k


def index_of(order: list[Value], v: Value) -> int:
    return next(i for i, w in enumerate(order) if w is v)


def test_hand_worked_steps_for_a_product_with_a_shared_input() -> None:
    # y = (a * b) + a with a = 3, b = -2: dy/da = b + 1 = -1, dy/db = a = 3
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    p = a * b
    y = p + a
    y.label = "y"
    data = backward_steps(y)
    assert [n["name"] for n in data["nodes"]] == ["a", "b", "v2", "y"]
    assert [n["expr"] for n in data["nodes"]] == ["", "", "a * b", "v2 + a"]
    steps = [
        (
            s["node"],
            s["upstream"],
            [(e["id"], e["local"], e["contribution"], e["after"]) for e in s["inputs"]],
        )
        for s in data["steps"]
    ]
    assert steps == [
        ("v3", 1.0, []),
        ("v3", 1.0, [("v2", 1.0, 1.0, 1.0), ("v0", 1.0, 1.0, 1.0)]),
        ("v2", 1.0, [("v0", -2.0, -2.0, -1.0), ("v1", 3.0, 3.0, 3.0)]),
    ]
    assert data["steps"][2]["inputs"][0]["afterText"] == "-1"


def test_a_zero_upstream_grad_is_skipped_like_backward_does() -> None:
    x = Value(0.0, label="x")
    r = x.sqrt()  # local derivative inf at 0
    z = (Value(-1.0) * r).relu() + Value(2.0)  # relu is flat at -0: no grad reaches sqrt
    data = backward_steps(z)
    sqrt_step = next(
        s for s in data["steps"][1:] if s["inputs"] and s["inputs"][0]["local"] == math.inf
    )
    assert sqrt_step["skipped"] and sqrt_step["upstream"] == 0.0
    got = replay(data)
    expected = engine_grads(z)
    assert got["v0"] == expected[x] == 0.0  # not 0 * inf = nan


def test_a_leaf_root_has_only_the_seed_step() -> None:
    data = backward_steps(Value(4.0, label="a"))
    assert data["steps"] == [
        {
            "node": "v0",
            "seed": True,
            "upstream": 1.0,
            "upstreamText": "1",
            "skipped": False,
            "inputs": [],
        }
    ]


def test_backward_steps_refuses_big_graphs_and_non_values() -> None:
    v = Value(0.1)
    for _ in range(20):
        v = v.cos()
    with pytest.raises(ValueError, match="max_nodes=10"):
        backward_steps(v, max_nodes=10)
    with pytest.raises(TypeError, match="root must be a Value"):
        backward_steps(1.0)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the page


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def page_graph() -> tuple[Value, dict[str, Value]]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = affine([w1, w2], [x1, x2], b)
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    y = o * x1 + x1 * x1  # x1 gets grads from three places
    y.label = "y"
    return y, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o, "y": y}


def embedded(page: str) -> dict[str, Any]:
    m = re.search(r"const BACKPROP = (.*?);\n", page)
    assert m is not None
    return json.loads(m.group(1))  # type: ignore[no-any-return]


@needs_dot
def test_page_is_self_contained_with_controls_svg_and_data(tmp_path: Path) -> None:
    y, _ = page_graph()
    path = tmp_path / "backprop.html"
    assert to_html(y, path) is path
    page = path.read_text(encoding="utf-8")
    parser = _Page()
    parser.feed(page)
    tags = parser.tags
    ids = {a.get("id") for _, a in tags}
    assert {"reset", "back", "step", "play", "status", "graph", "grads", "current"} <= ids
    # nothing is loaded from anywhere: no external scripts, styles, images, frames or fetches
    for tag, attrs in tags:
        assert "src" not in attrs, tag
        assert tag not in ("link", "iframe", "img", "object", "embed")
        for key in ("href", "xlink:href"):
            assert key not in attrs, (tag, attrs)
    code = "".join(parser.scripts)
    for call in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "url("):
        assert call not in code and call not in page
    assert re.findall(r"https?://[^\s\"'<>]+", page) == [
        "http://www.w3.org/2000/svg",  # XML namespace names, never fetched
        "http://www.w3.org/1999/xlink",
    ]
    assert page.count("<svg") == 1 and "<?xml" not in page
    # the inline SVG is the graph: one node per Value and per operation
    svg = ET.fromstring(page[page.index("<svg") : page.index("</svg>") + len("</svg>")])
    titles = [g.findtext(SVG + "title") for g in svg.iter(SVG + "g") if g.get("class") == "node"]
    order = topological_order(y)
    n_ops = sum(1 for v in order if parents(v))
    assert len(titles) == len(order) + n_ops
    data = embedded(page)
    assert data == backward_steps(y)
    # each grad field is drawn wide enough for every running value it will show
    drawn = {
        g.findtext(SVG + "title"): [t.text for t in g.iter(SVG + "text")][-1]
        for g in svg.iter(SVG + "g")
        if g.get("class") == "node"
    }
    for s in data["steps"]:
        for e in s["inputs"]:
            assert len(drawn[e["id"]] or "") >= len("grad " + e["afterText"])


@needs_dot
def test_page_survives_labels_that_look_like_markup(tmp_path: Path) -> None:
    a = Value(1.0, label="</script><b>&amp;")
    y = a * 2
    y.label = 'say "hi" & <bye>'
    page = to_html(y, tmp_path / "p.html")
    text = Path(page).read_text(encoding="utf-8")
    assert text.count("</script") == 1  # only the real end of the script
    assert "<b>" not in text
    data = embedded(text)
    assert data["nodes"][0]["label"] == "</script><b>&amp;"
    assert "<title>Backward pass from say &quot;hi&quot; &amp; &lt;bye&gt;</title>" in text


@needs_dot
def test_page_leaves_the_graph_alone_and_embeds_nonfinite_numbers(tmp_path: Path) -> None:
    y, vs = page_graph()
    y.backward()
    before = {v: (v.data, v.grad) for v in topological_order(y)}
    to_html(y, tmp_path / "p.html", show_local=False, rankdir="TB")
    assert {v: (v.data, v.grad) for v in topological_order(y)} == before
    big = Value(math.inf, label="big") + vs["x1"]
    text = to_html(big, tmp_path / "q.html").read_text(encoding="utf-8")
    data = embedded(text)
    assert data["nodes"][-1]["data"] == math.inf
    assert "Infinity" in text  # a JavaScript number literal, not a string


@needs_dot
def test_page_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="to_html: rankdir"):
        to_html(Value(1.0), tmp_path / "p.html", rankdir="sideways")
    with pytest.raises(TypeError, match="colour"):
        to_html(Value(1.0), tmp_path / "p.html", colour="red")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="max_nodes=3"):
        to_html(Value(1.0).exp().exp().exp(), tmp_path / "p.html", max_nodes=3)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------- labels are only text

HOSTILE = [
    "@SVG@",
    "@JS@",
    "@DATA@ @TITLE@ @CSS@",
    "</script><script>alert(1)</script>",
    "<!-- <script>",
    "{}",
    "%s %d {0} $x ${y}",
    'it\'s "quoted" `back`',
    "\\ \\n \\u003c",
    "ünïcødé ∂y/∂x Σ 🙂",
]


class _Text(HTMLParser):
    """The text of each element by tag (title, h1), and the raw text of scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: dict[str, list[str]] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open.append(tag)
        self.text.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.text[self._open[-1]][-1] += data


def svg_boxes(page: str) -> dict[str, list[str]]:
    """The texts drawn in each node of the page's SVG, by Graphviz title (v0, op1, ...)."""
    svg = ET.fromstring(page[page.index("<svg") : page.index("</svg>") + len("</svg>")])
    return {
        g.findtext(SVG + "title") or "": [t.text or "" for t in g.iter(SVG + "text")]
        for g in svg.iter(SVG + "g")
        if g.get("class") == "node"
    }


@needs_dot
@pytest.mark.parametrize("label", HOSTILE)
def test_a_label_is_shown_as_text_everywhere_and_nothing_else_changes(
    label: str, tmp_path: Path
) -> None:
    from autograd.viz.html import template

    a = Value(1.5, label=label)
    b = Value(-2.0)  # unlabelled: the page calls it v1
    y = (a * b).tanh() + a
    y.label = label
    page = to_html(y, tmp_path / "p.html").read_text(encoding="utf-8")
    # the page's own parts appear once each, whole, where they belong
    assert page.count("<script") == page.count("</script") == 1
    assert page.count("<style") == page.count("</style") == 1
    assert page.count("<svg") == page.count("</svg>") == 1
    script = page[page.index("<script>") + len("<script>") : page.index("</script>")]
    head, _, js = script.partition(";\n")
    assert head.startswith("\nconst BACKPROP = ")
    assert js == template("page.js") + "\n"
    assert json.loads(head[len("\nconst BACKPROP = ") :]) == backward_steps(y)
    style = page[page.index("<style>") + len("<style>") : page.index("</style>")]
    assert style == "\n" + template("page.css")
    # the title and heading read the label back exactly
    parsed = _Text()
    parsed.feed(page)
    assert parsed.text["title"][0] == parsed.text["h1"][0] == f"Backward pass from {label} (v4)"
    # the picture shows it as drawn text, in the boxes of both Values that carry it
    boxes = svg_boxes(page)
    assert boxes["v0"][0] == f"{label} (v0)" and boxes["v4"][0] == f"{label} (v4)"
    data = embedded(page)
    assert [n["label"] for n in data["nodes"]] == [label, "", "", "", label]


@needs_dot
def test_a_unique_label_is_the_name_used_in_the_title(tmp_path: Path) -> None:
    x = Value(2.0, label="@JS@")
    y = x * x
    y.label = "</script>"
    page = to_html(y, tmp_path / "p.html").read_text(encoding="utf-8")
    parsed = _Text()
    parsed.feed(page)
    assert parsed.text["title"][0] == parsed.text["h1"][0] == "Backward pass from </script>"
    assert "<title>Backward pass from &lt;/script&gt;</title>" in page
    assert svg_boxes(page)["v0"][0] == "@JS@"


def test_placeholders_are_filled_in_one_pass() -> None:
    from autograd.viz.html import fill

    page = "<t>@TITLE@</t><b>@BODY@</b>"
    assert fill(page, TITLE="@BODY@", BODY="@TITLE@ %s {}") == "<t>@BODY@</t><b>@TITLE@ %s {}</b>"
    with pytest.raises(KeyError, match="BODY"):
        fill(page, TITLE="x")
    with pytest.raises(KeyError, match="EXTRA"):
        fill(page, TITLE="x", BODY="y", EXTRA="z")


# ------------------------------------------ the stepper's names in the picture


def stepper_cases() -> list[Value]:
    """Graphs with labelled, unlabelled and repeated-label Values."""
    y, _ = page_graph()
    u = Value(0.5)
    unlabelled = (u * Value(-1.5)).exp() + u
    h1, h2 = Value(1.0, label="h"), Value(2.0, label="h")
    shared = (h1 * h2).relu() - Value(0.25, label="v3")  # a label that looks like an id
    return [y, unlabelled, shared]


@needs_dot
@pytest.mark.parametrize("case", [0, 1, 2], ids=["labelled", "unlabelled", "shared-labels"])
def test_every_name_the_stepper_uses_is_drawn_in_the_box_it_names(
    case: int, tmp_path: Path
) -> None:
    root = stepper_cases()[case]
    page = to_html(root, tmp_path / "p.html").read_text(encoding="utf-8")
    data = embedded(page)
    boxes = svg_boxes(page)
    names = {n["id"]: n["name"] for n in data["nodes"]}
    assert len(set(names.values())) == len(names)  # one name, one box
    for node_id, name in names.items():
        assert boxes[node_id][0] == name, (node_id, boxes[node_id])
        # and the name is drawn in no other Value's box
        others = [k for k, texts in boxes.items() if k.startswith("v") and k != node_id]
        assert all(name not in boxes[k] for k in others)
    # the words of every step name inputs by these names (as the explain line shows them)
    order = topological_order(root)
    for v, n in zip(order, data["nodes"]):
        if parents(v):
            for p in parents(v):
                assert names[f"v{index_of(order, p)}"] in n["expr"]


def test_stepper_names_prefer_labels_and_fall_back_to_ids() -> None:
    _, y, shared = stepper_cases()
    assert [n["name"] for n in backward_steps(y)["nodes"]] == ["v0", "v1", "v2", "v3", "v4"]
    assert [n["expr"] for n in backward_steps(y)["nodes"]][2:] == ["v0 * v1", "exp(v2)", "v3 + v0"]
    data = backward_steps(shared)
    assert [n["name"] for n in data["nodes"]] == ["h (v0)", "h (v1)", "v2", "v3", "v3 (v4)", "v5"]
    assert data["nodes"][2]["expr"] == "h (v0) * h (v1)"


@needs_dot
def test_to_dot_still_draws_no_name_for_an_unlabelled_value() -> None:
    from autograd.viz import to_dot

    _, y, _ = stepper_cases()
    source = to_dot(y).source
    assert source.count('[label="{ data ') == source.count("shape=record") == 5


# ------------------------------------------------------- the page's templates


def test_the_page_templates_are_package_data() -> None:
    import importlib.resources

    from autograd.viz.html import template

    folder = importlib.resources.files("autograd.viz") / "templates"
    for name, marker in (("page.html", "@SVG@"), ("page.css", "g.node"), ("page.js", "BACKPROP")):
        text = (folder / name).read_text(encoding="utf-8")
        assert marker in text and template(name) == text
    page = template("page.html")
    assert sorted(set(re.findall(r"@([A-Z]+)@", page))) == ["CSS", "DATA", "JS", "SVG", "TITLE"]


def test_the_wheel_ships_the_page_templates(tmp_path: Path) -> None:
    """Build the wheel (from a copy of the source, offline) and look inside it."""
    import zipfile

    from wheel_helpers import build_wheel

    pytest.importorskip("setuptools", reason="building the wheel needs setuptools")
    root = Path(__file__).resolve().parent.parent
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for name in ("page.html", "page.css", "page.js"):
            member = f"autograd/viz/templates/{name}"
            assert member in names
            text = z.read(member).decode("utf-8")
            assert text == (root / "autograd" / "viz" / "templates" / name).read_text("utf-8")
        assert "autograd/files.py" in names and "autograd/viz/html.py" in names
        for name in ("question.html", "question.css", "question.js"):  # chainrule question's
            member = f"chainrule/templates/{name}"
            assert member in names
            assert z.read(member) == (root / "chainrule" / "templates" / name).read_bytes()


@needs_dot
def test_a_lone_surrogate_in_a_label_is_drawn_as_a_replacement_character(tmp_path: Path) -> None:
    x = Value(1.0, label="a\ud800b")
    y = x * 2
    y.label = "\udfff"
    page = to_html(y, tmp_path / "p.html").read_text(encoding="utf-8")
    assert svg_boxes(page)["v0"][0] == "a\ufffdb"
    assert "<title>Backward pass from \ufffd</title>" in page
    assert embedded(page)["nodes"][0]["label"] == "a\ud800b"  # the data keeps the label
    from autograd.viz import to_svg

    assert "a\ufffdb" in to_svg(x)
