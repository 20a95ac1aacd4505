"""chainrule's application: the ``chainrule`` command and what it runs.

The command line (``cli``), the training driver (``training``), the
derivative-question experiments (``question``), their results as data
(``blocks``), the writers of plots (``plots``), pages (``pages``) and run
folders (``report``), the expression parser of ``chainrule graph`` (``expression``)
and the progress bar (``progress``). Built on ``nn`` and ``autograd``; those
never import it.

``import chainrule`` itself loads nothing else, so it works (and gives
``__version__``) even when another package named ``autograd`` hides the
engine; ``engine_problem()`` says what is wrong then.
"""

from __future__ import annotations

import importlib
import importlib.util

__version__ = "0.1.0"

__all__ = ["REPAIR", "__version__", "engine_problem"]

REPAIR = (
    "HIPS autograd installs a package of the same name; repair with "
    "'pip uninstall autograd chainrule' and then 'pip install chainrule', "
    "or use a separate virtual environment"
)
"""How to get chainrule's engine back when another ``autograd`` took its place."""


def engine_problem() -> str | None:
    """Why chainrule's engine (the ``autograd`` package) cannot be used here, in one line.

    None when ``import autograd`` gives chainrule's engine. Otherwise the
    reason and how to repair it: HIPS autograd written over ours (our
    package refuses to import) or found first on ``sys.path``.
    """
    try:
        engine = importlib.import_module("autograd")
    except ImportError as e:
        text = " ".join(str(e).split())
        if "HIPS autograd" in text:  # the engine's own check of its folder
            return text
        try:
            spec = importlib.util.find_spec("autograd")
        except (ImportError, ValueError):
            spec = None
        where = spec.origin if spec is not None and spec.origin else "nowhere on sys.path"
        return f"chainrule's engine 'autograd' (at {where}) cannot be imported: {text}; {REPAIR}"
    if getattr(engine, "__chainrule__", False):
        return None
    where = getattr(engine, "__file__", None) or repr(engine)
    return f"'autograd' resolves to {where}, which is not chainrule's engine; {REPAIR}"
