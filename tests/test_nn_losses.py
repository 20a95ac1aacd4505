"""Losses: values against float formulas, gradients against central differences and torch."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from nn_helpers import assert_grads_match, central_differences

import nn
from autograd import Value

core = pytest.mark.core


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def log1pexp(z: float) -> float:
    """log(1 + e^z) in floats, written independently of the engine."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


PREDS = [0.3, -1.2, 2.5, 0.0, -0.4]
REG_TARGETS = [0.1, -1.0, 3.0, 0.5, 0.0]
SIGNS = [1, -1, 1, -1, -1]
BITS = [1, 0, 1, 0, 0]


@core
def test_mse_value() -> None:
    got = nn.mse_loss([Value(p) for p in PREDS], REG_TARGETS).data
    assert close(got, math.fsum((p - t) ** 2 for p, t in zip(PREDS, REG_TARGETS)) / 5)


@core
def test_hinge_value() -> None:
    got = nn.hinge_loss([Value(p) for p in PREDS], SIGNS).data
    assert close(got, math.fsum(max(0.0, 1 - y * s) for s, y in zip(PREDS, SIGNS)) / 5)


@core
def test_bce_value() -> None:
    got = nn.binary_cross_entropy_with_logits([Value(p) for p in PREDS], BITS).data
    expected = []
    for z, y in zip(PREDS, BITS):
        s = 1 / (1 + math.exp(-z))
        expected.append(-(y * math.log(s) + (1 - y) * math.log(1 - s)))
    assert close(got, math.fsum(expected) / 5)


@core
def test_bce_soft_labels() -> None:
    got = nn.binary_cross_entropy_with_logits([0.7], [0.25]).data
    assert close(got, log1pexp(0.7) - 0.25 * 0.7)


@core
def test_cross_entropy_value() -> None:
    logits = [1.5, -0.3, 0.2, 2.0]
    for target in range(4):
        got = nn.cross_entropy([Value(z) for z in logits], target).data
        expected = math.log(math.fsum(math.exp(z) for z in logits)) - logits[target]
        assert close(got, expected)


@core
def test_numbers_as_predictions() -> None:
    assert isinstance(nn.mse_loss([1.0, 2], [0, 0]), Value)
    assert nn.mse_loss([1.0, 2], [0, 0]).data == 2.5
    assert nn.cross_entropy([0, 0], 1).data == math.log(2)


# --- stability at large logits -------------------------------------------------


@core
@pytest.mark.parametrize(
    ("z", "y", "loss", "dz"),
    [
        (1000.0, 1, 0.0, -0.0),
        (1000.0, 0, 1000.0, 1.0),
        (-1000.0, 1, 1000.0, -1.0),
        (-1000.0, 0, 0.0, 0.0),
        (40.0, 1, math.exp(-40.0), -math.exp(-40.0)),
        (-745.0, 0, 5e-324, 5e-324),
    ],
)
def test_bce_is_stable_for_large_logits(z: float, y: int, loss: float, dz: float) -> None:
    v = Value(z)
    out = nn.binary_cross_entropy_with_logits([v], [y])
    out.backward()
    assert math.isclose(out.data, loss, rel_tol=1e-12)
    assert math.isclose(v.grad, dz, rel_tol=1e-12, abs_tol=0.0)  # σ(z) - y


@core
def test_cross_entropy_is_stable_for_large_logits() -> None:
    zs = [Value(1000.0), Value(0.0), Value(-1000.0)]
    out = nn.cross_entropy(zs, 2)
    out.backward()
    assert out.data == 2000.0
    assert [z.grad for z in zs] == [1.0, 0.0, -1.0]  # softmax - one-hot
    assert nn.cross_entropy([1000.0, 1000.0], 0).data == math.log(2)


@core
def test_cross_entropy_gradient_is_softmax_minus_one_hot() -> None:
    logits = [0.5, -1.0, 2.0]
    zs = [Value(z) for z in logits]
    nn.cross_entropy(zs, 1).backward()
    total = math.fsum(math.exp(z) for z in logits)
    for i, (z, v) in enumerate(zip(logits, zs)):
        assert close(v.grad, math.exp(z) / total - (i == 1))


# --- gradients against central differences ------------------------------------

LOSSES: list[tuple[str, Callable[[list[Value]], Value]]] = [
    ("mse", lambda ps: nn.mse_loss(ps, REG_TARGETS)),
    ("hinge", lambda ps: nn.hinge_loss(ps, SIGNS)),
    ("bce", lambda ps: nn.binary_cross_entropy_with_logits(ps, BITS)),
    ("bce-soft", lambda ps: nn.binary_cross_entropy_with_logits(ps, [0.2, 0.9, 0.5, 1, 0])),
    ("cross-entropy", lambda ps: nn.cross_entropy(ps, 2)),
]


