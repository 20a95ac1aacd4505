"""One adapter per engine: the same workloads, written the way each engine is used.

Every adapter offers the same methods (see ``Engine``); ``run.py`` times them
interleaved. Times are in seconds from ``time.perf_counter``; the garbage
collector state is set by the caller.
"""

from __future__ import annotations

import importlib
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from graphs import MLPInit, WideGraph, compile_wide

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HIPS_DIR = os.path.join(ROOT, ".bench", "hips")

WideFn = Callable[..., Any]
_clock = time.perf_counter


class Unavailable(Exception):
    """An engine cannot be loaded; the message says why and how to install it."""


class Engine:
    """The interface every adapter implements.

    ``style`` picks the generated code of the wide graph: ``"method"`` writes
    ``v.tanh()``, ``"function"`` writes ``tanh(v)`` with names from ``namespace``.
    """

    name = ""
    version = ""
    note = ""
    style = "method"
    namespace: dict[str, Any] = {}  # noqa: RUF012 - read only
    workloads: tuple[str, ...] = ("check", "wide", "moons", "loop", "deep", "memory")
    """The workloads this adapter runs; run.py leaves it out of the others."""

    # --- wide -------------------------------------------------------------
    def wide(self, g: WideGraph, f: WideFn) -> tuple[float, float]:
        """(forward seconds, backward seconds) for one fresh build of ``g``."""
        raise NotImplementedError

    def wide_grads(self, g: WideGraph) -> tuple[float, list[float], list[float] | None]:
        """(root value, leaf gradients, every node's gradient or None)."""
        raise NotImplementedError

    # --- moons ------------------------------------------------------------
    def moons_model(self, init: MLPInit) -> Any:
        raise NotImplementedError

    def moons_step(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float], lr: float
    ) -> float:
        """One step of micrograd's demo: loss, zero_grad, backward, SGD; returns the loss."""
        raise NotImplementedError

    def moons_grads(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float]
    ) -> tuple[float, list[float]]:
        """(loss, parameter gradients in micrograd's order) without updating."""
        raise NotImplementedError

    # --- deep -------------------------------------------------------------
    def deep(self, depth: int) -> tuple[float, float, float]:
        """(forward s, backward s, d x_D / d x_0) for x = x * 1.0001 + 0.0001."""
        raise NotImplementedError

    # --- memory -----------------------------------------------------------
    # run.py calls memory_setup (not counted), then memory_forward and
    # memory_backward under tracemalloc. Value-like engines build the graph
    # op by op into a list allocated beforehand, so filling it allocates
    # nothing but the graph. (Not the compiled straight-line function:
    # tracemalloc looks up the line of the allocating frame, at a cost that
    # grows with the function's length.)
    memory_note = ""
    """Why this engine's memory cannot be measured, or empty."""

    def leaves(self, g: WideGraph) -> list[Any]:
        """Fresh leaf nodes holding ``g.leaves``."""
        raise NotImplementedError

    def memory_setup(self, g: WideGraph) -> Any:
        return [*self.leaves(g), *([None] * g.n_ops)]

    def memory_forward(self, g: WideGraph, state: Any) -> Any:
        """Build ``g``; return what keeps the graph alive."""
        nodes = state
        k = len(g.leaves)
        for op, a, b in g.ops:
            nodes[k] = _apply_method(op, nodes[a], nodes[b] if b >= 0 else None)
            k += 1
        return nodes[-1]

    def memory_backward(self, handle: Any) -> None:
        handle.backward()


# =============================================================================
# shared moons code: micrograd's demo, written once for Value-like engines


def _demo_loss(
    model: Any, inputs: Sequence[Any], ys: Sequence[float], params: Sequence[Any]
) -> tuple[Any, float]:
    """micrograd's ``loss()``: SVM max-margin loss + 1e-4 L2, and accuracy."""
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in params)
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (float(scorei.data) > 0) for yi, scorei in zip(ys, scores)]
    return total_loss, sum(accuracy) / len(accuracy)


