"""has_aux, jacobian, jvp, vjp and hvp: hand-worked values, shapes, errors, nesting,
user grads left alone, keyword arguments and per-thread state."""

from __future__ import annotations

import itertools
import math
import threading
from collections import namedtuple
from typing import Any

import pytest

import autograd
from autograd import (
    Value,
    detect_anomaly,
    functional,
    grad,
    hessian,
    hvp,
    jacobian,
    jacobians,
    jvp,
    value_and_grad,
    vjp,
)

pytestmark = pytest.mark.core


def f3(x: Any, y: Any) -> list[Any]:
    """[x y, sin x + y², 3]: J = [[y, x], [cos x, 2y], [0, 0]]."""
    return [x * y, x.sin() + y**2, 3.0]


# --- has_aux -------------------------------------------------------------------


def test_has_aux_returns_the_aux_beside_the_gradient() -> None:
    def f(x: Any, y: Any) -> Any:
        return x * x * y, {"y": y, "sq": x * x, "tag": "step"}

    g, aux = grad(f, has_aux=True)(3.0, 2.0)
    assert g == 12.0 and aux == {"y": 2.0, "sq": 9.0, "tag": "step"}
    assert type(aux["sq"]) is float and type(aux["y"]) is float  # floats at the top level
    (v, aux2), gs = value_and_grad(f, argnums=(0, 1), has_aux=True)(3.0, 2.0)
    assert (v, gs, aux2) == (18.0, (12.0, 9.0), aux)
    Pair = namedtuple("Pair", "a b")
    _, kept = grad(lambda x: (x, [Pair(x, 1), (x * 2,)]), has_aux=True)(1.5)
    assert kept == [Pair(1.5, 1), (3.0,)] and type(kept[0]) is Pair


def test_has_aux_with_values_keeps_values_and_nests() -> None:
    x = Value(3.0)
    g, aux = grad(lambda t: (t * t, t * 10), has_aux=True)(x)
    assert isinstance(g, Value) and g.data == 6.0
    assert isinstance(aux, Value) and aux.data == 30.0
    # inside an outer grad both the gradient and the aux are differentiable
    assert grad(lambda a: grad(lambda t: (t * t * a, 0), has_aux=True)(a)[0])(3.0) == 12.0
    assert grad(lambda a: grad(lambda t: (t, t * a * a), has_aux=True)(a)[1])(3.0) == 27.0


def test_has_aux_refuses_what_is_not_a_pair() -> None:
    with pytest.raises(
        ValueError,
        match=r"pair \(value, aux\), got the single value Value\(data=1.0.*leave has_aux off",
    ):
        grad(lambda x: x * 1.0, has_aux=True)(1.0)
    with pytest.raises(ValueError, match="tuple of 3 items"):
        grad(lambda x: (x, 1, 2), has_aux=True)(1.0)
    with pytest.raises(TypeError, match=r"pair \(value, aux\), got 'no'"):
        value_and_grad(lambda x: "no", has_aux=True)(1.0)
    with pytest.raises(ValueError, match=r"value \(first of the pair\) must be a scalar"):
        grad(lambda x: ([x, x], None), has_aux=True)(1.0)
    with pytest.raises(TypeError, match=r"value \(first of the pair\).*None"):
        grad(lambda x: (None, x), has_aux=True)(1.0)


# --- jacobian ------------------------------------------------------------------


def test_jacobian_rows_are_outputs_columns_are_arguments() -> None:
    x, y = 0.5, 2.0
    assert jacobian(f3)(x, y) == [[y, x], [math.cos(x), 2 * y], [0.0, 0.0]]
    assert jacobian(f3, argnums=1)(x, y) == [x, 2 * y, 0.0]  # an int: one number per row
    assert jacobian(f3, argnums=(1,))(x, y) == [[x], [2 * y], [0.0]]
    assert jacobian(f3, argnums=(1, 0, 1))(x, y)[0] == [x, y, x]
    assert jacobian(lambda x, y: (x * y, y))(x, y) == [[y, x], [0.0, 1.0]]
    assert jacobian(lambda x, y: x * y)(x, y) == [y, x]  # a scalar f: its gradient
    assert jacobian(lambda x: [])(1.0) == []
    assert all(type(e) is float for row in jacobian(f3)(x, y) for e in row)


def test_jacobian_with_values_and_nested() -> None:
    rows = jacobian(f3)(Value(0.5), 2.0)
    assert all(isinstance(e, Value) for row in rows for e in row)
    assert [[e.data for e in row] for row in rows] == jacobian(f3)(0.5, 2.0)
    # d/dx of J[1][0] = cos x is -sin x; the mixed partial of x y is 1
    assert grad(lambda x: jacobian(f3)(x, 2.0)[1][0])(0.5) == -math.sin(0.5)
    assert grad(lambda y: jacobian(f3)(0.5, y)[0][0])(2.0) == 1.0


