"""Small server-rendered SVG charts: no script, no external asset, readable in both languages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 72, 30, 48
COLORS = ("#0f6e5b", "#5aa897", "#b7d7cf")
LINE_COLOR = "#c2410c"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal]


def stacked_bars_with_line(
    categories: Sequence[str],
    stacks: Sequence[Series],
    line: Series | None,
    *,
    title: str,
    unit: str,
    line_unit: str,
) -> str:
    """Stacked bars per category (e.g. Scope 1, 2, 3 by quarter) and an optional line on a
    right-hand axis (e.g. intensity). Returns an <svg> element with a <title> for screen
    readers and a legend."""
    n = len(categories)
    if n == 0:
        return ""
    totals = [sum((s.values[i] for s in stacks), Decimal(0)) for i in range(n)]
    top = max(totals) or Decimal(1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="chart"><title>{escape(title)}</title>'
    ]
    parts += _axis(top, unit, plot_h)
    for i, name in enumerate(categories):
        x = LEFT + i * slot + slot * 0.2
        y = float(TOP + plot_h)
        for color, series in zip(COLORS, stacks, strict=False):
            height = float(series.values[i] / top) * plot_h
            y -= height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" '
                f'height="{height:.1f}" fill="{color}"><title>{escape(series.label)} '
                f"{escape(name)}: {series.values[i]:,.2f} {escape(unit)}</title></rect>"
            )
        parts.append(
            f'<text x="{LEFT + i * slot + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle" class="tick">{escape(name)}</text>'
        )
    if line is not None:
        parts += _line(line, n, slot, plot_h, line_unit)
    parts += _legend(stacks, line)
    parts.append("</svg>")
    return "".join(parts)


def _axis(top: Decimal, unit: str, plot_h: float) -> list[str]:
    out = []
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'class="grid"/><text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'class="tick">{value:,.0f}</text>'
        )
    out.append(
        f'<text x="{LEFT}" y="{TOP - 14}" text-anchor="end" class="tick">{escape(unit)}</text>'
    )
    return out


def _line(line: Series, n: int, slot: float, plot_h: float, unit: str) -> list[str]:
    if not line.values:
        return []
    top = max(line.values) or Decimal(1)
    points = " ".join(
        f"{LEFT + i * slot + slot / 2:.1f},{TOP + plot_h - float(v / top) * plot_h * 0.9:.1f}"
        for i, v in enumerate(line.values)
    )
    dots = "".join(
        f'<circle cx="{LEFT + i * slot + slot / 2:.1f}" '
        f'cy="{TOP + plot_h - float(v / top) * plot_h * 0.9:.1f}" r="3.5" fill="{LINE_COLOR}">'
        f"<title>{escape(line.label)}: {v:,.2f} {escape(unit)}</title></circle>"
        for i, v in enumerate(line.values)
    )
    return [
        f'<polyline points="{points}" fill="none" stroke="{LINE_COLOR}" stroke-width="2"/>',
        dots,
        f'<text x="{WIDTH - RIGHT}" y="{TOP - 14}" class="tick">{escape(unit)}</text>',
    ]


def _legend(stacks: Sequence[Series], line: Series | None) -> list[str]:
    out, x = [], LEFT
    for color, series in zip(COLORS, stacks, strict=False):
        out.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" fill="{color}"/>'
            f'<text x="{x + 16}" y="{HEIGHT - 8}" class="tick">{escape(series.label)}</text>'
        )
        x += 28 + _text_width(series.label)
    if line is not None:
        out.append(
            f'<line x1="{x}" x2="{x + 14}" y1="{HEIGHT - 12}" y2="{HEIGHT - 12}" '
            f'stroke="{LINE_COLOR}" stroke-width="2"/><text x="{x + 18}" '
            f'y="{HEIGHT - 8}" class="tick">{escape(line.label)}</text>'
        )
    return out


def _text_width(text: str) -> int:
    """Rough width of 11 px text: CJK characters are about twice as wide as Latin ones."""
    return sum(12 if ord(c) > 0x2E80 else 6 for c in text)
