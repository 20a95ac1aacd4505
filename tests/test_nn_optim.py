"""SGD and Adam: hand-checked steps, argument checks, and 20 steps against torch.optim."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pytest

import nn
from autograd import Value

core = pytest.mark.core


def values(*xs: float) -> list[Value]:
    return [Value(x) for x in xs]


# --- hand-checked steps ------------------------------------------------------------


@core
def test_sgd_plain_step_is_w_minus_lr_grad() -> None:
    ps = values(1.0, -2.0)
    ps[0].grad, ps[1].grad = 0.5, -4.0
    nn.SGD(ps, lr=0.1).step()
    assert [p.data for p in ps] == [1.0 - 0.1 * 0.5, -2.0 - 0.1 * -4.0]


@core
def test_sgd_momentum_first_buffer_is_the_gradient() -> None:
    (p,) = ps = values(1.0)
    opt = nn.SGD(ps, lr=0.5, momentum=0.9)
    p.grad = 2.0
    opt.step()  # buffer = 2 (no 0.9 * 0 + 2 ... same here, but no dampening either)
    assert p.data == 1.0 - 0.5 * 2.0
    p.grad = 1.0
    opt.step()  # buffer = 0.9 * 2 + 1 = 2.8
    assert math.isclose(p.data, 0.0 - 0.5 * 2.8, rel_tol=1e-15)


@core
def test_sgd_nesterov_and_weight_decay() -> None:
    (p,) = ps = values(2.0)
    opt = nn.SGD(ps, lr=0.1, momentum=0.5, weight_decay=0.25, nesterov=True)
    p.grad = 1.0
    opt.step()  # g = 1 + 0.25*2 = 1.5, buf = 1.5, update g + 0.5*buf = 2.25
    assert math.isclose(p.data, 2.0 - 0.1 * 2.25, rel_tol=1e-15)


@core
def test_adam_first_step_moves_each_parameter_by_lr() -> None:
    # after bias correction m̂ = g and v̂ = g², so the first step is lr * g / (|g| + eps)
    ps = values(1.0, -3.0, 0.5)
    for p, g in zip(ps, [0.2, -50.0, 1e-3]):
        p.grad = g
    nn.Adam(ps, lr=0.01, eps=0.0).step()
    assert [round(p.data, 15) for p in ps] == [0.99, -2.99, 0.49]


@core
def test_adam_eps_zero_and_zero_gradient_keeps_parameter() -> None:
    (p,) = ps = values(1.5)
    opt = nn.Adam(ps, lr=0.1, eps=0.0)
    for _ in range(3):
        opt.step()
    assert p.data == 1.5


@core
@pytest.mark.parametrize("make", [lambda ps: nn.SGD(ps, lr=0.1), lambda ps: nn.Adam(ps)])
def test_zero_grad(make: Callable[[list[Value]], nn.SGD]) -> None:
    ps = values(1.0, 2.0)
    ps[0].grad = 3.0
    make(ps).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


@core
def test_accepts_a_generator_and_lr_can_change() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    opt = nn.SGD((p for p in model.parameters()), lr=0.1)
    assert len(opt.params) == 9
    opt.lr = 0.01
    for p in opt.params:
        p.grad = 1.0
    before = [p.data for p in opt.params]
    opt.step()
    assert [p.data for p in opt.params] == [b - 0.01 for b in before]


@core
@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda ps: nn.SGD(ps, lr=0.0), ValueError, "lr must be > 0"),
        (lambda ps: nn.SGD(ps, lr=-1.0), ValueError, "lr must be > 0"),
        (lambda ps: nn.SGD(ps, lr=math.nan), ValueError, "lr must be a finite number"),
        (lambda ps: nn.SGD(ps, lr="0.1"), TypeError, "lr must be a number"),
        (lambda ps: nn.SGD(ps, lr=0.1, momentum=-0.5), ValueError, "momentum"),
        (lambda ps: nn.SGD(ps, lr=0.1, weight_decay=-1.0), ValueError, "weight_decay"),
        (lambda ps: nn.SGD(ps, lr=0.1, nesterov=True), ValueError, "nesterov"),
        (lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=1), TypeError, "nesterov"),
        (lambda ps: nn.SGD([], lr=0.1), ValueError, "empty"),
        (lambda ps: nn.SGD([*ps, 1.0], lr=0.1), TypeError, r"params\[2\] must be a Value"),
        (lambda ps: nn.SGD(ps + ps[:1], lr=0.1), ValueError, "more than once"),
        (lambda ps: nn.SGD(None, lr=0.1), TypeError, "params must be"),
        (lambda ps: nn.Adam(ps, lr=0.0), ValueError, "lr must be > 0"),
        (lambda ps: nn.Adam([]), ValueError, "empty"),
        (lambda ps: nn.Adam(ps, betas=(1.0, 0.999)), ValueError, r"betas\[0\]"),
        (lambda ps: nn.Adam(ps, betas=(0.9, -0.1)), ValueError, r"betas\[1\]"),
        (lambda ps: nn.Adam(ps, betas=(0.9,)), ValueError, "pair"),
        (lambda ps: nn.Adam(ps, betas=0.9), ValueError, "pair"),
        (lambda ps: nn.Adam(ps, betas=(0.9, math.inf)), ValueError, "finite"),
        (lambda ps: nn.Adam(ps, eps=-1e-8), ValueError, "eps"),
        (lambda ps: nn.Adam(ps, weight_decay=-0.1), ValueError, "weight_decay"),
    ],
)
def test_bad_arguments(call: Callable[[list[Value]], object], exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        call(values(1.0, 2.0))


# --- torch.optim float64 oracle: 20 steps, same gradients ---------------------------------


@pytest.fixture
def torch():  # type: ignore[no-untyped-def]
    return pytest.importorskip("torch", reason="torch.optim oracle needs the torch extra")


SGD_CONFIGS = [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"lr": 0.2, "weight_decay": 0.01},
    {"lr": 0.03, "momentum": 0.5, "weight_decay": 0.1, "nesterov": True},
]
ADAM_CONFIGS = [
    {},
    {"lr": 0.1},
    {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-6},
    {"lr": 0.01, "betas": (0.3, 0.99)},  # beta1 < 0.5: torch's other lerp formula
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.02, "betas": (0.0, 0.0), "weight_decay": 0.5, "eps": 0.0},
]


def _run_against_torch(torch, ours_cls, theirs_cls, config: dict, seed: int) -> None:  # type: ignore[no-untyped-def, type-arg]
    rng = random.Random(seed)
    start = [rng.uniform(-2, 2) for _ in range(7)] + [0.0]
    ps = [Value(x) for x in start]
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in start]
    ours = ours_cls(ps, **config)
    theirs = theirs_cls(ts, foreach=False, **config)
    for step in range(20):
        # gradients of very different sizes, some exactly 0 (the last parameter stays 0)
        grads = [rng.gauss(0, 1) * 10 ** rng.randint(-6, 3) for _ in range(7)] + [0.0]
        if step % 7 == 3:
            grads[0] = 0.0
        if config.get("eps", 1.0) == 0.0:  # 0/0 in torch: see test_adam_eps_zero_and_zero_...
            # The gradient Adam sees is g + weight_decay * p: keep that away from 0 too
            # (lr=1, weight_decay=0.5, p=-2, g=1 cancels exactly).
            wd = config.get("weight_decay", 0.0)
            grads = [g or 1.0 for g in grads]
            grads = [g + 1.0 if g + wd * p.data == 0.0 else g for g, p in zip(grads, ps)]
        ours.zero_grad()
        theirs.zero_grad()
        for p, t, g in zip(ps, ts, grads):
            p.grad = g
            t.grad = torch.tensor(g, dtype=torch.float64)
        ours.step()
        theirs.step()
        for i, (p, t) in enumerate(zip(ps, ts)):
            ref = t.item()
            assert math.isclose(p.data, ref, rel_tol=1e-12, abs_tol=1e-12), (step, i, p.data, ref)


@pytest.mark.parametrize("config", SGD_CONFIGS, ids=str)
@pytest.mark.parametrize("seed", [0, 1])
def test_sgd_matches_torch(torch, config: dict, seed: int) -> None:  # type: ignore[no-untyped-def, type-arg]
    _run_against_torch(torch, nn.SGD, torch.optim.SGD, config, seed)


@pytest.mark.parametrize("config", ADAM_CONFIGS, ids=str)
@pytest.mark.parametrize("seed", [0, 1])
def test_adam_matches_torch(torch, config: dict, seed: int) -> None:  # type: ignore[no-untyped-def, type-arg]
    _run_against_torch(torch, nn.Adam, torch.optim.Adam, config, seed)


def test_optimizer_property_against_torch(torch) -> None:  # type: ignore[no-untyped-def]
    hyp = pytest.importorskip("hypothesis", reason="property test needs hypothesis (test extra)")
    st = pytest.importorskip("hypothesis.strategies")

    sgd = st.fixed_dictionaries(
        {"lr": st.floats(1e-4, 1.0)},
        optional={"momentum": st.floats(0.0, 0.99), "weight_decay": st.floats(0.0, 0.5)},
    )
    adam = st.fixed_dictionaries(
        {"lr": st.floats(1e-4, 1.0)},
        optional={
            "betas": st.tuples(st.floats(0.0, 0.999), st.floats(0.0, 0.9999)),
            "eps": st.floats(0.0, 1e-3),
            "weight_decay": st.floats(0.0, 0.5),
        },
    )

    @hyp.settings(max_examples=25)
    @hyp.example(("adam", {"lr": 1.0, "eps": 0.0, "betas": (0.0, 0.0), "weight_decay": 0.5}), 0)
    @hyp.given(
        st.one_of(sgd.map(lambda c: ("sgd", c)), adam.map(lambda c: ("adam", c))),
        st.integers(0, 2**16),
    )
    def check(case: tuple[str, dict], seed: int) -> None:  # type: ignore[type-arg]
        kind, config = case
        if kind == "sgd":
            _run_against_torch(torch, nn.SGD, torch.optim.SGD, config, seed)
        else:
            _run_against_torch(torch, nn.Adam, torch.optim.Adam, config, seed)

    check()


# --- numpy scalars are numbers ----------------------------------------------------------


def test_numpy_scalar_hyperparameters() -> None:
    np = pytest.importorskip("numpy", reason="numpy scalars need numpy")
    a, b = values(1.0, 2.0), values(1.0, 2.0)
    ours = nn.SGD(a, lr=np.float32(0.5), momentum=np.float64(0.9), weight_decay=np.float32(0.25))
    ref = nn.SGD(b, lr=float(np.float32(0.5)), momentum=0.9, weight_decay=0.25)
    assert type(ours.lr) is float and type(ours.momentum) is float
    adam = nn.Adam(
        values(1.0),
        lr=np.float64(0.1),
        betas=(np.float32(0.5), np.float64(0.9)),
        eps=np.float64(1e-6),
        weight_decay=np.int64(0),
    )
    assert adam.betas == (0.5, 0.9) and adam.eps == 1e-6 and adam.weight_decay == 0.0
    for opt, ps in ((ours, a), (ref, b)):
        for _ in range(3):
            for p in ps:
                p.grad = 1.0
            opt.step()
    assert [p.data for p in a] == [p.data for p in b]


def test_huge_int_hyperparameter_is_a_short_error() -> None:
    message = "lr must be a finite number, got an int of about 401 digits"
    with pytest.raises(ValueError, match=message):
        nn.SGD(values(1.0), lr=10**400)
