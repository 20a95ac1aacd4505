"""The interactive page of ``chainrule question``: one self-contained HTML file.

``render(data)`` takes what ``interactive.page_data`` computed and returns
the page: its text, a stylesheet, the data as one JSON script element and a
script that draws it. The script only looks numbers up and draws them (SVG
charts, decision regions as rectangles); no number it shows is computed in
the browser. The page loads nothing: no fonts, no scripts, no network.

The page's HTML, CSS and script are package data in ``templates/``
(``question.html``, ``question.css``, ``question.js``). The JSON is embedded
in ``<script type="application/json">``, escaped so that no string in it
can end the element (``<``, ``>``, ``&`` and the two JavaScript line
separators become ``\\uXXXX`` escapes, which JSON.parse reads back).
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["DATA_ID", "embed_json", "render", "template"]

DATA_ID = "chainrule-data"
"""The id of the script element that holds the page's data."""

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_PLACEHOLDER = re.compile(r"@([A-Z]+)@")


@functools.cache
def template(name: str) -> str:
    """The text of ``templates/<name>``, package data shipped beside this module."""
    return (importlib.resources.files("chainrule") / "templates" / name).read_text(encoding="utf-8")


def embed_json(data: object) -> str:
    """``data`` as compact JSON that is safe inside a ``<script>`` element.

    NaN and infinity are refused (JSON has neither). ``JSON.parse`` (or
    ``json.loads``) of the element's text gives ``data`` back exactly:
    floats are written by their shortest repr, which reads back bit for bit.
    """
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return "".join(_ESCAPES.get(c, c) for c in text)


def render(data: Mapping[str, Any], *, details: str | None = "report.html") -> str:
    """The whole page for ``data``; ``details`` is the static report it links to (or None)."""
    links = ""
    if details:
        href = html.escape(details)
        links = (
            '<p class="details">The same experiments as a static report, with every table '
            f'and graph: <a href="{href}">{href}</a> (every number in '
            '<a href="report.json">report.json</a>).</p>'
        )
    parts = {
        "CSS": template("question.css"),
        "JS": template("question.js"),
        "DATA": embed_json(data),
        "DETAILS": links,
    }
    # one pass, so that nothing substituted is searched for placeholders again
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], template("question.html"))
