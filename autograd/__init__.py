"""chainrule's engine: scalar reverse-mode automatic differentiation.

``Value`` records every operation (``affine`` is one node for a neuron's
weighted sum); ``Value.backward()`` runs the chain rule in reverse
topological order. ``grad``, ``value_and_grad``, ``hessian``, ``jacobian``,
``jvp``, ``vjp`` and ``hvp`` give derivatives of any order; ``Tape`` replays
a recorded graph as straight-line Python; ``no_grad`` and ``detect_anomaly``
change how operations record.
"""

from __future__ import annotations

import os as _os
from typing import TYPE_CHECKING, Any

_here = _os.path.dirname(_os.path.abspath(__file__))
if _os.path.exists(_os.path.join(_here, "numpy", "numpy_vjps.py")) or _os.path.exists(
    _os.path.join(_here, "tracer.py")
):  # pragma: no cover - only when another distribution wrote into this folder
    raise ImportError(
        f"The 'autograd' package at {_here} mixes chainrule's engine with HIPS autograd "
        "(both install a package named 'autograd'). Use separate virtual environments, or "
        "run 'pip uninstall autograd chainrule' and then 'pip install chainrule'."
    )

from .functional import grad, hessian, value_and_grad  # noqa: E402
from .jacobians import hvp, jacobian, jvp, vjp  # noqa: E402
from .modes import detect_anomaly, no_grad  # noqa: E402
from .tape import Tape  # noqa: E402
from .value import Value, affine, atan2, hypot, maximum, minimum  # noqa: E402

if TYPE_CHECKING:
    from .viz import render, to_dot, to_html, to_svg

__version__ = "0.1.0"
__chainrule__ = True  # lets `nn` tell this package from HIPS autograd

__all__ = [
    "Tape",
    "Value",
    "affine",
    "atan2",
    "detect_anomaly",
    "grad",
    "hessian",
    "hvp",
    "hypot",
    "jacobian",
    "jvp",
    "maximum",
    "minimum",
    "no_grad",
    "render",
    "to_dot",
    "to_html",
    "to_svg",
    "value_and_grad",
    "vjp",
]


_VIZ = ("render", "to_dot", "to_html", "to_svg")


def __getattr__(name: str) -> Any:
    """Load the graph-drawing functions on first use, so ``import autograd`` stays light."""
    if name in _VIZ:
        from . import viz

        return getattr(viz, name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
