"""Random expression DAGs with node reuse against PyTorch in float64:
gradients (``backward`` and ``grad``), full Hessians, and third derivatives."""

from __future__ import annotations

import math
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="PyTorch (the `torch` extra) is the float64 oracle")
st = pytest.importorskip("hypothesis.strategies", reason="hypothesis draws the programs")
from hypothesis import given, settings  # noqa: E402

from autograd import Value, grad, hessian  # noqa: E402

torch.set_default_dtype(torch.float64)

# Each instruction: (op, i, j) reading earlier slots; every op is smooth and in
# its domain for any real input, so no draw is rejected.
UNARY = ["tanh", "sigmoid", "sin", "cos", "softplus", "exp_tanh", "log1sq", "sqrt1sq", "sq", "neg"]
BINARY = ["add", "sub", "mul", "div1sq", "pow_sig"]


def _run(program: list[tuple[str, int, int]], xs: list[Any], lib: str) -> Any:
    """Interpret ``program`` over ``xs`` with Values (lib='cr') or tensors (lib='t')."""
    slots = list(xs)
    t = lib == "t"
    for op, i, j in program:
        a, b = slots[i % len(slots)], slots[j % len(slots)]
        if op == "tanh":
            r = a.tanh()
        elif op == "sigmoid":
            r = a.sigmoid()
        elif op == "sin":
            r = a.sin()
        elif op == "cos":
            r = a.cos()
        elif op == "softplus":
            r = torch.nn.functional.softplus(a) if t else a.softplus()
        elif op == "exp_tanh":
            r = a.tanh().exp()
        elif op == "log1sq":
            r = (a * a + 1.0).log()
        elif op == "sqrt1sq":
            r = (a * a + 0.5).sqrt()
        elif op == "sq":
            r = a**2
        elif op == "neg":
            r = -a
        elif op == "add":
            r = a + b
        elif op == "sub":
            r = a - b
        elif op == "mul":
            r = a * b
        elif op == "div1sq":
            r = a / (b * b + 1.0)
        else:  # pow_sig: positive base, Value exponent kept off 0, where torch's
            # double backward masks d(a**b)/da to a constant (see test_functional)
            r = (a.sigmoid() + 0.5) ** (b.tanh() + 1.5)
        slots.append(r)
    total = slots[-1]
    for s in slots[len(xs) : -1 : 3]:  # reuse: feed earlier nodes into the root too
        total = total + s * 0.25
    return total


def programs(n_inputs: int) -> Any:
    op = st.sampled_from(UNARY + BINARY)
    idx = st.integers(0, 10_000)
    return st.lists(st.tuples(op, idx, idx), min_size=1, max_size=12)


def inputs(n: int) -> Any:
    return st.lists(st.floats(-2.0, 2.0), min_size=n, max_size=n)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=120)
@given(programs(3), inputs(3))
def test_gradients_match_torch(program: list[tuple[str, int, int]], xs: list[float]) -> None:
    vs = [Value(x) for x in xs]
    out = _run(program, vs, "cr")
    out.backward()
    ts = [torch.tensor(x, requires_grad=True) for x in xs]
    tout = _run(program, ts, "t")
    tgrads = torch.autograd.grad(tout, ts, allow_unused=True)
    assert _close(out.data, tout.item())
    for v, tg in zip(vs, tgrads):
        want = 0.0 if tg is None else tg.item()
        assert _close(v.grad, want), (program, xs)
    fgrads = grad(lambda *a: _run(program, list(a), "cr"), argnums=(0, 1, 2))(*xs)
    for g, v in zip(fgrads, vs):
        assert _close(g, v.grad)


