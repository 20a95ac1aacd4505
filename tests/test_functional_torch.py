"""jacobian, jvp, vjp, hvp and has_aux against torch.func in float64, on random
expression DAGs with shared nodes and several outputs, alone and nested in grad."""

from __future__ import annotations

import math
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="PyTorch (the `torch` extra) is the float64 oracle")
st = pytest.importorskip("hypothesis.strategies", reason="hypothesis draws the programs")
from hypothesis import given, settings  # noqa: E402
from torch import func as tfunc  # noqa: E402

from autograd import (  # noqa: E402
    Value,
    detect_anomaly,
    grad,
    hvp,
    jacobian,
    jvp,
    value_and_grad,
    vjp,
)

torch.set_default_dtype(torch.float64)

UNARY = ["tanh", "sigmoid", "sin", "cos", "softplus", "exp_tanh", "log1sq", "sqrt1sq", "sq", "neg"]
BINARY = ["add", "sub", "mul", "div1sq", "pow_sig"]
N = 3  # inputs


def _op(op: str, a: Any, b: Any, t: bool) -> Any:
    if op in ("tanh", "sigmoid", "sin", "cos"):
        return getattr(a, op)()
    if op == "softplus":
        return torch.nn.functional.softplus(a) if t else a.softplus()
    if op == "exp_tanh":
        return a.tanh().exp()
    if op == "log1sq":
        return (a * a + 1.0).log()
    if op == "sqrt1sq":
        return (a * a + 0.5).sqrt()
    if op == "sq":
        return a**2
    if op == "neg":
        return -a
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "div1sq":
        return a / (b * b + 1.0)
    return (a.sigmoid() + 0.5) ** (b.tanh() + 1.5)  # pow_sig: smooth for any input


def outputs(program: list[tuple[str, int, int]], n_out: int, xs: list[Any]) -> list[Any]:
    """Run ``program`` on Values or tensors; the last ``n_out`` slots are the outputs."""
    t = isinstance(xs[0], torch.Tensor)
    slots = list(xs)
    for op, i, j in program:
        slots.append(_op(op, slots[i % len(slots)], slots[j % len(slots)], t))
    outs = slots[-n_out:]
    for s in slots[N:-1:3]:  # earlier nodes reused in the first output too
        outs[0] = outs[0] + s * 0.25
    return outs


def programs() -> Any:
    idx = st.integers(0, 10_000)
    op = st.sampled_from(UNARY + BINARY)
    return st.lists(st.tuples(op, idx, idx), min_size=1, max_size=10)


def vec(n: int) -> Any:
    return st.lists(st.floats(-2.0, 2.0), min_size=n, max_size=n)


def close(a: Any, b: Any) -> bool:
    a = a.data if isinstance(a, Value) else a
    b = b.item() if isinstance(b, torch.Tensor) else b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def tensors(xs: list[float]) -> tuple[Any, ...]:
    return tuple(torch.tensor(x) for x in xs)


@settings(max_examples=60, deadline=None)
@given(programs(), st.integers(1, 3), vec(N))
def test_jacobian_matches_jacrev(program: Any, n_out: int, xs: list[float]) -> None:
    ours = jacobian(lambda *a: outputs(program, n_out, list(a)))(*xs)
    theirs = tfunc.jacrev(lambda *a: tuple(outputs(program, n_out, list(a))), argnums=(0, 1, 2))(
        *tensors(xs)
    )
    assert len(ours) == n_out and all(len(row) == N and type(row) is list for row in ours)
    for i in range(n_out):
        for j in range(N):
            assert type(ours[i][j]) is float and close(ours[i][j], theirs[i][j]), (i, j)


@settings(max_examples=60, deadline=None)
@given(programs(), st.integers(1, 3), vec(N), vec(N), st.booleans())
def test_jvp_matches_torch_func_jvp(
    program: Any, n_out: int, xs: list[float], ts: list[float], as_values: bool
) -> None:
    """Forward mode (plain numbers) and reverse over reverse (Values) both agree with torch."""
    primals: list[Any] = [Value(x) for x in xs] if as_values else xs
    out, tangent = jvp(lambda *a: outputs(program, n_out, list(a)), primals, ts)
    t_out, t_tan = tfunc.jvp(
        lambda *a: tuple(outputs(program, n_out, list(a))), tensors(xs), tensors(ts)
    )
    assert type(out) is list and len(out) == len(tangent) == n_out
    for i in range(n_out):
        assert isinstance(tangent[i], Value) == as_values
        assert close(out[i], t_out[i]) and close(tangent[i], t_tan[i]), i


