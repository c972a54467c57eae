"""Small charts drawn on the server as inline SVG: no JavaScript library and nothing from another
site, so the console works on a closed network and under its strict Content-Security-Policy.

Each chart is an <svg role="img"> whose aria-label sums it up in words, with a <title> tooltip on
every bar, followed by its numbers in a table (for people who read tables, and screen readers).
Every piece of text goes through `_el`, which escapes it: labels come from data (intent names,
session titles). The drawing scales with its container (viewBox, width 100%)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# The same colours as --en, --es and the console's palette in console.css.
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


@dataclass(frozen=True)
class Series:
    """One coloured part of every column (a language, opt-outs...)."""

    label: str
    values: Sequence[int]
    color: str


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart. `total` (a capacity) is drawn as a track behind it."""

    label: str
    value: int
    total: int | None = None
    href: str | None = None
    note: str = ""


def _attr_name(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def _el(tag: str, *children, **attrs) -> Markup:
    """An element whose attribute values and text children are escaped; Markup children (other
    elements) are kept as they are."""
    attributes = "".join(
        f' {_attr_name(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not None
    )
    inner = Markup("").join(escape(child) for child in children)
    return Markup(f"<{tag}{attributes}>") + inner + Markup(f"</{tag}>")


def _n(value: float) -> str:
    """A coordinate, short: 12.5 not 12.500000001."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def number(value: int) -> str:
    return f"{value:,}"


def _short(label: str) -> str:
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
    return _el("p", message, class_="muted chart-empty")


def _svg(height: float, summary: str, *children: Markup) -> Markup:
    return _el(
        "svg",
        _el("title", summary),
        *children,
        xmlns=SVG_NS,
        viewBox=f"0 0 {WIDTH} {_n(height)}",
        width="100%",
        role="img",
        aria_label=summary,
        font_family=FONT,
        font_size="14",
        fill=INK_COLOR,
        class_="chart-svg",
    )


def _canvas(height: float, summary: str, parts: list[Markup]) -> Markup:
    # The wrapper scrolls sideways on a phone rather than shrinking the text past reading.
    return _el("div", _svg(height, summary, *parts), class_="chart-canvas")


def _text(content: str, x: float, y: float, **attrs) -> Markup:
    return _el("text", content, x=_n(x), y=_n(y), **attrs)


def _rect(x: float, y: float, width: float, height: float, color: str, tip: str, **attrs):
    return _el(
        "rect",
        _el("title", tip),
        x=_n(x),
        y=_n(y),
        width=_n(width),
        height=_n(height),
        fill=color,
        **attrs,
    )


def _linked(href: str | None, *children: Markup) -> Markup:
    if href is None:
        return Markup("").join(children)
    return _el("a", *children, href=href)


def _numbers_table(head: Sequence[str], rows: Sequence[Sequence], numeric_from: int = 1):
    """The chart's figures as a table: rows of cells, a cell is text, Markup, or a number."""

    def cell(tag: str, index: int, value) -> Markup:
        numeric = index >= numeric_from
        content = number(value) if isinstance(value, int) else value
        return _el(tag, content, class_="num" if numeric else None)

    header = _el("tr", *(cell("th", i, text) for i, text in enumerate(head)))
    body = Markup("").join(
        _el("tr", *(cell("td", i, value) for i, value in enumerate(row))) for row in rows
    )
    table = _el("table", _el("thead", header), _el("tbody", body), class_="small")
    return _el(
        "details",
        _el("summary", "The numbers"),
        _el("div", table, class_="scroll"),
        class_="chart-numbers",
    )


def _legend(series: Sequence[Series], x: float, y: float) -> Markup:
    items = []
    for item in series:
        items.append(_el("rect", x=_n(x), y=_n(y - 10), width="12", height="12", fill=item.color))
        items.append(_text(item.label, x + 17, y))
        x += 17 + CHAR_WIDTH * len(item.label) + 18
    return _el("g", *items, class_="legend")


@dataclass(frozen=True)
class _Axes:
    """Where a column chart's values land: columns left to right, counts bottom to top."""

    left: float
    base: float
    plot_h: float
    slot: float
    top: int

    def x(self, index: int) -> float:
        return self.left + index * self.slot

    def height(self, value: float) -> float:
        return value / self.top * self.plot_h

    def y(self, value: float) -> float:
        return self.base - self.height(value)


def column_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    unit: str,
    stacked: bool = True,
    ticks: Sequence[str] | None = None,
    hrefs: Sequence[str | None] | None = None,
    category_heading: str = "Day",
    empty: str = "Nothing in this period",
) -> Markup:
    """Columns over time (one per day or week): the series stacked, or side by side."""
    count = len(categories)
    totals = [sum(item.values[i] for item in series) for i in range(count)]
    if not any(totals):
        return empty_chart(empty)
    hrefs = hrefs or [None] * count
    peak = max(totals) if stacked else max(max(item.values) for item in series)
    top, step = nice_scale(peak)
    height, left, right, top_margin, bottom = 270, 64, 8, 38, 36
    plot_h = height - top_margin - bottom
    axes = _Axes(left, top_margin + plot_h, plot_h, (WIDTH - left - right) / count, top)

    parts = [_legend(series, left, 16), *_value_axis(axes, step, unit)]
    show_values = count * (1 if stacked else len(series)) <= MAX_VALUE_LABELS
    for i, category in enumerate(categories):
        if stacked:
            column = _stacked_column(axes, i, category, series, unit)
            if show_values:
                column += _text(
                    number(totals[i]),
                    axes.x(i + 0.5),
                    axes.y(totals[i]) - 4,
                    text_anchor="middle",
                    font_size="13",
                )
        else:
            column = _grouped_column(axes, i, category, series, show_values)
        parts.append(_linked(hrefs[i], column))
    parts.extend(_category_axis(axes, ticks or categories))

    summary = _column_summary(title, unit, categories, series, totals, category_heading)
    table = _column_table(categories, series, totals, hrefs, category_heading)
    return _el("figure", _canvas(height, summary, parts), table, class_="chart")


