"""chainrule's training run: replayed from tapes it gives the rebuilt loop's numbers bit for bit."""

from __future__ import annotations

import pytest

from autograd import Value
from chainrule.cli import main
from chainrule.training import (
    DEFAULT_LR,
    DIVERGENCE,
    Diverged,
    Run,
    Settings,
    _loss,
    make_dataset,
    predict,
    predictor,
    static_graph,
    train,
)
from nn.module import MLP
from nn.optim import SGD
from nn.schedules import LinearLR

pytestmark = pytest.mark.core


def quiet(settings: Settings, tape: bool | None) -> Run:
    return train(settings, progress=False, every=10**9, tape=tape)


def history(run: Run) -> tuple[object, ...]:
    return (
        run.losses,
        run.accuracies,
        run.log,
        run.final_loss,
        run.final_accuracy,
        [p.data for p in run.model.parameters()],
        [p.grad for p in run.model.parameters()],
    )


SETTINGS = [
    Settings(epochs=12),
    Settings(dataset="circles", activation="tanh", optimizer="adam", lr=0.05, epochs=15),
    Settings(dataset="xor", activation="sigmoid", hidden=(4, 4), epochs=15, seed=3),
    Settings(activation="linear", hidden=(5,), epochs=15, samples=37),
    Settings(l2=0.0, hidden=(3, 2, 4), epochs=10, seed=-2),
    Settings(samples=1, epochs=4),
    Settings(dataset="xor", samples=2, epochs=6, optimizer="adam", lr=0.5),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"{s.dataset}-{s.activation}")
def test_the_taped_run_equals_the_rebuilt_run_bit_for_bit(settings: Settings) -> None:
    taped = quiet(settings, tape=True)
    rebuilt = quiet(settings, tape=False)
    assert history(taped) == history(rebuilt)
    assert len(taped.losses) == settings.epochs


def test_the_rebuilt_loop_is_the_plain_training_loop() -> None:
    """tape=False is the loop a user writes: forward, _loss, zero_grad, backward, step."""
    s = Settings(epochs=6, hidden=(6, 5))
    X, y, _ = make_dataset(s.dataset, s.samples, s.seed)
    model = MLP(2, [*s.hidden, 1], activation=s.activation, seed=s.seed)
    params = model.parameters()
    opt = SGD(params, lr=s.lr)
    schedule = LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=s.epochs)
    losses, accuracies = [], []
    for _ in range(s.epochs):
        outputs = [model(x) for x in X]
        loss = _loss(outputs, y, params, s.l2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
        losses.append(loss.data)
        accuracies.append(sum((o.data > 0) == (t == 1) for o, t in zip(outputs, y)) / len(y))
    for tape in (False, True):
        run = quiet(s, tape=tape)
        assert (run.losses, run.accuracies) == (losses, accuracies)
        assert [p.data for p in run.model.parameters()] == [p.data for p in params]


def test_the_default_run_is_replayed_bit_for_bit() -> None:
    """The demo's own settings, every step."""
    assert history(quiet(Settings(), tape=None)) == history(quiet(Settings(), tape=False))


def test_only_static_graphs_are_taped() -> None:
    assert static_graph(Settings()) and static_graph(Settings(dataset="xor"))
    assert not static_graph(Settings(dataset="blobs"))  # cross_entropy's shift is a value
    with pytest.raises(ValueError, match="blobs run cannot be replayed"):
        quiet(Settings(dataset="blobs", epochs=1), tape=True)
    blobs = Settings(dataset="blobs", optimizer="adam", lr=0.05, epochs=5, hidden=(4,))
    assert history(quiet(blobs, tape=None)) == history(quiet(blobs, tape=False))


@pytest.mark.parametrize("tape", [False, True])
def test_a_run_whose_loss_explodes_stops_at_once(tape: bool) -> None:
    s = Settings(lr=1e4, epochs=30)
    with pytest.raises(Diverged) as info:
        quiet(s, tape=tape)
    message = str(info.value)
    assert info.value.step == 1 and info.value.lr == 1e4
    assert message.startswith("training diverged at step 1 (the loss grew to ")
    assert message.endswith("try a smaller learning rate, e.g. --lr 1000")
    assert len(message) < 120  # no 90-digit numbers


@pytest.mark.parametrize("tape", [False, True])
def test_a_run_that_overflows_stops_with_the_same_message(tape: bool) -> None:
    # lr 1e300 overflows a float in the first update, before the loss can grow
    with pytest.raises(Diverged, match=r"grew too large for a float\); try a smaller") as info:
        quiet(Settings(lr=1e300, epochs=5, samples=10, hidden=(4,)), tape=tape)
    assert "e+" not in str(info.value).split("--lr")[0]


def test_the_divergence_limit_is_relative_to_the_first_loss() -> None:
    """A loss a million times the first is a blow-up; ordinary runs never come near it."""
    run = quiet(Settings(), tape=True)
    assert max(run.losses) < 1e-3 * DIVERGENCE * run.losses[0]
    assert run.losses[-1] < run.losses[0]


def test_diverging_on_the_command_line_is_one_line_and_exit_1(
    tmp_path: object, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import chainrule.cli

    monkeypatch.setattr(chainrule.cli, "_check_extras", lambda: None)  # no pages needed
    status = main(["train", "--lr", "1e6", "--epochs", "30", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert status == 1
    assert err == (
        "chainrule train: error: training diverged at step 1 (the loss grew to 5.19e+15); "
        "try a smaller learning rate, e.g. --lr 100000\n"
    )
    assert all(len(line) < 80 for line in out.splitlines())  # the step lines stay short


def test_default_learning_rates_train() -> None:
    for optimizer, lr in DEFAULT_LR.items():
        run = quiet(Settings(optimizer=optimizer, lr=lr, epochs=40), tape=None)
        assert run.final_accuracy > 0.8 and run.final_loss < run.losses[0]


def test_probe_reads_the_score_exactly() -> None:
    """The identity the replay relies on: root = share + probe * s gives probe.grad == s."""
    s = Value(-0.3141592653589793) * Value(1.7)
    probe = Value(0.0)
    share = (1.0 - s).relu() / 7.0
    from autograd.value import affine

    root = affine([probe], [s], share)
    root.backward()
    assert probe.grad == s.data and root.data == share.data


@pytest.mark.parametrize(
    ("activation", "nouts"),
    [("relu", [16, 16, 1]), ("tanh", [8, 1]), ("sigmoid", [6, 4, 3]), ("linear", [5, 3])],
)
def test_the_taped_predictor_gives_predicts_numbers(activation: str, nouts: list[int]) -> None:
    """The decision-region grid replays one point's graph: the same numbers, bit for bit."""
    model = MLP(2, nouts, activation=activation, seed=3)
    fast = predictor(model, nouts[-1] if nouts[-1] > 1 else 2)
    points = [[-2.0 + 0.37 * i, 1.5 - 0.29 * j] for i in range(12) for j in range(12)]
    points += [[0.0, 0.0], [-0.0, 1e-300], [1e3, -1e3]]
    for x in points:
        assert fast(x) == predict(model, x, 2)
