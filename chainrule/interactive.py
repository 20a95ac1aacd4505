"""The numbers of the interactive page of ``chainrule question``, computed by the engine.

The page (``interactive_page``) lets a learner switch the activation, turn
its derivative off and scrub through training. It draws and shows; it
computes nothing. Everything it shows is made here, in Python, by the
engine (``Value`` graphs, ``backward()``, ``nn`` models and optimizers),
and handed over as JSON-able data, in three sections:

1. ``update_rule``: one neuron on five points, one point per step, trained
   twice: with the question's rule ``w ← w + η (y − ŷ) x`` and with the
   engine's step ``w ← w − η ∂L/∂w``, for a linear, sigmoid and tanh
   activation. Each step keeps the chain-rule factors of ``∂L/∂w``:
   ``(ŷ − y)``, ``f′(z)`` (the local derivative the engine multiplies by in
   backward) and ``x``.
2. ``saturation``: the sigmoid neuron of ``question.activation_derivative``
   from a saturated start and from a start in the sigmoid's linear region,
   with and without ``f′(z)``: losses, and ``f′(z)`` at every point, at a
   sampling of the steps.
3. ``depth``: MLPs with linear, tanh or relu layers, 1 to 4 deep, trained on
   XOR and on two moons; at sampled steps the predicted class on a small
   grid (the decision regions), the accuracy and the loss, and for linear
   stacks the single affine map the layers multiply out to.

Every run is on fixed seeds, so the page is the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd import Tape, Value, no_grad
from autograd.backward import local_derivatives
from nn import datasets
from nn.losses import binary_cross_entropy_with_logits, mse_loss
from nn.module import MLP
from nn.optim import SGD, Adam

from .floats import total
from .progress import Progress
from .question import SIGMOID_DATA, collapse, mirrored_xor

__all__ = [
    "ACTIVATIONS",
    "DEPTHS",
    "DEPTH_ACTIVATIONS",
    "DEPTH_LR",
    "DEPTH_STEPS",
    "DEPTH_WIDTH",
    "FRAMES",
    "RESOLUTION",
    "SATURATION_STARTS",
    "UPDATE_LR",
    "UPDATE_START",
    "depth_run",
    "depth_steps",
    "page_data",
    "sampled_steps",
    "saturation",
    "update_rule",
]

ACTIVATIONS = ("linear", "sigmoid", "tanh")
"""The activations of the update-rule panel."""

UPDATE_START = (0.5, 0.0)
"""``(w, b)`` where both runs of the update-rule panel start."""
UPDATE_LR = 0.2
"""The learning rate of the update-rule panel (one point per step)."""

SATURATION_STARTS = {"saturated": (-4.0, 0.0), "linear region": (0.25, 0.0)}
"""The two starts of the sigmoid neuron: far out on its flat tail, and near z = 0."""

DEPTH_ACTIVATIONS = ("linear", "tanh", "relu")
DEPTHS = (1, 2, 3, 4)
DEPTH_DATASETS = ("xor", "moons")
DEPTH_STEPS = 150
"""Full-batch Adam steps of each depth run."""
DEPTH_LR = 0.08
DEPTH_WIDTH = 4
"""Units per hidden layer of the depth runs."""
FRAMES = 24
"""About how many training steps of each depth run keep a picture of the decision regions."""
RESOLUTION = 32
"""The decision regions are the predicted class at the centres of RESOLUTION² grid cells."""


def _activate(z: Value, activation: str) -> Value:
    """``f(z)``: the identity for ``linear`` (no node), else the engine's operation."""
    if activation == "linear":
        return z
    if activation == "sigmoid":
        return z.sigmoid()
    if activation == "tanh":
        return z.tanh()
    if activation == "relu":
        return z.relu()
    raise ValueError(
        f"unknown activation {activation!r}; choose one of linear, sigmoid, tanh, relu"
    )


