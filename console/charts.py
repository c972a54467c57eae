"""Small charts drawn on the server as inline SVG: no JavaScript library and nothing from another
site, so the console works on a closed network and under its strict Content-Security-Policy.

Each chart is an <svg role="img"> whose aria-label sums it up in words, with a <title> tooltip on
every bar, followed by its numbers in a table (for people who read tables, and screen readers).
The drawing scales with its container (viewBox, width 100%); the elements and the palette are in
console/chart_drawing.py."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from .chart_drawing import (
    BRAND_COLOR,
    CHAR_WIDTH,
    GRID_COLOR,
    MAX_AXIS_LABELS,
    MAX_VALUE_LABELS,
    MUTED_COLOR,
    TRACK_COLOR,
    WIDTH,
    canvas,
    coord,
    element,
    empty_chart,
    linked,
    nice_scale,
    number,
    numbers_table,
    rect,
    shortened,
    text_at,
)


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


def _legend(series: Sequence[Series], x: float, y: float) -> Markup:
    items = []
    for item in series:
        items.append(
            element("rect", x=coord(x), y=coord(y - 10), width="12", height="12", fill=item.color)
        )
        items.append(text_at(item.label, x + 17, y))
        x += 17 + CHAR_WIDTH * len(item.label) + 18
    return element("g", *items, class_="legend")


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
                column += text_at(
                    number(totals[i]),
                    axes.x(i + 0.5),
                    axes.y(totals[i]) - 4,
                    text_anchor="middle",
                    font_size="13",
                )
        else:
            column = _grouped_column(axes, i, category, series, show_values)
        parts.append(linked(hrefs[i], column))
    parts.extend(_category_axis(axes, ticks or categories))

    summary = _column_summary(title, unit, categories, series, totals, category_heading)
    table = _column_table(categories, series, totals, hrefs, category_heading)
    return element("figure", canvas(height, summary, parts), table, class_="chart")


def _value_axis(axes: _Axes, step: int, unit: str) -> list[Markup]:
    parts = []
    for tick in range(0, axes.top + 1, step):
        y = coord(axes.y(tick))
        parts.append(element("line", x1=coord(axes.left), x2=WIDTH, y1=y, y2=y, stroke=GRID_COLOR))
        parts.append(
            text_at(
                number(tick), axes.left - 6, axes.y(tick) + 4, text_anchor="end", fill=MUTED_COLOR
            )
        )
    middle = axes.base - axes.plot_h / 2
    parts.append(
        text_at(unit, -middle, 14, transform="rotate(-90)", text_anchor="middle", fill=MUTED_COLOR)
    )
    return parts


def _category_axis(axes: _Axes, ticks: Sequence[str]) -> list[Markup]:
    every = math.ceil(len(ticks) / MAX_AXIS_LABELS)
    return [
        text_at(
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
                rect(
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
    return element("g", *bars)


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
            rect(x, axes.y(value), width, axes.height(value), item.color, tip, class_="bar")
        )
        if show_values:
            bars.append(
                text_at(
                    number(value),
                    x + width / 2,
                    axes.y(value) - 4,
                    text_anchor="middle",
                    font_size="13",
                )
            )
    return element("g", *bars)


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
        label = element("a", category, href=hrefs[i]) if hrefs[i] else category
        values = [item.values[i] for item in series]
        rows.append([label, *values, *([totals[i]] if several else [])])
    sums = [sum(item.values) for item in series]
    rows.append(["All", *sums, *([sum(sums)] if several else [])])
    return numbers_table(head, rows)


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
        row = [text_at(shortened(bar.label), label_w - 8, y + bar_h - 4, text_anchor="end")]
        if bar.total:
            row.append(
                rect(
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
                rect(label_w, y, bar.value / peak * plot_w, bar_h, color, described, class_="bar")
            )
        end = max(bar.value, bar.total or 0) / peak * plot_w
        row.append(text_at(_value_text(bar), label_w + end + 6, y + bar_h - 4, fill=MUTED_COLOR))
        parts.append(linked(bar.href, *row))

    listed = "; ".join(f"{bar.label}: {_value_text(bar)}" for bar in bars)
    summary = f"{title}. {listed}."
    head = [label_heading, unit[:1].upper() + unit[1:]]
    if total_heading:
        head.append(total_heading)
    if note_heading:
        head.append(note_heading)
    rows = []
    for bar in bars:
        label = element("a", bar.label, href=bar.href) if bar.href else bar.label
        row = [label, bar.value]
        if total_heading:
            row.append(bar.total if bar.total is not None else "")
        if note_heading:
            row.append(bar.note)
        rows.append(row)
    return element(
        "figure", canvas(height, summary, parts), numbers_table(head, rows), class_="chart"
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
