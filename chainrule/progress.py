"""A progress bar for training loops: tqdm on a terminal, nothing otherwise.

The bar is drawn only when tqdm (the ``progress`` extra) is installed and
stderr is a terminal, so logs, pipes and tests stay clean. Status lines go
through ``write``, which prints above the bar instead of through it.
"""

from __future__ import annotations

import importlib
import sys
from types import TracebackType
from typing import Any

__all__ = ["Progress"]


def _tqdm() -> Any:
    """tqdm's class, or None when tqdm is not installed."""
    try:
        return importlib.import_module("tqdm").tqdm
    except ImportError:
        return None


class Progress:
    """``with Progress(total, "training") as bar: ... bar.update(); bar.write(line)``."""

    def __init__(self, total: int, desc: str, *, enabled: bool | None = None) -> None:
        self.total = total
        self.desc = desc
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar: Any = None

    def __enter__(self) -> Progress:
        tqdm = _tqdm() if self.enabled else None
        if tqdm is not None:
            self._bar = tqdm(total=self.total, desc=self.desc, leave=False, file=sys.stderr)
        return self

    def update(self, n: int = 1, **postfix: str) -> None:
        """Advance the bar by ``n`` steps, showing ``postfix`` (e.g. ``loss="0.25"``)."""
        if self._bar is not None:
            if postfix:
                self._bar.set_postfix(postfix, refresh=False)
            self._bar.update(n)

    def write(self, line: str) -> None:
        """Print ``line`` on stdout without breaking the bar."""
        if self._bar is not None:
            self._bar.write(line, file=sys.stdout)
        else:
            print(line, flush=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
