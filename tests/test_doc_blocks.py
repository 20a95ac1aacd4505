"""How the docs' and the README's code blocks are run (docs/conftest.py, conftest.py).

Each block runs alone, so a block that leans on an earlier one fails, and the
README's ``print(...)  # shown`` comments must be what the block prints.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("sybil", reason="the docs' code runs with Sybil (the test extra)")

ROOT = Path(__file__).resolve().parent.parent


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docs_conftest = _load(ROOT / "docs" / "conftest.py", "docs_conftest")
root_conftest = _load(ROOT / "conftest.py", "root_conftest")

PAGE = """# A page

```python
from autograd import Value

x = Value(2.0)
```

Then:

```python
y = x * 3
```

<!-- skip: next if(not HAVE_VIZ, reason="no viz") -->
```python
assert HAVE_VIZ
```
"""


def _run(page: Path) -> list[str]:
    """Evaluate the page's examples in order, as pytest would; one outcome each."""
    from sybil import Sybil
    from sybil.parsers.markdown import CodeBlockParser, SkipParser

    sybil = Sybil(
        parsers=[CodeBlockParser("python", docs_conftest.run_alone), SkipParser()],
        patterns=["*.md"],
        setup=docs_conftest._setup,
    )
    document = sybil.parse(page)
    assert sybil.setup is not None
    sybil.setup(document.namespace)
    outcomes = []
    for example in document:
        try:
            example.evaluate()
        except NameError as e:
            outcomes.append(f"NameError: {e}")
        except Exception as e:  # SkipTest and any other outcome, by name
            outcomes.append(type(e).__name__)
        else:
            outcomes.append("ok")
    return outcomes


def test_a_docs_block_cannot_use_names_from_an_earlier_block(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    outcomes = _run(page)
    assert outcomes[:2] == ["ok", "NameError: name 'x' is not defined"]
    # the skip condition still sees HAVE_VIZ; the block itself does not
    if docs_conftest.HAVE_VIZ:
        assert outcomes[2:] == ["ok", "NameError: name 'HAVE_VIZ' is not defined"]
    else:
        assert outcomes[2:] == ["ok", "SkipTest"]


def test_every_docs_page_is_collected_with_its_blocks() -> None:
    # a guard against a page silently dropping out: each page has a block to run
    pages = sorted((ROOT / "docs").glob("*.md"))
    assert len(pages) >= 8
    for page in pages:
        if page.name == "api.md":
            continue
        assert "```python" in page.read_text(encoding="utf-8"), page.name


def test_readme_shown_output_is_read_from_the_print_comments() -> None:
    source = 'print(1 + 1)   # 2\nprint("a b")  # a b  (an explanation)\nx = 1  # 5\n'
    assert root_conftest.shown_output(source) == ["2", "a b"]
    assert root_conftest.shown_output("print(1)\nprint(2)  # 2\n") is None  # not every print
    assert root_conftest.shown_output("x = 1\n") is None


def test_readme_block_runs_alone_and_its_output_is_checked() -> None:
    assert root_conftest.run_alone("print(2 * 3)  # 6\n", "README.md", 0) is None
    message = root_conftest.run_alone("print(2 * 3)  # 7\n", "README.md", 0)
    assert message == "the block printed ['6']; its comments show ['7']"
    with pytest.raises(NameError):
        root_conftest.run_alone("print(root_conftest)  # x\n", "README.md", 0)