@settings(max_examples=120)
@given(programs(3), inputs(3))
def test_a_second_pass_exactly_doubles_leaf_grads(
    program: list[tuple[str, int, int]], xs: list[float]
) -> None:
    """The same graph and leaves, backward twice (and a Tape replayed twice): each
    pass sums a leaf's terms on their own and adds the total once, as PyTorch does."""
    from autograd import Tape

    vs = [Value(x) for x in xs]
    out = _run(program, vs, "cr")
    out.backward()
    once = [v.grad for v in vs]
    out.backward()
    assert [v.grad for v in vs] == [2 * g for g in once], (program, xs)
    ts = [torch.tensor(x, requires_grad=True) for x in xs]
    tout = _run(program, ts, "t")
    tout.backward(retain_graph=True)
    t_once = [0.0 if t.grad is None else t.grad.item() for t in ts]
    tout.backward()
    assert [0.0 if t.grad is None else t.grad.item() for t in ts] == [2 * g for g in t_once]
    for g, tg in zip(once, t_once):
        assert _close(g, tg), (program, xs)
    tape = Tape(out)
    for v in vs:
        v.grad = 0.0
    tape()
    assert [v.grad for v in vs] == once, (program, xs)  # bit for bit what backward gives
    tape()
    assert [v.grad for v in vs] == [2 * g for g in once], (program, xs)


@settings(max_examples=60)
@given(programs(2), inputs(2))
def test_hessians_match_torch(program: list[tuple[str, int, int]], xs: list[float]) -> None:
    ours = hessian(lambda *a: _run(program, list(a), "cr"))(*xs)

    def tf(*a: Any) -> Any:
        return _run(program, list(a), "t")

    theirs = torch.autograd.functional.hessian(tf, tuple(torch.tensor(x) for x in xs))
    for i in range(2):
        for j in range(2):
            assert _close(ours[i][j], theirs[i][j].item()), (program, xs, i, j)
        assert ours[i][1 - i] == pytest.approx(ours[1 - i][i], rel=1e-12, abs=1e-15)


@settings(max_examples=40)
@given(programs(1), inputs(1))
def test_third_derivatives_match_torch(
    program: list[tuple[str, int, int]], xs: list[float]
) -> None:
    def f(a: Any) -> Any:
        return _run(program, [a], "cr")

    ours = grad(grad(grad(f)))(xs[0])
    x = torch.tensor(xs[0], requires_grad=True)
    y = _run(program, [x], "t")
    d = y
    for _ in range(3):  # a derivative that no longer depends on x has no graph: it is 0 from here
        d = torch.autograd.grad(d, x, create_graph=True)[0] if d.requires_grad else None
        if d is None:
            break
    want = 0.0 if d is None else d.item()
    assert _close(ours, want), (program, xs)


def test_fused_affine_node_matches_torch() -> None:
    from autograd.value import affine

    ws = [Value(w) for w in (0.3, -1.2, 2.0)]
    xs = [Value(0.5), 1.5, Value(-0.25)]
    b = Value(0.1)
    out = affine(ws, xs, b).tanh()
    out.backward()
    tw = torch.tensor([0.3, -1.2, 2.0], requires_grad=True)
    tx0 = torch.tensor(0.5, requires_grad=True)
    tx2 = torch.tensor(-0.25, requires_grad=True)
    tb = torch.tensor(0.1, requires_grad=True)
    tout = (tb + tw[0] * tx0 + tw[1] * 1.5 + tw[2] * tx2).tanh()
    tout.backward()
    assert _close(out.data, tout.item())
    for v, t in zip(ws, tw.grad):
        assert _close(v.grad, t.item())
    assert _close(xs[0].grad, tx0.grad.item()) and _close(xs[2].grad, tx2.grad.item())  # type: ignore[union-attr]
    assert _close(b.grad, tb.grad.item())  # type: ignore[union-attr]


def _torch_derivatives(f: Any, xs: list[float], argnum: int, order: int) -> list[float]:
    """d^k f / d xs[argnum]^k for k = 1..order in torch; 0.0 once nothing depends on x."""
    ts = [torch.tensor(x, requires_grad=True) for x in xs]
    d = f(*ts)
    out = []
    for _ in range(order):
        if d is not None and d.requires_grad:
            d = torch.autograd.grad(d, ts[argnum], create_graph=True, allow_unused=True)[0]
        else:
            d = None
        out.append(0.0 if d is None else d.item())
    return out


def _our_derivatives(f: Any, xs: list[float], argnum: int, order: int) -> list[float]:
    out = []
    g = f
    for _ in range(order):
        g = grad(g, argnum)
        out.append(g(*xs))
    return out


