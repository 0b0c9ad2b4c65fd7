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

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 78, 16, 30, 46
COLOURS = ["#1f6fb2", "#2e8540", "#c4661f", "#7b3fa0", "#b8334a", "#4a8a8c", "#8a6d1f", "#555"]


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString


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


def _frame(title: str, low: float, high: float, unit: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold" fill="#222">{escape(title)}</text>',
    ]
    for i in range(5):
        value = low + (high - low) * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd" />'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">'
            f"{escape(_label(round(value, 2)))}{escape(unit)}</text>"
        )
    return parts


def _y(value: float, low: float, high: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h - plot_h * (value - low) / (high - low)


def _x_labels(labels: Sequence[str], xs: Sequence[float]) -> list[str]:
    step = max(1, len(labels) // 8 + (1 if len(labels) % 8 else 0))
    return [
        f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" text-anchor="middle" '
        f'fill="#555">{escape(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % step == 0
    ]


def _legend(names: Sequence[str]) -> list[str]:
    parts, x = [], LEFT
    for i, name in enumerate(names):
        colour = COLOURS[i % len(COLOURS)]
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" fill="{colour}" />'
            f'<text x="{x + 14}" y="{HEIGHT - 7}" font-size="11" fill="#333">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return parts


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal | None]]], unit: str = ""
) -> Chart:
    """One line per series over the labels (periods); a missing value breaks the line."""
    low, high = _scale([v for _, values in series for v in values])
    parts = _frame(title, low, high, unit)
    n = len(labels)
    span = WIDTH - LEFT - RIGHT
    xs = [LEFT + (span * (i + 0.5) / n if n else 0) for i in range(n)]
    parts += _x_labels(labels, xs)
    for index, (_name, values) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = [
            f"{x:.1f},{_y(float(v), low, high):.1f}" for x, v in zip(xs, values, strict=True) if v is not None
        ]
        if len(points) == 1:
            cx, cy = points[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}" />')
        elif points:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(points)}" />'
            )
    parts += _legend([name for name, _ in series])
    parts.append("</svg>")
    return Chart(title, mark_safe("".join(parts)))  # noqa: S308 - every text above is escaped


def bar_chart(title: str, labels: Sequence[str], values: Sequence[Decimal | None], unit: str = "") -> Chart:
    low, high = _scale(values)
    parts = _frame(title, low, high, unit)
    n = max(len(labels), 1)
    span = WIDTH - LEFT - RIGHT
    width = span / n
    xs = [LEFT + width * (i + 0.5) for i in range(len(labels))]
    zero = _y(0.0, low, high)
    for x, value in zip(xs, values, strict=True):
        if value is None:
            continue
        y = _y(float(value), low, high)
        top, height = min(y, zero), abs(zero - y)
        parts.append(
            f'<rect x="{x - width * 0.35:.1f}" y="{top:.1f}" width="{width * 0.7:.1f}" '
            f'height="{height:.1f}" fill="{COLOURS[0]}"><title>{escape(_label(value))}</title></rect>'
        )
    parts += _x_labels(labels, xs)
    parts.append("</svg>")
    return Chart(title, mark_safe("".join(parts)))  # noqa: S308 - every text above is escaped
