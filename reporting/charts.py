"""Small server-rendered SVG charts: lines over time and bars per thing. No JavaScript.

Figures stay Decimal everywhere else; only pixel positions are computed in floating point. The
SVG uses presentation attributes (no inline styles), so the Content Security Policy allows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ["#1f6fb2", "#2e8540", "#c4661f", "#7b3fa0", "#b8334a", "#4a8a8c", "#8a6d1f", "#555"]


@dataclass(frozen=True)
class Size:
    """A chart's drawing box in SVG units, its text size and how many period labels fit."""

    width: int
    height: int
    left: int
    font: int
    max_labels: int
    css_class: str
    top: int = 30
    # A phone's drawing leaves its title to the figure's caption, which wraps.
    draws_title: bool = True


# Wide for a desktop (720 units shown at up to ~1150 px); narrow for a phone: 340 units shown at
# about 300 px, so 13-unit text renders at 11 px or more on a 360 px screen (CSS shows one).
WIDE = Size(width=720, height=280, left=78, font=11, max_labels=8, css_class="chart chart-wide")
NARROW = Size(
    width=340,
    height=240,
    left=62,
    font=13,
    max_labels=4,
    css_class="chart chart-narrow",
    top=14,
    draws_title=False,
)
WIDTH, HEIGHT = WIDE.width, WIDE.height
RIGHT, BOTTOM = 16, 46


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    # The same chart drawn for a phone; the page shows one of the two (static/css/phone.css).
    narrow: SafeString = mark_safe("")


def _label(value: Decimal | float) -> str:
    value = Decimal(str(value))
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def _scale(values: Sequence[Decimal | None]) -> tuple[float, float]:
    present = [float(v) for v in values if v is not None]
    low = min([0.0, *present])
    high = max([0.0, *present])
    if high == low:
        high = low + 1
    return low, high


def _frame(title: str, low: float, high: float, unit: str, size: Size) -> list[str]:
    plot_h = size.height - size.top - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size.width} {size.height}" '
        f'class="{size.css_class}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if size.draws_title:
        parts.append(
            f'<text x="{size.left}" y="18" font-size="{size.font + 3}" font-weight="bold" fill="#222">'
            f"{escape(title)}</text>"
        )
    for i in range(5):
        value = low + (high - low) * i / 4
        y = size.top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{size.left}" x2="{size.width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd" />'
            f'<text x="{size.left - 6}" y="{y + 4:.1f}" font-size="{size.font}" text-anchor="end" '
            f'fill="#555">'
            f"{escape(_label(round(value, 2)))}{escape(unit)}</text>"
        )
    return parts


def _y(value: float, low: float, high: float, size: Size = WIDE) -> float:
    plot_h = size.height - size.top - BOTTOM
    return size.top + plot_h - plot_h * (value - low) / (high - low)


def _x_labels(labels: Sequence[str], xs: Sequence[float], size: Size) -> list[str]:
    most = size.max_labels
    step = max(1, len(labels) // most + (1 if len(labels) % most else 0))
    return [
        f'<text x="{x:.1f}" y="{size.height - BOTTOM + 16}" font-size="{size.font}" text-anchor="middle" '
        f'fill="#555">{escape(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % step == 0
    ]


def _legend(names: Sequence[str], size: Size) -> tuple[list[str], int]:
    """The series names under the plot, wrapped onto more rows rather than run off the edge; and
    the height the drawing needs for them."""
    parts, x, y = [], size.left, size.height - 7
    for i, name in enumerate(names):
        colour = COLOURS[i % len(COLOURS)]
        advance = 24 + int(size.font * 0.62 * len(name))
        if x > size.left and x + advance > size.width:
            x, y = size.left, y + size.font + 6
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}" />'
            f'<text x="{x + 14}" y="{y}" font-size="{size.font}" fill="#333">{escape(name)}</text>'
        )
        x += advance
    return parts, max(size.height, y + 7)


def _line_svg(title, labels, series, unit: str, size: Size) -> str:
    low, high = _scale([v for _, values in series for v in values])
    parts = _frame(title, low, high, unit, size)
    n = len(labels)
    span = size.width - size.left - RIGHT
    xs = [size.left + (span * (i + 0.5) / n if n else 0) for i in range(n)]
    parts += _x_labels(labels, xs, size)
    for index, (_name, values) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = [
            f"{x:.1f},{_y(float(v), low, high, size):.1f}"
            for x, v in zip(xs, values, strict=True)
            if v is not None
        ]
        if len(points) == 1:
            cx, cy = points[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}" />')
        elif points:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(points)}" />'
            )
    legend, height = _legend([name for name, _ in series], size)
    parts += legend
    parts.append("</svg>")
    svg = "".join(parts)
    if height > size.height:  # the legend wrapped: a taller drawing box
        svg = svg.replace(f"0 0 {size.width} {size.height}", f"0 0 {size.width} {height}", 1)
    return svg


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal | None]]], unit: str = ""
) -> Chart:
    """One line per series over the labels (periods); a missing value breaks the line."""
    wide, narrow = (_line_svg(title, labels, series, unit, size) for size in (WIDE, NARROW))
    return Chart(title, mark_safe(wide), mark_safe(narrow))  # noqa: S308 - every text above is escaped


def _bar_svg(title, labels, values, unit: str, size: Size) -> str:
    low, high = _scale(values)
    parts = _frame(title, low, high, unit, size)
    n = max(len(labels), 1)
    span = size.width - size.left - RIGHT
    width = span / n
    xs = [size.left + width * (i + 0.5) for i in range(len(labels))]
    zero = _y(0.0, low, high, size)
    for x, value in zip(xs, values, strict=True):
        if value is None:
            continue
        y = _y(float(value), low, high, size)
        top, height = min(y, zero), abs(zero - y)
        parts.append(
            f'<rect x="{x - width * 0.35:.1f}" y="{top:.1f}" width="{width * 0.7:.1f}" '
            f'height="{height:.1f}" fill="{COLOURS[0]}"><title>{escape(_label(value))}</title></rect>'
        )
    parts += _x_labels(labels, xs, size)
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[Decimal | None], unit: str = "") -> Chart:
    wide, narrow = (_bar_svg(title, labels, values, unit, size) for size in (WIDE, NARROW))
    return Chart(title, mark_safe(wide), mark_safe(narrow))  # noqa: S308 - every text above is escaped