# Points where some derivative is infinite: every order must carry the sign
# torch gives (an infinite local derivative that is a constant would make the
# next order 0). Each case: name, function (Values or tensors), inputs, argnum.
SINGULAR: list[tuple[str, Any, list[float], int]] = [
    ("sqrt at 0", lambda x: x.sqrt(), [0.0], 0),
    ("sqrt at -0.0", lambda x: x.sqrt(), [-0.0], 0),
    ("x ** 0.5 at 0", lambda x: x**0.5, [0.0], 0),
    ("x ** 0.25 at 0", lambda x: x**0.25, [0.0], 0),
    ("x ** 1.5 at 0", lambda x: x**1.5, [0.0], 0),
    ("x ** 2.5 at 0", lambda x: x**2.5, [0.0], 0),
    ("x ** 1 at 0", lambda x: x**1.0, [0.0], 0),
    ("x ** 2 at 0", lambda x: x**2.0, [0.0], 0),
    ("x ** y at (0, 0.5), by x", lambda x, y: x**y, [0.0, 0.5], 0),
    ("x ** y at (0, 1.5), by x", lambda x, y: x**y, [0.0, 1.5], 0),
    ("sqrt(x) * 3 at 0", lambda x: x.sqrt() * 3.0, [0.0], 0),
    ("sqrt(x) + x at 0", lambda x: x.sqrt() + x, [0.0], 0),
]


@pytest.mark.parametrize(("name", "f", "xs", "argnum"), SINGULAR, ids=[c[0] for c in SINGULAR])
def test_higher_orders_at_singular_points_match_torch(
    name: str, f: Any, xs: list[float], argnum: int
) -> None:
    ours = _our_derivatives(f, xs, argnum, 4)
    theirs = _torch_derivatives(f, xs, argnum, 4)
    assert not any(math.isnan(d) for d in ours), ours
    for a, b in zip(ours, theirs):
        assert _close(a, b), (name, ours, theirs)  # inf only matches inf of the same sign


def test_sqrt_of_negative_zero_matches_torch_in_backward() -> None:
    x = Value(-0.0)
    y = x.sqrt()
    y.backward()
    tx = torch.tensor(-0.0, requires_grad=True)
    ty = tx.sqrt()
    ty.backward()
    assert math.copysign(1.0, y.data) == math.copysign(1.0, ty.item()) == -1.0
    assert x.grad == tx.grad.item() == -math.inf  # type: ignore[union-attr]


@pytest.mark.parametrize("x", [-0.0, 0.0, -1.5, 2.0])
def test_relu_keeps_the_sign_of_zero_as_torch_does(x: float) -> None:
    v = Value(x)
    r = v.relu()
    r.backward()
    tx = torch.tensor(x, requires_grad=True)
    tr = torch.relu(tx)
    tr.backward()
    assert r.data == tr.item() and math.copysign(1.0, r.data) == math.copysign(1.0, tr.item())
    assert v.grad == tx.grad.item()  # type: ignore[union-attr]


@pytest.mark.parametrize(("a", "b"), [(-2.0, 3.0), (-2.0, 2.0), (-0.5, -3.0), (-3.0, 0.0)])
def test_negative_base_to_a_value_integer_power(a: float, b: float) -> None:
    """The base's derivatives match torch; the exponent's partial is the documented
    real convention ``a ** b * log|a|`` (torch gives nan there)."""
    f = lambda x, y: x**y  # noqa: E731
    ta = torch.tensor(a, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    tout = ta**tb
    tout.backward()
    va, vb = Value(a), Value(b)
    out = va**vb
    out.backward()
    assert _close(out.data, tout.item())
    assert _close(va.grad, ta.grad.item())  # type: ignore[union-attr]
    assert _close(vb.grad, a**b * math.log(-a))
    ours = _our_derivatives(f, [a, b], 0, 3)
    theirs = _torch_derivatives(f, [a, b], 0, 3)
    for x, y in zip(ours, theirs):
        assert _close(x, y)
    # the exponent's convention differentiated once more by the base: d/da (a**b log|a|)
    want = b * a ** (b - 1.0) * math.log(-a) + a**b / a
    assert _close(grad(grad(f, 1), 0)(a, b), want)
    assert _close(grad(grad(f, 0), 1)(a, b), want)
    # and a constant negative base: (a) ** Value(b)
    assert _close(grad(lambda y: a**y)(b), a**b * math.log(-a))
