"""The sdist is self-contained: it ships the tests with every helper they need.

scripts/test.sh builds the sdist, unpacks it and runs its core tests there;
these tests check what goes in, quickly, and that a file added later under
``tests/`` is picked up without editing a file list.
"""

from __future__ import annotations

import importlib.util
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("setuptools", reason="building the sdist needs setuptools")

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    path = ROOT / "scripts" / "build_sdist.py"
    spec = importlib.util.spec_from_file_location("build_sdist", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_sdist = _script()


def _members(archive: Path) -> set[str]:
    """Paths inside the sdist, relative to its top folder."""
    with tarfile.open(archive) as tar:
        names = [m.name for m in tar.getmembers() if m.isfile()]
    top = {n.split("/", 1)[0] for n in names}
    assert top == {archive.name.removesuffix(".tar.gz")}, top
    return {n.split("/", 1)[1] for n in names}


@pytest.fixture(scope="module")
def members(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    return _members(build_sdist.build_sdist(tmp_path_factory.mktemp("sdist")))


def _source(root: Path) -> set[str]:
    files = build_sdist.source_files(root)
    if files is None:  # not a git checkout (an unpacked sdist): every file but build output
        files = [p.relative_to(root) for p in root.rglob("*") if p.is_file()]
        files = [p for p in files if not ({"__pycache__"} & set(p.parts) or p.suffix == ".pyc")]
        files = [p for p in files if not any(part.endswith(".egg-info") for part in p.parts)]
    return {p.as_posix() for p in files}


def test_the_sdist_ships_every_test_file_and_what_the_tests_read(members: set[str]) -> None:
    source = _source(ROOT)
    wanted = {
        name
        for name in source
        if name.split("/", 1)[0] in ("tests", "docs", "scripts", "benchmarks", "autograd", "nn")
    }
    assert {"tests/conftest.py", "tests/nn_helpers.py", "tests/test_sdist.py"} <= wanted
    assert sorted(wanted - members) == []
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "mkdocs.yml"):
        assert name in members
    if (ROOT / "conftest.py").exists():
        assert "conftest.py" in members  # the README's examples run from the sdist too


def test_the_sdist_holds_no_build_output(members: set[str]) -> None:
    junk = [n for n in members if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
    assert junk == []
    assert not [n for n in members if n.startswith((".git/", ".venv", "site/", "dist/"))]


def test_a_new_file_under_tests_joins_the_sdist_without_a_file_list(tmp_path: Path) -> None:
    src = tmp_path / "src"
    build_sdist.copy_source(ROOT, src)
    (src / "tests" / "later_helpers.py").write_text("HELPER = 1\n", encoding="utf-8")
    (src / "tests" / "data").mkdir()
    (src / "tests" / "data" / "case.json").write_text("{}\n", encoding="utf-8")
    (src / "tests" / "__pycache__").mkdir(exist_ok=True)
    (src / "tests" / "__pycache__" / "stale.cpython-311.pyc").write_bytes(b"\0")
    members = _members(build_sdist.build_sdist(tmp_path / "dist", root=src))
    assert {"tests/later_helpers.py", "tests/data/case.json"} <= members
    assert "tests/__pycache__/stale.cpython-311.pyc" not in members


def test_the_build_ignores_a_stale_file_list_in_the_checkout(tmp_path: Path) -> None:
    # setuptools adds every file named in an existing chainrule.egg-info/SOURCES.txt;
    # building from a clean copy keeps a file MANIFEST.in no longer asks for out.
    src = tmp_path / "src"
    build_sdist.copy_source(ROOT, src)
    (src / "notes.txt").write_text("not for the sdist\n", encoding="utf-8")
    egg = src / "chainrule.egg-info"
    egg.mkdir(exist_ok=True)
    (egg / "SOURCES.txt").write_text("notes.txt\npyproject.toml\n", encoding="utf-8")
    members = _members(build_sdist.build_sdist(tmp_path / "dist", root=src))
    assert "notes.txt" not in members
    assert "pyproject.toml" in members
