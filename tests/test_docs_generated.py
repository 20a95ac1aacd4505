"""The generated parts of the docs are current and true.

* docs/derivatives.md equals what scripts/derivative_table.py renders now;
* every formula in that table (``autograd.rules.FORMULAS``), evaluated as
  Python, gives the engine's value and local derivatives, kinks included;
* docs/img/*.svg from scripts/docs_figures.py match a fresh drawing (content
  on any machine, bytes where the Graphviz version is the committed one).
"""

from __future__ import annotations

import importlib.util
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from svg_helpers import content, graphviz_version

from autograd import Value, atan2, hypot, maximum, minimum
from autograd.backward import local_derivatives, parents
from autograd.rules import FORMULAS, RULES
from autograd.value import affine

ROOT = Path(__file__).resolve().parent.parent


def load(name: str) -> ModuleType:
    """Import scripts/<name>.py as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the derivative table ------------------------------------------------------


@pytest.mark.core
def test_committed_derivative_table_is_current() -> None:
    committed = (ROOT / "docs" / "derivatives.md").read_text(encoding="utf-8")
    assert committed == load("derivative_table").render_table(), (
        "docs/derivatives.md is stale: run .venv/bin/python scripts/derivative_table.py "
        "and commit it"
    )


@pytest.mark.core
def test_every_rule_has_a_row() -> None:
    assert set(FORMULAS) == set(RULES)
    page = (ROOT / "docs" / "derivatives.md").read_text(encoding="utf-8")
    for name, rule in RULES.items():
        assert f"| `{name}` | `{rule.symbol}` |" in page


C = 2.5  # the folded constant
SLOPE = 0.1  # leaky_relu's slope
XS = (-1.5, -0.3, 0.0, 0.4, 2.0)  # 0.0 sits on the kinks of relu, abs and leaky_relu
POSITIVE = (0.3, 1.0, 2.0)
UNIT = (-0.9, -0.3, 0.0, 0.4, 0.8)
LO, HI = -0.3, 0.4  # clamp's bounds
PAIRS = ((0.7, 1.3), (2.0, -0.5), (1.5, 3.0), (0.25, 0.0), (-0.6, 2.0), (1.5, 1.5))

# operation -> (how to make it from Values, sample inputs)
UNARY: dict[str, tuple[Callable[[Value], Value], tuple[float, ...]]] = {
    "addc": (lambda x: x + C, XS),
    "subc": (lambda x: x - C, XS),
    "rsubc": (lambda x: C - x, XS),
    "mulc": (lambda x: x * C, XS),
    "divc": (lambda x: x / C, XS),
    "rdivc": (lambda x: C / x, (-1.5, -0.3, 0.4, 2.0)),
    "powc": (lambda x: x**C, (0.0, *POSITIVE)),
    "rpowc": (lambda x: C**x, XS),
    "neg": (lambda x: -x, XS),
    "exp": (lambda x: x.exp(), XS),
    "log": (lambda x: x.log(), POSITIVE),
    "sqrt": (lambda x: x.sqrt(), POSITIVE),
    "tanh": (lambda x: x.tanh(), XS),
    "sigmoid": (lambda x: x.sigmoid(), XS),
    "softplus": (lambda x: x.softplus(), XS),
    "relu": (lambda x: x.relu(), XS),
    "abs": (lambda x: x.abs(), XS),
    "leaky_relu": (lambda x: x.leaky_relu(SLOPE), XS),
    "sin": (lambda x: x.sin(), XS),
    "cos": (lambda x: x.cos(), XS),
    "tan": (lambda x: x.tan(), XS),
    "asin": (lambda x: x.asin(), UNIT),
    "acos": (lambda x: x.acos(), UNIT),
    "atan": (lambda x: x.atan(), XS),
    "sinh": (lambda x: x.sinh(), XS),
    "cosh": (lambda x: x.cosh(), XS),
    "asinh": (lambda x: x.asinh(), XS),
    "acosh": (lambda x: x.acosh(), (1.5, 2.0, 30.0)),
    "atanh": (lambda x: x.atanh(), UNIT),
    "log2": (lambda x: x.log2(), POSITIVE),
    "log10": (lambda x: x.log10(), POSITIVE),
    "log1p": (lambda x: x.log1p(), UNIT),
    "expm1": (lambda x: x.expm1(), XS),
    "erf": (lambda x: x.erf(), XS),
    "clamp": (lambda x: x.clamp(LO, HI), (-1.5, LO, 0.0, HI, 2.0)),  # both boundaries
}
BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "atan2": atan2,
    "hypot": hypot,
    "minimum": minimum,
    "maximum": maximum,
}


FUNCS = "tan asin acos atan sinh cosh asinh acosh atanh log2 log10 log1p expm1 erf".split()
FUNCS += ["atan2", "hypot"]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _sign(x: float) -> float:
    return float((x > 0) - (x < 0))


def evaluate(expr: str, **names: Any) -> float:
    """Evaluate one of the table's formulas (our own constant strings) as Python."""
    env: dict[str, Any] = {
        "__builtins__": {},
        "exp": math.exp,
        "log": math.log,
        "sqrt": math.sqrt,
        "tanh": math.tanh,
        "sin": math.sin,
        "cos": math.cos,
        "sigmoid": _sigmoid,
        "sign": _sign,
        "max": max,
        "min": min,
        **{f: getattr(math, f) for f in FUNCS},
        "pi": math.pi,
        "abs": abs,
        "sum": sum,
        "range": range,
    }
    env.update(names)  # as globals, so the generator in affine's formula sees them
    return float(eval(expr, env))