def _slope(z: Value, f: Value) -> float:
    """``f′(z)``: the local derivative backward multiplies by at the activation node.

    A linear activation has no node: ``f`` is ``z``, and its derivative is 1.
    """
    if f is z:
        return 1.0
    (d,) = local_derivatives(f)
    return d


def _point_loss(w: float, b: float, activation: str, data: Sequence[tuple[float, float]]) -> float:
    """``(1/n) Σ ½ (f(w x + b) − y)²`` by the engine, without a graph."""
    with no_grad():
        fs = [_activate(Value(w) * x + Value(b), activation) for x, _ in data]
        return (0.5 * mse_loss(fs, [y for _, y in data])).data


# --- 1. the update rule, side by side ------------------------------------------------


def update_rule(
    activation: str,
    *,
    epochs: int = 8,
    lr: float = UPDATE_LR,
    start: tuple[float, float] = UPDATE_START,
    data: Sequence[tuple[float, float]] = SIGMOID_DATA,
) -> dict[str, Any]:
    """One neuron ``f(w x + b)`` trained one point per step by the rule and by the engine.

    Step ``k`` (from 1) uses point ``(k − 1) mod n``. The rule's copy takes
    ``ŷ`` from the engine's forward pass and updates ``w ← w + η (y − ŷ) x``,
    ``b ← b + η (y − ŷ)``; the engine's copy runs ``backward()`` on
    ``L = ½ (ŷ − y)²`` and ``SGD``. Both record the loss over all points
    after each step.
    """
    w_rule, b_rule = start
    w, b = Value(start[0], label="w"), Value(start[1], label="b")
    opt = SGD([w, b], lr=lr)
    loss0 = _point_loss(*start, activation, data)
    steps: list[dict[str, Any]] = []
    for k in range(1, epochs * len(data) + 1):
        i = (k - 1) % len(data)
        x, y = data[i]
        # the question's rule: the engine's ŷ, the rule's update
        with no_grad():
            z_rule = Value(w_rule) * x + Value(b_rule)
            y_rule = _activate(z_rule, activation).data
        error = y - y_rule
        # the same factors as the gradient's, with the slope the rule leaves out taken as 1
        rule = {
            "w0": w_rule,
            "b0": b_rule,
            "z": z_rule.data,
            "y_hat": y_rule,
            "dl_dyhat": y_rule - y,
            "slope": 1.0,
            "grad_w": (y_rule - y) * x,
            "grad_b": y_rule - y,
        }
        w_rule, b_rule = w_rule + lr * (error * x), b_rule + lr * error
        rule.update(w=w_rule, b=b_rule, loss=_point_loss(w_rule, b_rule, activation, data))
        # the engine's gradient step
        w0, b0 = w.data, b.data
        z = w * x + b
        f = _activate(z, activation)
        loss = 0.5 * (f - y) ** 2
        opt.zero_grad()
        loss.backward()
        engine = {
            "w0": w0,
            "b0": b0,
            "z": z.data,
            "y_hat": f.data,
            "dl_dyhat": f.grad,
            "slope": _slope(z, f),
            "grad_w": w.grad,
            "grad_b": b.grad,
        }
        opt.step()
        engine.update(w=w.data, b=b.data, loss=_point_loss(w.data, b.data, activation, data))
        steps.append(
            {
                "step": k,
                "point": i,
                "x": x,
                "y": y,
                "rule": rule,
                "engine": engine,
                "difference": {"w": abs(w_rule - w.data), "b": abs(b_rule - b.data)},
            }
        )
    return {
        "activation": activation,
        "start": {"w": start[0], "b": start[1], "loss": loss0},
        "steps": steps,
    }


# --- 2. what f′ does: the sigmoid neuron from two starts -------------------------------


def sampled_steps(steps: int, dense: int = 30, count: int = 100) -> list[int]:
    """``0 … dense`` and then about ``count`` steps spread geometrically up to ``steps``."""
    picked = set(range(min(dense, steps) + 1))
    if steps > dense:
        ratio = (steps / dense) ** (1.0 / max(1, count - dense))
        t = float(dense)
        while t < steps:
            picked.add(round(t))
            t *= ratio
    picked.add(steps)
    return sorted(picked)


