"""Run the README's ```python blocks under pytest, with Sybil, as docs/ is run.

Each block runs alone, in a fresh namespace, so a block copied from the README
runs as written. A line ``print(...)  # shown`` must print ``shown`` (the
comment up to the first double space, which starts an explanation).

This file sits at the root only to reach README.md; it collects nothing else.
Without Sybil (the test extra) the README's item is skipped with a reason, and
the rest of the suite is unaffected.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent
README = ROOT / "README.md"

_SHOWN = re.compile(r"^print\(.*\)\s+#\s?(?P<shown>.*?)(?:\s{2,}.*)?$")


def shown_output(source: str) -> list[str] | None:
    """What the block's ``print(...)  # shown`` lines say they print, in order.

    None when some top-level ``print`` line has no such comment: then the
    output is not checked.
    """
    lines = [line for line in source.splitlines() if line.startswith("print(")]
    shown = [_SHOWN.match(line) for line in lines]
    if not lines or not all(shown):
        return None
    return [m.group("shown").rstrip() for m in shown if m]


def run_alone(source: str, path: str, line: int) -> str | None:
    """Run ``source`` in a fresh namespace; a message if its output differs from its comments."""
    __tracebackhide__ = True
    code = compile("\n" * line + source, path, "exec", dont_inherit=True)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {"__name__": "__readme__"})
    want = shown_output(source)
    got = out.getvalue().splitlines()
    if want is not None and got != want:
        return f"the block printed {got!r}; its comments show {want!r}"
    return None


try:
    from sybil import Example, Sybil
    from sybil.parsers.markdown import CodeBlockParser, SkipParser
except ImportError:  # only the core: say why the README is not run

    class _NoSybil(pytest.Item):
        def runtest(self) -> None:
            pytest.skip("the README's code runs with Sybil (the test extra)")

        def reportinfo(self) -> tuple[Path, int, str]:
            return self.path, 0, "README.md"

    class _ReadmeFile(pytest.File):
        def collect(self) -> Any:
            yield _NoSybil.from_parent(self, name="README")

    def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
        if file_path == README:
            return _ReadmeFile.from_parent(parent, path=file_path)
        return None

else:

    def _evaluate(example: Example) -> str | None:
        __tracebackhide__ = True
        return run_alone(example.parsed, example.path, example.line + example.parsed.line_offset)

    _readme = Sybil(
        parsers=[CodeBlockParser("python", _evaluate), SkipParser()],
        patterns=["README.md"],
    )
    _collect = _readme.pytest()

    def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
        return _collect(file_path, parent) if file_path == README else None
