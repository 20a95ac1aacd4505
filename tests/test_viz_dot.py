"""to_dot / to_svg / render: the drawn graph matches the computation, exactly and every time.

The SVG is parsed with xml.etree and checked against graphs whose nodes,
edges and numbers are written out by hand. Tests that need the graphviz
package or the ``dot`` program skip with the reason when those are absent;
the option checks and the missing-Graphviz errors run everywhere.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from svg_helpers import SVG, groups, parse, texts

from autograd import Value
from autograd.value import affine
from autograd.viz import GraphvizNotFoundError, render, to_dot, to_html, to_svg

HAVE_GRAPHVIZ = importlib.util.find_spec("graphviz") is not None
HAVE_DOT = shutil.which("dot") is not None
needs_graphviz = pytest.mark.skipif(
    not HAVE_GRAPHVIZ, reason="the graphviz Python package is not installed (viz extra)"
)
needs_dot = pytest.mark.skipif(
    not (HAVE_GRAPHVIZ and HAVE_DOT),
    reason="needs the graphviz Python package and Graphviz's dot program "
    "(pip install 'chainrule[viz]'; apt-get install graphviz)",
)
core = pytest.mark.core


# --------------------------------------------------------------------- graphs


def neuron() -> dict[str, Value]:
    """micrograd's classic neuron through the fused affine node, after backward."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = affine([w1, w2], [x1, x2], b)
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o}


# ------------------------------------------------------------ options, errors