@core
@pytest.mark.parametrize(("name", "loss"), LOSSES, ids=[n for n, _ in LOSSES])
def test_loss_gradients_match_central_differences(name: str, loss: Callable) -> None:  # type: ignore[type-arg]
    ps = [Value(p) for p in PREDS]
    if name == "hinge":  # stay off the kinks at y·s = 1
        assert all(abs(1 - y * p) > 1e-3 for p, y in zip(PREDS, SIGNS))
    loss(ps).backward()
    numeric = central_differences(lambda: loss(ps).data, ps)
    assert_grads_match([p.grad for p in ps], numeric)


def test_loss_gradients_property() -> None:
    hyp = pytest.importorskip("hypothesis", reason="property test needs hypothesis (test extra)")
    st = pytest.importorskip("hypothesis.strategies")
    floats = st.floats(-5, 5, allow_nan=False)

    @hyp.given(st.lists(st.tuples(floats, st.sampled_from([0, 1])), min_size=1, max_size=6))
    def check(rows: list[tuple[float, int]]) -> None:
        zs = [z for z, _ in rows]
        ys = [y for _, y in rows]
        hyp.assume(all(abs(1 - (2 * y - 1) * z) > 1e-4 for z, y in rows))
        cases = [
            lambda ps: nn.mse_loss(ps, ys),
            lambda ps: nn.hinge_loss(ps, [2 * y - 1 for y in ys]),
            lambda ps: nn.binary_cross_entropy_with_logits(ps, ys),
            lambda ps: nn.cross_entropy(ps, len(ps) - 1),
        ]
        for f in cases:
            ps = [Value(z) for z in zs]
            f(ps).backward()
            numeric = central_differences(lambda f=f, ps=ps: f(ps).data, ps)
            assert_grads_match([p.grad for p in ps], numeric)

    check()


# --- bad input ---------------------------------------------------------------------


@core
@pytest.mark.parametrize(
    "call",
    [
        lambda: nn.mse_loss([1.0, 2.0], [1.0]),
        lambda: nn.hinge_loss([1.0], [1, -1]),
        lambda: nn.binary_cross_entropy_with_logits([1.0, 2.0, 3.0], [1, 0]),
    ],
)
def test_length_mismatch(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="predictions but"):
        call()


@core
@pytest.mark.parametrize(
    "call",
    [lambda: nn.mse_loss([], []), lambda: nn.hinge_loss([], []), lambda: nn.cross_entropy([], 0)],
)
def test_empty(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="empty"):
        call()


@core
@pytest.mark.parametrize("label", [0, 2, 0.5, -2])
def test_hinge_labels_must_be_plus_minus_one(label: float) -> None:
    with pytest.raises(
        ValueError, match=rf"hinge_loss: labels\[1\] = {label}; labels must be -1 or 1"
    ):
        nn.hinge_loss([0.5, 0.5], [1, label])


@core
@pytest.mark.parametrize("label", [-0.1, 1.5, 2, -1])
def test_bce_labels_must_be_in_unit_interval(label: float) -> None:
    with pytest.raises(ValueError, match=r"labels\[0\]"):
        nn.binary_cross_entropy_with_logits([0.5], [label])


@core
@pytest.mark.parametrize(
    ("target", "exc"), [(-1, ValueError), (3, ValueError), (1.0, TypeError), (True, TypeError)]
)
def test_cross_entropy_target_range(target: object, exc: type[Exception]) -> None:
    with pytest.raises(exc, match="target"):
        nn.cross_entropy([0.1, 0.2, 0.3], target)  # type: ignore[arg-type]


@core
@pytest.mark.parametrize(
    "call",
    [
        lambda: nn.mse_loss(Value(1.0), [1.0]),
        lambda: nn.mse_loss([1.0], 1.0),
        lambda: nn.mse_loss(["a"], [1.0]),
        lambda: nn.mse_loss([1.0], ["a"]),
        lambda: nn.hinge_loss([1.0], [None]),
        lambda: nn.cross_entropy(1.0, 0),
    ],
)
def test_wrong_types(call: Callable[[], object]) -> None:
    with pytest.raises(TypeError):
        call()


# --- torch float64 oracle ------------------------------------------------------------


@pytest.fixture
def torch():  # type: ignore[no-untyped-def]
    return pytest.importorskip("torch", reason="torch oracle needs the torch extra")


