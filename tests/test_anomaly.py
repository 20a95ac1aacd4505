"""detect_anomaly: where a NaN or inf came from, and nothing else.

Each report must name the operation, the inputs and the line of this file
that made the node; clean graphs must compute exactly what they compute with
the mode off; the mode must nest and be restored after errors.
"""

from __future__ import annotations

import inspect
import math
import re
from typing import Any

import pytest

from autograd import (
    Value,
    atan2,
    detect_anomaly,
    grad,
    hessian,
    hypot,
    maximum,
    minimum,
    no_grad,
    value_and_grad,
)
from autograd import modes as _modes
from autograd import value as _value
from autograd.backward import topological_order
from autograd.value import affine

pytestmark = pytest.mark.core

HERE = __file__


def _next_line() -> int:
    """The line number just after the caller's line."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno + 1


def _at(line: int) -> str:
    return re.escape(f"{HERE}:{line}")


def _off() -> None:
    """The default state: no mode on, and the per-operation hook not called."""
    assert not _modes.anomaly_enabled()
    assert _modes.is_grad_enabled()
    assert _value._special is False


# --- forward ---------------------------------------------------------------------


def test_nan_fed_in_as_data_is_reported_at_the_first_operation_using_it() -> None:
    x = Value(math.nan, label="x")  # nan is valid data; using it is the anomaly
    with detect_anomaly():
        y = Value(2.0)
        with pytest.raises(FloatingPointError) as info:
            line = _next_line()
            x * y
    text = str(info.value)
    assert re.search(r"operation 'mul' produced nan from inputs \['x' \(nan\), 2.0\]", text)
    assert re.search(f"at {_at(line)}$", text)
    _off()


def test_nan_with_a_constant_operand_names_the_constant() -> None:
    x = Value(math.nan)
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        line = _next_line()
        x * 3.0
    assert re.search(
        rf"operation 'mulc' produced nan from inputs \[nan\] and constant 3.0, at {_at(line)}",
        str(info.value),
    )


def test_inf_minus_inf_is_reported_as_sub() -> None:
    a, b = Value(math.inf, label="a"), Value(math.inf, label="b")
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        line = _next_line()
        a - b
    assert re.search(
        rf"operation 'sub' produced nan from inputs \['a' \(inf\), 'b' \(inf\)\], at {_at(line)}",
        str(info.value),
    )


def test_infinite_data_is_reported_where_it_first_makes_a_non_finite_result() -> None:
    a = Value(math.inf, label="a")
    with detect_anomaly():
        assert a.tanh().data == 1.0  # a finite result is no anomaly, whatever its inputs
        with pytest.raises(FloatingPointError) as info:
            line = _next_line()
            a.exp()
    assert re.search(
        rf"operation 'exp' produced inf from inputs \['a' \(inf\)\], at {_at(line)}",
        str(info.value),
    )
    _off()


def test_an_anomaly_deep_in_a_graph_points_at_its_own_line() -> None:
    with detect_anomaly():
        x = Value(0.5)
        h = (x * 2.0).tanh() + x.sigmoid()
        bad = Value(math.inf)
        with pytest.raises(FloatingPointError) as info:
            line = _next_line()
            h * 0.0 + (bad - bad)
    assert re.search(rf"'sub' produced nan .* at {_at(line)}", str(info.value))


def test_forward_anomaly_inside_no_grad_is_still_reported() -> None:
    x = Value(math.nan)
    with detect_anomaly(), no_grad(), pytest.raises(FloatingPointError) as info:
        line = _next_line()
        x + 1.0
    assert re.search(
        rf"'addc' produced nan from inputs \[nan\] and constant 1.0, at {_at(line)}",
        str(info.value),
    )
    _off()


def test_affine_reports_its_inputs() -> None:
    w, b = Value(math.nan, label="w"), Value(0.5)
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        line = _next_line()
        affine([w], [2.0], b)
    assert re.search(
        rf"'affine' produced nan from inputs \[0.5, 'w' \(nan\)\] and constants \[2.0\], "
        rf"at {_at(line)}",
        str(info.value),
    )


def test_nan_as_a_constant_input_of_affine_propagates_and_is_reported() -> None:
    w, b = Value(0.5, label="w"), Value(0.25)
    out = affine([w, w], [math.nan, 2.0], b)  # a missing value in the data: no error
    assert math.isnan(out.data)
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        line = _next_line()
        affine([w, w], [math.nan, 2.0], b)
    assert re.search(
        rf"'affine' produced nan from inputs \[0.25, 'w' \(0.5\), 'w' \(0.5\)\] "
        rf"and constants \[nan, 2.0\], at {_at(line)}",
        str(info.value),
    )


def test_affine_overflow_from_finite_inputs_lists_them_once() -> None:
    with pytest.raises(OverflowError, match=r"affine: .* \(got 0.0, 1e\+300, 1e\+300\)"):
        affine([Value(1e300)], [1e300], Value(0.0))


# --- backward ---------------------------------------------------------------------


def test_a_gradient_that_overflows_is_reported_at_the_node_that_made_it() -> None:
    with detect_anomaly():
        x = Value(1e-10, label="x")
        line = _next_line()
        big = x * 1e308
        y = x * 1e308 + big  # x's gradient is 1e308 + 1e308 = inf; forward is finite
        assert math.isfinite(y.data)
        with pytest.raises(FloatingPointError) as info:
            y.backward()
    text = str(info.value)
    assert text.startswith("detect_anomaly: backward through operation 'mulc'")
    assert f"created at {HERE}:{line}" in text
    assert "made the gradient of input 'x' (1e-10) inf" in text
    assert "upstream 1.0 x local 1e+308, plus 1e+308" in text
    _off()


def test_a_backward_report_names_the_label_of_the_node() -> None:
    with detect_anomaly():
        x = Value(0.0, label="x")
        line = _next_line()
        h = x.sqrt()
        h.label = "h"
        with pytest.raises(FloatingPointError) as info:
            (h * 2.0).backward()
    assert str(info.value).startswith(
        f"detect_anomaly: backward through operation 'sqrt' of node 'h' (inputs ['x' (0.0)], "
        f"created at {HERE}:{line}) made the gradient of input 'x' (0.0) inf"
    )


def test_a_chain_of_large_local_derivatives_overflows() -> None:
    with detect_anomaly():
        x = Value(1e-300)
        line = _next_line()
        y = x.sqrt()  # local derivative 5e149
        z = y.sqrt()  # local derivative 5e74: 1e200 * 5e74 is still finite
        out = z * 1e200
        with pytest.raises(FloatingPointError) as info:
            out.backward()
    text = str(info.value)
    assert "backward through operation 'sqrt'" in text
    assert f"created at {HERE}:{line}" in text
    assert "1e-300 inf (upstream 5.0000000000000006e+274 x local 5e+149, plus 0.0)" in text


def test_an_infinite_local_derivative_is_reported() -> None:
    with detect_anomaly():
        x = Value(0.0, label="x")
        line = _next_line()
        y = x.sqrt()
        with pytest.raises(FloatingPointError) as info:
            y.backward()
    assert re.search(
        rf"'sqrt' .*created at {_at(line)}\).* 'x' \(0.0\) inf \(upstream 1.0 x local inf",
        str(info.value),
    )


def test_zero_upstream_through_an_infinite_derivative_is_not_an_anomaly() -> None:
    with detect_anomaly():
        x = Value(0.0)
        y = x.sqrt() * 0.0
        y.backward()
    assert x.grad == 0.0


def test_backward_under_the_mode_sums_each_leaf_once_per_pass() -> None:
    with detect_anomaly():
        x = Value(3.0)
        r = x * 1.0 + x * 1.5e-16
        r.backward()
        once = x.grad
        r.backward()
    assert once == 1.0000000000000002 and x.grad == 2 * once
    _off()


def test_a_backward_anomaly_leaves_the_leaf_grads_as_they_were() -> None:
    with detect_anomaly():
        x, w = Value(1e-10), Value(2.0)
        x.grad, w.grad = 0.5, -1.0
        y = x * w + x * 1e308 + x * 1e308  # x's pass sum overflows; w's alone is fine
        with pytest.raises(FloatingPointError):
            y.backward()
    assert (x.grad, w.grad) == (0.5, -1.0)
    _off()


def test_a_leaf_whose_total_overflows_only_with_the_earlier_grads_is_reported() -> None:
    with detect_anomaly():
        x = Value(1.0, label="x")
        x.grad = 1e308
        y = x * 1e308  # this pass alone gives a finite 1e308
        with pytest.raises(FloatingPointError) as info:
            y.backward()
    assert "leaf 'x' (1.0) inf: this pass's 1e+308 plus 1e+308 accumulated before" in str(
        info.value
    )
    assert x.grad == 1e308
    _off()


def test_a_node_made_outside_the_block_says_so() -> None:
    x = Value(1e-10)
    y = x * 1e308 + x * 1e308
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        y.backward()
    assert "an unknown line (the node was created outside detect_anomaly)" in str(info.value)


def test_nan_is_not_hidden_by_relu() -> None:
    # max(nan, 0) is nan in PyTorch; a relu that returned 0 would hide a NaN in the data.
    x = Value(math.nan)
    assert math.isnan(x.relu().data)
    with detect_anomaly(), pytest.raises(FloatingPointError, match="'relu' produced nan"):
        x.relu()


def test_without_the_mode_the_same_graphs_give_nan_and_inf_silently() -> None:
    _off()
    x = Value(math.nan)
    assert math.isnan((x * 2.0).data)
    a = Value(math.inf)
    assert math.isnan((a - a).data)
    w = Value(1e-10)
    y = w * 1e308 + w * 1e308
    y.backward()
    assert w.grad == math.inf


# --- clean graphs ---------------------------------------------------------------------


def _every_operation(x: Value, y: Value) -> Value:
    t = x * y + (x - y) / (y + 2.0)
    u = t.exp() + (t * t + 1.0).log() + (t * t + 0.5).sqrt() + t.tanh() + t.sigmoid()
    u = u + t.relu() + t.abs() + t.sin() + t.cos() + t.softplus() + t.leaky_relu(0.1)
    u = u + (y + 2.0) ** x + t**2 + 2.0**t - (-t) + (3.0 - t) + t / 3.0 + 1.5 / (y + 2.0)
    u = u + (t - 1.0) * 0.5
    s = t.tanh() * 0.5  # in (-0.5, 0.5): inside every domain below
    u = u + s.tan() + s.asin() + s.acos() + s.atan() + s.sinh() + s.cosh() + s.asinh()
    u = u + (s + 2.0).acosh() + s.atanh() + (s + 1.0).log2() + (s + 1.0).log10()
    u = u + s.log1p() + s.expm1() + s.erf() + t.clamp(-0.25, 0.25)
    u = u + atan2(s, t + 3.0) + hypot(s, 1.0) + minimum(s, t) + maximum(x, y)
    return affine([t, u], [x, 0.5], y) * u


def _run(x0: float, y0: float) -> tuple[list[float], list[float]]:
    x, y = Value(x0), Value(y0)
    out = _every_operation(x, y)
    out.backward()
    nodes = topological_order(out)
    return [n.data for n in nodes], [n.grad for n in nodes]


@pytest.mark.parametrize(("x0", "y0"), [(0.3, -0.7), (-1.5, 0.25), (0.0, 0.0)])
def test_clean_graphs_report_nothing_and_compute_the_same_numbers(x0: float, y0: float) -> None:
    expected = _run(x0, y0)
    ops = {n._rule for n in topological_order(_every_operation(Value(x0), Value(y0)))}
    import autograd.rules

    assert ops - {""} == set(autograd.rules.RULES)  # the graph uses every operation
    with detect_anomaly():
        got = _run(x0, y0)
    assert got == expected  # bit for bit
    _off()


def test_nodes_remember_where_they_were_made_only_inside_the_mode() -> None:
    x = Value(1.0)
    assert _modes.WHERE not in x.__dict__
    with detect_anomaly():
        line = _next_line()
        y = x * 2.0
        leaf = Value(3.0)
    assert y.__dict__[_modes.WHERE] == (HERE, line)
    assert leaf.__dict__[_modes.WHERE] == (HERE, line + 1)
    z = y + 1.0
    assert _modes.WHERE not in z.__dict__


def test_grad_inside_the_mode_reports_the_users_line() -> None:
    def f(x: Value) -> Value:
        return x.log() * 0.5 + x * x

    nan = Value(math.nan, label="nan")
    with detect_anomaly():
        assert grad(f)(2.0) == 4.25  # clean, also through the derivative's own graph
        with pytest.raises(FloatingPointError) as info:
            line = _next_line()
            grad(lambda x: x * nan)(1.0)
    assert re.search(
        rf"operation 'mul' produced nan .*'nan' \(nan\).*at {_at(line)}$", str(info.value)
    )
    _off()


@pytest.mark.parametrize("value_in", [False, True], ids=["float sweep", "Value sweep"])
def test_grad_reports_an_infinite_gradient_at_the_users_line(value_in: bool) -> None:
    """``grad`` with floats sweeps stored floats; with a Value it builds derivative graphs."""
    x0: Any = Value(0.0) if value_in else 0.0
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        line = _next_line()
        grad(lambda x: x.sqrt())(x0)
    text = str(info.value)
    assert text.startswith("detect_anomaly: backward through operation 'sqrt' (inputs [0.0]")
    assert f"created at {HERE}:{line})" in text
    _off()


def test_value_and_grad_and_hessian_are_covered_too() -> None:
    def f(x: Any, y: Any) -> Any:
        return x.sqrt() * y

    with detect_anomaly():
        with pytest.raises(FloatingPointError, match="operation 'sqrt'"):
            value_and_grad(f)(0.0, 2.0)
        with pytest.raises(FloatingPointError, match="operation 'sqrt'"):
            hessian(f)(0.0, 2.0)
        assert hessian(f)(4.0, 2.0) == [[-0.0625, 0.25], [0.25, 0.0]]  # clean: no report
    _off()


def test_an_infinite_higher_derivative_points_at_the_line_that_made_the_operation() -> None:
    """d/dx x**1.5 = 1.5 x**0.5 is 0 at 0; its own derivative is inf there (as in PyTorch).

    The first derivative's nodes are made by ``grad``, but they remember the
    line of ``x ** 1.5``: that is where the report points, not the grad call.
    """

    def f(x: Any) -> Any:
        line[0] = _next_line()
        return x**1.5

    line = [0]
    with detect_anomaly():
        assert grad(f)(0.0) == 0.0
        with pytest.raises(FloatingPointError) as info:
            grad(grad(f))(0.0)
    text = str(info.value)
    assert text.startswith("detect_anomaly: backward through operation")
    assert f"created at {HERE}:{line[0]})" in text
    _off()


def test_grad_without_the_mode_still_gives_inf_silently() -> None:
    assert grad(lambda x: x.sqrt())(0.0) == math.inf
    assert grad(lambda x: x.sqrt())(Value(0.0)).data == math.inf


# --- nesting and state -------------------------------------------------------------------


def test_nesting_keeps_the_mode_on_until_the_outer_block_ends() -> None:
    nan = Value(math.nan)
    with detect_anomaly():
        with detect_anomaly():
            assert _modes.anomaly_enabled()
        assert _modes.anomaly_enabled()
        with pytest.raises(FloatingPointError):
            nan + 1.0
    _off()
    assert math.isnan((nan + 1.0).data)


def test_the_same_object_nests_and_works_as_a_decorator() -> None:
    mode = detect_anomaly()
    with mode, mode:
        assert _modes.anomaly_enabled()
    _off()

    @detect_anomaly()
    def fails() -> Value:
        return Value(math.inf) - Value(math.inf)

    with pytest.raises(FloatingPointError, match="'sub' produced nan"):
        fails()
    _off()
    with pytest.raises(FloatingPointError):
        with detect_anomaly():
            fails()
    _off()


def test_state_is_restored_after_errors_of_any_kind() -> None:
    with pytest.raises(FloatingPointError), detect_anomaly():
        Value(math.nan) * 2.0
    _off()
    with pytest.raises(ValueError, match="log"), detect_anomaly():
        Value(-1.0).log()
    _off()
    with pytest.raises(KeyError), detect_anomaly(), no_grad():
        raise KeyError("user error")
    _off()
    with no_grad():
        with pytest.raises(FloatingPointError), detect_anomaly():
            Value(math.nan) + 1.0
        assert not _modes.is_grad_enabled() and not _modes.anomaly_enabled()
        assert _value._special is True  # no_grad alone still needs the hook
    _off()
    with detect_anomaly():
        x = Value(1e-10)
        y = x * 1e308 + x * 1e308
        with pytest.raises(FloatingPointError):
            y.backward()
        assert _modes.anomaly_enabled()
    _off()
    # Everything works normally afterwards.
    v = Value(2.0)
    (v * v).backward()
    assert v.grad == 4.0


def test_nodes_made_inside_nn_report_the_users_line() -> None:
    from nn import MLP

    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(FloatingPointError) as info, detect_anomaly():
        line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
        model([math.nan, 1.0])
    assert f"{__file__}:{line}" in str(info.value)
    assert "nn/module.py" not in str(info.value)