# =============================================================================
# chainrule


class Chainrule(Engine):
    name = "chainrule"

    def __init__(self) -> None:
        if ROOT not in sys.path:
            sys.path.insert(0, ROOT)
        ag = importlib.import_module("autograd")
        if not getattr(ag, "__chainrule__", False):
            raise Unavailable(f"'autograd' at {ag.__file__} is not chainrule's engine")
        self.Value = ag.Value
        self.MLP = importlib.import_module("nn").MLP
        self.version = getattr(ag, "__version__", "?") + " (this checkout)"
        self.note = "moons model: nn.MLP; inputs passed as floats"

    def wide(self, g: WideGraph, f: WideFn) -> tuple[float, float]:
        V = self.Value
        leaves = [V(x) for x in g.leaves]
        t0 = _clock()
        root = f(leaves)
        t1 = _clock()
        root.backward()
        t2 = _clock()
        return t1 - t0, t2 - t1

    def wide_grads(self, g: WideGraph) -> tuple[float, list[float], list[float] | None]:
        V = self.Value
        nodes: list[Any] = [V(x) for x in g.leaves]
        for op, a, b in g.ops:
            nodes.append(_apply_method(op, nodes[a], nodes[b] if b >= 0 else None))
        nodes[-1].backward()
        n = len(g.leaves)
        return nodes[-1].data, [v.grad for v in nodes[:n]], [v.grad for v in nodes]

    def moons_model(self, init: MLPInit) -> Any:
        model = self.MLP(2, [len(bl) for bl in init.biases], activation="relu", seed=0)
        params = model.parameters()
        flat = init.flat()
        if len(params) != len(flat):
            raise RuntimeError(f"nn.MLP has {len(params)} parameters, expected {len(flat)}")
        for p, x in zip(params, flat):
            p.data = x
        return model

    def moons_step(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float], lr: float
    ) -> float:
        params = model.parameters()
        total_loss, _acc = _demo_loss(model, xs, ys, params)
        model.zero_grad()
        total_loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return float(total_loss.data)

    def moons_grads(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float]
    ) -> tuple[float, list[float]]:
        params = model.parameters()
        total_loss, _acc = _demo_loss(model, xs, ys, params)
        model.zero_grad()
        total_loss.backward()
        return float(total_loss.data), [p.grad for p in params]

    def deep(self, depth: int) -> tuple[float, float, float]:
        x0 = self.Value(1.0)
        x = x0
        t0 = _clock()
        for _ in range(depth):
            x = x * 1.0001 + 0.0001
        t1 = _clock()
        x.backward()
        t2 = _clock()
        return t1 - t0, t2 - t1, x0.grad

    def leaves(self, g: WideGraph) -> list[Any]:
        return [self.Value(x) for x in g.leaves]


class ChainruleTape(Chainrule):
    """chainrule with ``autograd.Tape``: the moons graph recorded once, replayed each step.

    Only the moons workloads apply: a tape pays off when the same graph is
    run many times. The recording is made in the first step (a normal
    build and ``backward``), so the 20-step loop includes its cost.
    """

    name = "tape"
    workloads = ("check", "moons", "loop")

    def __init__(self) -> None:
        super().__init__()
        self.Tape = importlib.import_module("autograd").Tape
        self.note = "autograd.Tape: moons graph recorded in step 1, replayed after"

    def _tape(self, model: Any, xs: Sequence[list[float]], ys: Sequence[float]) -> Any:
        tape = model.__dict__.get("_bench_tape")
        if tape is None:
            total_loss, _acc = _demo_loss(model, xs, ys, model.parameters())
            tape = model._bench_tape = self.Tape(total_loss)
        return tape

    def wide_grads(self, g: WideGraph) -> tuple[float, list[float], list[float] | None]:
        V = self.Value
        leaves: list[Any] = [V(x) for x in g.leaves]
        nodes: list[Any] = list(leaves)
        for op, a, b in g.ops:
            nodes.append(_apply_method(op, nodes[a], nodes[b] if b >= 0 else None))
        tape = self.Tape(nodes[-1])
        root = tape()  # the generated code's gradients; the recorded graph is never backwarded
        return root, [v.grad for v in leaves], None

    def moons_step(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float], lr: float
    ) -> float:
        tape = self._tape(model, xs, ys)
        params = model.parameters()
        model.zero_grad()
        loss = tape()
        for p in params:
            p.data -= lr * p.grad
        return float(loss)

    def moons_grads(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float]
    ) -> tuple[float, list[float]]:
        tape = self._tape(model, xs, ys)
        model.zero_grad()
        loss = tape()
        return float(loss), [p.grad for p in model.parameters()]


