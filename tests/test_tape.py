"""autograd.Tape: replaying a recorded graph gives the engine's numbers bit for bit.

The oracle is the engine itself: the same function rebuilt op by op on the
new leaf values, then ``backward``. Equality is exact (``==``, NaN equal to
NaN), because the tape promises the same operations in the same order.
"""

from __future__ import annotations

import gc
import math
import random
import re
import weakref
from collections.abc import Callable, Sequence

import pytest

from autograd import Tape, Value, detect_anomaly, no_grad
from autograd.backward import local_derivatives, topological_order
from autograd.rules import RULES
from autograd.value import affine, atan2, hypot, maximum, minimum

pytestmark = pytest.mark.core

Fn = Callable[..., Value]


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)


def _engine(f: Fn, leaves: Sequence[Value], xs: Sequence[float]) -> tuple[float, list[float]]:
    """Rebuild ``f`` on ``leaves`` set to ``xs`` and run backward: (value, grads)."""
    for leaf, x in zip(leaves, xs):
        leaf.data = x
        leaf.grad = 0.0
    root = f(*leaves)
    root.backward()
    return root.data, [leaf.grad for leaf in leaves]


def _infinite_local(f: Fn, leaves: Sequence[Value]) -> bool:
    """True when some local derivative of ``f`` at the leaves' data is not finite (sqrt at 0)."""
    nodes = topological_order(f(*leaves))
    return not all(math.isfinite(d) for n in nodes for d in local_derivatives(n))


def _replayed(
    tape: Tape, leaves: Sequence[Value], xs: Sequence[float]
) -> tuple[float, list[float]]:
    for leaf, x in zip(leaves, xs):
        leaf.data = x
        leaf.grad = 0.0
    r = tape()
    return r, [leaf.grad for leaf in leaves]


def _check(f: Fn, record_at: Sequence[float], points: Sequence[Sequence[float]]) -> Tape:
    leaves = [Value(x) for x in record_at]
    tape = Tape(f(*leaves))
    for xs in points:
        try:
            want = _engine(f, leaves, xs)
        except (ArithmeticError, ValueError) as e:  # the tape must fail the same way
            with pytest.raises(type(e)) as failed:
                _replayed(tape, leaves, xs)
            assert str(failed.value) == str(e)
            continue
        got = _replayed(tape, leaves, xs)
        assert _same(got[0], want[0]), (xs, got, want)
        assert all(map(_same, got[1], want[1])), (xs, got, want)
        if all(map(math.isfinite, [want[0], *want[1]])) and not _infinite_local(f, leaves):
            # Finite results come from the generated code itself, not the engine's rebuild.
            for leaf in leaves:
                leaf.grad = 0.0
            assert tape._step(tape.leaves) == want[0]
            assert [leaf.grad for leaf in leaves] == want[1]
    return tape


