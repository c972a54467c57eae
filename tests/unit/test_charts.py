"""The console's SVG charts: data is escaped, bars are drawn to scale, every chart says in words
what it shows and carries its numbers as a table, and an empty period says so."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from console.chart_drawing import EN_COLOR, ES_COLOR, nice_scale
from console.charts import Bar, Series, bar_chart, column_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "quotes"'


def _svg(markup) -> ET.Element:
    return ET.fromstring(re.search(r"<svg.*</svg>", str(markup), re.S).group(0))


def _bars(svg: ET.Element, kind: str = "bar") -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == kind]


def _messages(english, spanish, **options):
    days = [f"Day {n}" for n in range(len(english))]
    series = [Series("English", english, EN_COLOR), Series("Spanish", spanish, ES_COLOR)]
    return column_chart(days, series, title="Messages", unit="messages", **options)


def test_stacked_bar_heights_are_proportional_to_the_values():
    svg = _svg(_messages([10, 0, 5], [20, 0, 0]))
    heights = {rect.find(f"{SVG}title").text: float(rect.get("height")) for rect in _bars(svg)}
    assert set(heights) == {
        "Day 0: English 10 messages",
        "Day 0: Spanish 20 messages",
        "Day 2: English 5 messages",
    }
    assert heights["Day 0: Spanish 20 messages"] == pytest.approx(
        2 * heights["Day 0: English 10 messages"], abs=0.02
    )
    assert heights["Day 0: English 10 messages"] == pytest.approx(
        2 * heights["Day 2: English 5 messages"], abs=0.02
    )
    english, spanish = sorted(_bars(svg)[:2], key=lambda rect: rect.get("fill") != EN_COLOR)
    # Spanish sits on top of English, from the same baseline.
    assert float(spanish.get("y")) + float(spanish.get("height")) == pytest.approx(
        float(english.get("y")), abs=0.02
    )


def test_grouped_bars_stand_side_by_side():
    svg = _svg(_messages([4, 2], [2, 0], stacked=False))
    bars = _bars(svg)
    assert len(bars) == 3
    first, second = bars[0], bars[1]
    assert float(second.get("x")) > float(first.get("x"))
    assert float(first.get("height")) == pytest.approx(2 * float(second.get("height")), abs=0.02)


def test_a_chart_sums_itself_up_in_words_and_in_a_table():
    markup = str(_messages([1, 2], [3, 1_500]))
    svg = _svg(markup)
    assert svg.get("role") == "img"
    summary = svg.get("aria-label")
    assert "1,506 messages over 2 days" in summary
    assert "English 3, Spanish 1,503" in summary and "Most: Day 1, 1,502" in summary
    assert svg.get("width") == "100%" and svg.get("viewBox").startswith("0 0 ")
    assert svg.find(f"{SVG}title").text == summary
    table = markup.split("<table", 1)[1]
    assert '<td>Day 1</td><td class="num">2</td><td class="num">1,500</td>' in table
    assert '<td class="num">1,502</td>' in table
    assert "<td>All</td>" in table


def test_every_label_from_data_is_escaped():
    bars = [Bar(HOSTILE, 3, href=f"/inbox?intent={HOSTILE}", note=HOSTILE)]
    column = column_chart(
        [HOSTILE],
        [Series(HOSTILE, [2], EN_COLOR)],
        title=HOSTILE,
        unit="messages",
        hrefs=['/x?a=1&b="2"'],
    )
    for markup in (
        bar_chart(
            bars, title=HOSTILE, unit="messages", label_heading="Intent", note_heading="Note"
        ),
        column,
    ):
        text = str(markup)
        assert "<script>" not in text
        assert "&lt;script&gt;" in text
        svg = _svg(markup)  # parses: nothing from the data broke out of a text or attribute
        # ...and reads back as the very text it was given.
        assert HOSTILE in svg.find(f"{SVG}title").text
    assert 'href="/x?a=1&amp;b=&#34;2&#34;"' in str(column)


def test_long_labels_are_shortened_in_the_drawing_only():
    label = "Parent College: Supporting homework at Markham"
    markup = str(bar_chart([Bar(label, 3)], title="Seats", unit="adults", label_heading="Session"))
    svg = _svg(markup)
    drawn = [element.text for element in svg.iter(f"{SVG}text")][0]
    assert drawn.endswith("…") and len(drawn) < len(label)
    assert f"<td>{label}</td>" in markup
    assert label in svg.get("aria-label")


def test_horizontal_bars_share_one_scale_and_draw_capacity_behind():
    markup = bar_chart(
        [Bar("Jan 16", 60, total=120, note="2 waitlisted"), Bar("Jan 23", 120, total=100)],
        title="Seats",
        unit="adults",
        label_heading="Session",
        total_heading="Capacity",
        note_heading="Waitlist",
    )
    svg = _svg(markup)
    first, second = (float(rect.get("width")) for rect in _bars(svg))
    assert second == pytest.approx(2 * first, abs=0.02)
    tracks = [float(rect.get("width")) for rect in _bars(svg, "track")]
    assert tracks == [pytest.approx(second, abs=0.01), pytest.approx(second * 100 / 120, abs=0.01)]
    assert "60 of 120 (2 waitlisted)" in svg.get("aria-label")
    assert '<td class="num">120</td><td class="num">2 waitlisted</td>' in str(markup)


def test_an_empty_period_says_so_instead_of_drawing():
    empty = _messages([0, 0, 0], [0, 0, 0], empty="No messages in this period")
    assert str(empty) == '<p class="muted chart-empty">No messages in this period</p>'
    no_bars = bar_chart(
        [], title="Top", unit="messages", label_heading="Intent", empty="No messages in this period"
    )
    assert "No messages in this period" in str(no_bars) and "<svg" not in str(no_bars)


@pytest.mark.parametrize(
    "peak, scale",
    [
        (0, (1, 1)),
        (1, (1, 1)),
        (3, (3, 1)),
        (7, (8, 2)),
        (10, (10, 5)),
        (87, (100, 25)),
        (1234, (1500, 500)),
    ],
)
def test_the_value_axis_uses_round_steps(peak, scale):
    assert nice_scale(peak) == scale
