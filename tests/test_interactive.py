"""The interactive page of ``chainrule question``: its data is the engine's, its page is safe.

Standard library only. The data is read back out of the written page (the
JSON script element, as the browser reads it) and compared with runs the
test makes itself: its own graphs, ``backward()`` and optimizers, its own
grids of model outputs, and plain-float formulas for the derivatives. The
comparisons are exact wherever the test repeats the engine's arithmetic;
formulas written differently (``σ(z)(1 − σ(z))`` against the engine's
sigmoid derivative) are compared to a few ulps.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from autograd import Value, no_grad
from chainrule import interactive, question
from chainrule.floats import total
from chainrule.interactive_page import DATA_ID, embed_json, render, template
from nn import datasets
from nn.losses import binary_cross_entropy_with_logits, mse_loss
from nn.module import MLP
from nn.optim import SGD, Adam

pytestmark = pytest.mark.core

MAX_BYTES = 2_000_000


def page_json(page: str) -> Any:
    """The data of a written page, read as the page's script reads it (JSON.parse)."""
    match = re.search(
        rf'<script type="application/json" id="{DATA_ID}">(.*?)</script>', page, re.DOTALL
    )
    assert match is not None
    return json.loads(match.group(1))


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def computed() -> dict[str, Any]:
    return interactive.page_data(progress=False)


@pytest.fixture(scope="module")
def page(computed: dict[str, Any]) -> str:
    return render(computed)


@pytest.fixture(scope="module")
def data(page: str) -> Any:
    return page_json(page)


def activate(z: Value, activation: str) -> Value:
    return {
        "linear": lambda v: v,
        "sigmoid": Value.sigmoid,
        "tanh": Value.tanh,
        "relu": Value.relu,
    }[activation](z)


def slope_formula(z: float, activation: str) -> float:
    """f′(z) by hand: 1, σ(1 − σ), 1 − tanh², and relu's 0/1."""
    if activation == "linear":
        return 1.0
    if activation == "sigmoid":  # σ(z)(1 − σ(z)) = e / (1 + e)² with e = exp(−|z|), no cancellation
        e = math.exp(-abs(z))
        return e / (1.0 + e) ** 2
    if activation == "tanh":
        return 1.0 - math.tanh(z) ** 2
    return 1.0 if z > 0 else 0.0


def close(a: float, b: float, ulps: float = 8.0) -> bool:
    return abs(a - b) <= ulps * math.ulp(max(abs(a), abs(b), 1e-300))


# --- the page as a file ----------------------------------------------------------------


def test_the_page_is_at_most_2_mb_and_loads_nothing(page: str) -> None:
    size = len(page.encode("utf-8"))
    assert size <= MAX_BYTES, f"{size / 1e6:.2f} MB"
    print(f"\ninteractive page: {size / 1e6:.2f} MB")
    assert page.startswith("<!DOCTYPE html>")
    # nothing is fetched: no src, no stylesheet link, no URL but the SVG namespace
    assert not re.search(r"<(img|link|iframe|object|embed)\b", page)
    assert not re.search(r"\bsrc\s*=", page)
    urls = set(re.findall(r"https?://[^\s\"')]+", page))
    assert urls == {"http://www.w3.org/2000/svg"}
    assert "@" + "DATA@" not in page and not re.search(r"@[A-Z]+@", page)


def test_embedded_json_cannot_end_its_script_element() -> None:
    nasty = {"s": "</script><script>alert(1)</script> <!-- & \u2028\u2029 -->", "x": 0.1}
    text = embed_json(nasty)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == nasty
    page = render(nasty)
    assert page.count("</script>") == 2  # the data's and the script's own
    assert page_json(page) == nasty
    with pytest.raises(ValueError):
        embed_json({"x": math.nan})


def test_the_floats_read_back_bit_for_bit(data: Any) -> None:
    """JSON keeps each float's shortest repr, so the page's numbers are the engine's exactly."""
    run = interactive.update_rule("sigmoid")
    assert data["update_rule"]["runs"]["sigmoid"] == run


def test_the_templates_are_package_data_with_every_placeholder() -> None:
    page = template("question.html")
    assert sorted(set(re.findall(r"@([A-Z]+)@", page))) == ["CSS", "DATA", "DETAILS", "JS"]
    assert "JSON.parse" in template("question.js") and "svg.chart" in template("question.css")
    # shipped in the wheel: pyproject's package data names the three kinds of file
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    line = re.search(r"^chainrule = \[(.*)\]$", pyproject, re.MULTILINE)
    assert line is not None
    for pattern in ("templates/*.html", "templates/*.css", "templates/*.js"):
        assert f'"{pattern}"' in line.group(1)