def test_jacobian_refuses_bad_shapes() -> None:
    with pytest.raises(ValueError, match=r"jacobian: output 1 of the function is a list"):
        jacobian(lambda x: [x, [x, x]])(1.0)
    with pytest.raises(TypeError, match=r"jacobian: output 0 .*'a'"):
        jacobian(lambda x: ["a"])(1.0)
    with pytest.raises(TypeError, match="jacobian: the function must return"):
        jacobian(lambda x: {"x": x})(1.0)
    with pytest.raises(ValueError, match=r"jacobian: argument 0 must be a scalar.*list of 2"):
        jacobian(lambda x: [x])([1.0, 2.0])
    with pytest.raises(ValueError, match="jacobian: argnums 2 is out of range"):
        jacobian(f3, argnums=2)(1.0, 2.0)


# --- jvp -----------------------------------------------------------------------


def test_jvp_gives_value_and_directional_derivative() -> None:
    x, y, tx, ty = 0.5, 2.0, 1.0, -3.0
    out, tan = jvp(f3, (x, y), (tx, ty))
    assert out == [x * y, math.sin(x) + y * y, 3.0]
    assert tan == [y * tx + x * ty, math.cos(x) * tx + 2 * y * ty, 0.0]
    assert all(type(t) is float for t in tan)
    assert jvp(lambda x: x**3, [2.0], [0.5]) == (8.0, 6.0)  # a scalar f: scalars back
    assert jvp(lambda x, y: (x, y * 2), (1.0, 2.0), (3.0, 4.0)) == ((1.0, 4.0), (3.0, 8.0))
    assert jvp(lambda: 5.0, (), ()) == (5.0, 0.0)


def test_jvp_with_values_and_nested() -> None:
    out, tan = jvp(lambda x: x.exp(), (Value(0.0),), (2.0,))
    assert isinstance(tan, Value) and (out.data, tan.data) == (1.0, 2.0)
    # d/dx [f'(x) t] = f''(x) t, and the tangent itself is differentiable
    assert grad(lambda x: jvp(lambda u: u**3, (x,), (2.0,))[1])(1.5) == 6 * 1.5 * 2.0
    assert grad(lambda t: jvp(lambda u: u**3, (1.5,), (t,))[1])(2.0) == 3 * 1.5**2
    # perturbation confusion: the inner tangent does not leak into the outer one
    inner = lambda x: jvp(lambda y: x + y, (1.0,), (1.0,))[1]  # noqa: E731
    assert jvp(lambda x: x * inner(x), (1.0,), (1.0,))[1] == 1.0


def test_jvp_refuses_bad_shapes() -> None:
    with pytest.raises(ValueError, match="jvp: 2 primals but 1 tangents"):
        jvp(f3, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match=r"jvp: primals must be a list or tuple.*\(1.0,\)"):
        jvp(lambda x: x, 1.0, (1.0,))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"jvp: tangents\[0\] must be a scalar"):
        jvp(lambda x: x, (1.0,), ([1.0],))
    with pytest.raises(TypeError, match=r"jvp: primals\[0\].*'x'"):
        jvp(lambda x: x, ("x",), (1.0,))
    with pytest.raises(TypeError, match="jvp: tangents must be a list or tuple"):
        jvp(lambda x: x, (1.0,), None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="jvp: output 0 of the function is a tuple"):
        jvp(lambda x: [(x,)], (1.0,), (1.0,))


def test_jvp_forward_mode_keeps_an_exact_zero_through_an_infinite_slope() -> None:
    # sqrt'(0) is inf; a zero tangent still gives exactly 0, as backward's zero upstream does
    assert jvp(lambda x, y: x.sqrt() + y, (0.0, 1.0), (0.0, 2.0)) == (1.0, 2.0)
    assert jvp(lambda x: x.sqrt(), (0.0,), (1.0,)) == (0.0, math.inf)
    with detect_anomaly(), pytest.raises(FloatingPointError, match="sqrt"):
        jvp(lambda x: x.sqrt(), (0.0,), (1.0,))


# --- vjp -----------------------------------------------------------------------