def test_losses_match_torch(torch) -> None:  # type: ignore[no-untyped-def]
    F = torch.nn.functional
    f64 = torch.float64
    zs = [0.3, -1.2, 2.5, 0.0, -0.4, 7.0, -30.0]
    bits = [1, 0, 1, 0, 0, 0, 1]
    targets = [0.1, -1.0, 3.0, 0.5, 0.0, 2.0, -29.0]
    cases = [
        (
            lambda ps: nn.mse_loss(ps, targets),
            lambda t: F.mse_loss(t, torch.tensor(targets, dtype=f64)),
        ),
        (
            lambda ps: nn.binary_cross_entropy_with_logits(ps, bits),
            lambda t: F.binary_cross_entropy_with_logits(t, torch.tensor(bits, dtype=f64)),
        ),
        (
            lambda ps: nn.hinge_loss(ps, [2 * b - 1 for b in bits]),
            lambda t: torch.clamp(
                1 - torch.tensor([2.0 * b - 1 for b in bits], dtype=f64) * t, min=0
            ).mean(),
        ),
        (
            lambda ps: nn.cross_entropy(ps, 2),
            lambda t: F.cross_entropy(t.unsqueeze(0), torch.tensor([2])),
        ),
    ]
    for ours, theirs in cases:
        ps = [Value(z) for z in zs]
        out = ours(ps)
        out.backward()
        t = torch.tensor(zs, dtype=f64, requires_grad=True)
        ref = theirs(t)
        ref.backward()
        assert math.isclose(out.data, ref.item(), rel_tol=1e-12)
        for p, g in zip(ps, t.grad.tolist()):
            assert math.isclose(p.grad, g, rel_tol=1e-12, abs_tol=1e-15)


# --- edges: huge logits, non-finite logits, numpy scalars, Value targets -----------


HUGE_CASES = [
    ([1e308, -8e307, 0.0], 0),
    ([1e308, -8e307, 0.0], 2),
    ([-1e308, -1e308, 1e308], 2),
    ([1e300, -1e300], 1),
    ([1.7e308, 1.7e308, -1.7e308], 1),
    ([-5e307, 1e308, 2.0, -1e308], 1),
]


@core
def test_cross_entropy_does_not_overflow_where_the_loss_is_finite() -> None:
    zs = [Value(1e308), Value(-8e307), Value(0.0)]
    out = nn.cross_entropy(zs, 0)
    out.backward()
    assert out.data == 0.0
    assert [z.grad for z in zs] == [0.0, 0.0, 0.0]  # softmax [1, 0, 0] - one-hot
    # the loss 1e308 is finite too: the target's logit is far below the largest
    zs = [Value(1e308), Value(-8e307), Value(0.0)]
    out = nn.cross_entropy(zs, 2)
    out.backward()
    assert out.data == 1e308
    assert [z.grad for z in zs] == [1.0, 0.0, -1.0]


@core
def test_cross_entropy_loss_too_large_for_a_float_is_an_overflow_error() -> None:
    with pytest.raises(OverflowError, match=r"cross_entropy: the loss is too large.*logits\[0\]"):
        nn.cross_entropy([-1e308, 1e308], 0)


def test_cross_entropy_huge_logits_match_torch(torch) -> None:  # type: ignore[no-untyped-def]
    F = torch.nn.functional
    for logits, target in HUGE_CASES:
        zs = [Value(z) for z in logits]
        out = nn.cross_entropy(zs, target)
        out.backward()
        t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
        ref = F.cross_entropy(t.unsqueeze(0), torch.tensor([target]))
        ref.backward()
        assert math.isfinite(out.data) and math.isfinite(ref.item())
        assert math.isclose(out.data, ref.item(), rel_tol=1e-12), (logits, target)
        for z, g in zip(zs, t.grad.tolist()):
            assert math.isfinite(z.grad)
            assert math.isclose(z.grad, g, rel_tol=1e-12, abs_tol=1e-300), (logits, target)


@core
@pytest.mark.parametrize("where", [0, 1, 2])
@pytest.mark.parametrize("target", [0, 2])
def test_cross_entropy_nan_logit_gives_nan_wherever_it_sits(where: int, target: int) -> None:
    logits: list[float] = [0.5, -1.0, 2.0]
    logits[where] = math.nan
    zs = [Value(z) for z in logits]
    out = nn.cross_entropy(zs, target)
    assert math.isnan(out.data)  # as torch: NaN in, NaN out (detect_anomaly finds it)
    out.backward()
    assert all(math.isnan(z.grad) for z in zs)


