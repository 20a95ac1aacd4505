"""HIPS autograd hiding or overwriting our engine: chainrule says so in one line, no traceback."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parent.parent
REPAIR = "'pip uninstall autograd chainrule' and then 'pip install chainrule'"

COMMANDS = [
    ["-m", "chainrule", "demo"],
    ["-m", "chainrule", "train", "--epochs", "1"],
    ["-m", "chainrule", "question"],
    ["-m", "chainrule", "graph", "x * y", "--at", "x=1,y=2"],
    ["-m", "chainrule", "--version"],
    ["-m", "chainrule"],
    ["-m", "nn", "train"],
    ["-m", "nn", "graph", "x", "--at", "x=1"],
]


def python(args: list[str], path: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in path)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


def shadowing(tmp_path: Path) -> Path:
    """A folder holding another package named ``autograd``, as HIPS autograd is."""
    other = tmp_path / "site" / "autograd"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("def grad(fun):\n    return fun\n")
    return other.parent


def overwritten(tmp_path: Path) -> Path:
    """Our engine's folder with HIPS autograd's files written into it (what pip does)."""
    pkg = tmp_path / "site" / "autograd"
    shutil.copytree(ROOT / "autograd", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    (pkg / "tracer.py").write_text("# a module of HIPS autograd\n")
    return pkg.parent


@pytest.mark.parametrize("make", [shadowing, overwritten])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[1:]))
def test_every_command_says_so_in_one_line(
    make: object, command: list[str], tmp_path: Path
) -> None:
    site = make(tmp_path)  # type: ignore[operator]
    done = python(command, [site, ROOT], tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("chainrule: error: ")
    assert "HIPS autograd" in done.stderr and REPAIR in done.stderr
    assert str(site / "autograd") in done.stderr  # where the other package is
    assert not any(p.name.startswith("chainrule-") for p in tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("make", [shadowing, overwritten])
def test_import_chainrule_gives_the_version_and_names_the_problem(
    make: object, tmp_path: Path
) -> None:
    site = make(tmp_path)  # type: ignore[operator]
    code = "import chainrule; print(chainrule.__version__); print(chainrule.engine_problem())"
    done = python(["-c", code], [site, ROOT], tmp_path)
    assert done.returncode == 0, done.stderr
    version, problem = done.stdout.splitlines()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert "HIPS autograd" in problem and REPAIR in problem


def test_with_our_engine_there_is_no_problem() -> None:
    import chainrule

    assert chainrule.engine_problem() is None
    assert chainrule.__version__ == "0.1.0"


def test_the_version_is_the_distributions() -> None:
    import autograd
    import chainrule

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"$', pyproject, re.MULTILINE)
    assert match is not None
    assert chainrule.__version__ == match.group(1) == autograd.__version__
