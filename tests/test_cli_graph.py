"""chainrule graph: gradients of parsed expressions, their pictures, refusal of all else."""

from __future__ import annotations

import importlib.util
import math
import os
import pathlib
import re
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from chainrule.cli import main
from chainrule.expression import FUNCTIONS, MAX_NODES

HAVE_VIZ = importlib.util.find_spec("graphviz") is not None and shutil.which("dot") is not None
needs_viz = pytest.mark.skipif(not HAVE_VIZ, reason="drawing needs the viz extra and Graphviz")
core = pytest.mark.core


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def graph(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(["graph", *args])
    out, err = capsys.readouterr()
    return status, out, err


def gradients(stdout: str) -> dict[str, float]:
    return {m[1]: float(m[2]) for m in re.finditer(r"^df/d(\w+) = (\S+)$", stdout, re.M)}


def central(f: Callable[..., float], point: list[float], i: int, h: float = 1e-6) -> float:
    up, down = list(point), list(point)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


# --- gradients --------------------------------------------------------------------------


@core
def test_prints_each_gradient_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    """f = x*w + sin(x): df/dx = w + cos(x), df/dw = x, as printed floats."""
    status, out, err = graph(["x * w + sin(x)", "--at", "x=1.0,w=0.5", "--out", "g.html"], capsys)
    if not HAVE_VIZ:
        assert status == 1 and "graphviz" in err.lower()
    else:
        assert status == 0, err
    assert gradients(out) == {"x": 0.5 + math.cos(1.0), "w": 1.0}
    value = re.search(r"^f = x \* w \+ sin\(x\) = (\S+)$", out, re.M)
    assert value is not None and float(value[1]) == 0.5 + math.sin(1.0)


CASES = [
    ("tanh(x * w + b)", "x=0.3,w=-1.2,b=0.1", lambda x, w, b: math.tanh(x * w + b)),
    ("x ** 3 - 2 * x / (1 + y ** 2)", "x=1.5,y=-0.5", lambda x, y: x**3 - 2 * x / (1 + y**2)),
    ("exp(-x) * log(y) + sqrt(x * y)", "x=0.7,y=2.5", None),
    ("sigmoid(x) ** y + softplus(-y) * cos(x)", "x=-0.4,y=1.7", None),
    ("-x + +y - abs(x - y) + relu(y) + leaky_relu(x, 0.2)", "x=-0.4,y=1.7", None),
    ("2 ** x / x ** -2 + 1e-3 * x", "x=0.9", lambda x: 2**x / x**-2 + 1e-3 * x),
    ("x * x * x", "x=2", lambda x: x * x * x),
    (
        "atan2(y, x) * hypot(x, 2) + minimum(x, y) - maximum(tanh(x), 0.5) + clamp(x * y, -1, 0.5)",
        "x=0.8,y=-1.1",
        lambda x, y: (
            math.atan2(y, x) * math.hypot(x, 2)
            + min(x, y)
            - max(math.tanh(x), 0.5)
            + min(max(x * y, -1), 0.5)
        ),
    ),
]

MATH = {
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sin": math.sin,
    "cos": math.cos,
    "abs": abs,
    "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
    "softplus": lambda z: math.log1p(math.exp(z)),
    "relu": lambda z: max(z, 0.0),
    "leaky_relu": lambda z, s=0.01: z if z > 0 else s * z,
    "atan2": math.atan2,
    "hypot": math.hypot,
    "minimum": min,
    "maximum": max,
    "clamp": lambda z, lo, hi: min(max(z, lo), hi),
}


def oracle(text: str, names: list[str]) -> Callable[..., float]:
    """The expression as a float function of math-module calls (a test-only oracle)."""
    code = compile(text, "<oracle>", "eval")

    def f(*args: float) -> float:
        return float(eval(code, {"__builtins__": {}}, {**MATH, **dict(zip(names, args))}))

    return f


@core
@pytest.mark.parametrize(("text", "at", "exact"), CASES, ids=[c[0] for c in CASES])
def test_gradients_match_central_differences(
    text: str, at: str, exact: Callable[..., float] | None, capsys: pytest.CaptureFixture[str]
) -> None:
    values = dict(part.split("=") for part in at.split(","))
    names = list(values)
    point = [float(v) for v in values.values()]
    status, out, _ = graph([text, "--at", at, "--out", "g.svg"], capsys)
    assert status == (0 if HAVE_VIZ else 1)
    printed = gradients(out)
    assert sorted(printed) == sorted(names)
    f = exact or oracle(text, names)
    for i, name in enumerate(names):
        assert math.isclose(printed[name], central(f, point, i), rel_tol=1e-6, abs_tol=1e-8), name


@core
def test_a_variable_used_twice_gets_the_sum_of_its_paths(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = graph(["x * x + x", "--at", "x=3", "--out", "g.svg"], capsys)
    assert gradients(out) == {"x": 7.0}


# --- pictures ---------------------------------------------------------------------------


@needs_viz
def test_default_output_is_graph_svg_in_the_current_folder(
    in_tmp: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = graph(["tanh(x * w + b)", "--at", "x=1,w=0.5,b=-0.2"], capsys)
    assert status == 0
    assert "wrote graph.svg" in out
    root = ET.parse(in_tmp / "graph.svg").getroot()
    texts = {t.text for t in root.iter() if t.text}
    for label in ("x", "w", "b", "f", "tanh"):
        assert label in texts, label
    assert "grad 1" in texts  # the output, seeded by backward


@needs_viz
def test_html_output_is_the_stepping_page(
    in_tmp: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = graph(["x * w + b", "--at", "x=1,w=2,b=3", "--out", "steps.html"], capsys)
    assert status == 0
    page = (in_tmp / "steps.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and "<svg" in page


@needs_viz
def test_output_format_follows_the_suffix(
    in_tmp: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = graph(["x * 2", "--at", "x=1", "--out", "g.png"], capsys)
    assert status == 0
    assert (in_tmp / "g.png").read_bytes().startswith(b"\x89PNG")
    status, _, err = graph(["x * 2", "--at", "x=1", "--out", "g.nosuchformat"], capsys)
    assert status == 2 and err.count("\n") == 1 and "format" in err
    assert not (in_tmp / "g.nosuchformat").exists()


# --- refusals ---------------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('touch pwned')",
    "x.__class__",
    "x.__class__.__bases__[0].__subclasses__()",
    "[x for x in y]",
    "{x: 1}",
    "(x, y)",
    "lambda: 1",
    "x[0]",
    "open('f')",
    "eval('1')",
    "f(x)",
    "exp(x, y)",
    "exp()",
    "leaky_relu(x, 0.1, 2)",
    "leaky_relu(x, y)",
    "exp(x=1)",
    "leaky_relu(x, slope=0.1)",
    "clamp(x, y, 1)",
    "clamp(x, 0)",
    "atan2(x)",
    "hypot(x, y, 1)",
    "minimum(x, y=1)",
    "exp(*[x])",
    "'s'",
    "b'x'",
    "f'{x}'",
    "True + x",
    "None",
    "1j * x",
    "x if y else 1",
    "x < y",
    "x and y",
    "not x",
    "~x",
    "x // y",
    "x % y",
    "x @ y",
    "x << 2",
    "(y := 2)",
    "...",
    "2**10**10",
    "x ** 101",
    "x ** -1000",
    "1e400 * x",
    "9" * 400 + " * x",
    "x +" * 1100 + " x",
    " + ".join(["x"] * (MAX_NODES // 2 + 1)),
    "-" * 1999 + "x",
    "(" * 300 + "x" + ")" * 300,
    "x y",
    "",
    "x\x00",
    "exp",
]


@core
@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: t[:30])
def test_hostile_expressions_are_refused_in_one_line(
    text: str, in_tmp: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = time.perf_counter()
    status, out, err = graph([text, "--at", "x=1,y=2"], capsys)
    assert time.perf_counter() - start < 2.0
    assert status == 2
    assert out == ""
    assert err.startswith("chainrule graph: error: ") and err.count("\n") == 1, err
    assert os.listdir(in_tmp) == []  # nothing written, nothing run


@core
@pytest.mark.parametrize(
    ("text", "at", "message"),
    [
        ("log(x)", "x=-1", "log: math domain error"),
        ("sqrt(x) + log(0)", "x=1", "log: math domain error"),
        ("x / (y - 2)", "x=1,y=2", "division by zero"),
        ("exp(x)", "x=1000", "exp: result too large"),
        ("(-8) ** (1 / 3) * x", "x=1", "negative base"),
        ("x ** y", "x=-2,y=0.5", "pow"),
        ("clamp(x, 1, 0)", "x=1", "clamp: lo must be <= hi, got lo=1.0, hi=0.0"),
        ("hypot(x, 1.7e308)", "x=1.7e308", "hypot: result too large"),
        ("x * y", "x=1", "y"),
        ("x", "", "--at x=1.0"),
        ("1 + 2", "", "no variable"),
        ("x", "x=abc", "not a number"),
        ("x", "x", "NAME=NUMBER"),
        ("x", "x=1,x=2", "twice"),
        ("x", "x=inf", "finite"),
        ("x", "1x=2", "not a valid variable name"),
        ("x", "__x=2", "not a valid variable name"),
        ("x", "exp=1", "function name"),
        ("x", "x=1", "suffix"),
    ],
)
def test_bad_input_and_engine_errors_exit_2_with_one_line(
    text: str, at: str, message: str, in_tmp: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [text, "--at", at] + (["--out", "noext"] if message == "suffix" else [])
    status, _, err = graph(args, capsys)
    assert status == 2
    assert err.count("\n") == 1 and message in err, err
    assert not any(name.endswith((".svg", ".html")) for name in os.listdir(in_tmp))


@core
def test_an_unused_variable_has_gradient_zero(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = graph(["2 * x", "--at", "x=1,z=5", "--out", "g.svg"], capsys)
    assert gradients(out) == {"x": 2.0}
    assert "z not in EXPR: gradient 0" in out


@core
def test_an_expression_starting_with_minus_goes_after_double_dash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = graph(["--at", "x=2", "--out", "g.svg", "--", "-x ** 2"], capsys)
    assert gradients(out) == {"x": -4.0}


@core
def test_help_lists_every_function_with_its_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = graph(["--help"], capsys)
    assert status == 0 and err == ""
    text = " ".join(out.split())  # argparse wraps the description
    for name in FUNCTIONS:
        assert re.search(rf"\b{name}\b", text), name
    for call in ("leaky_relu(x[, slope])", "clamp(x, lo, hi)", "atan2(y, x)", "hypot(x, y)"):
        assert call in text
    assert "minimum(a, b), maximum(a, b)" in text