def test_vjp_gives_the_value_and_a_pullback() -> None:
    x, y = 0.5, 2.0
    out, vjp_fn = vjp(f3, x, y)
    assert out == [x * y, math.sin(x) + y * y, 3.0]
    gx, gy = vjp_fn([1.0, 2.0, 5.0])
    assert (gx, gy) == (y + 2 * math.cos(x), x + 2 * 2 * y)
    assert vjp_fn((0.0, 1.0, 0.0)) == (math.cos(x), 2 * y)  # call again, any weights
    out, vjp_fn = vjp(lambda x: x * x, 3.0)
    assert out == 9.0 and vjp_fn(1.0) == (6.0,) and vjp_fn(0.5) == (3.0,)
    out, vjp_fn = vjp(lambda: 2.0)
    assert out == 2.0 and vjp_fn(1.0) == ()


def test_vjp_with_values_and_nested() -> None:
    out, vjp_fn = vjp(lambda x, y: x * y, Value(2.0), 3.0)
    gs = vjp_fn(1.0)
    assert isinstance(out, Value) and all(isinstance(g, Value) for g in gs)
    assert [g.data for g in gs] == [3.0, 2.0]
    _, fn = vjp(lambda x: x * x, 3.0)
    c = Value(2.0)
    (g,) = fn(c)  # a Value cotangent: the gradient is a Value depending on it
    assert isinstance(g, Value) and g.data == 12.0
    assert grad(lambda c: fn(c)[0])(2.0) == 6.0
    assert grad(lambda x: vjp(lambda u: u**3, x)[1](2.0)[0])(1.5) == 6 * 1.5 * 2.0


def test_vjp_refuses_bad_shapes() -> None:
    _, fn = vjp(f3, 1.0, 2.0)
    with pytest.raises(ValueError, match="3 outputs but the cotangent has 2 entries"):
        fn([1.0, 2.0])
    with pytest.raises(ValueError, match="list of 3 outputs, so the cotangent must be a list"):
        fn(1.0)
    _, fn = vjp(lambda x: x, 1.0)
    with pytest.raises(ValueError, match="cotangent of a scalar output must be a scalar"):
        fn([1.0])
    with pytest.raises(TypeError, match=r"cotangent.*'1'"):
        fn("1")
    with pytest.raises(ValueError, match="vjp: primal 0 must be a scalar"):
        vjp(lambda x: x, (1.0, 2.0))
    with pytest.raises(TypeError, match="vjp: the function must return"):
        vjp(lambda x: "no", 1.0)


# --- hvp -----------------------------------------------------------------------


def rosen(x: Any, y: Any) -> Any:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def test_hvp_is_the_hessian_times_the_vector() -> None:
    assert hvp(rosen)([1.0, 1.0], [1.0, 0.0]) == [802.0, -400.0]
    assert hvp(rosen)((1.0, 1.0), (2.0, 1.0)) == [1204.0, -600.0]
    x, y, v = -0.5, 2.0, [0.3, -0.7]
    H = hessian(rosen)(x, y)
    want = [H[i][0] * v[0] + H[i][1] * v[1] for i in range(2)]
    assert hvp(rosen)([x, y], v) == pytest.approx(want, rel=1e-15)
    assert all(type(h) is float for h in hvp(rosen)([x, y], v))
    assert hvp(lambda x, y: x + 1.0)([1.0, 2.0], [1.0, 1.0]) == [0.0, 0.0]  # linear: H = 0
    assert hvp(lambda x: 4.0)([1.0], [1.0]) == [0.0]


def test_hvp_with_values_and_nested() -> None:
    hv = hvp(rosen)([Value(1.0), 1.0], [1.0, 0.0])
    assert all(isinstance(h, Value) for h in hv) and [h.data for h in hv] == [802.0, -400.0]
    # d/dx of H[0][0] = 2 - 400 (y - x²) + 800 x² is 2400 x at y fixed
    assert grad(lambda x: hvp(rosen)([x, 1.0], [1.0, 0.0])[0])(0.5) == 2400 * 0.5
    assert grad(lambda s: hvp(rosen)([1.0, 1.0], [s, 0.0])[1])(3.0) == -400.0


