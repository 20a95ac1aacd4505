"""Building the project's wheel in a test: offline, from a copy of the sources."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(
    args: list[str], cwd: pathlib.Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run a command outside this checkout's environment (no PYTHONPATH, no active venv)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def build_wheel(tmp: pathlib.Path) -> pathlib.Path:
    """Build ``chainrule-*.whl`` into ``tmp/dist`` and return its path."""
    src = tmp / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
            ".hypothesis", ".bench", "site", "out", "tests", "docs", "benchmarks",
        ),
    )  # fmt: skip
    out = tmp / "dist"
    proc = run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out)],
        cwd=tmp,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("chainrule-*.whl")
    return built