def _value_axis(axes: _Axes, step: int, unit: str) -> list[Markup]:
    parts = []
    for tick in range(0, axes.top + 1, step):
        y = _n(axes.y(tick))
        parts.append(_el("line", x1=_n(axes.left), x2=WIDTH, y1=y, y2=y, stroke=GRID_COLOR))
        parts.append(
            _text(
                number(tick), axes.left - 6, axes.y(tick) + 4, text_anchor="end", fill=MUTED_COLOR
            )
        )
    middle = axes.base - axes.plot_h / 2
    parts.append(
        _text(unit, -middle, 14, transform="rotate(-90)", text_anchor="middle", fill=MUTED_COLOR)
    )
    return parts


def _category_axis(axes: _Axes, ticks: Sequence[str]) -> list[Markup]:
    every = math.ceil(len(ticks) / MAX_AXIS_LABELS)
    return [
        _text(
            ticks[i],
            axes.x(i + 0.5),
            axes.base + 20,
            text_anchor="middle",
            fill=MUTED_COLOR,
            font_size="13",
        )
        for i in range(0, len(ticks), every)
    ]


def _stacked_column(axes: _Axes, i: int, category: str, series, unit: str) -> Markup:
    bars = []
    top = axes.base
    for item in series:
        value = item.values[i]
        if value:
            height = axes.height(value)
            tip = f"{category}: {item.label} {number(value)} {unit}"
            bars.append(
                _rect(
                    axes.x(i + 0.15),
                    top - height,
                    axes.slot * 0.7,
                    height,
                    item.color,
                    tip,
                    class_="bar",
                )
            )
            top -= height
    return _el("g", *bars)


def _grouped_column(axes: _Axes, i: int, category: str, series, show_values: bool) -> Markup:
    bars = []
    width = axes.slot * 0.8 / len(series)
    for j, item in enumerate(series):
        value = item.values[i]
        if not value:
            continue
        x = axes.x(i + 0.1) + j * width
        tip = f"{category}: {item.label} {number(value)}"
        bars.append(
            _rect(x, axes.y(value), width, axes.height(value), item.color, tip, class_="bar")
        )
        if show_values:
            bars.append(
                _text(
                    number(value),
                    x + width / 2,
                    axes.y(value) - 4,
                    text_anchor="middle",
                    font_size="13",
                )
            )
    return _el("g", *bars)


