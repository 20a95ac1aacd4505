"""The HTML pages of the commands: any list of blocks, rendered as one plain page.

A page shows its figures as the SVG files beside it (``<img>``), so a run's
folder can be opened or copied as it is. Two rules keep a page readable in a
browser window of ordinary width:

* a graph picture is never shrunk below one CSS pixel per SVG unit (so its
  9 pt edge labels stay at 9 px or more): a graph wider than the column is
  shown at full size in a box that scrolls sideways, with a link to the
  picture on its own;
* table cells wrap, and a table's ``key`` columns are marked so that they can
  be found (and are checked to be visible) however the table is laid out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from .blocks import Block, Code, Figure, Graph, Heading, Link, Paragraph, Table, fmt

__all__ = ["COLUMN_PX", "page", "render_block"]

COLUMN_PX = 960
"""Width of the page's text column in CSS pixels (the ``max-width`` of the body)."""

PX_PER_PT = 4 / 3
"""CSS pixels per point: an SVG ``width="100pt"`` is 133 px wide at its natural size."""

_STYLE = f"""
body {{ font-family: system-ui, sans-serif; max-width: {COLUMN_PX}px; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #222; }}
h1, h2 {{ line-height: 1.2; }}
table {{ border-collapse: collapse; margin: 1rem 0; font-variant-numeric: tabular-nums; }}
th, td {{ border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: left;
          vertical-align: top; }}
th.num, td.num {{ text-align: right; }}
th {{ background: #f3f3f3; }}
th.key {{ background: #e3e8fa; }}
.wide {{ overflow-x: auto; }}
figure {{ margin: 1.5rem 0; }}
figure img {{ max-width: 100%; height: auto; border: 1px solid #eee; }}
figure.full .scroll {{ overflow-x: auto; }}
figure.full img {{ max-width: none; }}
figcaption {{ color: #555; font-size: 0.9rem; }}
.finding {{ background: #f6f8ff; border-left: 4px solid #3f51b5; padding: 0.5rem 1rem; }}
code {{ background: #f3f3f3; padding: 0 0.2rem; }}
"""


def page(title: str, blocks: Sequence[Block], sizes: Mapping[str, tuple[float, float]]) -> str:
    """A complete HTML page: ``title`` as heading, then ``blocks`` in order.

    ``sizes`` gives each figure's width and height in SVG units (as
    ``plots.draw`` returns them), by file name.
    """
    body = "\n".join(render_block(b, sizes) for b in blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


def render_block(block: Block, sizes: Mapping[str, tuple[float, float]]) -> str:
    """One block as an HTML fragment."""
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Heading):
        return f"<h2>{html.escape(block.text)}</h2>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return _figure(block, sizes.get(block.file))
    raise TypeError(f"page: cannot render {type(block).__name__} {block!r}")


def _paragraph(p: Paragraph) -> str:
    parts = []
    for part in p.parts:
        if isinstance(part, Link):
            parts.append(f'<a href="{html.escape(part.href)}">{html.escape(part.text)}</a>')
        elif isinstance(part, Code):
            parts.append(f"<code>{html.escape(part.text)}</code>")
        else:
            parts.append(html.escape(part))
    cls = ' class="finding"' if p.lead else ""
    return f"<p{cls}>{''.join(parts)}</p>"


def _cell(v: object) -> str:
    return fmt(v) if isinstance(v, float) else str(v)


_NUMBER = re.compile(r"[\d\s.,%()+\-−eE]*")


def _numeric(column: Sequence[str]) -> bool:
    """Whether every cell of a column is a number or a list of numbers (then right-aligned)."""
    return bool(column) and all(_NUMBER.fullmatch(c) for c in column)


def _table(t: Table) -> str:
    cells = [[_cell(v) for v in r] for r in t.rows]
    numeric = [_numeric([r[i] for r in cells]) for i in range(len(t.headers))]

    def attrs(i: int, header: bool) -> str:
        names = (["key"] if header and i in t.key else []) + (["num"] if numeric[i] else [])
        return f' class="{" ".join(names)}"' if names else ""

    head = "".join(
        f'<th scope="col"{attrs(i, True)}>{html.escape(h)}</th>' for i, h in enumerate(t.headers)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{attrs(i, False)}>{html.escape(c)}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in cells
    )
    return (
        f'<div class="wide"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _figure(f: Figure, size: tuple[float, float] | None) -> str:
    text = html.escape(f.caption)
    src = html.escape(f.file)
    if size is None:
        return f'<figure><img src="{src}" alt="{text}"><figcaption>{text}</figcaption></figure>'
    width, height = round(size[0] * PX_PER_PT), round(size[1] * PX_PER_PT)
    img = f'<img src="{src}" alt="{text}" width="{width}" height="{height}">'
    if isinstance(f.content, Graph) and size[0] > COLUMN_PX:
        # Shrunk to the column, its text would fall below 1 px per SVG unit: show it
        # full size in a box that scrolls, and link the picture on its own.
        return (
            f'<figure class="graph full"><div class="scroll">{img}</div>'
            f'<figcaption>{text} (<a href="{src}">the full picture</a>)</figcaption></figure>'
        )
    cls = ' class="graph"' if isinstance(f.content, Graph) else ""
    return f"<figure{cls}>{img}<figcaption>{text}</figcaption></figure>"
