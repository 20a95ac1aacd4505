"""The three experiments of ``chainrule question``: their numbers, checked independently.

Standard library only: every number a finding reports is recomputed here by
hand (plain floats and ``math``) or against central differences, and each
finding's verdict is shown to fail when its claim does not hold.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value
from chainrule import question
from chainrule.blocks import Chart, Figure, Finding, Graph, Paragraph, RegionPanel, Table
from nn.module import MLP

pytestmark = pytest.mark.core


def central(f: Callable[..., float], args: list[float], i: int, h: float = 1e-6) -> float:
    """The central difference of ``f`` in its ``i``-th argument."""
    up, down = list(args), list(args)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def tables(f: Finding) -> list[Table]:
    return [b for b in f.blocks if isinstance(b, Table)]


# --- 1. the delta rule ------------------------------------------------------------------


@pytest.fixture(scope="module")
def delta() -> Finding:
    return question.delta_rule()


def test_delta_rule_replays_by_hand_and_the_gradient_is_central_differences(
    delta: Finding,
) -> None:
    n = delta.numbers
    lr = n["learning_rate"]
    w1, w2, b = n["start"]
    assert len(n["steps"]) == 10
    for row in n["steps"]:
        (x1, x2), y = row["x"], row["y"]
        y_hat = b + w1 * x1 + w2 * x2
        assert math.isclose(row["y_hat"], y_hat, rel_tol=1e-12, abs_tol=1e-15)

        def loss(
            a: float, c: float, d: float, x1: float = x1, x2: float = x2, y: float = y
        ) -> float:
            return 0.5 * (y - (d + a * x1 + c * x2)) ** 2

        for i, g in enumerate(row["gradient"]):
            assert math.isclose(g, central(loss, [w1, w2, b], i), rel_tol=1e-6, abs_tol=1e-9)
        w1, w2, b = w1 + lr * (y - y_hat) * x1, w2 + lr * (y - y_hat) * x2, b + lr * (y - y_hat)
        for mine, rule, engine in zip((w1, w2, b), row["rule"], row["engine"]):
            assert abs(mine - rule) <= 1e-12 and abs(mine - engine) <= 1e-12
        assert row["max_abs_difference"] == max(
            abs(r - e) for r, e in zip(row["rule"], row["engine"])
        )
    assert delta.holds and n["max_abs_difference"] <= question.TOLERANCE


def test_delta_rule_blocks_lead_with_the_difference_and_draw_the_graph_top_down(
    delta: Finding,
) -> None:
    (table,) = tables(delta)
    assert table.headers[:2] == ["step", "max |diff|"] and table.key == (0, 1)
    assert [r[0] for r in table.rows] == list(range(1, 11))
    assert [r[1] for r in table.rows] == [s["max_abs_difference"] for s in delta.numbers["steps"]]
    (figure,) = delta.figures()
    assert isinstance(figure.content, Graph) and figure.content.rankdir == "TB"
    # the graph is the first sample's loss ½(ŷ − y)² after backward()
    first = delta.numbers["steps"][0]
    root = figure.content.root
    assert math.isclose(root.data, 0.5 * (first["y_hat"] - first["y"]) ** 2, rel_tol=1e-12)
    assert root.grad == 1.0
    # the terminal table: one row per step, the difference last
    console = delta.console_table()
    assert console is not None and console[0][-1] == "max |diff|" and len(console[1]) == 10


# --- 2. with and without the activation's derivative ------------------------------------

DATA = question.SIGMOID_DATA


def squared_error(w: float, b: float) -> float:
    return sum(0.5 * (sigmoid(w * x + b) - y) ** 2 for x, y in DATA) / len(DATA)


def cross_entropy(w: float, b: float) -> float:
    total = 0.0
    for x, y in DATA:
        f = sigmoid(w * x + b)
        total -= y * math.log(f) + (1 - y) * math.log(1 - f)
    return total / len(DATA)


@pytest.fixture(scope="module")
def sig() -> Finding:
    return question.activation_derivative()


def test_sigmoid_runs_end_on_the_minimum_of_the_loss_each_follows(sig: Finding) -> None:
    n = sig.numbers
    true, delta = n["true_gradient"], n["delta_rule"]
    for run in (true, delta):
        w, b = run["final"]["w"], run["final"]["b"]
        assert math.isclose(run["final_loss"], squared_error(w, b), rel_tol=1e-9)
        assert math.isclose(run["final_cross_entropy"], cross_entropy(w, b), rel_tol=1e-9)
        assert len(run["losses"]) == len(run["cross_entropies"]) == n["steps"] + 1
    # without f(1 − f): the cross-entropy's gradient vanishes there (central differences) ...
    end = [delta["final"]["w"], delta["final"]["b"]]
    for i in range(2):
        assert abs(central(cross_entropy, end, i)) < 1e-8
    assert max(abs(g) for g in delta["cross_entropy_gradient_at_end"]) < 1e-9
    # ... while the squared error's does not: that point is not the squared error's minimum
    assert max(abs(central(squared_error, end, i)) for i in range(2)) > 1e-4
    # twice the squared error, and the order reversed on the cross-entropy
    ratio = delta["final_loss"] / true["final_loss"]
    assert math.isclose(n["squared_error_ratio"], ratio, rel_tol=1e-12)
    assert 1.9 < ratio < 2.1
    assert delta["final_cross_entropy"] < true["final_cross_entropy"]
    assert sig.holds


def test_sigmoid_gradient_is_the_formula_with_f_prime(sig: Finding) -> None:
    """The engine's gradient (checked in the run at every step) against central differences."""
    n = sig.numbers
    assert n["gradient_check"]["points_checked"] == n["steps"] + 1
    assert n["gradient_check"]["max_relative_difference"] <= question.TOLERANCE
    for w, b in [(-4.0, 0.0), (1.7, -1.9), (0.3, 0.8)]:
        fs = [(sigmoid(w * x + b), x, y) for x, y in DATA]
        by_hand = [
            sum((f - y) * f * (1 - f) * x for f, x, y in fs) / len(DATA),
            sum((f - y) * f * (1 - f) for f, x, y in fs) / len(DATA),
        ]
        for i in range(2):
            assert math.isclose(by_hand[i], central(squared_error, [w, b], i), rel_tol=1e-6)


