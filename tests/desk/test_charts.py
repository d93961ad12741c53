"""Charts drawn by the app: SVG from numbers, without a database, script or inline style."""

import re
import xml.etree.ElementTree as ET

import pytest

from chamado.desk import charts

SVG = "{http://www.w3.org/2000/svg}"
DAYS = [f"day {n}" for n in range(1, 31)]


def parse(markup: str) -> ET.Element:
    """Well-formed XML, or ParseError."""
    return ET.fromstring(markup)


def daily(opened: list[int], answered: list[int], labels: list[str] = DAYS) -> str:
    return charts.opened_answered_chart(labels=labels, opened=opened, answered=answered)


def assert_accessible_without_style(markup: str, title: str) -> None:
    root = parse(markup)
    assert root.get("role") == "img"
    assert root.get("aria-label") == title
    assert root.find(f"{SVG}title").text == title  # type: ignore[union-attr]
    assert re.search(r"\sstyle\s*=", markup) is None
    assert "<style" not in markup and "<script" not in markup


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, [0, 1]),
        (3, [0, 1, 2, 3]),
        (5, [0, 1, 2, 3, 4, 5]),
        (7, [0, 2, 4, 6, 8]),
        (23, [0, 5, 10, 15, 20, 25]),
        (140, [0, 50, 100, 150]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_axis_ticks_are_round_numbers_covering_the_largest_value(largest, ticks) -> None:
    assert charts.nice_ticks(largest) == ticks


def test_daily_chart_draws_a_bar_per_day_with_tickets_and_a_point_per_day() -> None:
    opened = [0] * 30
    opened[3], opened[10] = 4, 2
    answered = [1] * 30

    root = parse(daily(opened, answered))
    bars = root.findall(f".//{SVG}g[@class='chart-bars']/{SVG}rect")
    points = root.findall(f".//{SVG}g[@class='chart-line']//{SVG}circle")

    assert [bar.find(f"{SVG}title").text for bar in bars] == [  # type: ignore[union-attr]
        "Tickets opened, day 4: 4",
        "Tickets opened, day 11: 2",
    ]
    assert len(points) == 30
    assert points[0].find(f"{SVG}title").text == "Replies to clients, day 1: 1"  # type: ignore[union-attr]
    # The taller bar is twice the shorter one (axis 0 to 4).
    heights = [float(bar.get("height", 0)) for bar in bars]
    assert heights[0] == pytest.approx(2 * heights[1])


def test_daily_chart_has_a_legend_axis_labels_and_an_accessible_name() -> None:
    markup = daily([2] * 30, [1] * 30)
    texts = [text.text for text in parse(markup).iter(f"{SVG}text")]

    assert_accessible_without_style(markup, "Tickets opened and answered per day")
    assert texts[:2] == ["Tickets opened", "Replies to clients"]
    assert texts[2:5] == ["0", "1", "2"]
    # Day labels every 7 days, counted back from the last (today).
    assert texts[5:] == ["day 2", "day 9", "day 16", "day 23", "day 30"]


def test_daily_chart_escapes_its_labels() -> None:
    labels = ["<script>x</script>", *DAYS[1:]]
    markup = charts.daily_chart(
        title='Opened & "answered"',
        labels=labels,
        bars=charts.Series(name="<i>Opened</i>", values=[1] * 30, color=charts.BRAND),
        line=charts.Series(name="A&B", values=[0] * 30, color=charts.OK),
        label_every=1,
    )

    assert "<script>" not in markup and "<i>" not in markup
    assert "&lt;script&gt;x&lt;/script&gt;" in markup
    assert 'aria-label="Opened &amp; &quot;answered&quot;"' in markup
    assert_accessible_without_style(markup, 'Opened & "answered"')


def test_daily_chart_with_no_tickets_draws_an_empty_axis() -> None:
    root = parse(daily([0] * 30, [0] * 30))
    assert root.findall(f".//{SVG}g[@class='chart-bars']/{SVG}rect") == []


def test_horizontal_chart_bars_are_proportional_and_a_row_without_value_shows_its_text() -> None:
    markup = charts.horizontal_bar_chart(
        title="Within target",
        bars=[
            charts.Bar(label="Support", value=50, text="50%"),
            charts.Bar(label="Billing", value=100, text="100%"),
            charts.Bar(label="Sales", value=None, text="nothing measured yet"),
        ],
        maximum=100,
    )
    root = parse(markup)
    widths = [float(rect.get("width", 0)) for rect in root.iter(f"{SVG}rect")]
    texts = [text.text for text in root.iter(f"{SVG}text")]

    assert_accessible_without_style(markup, "Within target")
    assert widths == [215, 430]
    assert "nothing measured yet" in texts and "50%" in texts and "100%" in texts


def test_horizontal_chart_escapes_department_names_and_clips_long_ones() -> None:
    long_name = "Infrastructure and Operations Team"
    markup = charts.horizontal_bar_chart(
        title="<b>Median</b>",
        bars=[
            charts.Bar(label="<b>Ops</b>", value=3, text="3 h"),
            charts.Bar(label=long_name, value=1, text="1 h"),
        ],
    )

    assert "<b>" not in markup
    assert "&lt;b&gt;Ops&lt;/b&gt;" in markup
    root = parse(markup)
    labels = [text for text in root.iter(f"{SVG}text") if text.get("text-anchor") == "end"]
    assert labels[1].find(f"{SVG}title").text == long_name  # type: ignore[union-attr]
    assert "".join(labels[1].itertext()).endswith("Infrastructure and Oper…")
    assert_accessible_without_style(markup, "<b>Median</b>")


def test_horizontal_chart_without_rows_is_still_a_valid_image() -> None:
    markup = charts.horizontal_bar_chart(title="Awaiting", bars=[])
    assert_accessible_without_style(markup, "Awaiting")
