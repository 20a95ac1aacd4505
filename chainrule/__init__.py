"""chainrule's application: the ``chainrule`` command and what it runs.

The command line (``cli``), the training driver (``training``), the
derivative-question experiments (``question``), the pages they write
(``report``), the expression parser of ``chainrule graph`` (``expression``)
and the progress bar (``progress``). Built on ``nn`` and ``autograd``; those
never import it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
