"""Run every ```python block of docs/*.md under pytest, with Sybil.

Each block runs alone, in a fresh namespace, so a block copied from a page
runs as written: it imports what it uses and builds what it needs. A block
that needs an optional extra is preceded by a Sybil skip comment, e.g.
``<!-- skip: next if(not HAVE_VIZ, reason="...") -->``; the conditions can
use ``HAVE_VIZ`` and ``HAVE_PLOT``.
"""

from __future__ import annotations

import importlib.util
import shutil
from typing import Any

import pytest

sybil = pytest.importorskip("sybil", reason="the docs' code runs with Sybil (the test extra)")
from sybil import Example, Sybil  # noqa: E402
from sybil.parsers.markdown import CodeBlockParser, SkipParser  # noqa: E402

HAVE_VIZ = importlib.util.find_spec("graphviz") is not None and shutil.which("dot") is not None
HAVE_PLOT = importlib.util.find_spec("matplotlib") is not None


def _setup(namespace: dict[str, Any]) -> None:
    """What the skip conditions read (the blocks themselves never see it)."""
    namespace["HAVE_VIZ"] = HAVE_VIZ
    namespace["HAVE_PLOT"] = HAVE_PLOT


def run_alone(example: Example) -> None:
    """Run one block in a namespace of its own, as a file of its own would run."""
    __tracebackhide__ = True
    source = example.parsed
    code = compile("\n" * (example.line + source.line_offset) + source, example.path, "exec")
    exec(code, {"__name__": "__docs__"})


pytest_collect_file = Sybil(
    parsers=[CodeBlockParser("python", run_alone), SkipParser()],
    patterns=["*.md"],
    setup=_setup,
).pytest()
