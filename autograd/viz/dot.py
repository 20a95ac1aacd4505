"""Draw the graph behind a ``Value`` with Graphviz.

One record node per Value (label, data, grad), one small node per operation,
edges input -> operation -> result. DOT node names follow
``topological_order``, so the same graph always gives the same DOT text and
the same SVG. ``graphviz`` (the ``viz`` extra) is imported only when a
function here runs, never by ``import autograd``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..backward import local_derivatives, parents, topological_order
from ..files import atomic_write
from ..rules import CONST_LEFT, CONST_RIGHT, RULES
from ..value import Value

if TYPE_CHECKING:
    import graphviz  # type: ignore[import-untyped, import-not-found, unused-ignore]

__all__ = ["GraphvizNotFoundError", "render", "to_dot", "to_svg"]

RANKDIRS = ("LR", "TB", "RL", "BT")
"""Allowed ``rankdir`` values: the direction the graph flows in."""

DEFAULT_MAX_NODES = 500
"""Largest number of Values ``to_dot`` draws unless ``max_nodes`` says more."""

INSTALL_HINT = (
    "Install Graphviz, which provides it:\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  Fedora:         sudo dnf install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install graphviz\n"
    "  Windows:        winget install graphviz  (then open a new terminal)"
)

# Operations whose constant operand (``x * 3``) is folded into the node: the
# picture shows it next to the symbol. "left" means the constant comes first.
CONST_SIDE = {
    r.name: "left" if r.kind == CONST_LEFT else "right"
    for r in RULES.values()
    if r.method.startswith("__") and r.kind in (CONST_LEFT, CONST_RIGHT)
}

_P = TypeVar("_P", str, "os.PathLike[str]")


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program, which lays out and draws graphs, is not installed."""


def graphviz_module() -> Any:
    """The ``graphviz`` module, or an ImportError saying how to install it."""
    try:
        import graphviz
    except ImportError as exc:
        raise ImportError(
            "drawing graphs needs the 'graphviz' Python package, which is not installed; "
            "install the viz extra: pip install 'chainrule[viz]' "
            "(the Graphviz 'dot' program is needed too)"
        ) from exc
    return graphviz


def check_options(
    root: object, rankdir: object, max_nodes: object, precision: object, where: str = "to_dot"
) -> None:
    """TypeError or ValueError, naming the option, for a bad root or option."""
    if not isinstance(root, Value):
        raise TypeError(
            f"{where}: root must be a Value, got {type(root).__name__} ({_short(root)})"
        )
    if rankdir not in RANKDIRS:
        raise ValueError(f"{where}: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    for name, value in (("max_nodes", max_nodes), ("precision", precision)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where}: {name} must be an int, got {_short(value)}")
    assert isinstance(max_nodes, int) and isinstance(precision, int)
    if max_nodes < 1:
        raise ValueError(f"{where}: max_nodes must be at least 1, got {max_nodes}")
    if not 1 <= precision <= 17:
        raise ValueError(f"{where}: precision must be between 1 and 17, got {precision}")


def _short(obj: object) -> str:
    text = repr(obj)
    return text if len(text) <= 60 else text[:57] + "..."


def check_size(root: Value, max_nodes: int, where: str) -> None:
    """Refuse a graph of more than ``max_nodes`` Values, without walking all of it."""
    seen = {root}
    stack = [root]
    while stack:
        for p in parents(stack.pop()):
            if p not in seen:
                seen.add(p)
                if len(seen) > max_nodes:
                    raise ValueError(
                        f"{where}: the graph has more than max_nodes={max_nodes} Values, too "
                        f"many to draw readably; pass a larger max_nodes= to draw it anyway, "
                        f"or draw a smaller part of the computation"
                    )
                stack.append(p)


def number(x: float, precision: int = 4) -> str:
    """``x`` in ``%g`` style with ``precision`` significant digits (``0.7071``, ``-1.5``)."""
    if math.isnan(x):
        return "nan"
    return f"{x:.{precision}g}"


def _record_text(text: str) -> str:
    """Escape what would structure a record label, end a DOT string or start an entity.

    A lone surrogate (a ``str`` can hold one; UTF-8 cannot) is drawn as U+FFFD.
    """
    out = []
    for ch in text:
        if ch in '\\{}|<>"':
            out.append("\\" + ch)
        elif ch == "&":
            out.append("&amp;")
        elif ch == "\n":
            out.append("\\n")
        elif "\ud800" <= ch <= "\udfff":  # half a surrogate pair: no UTF-8 for it
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def op_text(node: Value, precision: int = 4) -> str:
    """What an operation node shows: its symbol, with any folded constant."""
    op = node._rule
    symbol = RULES[op].symbol if op in RULES else op
    side = CONST_SIDE.get(op)
    if side is None:
        if node._right is None and node._dright is not None:  # leaky_relu's slope, clamp's bounds
            params = node._dright if isinstance(node._dright, tuple) else (node._dright,)
            return f"{symbol}({', '.join(number(c, precision) for c in params)})"
        return symbol
    const = number(node._dright, precision)
    return f"{const} {symbol}" if side == "left" else f"{symbol} {const}"