def test_sigmoid_saturated_start_explains_the_early_speed(sig: Finding) -> None:
    n = sig.numbers
    true, delta = n["true_gradient"], n["delta_rule"]
    assert n["saturation"]["mean_slope_at_start"] < 0.05
    slopes = [sigmoid(-4.0 * x) * (1 - sigmoid(-4.0 * x)) for x, _ in DATA]
    assert math.isclose(n["saturation"]["mean_slope_at_start"], sum(slopes) / 5, rel_tol=1e-12)
    assert delta["first_step_below_threshold"] < true["first_step_below_threshold"]
    for run in (true, delta):
        k = run["first_step_below_threshold"]
        assert run["losses"][k] < 0.01 <= min(run["losses"][:k])


def test_sigmoid_page_leads_with_the_other_loss_not_with_early_speed(sig: Finding) -> None:
    """The heading and lead say what the experiment shows; the key columns are the end values."""
    assert "needs" not in sig.title and "another loss" in sig.title
    first_sentence = sig.statement.split(". ")[0]
    assert "cross-entropy" in first_sentence
    table = tables(sig)[0]
    assert table.headers[:4] == [
        "update",
        "minimises",
        "final squared error",
        "final cross-entropy",
    ]
    assert table.key == (0, 1, 2, 3)
    assert [r[1] for r in table.rows] == ["squared error", "cross-entropy"]
    rows = {r[1]: r for r in table.rows}
    assert rows["squared error"][2] < rows["cross-entropy"][2]  # squared error: true wins
    assert rows["cross-entropy"][3] < rows["squared error"][3]  # cross-entropy: the other
    # the early speed is explained after the table, not as the finding
    paragraphs = [b.text for b in sig.blocks if isinstance(b, Paragraph)]
    assert any("no sign of a better rule" in p for p in paragraphs)
    assert sig.blocks.index(table) < min(
        i for i, b in enumerate(sig.blocks) if isinstance(b, Paragraph)
    )


