"""autograd.testing.strategies: coverage, shared nodes, domains, and correct derivatives.

The drawn functions are checked against three independent references:
central differences (gradcheck), PyTorch float64 autograd when installed,
and the interval bounds each drawn node promises.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="the strategies need the 'test' extra")
st = hypothesis.strategies
from hypothesis import example, find, given, settings  # noqa: E402

import autograd.rules  # noqa: E402
import autograd.value  # noqa: E402
from autograd import Value, grad  # noqa: E402
from autograd.backward import local_derivatives, parents, topological_order  # noqa: E402
from autograd.testing import gradcheck, numerical_grad  # noqa: E402
from autograd.testing.intervals import Node, interval, slope_bound  # noqa: E402
from autograd.testing.strategies import (  # noqa: E402
    CAP,
    OPERATIONS,
    Expression,
    Ref,
    Step,
    build_expression,
    expressions,
    floats,
    values,
)
from autograd.value import affine  # noqa: E402

N = 3  # inputs per drawn function


def _points(n: int, bound: float = 1.0) -> Any:
    """Inputs in [-bound, bound], with the ends and 0 drawn often."""
    one = st.one_of(floats(-bound, bound), st.sampled_from([-bound, bound, 0.0]))
    return st.lists(one, min_size=n, max_size=n)


def _graph(e: Expression, xs: list[float]) -> tuple[Value, list[Value], list[Value]]:
    """Evaluate ``e`` on fresh leaves: (root, leaves, operation nodes in creation order)."""
    leaves = [Value(x) for x in xs]
    made: list[Value] = []
    # The engine's per-node hook (used by no_grad and detect_anomaly) lists nodes as made.
    saved = autograd.value._special, autograd.value._post
    autograd.value._special = True
    autograd.value._post = lambda node, leaf=False: None if leaf else made.append(node)
    try:
        root = e(*leaves)
    finally:
        autograd.value._special, autograd.value._post = saved
    reachable = set(topological_order(root))
    return root, leaves, [n for n in made if n in reachable]


# --- floats and values ---------------------------------------------------------


@given(floats(-2.0, 3.0), floats())
def test_floats_are_finite_and_in_range(x: float, y: float) -> None:
    assert isinstance(x, float) and -2.0 <= x <= 3.0
    assert math.isfinite(y)


@given(values(-1.0, 1.0, label="w"))
def test_values_are_fresh_leaves(v: Value) -> None:
    assert isinstance(v, Value) and -1.0 <= v.data <= 1.0
    assert v.label == "w" and v.grad == 0.0 and parents(v) == ()


# --- coverage and shape ----------------------------------------------------------


def test_operations_are_exactly_the_engine_operations() -> None:
    assert sorted(OPERATIONS) == sorted(autograd.rules.RULES)


def test_a_run_hits_every_operation_and_reuses_nodes() -> None:
    ops: Counter[str] = Counter()
    reused_intermediate = 0
    examples = 0

    @settings(max_examples=150, derandomize=True, database=None)
    @given(expressions(N, 10))
    def run(e: Expression) -> None:
        nonlocal reused_intermediate, examples
        _, _, nodes = _graph(e, [0.25, -0.5, 0.75])
        made = [n._rule for n in nodes]
        assert tuple(made) == e.ops  # the bookkeeping matches the graph the engine built
        ops.update(made)
        children: Counter[Value] = Counter(p for n in nodes for p in parents(n))
        if any(children[n] > 1 for n in nodes):
            reused_intermediate += 1
        examples += 1

    run()
    counted = {op: ops[op] for op in autograd.rules.RULES}
    # Every operation at least once: hypothesis' draws are not uniform, so one
    # that this run happened to miss must still be found by a search.
    for op in [op for op, k in counted.items() if not k]:
        found = find(
            expressions(N, 10),
            lambda e, op=op: op in e.ops,  # type: ignore[misc]
            settings=settings(database=None, max_examples=2000),
        )
        assert op in found.ops
    assert reused_intermediate >= examples // 5, (reused_intermediate, examples)


@given(expressions(N, 6))
def test_every_drawn_operation_reaches_the_output(e: Expression) -> None:
    root, _, nodes = _graph(e, [0.1, 0.2, 0.3])
    assert nodes[-1] is root
    children: Counter[Value] = Counter(p for n in nodes for p in parents(n))
    assert all(children[n] >= 1 for n in nodes[:-1])  # nothing dead: every node matters


def _built(steps: list[tuple[str, tuple[Ref | float, ...]]]) -> Expression:
    """An expression of N inputs in [-1, 1] from explicit steps, with the builder's bounds."""
    nodes = [Node("", (), -1.0, 1.0, 1.0) for _ in range(N)]
    for op, args in steps:
        lo, hi = interval(op, args, nodes)
        nodes.append(Node(op, args, lo, hi, slope_bound(op, args, nodes, lo, hi)))
    return Expression(N, nodes)