# --- 1. the update rule ---------------------------------------------------------------


@pytest.mark.parametrize("activation", ["linear", "sigmoid", "tanh"])
def test_update_rule_steps_are_the_engines_and_the_rules(data: Any, activation: str) -> None:
    """Replay both copies: the rule by hand, the gradient step with a graph of our own."""
    section = data["update_rule"]
    lr = section["learning_rate"]
    points = section["data"]
    run = section["runs"][activation]
    w_rule, b_rule = run["start"]["w"], run["start"]["b"]
    w, b = Value(w_rule), Value(b_rule)
    assert len(run["steps"]) == 8 * len(points)
    for k, s in enumerate(run["steps"], start=1):
        x, y = points[(k - 1) % len(points)]
        assert (s["step"], s["x"], s["y"]) == (k, x, y)
        # the rule
        r = s["rule"]
        with no_grad():
            y_hat = activate(Value(w_rule) * x + Value(b_rule), activation).data
        assert (r["w0"], r["b0"], r["y_hat"]) == (w_rule, b_rule, y_hat)
        assert (r["dl_dyhat"], r["slope"], r["grad_w"]) == (y_hat - y, 1.0, (y_hat - y) * x)
        w_rule, b_rule = w_rule + lr * ((y - y_hat) * x), b_rule + lr * (y - y_hat)
        assert (r["w"], r["b"]) == (w_rule, b_rule)
        # the engine: its factors multiply to its gradient, and f′ is the derivative
        e = s["engine"]
        assert (e["w0"], e["b0"]) == (w.data, b.data)
        z = w * x + b
        f = activate(z, activation)
        w.grad = b.grad = 0.0
        (0.5 * (f - y) ** 2).backward()
        assert (e["z"], e["y_hat"], e["dl_dyhat"]) == (z.data, f.data, f.data - y)
        assert close(e["slope"], slope_formula(z.data, activation))
        assert (e["grad_w"], e["grad_b"]) == (w.grad, b.grad)
        assert e["grad_w"] == e["dl_dyhat"] * e["slope"] * x
        w.data, b.data = w.data - lr * w.grad, b.data - lr * b.grad
        assert (e["w"], e["b"]) == (w.data, b.data)
        assert s["difference"] == {"w": abs(r["w"] - e["w"]), "b": abs(r["b"] - e["b"])}
        for who, (ww, bb) in (("rule", (r["w"], r["b"])), ("engine", (e["w"], e["b"]))):
            mean = total(
                0.5 * (activate(Value(ww) * px + Value(bb), activation).data - py) ** 2
                for px, py in points
            ) / len(points)
            assert math.isclose(s[who]["loss"], mean, rel_tol=1e-14)


def test_with_a_linear_activation_the_two_copies_are_the_same_numbers(data: Any) -> None:
    for s in data["update_rule"]["runs"]["linear"]["steps"]:
        assert s["rule"] == s["engine"]
        assert s["difference"] == {"w": 0.0, "b": 0.0}
    # and with a sigmoid they part at the first step, by the factor f′(z) ≤ 0.25
    first = data["update_rule"]["runs"]["sigmoid"]["steps"][0]
    assert first["difference"]["w"] > 0.0
    assert 0.0 < first["engine"]["slope"] <= 0.25
    assert first["engine"]["grad_w"] == first["rule"]["grad_w"] * first["engine"]["slope"]


# --- 2. what f′ does --------------------------------------------------------------------