def _apply_method(op: str, a: Any, b: Any) -> Any:
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "div":
        return a / b
    return getattr(a, op)()


# =============================================================================
# micrograd 0.1.0


class Micrograd(Engine):
    name = "micrograd"

    def __init__(self) -> None:
        try:
            from importlib.metadata import version

            import micrograd.engine as eng  # type: ignore[import-untyped]
            import micrograd.nn as mnn  # type: ignore[import-untyped]
        except ImportError as e:
            raise Unavailable(
                f"micrograd is not installed ({e}); run benchmarks/setup.sh"
            ) from None
        self.version = version("micrograd")
        self.Value = eng.Value
        self.nn = mnn
        added = _add_micrograd_functions(eng.Value)
        self.note = (
            f"{' and '.join(added)} added to micrograd's Value micrograd-style "
            "(closure _backward, derivative from the stored output)"
            if added
            else ""
        )
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 50_000))

    def wide(self, g: WideGraph, f: WideFn) -> tuple[float, float]:
        V = self.Value
        leaves = [V(x) for x in g.leaves]
        t0 = _clock()
        root = f(leaves)
        t1 = _clock()
        root.backward()
        t2 = _clock()
        return t1 - t0, t2 - t1

    def wide_grads(self, g: WideGraph) -> tuple[float, list[float], list[float] | None]:
        V = self.Value
        nodes: list[Any] = [V(x) for x in g.leaves]
        for op, a, b in g.ops:
            nodes.append(_apply_method(op, nodes[a], nodes[b] if b >= 0 else None))
        nodes[-1].backward()
        n = len(g.leaves)
        return nodes[-1].data, [v.grad for v in nodes[:n]], [v.grad for v in nodes]

    def moons_model(self, init: MLPInit) -> Any:
        model = self.nn.MLP(2, [len(bl) for bl in init.biases])
        for p, x in zip(model.parameters(), init.flat()):
            p.data = x
        return model

    def moons_step(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float], lr: float
    ) -> float:
        V = self.Value
        inputs = [list(map(V, xrow)) for xrow in xs]
        total_loss, _acc = _demo_loss(model, inputs, ys, model.parameters())
        model.zero_grad()
        total_loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        return float(total_loss.data)

    def moons_grads(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float]
    ) -> tuple[float, list[float]]:
        V = self.Value
        inputs = [list(map(V, xrow)) for xrow in xs]
        total_loss, _acc = _demo_loss(model, inputs, ys, model.parameters())
        model.zero_grad()
        total_loss.backward()
        return float(total_loss.data), [float(p.grad) for p in model.parameters()]

    def deep(self, depth: int) -> tuple[float, float, float]:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * depth + 1000))
        x0 = self.Value(1.0)
        x = x0
        t0 = _clock()
        for _ in range(depth):
            x = x * 1.0001 + 0.0001
        t1 = _clock()
        x.backward()
        t2 = _clock()
        return t1 - t0, t2 - t1, float(x0.grad)

    def leaves(self, g: WideGraph) -> list[Any]:
        return [self.Value(x) for x in g.leaves]


