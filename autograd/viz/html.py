"""A self-contained HTML page that steps through the backward pass of a graph.

Python runs the pass on the side (the same order and arithmetic as
``Value.backward``, starting from zero grads, leaving the graph untouched)
and embeds every step as data: which node, its upstream grad, each input's
local derivative and contribution. The page's script replays those steps
to show each ``.grad`` as it accumulates. Nothing is fetched from the network.
"""

from __future__ import annotations

import html
import json
import math
import os
from typing import Any, TypeVar

from ..backward import local_derivatives, parents, reverse_order, topological_order
from ..rules import RULES
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
    write_atomic,
)

__all__ = ["backward_steps", "to_html"]

_P = TypeVar("_P", str, "os.PathLike[str]")

_BINARY = ("add", "sub", "mul", "div", "pow")


def _times(g: float, d: float) -> float:
    """g * d where a zero factor wins over an infinite one, as in ``backward``."""
    if g == 0.0 or d == 0.0:
        return 0.0
    return g * d


def _expression(v: Value, names: dict[Value, str], precision: int) -> str:
    """How ``v`` was computed, in words a reader can match to the picture (``x1 * w1``)."""
    op = v._op
    ins = [p.label or names[p] for p in parents(v)]
    symbol = RULES[op].symbol
    if op in _BINARY:
        return f"{ins[0]} {symbol} {ins[1]}"
    if op in CONST_SIDE:
        const = number(v._db, precision)
        if CONST_SIDE[op] == "left":
            return f"{const} {symbol} {ins[0]}"
        return f"{ins[0]} {symbol} {const}"
    if op == "neg":
        return f"-{ins[0]}"
    if v._b is None and v._db is not None:  # leaky_relu's slope, clamp's bounds
        params = v._db if isinstance(v._db, tuple) else (v._db,)
        return f"{symbol}({ins[0]}, {', '.join(number(c, precision) for c in params)})"
    return f"{symbol}({', '.join(ins)})"


def backward_steps(
    root: Value, *, precision: int = 4, max_nodes: int = DEFAULT_MAX_NODES
) -> dict[str, Any]:
    """The backward pass from ``root`` as JSON-able data, one step per node.

    Node ids are the DOT names of ``to_dot``. The first step seeds
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

    nodes = []
    for v in order:
        nodes.append(
            {
                "id": names[v],
                "name": v.label or names[v],
                "label": v.label,
                "data": v.data,
                "dataText": number(v.data, precision),
                "op": op_text(v, precision) if v._op else "",
                "expr": _expression(v, names, precision) if v._op else "",
                "inputs": [names[p] for p in parents(v)],
            }
        )

    grads = dict.fromkeys(order, 0.0)
    grads[root] = 1.0
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
    for node in reverse_order(root):  # the order Value.backward runs in
        g = grads[node]
        skipped = g == 0.0  # backward skips a node with no upstream gradient
        finite = math.isfinite(g)
        inputs = []
        for p, d in zip(parents(node), local_derivatives(node)):
            if skipped:
                c = 0.0
            else:
                c = g * d if finite else _times(g, d)
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
        steps.append(
            {
                "node": names[node],
                "seed": False,
                "upstream": g,
                "upstreamText": number(g, precision),
                "skipped": skipped,
                "inputs": inputs,
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
    dot = digraph(root, rankdir, max_nodes, show_local, precision, widest, "to_html")
    svg = pipe(dot, "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog: the SVG is inlined
    title = f"Backward pass from {root.label}" if root.label else "Backward pass"
    page = (
        _PAGE.replace("@TITLE@", html.escape(title))
        .replace("@CSS@", _CSS)
        .replace("@JS@", _JS)
        .replace("@SVG@", svg)
        .replace("@DATA@", _script_json(data))
    )
    write_atomic(path, page.encode("utf-8"))
    return path


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@TITLE@</title>
<style>@CSS@</style>
</head>
<body>
<header>
<h1>@TITLE@</h1>
<div id="controls" role="toolbar" aria-label="Step through the backward pass">
<button type="button" id="reset" title="Reset (Home)">Reset</button>
<button type="button" id="back" title="Back (Left arrow)">Back</button>
<button type="button" id="step" title="Step (Right arrow)">Step</button>
<button type="button" id="play" title="Play / Pause">Play</button>
<span id="status" aria-live="polite"></span>
</div>
<p id="explain"></p>
</header>
<main>
<div id="graph">@SVG@</div>
<div id="side">
<table id="current">
<caption>This step</caption>
<thead><tr><th>input</th><th>local derivative</th><th>upstream &times; local</th>
<th>input's grad now</th></tr></thead>
<tbody></tbody>
</table>
<table id="grads">
<caption>Every node</caption>
<thead><tr><th>node</th><th>op</th><th>data</th><th>grad</th></tr></thead>
<tbody></tbody>
</table>
</div>
</main>
<script>
const BACKPROP = @DATA@;
@JS@
</script>
</body>
</html>
"""

