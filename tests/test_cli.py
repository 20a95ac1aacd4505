"""chainrule demo, train and question: outputs and their numbers; help and bad arguments."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import math
import os
import pathlib
import re
import shutil
import subprocess
import sys
from typing import Any

import pytest
from svg_helpers import parse_file

import nn
from autograd import grad
from chainrule.cli import main
from chainrule.progress import Progress

HAVE_PLOT = importlib.util.find_spec("matplotlib") is not None
HAVE_VIZ = importlib.util.find_spec("graphviz") is not None and shutil.which("dot") is not None
needs_extras = pytest.mark.skipif(
    not (HAVE_PLOT and HAVE_VIZ),
    reason="demo, train and question draw with matplotlib (plot extra) and Graphviz (viz extra)",
)

TRAINING_FILES = ["boundary.svg", "graph.svg", "index.html", "loss.svg", "model.json", "run.json"]
ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def run_captured(args: list[str]) -> tuple[int, str, str]:
    """``main(args)`` with stdout and stderr captured (for module-scoped fixtures)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(args)
    return status, stdout.getvalue(), stderr.getvalue()


def check_svgs(folder: pathlib.Path) -> list[str]:
    """Every SVG in ``folder`` parses as XML with an <svg> root; return their names."""
    names = sorted(p.name for p in folder.glob("*.svg"))
    for name in names:
        parse_file(folder / name)
    return names


def check_page(folder: pathlib.Path, figures: list[str]) -> str:
    """index.html exists and shows every figure of the folder."""
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    shown = set(re.findall(r'<img src="([^"]+)"', page))
    assert shown == set(figures)
    return page


# --- demo -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, int, str, str]:
    if not (HAVE_PLOT and HAVE_VIZ):
        pytest.skip("demo needs the plot and viz extras")
    out = tmp_path_factory.mktemp("demo") / "out"
    status, stdout, stderr = run_captured(["demo", "--out", str(out)])
    return out, status, stdout, stderr


@needs_extras
def test_demo_writes_every_file_and_a_page_that_shows_them(demo: Any) -> None:
    out, status, _, stderr = demo
    assert status == 0
    assert sorted(os.listdir(out)) == TRAINING_FILES
    figures = check_svgs(out)
    assert figures == ["boundary.svg", "graph.svg", "loss.svg"]
    page = check_page(out, figures)
    assert 'href="model.json"' in page
    assert stderr == ""  # no progress bar when stderr is not a terminal


@needs_extras
def test_demo_prints_loss_and_accuracy_about_every_ten_steps(demo: Any) -> None:
    _, _, stdout, _ = demo
    steps = [int(m) for m in re.findall(r"^step +(\d+)/100 +loss [\d.]+ +accuracy", stdout, re.M)]
    assert steps == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99]
    assert re.search(r"^final accuracy \d+\.\d% \(loss [\d.]+\)", stdout, re.M)


@needs_extras
def test_demo_numbers_match_the_saved_model(demo: Any) -> None:
    """The reported final accuracy and loss, recomputed from model.json on the same data."""
    out, _, stdout, _ = demo
    report = json.loads((out / "run.json").read_text())
    model = nn.load(out / "model.json")
    assert isinstance(model, nn.MLP)
    assert model.nouts == [16, 16, 1] and model.activation == "relu"
    X, y = nn.datasets.make_moons(100, noise=0.1, seed=0)
    scores = [model(x).data for x in X]
    correct = sum((s > 0) == (t == 1) for s, t in zip(scores, y))
    assert report["final_accuracy"] == correct / 100
    assert report["final_accuracy"] >= 0.95  # micrograd's demo reaches 100% on these moons
    hinge = sum(max(0.0, 1.0 - (2 * t - 1) * s) for s, t in zip(scores, y)) / 100
    l2 = 1e-4 * sum(p.data * p.data for p in model.parameters())
    assert math.isclose(report["final_loss"], hinge + l2, rel_tol=1e-12)
    assert f"final accuracy {100 * correct / 100:.1f}%" in stdout
    assert len(report["losses"]) == 100 and report["losses"][-1] < report["losses"][0] / 10


@needs_extras
def test_demo_graph_is_one_neuron_after_backward(demo: Any) -> None:
    out, *_ = demo
    svg = (out / "graph.svg").read_text()
    texts = {t.text for t in parse_file(out / "graph.svg").iter() if t.text}
    for label in ("x1", "x2", "w1", "w2", "b", "z", "relu"):
        assert label in texts, label
    assert "grad 1" in svg  # the neuron's output, seeded by backward


# --- train ----------------------------------------------------------------------------


