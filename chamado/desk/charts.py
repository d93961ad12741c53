"""Charts drawn by the app: pure functions from numbers to SVG markup (no script, no styles).

The site's Content-Security-Policy forbids inline styles, so colours and sizes are SVG
presentation attributes (``fill``, ``font-size``), never a ``style`` attribute. Every text
comes in as plain text and is escaped here; the result is safe to put in a template.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 720
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9e2ec"
BRAND = "#0b5cad"
OK = "#1e7b34"
FONT_SIZE = 12
LABEL_MAX_CHARS = 24


@dataclass(frozen=True)
class Series:
    """One line or set of bars: its name in the legend, a value per point, its colour."""

    name: str
    values: Sequence[int]
    color: str


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart. ``text`` is the value as people read it."""

    label: str
    value: float | None
    text: str


def _n(value: float) -> str:
    """A coordinate, short: 12, 12.5."""
    return f"{value:.1f}".removesuffix(".0")


def _clip(label: str) -> str:
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…"


def _svg(*, title: str, height: float, body: list[str], css_class: str) -> SafeString:
    label = escape(title)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img"'
        f' aria-label="{label}" viewBox="0 0 {WIDTH} {_n(height)}" width="{WIDTH}"'
        f' height="{_n(height)}" font-size="{FONT_SIZE}" font-family="system-ui, sans-serif">'
        f"<title>{label}</title>" + "".join(body) + "</svg>"
    )


def nice_ticks(largest: float) -> list[int]:
    """0 up to a round number at or above ``largest``, in at most five equal steps of 1, 2
    or 5 times a power of ten."""
    if largest <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(largest / step) <= 5:
                return list(range(0, math.ceil(largest / step) * step + 1, step))
        magnitude *= 10


def daily_chart(
    *, title: str, labels: Sequence[str], bars: Series, line: Series, label_every: int = 7
) -> SafeString:
    """``bars`` as columns and ``line`` as a line with dots, one point per label; the axis
    labels every ``label_every`` points, counted back from the last one (today)."""
    count = len(labels)
    height = 280
    left, right, top, bottom = 44, 40, 40, height - 32
    slot = (WIDTH - left - right) / max(count, 1)
    ticks = nice_ticks(max([*bars.values, *line.values, 0]))
    ceiling = ticks[-1]

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / ceiling

    def x(index: int) -> float:
        return left + slot * (index + 0.5)

    # Legend, top left: a swatch and the name of each series; the second one starts after
    # the first name (about 7 units a character at this font size), whatever its language.
    second = left + 18 + 7 * len(bars.name) + 24
    body = [
        f'<g class="chart-legend" fill="{INK}">'
        f'<rect x="{left}" y="10" width="12" height="12" fill="{bars.color}"></rect>'
        f'<text x="{left + 18}" y="20">{escape(bars.name)}</text>'
        f'<line x1="{second}" y1="16" x2="{second + 24}" y2="16" stroke="{line.color}"'
        f' stroke-width="2"></line>'
        f'<circle cx="{second + 12}" cy="16" r="3" fill="{line.color}"></circle>'
        f'<text x="{second + 30}" y="20">{escape(line.name)}</text></g>',
        f'<g class="chart-axis" fill="{MUTED}">',
    ]
    for tick in ticks:
        body.append(
            f'<line x1="{left}" y1="{_n(y(tick))}" x2="{WIDTH - right}" y2="{_n(y(tick))}"'
            f' stroke="{GRID}"></line>'
            f'<text x="{left - 6}" y="{_n(y(tick) + 4)}" text-anchor="end">{tick}</text>'
        )
    for index, label in enumerate(labels):
        if (count - 1 - index) % label_every == 0:
            body.append(
                f'<line x1="{_n(x(index))}" y1="{bottom}" x2="{_n(x(index))}" y2="{bottom + 4}"'
                f' stroke="{MUTED}"></line>'
                f'<text x="{_n(x(index))}" y="{bottom + 18}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    body.append(
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - right}" y2="{bottom}" stroke="{MUTED}">'
        "</line></g>"
    )

    width = slot * 0.6
    body.append(f'<g class="chart-bars" fill="{bars.color}">')
    for index, (label, value) in enumerate(zip(labels, bars.values, strict=True)):
        if value:
            tip = _("%(series)s, %(label)s: %(value)s") % {
                "series": bars.name,
                "label": label,
                "value": value,
            }
            body.append(
                f'<rect x="{_n(x(index) - width / 2)}" y="{_n(y(value))}" width="{_n(width)}"'
                f' height="{_n(bottom - y(value))}"><title>{escape(tip)}</title></rect>'
            )
    body.append("</g>")

    points = " ".join(f"{_n(x(index))},{_n(y(value))}" for index, value in enumerate(line.values))
    body.append(
        f'<g class="chart-line"><polyline points="{points}" fill="none" stroke="{line.color}"'
        f' stroke-width="2"></polyline><g fill="{line.color}">'
    )
    for index, (label, value) in enumerate(zip(labels, line.values, strict=True)):
        tip = _("%(series)s, %(label)s: %(value)s") % {
            "series": line.name,
            "label": label,
            "value": value,
        }
        body.append(
            f'<circle cx="{_n(x(index))}" cy="{_n(y(value))}" r="3">'
            f"<title>{escape(tip)}</title></circle>"
        )
    body.append("</g></g>")
    return _svg(title=title, height=height, body=body, css_class="chart-daily")


def horizontal_bar_chart(
    *, title: str, bars: Sequence[Bar], maximum: float | None = None, color: str = BRAND
) -> SafeString:
    """One labelled row per bar, its length relative to ``maximum`` (the largest value when
    not given) and its ``text`` after it; a row without a value shows only the text."""
    row, top, label_width, text_room = 30, 8, 180, 110
    height = top * 2 + row * max(len(bars), 1)
    values = [bar.value for bar in bars if bar.value]
    largest = maximum or max(values, default=0) or 1
    track = WIDTH - label_width - text_room
    body = [f'<g class="chart-rows" fill="{INK}">']
    for index, bar in enumerate(bars):
        middle = top + row * index + row / 2
        length = track * min(bar.value or 0, largest) / largest
        body.append(
            f'<text x="{label_width - 8}" y="{_n(middle + 4)}" text-anchor="end">'
            f"<title>{escape(bar.label)}</title>{escape(_clip(bar.label))}</text>"
        )
        if length > 0:
            body.append(
                f'<rect x="{label_width}" y="{_n(middle - 9)}" width="{_n(max(length, 2))}"'
                f' height="18" fill="{color}"></rect>'
            )
        body.append(
            f'<text x="{_n(label_width + max(length, 0) + 6)}" y="{_n(middle + 4)}">'
            f"{escape(bar.text)}</text>"
        )
    body.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{_n(height - top)}"'
        f' stroke="{MUTED}"></line></g>'
    )
    return _svg(title=title, height=height, body=body, css_class="chart-horizontal")


def opened_answered_chart(
    *, labels: Sequence[str], opened: Sequence[int], answered: Sequence[int]
) -> SafeString:
    """Tickets opened (bars) and replies sent to clients (line), per day."""
    return daily_chart(
        title=_("Tickets opened and answered per day"),
        labels=labels,
        bars=Series(name=_("Tickets opened"), values=opened, color=BRAND),
        line=Series(name=_("Replies to clients"), values=answered, color=OK),
    )