@core
def test_import_autograd_loads_no_graphviz() -> None:
    code = (
        "import sys, autograd\n"
        "from autograd import to_dot, to_svg, render, to_html\n"
        "assert 'graphviz' not in sys.modules, 'graphviz imported'\n"
        "assert set(autograd.__all__) >= {'to_dot', 'to_svg', 'render', 'to_html'}\n"
        "print(to_dot.__module__, to_html.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["autograd.viz.dot", "autograd.viz.html"]


@core
def test_unknown_attribute_still_raises() -> None:
    import autograd

    with pytest.raises(AttributeError, match="no_such_name"):
        autograd.no_such_name  # noqa: B018


@core
def test_missing_graphviz_package_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    o = neuron()["o"]
    for call in (
        lambda: to_dot(o),
        lambda: to_svg(o),
        lambda: render(o, tmp_path / "g.svg"),
        lambda: to_html(o, tmp_path / "g.html"),
    ):
        with pytest.raises(ImportError, match=r"pip install 'chainrule\[viz\]'"):
            call()
    assert list(tmp_path.iterdir()) == []


@core
@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"rankdir": "XY"}, ValueError, "rankdir"),
        ({"rankdir": "lr"}, ValueError, "rankdir"),
        ({"max_nodes": 0}, ValueError, "max_nodes"),
        ({"max_nodes": -5}, ValueError, "max_nodes"),
        ({"max_nodes": 2.5}, TypeError, "max_nodes"),
        ({"max_nodes": True}, TypeError, "max_nodes"),
        ({"precision": 0}, ValueError, "precision"),
        ({"precision": 18}, ValueError, "precision"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        to_dot(neuron()["o"], **options)  # type: ignore[arg-type]


@core
@pytest.mark.parametrize("root", [3.0, "x", None, [Value(1.0)]])
def test_root_must_be_a_value(root: object) -> None:
    with pytest.raises(TypeError, match=r"to_dot: root must be a Value, got"):
        to_dot(root)  # type: ignore[arg-type]


def chain(n_values: int) -> Value:
    """A graph of exactly ``n_values`` Values: a leaf and n-1 unary nodes."""
    v = Value(0.5)
    for _ in range(n_values - 1):
        v = v.sin()
    return v


@core
def test_graph_over_the_limit_is_refused_naming_max_nodes() -> None:
    with pytest.raises(ValueError, match=r"more than max_nodes=9 Values.*max_nodes="):
        to_dot(chain(10), max_nodes=9)
    with pytest.raises(ValueError, match=r"max_nodes=500"):
        to_dot(chain(501))  # the default limit


@needs_graphviz
def test_graph_at_the_limit_is_drawn() -> None:
    dot = to_dot(chain(10), max_nodes=10)
    assert dot.source.count("shape=record") == 10
    assert to_dot(chain(500)).source.count("shape=record") == 500


@core
def test_missing_dot_program_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if not HAVE_GRAPHVIZ:
        pytest.skip("the graphviz Python package is not installed (viz extra)")
    monkeypatch.setenv("PATH", "")
    o = neuron()["o"]
    target = tmp_path / "g.svg"
    target.write_text("old picture")
    for call in (lambda: to_svg(o), lambda: render(o, target), lambda: to_html(o, tmp_path / "p")):
        with pytest.raises(GraphvizNotFoundError) as info:
            call()
        msg = str(info.value)
        assert isinstance(info.value, RuntimeError)
        for command in (
            "apt-get install graphviz",
            "brew install graphviz",
            "conda install graphviz",
        ):
            assert command in msg
    assert target.read_text() == "old picture"  # nothing lost, nothing stray
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg"]


# ------------------------------------------------------------------ the SVG


@needs_dot
def test_neuron_svg_has_every_node_edge_and_number() -> None:
    svg = parse(to_svg(neuron()["o"]))
    nodes, edges = groups(svg, "node"), groups(svg, "edge")
    # topological order: b, w1, x1, w2, x2 (affine's inputs in order), n, o
    values = {"v0": "b", "v1": "w1", "v2": "x1", "v3": "w2", "v4": "x2", "v5": "n", "v6": "o"}
    assert sorted(nodes) == sorted([*values, "op5", "op6"])
    assert all(len(g) == 1 for g in nodes.values())
    assert Counter({k: len(v) for k, v in edges.items()}) == Counter(
        ["v0->op5", "v1->op5", "v2->op5", "v3->op5", "v4->op5", "op5->v5", "v5->op6", "op6->v6"]
    )
    shown = {values[k]: texts(g[0]) for k, g in nodes.items() if k in values}
    # numbers of micrograd's example, to 4 significant digits
    assert shown == {
        "b": ["b", "data 6.881", "grad 0.5"],
        "w1": ["w1", "data -3", "grad 1"],
        "x1": ["x1", "data 2", "grad -1.5"],
        "w2": ["w2", "data 1", "grad 0"],
        "x2": ["x2", "data 0", "grad 0.5"],
        "n": ["n", "data 0.8814", "grad 0.5"],
        "o": ["o", "data 0.7071", "grad 1"],
    }
    assert texts(nodes["op5"][0]) == ["Σ"]
    assert texts(nodes["op6"][0]) == ["tanh"]
    assert all(texts(g[0]) == [] for g in edges.values())  # no edge labels by default


@needs_dot
def test_show_local_labels_each_input_edge_with_its_local_derivative() -> None:
    svg = parse(to_svg(neuron()["o"], show_local=True))
    labels = {k: texts(g[0]) for k, g in groups(svg, "edge").items()}
    # d(b + w1 x1 + w2 x2)/d(b, w1, x1, w2, x2) = (1, x1, w1, x2, w2); d tanh(n)/dn = 1 - o^2
    assert labels == {
        "v0->op5": ["1"],
        "v1->op5": ["2"],
        "v2->op5": ["-3"],
        "v3->op5": ["0"],
        "v4->op5": ["1"],
        "op5->v5": [],
        "v5->op6": ["0.5"],
        "op6->v6": [],
    }


@needs_dot
def test_repeated_and_shared_inputs_get_one_edge_per_use() -> None:
    x = Value(3.0, label="x")
    sq = x * x  # x enters the same operation twice
    y = sq + x  # and a second operation
    y.label = "y"
    y.backward()
    svg = parse(to_svg(y, show_local=True))
    nodes, edges = groups(svg, "node"), groups(svg, "edge")
    assert sorted(nodes) == ["op1", "op2", "v0", "v1", "v2"]
    assert {k: len(v) for k, v in edges.items()} == {
        "v0->op1": 2,
        "op1->v1": 1,
        "v1->op2": 1,
        "v0->op2": 1,
        "op2->v2": 1,
    }
    assert [texts(g) for g in edges["v0->op1"]] == [["3"], ["3"]]
    assert texts(nodes["v0"][0]) == ["x", "data 3", "grad 7"]  # 2x + 1
    assert texts(nodes["v1"][0]) == ["data 9", "grad 1"]  # no label field when unlabelled


@needs_dot
def test_operation_nodes_show_symbol_and_folded_constant() -> None:
    x = Value(2.0, label="x")
    parts = [x * 3, x + 1, x - 4, 5 - x, x / 2, 8 / x, x**2, 2**x, -x, x.exp(), x.leaky_relu(0.1)]
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    ops = [texts(g[0])[0] for k, g in groups(parse(to_svg(total)), "node").items()]
    for shown in ["* 3", "+ 1", "- 4", "5 -", "/ 2", "8 /", "** 2", "2 **", "-", "exp"]:
        assert shown in ops
    assert "leaky_relu(0.1)" in ops
    assert ops.count("+") == len(parts) - 1


@needs_dot
def test_labels_with_dot_and_record_syntax_are_shown_verbatim() -> None:
    odd = 'a|b{c}<d>"e\\f g &amp; &lt; &'
    v = Value(1.5, label=odd) * Value(float("inf"), label="big")
    v.label = "nan here"
    w = v + Value(float("nan"))
    svg = parse(to_svg(w))
    shown = [t for g in groups(svg, "node").values() for t in texts(g[0])]
    for want in [odd, "data 1.5", "big", "data inf", "nan here", "data nan"]:
        assert want in shown


@needs_dot
@pytest.mark.parametrize("rankdir", ["LR", "RL", "TB", "BT"])
def test_rankdir_sets_the_direction_from_inputs_to_output(rankdir: str) -> None:
    o = neuron()["o"]
    svg = parse(to_svg(o, rankdir=rankdir))
    where = {}
    for name, g in groups(svg, "node").items():
        t = next(g[0].iter(SVG + "text"))
        where[name] = (float(t.get("x", "nan")), float(t.get("y", "nan")))
    axis = 0 if rankdir in ("LR", "RL") else 1
    sign = 1 if rankdir in ("LR", "TB") else -1  # SVG y grows downwards
    for leaf in ["v0", "v1", "v2", "v3", "v4"]:
        assert sign * (where["v6"][axis] - where[leaf][axis]) > 0
        assert sign * (where["op5"][axis] - where[leaf][axis]) > 0
    assert f"rankdir={rankdir}" in to_dot(o, rankdir=rankdir).source


@needs_dot
def test_leaf_root_is_one_record() -> None:
    svg = parse(to_svg(Value(-0.25, label="a")))
    assert {k: texts(g[0]) for k, g in groups(svg, "node").items()} == {
        "v0": ["a", "data -0.25", "grad 0"]
    }
    assert groups(svg, "edge") == {}


@needs_dot
def test_precision_sets_significant_digits() -> None:
    v = Value(math.pi, label="pi")
    assert texts(groups(parse(to_svg(v, precision=7)), "node")["v0"][0])[1] == "data 3.141593"
    assert texts(groups(parse(to_svg(v, precision=2)), "node")["v0"][0])[1] == "data 3.1"


@needs_dot
def test_a_layer_of_neurons_counts_match_the_graph() -> None:
    xs = [Value(0.1 * i, label=f"x{i}") for i in range(3)]
    outs = []
    for j in range(4):
        ws = [Value(0.2 * (i - j)) for i in range(3)]
        outs.append(affine(ws, xs, Value(0.01 * j)).relu())
    loss = sum((o * o for o in outs), Value(0.0))
    loss.backward()
    svg = parse(to_svg(loss))
    # 3 inputs + 4 x (3 weights, bias, affine, relu, square) + 1 zero + 4 sums = 36 Values
    n_values, n_ops = 36, 4 * 3 + 4
    n_edges = 4 * (7 + 1) + 4 * (1 + 1) + 4 * (2 + 1) + 4 * (2 + 1)
    assert len(groups(svg, "node")) == n_values + n_ops
    assert sum(len(g) for g in groups(svg, "edge").values()) == n_edges


# ------------------------------------------------------------- determinism


@needs_graphviz
def test_dot_source_is_identical_across_runs_and_processes() -> None:
    first = to_dot(neuron()["o"], show_local=True).source
    assert to_dot(neuron()["o"], show_local=True).source == first
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2])\n"
        "from test_viz_dot import neuron\n"
        "from autograd import to_dot\n"
        "sys.stdout.write(to_dot(neuron()['o'], show_local=True).source)\n"
    )
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code, here, root],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert out.stdout == first


@needs_dot
def test_svg_is_identical_across_runs() -> None:
    assert to_svg(neuron()["o"]) == to_svg(neuron()["o"])


# ------------------------------------------------------------------ render


@needs_dot
def test_render_writes_the_svg_and_returns_the_path(tmp_path: Path) -> None:
    o = neuron()["o"]
    as_path = tmp_path / "g.svg"
    assert render(o, as_path) is as_path
    as_str = str(tmp_path / "h.svg")
    assert render(o, as_str) is as_str
    assert as_path.read_text(encoding="utf-8") == to_svg(o)
    assert Path(as_str).read_bytes() == as_path.read_bytes()
    umask = os.umask(0)
    os.umask(umask)
    assert as_path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg", "h.svg"]


@needs_dot
def test_render_other_formats_and_replaces_an_old_file(tmp_path: Path) -> None:
    target = tmp_path / "g.png"
    target.write_bytes(b"old")
    render(neuron()["o"], target, format="png")
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["g.png"]


@needs_graphviz
def test_render_unknown_format_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'svgz2'"):
        render(neuron()["o"], tmp_path / "g", format="svgz2")
    assert list(tmp_path.iterdir()) == []