def _add_micrograd_functions(V: Any) -> list[str]:
    """Give micrograd 0.1.0's Value ``tanh`` and ``exp`` written the way its ``relu`` is."""
    added = []
    if not hasattr(V, "tanh"):

        def tanh(self: Any) -> Any:
            t = math.tanh(self.data)
            out = V(t, (self,), "tanh")

            def _backward() -> None:
                self.grad += (1 - t**2) * out.grad

            out._backward = _backward
            return out

        V.tanh = tanh
        added.append("tanh")
    if not hasattr(V, "exp"):

        def exp(self: Any) -> Any:
            out = V(math.exp(self.data), (self,), "exp")

            def _backward() -> None:
                self.grad += out.data * out.grad

            out._backward = _backward
            return out

        V.exp = exp
        added.append("exp")
    return added


# =============================================================================
# PyTorch: graphs of 0-d float64 tensors


class Torch(Engine):
    name = "torch"

    def __init__(self) -> None:
        try:
            import torch
        except ImportError as e:
            raise Unavailable(
                f"torch is not installed ({e}); run benchmarks/setup.sh "
                "(torch==2.13.0 from /opt/wheels)"
            ) from None
        self.torch = torch
        self.version = torch.__version__
        torch.set_num_threads(1)
        self.note = "0-d float64 tensors, one per scalar; 1 intra-op thread"
        self.memory_note = "tensors and graph live in C++ memory: tracemalloc misses them"

    def _leaf(self, x: float) -> Any:
        return self.torch.tensor(x, dtype=self.torch.float64, requires_grad=True)

    def wide(self, g: WideGraph, f: WideFn) -> tuple[float, float]:
        leaves = [self._leaf(x) for x in g.leaves]
        t0 = _clock()
        root = f(leaves)
        t1 = _clock()
        root.backward()
        t2 = _clock()
        return t1 - t0, t2 - t1

    def wide_grads(self, g: WideGraph) -> tuple[float, list[float], list[float] | None]:
        nodes: list[Any] = [self._leaf(x) for x in g.leaves]
        for op, a, b in g.ops:
            v = _apply_method(op, nodes[a], nodes[b] if b >= 0 else None)
            v.retain_grad()
            nodes.append(v)
        nodes[-1].backward()
        n = len(g.leaves)
        grads = [0.0 if v.grad is None else float(v.grad) for v in nodes]
        return float(nodes[-1].item()), grads[:n], grads

    def moons_model(self, init: MLPInit) -> Any:
        return _TorchMLP(self, init)

    def moons_step(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float], lr: float
    ) -> float:
        params = model.parameters()
        total_loss, _acc = _demo_loss(model, xs, ys, params)
        for p in params:
            p.grad = None
        total_loss.backward()
        with self.torch.no_grad():
            for p in params:
                p -= lr * p.grad
        return float(total_loss.item())

    def moons_grads(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float]
    ) -> tuple[float, list[float]]:
        params = model.parameters()
        total_loss, _acc = _demo_loss(model, xs, ys, params)
        for p in params:
            p.grad = None
        total_loss.backward()
        return float(total_loss.item()), [float(p.grad) for p in params]

    def deep(self, depth: int) -> tuple[float, float, float]:
        x0 = self._leaf(1.0)
        x = x0
        t0 = _clock()
        for _ in range(depth):
            x = x * 1.0001 + 0.0001
        t1 = _clock()
        x.backward()
        t2 = _clock()
        return t1 - t0, t2 - t1, float(x0.grad)


class _TorchMLP:
    """micrograd's MLP with one 0-d tensor per parameter."""

    def __init__(self, eng: Torch, init: MLPInit) -> None:
        last = len(init.weights) - 1
        self.layers = [
            [([eng._leaf(x) for x in w], eng._leaf(b), i != last) for w, b in zip(wl, bl)]
            for i, (wl, bl) in enumerate(zip(init.weights, init.biases))
        ]
        self._params = [p for layer in self.layers for w, b, _ in layer for p in [*w, b]]

    def __call__(self, x: Sequence[Any]) -> Any:
        for layer in self.layers:
            out = []
            for w, b, nonlin in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                out.append(act.relu() if nonlin else act)
            x = out
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Any]:
        return self._params


