"""grad, value_and_grad, hessian: nesting, perturbation confusion, argnums, errors."""

from __future__ import annotations

import gc
import math
import weakref
from typing import Any

import pytest

from autograd import Value, grad, hessian, value_and_grad

pytestmark = pytest.mark.core


def test_plain_numbers_give_floats_values_give_values() -> None:
    f = grad(lambda x: x * x)
    assert f(3.0) == 6.0 and type(f(3.0)) is float
    g = f(Value(3.0))
    assert isinstance(g, Value) and g.data == 6.0
    assert type(grad(lambda x: 2.0)(1.0)) is float  # constant function: 0.0
    assert grad(lambda x: 2.0)(1.0) == 0.0


def test_nesting_to_third_order() -> None:
    def f(x: Any) -> Any:
        return x**4 + x.sin()

    x = 0.7
    assert grad(f)(x) == pytest.approx(4 * x**3 + math.cos(x), rel=1e-15)
    assert grad(grad(f))(x) == pytest.approx(12 * x**2 - math.sin(x), rel=1e-14)
    assert grad(grad(grad(f)))(x) == pytest.approx(24 * x - math.cos(x), rel=1e-14)
    assert grad(grad(grad(grad(f))))(x) == pytest.approx(24 + math.sin(x), rel=1e-14)


def test_perturbation_confusion() -> None:
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0) == 1.0
    # the inner derivative depends on the outer variable: d/dx [x * x] = 2x
    assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(2.0) == 4.0
    # same argument passed to both levels: d/dx [d/dy (x*y) at y=x] = d/dx x = 1
    assert grad(lambda x: grad(lambda y: x * y)(x))(3.0) == 1.0


def test_argnums_and_mixed_partials() -> None:
    def f(x: Any, y: Any, z: Any) -> Any:
        return x * y * y + z.exp() * x

    assert grad(f, argnums=1)(2.0, 3.0, 0.0) == 12.0
    gx, gz = grad(f, argnums=(0, 2))(2.0, 3.0, 0.0)
    assert (gx, gz) == (10.0, 2.0)
    assert grad(f, argnums=-1)(2.0, 3.0, 0.0) == 2.0
    dxy = grad(lambda x, y: grad(f, argnums=0)(x, y, 0.0), argnums=1)(2.0, 3.0)
    assert dxy == 6.0  # d2f/dxdy = 2y
    v, (a, b) = value_and_grad(lambda x, y: x * y, argnums=(0, 1))(2.0, 5.0)
    assert (v, a, b) == (10.0, 5.0, 2.0)


def test_an_argument_listed_twice_gets_its_gradient_twice() -> None:
    """As in JAX: ``argnums=(0, 0)`` returns the same partial derivative twice."""

    def f(x: Any, y: Any) -> Any:
        return x * x * y + y.sin()

    assert grad(f, argnums=(0, 0))(2.0, 3.0) == (12.0, 12.0)
    assert grad(f, argnums=(1, 0, 1))(2.0, 0.0) == (5.0, 0.0, 5.0)
    assert grad(f, argnums=(0, -2))(2.0, 3.0) == (12.0, 12.0)  # the same position, spelt twice
    v, gs = value_and_grad(f, argnums=(0, 0))(2.0, 3.0)
    assert v == 12.0 + math.sin(3.0) and gs == (12.0, 12.0)
    g0, g1 = grad(f, argnums=(0, 0))(Value(2.0), 3.0)  # the Value path
    assert isinstance(g0, Value) and (g0.data, g1.data) == (12.0, 12.0)
    # and nested: d/dx of each repeat of d/dx (x² y) = 2 x y is 2 y
    assert grad(lambda x, y: grad(f, argnums=(0, 0))(x, y)[1])(2.0, 3.0) == 6.0


def test_keyword_arguments_pass_through_undifferentiated() -> None:
    seen: list[Any] = []

    def f(x: Any, *, scale: Any, shift: float = 0.0) -> Any:
        seen.append(scale)
        return scale * x * x + shift

    assert grad(f)(1.0, scale=2.0) == 4.0
    assert seen == [2.0] and type(seen[0]) is float  # given as is, not made a Value
    assert grad(f)(3.0, scale=2.0, shift=5.0) == 12.0
    assert value_and_grad(f)(1.0, scale=2.0, shift=1.0) == (3.0, 4.0)
    assert hessian(f)(1.0, scale=2.0) == [[4.0]]
    assert grad(grad(f))(1.0, scale=2.0) == 4.0  # reaches f through every level
    g = grad(lambda x, y, **kw: f(x * y, **kw), argnums=(0, 1))(1.0, 2.0, scale=0.5)
    assert g == (4.0, 2.0)  # 0.5 (x y)²: (x y², x² y)
    with pytest.raises(TypeError, match="scale"):
        grad(f)(1.0)  # f's own error: the keyword is missing


def test_rosenbrock_hessian_is_exact() -> None:
    def rosen(x: Any, y: Any) -> Any:
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    assert hessian(rosen)(1.0, 1.0) == [[802.0, -400.0], [-400.0, 200.0]]


