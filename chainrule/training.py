"""The training run behind ``chainrule demo`` and ``chainrule train``.

Full-batch training of an ``MLP`` on one of the toy datasets:

* two-class datasets (moons, circles, xor): one output score ``s``, class 1
  when ``s > 0``, trained with the hinge loss ``mean(max(0, 1 - y s))``
  (labels ``y`` in {-1, 1}), as in micrograd's demo;
* blobs (three classes): one score per class, the predicted class is the
  largest, trained with the mean cross-entropy;
* plus ``l2 * Σ p²`` over all parameters, a small weight penalty that keeps
  the scores from growing without bound once the data are separated.

The learning rate decays linearly from ``lr`` to ``lr / 10`` over the run
(``lr_k = lr (1 - 0.9 k / epochs)``), as in micrograd's demo, for SGD and
Adam alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from autograd import Value, no_grad
from autograd.value import affine
from nn import datasets
from nn.losses import cross_entropy, hinge_loss
from nn.module import MLP, Neuron
from nn.optim import SGD, Adam, Optimizer

from .progress import Progress

__all__ = ["DATASETS", "DEFAULT_LR", "OPTIMIZERS", "Run", "Settings", "neuron_graph", "train"]

DATASETS = ("moons", "circles", "xor", "blobs")
OPTIMIZERS = ("sgd", "adam")
DEFAULT_LR = {"sgd": 1.0, "adam": 0.05}
"""Starting learning rate of each optimizer when ``--lr`` is not given."""

BLOB_CENTERS = [[-1.5, -1.0], [1.5, -1.0], [0.0, 1.5]]

Points = list[list[float]]


@dataclass(frozen=True)
class Settings:
    """Everything that decides a training run; the same settings give the same run."""

    dataset: str = "moons"
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "relu"
    optimizer: str = "sgd"
    lr: float = 1.0
    epochs: int = 100
    seed: int = 0
    samples: int = 100
    l2: float = 1e-4


@dataclass
class Run:
    """A finished training run: the model, its data and its history."""

    settings: Settings
    model: MLP
    points: Points
    labels: list[int]
    classes: int
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    log: list[tuple[int, float, float]] = field(default_factory=list)
    final_loss: float = 0.0
    final_accuracy: float = 0.0

    @property
    def loss_name(self) -> str:
        """What the loss is, in words (for reports)."""
        base = "cross-entropy" if self.classes > 2 else "hinge loss"
        return f"{base} + {self.settings.l2:g} × Σ p²"


def make_dataset(name: str, samples: int, seed: int) -> tuple[Points, list[int], int]:
    """``(points, labels, number of classes)`` of a named toy dataset."""
    if name == "moons":
        X, y = datasets.make_moons(samples, noise=0.1, seed=seed)
    elif name == "circles":
        X, y = datasets.make_circles(samples, noise=0.05, factor=0.5, seed=seed)
    elif name == "xor":
        X, y = datasets.make_xor(samples, seed=seed)
    elif name == "blobs":
        X, y = datasets.make_blobs(samples, centers=BLOB_CENTERS, cluster_std=0.5, seed=seed)
        return X, y, len(BLOB_CENTERS)
    else:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return X, y, 2


def predict(model: MLP, x: Sequence[float], classes: int) -> float:
    """The score (two classes) or the predicted class index (more), without a graph."""
    with no_grad():
        out = model(list(x))
    if isinstance(out, Value):
        return out.data
    scores = [v.data for v in out]
    return float(scores.index(max(scores)))


def _correct(out: Value | list[Value], label: int) -> bool:
    if isinstance(out, Value):
        return (out.data > 0.0) == (label == 1)
    scores = [v.data for v in out]
    return scores.index(max(scores)) == label


def _loss(
    outputs: list[Value | list[Value]], labels: list[int], params: list[Value], l2: float
) -> Value:
    if isinstance(outputs[0], Value):
        data = hinge_loss(outputs, [2.0 * t - 1.0 for t in labels])  # type: ignore[arg-type]
    else:
        terms = [cross_entropy(o, t) for o, t in zip(outputs, labels)]  # type: ignore[arg-type]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        data = total / float(len(terms))
    if l2 == 0.0:
        return data
    # Σ p² as one fused node (p times itself) rather than 2n additions and products.
    return data + l2 * affine(params, params, Value(0.0))


def _optimizer(settings: Settings, params: list[Value]) -> Optimizer:
    if settings.optimizer == "sgd":
        return SGD(params, lr=settings.lr)
    if settings.optimizer == "adam":
        return Adam(params, lr=settings.lr)
    raise ValueError(
        f"unknown optimizer {settings.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}"
    )


def train(settings: Settings, *, progress: bool | None = None, every: int | None = None) -> Run:
    """Train as ``settings`` says, printing loss and accuracy every ``every`` steps.

    ``every`` defaults to a tenth of the run. ``progress`` forces the bar on
    or off (default: on when stderr is a terminal and tqdm is installed).
    A run whose numbers overflow raises ``ValueError`` suggesting a smaller
    learning rate.
    """
    X, y, classes = make_dataset(settings.dataset, settings.samples, settings.seed)
    nout = 1 if classes == 2 else classes
    model = MLP(2, [*settings.hidden, nout], activation=settings.activation, seed=settings.seed)
    params = model.parameters()
    opt = _optimizer(settings, params)
    run = Run(settings, model, X, y, classes)
    n = settings.epochs
    every = every or max(1, n // 10)
    width = len(str(n))
    with Progress(n, "training", enabled=progress) as bar:
        for k in range(n):
            opt.lr = settings.lr * (1.0 - 0.9 * k / n)
            try:
                outputs = [model(x) for x in X]
                loss = _loss(outputs, y, params, settings.l2)
                opt.zero_grad()
                loss.backward()
                opt.step()
            except (ArithmeticError, ValueError) as e:  # numbers too large for a float
                raise ValueError(
                    f"training diverged at step {k}: {e}; try a smaller --lr"
                ) from None
            acc = sum(_correct(o, t) for o, t in zip(outputs, y)) / len(y)
            run.losses.append(loss.data)
            run.accuracies.append(acc)
            bar.update(loss=f"{loss.data:.4f}", accuracy=f"{100 * acc:.1f}%")
            if k % every == 0 or k == n - 1:
                run.log.append((k, loss.data, acc))
                bar.write(
                    f"step {k:>{width}}/{n}  loss {loss.data:.4f}  accuracy {100 * acc:5.1f}%"
                )
    with no_grad():
        outputs = [model(x) for x in X]
        run.final_loss = _loss(outputs, y, params, settings.l2).data
    run.final_accuracy = sum(_correct(o, t) for o, t in zip(outputs, y)) / len(y)
    return run


def neuron_graph(run: Run) -> Value:
    """One neuron of the trained model on one data point, after ``backward()``.

    A neuron of the first layer, rebuilt from copies of its weights
    (labelled ``w1``, ``w2``, ``b``) and the point's coordinates (``x1``,
    ``x2``), so the picture is the neuron's own small graph and the model is
    left untouched. The first neuron and point whose weighted sum is positive
    are taken, so that a relu passes the gradient on (else the first ones).
    """
    first = run.model.layers[0].neurons
    neuron: Neuron = first[0]
    point = run.points[0]
    with no_grad():
        active = next(
            ((n, p) for n in first for p in run.points if affine(n.w, p, n.b).data > 0.0), None
        )
    if active is not None:
        neuron, point = active
    ws = [Value(w.data, label=f"w{i + 1}") for i, w in enumerate(neuron.w)]
    xs = [Value(c, label=f"x{i + 1}") for i, c in enumerate(point)]
    b = Value(neuron.b.data, label="b")
    z = affine(ws, xs, b)
    z.label = "z"
    out: Value = {
        "linear": lambda v: v,
        "relu": Value.relu,
        "tanh": Value.tanh,
        "sigmoid": Value.sigmoid,
    }[neuron.activation](z)
    if out is not z:
        out.label = neuron.activation
    out.backward()
    return out
