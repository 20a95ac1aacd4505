"""Tools for testing derivatives: your own functions' and the engine's.

``gradcheck`` and ``numerical_grad`` need only the standard library.
``autograd.testing.strategies`` holds hypothesis strategies (the ``test``
extra: ``pip install 'chainrule[test]'``); it is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from .gradcheck import GradcheckError, gradcheck, numerical_grad

__all__ = ["GradcheckError", "gradcheck", "numerical_grad", "strategies"]


def __getattr__(name: str) -> Any:
    if name == "strategies":
        return importlib.import_module(f"{__name__}.strategies")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