def test_hvp_does_not_build_the_whole_hessian(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sweeps whatever the number of arguments; ``hessian`` needs one per argument plus one."""
    sweeps: list[int] = []
    real_values, real_floats = functional._vjp_values, functional.vjp_floats

    def counted_values(root: Any, targets: Any) -> Any:
        sweeps.append(1)
        return real_values(root, targets)

    def counted_floats(root: Any, targets: Any) -> Any:
        sweeps.append(1)
        return real_floats(root, targets)

    for module in (functional, jacobians):  # hessian sweeps from one, hvp from the other
        monkeypatch.setattr(module, "_vjp_values", counted_values)
        monkeypatch.setattr(module, "vjp_floats", counted_floats)

    def f(*xs: Any) -> Any:
        total: Any = 0.0
        for a, b in itertools.pairwise(xs):
            total = total + (a * b).sin()
        return total

    xs, v = [0.1 * i for i in range(8)], [1.0] * 8
    hv = hvp(f)(xs, v)
    assert len(sweeps) == 2
    sweeps.clear()
    H = hessian(f)(*xs)
    assert len(sweeps) == 9
    assert hv == pytest.approx([sum(row) for row in H], rel=1e-13, abs=1e-15)


def test_hvp_refuses_bad_shapes() -> None:
    with pytest.raises(ValueError, match="hvp: 2 arguments in xs but 1 entries in v"):
        hvp(rosen)([1.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="hvp: xs must be a list or tuple"):
        hvp(lambda x: x)(1.0, [1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="hvp: the function must return a scalar, got a list"):
        hvp(lambda x: [x])([1.0], [1.0])
    with pytest.raises(TypeError, match="hvp: the function must return a scalar Value"):
        hvp(lambda x: None)([1.0], [1.0])


# --- shared contract ----------------------------------------------------------


def test_none_touches_the_grad_of_user_values() -> None:
    w = Value(1.5)
    w.grad = 0.25
    x = Value(0.2)
    x.grad = -3.0

    def f(a: Any, b: Any) -> Any:
        return (a * w).tanh() * b + w * a

    def pair(a: Any, b: Any) -> list[Any]:
        return [f(a, b), a * b * w]

    grad(lambda a, b: (f(a, b), w), has_aux=True)(x, 0.5)
    jacobian(pair)(x, 0.5)
    jacobian(pair)(0.2, 0.5)
    jvp(pair, (x, 0.5), (1.0, 2.0))
    jvp(pair, (0.2, 0.5), (1.0, 2.0))
    _, fn = vjp(pair, x, 0.5)
    fn([1.0, 2.0])
    _, fn = vjp(pair, 0.2, 0.5)
    fn([1.0, 2.0])
    hvp(f)([x, 0.5], [1.0, 2.0])
    hvp(f)([0.2, 0.5], [1.0, 2.0])
    with detect_anomaly():
        jvp(pair, (0.2, 0.5), (1.0, 2.0))
    assert (w.grad, x.grad) == (0.25, -3.0)


def test_keyword_arguments_pass_through_undifferentiated() -> None:
    seen: list[Any] = []

    def f(x: Any, y: Any, *, scale: Any) -> Any:
        seen.append(scale)
        return scale * x * y

    assert jacobian(lambda x, y, **kw: [f(x, y, **kw)])(2.0, 3.0, scale=2.0) == [[6.0, 4.0]]
    assert jvp(f, (2.0, 3.0), (1.0, 0.0), scale=2.0) == (12.0, 6.0)
    _, fn = vjp(f, 2.0, 3.0, scale=2.0)
    assert fn(1.0) == (6.0, 4.0)
    assert hvp(f)([2.0, 3.0], [1.0, 0.0], scale=2.0) == [0.0, 2.0]
    assert grad(lambda x, *, scale: (f(x, 1.0, scale=scale), scale), has_aux=True)(
        2.0, scale=2.0
    ) == (2.0, 2.0)
    assert seen and all(s == 2.0 and type(s) is float for s in seen)


def test_the_depth_of_one_thread_does_not_reach_another() -> None:
    """While one thread is inside a jvp (results stay Values there), grad elsewhere gives floats."""
    inside, release = threading.Event(), threading.Event()
    got: list[Any] = []

    def slow(x: Any) -> Any:
        inside.set()
        release.wait(10)
        got.append(grad(lambda t: t * t)(3.0))  # inside a functional call: a Value
        return x * x

    worker = threading.Thread(target=lambda: got.append(jvp(slow, (1.0,), (1.0,))))
    worker.start()
    try:
        assert inside.wait(10)
        mine = [
            grad(lambda t: t * t)(3.0),
            jacobian(lambda t: [t * t])(3.0),
            hvp(rosen)([1.0, 1.0], [1.0, 0.0]),
        ]
    finally:
        release.set()
        worker.join(10)
    assert mine == [6.0, [[6.0]], [802.0, -400.0]] and type(mine[0]) is float
    assert isinstance(got[0], Value) and got[0].data == 6.0 and got[1] == (1.0, 2.0)


def test_exported_from_autograd() -> None:
    for name in ("jacobian", "jvp", "vjp", "hvp"):
        assert name in autograd.__all__ and getattr(autograd, name) is getattr(jacobians, name)
    assert not hasattr(functional, "vjp") and jacobians.vjp is autograd.vjp
