"""The expression parser of `chainrule graph`: what it accepts, refuses and builds."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable

import pytest

import autograd
from autograd import Value, atan2, hypot, maximum, minimum
from autograd.rules import RULES
from chainrule.expression import (
    FUNCTIONS,
    MAX_CHARS,
    MAX_NODES,
    SIGNATURES,
    ExpressionError,
    describe,
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
    call = f"{name}(x)" if FUNCTIONS[name][0] == 1 else str(SIGNATURES[name])
    assert str(info.value) == f"EXPR: {name!r} is a function, not a variable; call it as {call}"
    if FUNCTIONS[name][0] == 1:
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


# --- the functions of the rule table: atan2, hypot, minimum, maximum, clamp, leaky_relu -----

Build = Callable[[Value, Value], Value]

# (text, the same expression built with autograd directly, x, y)
ENGINE_CASES: list[tuple[str, Build, float, float]] = [
    ("atan2(y, x)", lambda x, y: atan2(y, x), 0.7, -1.3),
    ("atan2(y, x)", lambda x, y: atan2(y, x), -2.0, 0.0),
    ("atan2(2 * x, 3)", lambda x, y: atan2(2.0 * x, 3.0), 0.7, -1.3),
    ("atan2(1.5, x - y)", lambda x, y: atan2(1.5, x - y), 0.7, -1.3),
    ("hypot(x, y)", lambda x, y: hypot(x, y), 0.7, -1.3),
    ("hypot(x * y, 2) + x", lambda x, y: hypot(x * y, 2.0) + x, 0.7, -1.3),
    ("minimum(x, y)", lambda x, y: minimum(x, y), 0.7, -1.3),
    ("minimum(x, x)", lambda x, y: minimum(x, x), 0.7, -1.3),  # a tie: 0.5 + 0.5
    ("minimum(0.5, tanh(x))", lambda x, y: minimum(0.5, x.tanh()), 0.7, -1.3),
    ("maximum(x, y)", lambda x, y: maximum(x, y), 0.7, -1.3),
    ("maximum(tanh(x), y * y)", lambda x, y: maximum(x.tanh(), y * y), 0.7, -1.3),
    ("maximum(x * 2, 3) - y", lambda x, y: maximum(x * 2.0, 3.0) - y, 0.7, -1.3),
    ("clamp(x, -1, 1)", lambda x, y: x.clamp(-1.0, 1.0), 0.7, -1.3),
    ("clamp(x * y, -0.5, 0.5)", lambda x, y: (x * y).clamp(-0.5, 0.5), 0.7, -1.3),
    ("clamp(x, -1 / 3, 2 ** -1)", lambda x, y: x.clamp(-1.0 / 3.0, 0.5), 0.7, -1.3),
    ("clamp(y, 0, 0)", lambda x, y: y.clamp(0.0, 0.0), 0.7, -1.3),
    ("leaky_relu(y)", lambda x, y: y.leaky_relu(), 0.7, -1.3),
    ("leaky_relu(y, -0.5 + 0.75)", lambda x, y: y.leaky_relu(0.25), 0.7, -1.3),
    (
        "minimum(clamp(x, 0, 1), hypot(x, y)) * atan2(y, maximum(x, 0.1))",
        lambda x, y: minimum(x.clamp(0.0, 1.0), hypot(x, y)) * atan2(y, maximum(x, 0.1)),
        0.7,
        -1.3,
    ),
]


@core
@pytest.mark.parametrize(
    ("text", "build", "x", "y"), ENGINE_CASES, ids=[f"{c[0]}@{c[2]},{c[3]}" for c in ENGINE_CASES]
)
def test_each_function_gives_the_engines_value_and_gradients(
    text: str, build: Build, x: float, y: float
) -> None:
    """The parsed graph and the graph built with autograd directly agree bit for bit."""
    xv, yv = Value(x, label="x"), Value(y, label="y")
    out = evaluate(parse(text), {"x": xv, "y": yv})
    xd, yd = Value(x), Value(y)
    want = build(xd, yd)
    assert isinstance(out, Value)
    assert out.data == want.data
    out.backward()
    want.backward()
    assert (xv.grad, yv.grad) == (xd.grad, yd.grad)


@core
@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("atan2(1, 2)", atan2(1.0, 2.0).data),
        ("hypot(3, 4)", 5.0),
        ("minimum(2, -1) + maximum(2, -1)", 1.0),
        ("clamp(3, 0, 1) + clamp(-3, 0, 1) + clamp(0.25, 0, 1)", 1.25),
        ("leaky_relu(-2)", -0.02),
    ],
)
def test_functions_of_numbers_fold_to_numbers(text: str, want: float) -> None:
    out = evaluate(parse(text), {})
    assert not isinstance(out, Value) and out == want


@core
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("atan2(x)", "EXPR: atan2 takes 2 arguments (atan2(y, x)), got 1 in 'atan2(x)'"),
        (
            "hypot(x, y, 1)",
            "EXPR: hypot takes 2 arguments (hypot(x, y)), got 3 in 'hypot(x, y, 1)'",
        ),
        ("minimum()", "EXPR: minimum takes 2 arguments (minimum(a, b)), got 0 in 'minimum()'"),
        ("clamp(x, 1)", "EXPR: clamp takes 3 arguments (clamp(x, lo, hi)), got 2 in 'clamp(x, 1)'"),
        (
            "leaky_relu(x, 1, 2)",
            "EXPR: leaky_relu takes 1 or 2 arguments (leaky_relu(x[, slope])), "
            "got 3 in 'leaky_relu(x, 1, 2)'",
        ),
        ("exp(x, y)", "EXPR: exp takes 1 argument (exp(x)), got 2 in 'exp(x, y)'"),
        ("clamp(x, y, 1)", "EXPR: the lo of clamp must be a number, got 'y'"),
        ("clamp(x, 0, 2 * y)", "EXPR: the hi of clamp must be a number, got '2 * y'"),
        ("leaky_relu(x, y)", "EXPR: the slope of leaky_relu must be a number, got 'y'"),
        ("clamp(x, lo=0, hi=1)", "a keyword argument"),
    ],
)
def test_wrong_arity_and_variable_constants_are_refused(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert message in str(info.value)


@core
def test_clamp_with_lo_above_hi_is_the_engines_error() -> None:
    with pytest.raises(ValueError) as engine:
        Value(0.5).clamp(1.0, 0.0)
    for variables in ({"x": Value(0.5)}, {}):
        with pytest.raises(ValueError) as info:
            evaluate(parse("clamp(x, 1, 0)" if variables else "clamp(0.5, 1, 0)"), variables)
        assert not isinstance(info.value, ExpressionError)
        assert str(info.value) == str(engine.value) == "clamp: lo must be <= hi, got lo=1.0, hi=0.0"


@core
def test_the_function_list_shows_the_arguments() -> None:
    text = describe()
    for call in ("leaky_relu(x[, slope])", "clamp(x, lo, hi)", "atan2(y, x)", "hypot(x, y)"):
        assert call in text
    assert "minimum(a, b)" in text and "maximum(a, b)" in text
    assert text.startswith("exp, log, ")
    with pytest.raises(ExpressionError, match=r"the functions are exp, .*clamp\(x, lo, hi\)"):
        parse("nosuch(x)")


def _nodes(out: Value) -> list[Value]:
    seen: list[Value] = []
    stack = [out]
    while stack:
        v = stack.pop()
        if all(v is not s for s in seen):
            seen.append(v)
            stack.extend(v._prev)
    return seen


# Rows EXPR cannot write, and why: affine takes lists of weights and inputs.
UNPARSED = {"affine"}


def _text_for(name: str) -> str:
    """An expression whose graph should hold a node of the row ``name``."""
    row = RULES[name]
    if row.method.startswith("__"):  # an operator: written with its symbol
        return {
            "binary": "x {} y",
            "constant on the right": "x {} 2",
            "constant on the left": "2 {} x",
            "unary": "{}x",
        }[row.kind].format(row.symbol)
    fn = SIGNATURES[row.method]
    constants = iter(["0.25", "0.75", "1.5"])  # increasing: clamp's lo <= hi
    names = iter(["x", "y"])
    args = [next(constants) if c else next(names) for c in fn.constant]
    return f"{row.method}({', '.join(args)})"


@core
@pytest.mark.parametrize("name", list(RULES))
def test_every_row_of_the_rule_table_is_reachable_from_the_parser(name: str) -> None:
    """A new operation in autograd.rules is parsed (or listed here with the reason it is not)."""
    row = RULES[name]
    if name in UNPARSED:
        assert row.method not in SIGNATURES
        return
    assert row.method.startswith("__") or row.method in SIGNATURES, f"{name} is not parsed"
    text = _text_for(name)
    for x, y in ((0.5, 0.25), (1.5, 2.0)):  # acosh needs x >= 1, asin |x| <= 1
        try:
            out = evaluate(parse(text), {"x": Value(x), "y": Value(y)})
        except ValueError:
            continue
        assert isinstance(out, Value)
        rules_made = {v._rule for v in _nodes(out)}
        assert name in rules_made, (text, rules_made)
        return
    pytest.fail(f"{text} raised at every point tried")


@core
@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_each_functions_arguments_are_the_engines(name: str) -> None:
    """The parser's arity and constant-argument defaults match the engine's Python signature."""
    fn = SIGNATURES[name]
    target = getattr(Value, name) if hasattr(Value, name) else getattr(autograd, name)
    params = list(inspect.signature(target).parameters.values())
    assert [p.name for p in params] == (
        ["self", *fn.params[1:]] if hasattr(Value, name) else list(fn.params)
    )
    defaults = sum(p.default is not inspect.Parameter.empty for p in params)
    assert FUNCTIONS[name] == (len(params) - defaults, len(params))
