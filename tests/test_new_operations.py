"""The functions beyond micrograd's: values, first and second derivatives against
PyTorch float64 on hypothesis inputs over each domain, and their errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="PyTorch (the `torch` extra) is the float64 oracle")
st = pytest.importorskip("hypothesis.strategies", reason="hypothesis draws the inputs")
from hypothesis import given, settings  # noqa: E402

import autograd  # noqa: E402
from autograd import Tape, Value, atan2, grad, hessian, hypot, maximum, minimum  # noqa: E402

torch.set_default_dtype(torch.float64)
REL = 1e-9


def _close(a: float, b: float) -> bool:
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-12)


# name -> (torch function, inputs inside the domain); the domains stop short of
# the edges where torch's own formula (1 - x*x) loses digits that ours keeps.
UNARY: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "tan": (torch.tan, st.floats(-1.5, 1.5)),
    "asin": (torch.asin, st.floats(-0.9999, 0.9999)),
    "acos": (torch.acos, st.floats(-0.9999, 0.9999)),
    "atan": (torch.atan, st.floats(-1e3, 1e3)),
    "sinh": (torch.sinh, st.floats(-20.0, 20.0)),
    "cosh": (torch.cosh, st.floats(-20.0, 20.0)),
    "asinh": (torch.asinh, st.floats(-1e3, 1e3)),
    "acosh": (torch.acosh, st.floats(1.0001, 1e3)),
    "atanh": (torch.atanh, st.floats(-0.9999, 0.9999)),
    "log2": (torch.log2, st.floats(1e-6, 1e6)),
    "log10": (torch.log10, st.floats(1e-6, 1e6)),
    "log1p": (torch.log1p, st.floats(-0.999, 1e3)),
    "expm1": (torch.expm1, st.floats(-20.0, 20.0)),
    "erf": (torch.erf, st.floats(-5.0, 5.0)),
}


def _torch_orders(f: Callable[..., Any], xs: list[float]) -> tuple[float, list[float], Any]:
    """Value, gradient and Hessian of ``f`` at ``xs`` in torch."""
    ts = [torch.tensor(x, requires_grad=True) for x in xs]
    y = f(*ts)
    gs = torch.autograd.grad(y, ts, create_graph=True)
    rows = []
    for g in gs:
        if g.requires_grad:
            row = torch.autograd.grad(g, ts, retain_graph=True, allow_unused=True)
            rows.append([0.0 if r is None else r.item() for r in row])
        else:
            rows.append([0.0] * len(ts))
    return y.item(), [g.item() for g in gs], rows


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_against_torch_to_second_order(name: str) -> None:
    tf, xs = UNARY[name]

    @settings(max_examples=60)
    @given(xs)
    def check(x: float) -> None:
        want_y, (want_d,), ((want_d2,),) = _torch_orders(tf, [x])
        v = Value(x)
        y = getattr(v, name)()
        y.backward()
        assert _close(y.data, want_y), (name, x)
        assert _close(v.grad, want_d), (name, x, v.grad, want_d)
        assert _close(grad(lambda t: getattr(t, name)())(x), want_d)
        assert _close(grad(grad(lambda t: getattr(t, name)()))(x), want_d2), (name, x)

    check()


def _t_clamp(x: Any) -> Any:
    return torch.clamp(x, -0.5, 0.75)


@settings(max_examples=60)
@given(st.floats(-3.0, 3.0) | st.sampled_from([-0.5, 0.75]))
def test_clamp_against_torch_boundaries_included(x: float) -> None:
    want_y, (want_d,), _ = _torch_orders(_t_clamp, [x])
    v = Value(x)
    y = v.clamp(-0.5, 0.75)
    y.backward()
    assert y.data == want_y and v.grad == want_d
    assert grad(grad(lambda t: t.clamp(-0.5, 0.75)))(x) == 0.0


BINARY: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "atan2": (atan2, torch.atan2),
    "hypot": (hypot, torch.hypot),
    "minimum": (minimum, torch.minimum),
    "maximum": (maximum, torch.maximum),
}
PAIR = st.floats(-10.0, 10.0)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_against_torch_to_second_order(name: str) -> None:
    ours, theirs = BINARY[name]

    @settings(max_examples=60)
    @given(PAIR, PAIR | st.just(1.5))
    def check(a: float, b: float) -> None:
        if name in ("atan2", "hypot") and math.hypot(a, b) < 1e-3:
            return  # the origin: see test_binary_functions_at_the_origin
        want_y, want_g, want_h = _torch_orders(theirs, [a, b])
        va, vb = Value(a), Value(b)
        y = ours(va, vb)
        y.backward()
        assert _close(y.data, want_y)
        assert _close(va.grad, want_g[0]) and _close(vb.grad, want_g[1]), (name, a, b)
        assert all(map(_close, grad(ours, (0, 1))(a, b), want_g))
        h = hessian(ours)(a, b)
        for i in range(2):
            for j in range(2):
                assert math.isclose(h[i][j], want_h[i][j], rel_tol=REL, abs_tol=1e-10), (
                    name,
                    a,
                    b,
                    h,
                    want_h,
                )

    check()


@pytest.mark.parametrize(("ours", "theirs"), [(minimum, torch.minimum), (maximum, torch.maximum)])
@pytest.mark.parametrize("x", [1.5, 0.0, -2.0])
def test_ties_split_the_gradient_as_torch_does(ours: Any, theirs: Any, x: float) -> None:
    _, want_g, _ = _torch_orders(theirs, [x, x])
    a, b = Value(x), Value(x)
    ours(a, b).backward()
    assert (a.grad, b.grad) == tuple(want_g) == (0.5, 0.5)
    c = Value(x)
    ours(c, c).backward()  # the same Value on both sides: the halves add up
    assert c.grad == 1.0


def test_numbers_on_either_side_of_the_functions() -> None:
    x = Value(2.0)
    out = maximum(x, 3.0) + minimum(1.0, x) + atan2(1.0, x) + hypot(x, 1.5)
    out.backward()
    assert out.data == 3.0 + 1.0 + math.atan2(1.0, 2.0) + 2.5
    assert math.isclose(x.grad, -1.0 / 5.0 + 2.0 / 2.5, rel_tol=1e-15)
    assert maximum(1.0, 2.0).data == 2.0  # numbers only: a constant Value
    with pytest.raises(TypeError, match="atan2"):
        atan2("1", x)  # type: ignore[arg-type]


def test_binary_functions_at_the_origin() -> None:
    """No derivative exists there; both partials are 0 (PyTorch: atan2 0, hypot nan)."""
    for f in (atan2, hypot):
        a, b = Value(0.0), Value(0.0)
        f(a, b).backward()
        assert (a.grad, b.grad) == (0.0, 0.0)
        assert hessian(f)(0.0, 0.0) == [[0.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize(
    ("name", "x", "first", "second"),
    [
        ("asin", 1.0, math.inf, math.inf),
        ("asin", -1.0, math.inf, -math.inf),
        ("acos", 1.0, -math.inf, -math.inf),
        ("acosh", 1.0, math.inf, -math.inf),
    ],
)
def test_infinite_derivatives_at_domain_edges_match_torch(
    name: str, x: float, first: float, second: float
) -> None:
    tf = getattr(torch, name)
    _, (want_d,), ((want_d2,),) = _torch_orders(tf, [x])
    d1 = grad(lambda t: getattr(t, name)())
    assert d1(x) == want_d == first
    assert grad(d1)(x) == want_d2 == second


def test_stable_forms_near_zero() -> None:
    tiny = 1e-20
    assert Value(tiny).log1p().data == tiny  # log(1 + x) would give 0.0
    assert Value(tiny).expm1().data == tiny  # exp(x) - 1 would give 0.0
    assert Value(-0.5).log1p().data == math.log(0.5)
    assert Value(1e-300).asinh().data == 1e-300
    v = Value(1e200)
    v.asinh().backward()  # 1 / sqrt(1 + x**2) without overflow
    assert math.isclose(v.grad, 1e-200, rel_tol=1e-15)
    w = Value(1e200)
    w.atan().backward()
    assert w.grad == 0.0


ERRORS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("asin(1.5)", lambda: Value(1.5).asin(), ValueError, r"asin.*1\.5"),
    ("acos(-2)", lambda: Value(-2.0).acos(), ValueError, r"acos.*-2\.0"),
    ("acosh(0.5)", lambda: Value(0.5).acosh(), ValueError, r"acosh.*0\.5"),
    ("atanh(1)", lambda: Value(1.0).atanh(), ValueError, r"atanh.*1\.0"),
    ("atanh(-1)", lambda: Value(-1.0).atanh(), ValueError, r"atanh.*-1\.0"),
    ("log2(0)", lambda: Value(0.0).log2(), ValueError, r"log2.*0\.0"),
    ("log10(-1)", lambda: Value(-1.0).log10(), ValueError, r"log10.*-1\.0"),
    ("log1p(-1)", lambda: Value(-1.0).log1p(), ValueError, r"log1p.*-1\.0"),
    ("tan(inf)", lambda: Value(math.inf).tan(), ValueError, "tan"),
    ("sinh(1000)", lambda: Value(1000.0).sinh(), OverflowError, r"sinh.*1000\.0"),
    ("cosh(-1000)", lambda: Value(-1000.0).cosh(), OverflowError, r"cosh.*-1000\.0"),
    ("expm1(1000)", lambda: Value(1000.0).expm1(), OverflowError, r"expm1.*1000\.0"),
    ("hypot(1.5e308, 1.5e308)", lambda: hypot(Value(1.5e308), 1.5e308), OverflowError, "hypot"),
    ("clamp(2, 1)", lambda: Value(0.0).clamp(2.0, 1.0), ValueError, "clamp: lo must be <= hi"),
    ("clamp('a', 1)", lambda: Value(0.0).clamp("a", 1.0), TypeError, "clamp lo"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("name", "make", "kind", "pattern"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_name_the_operation_and_the_input(
    name: str, make: Callable[[], object], kind: type[Exception], pattern: str
) -> None:
    with pytest.raises(kind, match=pattern):
        make()


@pytest.mark.parametrize("name", sorted(UNARY))
def test_never_nan_from_finite_input(name: str) -> None:
    """Across a wide grid: a result or an error, never a silent NaN."""
    for k in range(-40, 41):
        x = math.copysign(10.0 ** (abs(k) / 4.0 - 5.0), k) if k else 0.0
        for point in (x, 1.0 + x, -1.0 - x, 1.0, -1.0):
            v = Value(point)
            try:
                y = getattr(v, name)()
            except (ValueError, OverflowError):
                continue
            y.backward()
            assert not math.isnan(y.data) and not math.isnan(v.grad), (name, point)


def test_nan_input_passes_through() -> None:
    for name in UNARY:
        assert math.isnan(getattr(Value(math.nan), name)().data), name
    assert math.isnan(Value(math.nan).clamp(0.0, 1.0).data)
    assert math.isnan(minimum(math.nan, 1.0).data) and math.isnan(maximum(1.0, math.nan).data)


# --- comparisons ------------------------------------------------------------------


def test_comparisons_compare_data_and_return_bool() -> None:
    a, b = Value(1.0), Value(2.0)
    assert (a < b) is True and (a <= b) is True and (a > b) is False and (a >= b) is False
    assert (a < 1.5) is True and (1.5 < a) is False and (a >= 1) is True and (2 > a) is True
    assert a <= Value(1.0) and a >= Value(1.0)
    assert max(a, b) is b and min(a, b) is a
    assert sorted([b, a, Value(-1.0)])[0].data == -1.0
    assert (a == Value(1.0)) is False and a == a  # == stays identity
    assert len({a, Value(1.0)}) == 2  # and hashing too
    assert a < 10**5000  # an int too large for a float still compares exactly
    with pytest.raises(TypeError):
        a < "1"  # type: ignore[operator]  # noqa: B015


def test_comparisons_with_numpy_scalars() -> None:
    np = pytest.importorskip("numpy", reason="numpy scalars are what is tested")
    a = Value(1.0)
    assert bool(a < np.float32(1.5)) and bool(np.float64(0.5) < a) and bool(a <= np.int64(1))
    assert bool(a > np.False_) and bool(np.float32(2.0) > a)


# --- the rest of the library sees them ------------------------------------------


def test_tape_replays_the_new_operations_bit_for_bit() -> None:
    x, y = Value(0.3), Value(-0.4)

    def f(a: Value, b: Value) -> Value:
        t = a.tan() + a.asin() * b.acos() + (a * b).atan() + a.sinh() * b.cosh()
        t = t + (a * a + 1.5).acosh() + b.atanh() + (a + 1.0).log2() + (a + 2.0).log10()
        t = t + b.log1p() + a.expm1() * b.erf() + (a * 3.0).clamp(-0.5, 0.5)
        return t + atan2(a, b) * hypot(a, b) + minimum(a, b) * maximum(a, 2.0 * b)

    tape = Tape(f(x, y))
    for px, py in [(0.3, -0.4), (0.1, 0.2), (-0.6, 0.5)]:
        x.data, y.data = px, py
        x.grad = y.grad = 0.0
        got = tape()
        gx, gy = x.grad, y.grad
        x.grad = y.grad = 0.0
        out = f(x, y)
        out.backward()
        assert (got, gx, gy) == (out.data, x.grad, y.grad)
    x.data = 2.0  # outside asin's domain: the engine's error
    with pytest.raises(ValueError, match="asin"):
        tape()


def test_pictures_label_the_new_operations() -> None:
    from autograd.viz.dot import op_text
    from autograd.viz.html import _expression

    x = Value(0.5, label="x")
    assert op_text(x.clamp(-1.0, 1.0)) == "clamp(-1, 1)"
    assert op_text(x.asin()) == "asin"
    assert op_text(atan2(x, 2.0)) == "atan2"
    c = x.clamp(-1.0, 1.0)
    assert _expression(c, {x: "x", c: "v"}, 4) == "clamp(x, -1, 1)"
    y = Value(2.0, label="y")
    m = minimum(x, y)
    assert _expression(m, {x: "x", y: "y"}, 4) == "minimum(x, y)"


def test_expression_parser_knows_the_new_functions() -> None:
    from chainrule.expression import FUNCTIONS, evaluate, parse

    for name in ("tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh"):
        assert FUNCTIONS[name] == (1, 1)
    for name in ("log2", "log10", "log1p", "expm1", "erf"):
        assert FUNCTIONS[name] == (1, 1)
    e = parse("asin(x) + log1p(x * y)")
    out = evaluate(e, {"x": Value(0.5), "y": Value(2.0)})
    assert math.isclose(out.data, math.asin(0.5) + math.log1p(1.0), rel_tol=1e-15)


def test_new_functions_are_exported() -> None:
    for name in ("atan2", "hypot", "minimum", "maximum"):
        assert name in autograd.__all__ and callable(getattr(autograd, name))
