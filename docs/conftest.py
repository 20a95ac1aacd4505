"""Run every ```python block of docs/*.md under pytest, with Sybil.

Blocks of one page share a namespace and run in order, like a session in the
Python prompt, so a page reads top to bottom. A block that needs an optional
extra is preceded by a Sybil skip comment, e.g.
``<!-- skip: next if(not HAVE_VIZ, reason="...") -->``; ``HAVE_VIZ`` and
``HAVE_PLOT`` are set in every page's namespace.
"""

from __future__ import annotations

import importlib.util
import shutil
from typing import Any

import pytest

sybil = pytest.importorskip("sybil", reason="the docs' code runs with Sybil (the test extra)")
from sybil import Sybil  # noqa: E402
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser  # noqa: E402

HAVE_VIZ = importlib.util.find_spec("graphviz") is not None and shutil.which("dot") is not None
HAVE_PLOT = importlib.util.find_spec("matplotlib") is not None


def _setup(namespace: dict[str, Any]) -> None:
    namespace["HAVE_VIZ"] = HAVE_VIZ
    namespace["HAVE_PLOT"] = HAVE_PLOT


pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(), SkipParser()],
    patterns=["*.md"],
    setup=_setup,
).pytest()
