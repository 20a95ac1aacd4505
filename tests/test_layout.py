"""The package layout, read from the source with ``ast``: imports point down, in no circle.

``chainrule → nn → autograd``: the engine imports neither of the others, the
library never imports the application, no module-level imports form a
circle, and no module imports another package's private (``_name``) names.
"""

from __future__ import annotations

import ast
import pathlib
from dataclasses import dataclass

import pytest

pytestmark = pytest.mark.core

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn", "chainrule")
BELOW = {"chainrule": {"nn", "autograd"}, "nn": {"autograd"}, "autograd": set()}
"""What each package may import of ours."""

ENTRY_POINTS = {"nn.__main__": "chainrule"}
"""Modules that only hand the process to another package (``python -m nn`` runs the
chainrule command, as the spec says); nothing imports them, so the library does not
depend on what they run."""


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "nn.losses"
    target: str  # the module imported, e.g. "autograd.value"
    names: tuple[str, ...]  # the names taken from it (from X import a, b)
    line: int
    when: str  # "import": runs on import; "call": inside a function; "typing": TYPE_CHECKING only

    def __str__(self) -> str:
        what = f"from {self.target} import {', '.join(self.names)}" if self.names else self.target
        return f"{self.module}:{self.line}: {what}"


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    module_name(p): p
    for pkg in PACKAGES
    for p in sorted((ROOT / pkg).rglob("*.py"))
    if "__pycache__" not in p.parts
}


def is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def resolve(module: str, level: int, target: str | None) -> str:
    """The absolute name of a (possibly relative) import in ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".")
    if not is_package(module):
        base.pop()
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def literal_imports(call: ast.Call) -> str | None:
    """The module of ``importlib.import_module("x")`` or ``runpy.run_module("x")``."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in ("import_module", "run_module") and call.args:
        arg = call.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def imports_of(module: str) -> list[Import]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: list[Import] = []

    def visit(node: ast.AST, top: str) -> None:
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            and top == "import"
        ):
            top = "call"
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.body:
                visit(child, "typing")
            for child in node.orelse:
                visit(child, top)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(module, alias.name, (), node.lineno, top))
        elif isinstance(node, ast.ImportFrom):
            base = resolve(module, node.level, node.module)
            plain = []
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in MODULES:  # from . import modes: the submodule itself
                    found.append(Import(module, sub, (), node.lineno, top))
                else:
                    plain.append(alias.name)
            if plain or not node.names:
                found.append(Import(module, base, tuple(plain), node.lineno, top))
        elif isinstance(node, ast.Call):
            target = literal_imports(node)
            if target is not None:
                found.append(Import(module, target, (), node.lineno, top))
        for child in ast.iter_child_nodes(node):
            visit(child, top)

    visit(tree, "import")
    return found


ALL = [imp for m in MODULES for imp in imports_of(m)]
OURS = [imp for imp in ALL if imp.target.split(".")[0] in PACKAGES]


def package(module: str) -> str:
    return module.split(".")[0]


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# --- the scanner finds what it should ----------------------------------------------------


def test_the_scanner_sees_every_package_and_known_imports() -> None:
    assert {"autograd", "autograd.viz.dot", "nn", "nn.losses", "chainrule.cli"} <= set(MODULES)
    edges = {(i.module, i.target) for i in OURS}
    assert ("nn.losses", "autograd") in edges
    assert ("chainrule.training", "nn.losses") in edges
    assert ("autograd.functional", "autograd.modes") in edges  # from . import modes
    assert ("nn.__main__", "chainrule") in edges  # runpy.run_module("chainrule")
    assert any(i.module == "autograd.value" and i.when == "call" for i in OURS)  # in a function
    assert any(i.module == "chainrule.report" and i.when == "typing" for i in OURS)


# --- direction ---------------------------------------------------------------------------


def test_imports_point_down_chainrule_nn_autograd() -> None:
    wrong = [
        str(i)
        for i in OURS
        if package(i.target) != package(i.module)
        and package(i.target) not in BELOW[package(i.module)]
        and ENTRY_POINTS.get(i.module) != i.target
    ]
    assert wrong == []


def test_the_shim_is_the_only_entry_point_and_nothing_imports_it() -> None:
    assert [str(i) for i in OURS if i.target in ENTRY_POINTS] == []
    for module, target in ENTRY_POINTS.items():
        assert [i.target for i in OURS if i.module == module] == [target]


# --- private names -----------------------------------------------------------------------


def test_no_private_name_of_another_package_is_imported() -> None:
    wrong = []
    for i in OURS:
        if package(i.target) == package(i.module):
            continue
        if any(private(part) for part in i.target.split(".")) or any(map(private, i.names)):
            wrong.append(str(i))
    assert wrong == []


