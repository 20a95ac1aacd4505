"""The commands as a user gets them: the wheel installed into a new virtual environment.

The rest of the suite runs against the source tree; these tests build the
wheel, install it in a fresh venv (once without extras, once with the
``demo`` extra), run every command from outside the source tree and check
what each prints and writes. A file missing from the wheel, a console script
pointing at a moved function or an import of the source tree shows here.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import venv
import xml.etree.ElementTree as ET
import zipfile

import pytest
from wheel_helpers import ROOT, build_wheel, run

BIN = "Scripts" if os.name == "nt" else "bin"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The wheel, built offline from a copy of the sources."""
    pytest.importorskip("setuptools", reason="building the wheel needs setuptools")
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def _venv(where: pathlib.Path, wheel: pathlib.Path, extras: str = "") -> pathlib.Path:
    venv.EnvBuilder(with_pip=True).create(where)
    python = where / BIN / "python"
    target = f"chainrule[{extras}] @ {wheel.as_uri()}" if extras else str(wheel)
    args = [str(python), "-m", "pip", "install", "-q", target]
    if not extras:
        args[4:4] = ["--no-deps", "--no-index"]
    proc = run(args, cwd=where)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return where / BIN


def test_the_wheel_holds_the_three_packages_and_their_data(wheel: pathlib.Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    for package in ("autograd", "nn", "chainrule"):
        assert f"{package}/__init__.py" in names
        assert f"{package}/py.typed" in names
    for name in ("page.html", "page.css", "page.js"):
        assert f"autograd/viz/templates/{name}" in names
    assert not any(n.startswith(("tests/", "docs/", "benchmarks/")) for n in names)


@pytest.fixture(scope="module")
def bare(wheel: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A new venv holding the wheel and nothing else (no extras)."""
    return _venv(tmp_path_factory.mktemp("bare") / "venv", wheel)


def test_without_extras_the_engine_and_the_commands_work(
    bare: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    code = (
        "import autograd, nn, chainrule\n"
        "from autograd import Value, grad\n"
        "x = Value(3.0); y = x * x + x.tanh(); y.backward()\n"
        "print(autograd.__file__); print(chainrule.__version__); print(x.grad)\n"
        "print(grad(grad(lambda t: t ** 3))(2.0))\n"
    )
    proc = run([str(bare / "python"), "-c", code], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    where, version, dy, d2 = proc.stdout.split()
    assert str(ROOT) not in where and "site-packages" in where
    assert version == "0.1.0"
    assert float(dy) == 2 * 3.0 + (1 - __import__("math").tanh(3.0) ** 2)
    assert float(d2) == 12.0

    proc = run([str(bare / "chainrule"), "graph", "x * w + 1", "--at", "x=2,w=-3"], cwd=tmp_path)
    assert proc.stdout.splitlines()[:3] == ["f = x * w + 1 = -5.0", "df/dx = -3.0", "df/dw = 2.0"]
    assert proc.returncode == 1 and "chainrule[viz]" in proc.stderr  # drawing needs the extra
    for command in (["chainrule"], ["python", "-m", "chainrule"], ["python", "-m", "nn"]):
        exe = [str(bare / command[0]), *command[1:]]
        help_ = run([*exe, "--help"], cwd=tmp_path)
        assert help_.returncode == 0, help_.stderr
        assert all(c in help_.stdout for c in ("demo", "train", "question", "graph"))
        bad = run([*exe, "demo", "--no-such-flag"], cwd=tmp_path)
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    demo = run([str(bare / "chainrule"), "demo", "--out", str(tmp_path / "d")], cwd=tmp_path)
    assert demo.returncode == 1
    assert "pip install 'chainrule[" in demo.stderr and "Traceback" not in demo.stderr
    assert not (tmp_path / "d").exists()


@pytest.fixture(scope="module")
def demo_env(wheel: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A new venv holding the wheel with the ``demo`` extra (from the package index)."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (scripts/setup.sh installs it)")
    return _venv(tmp_path_factory.mktemp("demo") / "venv", wheel, extras="demo")


def _svg(path: pathlib.Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg", path
    return root


def test_with_the_demo_extra_every_command_writes_its_files(
    demo_env: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    chainrule = str(demo_env / "chainrule")
    proc = run([chainrule, "demo", "--out", "d"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    files = {p.name for p in (tmp_path / "d").iterdir()}
    assert {"loss.svg", "boundary.svg", "graph.svg", "model.json", "index.html"} <= files
    for name in ("loss.svg", "boundary.svg", "graph.svg"):
        _svg(tmp_path / "d" / name)
    assert "final accuracy 100.0%" in proc.stdout
    saved = json.loads((tmp_path / "d" / "model.json").read_text(encoding="utf-8"))
    assert (saved["class"], saved["config"]["nouts"]) == ("MLP", [16, 16, 1])

    proc = run(
        [chainrule, "train", "--dataset", "xor", "--hidden", "8", "--activation", "tanh",
         "--optimizer", "adam", "--lr", "0.05", "--epochs", "20", "--seed", "1", "--out", "t"],
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "t" / "model.json").is_file()
    load = "import nn, sys; m = nn.load(sys.argv[1]); print(type(m).__name__)"
    proc = run([str(demo_env / "python"), "-c", load, "t/model.json"], cwd=tmp_path)
    assert proc.stdout.strip() == "MLP", proc.stderr

    proc = run([str(demo_env / "python"), "-m", "nn", "question", "--out", "q"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "q" / "index.html").is_file()

    for out in ("g.svg", "g.html"):
        proc = run([chainrule, "graph", "tanh(x * w)", "--at", "x=1,w=0.5", "--out", out],
                    cwd=tmp_path)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    _svg(tmp_path / "g.svg")
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