# Found with max_examples=50000: sigmoid's upper bound, 0.5 * (1 + tanh(-1.75 / 2)), was one
# ulp below the engine's sigmoid(-1.75) = 0.1480471980316895.
_SIGMOID_ULP = _built([("clamp", (Ref(2), 1.75, 2.75)), ("neg", (Ref(3),)), ("sigmoid", (Ref(4),))])


# Found with max_examples=50000: the sum of the unused results (t1 + t1, t5 + t5, exp(t2)), each
# within CAP, was not held to CAP itself: 106.5 at x2 = 1.
_SUM_OVER_CAP = build_expression(
    N,
    [
        Step(op, picks, 0, False, False, 1, (False,))
        for op, picks in [("add", (0, 0)), ("add", (0, 0)), ("maximum", (2, 2))]
        + [("add", (0, 0))] * 4
        + [("exp", (4, 0))]
    ],
)


@given(expressions(N, 12), _points(N))
@example(_SIGMOID_ULP, [0.0, 0.0, 0.0])
@example(_SUM_OVER_CAP, [0.0, 0.0, 1.0])
def test_in_range_no_domain_errors_and_every_node_inside_its_bounds(
    e: Expression, xs: list[float]
) -> None:
    _, _, nodes = _graph(e, xs)
    assert len(nodes) == len(e.nodes) - N
    for node, spec in zip(nodes, e.nodes[N:]):
        assert node._rule == spec.op
        assert spec.lo <= node.data <= spec.hi, (repr(e), spec, node.data)
        assert abs(node.data) <= CAP
        assert all(math.isfinite(d) for d in local_derivatives(node))


@given(expressions(N, 8), _points(N))
def test_called_with_floats_gives_the_same_number(e: Expression, xs: list[float]) -> None:
    root, _, _ = _graph(e, xs)
    y = e(*xs)
    assert isinstance(y, float) and y == root.data
    mixed = e(xs[0], Value(xs[1]), xs[2])  # any Value argument gives a Value
    assert isinstance(mixed, Value) and mixed.data == root.data


@given(expressions(N, 8), _points(N))
def test_repr_is_python_that_rebuilds_the_same_graph(e: Expression, xs: list[float]) -> None:
    text = repr(e)
    assert text.startswith("def f(x0, x1, x2): ") and "\n" not in text
    namespace: dict[str, Any] = {
        "affine": affine,
        **{f: getattr(autograd, f) for f in ("atan2", "hypot", "minimum", "maximum")},
    }
    exec(text, namespace)
    a = e(*[Value(x) for x in xs])
    b = namespace["f"](*[Value(x) for x in xs])
    # Same structure (parents-first order is a function of the structure alone) and value.
    assert [n._rule for n in topological_order(b)] == [n._rule for n in topological_order(a)]
    assert b.data == a.data


# --- derivatives -------------------------------------------------------------------


@given(expressions(N, 12), _points(N))
def test_drawn_functions_pass_gradcheck(e: Expression, xs: list[float]) -> None:
    assert gradcheck(e, xs)


@settings(max_examples=60)
@given(expressions(2, 6), _points(2))
def test_drawn_functions_pass_second_order_gradcheck(e: Expression, xs: list[float]) -> None:
    assert gradcheck(e, xs, order=2)


@given(expressions(N, 10), _points(N))
def test_backward_agrees_with_numerical_grad_and_grad(e: Expression, xs: list[float]) -> None:
    root, leaves, _ = _graph(e, xs)
    root.backward()
    fast = [v.grad for v in leaves]
    numeric = numerical_grad(e, xs)
    functional = grad(e, argnums=(0, 1, 2))(*xs)
    for f, n, g in zip(fast, numeric, functional):
        assert abs(f - n) <= 1e-5 + 1e-3 * abs(n)
        assert g == pytest.approx(f, rel=1e-9, abs=1e-12)


@given(expressions(2, 10, bound=4.0), _points(2, bound=4.0))
def test_a_wider_bound_keeps_its_promise(e: Expression, xs: list[float]) -> None:
    assert e.bound == 4.0
    assert gradcheck(e, xs)