def _sigmoid_points(w: float, b: float, slope_in_update: bool) -> list[list[float]]:
    """``[z, f, f′(z), share]`` at every data point, by the engine (f′ from the sigmoid node).

    ``share`` is the point's term of the update of ``w``: with the slope, the
    engine's ``∂/∂w`` of the point's ``½ (f − y)² / n`` (``(f − y) f′(z) x / n``);
    without it, the rule's ``(f − y) x / n``.
    """
    n = len(SIGMOID_DATA)
    rows = []
    for x, y in SIGMOID_DATA:  # with a graph: the slope is read off the sigmoid node
        wv = Value(w)
        z = wv * x + Value(b)
        f = z.sigmoid()
        if slope_in_update:
            (0.5 * (f - y) ** 2 / n).backward()
            share = wv.grad
        else:
            share = (f.data - y) * x / n
        rows.append([z.data, f.data, _slope(z, f), share])
    return rows


def _cross_entropy(w: float, b: float) -> float:
    """``(1/n) Σ −[y ln f + (1 − y) ln(1 − f)]`` at ``(w, b)``, by the engine from the logits."""
    with no_grad():
        zs = [Value(w) * x + Value(b) for x, _ in SIGMOID_DATA]
        return binary_cross_entropy_with_logits(zs, [y for _, y in SIGMOID_DATA]).data


def saturation(
    start: tuple[float, float], *, steps: int = 2000, lr: float = 0.5, keep: Sequence[int] = ()
) -> dict[str, Any]:
    """The sigmoid neuron trained full-batch with the true gradient and without ``f′(z)``.

    As ``question.activation_derivative``: the true run takes ``backward()``
    on ``(1/n) Σ ½ (f − y)²`` with ``SGD``; the other updates with
    ``(1/n) Σ (f − y) x`` and ``(1/n) Σ (f − y)``. At each step of ``keep``
    (default ``sampled_steps(steps)``) both runs record ``w``, ``b``, the
    squared error, the cross-entropy, the update they take there, and ``[z, f, f′(z), share]`` per
    point (see ``_sigmoid_points``).
    """
    kept = set(keep or sampled_steps(steps))
    n = len(SIGMOID_DATA)
    ys = [y for _, y in SIGMOID_DATA]
    w, b = Value(start[0], label="w"), Value(start[1], label="b")
    opt = SGD([w, b], lr=lr)
    true_rows: list[dict[str, Any]] = []
    for k in range(steps + 1):
        fs = [(w * x + b).sigmoid() for x, _ in SIGMOID_DATA]
        loss = 0.5 * mse_loss(fs, ys)
        opt.zero_grad()
        loss.backward()
        if k in kept:
            true_rows.append(
                {
                    "step": k,
                    "w": w.data,
                    "b": b.data,
                    "loss": loss.data,
                    "cross_entropy": _cross_entropy(w.data, b.data),
                    "update": [w.grad, b.grad],
                    "points": _sigmoid_points(w.data, b.data, True),
                }
            )
        if k < steps:
            opt.step()
    wd, bd = start
    delta_rows: list[dict[str, Any]] = []
    for k in range(steps + 1):
        with no_grad():
            f = [Value(wd * x + bd).sigmoid().data for x, _ in SIGMOID_DATA]
        dw = total((fi - y) * x for fi, (x, y) in zip(f, SIGMOID_DATA)) / n
        db = total(fi - y for fi, y in zip(f, ys)) / n
        if k in kept:
            delta_rows.append(
                {
                    "step": k,
                    "w": wd,
                    "b": bd,
                    "loss": total(0.5 * (fi - y) ** 2 for fi, y in zip(f, ys)) / n,
                    "cross_entropy": _cross_entropy(wd, bd),
                    "update": [dw, db],
                    "points": _sigmoid_points(wd, bd, False),
                }
            )
        if k < steps:
            wd, bd = wd - lr * dw, bd - lr * db
    return {
        "start": {"w": start[0], "b": start[1]},
        "learning_rate": lr,
        "steps": sorted(kept),
        "true_gradient": true_rows,
        "delta_rule": delta_rows,
    }


