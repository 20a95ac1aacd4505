"""Learning-rate schedules and optimizer state: PyTorch's rates, and resuming bit for bit."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from typing import Any

import pytest

import nn
from autograd import Value

core = pytest.mark.core


def values(*xs: float) -> list[Value]:
    return [Value(x) for x in xs]


SCHEDULES: list[tuple[str, dict[str, Any]]] = [
    ("StepLR", {"step_size": 3}),
    ("StepLR", {"step_size": 1, "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 7}),
    ("CosineAnnealingLR", {"T_max": 4, "eta_min": 0.01}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.5, "total_iters": 8}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 3}),
]


# --- hand-checked values ----------------------------------------------------------------


@core
def test_step_lr_by_hand() -> None:
    opt = nn.SGD(values(1.0), lr=1.0)
    sched = nn.StepLR(opt, step_size=2, gamma=0.5)
    assert sched.get_last_lr() == [1.0] and opt.initial_lr == 1.0
    seen = []
    for _ in range(6):
        opt.step()
        sched.step()
        seen.append(opt.lr)
    assert seen == [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    assert sched.get_last_lr() == [opt.lr]


@core
def test_linear_warmup_and_cosine_by_hand() -> None:
    opt = nn.SGD(values(1.0), lr=0.5)
    warm = nn.LinearLR(opt, start_factor=0.5, total_iters=2)
    assert opt.lr == 0.25  # epoch 0: base * start_factor
    warm.step()
    assert opt.lr == 0.375
    warm.step()
    warm.step()
    assert opt.lr == 0.5
    opt = nn.Adam(values(1.0), lr=2.0)
    cos = nn.CosineAnnealingLR(opt, T_max=2)
    cos.step()
    assert math.isclose(opt.lr, 1.0, rel_tol=1e-15)
    cos.step()
    assert opt.lr == 0.0


@core
@pytest.mark.parametrize(
    ("make", "exc", "match"),
    [
        (lambda o: nn.StepLR(o, step_size=0), ValueError, "step_size must be at least 1"),
        (lambda o: nn.StepLR(o, step_size=1.5), TypeError, "step_size must be an int"),
        (lambda o: nn.ExponentialLR(o, gamma="x"), TypeError, "gamma must be a number"),
        (lambda o: nn.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
        (
            lambda o: nn.LinearLR(o, start_factor=0.0),
            ValueError,
            r"start_factor must be in \(0, 1\]",
        ),
        (lambda o: nn.LinearLR(o, end_factor=1.5), ValueError, r"end_factor must be in \[0, 1\]"),
        (lambda o: nn.StepLR(o, 2, last_epoch=3), ValueError, "no initial_lr"),
        (lambda o: nn.StepLR([o], 2), TypeError, "expected an nn optimizer"),
    ],
)
def test_bad_schedule_arguments(make: Callable[[nn.SGD], object], exc: type, match: str) -> None:
    opt = nn.SGD(values(1.0), lr=0.1)
    with pytest.raises(exc, match=match):
        make(opt)


@core
def test_numpy_scalar_schedule_arguments() -> None:
    np = pytest.importorskip("numpy", reason="numpy scalars need numpy")
    opt = nn.SGD(values(1.0), lr=1.0)
    sched = nn.StepLR(opt, step_size=np.int64(1), gamma=np.float64(0.5))
    sched.step()
    assert opt.lr == 0.5 and type(sched.step_size) is int


# --- resuming ----------------------------------------------------------------------------


def _data() -> tuple[list[list[float]], list[int]]:
    return nn.datasets.make_moons(16, noise=0.1, seed=0)


def _train(model: nn.MLP, opt: nn.Optimizer, sched: nn.LRScheduler | None, steps: int) -> None:
    X, y = _data()
    for _ in range(steps):
        loss = nn.binary_cross_entropy_with_logits([model(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()


OPTIMIZERS: list[tuple[Callable[..., nn.Optimizer], dict[str, Any]]] = [
    (nn.SGD, {"lr": 0.3}),
    (nn.SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
    (nn.SGD, {"lr": 0.1, "momentum": 0.8, "nesterov": True}),
    (nn.Adam, {"lr": 0.05}),
    (nn.Adam, {"lr": 0.02, "betas": (0.3, 0.99), "weight_decay": 0.1}),
    (nn.AdamW, {"lr": 0.05}),
    (nn.AdamW, {"lr": 0.05, "weight_decay": 0.3, "eps": 1e-6}),
]


@core
@pytest.mark.parametrize(("opt_cls", "config"), OPTIMIZERS, ids=str)
@pytest.mark.parametrize("schedule", [None, *SCHEDULES], ids=str)
def test_resume_is_bit_for_bit(
    opt_cls: Callable[..., nn.Optimizer],
    config: dict[str, Any],
    schedule: tuple[str, dict[str, Any]] | None,
) -> None:
    def build(seed: int, lr_scale: float) -> tuple[nn.MLP, nn.Optimizer, nn.LRScheduler | None]:
        model = nn.MLP(2, [4, 1], "tanh", seed=seed)
        opt = opt_cls(model.parameters(), **dict(config, lr=config["lr"] * lr_scale))
        sched = None
        if schedule is not None:
            sched = getattr(nn, schedule[0])(opt, **schedule[1])
        return model, opt, sched

    straight, straight_opt, straight_sched = build(0, 1.0)
    _train(straight, straight_opt, straight_sched, 20)

    first, opt, sched = build(0, 1.0)
    _train(first, opt, sched, 10)
    saved = json.dumps(
        {
            "model": first.state_dict(),
            "optimizer": opt.state_dict(),
            "schedule": None if sched is None else sched.state_dict(),
        }
    )
    # a fresh process: other weights, another lr; build both, then load both
    resumed, opt2, sched2 = build(7, 3.0)
    state = json.loads(saved)
    resumed.load_state_dict(state["model"])
    opt2.load_state_dict(state["optimizer"])
    if sched2 is not None:
        sched2.load_state_dict(state["schedule"])
    _train(resumed, opt2, sched2, 10)
    assert [p.data for p in resumed.parameters()] == [p.data for p in straight.parameters()]
    assert opt2.lr == straight_opt.lr
    assert opt2.state_dict() == straight_opt.state_dict()
    if sched2 is not None and straight_sched is not None:
        assert sched2.state_dict() == straight_sched.state_dict()


@core
def test_optimizer_state_dict_contents() -> None:
    ps = values(1.0, -2.0)
    sgd = nn.SGD(ps, lr=0.1, momentum=0.9)
    assert sgd.state_dict()["momentum_buffers"] is None
    for p in ps:
        p.grad = 1.0
    sgd.step()
    assert sgd.state_dict() == {
        "optimizer": "SGD",
        "lr": 0.1,
        "initial_lr": None,
        "momentum": 0.9,
        "weight_decay": 0.0,
        "nesterov": False,
        "momentum_buffers": [1.0, 1.0],
    }
    adam = nn.AdamW(ps, lr=0.1)
    adam.step()
    st = adam.state_dict()
    assert st["optimizer"] == "AdamW" and st["step"] == 1 and st["weight_decay"] == 0.01
    assert st["exp_avg"] == [1 - 0.9, 1 - 0.9] and json.loads(json.dumps(st)) == st


@core
def test_optimizer_load_state_dict_is_strict_and_all_or_nothing() -> None:
    ps = values(1.0, -2.0)
    adam = nn.Adam(ps, lr=0.1)
    good = adam.state_dict()
    before = json.dumps(good)
    bad_states = [
        (dict(good, optimizer="AdamW"), "the state is of a 'AdamW', not a 'Adam'"),
        (dict(good, exp_avg=[0.0]), r"state\['exp_avg'\] must be 2 numbers"),
        (dict(good, exp_avg_sq=[0.0, "x"]), r"state\['exp_avg_sq'\]\[1\] must be a number"),
        (dict(good, step=-1), r"state\['step'\] must be an int >= 0"),
        (dict(good, betas=[0.9, 1.0]), r"betas\[1\] must be in \[0, 1\)"),
        (dict(good, lr=-1.0), "must be >= 0"),
        ({k: v for k, v in good.items() if k != "eps"}, r"missing \['eps'\]"),
    ]
    for state, match in bad_states:
        with pytest.raises(ValueError, match=match):
            adam.load_state_dict(state)
        assert json.dumps(adam.state_dict()) == before
    sgd = nn.SGD(ps, lr=0.1)
    with pytest.raises(ValueError, match="nesterov=True needs a momentum"):
        sgd.load_state_dict(dict(sgd.state_dict(), nesterov=True))
    sched = nn.StepLR(sgd, 2)
    with pytest.raises(ValueError, match="not a 'StepLR'"):
        sched.load_state_dict(dict(sched.state_dict(), scheduler="LinearLR"))


# --- PyTorch oracle --------------------------------------------------------------------


@pytest.fixture
def torch():  # type: ignore[no-untyped-def]
    return pytest.importorskip("torch", reason="torch.optim oracle needs the torch extra")


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES, ids=str)
def test_rates_match_torch_step_by_step(torch, name: str, kwargs: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    theirs_opt = torch.optim.SGD([t], lr=0.1)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs)
    opt = nn.SGD(values(0.0), lr=0.1)
    ours = getattr(nn, name)(opt, **kwargs)
    assert ours.get_last_lr() == theirs.get_last_lr()
    for step in range(40):
        theirs_opt.step()
        theirs.step()
        opt.step()
        ours.step()
        ref = theirs.get_last_lr()[0]
        got = ours.get_last_lr()[0]
        assert abs(got - ref) <= 1e-15, (step, got, ref)
        assert opt.lr == got


def test_chained_schedules_match_torch(torch) -> None:  # type: ignore[no-untyped-def]
    t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.Adam([t], lr=0.1)
    tsch = [
        torch.optim.lr_scheduler.LinearLR(topt, start_factor=0.1, total_iters=4),
        torch.optim.lr_scheduler.ExponentialLR(topt, gamma=0.95),
    ]
    opt = nn.Adam(values(0.0), lr=0.1)
    osch = [nn.LinearLR(opt, start_factor=0.1, total_iters=4), nn.ExponentialLR(opt, gamma=0.95)]
    for _ in range(20):
        topt.step()
        opt.step()
        for a, b in zip(tsch, osch):
            a.step()
            b.step()
        assert abs(opt.lr - topt.param_groups[0]["lr"]) <= 1e-15


ADAMW_CONFIGS = [
    {},
    {"lr": 0.1},
    {"lr": 0.05, "weight_decay": 0.5},
    {"lr": 0.01, "betas": (0.3, 0.99), "eps": 1e-6, "weight_decay": 0.0},
]


@pytest.mark.parametrize("config", ADAMW_CONFIGS, ids=str)
@pytest.mark.parametrize("seed", [0, 1])
def test_adamw_matches_torch(torch, config: dict[str, Any], seed: int) -> None:  # type: ignore[no-untyped-def]
    _against_torch(torch, "AdamW", config, None, seed)


@pytest.mark.parametrize(
    ("opt_name", "config"),
    [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.05}), ("AdamW", {"lr": 0.05})],
    ids=str,
)
@pytest.mark.parametrize("schedule", SCHEDULES, ids=str)
def test_training_with_schedules_matches_torch(  # type: ignore[no-untyped-def]
    torch, opt_name: str, config: dict[str, Any], schedule: tuple[str, dict[str, Any]]
) -> None:
    _against_torch(torch, opt_name, config, schedule, 3)


def _against_torch(  # type: ignore[no-untyped-def]
    torch,
    opt_name: str,
    config: dict[str, Any],
    schedule: tuple[str, dict[str, Any]] | None,
    seed: int,
) -> None:
    rng = random.Random(seed)
    start = [rng.uniform(-2, 2) for _ in range(6)]
    ps = [Value(x) for x in start]
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in start]
    ours = getattr(nn, opt_name)(ps, **config)
    theirs = getattr(torch.optim, opt_name)(ts, foreach=False, **config)
    osched = tsched = None
    if schedule is not None:
        osched = getattr(nn, schedule[0])(ours, **schedule[1])
        tsched = getattr(torch.optim.lr_scheduler, schedule[0])(theirs, **schedule[1])
    for step in range(25):
        grads = [rng.gauss(0, 1) * 10 ** rng.randint(-4, 2) for _ in range(6)]
        for p, t, g in zip(ps, ts, grads):
            p.grad = g
            t.grad = torch.tensor(g, dtype=torch.float64)
        ours.step()
        theirs.step()
        if osched is not None:
            osched.step()
            tsched.step()
        for i, (p, t) in enumerate(zip(ps, ts)):
            assert math.isclose(p.data, t.item(), rel_tol=1e-12, abs_tol=1e-12), (step, i)