def _column_summary(title, unit, categories, series, totals, category_heading) -> str:
    by_series = ", ".join(f"{item.label} {number(sum(item.values))}" for item in series)
    busiest = max(range(len(categories)), key=lambda i: totals[i])
    return (
        f"{title}: {number(sum(totals))} {unit} over {len(categories)} "
        f"{category_heading.lower()}s ({by_series}). "
        f"Most: {categories[busiest]}, {number(totals[busiest])}."
    )


def _column_table(categories, series, totals, hrefs, category_heading) -> Markup:
    several = len(series) > 1
    head = [category_heading, *(item.label for item in series), *(["Total"] if several else [])]
    rows = []
    for i, category in enumerate(categories):
        label = _el("a", category, href=hrefs[i]) if hrefs[i] else category
        values = [item.values[i] for item in series]
        rows.append([label, *values, *([totals[i]] if several else [])])
    sums = [sum(item.values) for item in series]
    rows.append(["All", *sums, *([sum(sums)] if several else [])])
    return _numbers_table(head, rows)


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str,
    label_heading: str,
    total_heading: str | None = None,
    note_heading: str | None = None,
    color: str = BRAND_COLOR,
    empty: str = "Nothing in this period",
) -> Markup:
    """Horizontal bars, largest scale shared by all rows; a row's `total` is drawn behind it as a
    grey track (registrations against capacity)."""
    if not bars or not any(bar.value or bar.total for bar in bars):
        return empty_chart(empty)
    row_h, bar_h, top_margin = 32, 20, 6
    label_w = 230
    longest = max(len(_value_text(bar)) for bar in bars)
    plot_w = WIDTH - label_w - min(longest * CHAR_WIDTH + 12, 240)
    height = top_margin + row_h * len(bars) + 4
    peak = max(max(bar.value, bar.total or 0) for bar in bars) or 1

    parts = []
    for i, bar in enumerate(bars):
        y = top_margin + i * row_h
        described = f"{bar.label}: {_value_text(bar, unit)}"
        row = [_text(_short(bar.label), label_w - 8, y + bar_h - 4, text_anchor="end")]
        if bar.total:
            row.append(
                _rect(
                    label_w,
                    y,
                    bar.total / peak * plot_w,
                    bar_h,
                    TRACK_COLOR,
                    described,
                    class_="track",
                )
            )
        if bar.value:
            row.append(
                _rect(label_w, y, bar.value / peak * plot_w, bar_h, color, described, class_="bar")
            )
        end = max(bar.value, bar.total or 0) / peak * plot_w
        row.append(_text(_value_text(bar), label_w + end + 6, y + bar_h - 4, fill=MUTED_COLOR))
        parts.append(_linked(bar.href, *row))

    listed = "; ".join(f"{bar.label}: {_value_text(bar)}" for bar in bars)
    summary = f"{title}. {listed}."
    head = [label_heading, unit[:1].upper() + unit[1:]]
    if total_heading:
        head.append(total_heading)
    if note_heading:
        head.append(note_heading)
    rows = []
    for bar in bars:
        label = _el("a", bar.label, href=bar.href) if bar.href else bar.label
        row = [label, bar.value]
        if total_heading:
            row.append(bar.total if bar.total is not None else "")
        if note_heading:
            row.append(bar.note)
        rows.append(row)
    return _el(
        "figure", _canvas(height, summary, parts), _numbers_table(head, rows), class_="chart"
    )


def _value_text(bar: Bar, unit: str = "") -> str:
    """ "80 of 120 (5 waitlisted)"; with the unit for tooltips: "80 of 120 adults (...)"."""
    text = number(bar.value)
    if bar.total:
        text += f" of {number(bar.total)}"
    if unit:
        text += f" {unit}"
    if bar.note:
        text += f" ({bar.note})"
    return text
