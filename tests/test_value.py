"""Value: construction, operators, identity, repr, user attributes."""

from __future__ import annotations

import fractions
import gc
import math
import weakref

import pytest

from autograd import Value

pytestmark = pytest.mark.core


@pytest.mark.parametrize("data", [3, 2.5, True, False, -0.0, 10**20, fractions.Fraction(1, 4)])
def test_data_is_stored_as_float(data: object) -> None:
    v = Value(data)
    assert type(v.data) is float
    assert v.data == float(data)  # type: ignore[arg-type]
    assert v.grad == 0.0 and type(v.grad) is float


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        ("1.0", "'1.0' (str)"),
        (None, "None (NoneType)"),
        (1j, "1j (complex)"),
        ([1.0], "[1.0] (list)"),
    ],
)
def test_non_numbers_are_refused_by_name(bad: object, shown: str) -> None:
    with pytest.raises(TypeError, match="Value") as info:
        Value(bad)
    assert shown in str(info.value)


def test_a_value_is_not_data() -> None:
    with pytest.raises(TypeError, match=r"Value\(data=1.0"):
        Value(Value(1.0))


def test_numpy_scalars_are_accepted() -> None:
    np = pytest.importorskip("numpy", reason="numpy is not installed")
    assert Value(np.float32(0.5)).data == 0.5
    assert Value(np.int64(7)).data == 7.0
    assert (Value(1.0) * np.float64(2.0)).data == 2.0


def test_huge_int_overflows_clearly() -> None:
    with pytest.raises(OverflowError, match="too large"):
        Value(10**400)


def test_nan_and_inf_are_accepted_as_data() -> None:
    assert math.isnan(Value(math.nan).data)
    assert Value(-math.inf).data == -math.inf


def test_label_data_grad_are_assignable() -> None:
    v = Value(1.0, label="w")
    assert v.label == "w" and Value(2.0).label == ""
    v.data = 4.0
    v.grad = 0.5
    v.label = "w2"
    assert (v.data, v.grad, v.label) == (4.0, 0.5, "w2")


def test_user_attributes_like_micrograd_programs() -> None:
    p = Value(1.0)
    p.m = 0.0  # type: ignore[attr-defined]
    p._color = "red"  # type: ignore[attr-defined]
    assert p.m == 0.0 and p._color == "red"  # type: ignore[attr-defined]


def test_repr() -> None:
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2)) == "Value(data=2.0, grad=0.0)"


def test_identity_hashing_and_equality() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b
    assert len({a, b, a}) == 2
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"


def test_weakref_and_prompt_freeing() -> None:
    gc.disable()
    try:
        x = Value(0.5)
        y = (x * x + 1.0).tanh() * x
        y.backward()
        ref = weakref.ref(y)
        inner = weakref.ref(y._left)
        del y
        assert ref() is None and inner() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_no_reference_cycles_in_a_graph() -> None:
    gc.collect()
    gc.disable()
    try:
        x = Value(0.3)
        out = x
        for _ in range(100):
            out = (out * 1.5 + x).tanh()
        out.backward()
        del out
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_operators_with_numbers_on_either_side() -> None:
    v = Value(2.0)
    cases = {
        "v+3": (v + 3, 5.0),
        "3+v": (3 + v, 5.0),
        "v-3": (v - 3, -1.0),
        "3-v": (3 - v, 1.0),
        "v*3": (v * 3, 6.0),
        "3*v": (3 * v, 6.0),
        "v/4": (v / 4, 0.5),
        "4/v": (4 / v, 2.0),
        "v**3": (v**3, 8.0),
        "3**v": (3**v, 9.0),
        "v**v": (v**v, 4.0),
        "-v": (-v, -2.0),
        "+v": (+v, 2.0),
    }
    for name, (out, want) in cases.items():
        assert isinstance(out, Value), name
        assert out.data == want, name


def test_constants_are_folded_not_made_into_nodes() -> None:
    from autograd.backward import topological_order

    x = Value(2.0)
    y = 3.0 * x + 1.0
    assert len(topological_order(y)) == 3  # x, x*3, +1


def test_bad_operand_names_operator_and_value() -> None:
    v = Value(1.0)
    with pytest.raises(TypeError, match=r"operator \+.*'a' \(str\)"):
        v + "a"  # type: ignore[operator]
    with pytest.raises(TypeError, match=r"operator \*.*None"):
        None * v  # type: ignore[operator]
    with pytest.raises(TypeError, match="complex"):
        v ** (1j)  # type: ignore[operator]


def test_value_subclasses_combine() -> None:
    class Tagged(Value):
        pass

    a, b = Tagged(2.0), Value(3.0)
    for out, want in [(a + b, 5.0), (b + a, 5.0), (b - a, 1.0), (b / a, 1.5), (b**a, 9.0)]:
        assert out.data == want
    out = b * a
    out.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)


def test_functions() -> None:
    x = Value(0.5)
    assert x.exp().data == math.exp(0.5)
    assert x.log().data == math.log(0.5)
    assert x.tanh().data == math.tanh(0.5)
    assert x.sqrt().data == math.sqrt(0.5)
    assert x.sin().data == math.sin(0.5)
    assert x.cos().data == math.cos(0.5)
    assert Value(-2.0).abs().data == 2.0
    assert Value(-2.0).relu().data == 0.0
    assert Value(-2.0).leaky_relu().data == -0.02
    assert Value(-2.0).leaky_relu(0.1).data == pytest.approx(-0.2, rel=1e-15)
    assert x.sigmoid().data == pytest.approx(1 / (1 + math.exp(-0.5)), rel=1e-15)
    assert x.softplus().data == pytest.approx(math.log1p(math.exp(0.5)), rel=1e-15)


def test_stable_forms_at_extremes() -> None:
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(1000.0).softplus().data == 1000.0
    assert Value(-1000.0).softplus().data == 0.0
    assert Value(1000.0).tanh().data == 1.0
    for x in (-1000.0, 1000.0):
        for op in ("sigmoid", "softplus", "tanh"):
            v = Value(x)
            getattr(v, op)().backward()
            assert math.isfinite(v.grad), (op, x)