def test_sigmoid_verdict_fails_when_the_run_is_too_short_to_reach_the_minimum() -> None:
    short = question.activation_derivative(steps=20)
    assert short.numbers["gradient_check"]["max_relative_difference"] <= question.TOLERANCE
    assert max(abs(g) for g in short.numbers["delta_rule"]["cross_entropy_gradient_at_end"]) > 1e-9
    assert not short.holds


# --- 3. linear stacks collapse; tanh solves XOR -------------------------------------------


@pytest.fixture(scope="module")
def xor() -> Finding:
    return question.linear_collapse(progress=False)


def affine_score(entry: dict[str, Any], p: list[float]) -> float:
    W, b = entry["collapsed"]["W"], entry["collapsed"]["b"]
    return float(b + W[0] * p[0] + W[1] * p[1])


def test_xor_linear_stacks_are_their_collapsed_map_and_stay_at_75_percent(xor: Finding) -> None:
    n = xor.numbers
    X, y = n["points"], n["labels"]
    assert n["depths"] == [1, 2, 3, 4] and len(X) == 48
    for entry in n["linear"]:
        scores = [affine_score(entry, p) for p in X]
        assert sum((s > 0) == (t == 1) for s, t in zip(scores, y)) / len(y) == entry["accuracy"]
        assert entry["accuracy"] <= 0.75
        assert entry["collapse_max_abs_difference"] <= question.TOLERANCE
        assert entry["mirror_gap"] < 1e-12
    assert max(e["accuracy"] for e in n["tanh"]) >= 0.99
    assert min(e["mirror_gap"] for e in n["tanh"]) > 1.0
    assert xor.holds


def test_mirrored_xor_groups_obey_the_affine_identity() -> None:
    X, y = question.mirrored_xor(5, seed=3)
    assert len(X) == 20
    for i in range(0, len(X), 4):
        (a, c) = X[i]
        assert X[i + 1 : i + 4] == [[-a, c], [a, -c], [-a, -c]]
        assert y[i] == y[i + 3] != y[i + 1] == y[i + 2]


def test_collapse_matches_the_model_at_the_unit_vectors() -> None:
    """An affine map is fixed by its values at 0, e1 and e2: compare with the model there."""
    model = MLP(2, [3, 5, 1], activation="linear", seed=4)

    def out(p: list[float]) -> float:
        v = model(p)
        assert isinstance(v, Value)
        return v.data

    W, c = question.collapse(model)
    assert math.isclose(c, out([0.0, 0.0]), rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(W[0], out([1.0, 0.0]) - c, rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(W[1], out([0.0, 1.0]) - c, rel_tol=1e-12, abs_tol=1e-15)


def test_xor_blocks_put_both_accuracies_first(xor: Finding) -> None:
    table = tables(xor)[0]
    assert table.headers[:4] == [
        "hidden layers",
        "linear: accuracy",
        "tanh: accuracy",
        "max |model − (W x + b)|",
    ]
    assert table.key == (0, 1, 2, 3)
    n = xor.numbers
    assert [r[2] for r in table.rows] == [f"{100 * e['accuracy']:.1f}%" for e in n["tanh"]]
    (figure,) = xor.figures()
    assert figure.file == "xor.svg"
    assert isinstance(figure.content, Chart)
    panels = [p for row in figure.content.panels for p in row]
    assert len(panels) == 8
    assert all(isinstance(p, RegionPanel) and p.labels == n["labels"] for p in panels)


def test_run_all_gives_three_findings_with_distinct_keys_and_figure_files() -> None:
    findings = [question.delta_rule(), question.activation_derivative()]
    files = [f.file for finding in findings for f in finding.figures()]
    assert len(set(files)) == len(files)
    for f in findings:
        assert all(isinstance(b, Figure | Table | Paragraph) for b in f.blocks)
        data = f.to_json()
        assert data["statement"] == f.statement and data["holds"] is True
