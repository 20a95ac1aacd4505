"""docs/api.md documents every public name of ``Value``, each with an example.

The Value section of the API reference is written by hand (its examples run
under pytest with the other docs); these tests keep it in step with the class:
a public method, attribute or operator added to ``Value`` without an entry
fails here, and so does an entry for a name the class no longer has. The
built site is checked for private base classes (``Bases: _GradMode``).
"""

from __future__ import annotations

import builtins
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

import autograd
import nn
from autograd import Value

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "docs" / "api.md"

# Special methods a user reaches through syntax, and the entry that documents each.
SYNTAX = {
    "__init__": 'Value(data, label="")',
    "__add__": "x + y",
    "__radd__": "x + y",
    "__sub__": "x - y",
    "__rsub__": "x - y",
    "__mul__": "x * y",
    "__rmul__": "x * y",
    "__truediv__": "x / y",
    "__rtruediv__": "x / y",
    "__pow__": "x ** y",
    "__rpow__": "x ** y",
    "__neg__": "-x",
    "__pos__": "-x",
    "__repr__": "repr(x)",
    "__hash__": "x == y",
    "__eq__": "x == y",
    "__ne__": "x == y",
    "__lt__": "x < y",
    "__le__": "x < y",
    "__gt__": "x < y",
    "__ge__": "x < y",
}
# Class machinery, not behaviour.
PLUMBING = {
    "__module__", "__qualname__", "__doc__", "__slots__", "__dict__", "__weakref__",
    "__annotations__", "__annotate__", "__annotate_func__", "__annotations_cache__",
    "__firstlineno__", "__static_attributes__", "__orig_bases__", "__parameters__",
}  # fmt: skip


def value_section(text: str) -> dict[str, str]:
    """The entries of api.md's Value section: heading (the code in it) -> its body."""
    start = text.index("::: autograd.Value\n")
    end = text.find("\n::: ", start + 1)
    section = text[start : end if end != -1 else len(text)]
    entries: dict[str, str] = {}
    for chunk in re.split(r"^##### ", section, flags=re.M)[1:]:
        heading, _, body = chunk.partition("\n")
        names = re.findall(r"`([^`]+)`", heading)
        assert names, f"api.md: a Value entry heading without code: {heading!r}"
        key = " and ".join(names)
        assert key not in entries, f"api.md: Value entry {key!r} twice"
        entries[key] = body.split("\n#### ", 1)[0]
    return entries


def required_entries(members: Mapping[str, object]) -> dict[str, str]:
    """Entry heading -> the name (from a class's ``vars``) it documents."""
    wanted: dict[str, str] = {}
    for name in members:
        if not name.startswith("_"):
            wanted[f"x.{name}"] = name  # matched against the heading's start below
        elif name in SYNTAX:
            wanted[SYNTAX[name]] = name
        elif name.startswith("__") and name.endswith("__"):
            assert name in PLUMBING, (
                f"Value.{name} is new: document it in docs/api.md's Value section and "
                f"add it to SYNTAX in {Path(__file__).name}"
            )
    return wanted


def _entry_for(heading: str, entries: dict[str, str]) -> str | None:
    for key in entries:
        for code in key.split(" and "):
            if code == heading or (heading.startswith("x.") and code.startswith(heading + "(")):
                return key
    return None


def missing_and_stale(text: str, members: Mapping[str, object]) -> tuple[list[str], list[str]]:
    """Entries the class's names need but api.md lacks, and entries for names it lacks."""
    entries = value_section(text)
    wanted = required_entries(members)
    missing = sorted(h for h in wanted if _entry_for(h, entries) is None)
    stale = []
    for key in entries:
        for code in key.split(" and "):
            m = re.match(r"x\.(\w+)", code)
            if m and m.group(1) not in members:
                stale.append(code)
    return missing, sorted(stale)


def test_every_public_name_of_value_has_an_entry_in_the_api_reference() -> None:
    missing, stale = missing_and_stale(API.read_text(encoding="utf-8"), vars(Value))
    assert missing == [], f"docs/api.md's Value section has no entry for {missing}"
    assert stale == [], f"docs/api.md documents {stale}, which Value does not have"


def test_every_value_entry_has_an_example_using_its_name() -> None:
    entries = value_section(API.read_text(encoding="utf-8"))
    assert len(entries) >= 20
    for key, body in entries.items():
        blocks = re.findall(r"```python\n(.*?)```", body, re.S)
        assert blocks, f"api.md: the Value entry {key!r} has no example"
        code = "".join(blocks)
        assert "from autograd import" in code, f"api.md: {key!r}'s example imports nothing"
        m = re.match(r"x\.(\w+)", key)
        if m:
            assert f".{m.group(1)}" in code, f"api.md: {key!r}'s example does not use it"


def test_the_checker_catches_a_missing_and_a_stale_entry() -> None:
    text = API.read_text(encoding="utf-8")
    grown = {**vars(Value), "cbrt": lambda self: self}
    assert missing_and_stale(text, grown) == (["x.cbrt"], [])
    no_compare = re.sub(r"##### `x < y`.*?(?=\n#)", "", text, flags=re.S)
    assert missing_and_stale(no_compare, vars(Value)) == (["x < y"], [])
    shrunk = {k: v for k, v in vars(Value).items() if k != "softplus"}
    assert missing_and_stale(text, shrunk) == ([], ["x.softplus()"])
    odd = {**vars(Value), "__matmul__": lambda self, other: self}
    with pytest.raises(AssertionError, match=r"Value\.__matmul__ is new"):
        missing_and_stale(text, odd)


def _public_names() -> set[str]:
    names = set(autograd.__all__) | set(nn.__all__)
    names |= {n for n, v in vars(builtins).items() if isinstance(v, type)}
    return names | {"Exception"}


def test_the_built_reference_shows_no_private_base_class(tmp_path: Path) -> None:
    for module in ("mkdocs", "mkdocstrings", "mkdocstrings_handlers.python"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            pytest.skip(f"building the docs needs {module} (the docs extra)")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", page)
    paragraphs = re.findall(r'<p class="doc doc-class-bases">(.*?)</p>', page, re.S)
    shown = {
        name.split(".")[-1]
        for p in paragraphs
        for name in re.findall(r"<code>(.*?)</code>", p, re.S)
        for name in [re.sub(r"<[^>]+>", "", name).strip()]
    }
    assert shown, "no base classes shown at all: expected nn.Module for Neuron, Layer, MLP"
    assert sorted(shown - _public_names()) == []
    assert "_GradMode" not in text
    for anchor in ("autograd.Value", "autograd.Value.constructor", "autograd.Value.exp"):
        assert f'id="{anchor}"' in page  # stable links to the hand-written entries
