"""The drawing under the console's charts: a palette, escaped SVG elements and the numbers
table that goes with every chart. Every piece of text goes through `element`, which escapes it:
labels come from data (intent names, session titles)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

EN_COLOR = "#2f5fb3"
ES_COLOR = "#b34a2f"
OTHER_COLOR = "#8a94a6"
BRAND_COLOR = "#0b5c8c"
GOOD_COLOR = "#1d6b36"
BAD_COLOR = "#a32020"
TRACK_COLOR = "#e3e8ef"
GRID_COLOR = "#d9dee7"
INK_COLOR = "#1d2330"
MUTED_COLOR = "#5b6475"

WIDTH = 600
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
SVG_NS = "http://www.w3.org/2000/svg"
# Beyond these, numbers above the bars would run into each other.
MAX_VALUE_LABELS = 16
MAX_AXIS_LABELS = 8
MAX_LABEL_CHARS = 28
# Roughly how wide a character of the chart's text is, to leave room for it.
CHAR_WIDTH = 7.6


def _attr_name(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def element(tag: str, *children, **attrs) -> Markup:
    """An element whose attribute values and text children are escaped; Markup children (other
    elements) are kept as they are."""
    attributes = "".join(
        f' {_attr_name(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not None
    )
    inner = Markup("").join(escape(child) for child in children)
    return Markup(f"<{tag}{attributes}>") + inner + Markup(f"</{tag}>")


def coord(value: float) -> str:
    """A coordinate, short: 12.5 not 12.500000001."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def number(value: int) -> str:
    return f"{value:,}"


def shortened(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def nice_scale(peak: float, ticks: int = 4) -> tuple[int, int]:
    """The axis top and step for counts up to `peak`: a whole step of 1, 2, 2.5 or 5 times a
    power of ten, about `ticks` steps in all."""
    if peak <= 0:
        return 1, 1
    raw = peak / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (m * magnitude for m in (1, 2, 2.5, 5, 10))
    step = next(s for s in steps if s >= raw and s >= 1 and float(s).is_integer())
    step = int(step)
    return math.ceil(peak / step) * step, step


def empty_chart(message: str) -> Markup:
    return element("p", message, class_="muted chart-empty")


def svg_root(height: float, summary: str, *children: Markup) -> Markup:
    return element(
        "svg",
        element("title", summary),
        *children,
        xmlns=SVG_NS,
        viewBox=f"0 0 {WIDTH} {coord(height)}",
        width="100%",
        role="img",
        aria_label=summary,
        font_family=FONT,
        font_size="14",
        fill=INK_COLOR,
        class_="chart-svg",
    )


def canvas(height: float, summary: str, parts: list[Markup]) -> Markup:
    # The wrapper scrolls sideways on a phone rather than shrinking the text past reading.
    return element("div", svg_root(height, summary, *parts), class_="chart-canvas")


def text_at(content: str, x: float, y: float, **attrs) -> Markup:
    return element("text", content, x=coord(x), y=coord(y), **attrs)


def rect(x: float, y: float, width: float, height: float, color: str, tip: str, **attrs):
    return element(
        "rect",
        element("title", tip),
        x=coord(x),
        y=coord(y),
        width=coord(width),
        height=coord(height),
        fill=color,
        **attrs,
    )


def linked(href: str | None, *children: Markup) -> Markup:
    if href is None:
        return Markup("").join(children)
    return element("a", *children, href=href)


def numbers_table(head: Sequence[str], rows: Sequence[Sequence], numeric_from: int = 1):
    """The chart's figures as a table: rows of cells, a cell is text, Markup, or a number."""

    def cell(tag: str, index: int, value) -> Markup:
        numeric = index >= numeric_from
        content = number(value) if isinstance(value, int) else value
        return element(tag, content, class_="num" if numeric else None)

    header = element("tr", *(cell("th", i, text) for i, text in enumerate(head)))
    body = Markup("").join(
        element("tr", *(cell("td", i, value) for i, value in enumerate(row))) for row in rows
    )
    table = element("table", element("thead", header), element("tbody", body), class_="small")
    return element(
        "details",
        element("summary", "The numbers"),
        element("div", table, class_="scroll"),
        class_="chart-numbers",
    )
