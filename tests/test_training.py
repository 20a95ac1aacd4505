"""End to end: models learn moons and XOR; linear layers collapse; the core needs only stdlib."""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
import textwrap

import pytest

import nn
from autograd import Value

pytestmark = pytest.mark.core

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0, 1, 1, 0]


def accuracy(model: nn.Module, X: list[list[float]], y: list[int]) -> float:
    return sum((model(x).data > 0) == (t == 1) for x, t in zip(X, y)) / len(X)


def test_moons_mlp_reaches_97_percent_within_100_sgd_steps() -> None:
    X, y = nn.datasets.make_moons(100, noise=0.1, seed=1)
    signs = [2 * t - 1 for t in y]
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    params = model.parameters()
    opt = nn.SGD(params, lr=0.1, momentum=0.9)
    losses = []
    for _ in range(100):
        scores = [model(x) for x in X]
        if sum((s.data > 0) == (t > 0) for s, t in zip(scores, signs)) >= 97:
            break
        loss = nn.hinge_loss(scores, signs) + 1e-4 * sum(p * p for p in params)
        losses.append(loss.data)
        opt.zero_grad()
        loss.backward()
        opt.step()
    else:
        pytest.fail("accuracy stayed below 97% for 100 SGD steps")
    assert accuracy(model, X, y) >= 0.97
    assert losses[-1] < losses[0] / 3


