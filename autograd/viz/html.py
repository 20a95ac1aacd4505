"""A self-contained HTML page that steps through the backward pass of a graph.

Python runs the pass on the side (the same order and arithmetic as
``Value.backward``, starting from zero grads, leaving the graph untouched)
and embeds every step as data: which node, its upstream grad, each input's
local derivative and contribution. The page's script replays those steps
to show each ``.grad`` as it accumulates. Nothing is fetched from the network.

The page's HTML, CSS and script are package data in ``templates/`` next to
this file; ``to_html`` fills their ``@NAME@`` placeholders in one pass, so
nothing a label holds is ever read as a placeholder or as markup.
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import json
import os
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from ..backward import chain_rule, parents, term, topological_order
from ..files import atomic_write
from ..rules import BINARY_KIND, RULES
from ..value import Value
from .dot import (
    CONST_SIDE,
    DEFAULT_MAX_NODES,
    check_options,
    check_size,
    digraph,
    node_names,
    number,
    op_text,
    pipe,
)

__all__ = ["backward_steps", "to_html"]

_P = TypeVar("_P", str, "os.PathLike[str]")

_BINARY = tuple(
    r.name for r in RULES.values() if r.kind == BINARY_KIND and r.method.startswith("__")
)
"""The binary operators, written infix (``a * b``)."""


def step_names(order: list[Value]) -> dict[Value, str]:
    """What the page calls each Value; every name is drawn in the Value's box.

    A Value's label when it has one that no other Value in the graph shows,
    else its DOT name (``v2``), or both (``h (v5)``) for a label that several
    Values share, so the words of a step always point at one box.
    """
    ids = node_names(order)
    count: dict[str, int] = {}
    for v in order:
        key = v.label or ids[v]
        count[key] = count.get(key, 0) + 1
    out = {}
    for v in order:
        if not v.label:
            out[v] = ids[v]
        elif count[v.label] > 1:
            out[v] = f"{v.label} ({ids[v]})"
        else:
            out[v] = v.label
    return out


def _expression(v: Value, names: Mapping[Value, str], precision: int) -> str:
    """How ``v`` was computed, in words a reader can match to the picture (``x1 * w1``)."""
    op = v._rule
    ins = [names[p] for p in parents(v)]
    symbol = RULES[op].symbol
    if op in _BINARY:
        return f"{ins[0]} {symbol} {ins[1]}"
    if op in CONST_SIDE:
        const = number(v._dright, precision)
        if CONST_SIDE[op] == "left":
            return f"{const} {symbol} {ins[0]}"
        return f"{ins[0]} {symbol} {const}"
    if op == "neg":
        return f"-{ins[0]}"
    if v._right is None and v._dright is not None:  # leaky_relu's slope, clamp's bounds
        params = v._dright if isinstance(v._dright, tuple) else (v._dright,)
        return f"{symbol}({ins[0]}, {', '.join(number(c, precision) for c in params)})"
    return f"{symbol}({', '.join(ins)})"


def backward_steps(
    root: Value, *, precision: int = 4, max_nodes: int = DEFAULT_MAX_NODES
) -> dict[str, Any]:
    """The backward pass from ``root`` as JSON-able data, one step per node.

    Node ids are the DOT names of ``to_dot``; a node's ``name`` is what the
    page's words call it and its box shows (its label, else its id; see
    ``step_names``). The first step seeds
    ``root.grad = 1``; each further step takes one operation node, newest
    first (the reverse topological order ``backward`` uses), and adds
    upstream grad x local derivative to each input. ``after`` is the input's
    running grad; after the last step the running grads equal what
    ``root.backward()`` gives from zero grads, bit for bit.
    """
    if not isinstance(root, Value):
        raise TypeError(f"to_html: root must be a Value, got {type(root).__name__}")
    check_size(root, max_nodes, "to_html")
    order = topological_order(root)
    names = node_names(order)
    shown = step_names(order)

    nodes = []
    for v in order:
        nodes.append(
            {
                "id": names[v],
                "name": shown[v],
                "label": v.label,
                "data": v.data,
                "dataText": number(v.data, precision),
                "op": op_text(v, precision) if v._rule else "",
                "expr": _expression(v, shown, precision) if v._rule else "",
                "inputs": [names[p] for p in parents(v)],
            }
        )

    grads = dict.fromkeys(order, 0.0)
    steps: list[dict[str, Any]] = [
        {
            "node": names[root],
            "seed": True,
            "upstream": 1.0,
            "upstreamText": number(1.0, precision),
            "skipped": False,
            "inputs": [],
        }
    ]
    inputs: list[dict[str, Any]] = []
    current = None
    for node, p, d, g in chain_rule(root, grads):  # backward's steps, in its order
        if node is not current:  # a node's steps come together: one page step per node
            current = node
            inputs = []
            steps.append(
                {
                    "node": names[node],
                    "seed": False,
                    "upstream": g,
                    "upstreamText": number(g, precision),
                    "skipped": g == 0.0,  # no upstream gradient: nothing to add
                    "inputs": inputs,
                }
            )
        c = 0.0 if g == 0.0 else term(g, d)
        grads[p] += c
        inputs.append(
            {
                "id": names[p],
                "local": d,
                "localText": number(d, precision),
                "contribution": c,
                "contributionText": number(c, precision),
                "after": grads[p],
                "afterText": number(grads[p], precision),
            }
        )
    return {"root": names[root], "nodes": nodes, "steps": steps}


def _script_json(data: Any) -> str:
    """JSON as a JavaScript literal safe inside <script> (NaN and Infinity stay numbers)."""
    text = json.dumps(data, allow_nan=True, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_html(
    root: Value,
    path: _P,
    *,
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_NODES,
    show_local: bool = True,
    precision: int = 4,
) -> _P:
    """Write one self-contained page stepping through the backward pass from ``root``.

    The page shows the graph (options as for ``to_dot``; edges carry their
    local derivatives unless ``show_local=False``) and Step / Back / Play /
    Reset buttons (also the arrow keys, Home and End). Each step highlights
    a node and its inputs and shows each local derivative and each running
    ``.grad``. The graph itself is not changed. Returns ``path``.
    """
    check_options(root, rankdir, max_nodes, precision, "to_html")
    data = backward_steps(root, precision=precision, max_nodes=max_nodes)
    # Size each grad field for the longest text it will show during the pass.
    shown: dict[str, list[str]] = {n["id"]: ["0"] for n in data["nodes"]}
    for step in data["steps"]:
        if step["seed"]:
            shown[step["node"]].append(step["upstreamText"])
        for e in step["inputs"]:
            shown[e["id"]].append(e["afterText"])
    order = topological_order(root)
    widest = {v: max(reversed(shown[f"v{i}"]), key=len) for i, v in enumerate(order)}
    # Every box shows the name the steps' words use for it (v2 for an unlabelled Value).
    names = {v: n["name"] for v, n in zip(order, data["nodes"])}
    dot = digraph(root, rankdir, max_nodes, show_local, precision, widest, "to_html", names)
    svg = pipe(dot, "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog: the SVG is inlined
    title = f"Backward pass from {names[root]}" if root.label else "Backward pass"
    page = fill(
        template("page.html"),
        TITLE=html.escape(_SURROGATE.sub("\ufffd", title)),  # as the picture draws them
        CSS=template("page.css"),
        SVG=svg,
        DATA=_script_json(data),
        JS=template("page.js"),
    )
    atomic_write(path, page.encode("utf-8"), what="to_html")
    return path


_PLACEHOLDER = re.compile(r"@([A-Z]+)@")
_SURROGATE = re.compile("[\ud800-\udfff]")  # half a surrogate pair: no UTF-8 for it


def fill(page: str, **parts: str) -> str:
    """``page`` with each ``@NAME@`` replaced by ``parts[NAME]``, in one pass.

    What is put in is never searched for placeholders again, so a label that
    reads ``@SVG@`` stays text. A placeholder without a part, or a part
    without a placeholder, is a KeyError: the template and the code disagree.
    """
    unused = set(parts) - set(_PLACEHOLDER.findall(page))
    if unused:
        raise KeyError(f"the page template has no placeholder for {sorted(unused)}")
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], page)


@functools.cache
def template(name: str) -> str:
    """The text of ``templates/<name>``, package data shipped beside this module."""
    return (importlib.resources.files("autograd.viz") / "templates" / name).read_text(
        encoding="utf-8"
    )