def _torch_eval(e: Expression, xs: list[Any]) -> Any:
    """Evaluate ``e`` in torch from its node list (torch's own derivatives)."""
    import torch
    import torch.nn.functional as F

    vals: list[Any] = list(xs)
    for n in e.nodes[e.n_inputs :]:
        a: list[Any] = [vals[r.at] if isinstance(r, Ref) else r for r in n.args]
        op = n.op
        if op in ("add", "addc"):
            r = a[0] + a[1]
        elif op in ("sub", "subc", "rsubc"):
            r = a[0] - a[1]
        elif op in ("mul", "mulc"):
            r = a[0] * a[1]
        elif op in ("div", "divc", "rdivc"):
            r = a[0] / a[1]
        elif op in ("pow", "powc", "rpowc"):
            r = a[0] ** a[1]
        elif op == "neg":
            r = -a[0]
        elif op == "softplus":
            r = F.softplus(a[0])
        elif op == "leaky_relu":
            r = F.leaky_relu(a[0], a[1])
        elif op == "affine":
            r = a[0]
            for w, x in zip(a[1::2], a[2::2]):
                r = r + w * x
        elif op == "clamp":
            r = torch.clamp(a[0], a[1], a[2])
        elif op in ("atan2", "hypot", "minimum", "maximum"):
            r = getattr(torch, op)(a[0], a[1])
        else:
            r = getattr(a[0], op)()
        vals.append(r)
    return vals[-1]


@given(expressions(N, 10), _points(N))
def test_gradients_match_torch_float64(e: Expression, xs: list[float]) -> None:
    torch = pytest.importorskip("torch", reason="torch float64 is the oracle; install 'torch'")
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = _torch_eval(e, ts)
    expected = torch.autograd.grad(out, ts, allow_unused=True)
    root, leaves, _ = _graph(e, xs)
    root.backward()
    assert root.data == pytest.approx(out.item(), rel=1e-9, abs=1e-12)
    for v, g in zip(leaves, expected):
        want = 0.0 if g is None else g.item()
        assert v.grad == pytest.approx(want, rel=1e-9, abs=1e-12), repr(e)


# --- shrinking and readable failures ---------------------------------------------------


def test_a_search_for_an_operation_shrinks_to_a_small_expression() -> None:
    e = find(
        expressions(2, 10),
        lambda e: "log" in e.ops,
        settings=settings(database=None, max_examples=500),
    )
    assert e.ops == ("addc", "log")  # the shift that keeps log in its domain, then log
    assert repr(e) == "def f(x0, x1): return (x1 + 1.75).log()"


def test_a_wrong_derivative_shrinks_to_the_guilty_operation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def wrong_sin(x: float) -> tuple[float, float]:
        return math.sin(x), math.sin(x)

    monkeypatch.setattr(autograd.rules, "sin_f", wrong_sin)

    def fails(case: tuple[Expression, list[float]]) -> bool:
        e, xs = case
        try:
            gradcheck(e, xs)
        except AssertionError:
            return True
        return False

    e, xs = find(
        st.tuples(expressions(1, 8), _points(1)),
        fails,
        settings=settings(database=None, max_examples=500),
    )
    assert repr(e) == "def f(x0): return x0.sin()"
    assert xs == [0.0]


# --- bad arguments -------------------------------------------------------------------


def test_expression_arguments_are_checked() -> None:
    e = find(expressions(2, 3), lambda e: True, settings=settings(database=None))
    with pytest.raises(TypeError, match=r"expression takes 2 arguments \(x0, x1\), got 1"):
        e(1.0)
    with pytest.raises(TypeError, match=r"expression argument x1: .*got 'a' \(str\)"):
        e(1.0, "a")  # type: ignore[arg-type]


def test_strategy_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match=r"expressions: n_inputs must be >= 1, got 0"):
        expressions(0, 5)
    with pytest.raises(ValueError, match=r"expressions: max_ops must be >= 1, got 0"):
        expressions(1, 0)
    with pytest.raises(TypeError, match=r"expressions: n_inputs must be an int, got '2'"):
        expressions("2", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"max_ops must be an int, got True"):
        expressions(1, True)
    with pytest.raises(ValueError, match=r"bound must be > 0 and < 1e6, got -1.0"):
        expressions(1, 5, bound=-1.0)
    with pytest.raises(ValueError, match=r"bound must be > 0 and < 1e6, got nan"):
        expressions(1, 5, bound=math.nan)