# --- 3. why a constant derivative is a disadvantage ------------------------------------


def depth_data(dataset: str, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """The points of a depth panel: mirrored XOR (as ``question.linear_collapse``) or moons."""
    if dataset == "xor":
        return mirrored_xor(12, seed)
    if dataset == "moons":
        return datasets.make_moons(48, noise=0.1, seed=seed)
    raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DEPTH_DATASETS)}")


def depth_steps(steps: int, frames: int = FRAMES) -> list[int]:
    """The steps that keep a picture: dense at the start, where the regions move most."""
    return sampled_steps(steps, dense=min(6, steps), count=frames)


def grid_box(points: Sequence[Sequence[float]], margin: float = 0.4) -> list[float]:
    """``[x0, x1, y0, y1]``: the points' bounding box plus ``margin`` on every side."""
    return [
        min(p[0] for p in points) - margin,
        max(p[0] for p in points) + margin,
        min(p[1] for p in points) - margin,
        max(p[1] for p in points) + margin,
    ]


def _linspace(lo: float, hi: float, n: int) -> list[float]:
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def grid_centres(box: Sequence[float], resolution: int) -> tuple[list[float], list[float]]:
    """The centres of ``resolution`` x ``resolution`` equal cells tiling ``box``."""
    x0, x1, y0, y1 = box
    hx, hy = (x1 - x0) / (2 * resolution), (y1 - y0) / (2 * resolution)
    return (
        _linspace(x0 + hx, x1 - hx, resolution),
        _linspace(y0 + hy, y1 - hy, resolution),
    )


def boundary_segment(W: Sequence[float], c: float, box: Sequence[float]) -> list[float] | None:
    """Where the line ``W·x + c = 0`` crosses ``box``: ``[xa, ya, xb, yb]``, or None."""
    x0, x1, y0, y1 = box
    hits: list[tuple[float, float]] = []
    if W[1] != 0.0:
        for x in (x0, x1):
            y = -(c + W[0] * x) / W[1]
            if y0 <= y <= y1:
                hits.append((x, y))
    if W[0] != 0.0:
        for y in (y0, y1):
            x = -(c + W[1] * y) / W[0]
            if x0 <= x <= x1:
                hits.append((x, y))
    hits = sorted(set(hits))
    if len(hits) < 2:
        return None
    (xa, ya), (xb, yb) = hits[0], hits[-1]
    return [xa, ya, xb, yb]


class _Scorer:
    """A model's score at any input, replayed from a tape of ``model(inputs)``.

    The tape replays the engine's operations with the parameters' current
    numbers, so recording once serves every step of training.
    """

    def __init__(self, model: MLP) -> None:
        self.inputs = [Value(0.0), Value(0.0)]
        out = model(self.inputs)
        assert isinstance(out, Value)
        self.tape = Tape(out)

    def __call__(self, x: float, y: float) -> float:
        self.inputs[0].data = x
        self.inputs[1].data = y
        return self.tape.forward()


def class_rows(score: Callable[[float, float], float], xs: list[float], ys: list[float]) -> str:
    """The predicted class (``1`` where the score is > 0) on the grid, row after row.

    Row ``i`` is ``ys[i]``, from the bottom; one character per cell.
    """
    return "".join("1" if score(x, y) > 0.0 else "0" for y in ys for x in xs)