@settings(max_examples=30, deadline=None)
@given(programs(), st.integers(1, 3), vec(N), vec(N))
def test_jvp_under_detect_anomaly_matches_torch(
    program: Any, n_out: int, xs: list[float], ts: list[float]
) -> None:
    with detect_anomaly():
        _, tangent = jvp(lambda *a: tuple(outputs(program, n_out, list(a))), xs, ts)
    _, t_tan = tfunc.jvp(
        lambda *a: tuple(outputs(program, n_out, list(a))), tensors(xs), tensors(ts)
    )
    assert type(tangent) is tuple
    assert all(type(g) is float and close(g, tg) for g, tg in zip(tangent, t_tan))


@settings(max_examples=60, deadline=None)
@given(programs(), st.integers(1, 3), vec(N), vec(3), st.booleans())
def test_vjp_matches_torch_func_vjp(
    program: Any, n_out: int, xs: list[float], cs: list[float], as_values: bool
) -> None:
    primals: list[Any] = [Value(x) for x in xs] if as_values else xs
    out, vjp_fn = vjp(lambda *a: outputs(program, n_out, list(a)), *primals)
    gs = vjp_fn(cs[:n_out])
    t_out, t_fn = tfunc.vjp(lambda *a: tuple(outputs(program, n_out, list(a))), *tensors(xs))
    t_gs = t_fn(tensors(cs[:n_out]))
    assert type(gs) is tuple and len(gs) == N
    assert all(close(o, to) for o, to in zip(out, t_out))
    assert all(isinstance(g, Value) == as_values and close(g, tg) for g, tg in zip(gs, t_gs))
    assert vjp_fn(cs[:n_out]) == gs or as_values  # called again: the same floats


@settings(max_examples=60, deadline=None)
@given(programs(), vec(N), vec(N))
def test_hvp_matches_torch_hvp(program: Any, xs: list[float], v: list[float]) -> None:
    def f(*a: Any) -> Any:
        return outputs(program, 1, list(a))[0]

    ours = hvp(f)(xs, v)
    _, theirs = torch.autograd.functional.hvp(f, tensors(xs), tensors(v))
    assert type(ours) is list and len(ours) == N
    assert all(type(h) is float and close(h, th) for h, th in zip(ours, theirs))


@settings(max_examples=40, deadline=None)
@given(programs(), vec(N), vec(N), vec(3))
def test_each_nests_inside_grad_as_torch_func_does(
    program: Any, xs: list[float], ts: list[float], cs: list[float]
) -> None:
    """d/dx of a jvp, a vjp, an hvp and a Jacobian entry, against the same composition in torch."""
    n_out = 2

    def F(*a: Any) -> list[Any]:
        return outputs(program, n_out, list(a))

    def TF(*a: Any) -> tuple[Any, ...]:
        return tuple(outputs(program, n_out, list(a)))

    ar = (0, 1, 2)
    cases = [
        (lambda *a: jvp(F, a, ts)[1][1], lambda *a: tfunc.jvp(TF, a, tensors(ts))[1][1]),
        (lambda *a: vjp(F, *a)[1](cs[:2])[0], lambda *a: tfunc.vjp(TF, *a)[1](tensors(cs[:2]))[0]),
        (
            lambda *a: hvp(lambda *b: F(*b)[0])(a, ts)[2],
            lambda *a: torch.autograd.functional.hvp(
                lambda *b: TF(*b)[0], a, tensors(ts), create_graph=True
            )[1][2],
        ),
        (lambda *a: jacobian(F)(*a)[1][0], lambda *a: tfunc.jacrev(TF, argnums=0)(*a)[1]),
    ]
    for k, (ours_f, theirs_f) in enumerate(cases):
        ours = grad(ours_f, argnums=ar)(*xs)
        theirs = _torch_grad(theirs_f, xs)
        assert all(type(g) is float and close(g, tg) for g, tg in zip(ours, theirs)), k


def _torch_grad(fn: Any, xs: list[float]) -> list[float]:
    leaves = [torch.tensor(x, requires_grad=True) for x in xs]
    y = fn(*leaves)
    if not y.requires_grad:
        return [0.0] * len(xs)
    gs = torch.autograd.grad(y, leaves, allow_unused=True)
    return [0.0 if g is None else g.item() for g in gs]


@settings(max_examples=40, deadline=None)
@given(programs(), vec(N))
def test_has_aux_matches_torch_func_grad(program: Any, xs: list[float]) -> None:
    def f(*a: Any) -> Any:
        out = outputs(program, 2, list(a))
        return out[0], {"second": out[1], "first": [out[0]]}

    (value, aux), gs = value_and_grad(f, argnums=(0, 1, 2), has_aux=True)(*xs)
    g2, aux2 = grad(f, argnums=(0, 1, 2), has_aux=True)(*xs)
    t_gs, t_aux = tfunc.grad(f, argnums=(0, 1, 2), has_aux=True)(*tensors(xs))
    assert gs == g2 and aux == aux2 and aux["first"] == [value]
    assert type(value) is float and type(aux["second"]) is float
    assert close(value, f(*tensors(xs))[0]) and close(aux["second"], t_aux["second"])
    assert all(close(g, tg) for g, tg in zip(gs, t_gs))