def test_saturated_run_is_the_reports_and_both_starts_replay(data: Any) -> None:
    section = data["saturation"]
    assert sorted(section["runs"]) == ["linear region", "saturated"]
    # the saturated start is activation_derivative's run: the same losses at every kept step
    report = question.activation_derivative().numbers
    sat = section["runs"]["saturated"]
    assert sat["start"] == {"w": report["start"]["w"], "b": report["start"]["b"]}
    for row in sat["true_gradient"]:
        assert row["loss"] == report["true_gradient"]["losses"][row["step"]]
    for row in sat["delta_rule"]:
        assert row["loss"] == report["delta_rule"]["losses"][row["step"]]
    for name in ("true_gradient", "delta_rule"):
        for row in sat[name]:
            assert row["cross_entropy"] == report[name]["cross_entropies"][row["step"]]
    # each update ends lower on the loss it follows
    t, d = sat["true_gradient"][-1], sat["delta_rule"][-1]
    assert t["loss"] < d["loss"] and d["cross_entropy"] < t["cross_entropy"]
    points = section["data"]
    n = len(points)
    for run in section["runs"].values():
        lr = run["learning_rate"]
        assert run["steps"] == [r["step"] for r in run["true_gradient"]]
        assert run["steps"] == [r["step"] for r in run["delta_rule"]]
        kept = {r["step"]: r for r in run["true_gradient"]}
        delta = {r["step"]: r for r in run["delta_rule"]}
        w, b = Value(run["start"]["w"]), Value(run["start"]["b"])
        opt = SGD([w, b], lr=lr)
        wd, bd = run["start"]["w"], run["start"]["b"]
        for k in range(61):  # the first 60 steps: all of the first 31 are kept, then some
            fs = [(w * x + b).sigmoid() for x, _ in points]
            loss = 0.5 * mse_loss(fs, [y for _, y in points])
            opt.zero_grad()
            loss.backward()
            if k in kept:
                row = kept[k]
                assert (row["w"], row["b"], row["loss"]) == (w.data, b.data, loss.data)
                assert row["update"] == [w.grad, b.grad]
                logits = [w.data * x + b.data for x, _ in points]
                ce = binary_cross_entropy_with_logits(logits, [y for _, y in points]).data
                assert row["cross_entropy"] == ce
                for (z, f, slope, share), fv, (x, y) in zip(row["points"], fs, points):
                    assert (z, f) == (w.data * x + b.data, fv.data)
                    assert close(slope, slope_formula(z, "sigmoid"))
                    assert math.isclose(share, (f - y) * slope * x / n, rel_tol=1e-12)
                shares = [p[3] for p in row["points"]]
                scale = sum(abs(v) for v in shares)  # the terms' size bounds the rounding
                assert abs(sum(shares) - w.grad) <= 1e-14 * scale
            opt.step()
            # the update without f′: (1/n) Σ (f − y) x and (1/n) Σ (f − y), f by the engine
            with no_grad():
                f = [Value(wd * x + bd).sigmoid().data for x, _ in points]
            for fi, (x, _) in zip(f, points):
                assert close(fi, 1.0 / (1.0 + math.exp(-(wd * x + bd))))
            dw = total((fi - y) * x for fi, (x, y) in zip(f, points)) / n
            db = total(fi - y for fi, (_, y) in zip(f, points)) / n
            if k in delta:
                r = delta[k]
                assert (r["w"], r["b"], r["update"]) == (wd, bd, [dw, db])
                assert r["loss"] == total(0.5 * (fi - y) ** 2 for fi, (_, y) in zip(f, points)) / n
                assert [p[1] for p in r["points"]] == f
                assert [p[3] for p in r["points"]] == [
                    (fi - y) * x / n for fi, (x, y) in zip(f, points)
                ]
            wd, bd = wd - lr * dw, bd - lr * db
    assert any(30 < k < 60 for k in kept)  # the replay went past the dense start


def test_saturated_bars_are_small_and_the_linear_region_bars_are_not(data: Any) -> None:
    runs = data["saturation"]["runs"]
    sat = [p[2] for p in runs["saturated"]["true_gradient"][0]["points"]]
    lin = [p[2] for p in runs["linear region"]["true_gradient"][0]["points"]]
    assert sum(sat) / len(sat) < 0.05 and min(lin) > 0.2 and max(lin) <= 0.25
    # the true gradient from the saturated start crawls; without f′ it leaves at once
    sat_true = runs["saturated"]["true_gradient"]
    sat_delta = runs["saturated"]["delta_rule"]
    at_100 = next(i for i, r in enumerate(sat_true) if r["step"] >= 100)
    assert sat_true[at_100]["loss"] > 0.9 * sat_true[0]["loss"]
    assert sat_delta[at_100]["loss"] < 0.1 * sat_true[0]["loss"]
    assert sat_true[-1]["loss"] < sat_delta[-1]["loss"]  # ... and still ends lower


# --- 3. depth and the activation ------------------------------------------------------