# =============================================================================
# HIPS autograd: numpy scalars traced by grad


def load_hips(path: str = HIPS_DIR) -> dict[str, Any]:
    """Import HIPS autograd from ``path`` under no global name; return its API.

    Both packages are called ``autograd``. For the import, chainrule's
    ``autograd`` modules are taken out of ``sys.modules`` and ``path`` goes
    first on ``sys.path``; every HIPS submodule the benchmark touches is
    imported then, and afterwards ``sys.modules`` and ``sys.path`` are put
    back exactly. HIPS's modules refer to each other through module
    globals, so they keep working under no name.
    """
    if not os.path.isfile(os.path.join(path, "autograd", "tracer.py")):
        raise Unavailable(f"HIPS autograd is not installed in {path}; run benchmarks/setup.sh")

    def ours(name: str) -> bool:
        return name == "autograd" or name.startswith("autograd.")

    saved_modules = {k: v for k, v in sys.modules.items() if ours(k)}
    saved_path = list(sys.path)
    hips: dict[str, Any] = {}
    try:
        for k in saved_modules:
            del sys.modules[k]
        sys.path.insert(0, path)
        importlib.invalidate_caches()
        pkg = importlib.import_module("autograd")
        where = os.path.abspath(pkg.__file__ or "")
        if getattr(pkg, "__chainrule__", False) or not where.startswith(os.path.abspath(path)):
            raise Unavailable(f"importing HIPS autograd from {path} found {pkg.__file__}")
        hnp = importlib.import_module("autograd.numpy")
        for sub in ("autograd.numpy.numpy_vjps", "autograd.numpy.numpy_jvps", "autograd.builtins"):
            importlib.import_module(sub)
        hips = {
            "module": pkg,
            "np": hnp,
            "make_vjp": pkg.make_vjp,
            "grad": pkg.grad,
            "modules": {k: v for k, v in sys.modules.items() if ours(k)},
        }
        try:
            from importlib.metadata import PathDistribution
            from pathlib import Path

            dist = next(Path(path).glob("autograd-*.dist-info"))
            hips["version"] = PathDistribution(dist).version
        except StopIteration:
            hips["version"] = "?"
    finally:
        for k in [k for k in sys.modules if ours(k)]:
            del sys.modules[k]
        sys.modules.update(saved_modules)
        sys.path[:] = saved_path
        importlib.invalidate_caches()
    return hips