# One function per operation; together they must cover the whole rule table.
OPS: dict[str, Fn] = {
    "add": lambda a, b: a + b + a,
    "sub": lambda a, b: a - b - b,
    "mul": lambda a, b: a * b * a,
    "div": lambda a, b: a / b / (b * b + 1.0),
    "pow": lambda a, b: (a * a + 1.0) ** b,
    "addc": lambda a, b: (a + 2.5) * b,
    "subc": lambda a, b: (a - 0.1) * b,
    "rsubc": lambda a, b: (3.0 - a) * b,
    "mulc": lambda a, b: (a * -1.7) * b,
    "divc": lambda a, b: (a / 3.0) * b,
    "rdivc": lambda a, b: 2.0 / (a * a + 0.5) + b,
    "powc": lambda a, b: (a * a + 0.25) ** 1.5 + a**3 * b,
    "rpowc": lambda a, b: 2.0**a * b,
    "neg": lambda a, b: -(a * b),
    "exp": lambda a, b: (a * b).exp(),
    "log": lambda a, b: (a * a + 0.5).log() * b,
    "sqrt": lambda a, b: (a * a + b * b).sqrt(),
    "tanh": lambda a, b: (a * b).tanh() + a.tanh(),
    "sigmoid": lambda a, b: (a - b).sigmoid(),
    "softplus": lambda a, b: (a * 3.0).softplus() * b,
    "relu": lambda a, b: (a - b).relu() + a.relu(),
    "abs": lambda a, b: (a - b).abs(),
    "leaky_relu": lambda a, b: (a * b).leaky_relu(0.2),
    "sin": lambda a, b: (a * b).sin(),
    "cos": lambda a, b: (a + b).cos() * a,
    "affine": lambda a, b: affine([a, b, a], [b, 0.5, a * b], b),
    "tan": lambda a, b: (a * b).tan(),
    "asin": lambda a, b: (a * 0.5).asin() * b,
    "acos": lambda a, b: (a * b * 0.5).acos(),
    "atan": lambda a, b: (a * b).atan() + a,
    "sinh": lambda a, b: (a * b).sinh(),
    "cosh": lambda a, b: (a + b).cosh() * a,
    "asinh": lambda a, b: (a * b).asinh(),
    "acosh": lambda a, b: (a * a + 1.0).acosh() * b,
    "atanh": lambda a, b: (a * b * 0.3).atanh(),
    "log2": lambda a, b: (a * a + 0.5).log2() * b,
    "log10": lambda a, b: (a * a + 0.5).log10() + b,
    "log1p": lambda a, b: (a * a).log1p() * b,
    "expm1": lambda a, b: (a * b).expm1(),
    "erf": lambda a, b: (a * b).erf() + a,
    "clamp": lambda a, b: (a * b).clamp(-0.5, 0.5) + a,
    "atan2": lambda a, b: atan2(a, b) * a,
    "hypot": lambda a, b: hypot(a, b + 1.0),
    "minimum": lambda a, b: minimum(a, b) * a,
    "maximum": lambda a, b: maximum(a * b, b) + minimum(a, 0.5),
}

POINTS = [(0.3, -1.2), (-2.0, 0.7), (1.5, 1.5), (0.0, 0.0), (-0.5, 2.5), (1e-9, -3.0)]


def test_every_operation_has_a_case() -> None:
    assert set(OPS) == set(RULES)


@pytest.mark.parametrize("op", sorted(OPS))
def test_each_operation_replays_bit_for_bit(op: str) -> None:
    tape = _check(OPS[op], (0.8, -0.6), POINTS)
    assert op in {m._rule for m in tape._nodes}


def test_replay_runs_the_generated_code_not_the_fallback() -> None:
    a, b = Value(0.5), Value(-1.0)
    tape = Tape((a * b).tanh() + a)
    assert "_tanh(" in tape.source and "gx0" in tape.source
    a.data = 1.25
    assert tape._step(tape.leaves) == math.tanh(1.25 * -1.0) + 1.25


def test_random_graphs_with_shared_nodes() -> None:
    rng = random.Random(5)
    unary = ["tanh", "sigmoid", "softplus", "sin", "cos", "relu", "abs"]

    def make(seed: int) -> Fn:
        def f(*xs: Value) -> Value:
            r = random.Random(seed)
            nodes = list(xs)
            for _ in range(60):
                a, b = r.choice(nodes[-8:]), r.choice(nodes)
                k = r.randrange(5)
                if k == 0:
                    nodes.append(a + b)
                elif k == 1:
                    nodes.append(a * b)
                elif k == 2:
                    nodes.append(a - 0.5 * b)
                elif k == 3:
                    nodes.append(getattr(a, r.choice(unary))())
                else:
                    nodes.append(affine([a, b], [b, 0.3], nodes[0]))
            total = nodes[0]
            for n in nodes[1:]:
                total = total + n.tanh()
            return total

        return f

    for seed in range(5):
        points = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(4)]
        _check(make(seed), [0.1, 0.2, 0.3], points)


