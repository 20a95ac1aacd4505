"""docs/img/neuron.svg is what scripts/neuron_graph.py draws today.

The script regenerates the picture into a temporary file. Its content (every
node, edge and number) must match the committed file on any machine; the
bytes must match where the Graphviz version is the one that drew the
committed file (layout and the version comment differ between versions).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from svg_helpers import content, graphviz_version

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("graphviz") is None or shutil.which("dot") is None,
    reason="needs the graphviz Python package and Graphviz's dot program "
    "(pip install 'chainrule[viz]'; apt-get install graphviz)",
)

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "docs" / "img" / "neuron.svg"
SCRIPT = ROOT / "scripts" / "neuron_graph.py"
STALE = "docs/img/neuron.svg is stale: run .venv/bin/python scripts/neuron_graph.py and commit it"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("neuron_graph", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("neuron") / "neuron.svg"
    assert load_script().main(["--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_picture_shows_micrograds_neuron_after_backward(fresh: str) -> None:
    records = {
        texts[0]: texts[1:]
        for cls, name, texts in content(fresh)
        if cls == "node" and name[0] == "v"
    }
    # o = tanh(x1 w1 + x2 w2 + b) with micrograd's numbers; grads worked by hand:
    # do/dn = 1 - o^2 = 0.5, dn/dx1 = w1, dn/dw1 = x1, dn/dx2 = w2, dn/dw2 = x2
    assert records == {
        "x1": ["data 2", "grad -1.5"],
        "x2": ["data 0", "grad 0.5"],
        "w1": ["data -3", "grad 1"],
        "w2": ["data 1", "grad 0"],
        "b": ["data 6.881", "grad 0.5"],
        "n": ["data 0.8814", "grad 0.5"],
        "o": ["data 0.7071", "grad 1"],
    }
    edge_labels = sorted(t for cls, _, texts in content(fresh) if cls == "edge" for t in texts)
    assert edge_labels == sorted(["1", "2", "-3", "0", "1", "0.5"])  # 1, x1, w1, x2, w2; 1 - o^2


def test_committed_picture_has_the_current_content(fresh: str) -> None:
    committed = COMMITTED.read_text(encoding="utf-8")
    assert content(committed) == content(fresh), STALE


def test_committed_picture_is_byte_identical(fresh: str) -> None:
    committed = COMMITTED.read_text(encoding="utf-8")
    here, there = graphviz_version(fresh), graphviz_version(committed)
    if here != there:
        pytest.skip(
            f"Graphviz {here} lays out differently from {there}, which drew the committed "
            "file; its content was compared by test_committed_picture_has_the_current_content"
        )
    assert fresh == committed, (
        STALE + " (if only this test fails, the text widths differ: this machine's fonts "
        "are not the ones that drew the committed file)"
    )


def test_script_runs_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "n.svg"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == str(out)
    assert out.read_bytes() == load_and_render(tmp_path)


def load_and_render(tmp_path: Path) -> bytes:
    other = tmp_path / "again.svg"
    load_script().main(["--out", str(other)])
    return other.read_bytes()