def test_every_depth_run_is_on_the_page(data: Any) -> None:
    section = data["depth"]
    assert section["activations"] == ["linear", "tanh", "relu"]
    assert section["depths"] == [1, 2, 3, 4]
    assert sorted(section["datasets"]) == ["moons", "xor"]
    keys = {f"{d}/{a}" for d in ("xor", "moons") for a in ("linear", "tanh", "relu")}
    assert set(section["runs"]) == {f"{k}/{n}" for k in keys for n in (1, 2, 3, 4)}
    res = section["resolution"]
    for run in section["runs"].values():
        assert [f["step"] for f in run["frames"]] == section["steps"]
        assert len(run["losses"]) == len(run["accuracies"]) == section["steps"][-1] + 1
        for frame in run["frames"]:
            assert len(frame["classes"]) == res * res and set(frame["classes"]) <= {"0", "1"}
            assert frame["accuracy"] == run["accuracies"][frame["step"]]
            assert frame["loss"] == run["losses"][frame["step"]]
            assert ("collapsed" in frame) == (run["activation"] == "linear")


def cell_centres(box: list[float], res: int) -> tuple[list[float], list[float]]:
    x0, x1, y0, y1 = box
    return (
        [x0 + (x1 - x0) * (j + 0.5) / res for j in range(res)],
        [y0 + (y1 - y0) * (i + 0.5) / res for i in range(res)],
    )


@pytest.mark.parametrize(
    "key", ["xor/linear/2", "xor/tanh/3", "moons/relu/1", "moons/linear/4", "xor/relu/4"]
)
def test_depth_runs_replay_step_for_step(data: Any, key: str) -> None:
    """Train the same model in the test: every loss and accuracy, and the first frames' grids."""
    section = data["depth"]
    name, activation, depth = key.split("/")
    run = section["runs"][key]
    dataset = section["datasets"][name]
    X, y = dataset["points"], dataset["labels"]
    if name == "xor":
        assert [X, y] == list(question.mirrored_xor(12, 0))
    else:
        assert [X, y] == list(datasets.make_moons(48, noise=0.1, seed=0))
    model = MLP(2, [4] * int(depth) + [1], activation=activation, seed=int(depth))
    opt = Adam(model.parameters(), lr=0.08)
    res = section["resolution"]
    xs, ys = cell_centres(dataset["box"], res)
    frames = {f["step"]: f for f in run["frames"]}
    steps = section["steps"][-1]
    for k in range(steps + 1):
        outputs = [model(p) for p in X]
        loss = binary_cross_entropy_with_logits(outputs, y)
        correct = sum((o.data > 0) == (t == 1) for o, t in zip(outputs, y))  # type: ignore[union-attr]
        assert run["losses"][k] == loss.data, k
        assert run["accuracies"][k] == correct / len(y), k
        if k in frames and k <= 10:
            with no_grad():
                grid = "".join(
                    "1" if model([cx, cy]).data > 0 else "0"  # type: ignore[union-attr]
                    for cy in ys
                    for cx in xs
                )
            assert frames[k]["classes"] == grid, k
        if k < steps:
            opt.zero_grad()
            loss.backward()
            opt.step()


def collapsed(model_layers: list[list[tuple[list[float], float]]]) -> tuple[list[float], float]:
    """Multiply out linear layers given as [(weights, bias) per neuron] per layer."""
    W = [[1.0, 0.0], [0.0, 1.0]]
    c = [0.0, 0.0]
    for layer in model_layers:
        W = [[total(w[k] * W[k][j] for k in range(len(w))) for j in range(2)] for w, _ in layer]
        c = [bias + total(w[k] * c[k] for k in range(len(w))) for w, bias in layer]
    return W[0], c[0]


def test_linear_stacks_are_their_collapsed_map_on_every_grid(data: Any) -> None:
    """Every cell's class is the sign of W·x + b at its centre, and the line crosses the box."""
    section = data["depth"]
    res = section["resolution"]
    checked = 0
    for key, run in section["runs"].items():
        if run["activation"] != "linear":
            continue
        box = section["datasets"][run["dataset"]]["box"]
        xs, ys = cell_centres(box, res)
        for frame in run["frames"]:
            m = frame["collapsed"]
            (w1, w2), b = m["W"], m["b"]
            scale = abs(w1) + abs(w2) + abs(b)
            for i, cy in enumerate(ys):
                for j, cx in enumerate(xs):
                    s = b + w1 * cx + w2 * cy
                    if abs(s) > 1e-9 * scale:  # not on the line itself
                        assert frame["classes"][i * res + j] == ("1" if s > 0 else "0"), key
                        checked += 1
            line = m["line"]
            if line is None:  # the line misses the picture: one class everywhere in it
                assert len(set(frame["classes"])) == 1, (key, frame["step"])
                continue
            for px, py in (line[:2], line[2:]):
                assert abs(b + w1 * px + w2 * py) <= 1e-9 * scale
                edges = (abs(px - box[0]), abs(px - box[1]), abs(py - box[2]), abs(py - box[3]))
                assert min(edges) <= 1e-9
    assert checked > 10_000