def test_training_with_a_tape_matches_training_by_rebuilding() -> None:
    from nn import MLP, SGD, hinge_loss
    from nn.datasets import make_moons

    xs, ys = make_moons(30, noise=0.1, seed=1)
    labels = [2.0 * y - 1.0 for y in ys]

    def loss_of(model: MLP) -> Value:
        scores = [model(x) for x in xs]
        data = hinge_loss(scores, labels)  # type: ignore[arg-type]
        return data + 1e-4 * sum((p * p for p in model.parameters()), Value(0.0))

    slow, fast = MLP(2, [8, 8, 1], seed=3), MLP(2, [8, 8, 1], seed=3)
    opt_slow = SGD(slow.parameters(), lr=0.1, momentum=0.9)
    opt_fast = SGD(fast.parameters(), lr=0.1, momentum=0.9)
    tape = Tape(loss_of(fast))
    for _ in range(5):
        slow.zero_grad()
        loss = loss_of(slow)
        loss.backward()
        opt_slow.step()
        fast.zero_grad()
        value = tape()
        opt_fast.step()
        assert value == loss.data
        assert [p.data for p in fast.parameters()] == [p.data for p in slow.parameters()]


def test_leaves_accumulate_like_backward() -> None:
    def f(a: Value, b: Value) -> Value:
        return (a * b).tanh() * a + b.exp()

    a, b = Value(0.7), Value(-0.2)
    tape = Tape(f(a, b))
    tape()
    tape()
    twice = (a.grad, b.grad)
    a.grad = b.grad = 0.0
    root = f(a, b)
    root.backward()
    root.backward()
    assert twice == (a.grad, b.grad)


def test_a_second_replay_exactly_doubles_leaf_grads() -> None:
    x = Value(3.0)
    tape = Tape(x * 1.0 + x * 1.5e-16)
    tape()
    once = x.grad
    assert once == 1.0000000000000002
    tape()
    assert x.grad == 2 * once
    x.grad = 1e16
    tape()
    assert x.grad == 1e16 + once  # the pass's sum, added once


def test_forward_returns_the_value_and_leaves_grads_alone() -> None:
    a, b = Value(1.0), Value(2.0)
    tape = Tape((a * b).log() + a)
    a.data = 3.0
    a.grad = 0.25
    assert tape.forward() == math.log(6.0) + 3.0
    assert (a.grad, b.grad) == (0.25, 0.0)


def test_recorded_nodes_keep_their_numbers() -> None:
    a = Value(1.0)
    mid = a * 2.0
    root = mid.exp()
    tape = Tape(root)
    a.data = 5.0
    tape()
    assert (mid.data, root.data) == (2.0, math.exp(2.0))
    assert a.grad == 2.0 * math.exp(10.0)


@pytest.mark.parametrize(
    ("f", "xs", "error"),
    [
        (lambda a, b: (a * b).log(), (-1.0, 2.0), ValueError),
        (lambda a, b: (a * b).sqrt(), (-1.0, 2.0), ValueError),
        (lambda a, b: (a * b).exp(), (30.0, 40.0), OverflowError),
        (lambda a, b: a * b * b, (1e200, 1e200), OverflowError),
        (lambda a, b: a / (b - 2.0), (1.0, 2.0), ZeroDivisionError),
        (lambda a, b: a**b, (-2.0, 0.5), ValueError),
        (lambda a, b: (a - 1.0) ** b, (0.0, 2.5), ValueError),
        (lambda a, b: 1.0 / a + b, (0.0, 1.0), ZeroDivisionError),
        (lambda a, b: (a * 1e300).tanh() * b, (1e10, 1.0), OverflowError),
    ],
)
def test_errors_are_the_engines_and_lose_nothing(
    f: Fn, xs: tuple[float, float], error: type[Exception]
) -> None:
    leaves = [Value(2.0), Value(1.5)]
    tape = Tape(f(*leaves))
    for leaf, x in zip(leaves, xs):
        leaf.data = x
        leaf.grad = 0.125
    with pytest.raises(error) as engine_error:
        f(*leaves)
    with pytest.raises(error) as tape_error:
        tape()
    assert str(tape_error.value) == str(engine_error.value)
    assert [leaf.grad for leaf in leaves] == [0.125, 0.125]
    try:  # forward() is a value-only evaluation, as under no_grad
        with no_grad():
            want = f(*leaves).data
    except error as e:
        with pytest.raises(error, match=f"^{re.escape(str(e))}$"):
            tape.forward()
    else:
        assert tape.forward() == want