def public_names(module: str) -> set[str] | None:
    """The names in ``module``'s ``__all__``, read from the source; None without one."""
    for node in ast.parse(MODULES[module].read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                assert node.value is not None
                return {e.value for e in ast.walk(node.value) if isinstance(e, ast.Constant)}
    return None


def test_nn_takes_from_the_engine_only_names_the_engine_makes_public() -> None:
    """Each name ``nn`` imports from an engine module is in that module's ``__all__``
    (``affine`` comes from ``autograd``, not from ``autograd.value``)."""
    wrong = []
    for i in OURS:
        if package(i.module) == "nn" and package(i.target) == "autograd" and i.names:
            public = public_names(i.target)
            if public is None or not set(i.names) <= public:
                wrong.append(str(i))
    assert wrong == []
    assert "affine" in (public_names("autograd") or set())


# --- circles -----------------------------------------------------------------------------


def circles(edges: list[Import], when: tuple[str, ...] = ("import",)) -> list[list[str]]:
    """Groups of modules that import each other, counting the imports made ``when``."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in edges:
        if i.when in when and i.target in MODULES and i.target != i.module:
            graph[i.module].add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:  # Tarjan; the graph is a few dozen modules deep at most
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return groups


def test_the_circle_finder_finds_a_circle() -> None:
    a, b = "nn.losses", "nn.optim"
    made = [Import(a, b, (), 1, "import"), Import(b, a, (), 1, "import")]
    assert [a, b] in circles(made)
    later = [Import(a, b, (), 1, "import"), Import(b, a, (), 1, "call")]
    assert circles(later) == [] and circles(later, ("import", "call")) == [[a, b]]
    assert circles([Import(a, b, (), 1, "import"), Import(b, a, (), 1, "typing")]) == []


def test_no_module_level_circle_anywhere() -> None:
    assert circles(OURS) == []


def test_no_circle_in_nn_or_chainrule_or_across_packages_even_through_functions() -> None:
    bad = [
        g
        for g in circles(OURS, ("import", "call"))
        if len({package(m) for m in g}) > 1 or package(g[0]) in ("nn", "chainrule")
    ]
    assert bad == []


ALLOWED_UP = {("autograd.value", "autograd.backward")}
"""The one import pointing up that ARCHITECTURE.md allows: ``Value.backward()`` runs backward."""

ENGINE_LAYERS = [
    ["autograd.errors", "autograd.files"],
    ["autograd.rules"],
    ["autograd.value", "autograd._tape_ops"],
    ["autograd.modes"],
    ["autograd.backward"],
    ["autograd.functional", "autograd.tape"],
    ["autograd.jacobians"],
    ["autograd.viz", "autograd.testing"],
    ["autograd"],
]
"""ARCHITECTURE.md's order inside the engine, lowest first: a module imports only from layers
below its own (or, inside a subpackage such as ``viz``, from that subpackage)."""


def engine_layer(module: str) -> int:
    for n, layer in enumerate(ENGINE_LAYERS):
        if module in layer or any(module.startswith(m + ".") for m in layer if m != "autograd"):
            return n
    raise AssertionError(f"{module} has no place in ENGINE_LAYERS: add it")


def test_no_circle_inside_the_engine_even_through_functions() -> None:
    edges = [i for i in OURS if (i.module, i.target) not in ALLOWED_UP]
    assert [g for g in circles(edges, ("import", "call")) if package(g[0]) == "autograd"] == []


def test_the_allowed_upward_import_is_the_one_in_value_backward() -> None:
    up = [i for i in OURS if (i.module, i.target) in ALLOWED_UP]
    assert [(i.when, i.names) for i in up] == [("call", ("backward",))]
    source = MODULES["autograd.value"].read_text(encoding="utf-8").splitlines()
    assert "points up" in source[up[0].line - 3] + source[up[0].line - 2]  # said where it stands


def test_engine_imports_point_down_its_layers() -> None:
    wrong = []
    for i in OURS:
        if package(i.module) != "autograd" or package(i.target) != "autograd":
            continue
        if (i.module, i.target) in ALLOWED_UP or i.when == "typing":
            continue
        if i.target == "autograd" and i.module != "autograd":
            wrong.append(str(i))  # the package's front door is for users, not for the engine
            continue
        below = engine_layer(i.target) < engine_layer(i.module)
        same_subpackage = (
            engine_layer(i.target) == engine_layer(i.module)
            and i.target.split(".")[:2] == i.module.split(".")[:2]
        )
        if not (below or same_subpackage):
            wrong.append(str(i))
    assert wrong == []


def test_the_layer_check_catches_an_upward_import() -> None:
    assert engine_layer("autograd.viz.html") > engine_layer("autograd.backward")
    assert engine_layer("autograd.rules") < engine_layer("autograd.value")
    assert engine_layer("autograd.modes") < engine_layer("autograd.backward")


def engine_names_nn(module: str) -> list[str]:
    """Imports of ``nn`` and string constants naming the ``nn`` folder, in an engine module."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = [str(i) for i in OURS if i.module == module and package(i.target) == "nn"]
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in ("nn", "nn/", "nn\\"):
            found.append(f"{module}:{node.lineno}: the string {node.value!r}")
    return found


def test_the_engine_never_names_nn() -> None:
    """Packages built on the engine register themselves (``modes.skip_frames_from``)."""
    assert [w for m in MODULES if package(m) == "autograd" for w in engine_names_nn(m)] == []


def test_the_nn_check_finds_an_engine_module_naming_nn() -> None:
    assert engine_names_nn("nn.module") == []  # not an engine module: nothing to find there
    made = Import("autograd.modes", "nn", (), 1, "call")
    assert package(made.target) == "nn" and package(made.module) == "autograd"