def depth_run(
    dataset: str,
    activation: str,
    depth: int,
    *,
    steps: int = DEPTH_STEPS,
    lr: float = DEPTH_LR,
    width: int = DEPTH_WIDTH,
    seed: int = 0,
    resolution: int = RESOLUTION,
    bar: Progress | None = None,
) -> dict[str, Any]:
    """Train ``MLP(2, [width] * depth + [1])`` with Adam on the dataset's cross-entropy.

    ``losses`` and ``accuracies`` hold every step's (0 is the start, ``k``
    after ``k`` updates); ``frames`` the decision regions at ``depth_steps``.
    """
    X, y = depth_data(dataset, seed)
    box = grid_box(X)
    xs, ys = grid_centres(box, resolution)
    model = MLP(2, [width] * depth + [1], activation=activation, seed=seed + depth)
    params = model.parameters()
    opt = Adam(params, lr=lr)
    scorer = _Scorer(model)
    keep = set(depth_steps(steps))
    losses: list[float] = []
    accuracies: list[float] = []
    frames: list[dict[str, Any]] = []
    for k in range(steps + 1):
        outputs = [model(x) for x in X]
        loss = binary_cross_entropy_with_logits(outputs, y)
        scores = [o.data for o in outputs]
        acc = sum((s > 0.0) == (t == 1) for s, t in zip(scores, y)) / len(y)
        losses.append(loss.data)
        accuracies.append(acc)
        if k in keep:
            frame: dict[str, Any] = {
                "step": k,
                "accuracy": acc,
                "loss": loss.data,
                "classes": class_rows(scorer, xs, ys),
            }
            if activation == "linear":
                W, c = collapse(model)
                frame["collapsed"] = {"W": W, "b": c, "line": boundary_segment(W, c, box)}
            frames.append(frame)
        if k < steps:
            opt.zero_grad()
            loss.backward()
            opt.step()
            if bar is not None:
                bar.update()
    return {
        "dataset": dataset,
        "activation": activation,
        "depth": depth,
        "layers": [width] * depth + [1],
        "losses": losses,
        "accuracies": accuracies,
        "frames": frames,
    }


# --- the whole page --------------------------------------------------------------------


def page_data(*, progress: bool | None = None) -> dict[str, Any]:
    """Everything the interactive page shows, as JSON-able data.

    ``progress`` forces the bar of the depth runs on or off (default: on
    when stderr is a terminal and tqdm is installed).
    """
    data: dict[str, Any] = {
        "update_rule": {
            "data": [list(p) for p in SIGMOID_DATA],
            "learning_rate": UPDATE_LR,
            "runs": {a: update_rule(a) for a in ACTIVATIONS},
        },
        "saturation": {
            "data": [list(p) for p in SIGMOID_DATA],
            "runs": {name: saturation(start) for name, start in SATURATION_STARTS.items()},
        },
    }
    runs: dict[str, dict[str, Any]] = {}
    total = len(DEPTH_DATASETS) * len(DEPTH_ACTIVATIONS) * len(DEPTHS) * DEPTH_STEPS
    with Progress(total, "depth", enabled=progress) as bar:
        for dataset in DEPTH_DATASETS:
            for activation in DEPTH_ACTIVATIONS:
                for depth in DEPTHS:
                    runs[f"{dataset}/{activation}/{depth}"] = depth_run(
                        dataset, activation, depth, bar=bar
                    )
    sets = {}
    for dataset in DEPTH_DATASETS:
        X, y = depth_data(dataset)
        box = grid_box(X)
        sets[dataset] = {"points": X, "labels": y, "box": box}
    data["depth"] = {
        "datasets": sets,
        "activations": list(DEPTH_ACTIVATIONS),
        "depths": list(DEPTHS),
        "resolution": RESOLUTION,
        "steps": depth_steps(DEPTH_STEPS),
        "width": DEPTH_WIDTH,
        "optimizer": f"Adam(lr={DEPTH_LR:g}), full batch",
        "loss": "binary cross-entropy with logits",
        "runs": runs,
    }
    return data


if __name__ == "__main__":  # pragma: no cover - a quick look at the sizes and the time
    import json
    import time

    t = time.perf_counter()
    d = page_data(progress=False)
    print(f"{time.perf_counter() - t:.2f} s, {len(json.dumps(d)) / 1e6:.2f} MB")
    for key, run in d["depth"]["runs"].items():
        print(key, run["accuracies"][-1], run["losses"][-1])
