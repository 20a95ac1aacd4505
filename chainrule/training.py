"""The training run behind ``chainrule demo`` and ``chainrule train``.

Full-batch training of an ``MLP`` on one of the toy datasets:

* two-class datasets (moons, circles, xor): one output score ``s``, class 1
  when ``s > 0``, trained with the hinge loss ``mean(max(0, 1 - y s))``
  (labels ``y`` in {-1, 1}), as in micrograd's demo;
* blobs (three classes): one score per class, the predicted class is the
  largest, trained with the mean cross-entropy;
* plus ``l2 * Σ p²`` over all parameters, a small weight penalty that keeps
  the scores from growing without bound once the data are separated.

The learning rate decays linearly from ``lr`` to ``lr / 10`` over the run,
as in micrograd's demo, for SGD and Adam alike: ``nn.LinearLR(opt, 1.0, 0.1,
epochs)``, stepped after each update, the schedule a user of ``nn`` would write.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from autograd import Tape, Value, affine, no_grad
from nn import datasets
from nn.losses import cross_entropy, hinge_loss
from nn.module import MLP, Neuron
from nn.optim import SGD, Adam, Optimizer
from nn.schedules import LinearLR

from .progress import Progress

__all__ = [
    "DATASETS",
    "DEFAULT_LR",
    "OPTIMIZERS",
    "Diverged",
    "Run",
    "Settings",
    "neuron_graph",
    "predict",
    "predictor",
    "static_graph",
    "train",
]

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


def predictor(model: MLP, classes: int) -> Callable[[Sequence[float]], float]:
    """``predict`` for many points: one input's graph recorded once and replayed.

    The same numbers as ``predict``, bit for bit (a ``Tape`` replays the
    engine's float operations), at a fraction of the cost of building a graph
    per point: the decision-region picture asks for thousands of points.
    """
    inputs = [Value(0.0) for _ in range(model.nin)]
    out = model(inputs)
    tapes = [Tape(o) for o in ([out] if isinstance(out, Value) else out)]

    def run(x: Sequence[float]) -> float:
        for leaf, xi in zip(inputs, x, strict=True):
            leaf.data = float(xi)
        scores = [t.forward() for t in tapes]
        if len(scores) == 1:
            return scores[0]
        return float(scores.index(max(scores)))

    return run


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


class Diverged(ArithmeticError):
    """Training stopped because the loss blew up: the learning rate is too large.

    ``step`` is the step it happened at, ``lr`` the starting learning rate;
    the message says what happened and suggests ``lr / 10``.
    """

    def __init__(self, step: int, lr: float, what: str) -> None:
        self.step = step
        self.lr = lr
        super().__init__(
            f"training diverged at step {step} ({what}); "
            f"try a smaller learning rate, e.g. --lr {lr / 10:g}"
        )


DIVERGENCE = 1e6
"""A run has diverged once its loss exceeds this many times ``max(1, first loss)``."""


def static_graph(settings: Settings) -> bool:
    """True when every step builds the same graph, so a ``Tape`` can replay it.

    The two-class runs (MLP, hinge loss, L2 penalty) are static: only the
    parameters' numbers change, and the relu kinks are re-evaluated on each
    replay. ``cross_entropy`` (blobs) subtracts the largest logit it sees, a
    number taken from the values, which a tape would freeze; replaying it
    would still be exact in exact arithmetic but not bit for bit.
    """
    return settings.dataset != "blobs"


Scores = list[list[float]]
"""Each data point's output scores: one for two classes, one per class otherwise."""


def _accuracy(scores: Scores, labels: list[int]) -> float:
    """Share of correct predictions: score > 0 for class 1, else the largest score's class."""
    correct = 0
    for s, t in zip(scores, labels):
        if len(s) == 1:
            correct += (s[0] > 0.0) == (t == 1)
        else:
            correct += s.index(max(s)) == t
    return correct / len(labels)


def _flat(outputs: list[Value | list[Value]]) -> list[Value]:
    """Every output Value, point after point."""
    flat: list[Value] = []
    for o in outputs:
        if isinstance(o, Value):
            flat.append(o)
        else:
            flat.extend(o)
    return flat


def _scores(outputs: list[Value | list[Value]]) -> Scores:
    return [[o.data] if isinstance(o, Value) else [v.data for v in o] for o in outputs]


class _Rebuilt:
    """One training step the plain way: build the graph, ``backward()``, read the outputs.

    Calling it zeroes the parameters' grads and fills them for the step;
    it returns the loss and the outputs (scores) of the step's forward pass.
    """

    def __init__(self, model: MLP, X: Points, y: list[int], l2: float) -> None:
        self.model, self.X, self.y, self.l2 = model, X, y, l2
        self.params = model.parameters()

    def __call__(self) -> tuple[float, Scores]:
        outputs = [self.model(x) for x in self.X]
        loss = _loss(outputs, self.y, self.params, self.l2)
        for p in self.params:
            p.grad = 0.0
        loss.backward()
        return loss.data, _scores(outputs)

    def evaluate(self) -> tuple[float, Scores]:
        """Loss and outputs at the current parameters, without a graph or gradients."""
        with no_grad():
            outputs = [self.model(x) for x in self.X]
            return _loss(outputs, self.y, self.params, self.l2).data, _scores(outputs)


class _Replayed:
    """The same step replayed from small tapes, one data point at a time.

    Every point runs the same graph: the MLP, then its share of the hinge
    loss, ``relu(1 ∓ s) / n``. So one point's graph is recorded once per
    label (a few dozen operations, compiled in milliseconds, where the
    whole batch's graph would take most of a second to compile) and
    replayed for each point in order, with the point's coordinates in two
    input leaves. The tapes add each point's gradient into the parameters
    in the order ``backward`` adds them on the whole batch's graph (point 0
    first), and the L2 penalty's two terms per parameter come last, as
    there, so every number is the same bit for bit.

    A tape returns only its root, so the score ``s`` of each point is read
    through a probe: the root is ``share + probe · s`` with the probe a leaf
    holding 0.0; the probe's gradient is ``1.0 · s``, the score itself, and
    the term it adds to ``s``'s gradient is zero. The loss is then computed
    from the scores by the same ``_loss`` as the rebuilt step (a few hundred
    operations instead of thousands).
    """

    def __init__(self, model: MLP, X: Points, y: list[int], l2: float) -> None:
        self.model, self.X, self.y, self.l2 = model, X, y, l2
        self.params = model.parameters()
        self.inputs = [Value(0.0) for _ in X[0]]
        self.probe = Value(0.0)
        self.tapes = {label: self._record(label) for label in sorted(set(y))}

    def _record(self, label: int) -> Tape:
        score = self.model(self.inputs)
        if not isinstance(score, Value):
            raise ValueError("train: only one-score (two-class) models are replayed from tapes")
        share = hinge_loss([score], [2.0 * label - 1.0])
        if len(self.X) > 1:  # the mean's division, as hinge_loss does it on the whole batch
            share = share / float(len(self.X))
        return Tape(affine([self.probe], [score], share))

    def __call__(self) -> tuple[float, Scores]:
        params = self.params
        for p in params:
            p.grad = 0.0
        scores = self._replay()
        l2 = self.l2
        if l2 != 0.0:  # d(l2 · Σ p·p)/dp: the penalty node's two terms, p as weight then input
            for p in params:
                t = l2 * p.data
                p.grad = p.grad + t + t
        return self._loss(scores), scores

    def evaluate(self) -> tuple[float, Scores]:
        """Loss and outputs at the current parameters; the parameters' grads are kept."""
        grads = [p.grad for p in self.params]
        try:
            scores = self._replay()
        finally:
            for p, g in zip(self.params, grads):
                p.grad = g
        return self._loss(scores), scores

    def _replay(self) -> Scores:
        inputs, probe, tapes = self.inputs, self.probe, self.tapes
        scores: Scores = []
        for x, label in zip(self.X, self.y):
            for leaf, c in zip(inputs, x):
                leaf.data = c
                leaf.grad = 0.0
            probe.grad = 0.0
            tapes[label]()
            scores.append([probe.grad])
        return scores

    def _loss(self, scores: Scores) -> float:
        with no_grad():
            outputs: list[Value | list[Value]] = [Value(s[0]) for s in scores]
            return _loss(outputs, self.y, self.params, self.l2).data


def train(
    settings: Settings,
    *,
    progress: bool | None = None,
    every: int | None = None,
    tape: bool | None = None,
) -> Run:
    """Train as ``settings`` says, printing loss and accuracy every ``every`` steps.

    ``every`` defaults to a tenth of the run. ``progress`` forces the bar on
    or off (default: on when stderr is a terminal and tqdm is installed).
    ``tape`` replays the step from a ``Tape`` (default: when the graph is
    static, see ``static_graph``) instead of rebuilding it; both give the
    same numbers bit for bit, the tape several times faster. A run whose
    loss blows up (overflows, or exceeds ``DIVERGENCE`` times its start)
    raises ``Diverged``, which suggests a smaller learning rate.
    """
    if tape is None:
        tape = static_graph(settings)
    elif tape and not static_graph(settings):
        raise ValueError(
            f"train: the {settings.dataset} run cannot be replayed from a tape "
            "(cross_entropy's shift is taken from the values); use tape=False"
        )
    X, y, classes = make_dataset(settings.dataset, settings.samples, settings.seed)
    nout = 1 if classes == 2 else classes
    model = MLP(2, [*settings.hidden, nout], activation=settings.activation, seed=settings.seed)
    params = model.parameters()
    opt = _optimizer(settings, params)
    run = Run(settings, model, X, y, classes)
    n = settings.epochs
    every = every or max(1, n // 10)
    width = len(str(n))
    step = (_Replayed if tape else _Rebuilt)(model, X, y, settings.l2)
    limit = math.inf
    schedule = LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=n)
    with Progress(n, "training", enabled=progress) as bar:
        for k in range(n):
            try:
                loss, scores = step()
            except (ArithmeticError, ValueError):  # numbers too large for a float
                raise Diverged(k, settings.lr, "the numbers grew too large for a float") from None
            if k == 0:
                limit = DIVERGENCE * max(1.0, loss)
            if not loss <= limit:
                raise Diverged(k, settings.lr, f"the loss grew to {loss:.3g}")
            try:
                opt.step()
            except (ArithmeticError, ValueError):
                raise Diverged(k, settings.lr, "the numbers grew too large for a float") from None
            schedule.step()
            acc = _accuracy(scores, y)
            run.losses.append(loss)
            run.accuracies.append(acc)
            bar.update(loss=f"{loss:.4f}", accuracy=f"{100 * acc:.1f}%")
            if k % every == 0 or k == n - 1:
                run.log.append((k, loss, acc))
                bar.write(f"step {k:>{width}}/{n}  loss {loss:.4f}  accuracy {100 * acc:5.1f}%")
    try:
        run.final_loss, scores = step.evaluate()
    except (ArithmeticError, ValueError):
        raise Diverged(n, settings.lr, "the numbers grew too large for a float") from None
    if not run.final_loss <= limit:
        raise Diverged(n, settings.lr, f"the loss grew to {run.final_loss:.3g}")
    run.final_accuracy = _accuracy(scores, y)
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
