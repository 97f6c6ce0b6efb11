"""Charts drawn on the server as SVG, so a PDF needs no browser and a page no script.

Readable in greyscale and by colour-blind readers: the Okabe–Ito palette, and every
line also told apart by its dash pattern and its marker shape, so no series depends on
its colour alone. Every chart carries a title and a description for screen readers, and
the brief prints the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

# Okabe & Ito (2008), darkest first so the first series survive a greyscale printer.
PALETTE = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 2 1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "circle-open", "square-open", "cross")


def _attr(text: object) -> str:
    return escape(str(text), {'"': "&quot;"})


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    size = 3.2
    if kind == "square":
        return (
            f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" '
            f'height="{2 * size:.1f}" fill="{colour}"/>'
        )
    if kind == "square-open":
        return (
            f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" '
            f'height="{2 * size:.1f}" fill="#fff" stroke="{colour}" stroke-width="1.5"/>'
        )
    if kind == "triangle":
        points = f"{x:.1f},{y - size - 1:.1f} {x - size - 0.5:.1f},{y + size:.1f} "
        points += f"{x + size + 0.5:.1f},{y + size:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if kind == "diamond":
        points = f"{x:.1f},{y - size - 1:.1f} {x + size + 1:.1f},{y:.1f} "
        points += f"{x:.1f},{y + size + 1:.1f} {x - size - 1:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if kind == "circle-open":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="#fff" '
            f'stroke="{colour}" stroke-width="1.5"/>'
        )
    if kind == "cross":
        return (
            f'<path d="M{x - size:.1f},{y - size:.1f}L{x + size:.1f},{y + size:.1f}'
            f'M{x - size:.1f},{y + size:.1f}L{x + size:.1f},{y - size:.1f}" '
            f'stroke="{colour}" stroke-width="1.8"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}"/>'


@dataclass
class Series:
    label: str
    values: Sequence[float | None]


def line_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 640,
    height: int = 260,
    maximum: float = 100,
    unit: str = "%",
    ident: str = "trend",
) -> SafeString:
    """One line per series on a 0–maximum scale; a missing value breaks its line."""
    left, right, top, bottom = 40, 28, 14, 30
    legend_rows = (len(series) + 2) // 3
    legend_height = 18 * legend_rows + 6
    plot_w = width - left - right
    plot_h = height - top - bottom
    total_h = height + legend_height
    step = plot_w / max(1, len(labels) - 1)

    def x(index: int) -> float:
        return left + (index * step if len(labels) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + (1 - value / maximum) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_h}" '
        f'width="100%" role="img" aria-labelledby="{ident}-t {ident}-d" class="chart" '
        f'font-size="10" font-family="DejaVu Sans, Arial, sans-serif">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(description)}</desc>',
    ]
    for tick in range(0, 101, 25):
        value = maximum * tick / 100
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#d0d0d0" stroke-width="0.6"/>'
            f'<text x="{left - 4}" y="{y(value) + 3:.1f}" text-anchor="end" fill="#333">'
            f"{value:g}{escape(unit)}</text>"
        )
    every = max(1, (len(labels) + 11) // 12)
    for index, label in enumerate(labels):
        if index % every == 0 or index == len(labels) - 1:
            parts.append(
                f'<text x="{x(index):.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                f'fill="#333">{escape(label)}</text>'
            )
    for number, serie in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        dash = DASHES[number % len(DASHES)]
        segments: list[list[tuple[float, float]]] = [[]]
        for index, point in enumerate(serie.values):
            if point is None:
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append((x(index), y(point)))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for segment in segments:
            if len(segment) > 1:
                points = " ".join(f"{px:.1f},{py:.1f}" for px, py in segment)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" '
                    f'stroke-width="1.8"{dash_attr}/>'
                )
            for px, py in segment:
                parts.append(_marker(MARKERS[number % len(MARKERS)], px, py, colour))
        row, column = divmod(number, 3)
        lx = left + column * (plot_w / 3)
        ly = height + 6 + row * 18
        parts.append(
            f'<line x1="{lx:.1f}" x2="{lx + 22:.1f}" y1="{ly + 5}" y2="{ly + 5}" '
            f'stroke="{colour}" stroke-width="1.8"{dash_attr}/>'
            + _marker(MARKERS[number % len(MARKERS)], lx + 11, ly + 5, colour)
            + f'<text x="{lx + 27:.1f}" y="{ly + 9}" fill="#111">{escape(serie.label[:38])}</text>'
        )
    parts.append("</svg>")
    # Every text above is escaped; the numbers are formatted here.
    return mark_safe("".join(parts))  # noqa: S308


def bar_chart(
    title: str,
    description: str,
    bars: Sequence[tuple[str, float]],
    *,
    width: int = 640,
    unit: str = "",
    maximum: float | None = None,
    ident: str = "bars",
) -> SafeString:
    """Horizontal bars with their value written at the end (no colour needed to read it)."""
    label_w, right, bar_h, gap = 210, 56, 14, 6
    height = len(bars) * (bar_h + gap) + 8
    top_value = maximum or max((value for _label, value in bars), default=0) or 1
    plot_w = width - label_w - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}-t {ident}-d" class="chart" '
        f'font-size="10" font-family="DejaVu Sans, Arial, sans-serif">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(bars):
        y = 4 + index * (bar_h + gap)
        length = max(0.0, value) / top_value * plot_w
        shown = f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 3}" text-anchor="end" fill="#111">'
            f"{escape(label[:40])}</text>"
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" '
            f'fill="{PALETTE[1]}"/>'
            f'<text x="{label_w + length + 4:.1f}" y="{y + bar_h - 3}" fill="#111">'
            f"{escape(shown)}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308
