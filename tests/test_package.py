"""Packaging: the HIPS autograd clash is reported clearly; type hints ship."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parent.parent


def test_hips_autograd_written_over_ours_is_refused(tmp_path: Path) -> None:
    pkg = tmp_path / "autograd"
    shutil.copytree(ROOT / "autograd", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    (pkg / "tracer.py").write_text("# a module of HIPS autograd\n")
    proc = subprocess.run(
        [sys.executable, "-c", "import autograd"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert proc.returncode != 0
    assert "ImportError" in proc.stderr and "HIPS autograd" in proc.stderr
    assert "pip uninstall autograd chainrule" in proc.stderr


def test_our_autograd_imports_and_is_typed() -> None:
    import autograd
    import nn

    assert autograd.__chainrule__ is True
    assert (ROOT / "autograd" / "py.typed").exists() and (ROOT / "nn" / "py.typed").exists()
    assert nn.MLP is not None