@needs_extras
@pytest.mark.parametrize(
    ("dataset", "extra"),
    [
        ("moons", ["--activation", "tanh", "--optimizer", "adam"]),
        ("circles", ["--activation", "sigmoid"]),
        ("xor", ["--activation", "linear", "--l2", "0"]),
        ("blobs", ["--optimizer", "adam", "--lr", "0.1"]),
    ],
)
def test_train_writes_the_same_outputs_for_any_setting(
    dataset: str, extra: list[str], tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    args = ["train", "--dataset", dataset, "--hidden", "6,5", "--epochs", "4", "--samples", "30"]
    status, stdout, stderr = run([*args, "--seed", "3", "--out", str(out), *extra], capsys)
    assert status == 0, stderr
    assert sorted(os.listdir(out)) == TRAINING_FILES
    check_page(out, check_svgs(out))
    report = json.loads((out / "run.json").read_text())
    assert report["settings"]["dataset"] == dataset
    assert len(report["losses"]) == 4
    model = nn.load(out / "model.json")
    assert isinstance(model, nn.MLP)
    assert model.nouts == [6, 5, 3 if dataset == "blobs" else 1]
    assert "step 3/4" in stdout


@needs_extras
def test_train_blobs_accuracy_is_the_argmax_of_the_saved_model(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "blobs"
    args = ["train", "--dataset", "blobs", "--hidden", "8", "--epochs", "15", "--samples", "45"]
    status, _, _ = run([*args, "--out", str(out)], capsys)
    assert status == 0
    report = json.loads((out / "run.json").read_text())
    model = nn.load(out / "model.json")
    X, y = nn.datasets.make_blobs(
        45, centers=[[-1.5, -1.0], [1.5, -1.0], [0.0, 1.5]], cluster_std=0.5, seed=0
    )
    correct = 0
    for x, t in zip(X, y):
        scores = [v.data for v in model(x)]
        correct += scores.index(max(scores)) == t
    assert report["final_accuracy"] == correct / 45
    assert report["final_accuracy"] > 0.9


@needs_extras
def test_a_diverging_run_is_a_one_line_error(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["train", "--lr", "1e300", "--epochs", "5", "--samples", "10", "--hidden", "4"]
    status, _, err = run([*args, "--out", str(tmp_path / "x")], capsys)
    assert status == 1
    assert err.count("\n") == 1 and "diverged" in err and "smaller learning rate" in err


# --- question -------------------------------------------------------------------------


def run_question(out: pathlib.Path) -> tuple[int, str, str]:
    return run_captured(["question", "--out", str(out)])


@pytest.fixture(scope="module")
def question(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, dict[str, Any], str]:
    if not (HAVE_PLOT and HAVE_VIZ):
        pytest.skip("question needs the plot and viz extras")
    out = tmp_path_factory.mktemp("question") / "out"
    status, stdout, stderr = run_question(out)
    assert status == 0, stderr
    assert stderr == ""
    report = json.loads((out / "report.json").read_text())
    return out, report["findings"], stdout


@needs_extras
def test_question_writes_a_report_page_with_every_figure(question: Any) -> None:
    out, findings, stdout = question
    figures = check_svgs(out)
    assert "sigmoid.svg" in figures and "xor.svg" in figures
    # the static report is report.html; index.html is the interactive page leading to it
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert set(re.findall(r'<img src="([^"]+)"', page)) == set(figures)
    assert 'href="report.json"' in page and 'href="index.html"' in page
    main = (out / "index.html").read_text(encoding="utf-8")
    assert main.startswith("<!DOCTYPE html>") and 'href="report.html"' in main
    assert "<img" not in main and "src=" not in main  # self-contained
    assert f"open {out / 'index.html'} in a browser" in stdout
    for f in findings.values():
        assert f["holds"] is True
        assert f["statement"] in stdout.replace("\n   ", " ")  # printed, wrapped
        assert f["statement"].replace("'", "&#x27;") in page  # stated on the page


@needs_extras
def test_finding_1_the_delta_rule_is_the_engines_gradient_step(question: Any) -> None:
    """Replay the rule by hand from the report's start and data; the engine's weights agree."""
    _, findings, _ = question
    f = findings["delta_rule"]
    lr = f["learning_rate"]
    w1, w2, b = f["start"]
    assert len(f["steps"]) >= 5
    for row in f["steps"]:
        (x1, x2), y = row["x"], row["y"]
        y_hat = b + w1 * x1 + w2 * x2
        assert math.isclose(row["y_hat"], y_hat, rel_tol=1e-12, abs_tol=1e-15)
        w1, w2, b = w1 + lr * (y - y_hat) * x1, w2 + lr * (y - y_hat) * x2, b + lr * (y - y_hat)
        for mine, rule, engine in zip((w1, w2, b), row["rule"], row["engine"]):
            assert abs(mine - rule) <= 1e-12 and abs(mine - engine) <= 1e-12
        # the engine's gradient of ½(y − ŷ)² is (ŷ − y) x, (ŷ − y)
        expected = [(y_hat - y) * x1, (y_hat - y) * x2, y_hat - y]
        assert all(math.isclose(g, e, rel_tol=1e-12) for g, e in zip(row["gradient"], expected))
    assert f["max_abs_difference"] <= 1e-12


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@needs_extras
def test_finding_2_gradients_and_losses_match_the_formulas(question: Any) -> None:
    _, findings, _ = question
    f = findings["activation_derivative"]
    data = f["data"]
    n = len(data)
    assert n == 5

    def squared_error(w: float, b: float) -> float:
        return sum(0.5 * (sigmoid(w * x + b) - y) ** 2 for x, y in data) / n

    def by_hand(w: float, b: float) -> tuple[float, float]:
        fs = [(sigmoid(w * x + b), x, y) for x, y in data]
        return (
            sum((fx - y) * fx * (1 - fx) * x for fx, x, y in fs) / n,
            sum((fx - y) * fx * (1 - fx) for fx, x, y in fs) / n,
        )

    def engine(w: Any, b: Any) -> Any:
        return sum(0.5 * ((w * x + b).sigmoid() - y) ** 2 for x, y in data) / n

    start = f["start"]
    for w, b in [(start["w"], start["b"]), (1.7, -1.9), (f["true_gradient"]["final"]["w"], 0.3)]:
        g = grad(engine, argnums=(0, 1))(w, b)
        assert all(math.isclose(a, e, rel_tol=1e-12) for a, e in zip(g, by_hand(w, b)))
    assert f["gradient_check"]["max_relative_difference"] <= 1e-12
    assert f["gradient_check"]["points_checked"] == f["steps"] + 1

    true, delta = f["true_gradient"], f["delta_rule"]
    for run_ in (true, delta):
        end = run_["final"]
        assert math.isclose(run_["final_loss"], squared_error(end["w"], end["b"]), rel_tol=1e-9)
        assert len(run_["losses"]) == f["steps"] + 1
    assert math.isclose(true["losses"][0], squared_error(start["w"], start["b"]), rel_tol=1e-12)
    # saturated start: the true gradient crawls while the delta rule escapes ...
    early = f["saturation"]["early_step"]
    assert f["saturation"]["mean_slope_at_start"] < 0.05
    assert true["loss_at_early_step"] > 0.9 * true["losses"][0]
    assert delta["loss_at_early_step"] < 0.1 * true["loss_at_early_step"]
    assert delta["first_step_below_threshold"] < early < true["first_step_below_threshold"]
    # ... but stops at the cross-entropy's minimum, with a higher squared error
    assert true["final_loss"] < delta["final_loss"]
    ce_w, ce_b = delta["final"]["w"], delta["final"]["b"]
    ce_grad = [sum((sigmoid(ce_w * x + ce_b) - y) * x for x, y in data) / n]
    assert abs(ce_grad[0]) < 1e-9
    assert max(abs(v) for v in delta["cross_entropy_gradient_at_end"]) < 1e-9


@needs_extras
def test_finding_3_linear_stacks_collapse_and_tanh_solves_xor(question: Any) -> None:
    _, findings, _ = question
    f = findings["linear_collapse"]
    X, y = f["points"], f["labels"]
    assert f["depths"] == [1, 2, 3, 4]
    for entry in f["linear"]:
        assert entry["accuracy"] <= 0.75
        assert entry["collapse_max_abs_difference"] < 1e-12
        # the collapsed affine map classifies the points as the reported accuracy says
        W, b = entry["collapsed"]["W"], entry["collapsed"]["b"]
        scores = [b + W[0] * p[0] + W[1] * p[1] for p in X]
        accuracy = sum((s > 0) == (t == 1) for s, t in zip(scores, y)) / len(y)
        assert accuracy == entry["accuracy"]
        assert entry["mirror_gap"] < 1e-12
    assert max(e["accuracy"] for e in f["tanh"]) >= 0.99
    assert max(e["mirror_gap"] for e in f["tanh"]) > 1.0
    # the points are mirrored XOR: each group of four obeys the labels of the identity
    for i in range(0, len(X), 4):
        (a, c), (a1, c1) = X[i], X[i + 3]
        assert (a1, c1) == (-a, -c) and y[i] == y[i + 3] != y[i + 1] == y[i + 2]


@needs_extras
def test_question_prints_the_three_findings(question: Any) -> None:
    _, findings, stdout = question
    assert [int(m) for m in re.findall(r"^(\d)\. ", stdout, re.M)] == [1, 2, 3]
    # finding 1's table: one line per step, both weight columns, the difference
    steps = findings["delta_rule"]["steps"]
    rows = re.findall(r"^ +(\d+) +(\S+ +){7}(\S+)$", stdout, re.M)
    assert [int(r[0]) for r in rows[: len(steps)]] == [r["step"] for r in steps]
    assert all(float(r[2]) == 0.0 for r in rows[: len(steps)])
    assert "max |diff|" in stdout and "tanh accuracy" in stdout


@needs_extras
def test_question_is_deterministic(question: Any, tmp_path: pathlib.Path) -> None:
    first, _, _ = question
    status, _, _ = run_question(tmp_path / "again")
    assert status == 0
    for name in sorted(os.listdir(first)):
        assert (first / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


# --- arguments ------------------------------------------------------------------------

COMMANDS = [[], ["demo"], ["train"], ["question"], ["graph"]]


@pytest.mark.core
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0] if c else "chainrule")
def test_help_exits_0(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run([*command, "--help"], capsys)
    assert status == 0 and err == ""
    assert out.startswith("usage: chainrule")


@pytest.mark.core
def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["--version"], capsys)
    assert status == 0 and re.fullmatch(r"chainrule \d+\.\d+\.\d+\n", out)


BAD = [
    [],
    ["nonsense"],
    ["train", "--hidden", "16,x"],
    ["train", "--hidden", "0"],
    ["train", "--hidden", ""],
    ["train", "--hidden", "16,,16"],
    ["train", "--lr", "0"],
    ["train", "--lr", "-0.1"],
    ["train", "--lr", "nan"],
    ["train", "--lr", "fast"],
    ["train", "--epochs", "0"],
    ["train", "--epochs", "1.5"],
    ["train", "--samples", "-3"],
    ["train", "--l2", "-1"],
    ["train", "--seed", "x"],
    ["train", "--dataset", "mnist"],
    ["train", "--activation", "gelu"],
    ["train", "--optimizer", "lbfgs"],
    ["demo", "--unknown"],
    ["question", "extra"],
    ["graph"],
]


@pytest.mark.core
@pytest.mark.parametrize("args", BAD, ids=lambda a: " ".join(a) or "nothing")
def test_bad_arguments_exit_2_with_one_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(args, capsys)
    assert status == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("chainrule") and "error:" in err


@pytest.mark.core
def test_out_that_is_a_file_is_a_bad_argument(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import chainrule.cli

    # fail on --out, not on extras
    monkeypatch.setattr(chainrule.cli, "_check_extras", lambda: None)
    target = tmp_path / "file"
    target.write_text("keep")
    for command in ("demo", "question", "train"):
        status, _, err = run([command, "--out", str(target)], capsys)
        assert status == 2 and err.count("\n") == 1 and "not a folder" in err
    assert target.read_text() == "keep"


@pytest.mark.core
def test_a_missing_extra_is_named(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without matplotlib the commands stop at once, naming the extra; nothing is written."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    for command in ("demo", "question"):
        status, out, err = run([command, "--out", str(tmp_path / command)], capsys)
        assert status == 1 and out == ""
        assert err.count("\n") == 1 and re.search(r"chainrule\[(\w+,)*plot(,\w+)*\]", err)
        assert not (tmp_path / command).exists()


@pytest.mark.core
def test_progress_prints_plain_lines_without_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Progress(3, "training") as bar:  # stderr is captured, so not a terminal
        for k in range(3):
            bar.update(loss="1.0")
            bar.write(f"line {k}")
    out, err = capsys.readouterr()
    assert out == "line 0\nline 1\nline 2\n" and err == ""


def test_progress_bar_draws_with_tqdm_when_enabled(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm", reason="the bar is drawn by tqdm (progress extra)")
    with Progress(2, "training", enabled=True) as bar:
        bar.update(loss="0.5")
        bar.write("between")
        bar.update()
    out, err = capsys.readouterr()
    assert out == "between\n"
    assert "training:" in err and "/2 [" in err and "loss=0.5" in err


# --- entry points ---------------------------------------------------------------------


def test_python_dash_m_nn_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nn", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0
    assert done.stdout.startswith("usage: chainrule")
    for command in ("demo", "train", "question", "graph"):
        assert command in done.stdout


def test_installed_chainrule_script() -> None:
    script = shutil.which("chainrule", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip(f"no chainrule script next to {sys.executable}; pip install -e . makes one")
    done = subprocess.run([script, "graph", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("usage: chainrule graph")
    bad = subprocess.run(
        [script, "graph", "x.__class__", "--at", "x=1"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "attribute access" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_the_command_imports_only_the_standard_library() -> None:
    """The CLI module imports nothing outside the standard library at import time."""
    code = (
        "import sys; import chainrule.cli, chainrule.question, chainrule.report, "
        "chainrule.training, chainrule.expression; "
        "bad = [m for m in ('matplotlib', 'graphviz', 'tqdm', 'numpy') if m in sys.modules]; "
        "print(bad)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