def test_tanh_mlp_learns_the_four_xor_points() -> None:
    model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    opt = nn.Adam(model.parameters(), lr=0.05)
    for _ in range(200):
        loss = nn.binary_cross_entropy_with_logits([model(x) for x in XOR_X], XOR_Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert accuracy(model, XOR_X, XOR_Y) == 1.0
    assert loss.data < 0.05


def test_tanh_mlp_learns_xor_data() -> None:
    X, y = nn.datasets.make_xor(100, seed=0)
    model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=0)
    opt = nn.Adam(model.parameters(), lr=0.05)
    for _ in range(100):
        loss = nn.binary_cross_entropy_with_logits([model(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert accuracy(model, X, y) >= 0.95


# --- a stack of linear layers is one affine map --------------------------------------------


def collapse(model: nn.MLP) -> tuple[list[list[float]], list[float]]:
    """W and b with model(x) = W x + b, by multiplying the layers' matrices out."""
    W = [[float(i == j) for j in range(model.nin)] for i in range(model.nin)]
    b = [0.0] * model.nin
    for layer in model.state_dict()["layers"]:
        A, c = layer["weights"], layer["biases"]
        W = [
            [math.fsum(a * W[k][j] for k, a in enumerate(row)) for j in range(model.nin)]
            for row in A
        ]
        b = [math.fsum([ci, *(a * bk for a, bk in zip(row, b))]) for row, ci in zip(A, c)]
    return W, b


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_linear_mlp_of_any_depth_is_one_affine_map(depth: int) -> None:
    model = nn.MLP(3, [6] * (depth - 1) + [2], activation="linear", seed=depth)
    for p in model.parameters():
        p.data += 0.1  # nonzero biases
    W, b = collapse(model)
    assert len(W) == 2 and len(W[0]) == 3
    rng = random.Random(depth)
    for _ in range(10):
        x = [rng.uniform(-5, 5) for _ in range(3)]
        out = model(x)
        for i, o in enumerate(out):
            expected = math.fsum([b[i], *(w * xi for w, xi in zip(W[i], x))])
            assert math.isclose(o.data, expected, rel_tol=1e-12, abs_tol=1e-12)


def test_collapse_is_not_trivially_true_for_tanh() -> None:
    model = nn.MLP(3, [6, 2], activation="tanh", seed=0)
    W, b = collapse(model)
    x = [2.0, -1.0, 3.0]
    expected = math.fsum([b[0], *(w * xi for w, xi in zip(W[0], x))])
    assert abs(model(x)[0].data - expected) > 1e-3


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_linear_mlp_cannot_learn_xor(depth: int) -> None:
    # any affine classifier gets at most 3 of the 4 XOR points right
    model = nn.MLP(2, [4] * (depth - 1) + [1], activation="linear", seed=depth)
    opt = nn.Adam(model.parameters(), lr=0.05)
    for _ in range(200):
        loss = nn.binary_cross_entropy_with_logits([model(x) for x in XOR_X], XOR_Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert accuracy(model, XOR_X, XOR_Y) <= 0.75
    assert loss.data > 0.69  # stuck at log 2: the best affine map predicts 1/2 everywhere
    X, y = nn.datasets.make_xor(100, seed=depth)
    model = nn.MLP(2, [4] * (depth - 1) + [1], activation="linear", seed=depth)
    opt = nn.Adam(model.parameters(), lr=0.05)
    for _ in range(60):
        loss = nn.binary_cross_entropy_with_logits([model(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert accuracy(model, X, y) <= 0.75


# --- the weight update contains the activation's derivative ---------------------------------


def test_delta_rule_is_the_gradient_of_a_linear_neuron() -> None:
    neuron = nn.Neuron(3, "linear", seed=0)
    x, target = [0.5, -1.0, 2.0], 0.7
    y = neuron(x)
    loss = 0.5 * (target - y) ** 2
    loss.backward()
    for w, xi in zip(neuron.w, x):
        assert math.isclose(w.grad, -(target - y.data) * xi, rel_tol=1e-12)


def test_sigmoid_neuron_gradient_has_the_activation_derivative() -> None:
    neuron = nn.Neuron(3, "sigmoid", seed=0)
    x, target = [0.5, -1.0, 2.0], 0.7
    y = neuron(x)
    (0.5 * (target - y) ** 2).backward()
    s = y.data
    for w, xi in zip(neuron.w, x):
        assert math.isclose(w.grad, -(target - s) * s * (1 - s) * xi, rel_tol=1e-12)
        assert not math.isclose(w.grad, -(target - s) * xi, rel_tol=1e-3)  # delta rule misses σ'


# --- the core imports only the standard library ---------------------------------------------

BLOCKED = ["torch", "graphviz", "matplotlib", "tqdm", "hypothesis", "numpy", "sympy", "rich"]

SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    blocked = set(sys.argv[2].split(","))

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in blocked:
                raise ImportError(f"blocked optional package {name}")
            return None

    sys.meta_path.insert(0, Blocker())
    before = set(sys.modules)
    import nn
    X, y = nn.datasets.make_moons(10, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    opt = nn.Adam(model.parameters(), lr=0.01)
    loss = nn.hinge_loss([model(x) for x in X], [2 * t - 1 for t in y])
    opt.zero_grad()
    loss.backward()
    opt.step()
    nn.io.decode(nn.io.encode(model))
    new = {m.split(".")[0] for m in set(sys.modules) - before}
    ours = {"nn", "autograd"}
    outside = sorted(m for m in new if m not in sys.stdlib_module_names and m not in ours)
    print("OUTSIDE", outside)
    """
)


def test_core_nn_imports_only_the_standard_library() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run(
        [sys.executable, "-S", "-c", SCRIPT, root, ",".join(BLOCKED)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "OUTSIDE []"


def test_blocker_really_blocks() -> None:
    # the same script fails when the code under test imports a blocked package
    script = SCRIPT.replace("import nn\n", "import sqlite3\nimport nn\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run(
        [sys.executable, "-S", "-c", script, root, "sqlite3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0
    assert "blocked optional package sqlite3" in proc.stderr


def test_values_from_nn_are_the_engine_values() -> None:
    assert isinstance(nn.Neuron(1, seed=0)([1.0]), Value)


def test_import_refuses_a_foreign_autograd(tmp_path: os.PathLike[str]) -> None:
    # HIPS autograd installs a package of the same name; nn must say so, not fail obscurely
    fake = os.path.join(tmp_path, "autograd")
    os.mkdir(fake)
    with open(os.path.join(fake, "__init__.py"), "w") as f:
        f.write("def grad(f):\n    return f\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = f"import sys; sys.path[:0] = [{str(tmp_path)!r}, {root!r}]; import nn"
    proc = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode != 0
    assert "ImportError" in proc.stderr
    assert "HIPS autograd" in proc.stderr and fake in proc.stderr
