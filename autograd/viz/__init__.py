"""Pictures of computation graphs: Graphviz drawings and a page that steps through backprop.

Needs the ``viz`` extra (``pip install 'chainrule[viz]'``) and Graphviz's
``dot`` program; both are looked for only when a function here runs.
"""

from __future__ import annotations

from .dot import GraphvizNotFoundError, render, to_dot, to_svg
from .html import backward_steps, to_html

__all__ = ["GraphvizNotFoundError", "backward_steps", "render", "to_dot", "to_html", "to_svg"]