def close(got: float, want: float) -> bool:
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-300)


@pytest.mark.core
def test_the_builders_cover_every_rule() -> None:
    assert set(UNARY) | set(BINARY) | {"affine"} == set(RULES)


@pytest.mark.core
@pytest.mark.parametrize("name", sorted(UNARY))
def test_one_input_formulas_match_the_engine(name: str) -> None:
    make, xs = UNARY[name]
    forward, (partial,) = FORMULAS[name]
    for x in xs:
        node = make(Value(x))
        assert node._rule == name
        env = {"x": x, "c": C, "slope": SLOPE, "lo": LO, "hi": HI}
        assert close(node.data, evaluate(forward, **env)), (name, x)
        assert close(local_derivatives(node)[0], evaluate(partial, **env)), (name, x)


@pytest.mark.core
@pytest.mark.parametrize("name", sorted(BINARY))
def test_two_input_formulas_match_the_engine(name: str) -> None:
    forward, partials = FORMULAS[name]
    for a, b in PAIRS:
        if (name == "div" and b == 0.0) or (name == "pow" and a < 0.0):
            continue  # outside the domain: the engine raises (tested in test_errors.py)
        node = BINARY[name](Value(a), Value(b))
        assert node._rule == name
        assert close(node.data, evaluate(forward, a=a, b=b)), (name, a, b)
        got = local_derivatives(node)
        for i, p in enumerate(partials):
            assert close(got[i], evaluate(p, a=a, b=b)), (name, a, b, p)


@pytest.mark.core
def test_affine_formula_matches_the_engine() -> None:
    forward, partials = FORMULAS["affine"]
    w, x, b = [0.5, -1.2, 3.0], [2.0, 0.3, -0.7], 0.1
    node = affine([Value(v) for v in w], [Value(v) for v in x], Value(b))
    assert node._rule == "affine"
    assert close(node.data, evaluate(forward, w=w, x=x, b=b, n=len(w)))
    ps, ds = parents(node), local_derivatives(node)
    assert len(ps) == 1 + 2 * len(w)
    assert close(ds[0], evaluate(partials[0], b=b))
    for k in range(1, len(ps)):
        i, which = divmod(k - 1, 2)
        want = evaluate(partials[1 + which], w=w, x=x, b=b, i=i)
        assert close(ds[k], want), (k, partials[1 + which])


# --- the figures ----------------------------------------------------------------

needs_graphviz = pytest.mark.skipif(
    importlib.util.find_spec("graphviz") is None or shutil.which("dot") is None,
    reason="needs the graphviz Python package and Graphviz's dot program "
    "(pip install 'chainrule[viz]'; apt-get install graphviz)",
)
STALE = "docs/img/{} is stale: run .venv/bin/python scripts/docs_figures.py and commit it"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("figures")
    assert load("docs_figures").main(["--out-dir", str(out)]) == 0
    return {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.svg")}


@needs_graphviz
def test_every_figure_is_committed_and_used(fresh: dict[str, str]) -> None:
    assert set(fresh) == set(load("docs_figures").FIGURES)
    pages = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    for name in fresh:
        assert (ROOT / "docs" / "img" / name).exists(), STALE.format(name)
        assert f"img/{name}" in pages, f"docs/img/{name} is drawn but no page shows it"


@needs_graphviz
def test_reuse_figure_shows_four_paths(fresh: dict[str, str]) -> None:
    records = {t[0]: t[1:] for cls, name, t in content(fresh["reuse.svg"]) if cls == "node" and t}
    assert records["a"] == ["data 3", "grad 4"]
    assert records["b"] == ["data 6", "grad 2"]
    assert records["c"] == ["data 12", "grad 1"]


@needs_graphviz
@pytest.mark.parametrize("name", ["reuse.svg", "diamond.svg", "sigmoid-neuron.svg"])
def test_committed_figure_has_the_current_content(fresh: dict[str, str], name: str) -> None:
    committed = (ROOT / "docs" / "img" / name).read_text(encoding="utf-8")
    assert content(committed) == content(fresh[name]), STALE.format(name)


@needs_graphviz
@pytest.mark.parametrize("name", ["reuse.svg", "diamond.svg", "sigmoid-neuron.svg"])
def test_committed_figure_is_byte_identical(fresh: dict[str, str], name: str) -> None:
    committed = (ROOT / "docs" / "img" / name).read_text(encoding="utf-8")
    here, there = graphviz_version(fresh[name]), graphviz_version(committed)
    if here != there:
        pytest.skip(
            f"Graphviz {here} lays out differently from {there}, which drew the committed "
            "file; its content was compared by test_committed_figure_has_the_current_content"
        )
    assert fresh[name] == committed, STALE.format(name)