def node_names(order: list[Value]) -> dict[Value, str]:
    """DOT names ``v0, v1, ...`` in topological order; the op making ``vK`` is ``opK``."""
    return {v: f"v{i}" for i, v in enumerate(order)}


def to_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_NODES,
    show_local: bool = False,
    precision: int = 4,
) -> graphviz.Digraph:
    """The graph behind ``root`` as a ``graphviz.Digraph``.

    Each Value is a record ``label | data | grad`` (the label only when set),
    each operation a small oval with its symbol (a neuron's fused weighted sum
    is one ``Σ``). ``rankdir`` sets the flow (``LR`` left to right, ``TB``,
    ``RL``, ``BT``); more than ``max_nodes`` Values raise ``ValueError``;
    ``show_local`` labels every input edge with the local derivative
    d(result)/d(input) that the chain rule multiplies; ``precision`` is the
    number of significant digits shown.
    """
    return digraph(root, rankdir, max_nodes, show_local, precision)


def digraph(
    root: Value,
    rankdir: str,
    max_nodes: int,
    show_local: bool,
    precision: int,
    grad_text: Mapping[Value, str] | None = None,
    where: str = "to_dot",
    name_text: Mapping[Value, str] | None = None,
) -> graphviz.Digraph:
    """``to_dot``, with the grad field's text given per Value (``to_html`` sizes it).

    ``name_text`` gives each box's first field (``to_html`` puts the stepper's
    name of every Value there); by default it is the label, absent when unset.
    """
    check_options(root, rankdir, max_nodes, precision, where)
    check_size(root, max_nodes, where)
    gv = graphviz_module()
    order = topological_order(root)
    names = node_names(order)
    horizontal = rankdir in ("LR", "RL")

    dot = gv.Digraph(name="autograd")
    dot.attr(rankdir=rankdir)
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.6")
    for v in order:
        name = names[v]
        grad = number(v.grad, precision) if grad_text is None else grad_text[v]
        fields = [f"data {number(v.data, precision)}", f"grad {grad}"]
        title = v.label if name_text is None else name_text[v]
        if title:
            fields.insert(0, title)
        body = " | ".join(_record_text(f) for f in fields)
        # In a left-to-right graph the braces turn the fields back into a row.
        dot.node(name, label="{ " + body + " }" if horizontal else body, shape="record")
        if not v._rule:
            continue
        op_name = "op" + name[1:]
        dot.node(op_name, label=op_text(v, precision), shape="oval", margin="0.04,0.02")
        locals_ = local_derivatives(v) if show_local else ()
        for i, p in enumerate(parents(v)):
            if show_local:
                dot.edge(names[p], op_name, label=number(locals_[i], precision))
            else:
                dot.edge(names[p], op_name)
        dot.edge(op_name, name)
    return dot


def pipe(dot: graphviz.Digraph, fmt: str) -> bytes:
    """Run ``dot`` on the graph; a missing program becomes GraphvizNotFoundError."""
    gv = graphviz_module()
    if fmt not in gv.FORMATS:
        raise ValueError(
            f"render: unknown format {fmt!r}; use one Graphviz knows, e.g. svg, png, pdf"
        )
    try:
        out: bytes = dot.pipe(format=fmt)
    except gv.ExecutableNotFound as exc:
        raise GraphvizNotFoundError(
            "Graphviz's 'dot' program was not found on PATH; it lays out and draws the "
            "graph. " + INSTALL_HINT
        ) from exc
    return out


def to_svg(root: Value, **options: Any) -> str:
    """The picture of ``to_dot(root, **options)`` as SVG text."""
    return pipe(to_dot(root, **options), "svg").decode("utf-8")


def render(root: Value, path: _P, format: str = "svg", **options: Any) -> _P:
    """Draw ``to_dot(root, **options)`` into ``path`` in ``format``; returns ``path``.

    The picture goes to a temporary file beside ``path`` that is renamed over
    it (``autograd.files.atomic_write``), so a failure leaves neither a
    partial file nor a stray one, and an older file at ``path`` intact.
    """
    data = pipe(to_dot(root, **options), format)
    atomic_write(path, data, what="render")
    return path