def test_hessian_is_symmetric() -> None:
    def f(a: Any, b: Any, c: Any) -> Any:
        return (a * b).tanh() * c.sigmoid() + (a / (c * c + 1.0)) ** 2 + b.softplus() * a

    h = hessian(f)(0.3, -1.1, 0.8)
    for i in range(3):
        for j in range(3):
            assert h[i][j] == pytest.approx(h[j][i], rel=1e-12, abs=1e-15)


def test_hessian_of_a_quadratic_form() -> None:
    def q(x: Any, y: Any) -> Any:
        return 3 * x * x + 2 * x * y + 5 * y * y + x - 4

    assert hessian(q)(0.1, 7.0) == [[6.0, 2.0], [2.0, 10.0]]


def test_higher_derivatives_vanish_away_from_kinks() -> None:
    for op in ("relu", "abs"):
        assert grad(grad(lambda x, op=op: getattr(x, op)()))(0.5) == 0.0
        assert grad(grad(lambda x, op=op: getattr(x, op)()))(-0.5) == 0.0
    assert grad(grad(lambda x: x.leaky_relu(0.1)))(-2.0) == 0.0
    assert grad(lambda x: x.relu())(0.0) == 0.0


def test_exponent_zero_second_derivative() -> None:
    # f = (sigmoid(x) + 1/2) ** tanh(x): sympy gives f''(0) = 1/2, f'''(0) = -3/16.
    # (PyTorch's double backward masks d(a**b)/da where b == 0 and reports 1/4.)
    def f(x: Any) -> Any:
        return (x.sigmoid() + 0.5) ** x.tanh()

    assert grad(grad(f))(0.0) == pytest.approx(0.5, rel=1e-15)
    assert grad(grad(grad(f)))(0.0) == pytest.approx(-0.1875, rel=1e-14)


def test_does_not_touch_user_grads() -> None:
    w = Value(1.5)
    w.grad = 0.25

    def f(x: Any) -> Any:
        return (x * w).tanh() * w

    gx = grad(f)(0.2)
    assert w.grad == 0.25
    v = Value(0.2)
    v.grad = -3.0
    g = grad(f)(v)
    assert v.grad == -3.0 and w.grad == 0.25
    assert g.data == pytest.approx(gx, rel=1e-15)


def test_leaves_no_graph_alive() -> None:
    gc.collect()
    gc.disable()
    try:
        refs: list[weakref.ref[Value]] = []

        def f(x: Any) -> Any:
            y = (x * x).tanh()
            refs.append(weakref.ref(y))
            return y * x

        assert grad(grad(f))(0.4) != 0.0
        assert refs and all(r() is None for r in refs)
    finally:
        gc.enable()


def test_closures_over_outer_values_are_differentiated() -> None:
    def outer(a: Any) -> Any:
        inner = grad(lambda x: a * x * x)  # d/dx = 2 a x
        return inner(a)  # 2 a**2

    assert grad(outer)(3.0) == 12.0


def test_bad_results_and_argnums() -> None:
    with pytest.raises(TypeError, match=r"returned|return.*\[.*list"):
        grad(lambda x: [x, x])(1.0)
    with pytest.raises(TypeError, match="'no'"):
        grad(lambda x: "no")(1.0)
    with pytest.raises(ValueError, match=r"out of range.*2 positional arguments"):
        grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match="1 positional argument"):
        grad(lambda x: x, argnums=(0, 1))(1.0)
    with pytest.raises(TypeError, match="argnums"):
        grad(lambda x: x, argnums="0")(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 0"):
        grad(lambda x: x)("1.0")


def test_taylor_remainder_shrinks_like_eta_cubed() -> None:
    """L(θ + ηu) - [L + η uᵀ∇L + η²/2 uᵀHu] is O(η³): halving η divides it by about 8."""

    def loss(w: Any, b: Any) -> Any:
        xs, ys = [0.5, 2.5, -1.0], [0.2, 0.9, 0.1]
        total: Any = 0.0
        for x, y in zip(xs, ys):
            total = total + ((w * x + b).sigmoid() - y) ** 2
        return total / len(xs)

    theta, u = (0.4, -0.3), (0.6, 0.8)
    L0 = loss(Value(theta[0]), Value(theta[1])).data
    g = grad(loss, argnums=(0, 1))(*theta)
    h = hessian(loss)(*theta)
    ug = sum(ui * gi for ui, gi in zip(u, g))
    uhu = sum(u[i] * h[i][j] * u[j] for i in range(2) for j in range(2))
    rems = []
    for k in range(4):
        eta = 0.1 / 2**k
        moved = loss(Value(theta[0] + eta * u[0]), Value(theta[1] + eta * u[1])).data
        rems.append(abs(moved - (L0 + eta * ug + eta**2 / 2 * uhu)))
    ratios = [rems[i] / rems[i + 1] for i in range(3)]
    assert all(7.0 < r < 9.0 for r in ratios), ratios
    # and the first-order model alone leaves an O(η²) error: ratio about 4
    first = []
    for k in range(3):
        eta = 0.1 / 2**k
        moved = loss(Value(theta[0] + eta * u[0]), Value(theta[1] + eta * u[1])).data
        first.append(abs(moved - (L0 + eta * ug)))
    assert all(3.5 < first[i] / first[i + 1] < 4.5 for i in range(2))
