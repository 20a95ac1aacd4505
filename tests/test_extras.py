"""Extras: pyproject and setup.sh agree (the README table: test_readme.py); commands name them."""

from __future__ import annotations

import pathlib
import re
import sys

import pytest

from chainrule.cli import main

pytestmark = pytest.mark.core

ROOT = pathlib.Path(__file__).resolve().parent.parent


def extras() -> dict[str, list[str]]:
    tomllib = pytest.importorskip("tomllib", reason="tomllib reads pyproject.toml (Python 3.11+)")
    with open(ROOT / "pyproject.toml", "rb") as f:
        found: dict[str, list[str]] = tomllib.load(f)["project"]["optional-dependencies"]
    return found


def requirement_name(req: str) -> str:
    return re.split(r"[\[<>=!~ ]", req, maxsplit=1)[0]


def test_the_demo_extra_brings_everything_the_demo_imports() -> None:
    found = extras()
    assert found["demo"] == ["chainrule[viz,plot,progress]"]
    brought = {requirement_name(r) for e in ("viz", "plot", "progress") for r in found[e]}
    assert brought == {"graphviz", "matplotlib", "tqdm"}


def test_setup_sh_knows_the_same_extras() -> None:
    found = extras()
    script = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    known = re.search(r'^KNOWN_EXTRAS=" ([^"]+) "$', script, re.MULTILINE)
    everything = re.search(r'^ALL_EXTRAS="([^"]+)"$', script, re.MULTILINE)
    assert known is not None and everything is not None
    assert set(known.group(1).split()) == set(found)
    assert set(everything.group(1).split(",")) == set(found) - {"all", "demo"}
    assert re.search(r'^    demo\)\s+extras="demo" ;;$', script, re.MULTILINE)
    assert "has_extra viz || has_extra demo" in script  # the demo flavour gets Graphviz too
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"installs `{everything.group(1)}`" in " ".join(readme.split())
    in_all = found["all"][0][len("chainrule[") : -1].split(",")
    assert set(in_all) == set(found) - {"all", "demo", "bench"}


@pytest.mark.parametrize("command", ["demo", "train", "question"])
def test_every_missing_extra_is_named_at_once(
    command: str,
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import -> ImportError
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setenv("PATH", str(tmp_path))  # no Graphviz 'dot' either
    status = main([command, "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"chainrule {command}: error: needs matplotlib and graphviz")
    assert "pip install 'chainrule[plot,viz]'" in err
    assert "'dot' program" in err and "apt-get install graphviz" in err
    assert not (tmp_path / "out").exists()


def test_graph_names_the_viz_extra_after_printing_the_gradients(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    status = main(["graph", "x * y", "--at", "x=2,y=3", "--out", str(tmp_path / "g.svg")])
    out, err = capsys.readouterr()
    assert status == 1
    assert out.splitlines()[1:] == ["df/dx = 3.0", "df/dy = 2.0"]
    assert "pip install 'chainrule[viz]'" in err and err.count("\n") == 1


def test_only_dot_missing_says_how_to_install_graphviz(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("graphviz", reason="the viz extra is installed: only 'dot' is missing")
    pytest.importorskip("matplotlib", reason="the plot extra is installed: only 'dot' is missing")
    monkeypatch.setenv("PATH", str(tmp_path))
    status = main(["demo", "--out", str(tmp_path / "out")])
    _, err = capsys.readouterr()
    assert status == 1 and err.count("\n") == 1
    assert "needs Graphviz's 'dot' program, which is not on PATH" in err
    assert "pip install" not in err