@core
def test_cross_entropy_minus_inf_logit_is_masked_out() -> None:
    zs = [Value(0.0), Value(-math.inf), Value(0.0)]
    out = nn.cross_entropy(zs, 0)
    out.backward()
    assert out.data == math.log(2)
    assert [z.grad for z in zs] == [-0.5, 0.0, 0.5]
    assert nn.cross_entropy([0.0, -math.inf], 1).data == math.inf  # as torch


@core
def test_numpy_scalars_are_numbers_in_losses() -> None:
    np = pytest.importorskip("numpy", reason="numpy scalars need numpy")
    assert nn.cross_entropy([0.0, 0.0], np.int64(1)).data == math.log(2)
    assert nn.cross_entropy([np.float32(1.0), np.float64(2.0)], np.int32(0)).data == (
        nn.cross_entropy([1.0, 2.0], 0).data
    )
    assert nn.mse_loss([np.float64(1.5)], [np.float32(0.5)]).data == 1.0
    assert nn.hinge_loss([np.float64(0.25)], [np.int64(1)]).data == 0.75
    assert nn.binary_cross_entropy_with_logits([0.0], [np.int64(1)]).data == math.log(2)
    with pytest.raises(TypeError, match="target"):
        nn.cross_entropy([0.0, 0.0], np.bool_(True))  # a bool is not a class index


@core
def test_mse_loss_value_targets_get_gradients() -> None:
    ps = [Value(1.0), Value(-2.0)]
    ts = [Value(0.5), 3.0]
    out = nn.mse_loss(ps, ts)
    out.backward()
    assert out.data == (0.25 + 25.0) / 2
    assert ps[0].grad == 0.5 and ps[1].grad == -5.0  # (p - t)
    assert ts[0].grad == -0.5  # -(p - t)


def test_mse_loss_value_targets_match_torch(torch) -> None:  # type: ignore[no-untyped-def]
    preds, targets = [0.3, -1.2, 2.5], [0.1, -1.0, 3.5]
    ps, ts = [Value(p) for p in preds], [Value(t) for t in targets]
    out = nn.mse_loss(ps, ts)
    out.backward()
    tp = torch.tensor(preds, dtype=torch.float64, requires_grad=True)
    tt = torch.tensor(targets, dtype=torch.float64, requires_grad=True)
    ref = torch.nn.functional.mse_loss(tp, tt)
    ref.backward()
    assert math.isclose(out.data, ref.item(), rel_tol=1e-12)
    for v, g in zip([*ps, *ts], [*tp.grad.tolist(), *tt.grad.tolist()]):
        assert math.isclose(v.grad, g, rel_tol=1e-12)


@core
@pytest.mark.parametrize("bad", [{0: 1.0, 1: 2.0}, {1.0, 2.0}])
def test_losses_refuse_dicts_and_sets(bad: object) -> None:
    with pytest.raises(TypeError, match="must be a list"):
        nn.mse_loss(bad, [1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a list"):
        nn.cross_entropy(bad, 0)  # type: ignore[arg-type]


@core
def test_huge_int_target_is_a_short_overflow_error() -> None:
    with pytest.raises(OverflowError, match=r"targets\[0\] is an int of about 5001 digits"):
        nn.mse_loss([1.0], [10**5000])


def test_cross_entropy_property_against_torch_over_all_finite_floats(torch) -> None:  # type: ignore[no-untyped-def]
    hyp = pytest.importorskip("hypothesis", reason="property test needs hypothesis (test extra)")
    st = pytest.importorskip("hypothesis.strategies")
    F = torch.nn.functional
    logit = st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.floats(-50, 50),
        st.sampled_from([1e308, -1e308, 8e307, -8e307, 0.0]),
    )

    @hyp.settings(max_examples=300, deadline=None)
    @hyp.given(st.lists(logit, min_size=1, max_size=5), st.data())
    def check(logits: list[float], data) -> None:  # type: ignore[no-untyped-def]
        target = data.draw(st.integers(0, len(logits) - 1))
        t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
        ref = F.cross_entropy(t.unsqueeze(0), torch.tensor([target]))
        zs = [Value(z) for z in logits]
        if not math.isfinite(ref.item()):
            with pytest.raises(OverflowError, match="cross_entropy: the loss is too large"):
                nn.cross_entropy(zs, target)
            return
        out = nn.cross_entropy(zs, target)
        out.backward()
        ref.backward()
        assert math.isclose(out.data, ref.item(), rel_tol=1e-12, abs_tol=1e-15)
        for z, g in zip(zs, t.grad.tolist()):
            assert math.isfinite(z.grad)
            assert math.isclose(z.grad, g, rel_tol=1e-12, abs_tol=1e-15), (logits, target)

    check()