class Hips(Engine):
    name = "hips"
    style = "function"

    def __init__(self) -> None:
        self.api = load_hips()
        self.version = self.api["version"]
        hnp = self.api["np"]
        self.np = hnp
        self.make_vjp = self.api["make_vjp"]
        self.grad = self.api["grad"]
        maximum = hnp.maximum

        def relu(x: Any) -> Any:
            return maximum(x, 0.0)

        self.relu = relu
        self.namespace = {"tanh": hnp.tanh, "exp": hnp.exp, "relu": relu}
        self.note = (
            "loaded from .bench/hips under another name; numpy float64 scalars; "
            "relu = np.maximum(x, 0); times are make_vjp(f)(x) and vjp(1.0)"
        )

    def wide(self, g: WideGraph, f: WideFn) -> tuple[float, float]:
        x = self.np.array(g.leaves, dtype=float)
        t0 = _clock()
        vjp, _ans = self.make_vjp(f)(x)
        t1 = _clock()
        vjp(1.0)
        t2 = _clock()
        return t1 - t0, t2 - t1

    def _interpreted(self, g: WideGraph) -> Callable[[Any], Any]:
        """``g`` as a loop over its ops (for the check and for tracemalloc)."""
        ns = self.namespace

        def f(leaves: Any) -> Any:
            nodes = [leaves[i] for i in range(len(g.leaves))]
            for op, a, b in g.ops:
                if op in ("add", "sub", "mul", "div"):
                    nodes.append(_apply_method(op, nodes[a], nodes[b]))
                else:
                    nodes.append(ns[op](nodes[a]))
            return nodes[-1]

        return f

    def wide_grads(self, g: WideGraph) -> tuple[float, list[float], list[float] | None]:
        x = self.np.array(g.leaves, dtype=float)
        vjp, ans = self.make_vjp(self._interpreted(g))(x)
        return float(ans), [float(v) for v in vjp(1.0)], None

    def memory_setup(self, g: WideGraph) -> Any:
        return self._interpreted(g), self.np.array(g.leaves, dtype=float)

    def memory_forward(self, g: WideGraph, state: Any) -> Any:
        f, x = state
        return self.make_vjp(f)(x)[0]  # the vjp closure holds the traced graph

    def memory_backward(self, handle: Any) -> None:
        handle(1.0)

    def moons_model(self, init: MLPInit) -> Any:
        return _HipsMLP(self, init)

    def moons_step(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float], lr: float
    ) -> float:
        vjp, loss = self.make_vjp(lambda p: model.loss(p, xs, ys))(model.params)
        model.params = model.params - lr * vjp(1.0)
        return float(loss)

    def moons_grads(
        self, model: Any, xs: Sequence[list[float]], ys: Sequence[float]
    ) -> tuple[float, list[float]]:
        vjp, loss = self.make_vjp(lambda p: model.loss(p, xs, ys))(model.params)
        return float(loss), [float(v) for v in vjp(1.0)]

    def deep(self, depth: int) -> tuple[float, float, float]:
        def f(x: Any) -> Any:
            for _ in range(depth):
                x = x * 1.0001 + 0.0001
            return x

        t0 = _clock()
        vjp, _ans = self.make_vjp(f)(1.0)
        t1 = _clock()
        g = vjp(1.0)
        t2 = _clock()
        return t1 - t0, t2 - t1, float(g)


class _HipsMLP:
    """micrograd's demo loss as a function of one flat parameter vector."""

    def __init__(self, eng: Hips, init: MLPInit) -> None:
        self.eng = eng
        self.params = eng.np.array(init.flat(), dtype=float)
        self.shape = [(len(wl[0]), len(wl)) for wl in init.weights]

    def loss(self, params: Any, xs: Sequence[list[float]], ys: Sequence[float]) -> Any:
        relu = self.eng.relu
        p = [params[i] for i in range(len(self.params))]
        layers = []
        k = 0
        for nin, nout in self.shape:
            neurons = []
            for _ in range(nout):
                neurons.append((p[k : k + nin], p[k + nin]))
                k += nin + 1
            layers.append(neurons)
        last = len(layers) - 1
        scores = []
        for xrow in xs:
            x: list[Any] = list(xrow)
            for i, layer in enumerate(layers):
                out = []
                for w, b in layer:
                    act = sum((wi * xi for wi, xi in zip(w, x)), b)
                    out.append(relu(act) if i != last else act)
                x = out
            scores.append(x[0])
        losses = [relu(1 + -yi * si) for yi, si in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(q * q for q in p)
        return data_loss + reg_loss


ENGINES: dict[str, type[Engine]] = {
    "chainrule": Chainrule,
    "tape": ChainruleTape,
    "micrograd": Micrograd,
    "torch": Torch,
    "hips": Hips,
}


def load(names: Sequence[str]) -> tuple[dict[str, Engine], dict[str, str]]:
    """Instantiate the named engines; return (loaded, {name: reason skipped})."""
    loaded: dict[str, Engine] = {}
    skipped: dict[str, str] = {}
    for name in names:
        try:
            loaded[name] = ENGINES[name]()
        except Unavailable as e:
            skipped[name] = str(e)
    return loaded, skipped


def compile_for(engine: Engine, g: WideGraph, cache: dict[tuple[int, str], WideFn]) -> WideFn:
    """The compiled wide function in the engine's style (compiled once per graph and style)."""
    key = (id(g), engine.style)
    if key not in cache:
        cache[key] = compile_wide(g, engine.style, engine.namespace)
    return cache[key]