def test_the_collapsed_map_is_the_product_of_the_layers() -> None:
    """The page's maps come from ``question.collapse``; check it against a product by hand."""
    model = MLP(2, [4, 4, 1], activation="linear", seed=3)
    layers = [[([w.data for w in n.w], n.b.data) for n in layer.neurons] for layer in model.layers]
    W, c = question.collapse(model)
    W2, c2 = collapsed(layers)
    assert all(math.isclose(a, e, rel_tol=1e-12) for a, e in zip(W, W2))
    assert math.isclose(c, c2, rel_tol=1e-12, abs_tol=1e-15)
    for p in ([0.3, -1.2], [2.0, 0.5]):
        with no_grad():
            out = model(p).data  # type: ignore[union-attr]
        assert math.isclose(out, c + W[0] * p[0] + W[1] * p[1], rel_tol=1e-12, abs_tol=1e-15)


def test_the_tanh_stacks_solve_xor_and_the_linear_ones_cannot(data: Any) -> None:
    runs = data["depth"]["runs"]
    for n in (1, 2, 3, 4):
        assert runs[f"xor/linear/{n}"]["accuracies"][-1] <= 0.75
        assert runs[f"moons/linear/{n}"]["accuracies"][-1] < 0.95
    assert min(runs[f"xor/tanh/{n}"]["accuracies"][-1] for n in (2, 3, 4)) == 1.0


def test_boundary_segment_is_the_part_of_the_line_inside_the_box() -> None:
    box = [-1.0, 1.0, -2.0, 2.0]
    assert interactive.boundary_segment([1.0, -1.0], 0.0, box) == [-1.0, -1.0, 1.0, 1.0]
    assert interactive.boundary_segment([0.0, 1.0], -0.5, box) == [-1.0, 0.5, 1.0, 0.5]
    assert interactive.boundary_segment([1.0, 0.0], 0.25, box) == [-0.25, -2.0, -0.25, 2.0]
    assert interactive.boundary_segment([1.0, 1.0], 10.0, box) is None  # misses the box
    assert interactive.boundary_segment([0.0, 0.0], 1.0, box) is None


def test_sampled_steps_start_dense_and_end_at_the_last_step() -> None:
    steps = interactive.sampled_steps(2000)
    assert steps[:31] == list(range(31)) and steps[-1] == 2000
    assert steps == sorted(set(steps)) and 90 <= len(steps) <= 110
    assert interactive.sampled_steps(5) == [0, 1, 2, 3, 4, 5]
    frames = interactive.depth_steps(150)
    assert frames[:7] == list(range(7)) and frames[-1] == 150 and len(frames) <= 30


# --- the docs' copy -------------------------------------------------------------------


def test_the_docs_copy_of_the_page_and_its_picture_are_current(computed: dict[str, Any]) -> None:
    spec = importlib.util.spec_from_file_location(
        "question_page", ROOT / "scripts" / "question_page.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    files = script.build(computed)
    assert sorted(files) == sorted([script.PAGE, script.PICTURE])
    for name, text in files.items():
        committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert committed == text, (
            f"docs/{name} is stale: run .venv/bin/python scripts/question_page.py and commit it"
        )
    docs_page = files[script.PAGE]
    assert page_json(docs_page) == page_json(render(computed))
    assert "report.html" not in docs_page  # the docs hold no static report to link to
    # the picture's panels are the page's runs: their accuracies are in the titles
    for key in script.RUNS:
        acc = computed["depth"]["runs"][key]["accuracies"][-1]
        assert f"{100 * acc:.1f}% correct" in files[script.PICTURE]
    markdown = (ROOT / "docs" / "derivative-question.md").read_text(encoding="utf-8")
    assert "](interactive/question.html)" in markdown and "](img/question-xor.svg)" in markdown
