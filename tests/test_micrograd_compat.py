"""micrograd's node internals on chainrule's Value: ``_prev``, ``_op``, ``_backward()``.

The lecture on backprop steps through a graph by hand: it sets ``o.grad``,
calls each node's ``_backward()`` in reverse topological order (built by a
recursive walk over ``_prev``), and draws the graph from ``_prev`` and
``_op``. These tests do the same on chainrule's Value and compare with
``backward()`` and with micrograd 0.1.0 itself.
"""

from __future__ import annotations

import itertools
import math
import random
import sys
from typing import Any

import pytest

from autograd import Value

pytestmark = pytest.mark.core


def _neuron(cls: Any = Value) -> dict[str, Any]:
    """The lecture's neuron: two inputs, two weights, a bias, squashed by tanh."""
    x1 = cls(2.0, label="x1")
    x2 = cls(0.0, label="x2")
    w1 = cls(-3.0, label="w1")
    w2 = cls(1.0, label="w2")
    b = cls(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return locals()


def _topo(root: Value) -> list[Value]:
    """The lecture's recursive topological sort over ``_prev``."""
    topo: list[Value] = []
    visited: set[Value] = set()

    def build(v: Value) -> None:
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(root)
    return topo


def _trace(root: Value) -> tuple[set[Value], set[tuple[Value, Value]]]:
    """draw_dot's walk: every node and every (child, parent) edge."""
    nodes: set[Value] = set()
    edges: set[tuple[Value, Value]] = set()

    def build(v: Value) -> None:
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def test_prev_is_the_set_of_parents() -> None:
    g = _neuron()
    assert g["x1"]._prev == set()
    assert isinstance(g["x1"]._prev, set)
    assert g["x1w1"]._prev == {g["x1"], g["w1"]}
    assert g["n"]._prev == {g["x1w1x2w2"], g["b"]}
    assert g["o"]._prev == {g["n"]}
    x = Value(3.0)
    assert (x * x)._prev == {x}  # a set: one element though x is used twice
    assert (x + 1.0)._prev == {x}  # a number is folded into the node, not a leaf


def test_op_symbols_follow_micrograd() -> None:
    a, b = Value(2.0), Value(3.0)
    assert a._op == ""
    assert (a + b)._op == "+"
    assert (a + 1)._op == "+"
    assert (1 + a)._op == "+"
    assert (a * b)._op == "*"
    assert (a * 2)._op == "*"
    assert (a**2)._op == "**2"
    assert (a**-1)._op == "**-1"
    assert (a**0.5)._op == "**0.5"
    assert a.relu()._op == "ReLU"
    assert a.tanh()._op == "tanh"
    assert a.exp()._op == "exp"
    assert (a - b)._op == "-"
    assert (a / b)._op == "/"
    assert (-a)._op == "-"
    for v in (a + b, a.relu(), a**2):
        assert isinstance(v._op, str)


def test_hand_stepped_backprop_gives_the_lecture_numbers() -> None:
    g = _neuron()
    g["o"].grad = 1.0
    for name in ("o", "n", "x1w1x2w2", "x1w1", "x2w2"):
        g[name]._backward()
    for leaf in ("x1", "x2", "w1", "w2", "b"):
        g[leaf]._backward()  # a leaf's step does nothing
    o = math.tanh(2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432)
    assert g["o"].data == pytest.approx(0.7071067811865476, abs=1e-12)
    local = g["n"].grad
    assert local == pytest.approx(1.0 - o * o, rel=1e-15)  # about 0.5
    assert g["b"].grad == local
    assert g["x1w1"].grad == local and g["x2w2"].grad == local
    assert g["x1"].grad == local * -3.0  # about -1.5
    assert g["w1"].grad == local * 2.0  # about 1.0
    assert g["x2"].grad == local * 1.0  # about 0.5
    assert g["w2"].grad == 0.0  # x2 is 0
    assert g["x1"].grad == pytest.approx(-1.5, abs=1e-12)


def test_hand_topological_order_matches_backward() -> None:
    hand = _neuron()
    topo = _topo(hand["o"])
    assert len(topo) == 10 and topo[-1] is hand["o"]
    for i, v in enumerate(topo):  # each node after the Values it was computed from
        assert all(topo.index(p) < i for p in v._prev)
    hand["o"].grad = 1.0
    for v in reversed(topo):
        v._backward()
    engine = _neuron()
    engine["o"].backward()
    for name in ("x1", "x2", "w1", "w2", "b", "n", "x1w1", "x2w2", "x1w1x2w2", "o"):
        assert hand[name].grad == engine[name].grad, name  # bit for bit


def test_tanh_written_with_exp_matches_tanh() -> None:
    """The lecture rewrites tanh as (e - 1) / (e + 1) with e = exp(2n)."""
    g = _neuron()
    n = g["n"]
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    assert o.data == pytest.approx(g["o"].data, rel=1e-15)
    assert g["x1"].grad == pytest.approx(-1.5, abs=1e-12)
    assert g["w1"].grad == pytest.approx(1.0, abs=1e-12)
    assert g["x2"].grad == pytest.approx(0.5, abs=1e-12)


def test_a_node_used_twice_gets_both_terms() -> None:
    """The lecture's bug hunt: b = a + a must give a.grad == 2, by hand and by backward."""
    a = Value(3.0, label="a")
    b = a + a
    b.grad = 1.0
    b._backward()
    assert a.grad == 2.0
    a2 = Value(-2.0)
    b2 = Value(3.0)
    d = a2 * b2
    e = a2 + b2
    f = d * e
    f.grad = 1.0
    for v in reversed(_topo(f)):
        v._backward()
    assert (a2.grad, b2.grad) == (-3.0, -8.0)  # the lecture's numbers


def test_affine_node_steps_by_hand() -> None:
    from autograd.value import affine

    w = [Value(0.5), Value(-1.5)]
    x0 = Value(2.0)
    b = Value(0.25)
    out = affine(w, [x0, 3.0], b)
    assert out._prev == {b, w[0], w[1], x0}
    out.grad = 2.0
    out._backward()
    assert (b.grad, w[0].grad, w[1].grad, x0.grad) == (2.0, 4.0, 6.0, 1.0)


def test_draw_dot_walk() -> None:
    g = _neuron()
    nodes, edges = _trace(g["o"])
    assert len(nodes) == 10
    assert len(edges) == 9
    assert (g["n"], g["o"]) in edges and (g["b"], g["n"]) in edges
    # draw_dot's records and op nodes: label, data, grad and the _op symbol
    records = sorted(f"{{ {v.label} | data {v.data:.4f} | grad {v.grad:.4f} }}" for v in nodes)
    assert "{ o | data 0.7071 | grad 0.0000 }" in records
    ops = sorted(v._op for v in nodes if v._op)
    assert ops == ["*", "*", "+", "+", "tanh"]
    assert all(v.__dict__.keys() <= {"label"} for v in nodes)  # nothing cached per node


def test_micrograd_names_cost_nothing_per_node() -> None:
    v = Value(1.0) * Value(2.0)
    before = sys.getsizeof(v)
    _ = (v._prev, v._op)
    v._backward()
    assert v.__dict__ == {}
    assert sys.getsizeof(v) == before
    for name in ("_prev", "_op", "_backward"):
        assert name in vars(Value)
        assert name not in Value.__slots__


@pytest.fixture
def micrograd_engine() -> Any:
    return pytest.importorskip(
        "micrograd.engine", reason="micrograd (benchmarks extra) compares with micrograd itself"
    )


def _readme_expression(cls: Any) -> tuple[Any, Any, Any]:
    """micrograd's README example, in operations both engines have."""
    a = cls(-4.0)
    b = cls(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g


def test_readme_example_matches_micrograd(micrograd_engine: Any) -> None:
    ma, mb, mg = _readme_expression(micrograd_engine.Value)
    mg.backward()
    a, b, g = _readme_expression(Value)
    g.backward()
    assert g.data == pytest.approx(mg.data, rel=1e-14)
    assert a.grad == pytest.approx(ma.grad, rel=1e-13)
    assert b.grad == pytest.approx(mb.grad, rel=1e-13)
    assert (g.data, a.grad, b.grad) == pytest.approx((24.7041, 138.8338, 645.5773), abs=1e-4)
    # and by hand, over our own _prev
    a2, b2, g2 = _readme_expression(Value)
    g2.grad = 1.0
    for v in reversed(_topo(g2)):
        v._backward()
    # the same terms, summed in another order than backward's: equal to rounding
    assert a2.grad == pytest.approx(a.grad, rel=1e-15)
    assert b2.grad == pytest.approx(b.grad, rel=1e-15)


def _shape(root: Any) -> list[tuple[str, tuple[float, ...]]]:
    """Each node's _op with its parents' data: the drawn graph, up to node identity."""
    nodes, _ = _trace(root)
    return sorted((v._op, tuple(sorted(p.data for p in v._prev))) for v in nodes)


def test_graph_matches_micrograd_where_the_operations_are_the_same(micrograd_engine: Any) -> None:
    def expr(cls: Any) -> Any:
        a, b, c = cls(2.0), cls(-3.0), cls(10.0)
        e = a * b
        d = e + c
        f = cls(-2.0)
        return (d * f).relu() + d**2

    ours, theirs = expr(Value), expr(micrograd_engine.Value)
    assert _shape(ours) == _shape(theirs)
    ours.backward()
    theirs.backward()
    by_data = {v.data: v.grad for v in _trace(ours)[0] if not v._prev}
    them = {v.data: v.grad for v in _trace(theirs)[0] if not v._prev}
    assert by_data == them


def test_hand_steps_match_micrograd_node_by_node(micrograd_engine: Any) -> None:
    """The lecture's neuron with relu (micrograd 0.1.0 has no tanh), stepped in both."""

    def build(cls: Any) -> list[Any]:
        x1, x2, w1, w2, b = cls(2.0), cls(0.0), cls(-3.0), cls(1.0), cls(6.5)
        x1w1 = x1 * w1
        x2w2 = x2 * w2
        s = x1w1 + x2w2
        n = s + b
        o = n.relu()
        return [o, n, s, x1w1, x2w2, x1, x2, w1, w2, b]

    ours, theirs = build(Value), build(micrograd_engine.Value)
    ours[0].grad = theirs[0].grad = 1.0
    for mine, other in zip(ours, theirs):
        mine._backward()
        other._backward()
        assert [v.grad for v in ours] == [float(v.grad) for v in theirs]
        assert mine._op == other._op


def test_micrograd_constructor_form_is_refused_with_a_hint() -> None:
    """``Value(data, _children, _op)`` is micrograd's internal form; here it is an error."""
    a = Value(1.0)
    with pytest.raises(TypeError, match=r"label must be a str.*tuple.*_children.*\._prev"):
        Value(2.0, (a, a))
    # an empty tuple (a leaf's _children) was once taken for "no label"
    with pytest.raises(TypeError, match=r"got \(\) \(tuple\)"):
        Value(2.0, ())
    with pytest.raises(TypeError, match=r"label must be a str, got None \(NoneType\)$"):
        Value(2.0, None)  # type: ignore[arg-type]
    assert Value(2.0, "a").label == "a" and Value(2.0).label == ""


def _train_micrograd_mlp(mg_nn: Any, seed: int) -> tuple[list[float], list[float]]:
    """micrograd's own MLP, trained a few SGD steps on a max-margin loss.

    Returns the loss per step and the final parameters. ``mg_nn.Value`` decides
    which engine the model's weights (and so the whole graph) live on.
    """
    cls = mg_nn.Value
    state = random.getstate()
    random.seed(seed)
    try:
        model = mg_nn.MLP(2, [6, 6, 1])
    finally:
        random.setstate(state)
    points = [(0.5, -1.0), (-1.5, 0.25), (2.0, 1.0), (-0.75, -2.0), (1.25, 0.5)]
    labels = [1, -1, 1, -1, 1]
    losses = []
    for step in range(4):
        scores = [model([cls(px), cls(py)]) for px, py in points]
        margins = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
        reg = 1e-3 * sum(p * p for p in model.parameters())  # starts from int 0
        loss = sum(margins) * (1.0 / len(margins)) + reg
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= (0.5 - 0.1 * step) * p.grad
        losses.append(loss.data)
    return losses, [p.data for p in model.parameters()]


def test_micrograds_own_nn_trains_on_our_value(
    micrograd_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """micrograd.nn's Neuron/Layer/MLP built on our Value train as they do on theirs."""
    mg_nn = pytest.importorskip("micrograd.nn", reason="micrograd's nn is compared with itself")
    for seed in (1, 1337):
        their_losses, theirs = _train_micrograd_mlp(mg_nn, seed)
        with monkeypatch.context() as m:
            m.setattr(mg_nn, "Value", Value)
            our_losses, ours = _train_micrograd_mlp(mg_nn, seed)
            model_param = mg_nn.MLP(2, [1]).parameters()[0]
            assert type(model_param) is Value  # the patched model really ran on ours
        # the first forward pass is the same operations in the same order: equal bits;
        # after that a parameter's gradient terms are summed in each engine's own
        # topological order (micrograd's follows set iteration), so equal to rounding
        assert our_losses[0] == their_losses[0]
        assert our_losses == pytest.approx(their_losses, rel=1e-13, abs=0)
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)
        assert ours != _train_micrograd_mlp(mg_nn, seed + 1)[1]  # the seed matters
        assert len(ours) == 6 * 3 + 6 * 7 + 7


def _lecture_style_mlp(sizes: list[int], weights: list[float]) -> tuple[Any, list[Value]]:
    """A tanh MLP written as the lecture's user code is: lists of Values, sum() with a start."""
    it = iter(weights)
    layers = [
        [([Value(next(it)) for _ in range(nin)], Value(next(it))) for _ in range(nout)]
        for nin, nout in itertools.pairwise(sizes)
    ]
    params = [p for layer in layers for ws, b in layer for p in [*ws, b]]

    def forward(x: list[Any]) -> Any:
        for layer in layers:
            x = [sum((w * xi for w, xi in zip(ws, x)), b).tanh() for ws, b in layer]
        return x[0] if len(x) == 1 else x

    return forward, params


def test_lecture_style_training_loop_matches_torch() -> None:
    """Zero .grad by assignment, backward, step .data in place: as torch float64 does it."""
    torch = pytest.importorskip("torch", reason="torch float64 is the oracle for training")
    rng = random.Random(7)
    sizes = [3, 4, 4, 1]
    n_params = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    init = [rng.uniform(-1, 1) for _ in range(n_params)]
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]

    forward, params = _lecture_style_mlp(sizes, init)
    ours = []
    for _ in range(10):
        preds = [forward(x) for x in xs]
        loss = sum((p - y) ** 2 for y, p in zip(ys, preds))  # start 0: int + Value
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data += -0.1 * p.grad
        ours.append(loss.data)

    t = torch.tensor(init, dtype=torch.float64, requires_grad=True)
    tx = torch.tensor(xs, dtype=torch.float64)
    ty = torch.tensor(ys, dtype=torch.float64)
    theirs = []
    for _ in range(10):
        h, k = tx, 0
        for nin, nout in itertools.pairwise(sizes):
            block = t[k : k + (nin + 1) * nout].reshape(nout, nin + 1)
            h = torch.tanh(h @ block[:, :nin].T + block[:, nin])
            k += (nin + 1) * nout
        tloss = ((h[:, 0] - ty) ** 2).sum()
        tloss.backward()
        with torch.no_grad():
            t -= 0.1 * t.grad
            t.grad.zero_()
        theirs.append(tloss.item())
    assert ours == pytest.approx(theirs, rel=1e-12, abs=0)
    assert [p.data for p in params] == pytest.approx(t.tolist(), rel=1e-12, abs=1e-14)
    assert ours[-1] < ours[0] / 2  # it learned


def test_hand_stepped_backprop_over_a_trained_model_matches_backward() -> None:
    """_backward() node by node over the hand-built order agrees with backward()."""
    rng = random.Random(3)
    init = [rng.uniform(-1, 1) for _ in range(4 * 3 + 4 * 5 + 6 * 1)]
    x = [0.5, -1.25, 2.0]

    forward, params = _lecture_style_mlp([3, 3, 5, 1], init)
    out = forward(x)
    out.backward()
    by_engine = [p.grad for p in params]

    forward, params = _lecture_style_mlp([3, 3, 5, 1], init)
    out = forward(x)
    out.grad = 1.0
    for v in reversed(_topo(out)):
        v._backward()
    # the same terms, summed in another order than backward's
    assert [p.grad for p in params] == pytest.approx(by_engine, rel=1e-14, abs=1e-16)
    assert any(g != 0.0 for g in by_engine)