def test_zero_times_infinite_local_derivative_is_zero_as_in_backward() -> None:
    # sqrt'(0) is inf; the upstream gradient through a zero weight is 0.
    _check(lambda a, b: (a * a).sqrt() * (b - b) + b, (1.0, 2.0), [(0.0, 2.0), (0.0, -1.0)])


def test_an_infinite_gradient_is_kept_as_the_engine_gives_it() -> None:
    _check(lambda a, b: a.sqrt() + b, (1.0, 2.0), [(0.0, 2.0)])


def test_non_finite_leaf_data_gives_the_engines_result() -> None:
    _check(lambda a, b: a.relu() + a * b, (1.0, 2.0), [(math.nan, 1.0), (math.inf, 1.0)])


def test_detect_anomaly_reports_the_operation() -> None:
    a, b = Value(1.0), Value(2.0)
    tape = Tape(a * b + b)
    a.data = math.nan
    with detect_anomaly(), pytest.raises(FloatingPointError, match="'mul'"):
        tape()


def test_under_no_grad_the_tape_still_differentiates() -> None:
    a = Value(0.3)
    tape = Tape(a.tanh() * a)
    with no_grad():
        tape()
    want = 1.0 - math.tanh(0.3) ** 2
    assert a.grad == pytest.approx(want * 0.3 + math.tanh(0.3), rel=1e-15)
    a.data = -1.0
    a.grad = 0.0
    with no_grad():
        tape._step = lambda leaves: None  # type: ignore[assignment,misc]  # force the rebuild
        tape()
    assert a.grad == pytest.approx((1.0 - math.tanh(-1.0) ** 2) * -1.0 + math.tanh(-1.0), rel=1e-15)


def test_a_leaf_root() -> None:
    a = Value(4.0)
    tape = Tape(a)
    a.data = 5.0
    assert tape() == 5.0
    assert a.grad == 1.0
    assert len(tape) == 0 and tape.leaves == (a,)


def test_long_sums_and_deep_chains_compile() -> None:
    ws = [Value(0.001 * i) for i in range(400)]
    x = Value(0.5)
    _check(lambda x, w0: affine([w0, *ws[1:]], [x] * 400, x), (0.5, 0.0), [(0.25, 1.0)])
    _check(lambda x, w: sum((w * 0.1 for _ in range(300)), x * 0.0), (0.5, 1.0), [(0.1, 2.0)])

    def chain(x: Value, y: Value) -> Value:
        for _ in range(5000):
            x = x * 1.0001 + y
        return x

    tape = _check(chain, (1.0, 1e-4), [(0.5, 2e-4)])
    assert len(tape) == 10000
    del x


def test_labels_cannot_inject_code() -> None:
    a = Value(3.0, label="a\n    raise SystemExit\r\x0c")
    tape = Tape(a * 2.0)
    assert tape() == 6.0 and a.grad == 2.0
    assert "# 'a\\n" in tape.source


def test_bad_root_and_names() -> None:
    with pytest.raises(TypeError, match="Tape: root must be a Value"):
        Tape(1.0)  # type: ignore[arg-type]
    a = Value(1.0, label="a")
    tape = Tape(a * 2.0)
    assert repr(tape).startswith("Tape(ops=1, leaves=1")
    compile(tape.source, "<source>", "exec")


def test_a_dropped_tape_and_graph_are_freed_without_the_collector() -> None:
    gc.disable()
    try:
        a = Value(1.0)
        root = (a * a).tanh()
        tape = Tape(root)
        tape()
        refs = [weakref.ref(tape), weakref.ref(root)]
        del tape, root
        assert [r() for r in refs] == [None, None]
    finally:
        gc.enable()


def test_the_listing_in_the_docs_is_the_real_source() -> None:
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "tape.md").read_text(encoding="utf-8")
    listing = page.split("```text\n", 1)[1].split("```", 1)[0]
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    assert Tape((a * b).tanh() + a).source == listing
