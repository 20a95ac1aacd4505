"""The expression parser of `chainrule graph`: what it accepts, refuses and builds."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from autograd import Value
from chainrule.expression import (
    FUNCTIONS,
    MAX_CHARS,
    MAX_NODES,
    ExpressionError,
    evaluate,
    parse,
    parse_assignments,
)

core = pytest.mark.core


def oracle(text: str, names: list[str]) -> Callable[..., float]:
    """The same expression over floats, with math's functions (an independent evaluator)."""
    env: dict[str, object] = {
        "exp": math.exp,
        "log": math.log,
        "tanh": math.tanh,
        "sin": math.sin,
        "cos": math.cos,
        "sqrt": math.sqrt,
        "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
        "softplus": lambda z: math.log1p(math.exp(z)),
    }
    code = compile(text, "<oracle>", "eval")  # test-only: the texts come from the strategy below

    def f(*xs: float) -> float:
        return float(eval(code, {"__builtins__": {}, **env}, dict(zip(names, xs))))

    return f


def central(f: Callable[..., float], point: list[float], i: int, h: float = 1e-6) -> float:
    up, down = list(point), list(point)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


@core
def test_variables_are_listed_in_the_order_of_the_text() -> None:
    assert parse("z * (x + y) * x").variables == ("z", "x", "y")
    assert parse("tanh(w * x + b)").variables == ("w", "x", "b")
    assert parse("2 + 3").variables == ()


@core
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_function_used_as_a_variable_says_how_to_call_it(name: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(f"{name} * x + 1")
    assert str(info.value) == (
        f"EXPR: {name!r} is a function, not a variable; call it as {name}(x)"
    )
    parse(f"{name}(x) + 1")  # the call it suggests parses


@core
def test_assignments_keep_their_order_and_normalise_names() -> None:
    assert list(parse_assignments("w=0.5, x = 1 ,b=-2")) == ["w", "x", "b"]
    assert parse_assignments("ｘ=1,ｗ１=２") == {"x": 1.0, "w1": 2.0}
    with pytest.raises(ExpressionError, match="'x' is given twice"):
        parse_assignments("x=1,ｘ=2")


@core
def test_a_missing_value_is_answered_with_a_complete_at() -> None:
    expr = parse("x * y + z")
    with pytest.raises(ExpressionError) as info:
        evaluate(expr, {"y": Value(2.0)})
    assert str(info.value) == (
        "EXPR uses x, z but --at gives no value for them; e.g. --at y=2.0,x=1.0,z=1.0"
    )
    values = parse_assignments(str(info.value).rsplit(" ", 1)[1])
    out = evaluate(expr, {n: Value(v) for n, v in values.items()})
    assert isinstance(out, Value) and out.data == 3.0


@core
def test_the_limits_are_documented_numbers() -> None:
    assert MAX_CHARS == 2000 and MAX_NODES == 200
    with pytest.raises(ExpressionError, match="2001 characters"):
        parse("x" * 2001)
    parse(" + ".join(["x"] * 100))  # 199 parts: accepted


@core
def test_hypothesis_expressions_parse_and_differentiate() -> None:
    """Random expressions of the grammar: the parsed graph's gradient equals central differences."""
    hyp = pytest.importorskip("hypothesis", reason="property test needs hypothesis (test extra)")
    st = pytest.importorskip("hypothesis.strategies")

    leaf = st.sampled_from(["x", "y", "0.5", "2", "1.25"])
    smooth = ["tanh", "sin", "cos", "sigmoid", "softplus"]

    def extend(inner: object) -> object:
        return st.one_of(
            st.builds(lambda f, a: f"{f}({a})", st.sampled_from(smooth), inner),
            st.builds(lambda a: f"-({a})", inner),
            st.builds(lambda a, op, b: f"({a}) {op} ({b})", inner, st.sampled_from("+-*"), inner),
            st.builds(lambda a, b: f"({a}) / (2 + sin({b}))", inner, inner),
            st.builds(lambda a, k: f"({a}) ** {k}", inner, st.sampled_from(["2", "3"])),
            st.builds(lambda a: f"exp(tanh({a}))", inner),
        )

    texts = st.recursive(leaf, extend, max_leaves=8)  # type: ignore[arg-type]

    @hyp.settings(max_examples=60, deadline=None)
    @hyp.given(texts, st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
    def check(text: str, x: float, y: float) -> None:
        expr = parse(text)
        xv, yv = Value(x, label="x"), Value(y, label="y")
        out = evaluate(expr, {"x": xv, "y": yv})
        f = oracle(text, ["x", "y"])
        if not isinstance(out, Value):
            assert math.isclose(out, f(x, y), rel_tol=1e-12, abs_tol=1e-12)
            return
        assert math.isclose(out.data, f(x, y), rel_tol=1e-12, abs_tol=1e-12)
        out.backward()
        for i, v in enumerate((xv, yv)):
            fd = central(f, [x, y], i)
            assert math.isclose(v.grad, fd, rel_tol=1e-5, abs_tol=1e-6), (text, i)

    check()