_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1rem 1rem; color: #222; }
h1 { font-size: 1.2rem; margin: .8rem 0 .4rem; }
#controls { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; }
button { font: inherit; padding: .25rem .8rem; cursor: pointer; }
#status { margin-left: .6rem; font-variant-numeric: tabular-nums; }
#explain { min-height: 1.4em; margin: .4rem 0; }
#graph { overflow: auto; border: 1px solid #ddd; margin-bottom: 1rem; }
#graph svg { display: block; margin: 0 auto; height: auto; }
#side { display: flex; gap: 1rem; flex-wrap: wrap; align-items: flex-start; }
#side table { flex: 1 1 24rem; border-collapse: collapse; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border: 1px solid #ddd; padding: .15rem .4rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.current td { background: #fde2e1; }
tr.input td { background: #e3efff; }
tr.hover td { outline: 1px solid #888; }
g.node.current polygon, g.node.current ellipse {
  fill: #fde2e1; stroke: #d62728; stroke-width: 2.5px;
}
g.node.input polygon { fill: #e3efff; stroke: #1f77b4; stroke-width: 2px; }
g.node.done polygon, g.node.done ellipse { fill: #f2f2f2; }
g.node.hover polygon, g.node.hover ellipse { stroke-width: 3px; }
g.edge.active path { stroke: #d62728; stroke-width: 2px; }
g.edge.active polygon { fill: #d62728; stroke: #d62728; }
g.edge.active text { fill: #d62728; font-weight: bold; }
text.changed { fill: #1f77b4; font-weight: bold; }
"""

_JS = r"""
(function () {
  "use strict";
  const D = BACKPROP;
  const steps = D.steps;
  const nodes = {};
  D.nodes.forEach(function (n) { nodes[n.id] = n; });
  const svg = document.querySelector("#graph svg");
  const groups = {};  // SVG <g> elements by Graphviz title ("v3", "op3", "v1->op3")
  svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
    const t = g.querySelector("title");
    if (!t) return;
    (groups[t.textContent] = groups[t.textContent] || []).push(g);
  });
  // Shrink a wide graph to fit, but not below 3/4 of its size: then the box scrolls.
  const natural = svg.width.baseVal.value;
  function fit() {
    const room = document.getElementById("graph").clientWidth;
    svg.style.width = Math.min(natural, Math.max(room, 0.75 * natural)) + "px";
  }
  fit();
  window.addEventListener("resize", fit);
  function each(title, f) { (groups[title] || []).forEach(f); }
  function gradText(id) {  // the record's last field is "grad ..."
    const g = (groups[id] || [])[0];
    if (!g) return null;
    const texts = g.querySelectorAll("text");
    return texts.length ? texts[texts.length - 1] : null;
  }

  const rows = {};
  const gradsBody = document.querySelector("#grads tbody");
  D.nodes.slice().reverse().forEach(function (n) {
    const tr = document.createElement("tr");
    tr.dataset.node = n.id;
    tr.innerHTML = "<td class='name'></td><td class='op'></td>" +
      "<td class='num data'></td><td class='num grad'></td>";
    tr.querySelector(".name").textContent = n.name;
    tr.querySelector(".op").textContent = n.op;
    tr.querySelector(".data").textContent = n.dataText;
    tr.addEventListener("mouseenter", function () { hover(n.id, true); });
    tr.addEventListener("mouseleave", function () { hover(n.id, false); });
    gradsBody.appendChild(tr);
    rows[n.id] = tr;
  });
  function hover(id, on) {
    rows[id].classList.toggle("hover", on);
    each(id, function (g) { g.classList.toggle("hover", on); });
  }

  let pos = 0;  // number of steps applied
  let timer = null;
  const btn = {};
  ["reset", "back", "step", "play"].forEach(function (k) { btn[k] = document.getElementById(k); });

  function show() {
    // Replay steps 0..pos-1 from zero grads: exact sums, also when going back.
    const grad = {}, text = {}, touched = {};
    D.nodes.forEach(function (n) { grad[n.id] = 0; text[n.id] = "0"; });
    for (let i = 0; i < pos; i++) {
      const s = steps[i];
      if (s.seed) { grad[s.node] = s.upstream; text[s.node] = s.upstreamText; }
      if (s.skipped) continue;
      s.inputs.forEach(function (e) {
        grad[e.id] = grad[e.id] + e.contribution;
        text[e.id] = e.afterText;
      });
    }
    const cur = pos > 0 ? steps[pos - 1] : null;
    if (cur) {
      touched[cur.node] = true;
      cur.inputs.forEach(function (e) { touched[e.id] = true; });
    }
    const marked = "g.current, g.input, g.done, g.active, text.changed";
    svg.querySelectorAll(marked).forEach(function (el) {
      el.classList.remove("current", "input", "done", "active", "changed");
    });
    for (let i = 1; i < pos - 1; i++) {
      each(steps[i].node, function (g) { g.classList.add("done"); });
    }
    D.nodes.forEach(function (n) {
      const tr = rows[n.id];
      tr.dataset.grad = String(grad[n.id]);
      tr.querySelector(".grad").textContent = text[n.id];
      tr.classList.remove("current", "input");
      const t = gradText(n.id);
      if (t) {
        t.textContent = "grad " + text[n.id];
        if (cur && touched[n.id] && (cur.seed || n.id !== cur.node)) t.classList.add("changed");
      }
    });
    const body = document.querySelector("#current tbody");
    body.textContent = "";
    const explain = document.getElementById("explain");
    if (!cur) {
      explain.textContent = "Press Step (or the right arrow) to start the backward pass from " +
        nodes[D.root].name + ".";
    } else {
      const n = nodes[cur.node];
      rows[cur.node].classList.add("current");
      each(cur.node, function (g) {
        g.classList.add("current");
        if (g.scrollIntoView) g.scrollIntoView({ block: "nearest", inline: "nearest" });
      });
      if (cur.seed) {
        explain.textContent = "Seed: d" + n.name + "/d" + n.name + " = 1, so " + n.name +
          ".grad = 1.";
      } else {
        each("op" + cur.node.slice(1), function (g) { g.classList.add("current"); });
        explain.textContent = n.name + " = " + n.expr + ": its grad " +
          cur.upstreamText + (cur.skipped ? " is 0, so nothing flows back." :
          " times each local derivative is added to its inputs' grads.");
        cur.inputs.forEach(function (e) {
          rows[e.id].classList.add("input");
          each(e.id, function (g) { g.classList.add("input"); });
          each(e.id + "->op" + cur.node.slice(1), function (g) { g.classList.add("active"); });
          const tr = document.createElement("tr");
          tr.dataset.node = e.id;
          tr.innerHTML = "<td></td><td class='num'></td><td class='num'></td><td class='num'></td>";
          const td = tr.querySelectorAll("td");
          td[0].textContent = nodes[e.id].name;
          td[1].textContent = e.localText;
          td[2].textContent = cur.upstreamText + " \u00d7 " + e.localText + " = " +
            e.contributionText;
          td[3].textContent = e.afterText;
          body.appendChild(tr);
        });
      }
    }
    document.getElementById("status").textContent = "Step " + pos + " of " + steps.length;
    btn.back.disabled = btn.reset.disabled = pos === 0;
    btn.step.disabled = pos === steps.length;
    document.body.dataset.step = String(pos);
  }

  function go(p) { pos = Math.max(0, Math.min(steps.length, p)); show(); }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    btn.play.textContent = "Play";
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (pos === steps.length) go(0);
    btn.play.textContent = "Pause";
    timer = setInterval(function () {
      go(pos + 1);
      if (pos >= steps.length) stop();
    }, 800);
  }
  btn.step.addEventListener("click", function () { stop(); go(pos + 1); });
  btn.back.addEventListener("click", function () { stop(); go(pos - 1); });
  btn.reset.addEventListener("click", function () { stop(); go(0); });
  btn.play.addEventListener("click", play);
  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const k = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
    if (k) { stop(); go(pos + k); ev.preventDefault(); }
    else if (ev.key === "Home") { stop(); go(0); ev.preventDefault(); }
    else if (ev.key === "End") { stop(); go(steps.length); ev.preventDefault(); }
  });
  document.body.dataset.steps = String(steps.length);
  show();
})();
"""
