"""Build chainrule's sdist from a clean copy of the source tree, offline.

    python scripts/build_sdist.py DEST     prints the path of DEST/chainrule-*.tar.gz

The copy holds the files git knows (tracked, or new and not ignored), or,
outside a git checkout, the tree without build output and caches. Building
from it keeps a stale ``chainrule.egg-info/SOURCES.txt`` in the checkout from
adding files that MANIFEST.in no longer asks for. setuptools' own build
backend runs in this Python, so no download and no ``build`` package are needed.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IGNORED = (
    ".git", ".venv*", "*.egg-info", "build", "dist", "site", "out", "__pycache__",
    ".*_cache", ".hypothesis", ".bench", "chainrule-demo",
)  # fmt: skip


def source_files(root: Path) -> list[Path] | None:
    """Paths (relative to ``root``) that git tracks or would add; None outside git."""
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return None
    names = [n for n in proc.stdout.decode("utf-8").split("\0") if n]
    return [Path(n) for n in names if (root / n).is_file()]  # a deleted file is still listed


def copy_source(root: Path, dest: Path) -> None:
    """Copy the source tree at ``root`` to the new folder ``dest``."""
    files = source_files(root)
    if files is None:
        shutil.copytree(root, dest, ignore=shutil.ignore_patterns(*IGNORED))
        return
    for rel in files:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, dest / rel)


def build_sdist(dest: Path, root: Path = ROOT) -> Path:
    """Build the sdist of ``root`` into the folder ``dest``; return the archive's path."""
    from setuptools import build_meta

    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chainrule-src-") as tmp:
        src = Path(tmp) / "src"
        copy_source(root, src)
        log = io.StringIO()
        here = os.getcwd()
        os.chdir(src)  # the backend builds the project in the current directory
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                name = build_meta.build_sdist(str(dest.resolve()))
        except BaseException:
            sys.stderr.write(log.getvalue()[-4000:])
            raise
        finally:
            os.chdir(here)
    return dest.resolve() / name


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    print(build_sdist(Path(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
