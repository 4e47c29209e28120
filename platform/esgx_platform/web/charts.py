"""Small server-rendered SVG charts: no script, no external asset, readable in both languages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 72, 30, 48
# The first three are the portal's greens; the rest tell up to twelve series apart.
COLORS = (
    "#0f6e5b",
    "#5aa897",
    "#b7d7cf",
    "#1d4ed8",
    "#a16207",
    "#7c3aed",
    "#be185d",
    "#475569",
    "#0891b2",
    "#65a30d",
    "#9a3412",
    "#94a3b8",
)
LINE_COLOR = "#c2410c"
LEGEND_ROW = 16


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal]
    color: str | None = None


@dataclass(frozen=True)
class Points:
    """A line over the categories; None leaves a gap (no figure for that category)."""

    label: str
    values: Sequence[Decimal | None]
    color: str = LINE_COLOR
    dashed: bool = False


def nice_top(top: Decimal) -> Decimal:
    """The smallest round axis maximum (4 steps of 1, 2, 2.5 or 5 × 10^k) at or above `top`."""
    if top <= 0:
        return Decimal(1)
    step = top / 4
    power = Decimal(10) ** step.adjusted()
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if power * factor >= step:
            return power * factor * 4
    return top  # unreachable: 10 × 10^k always exceeds the step


def _color(series: Series, index: int) -> str:
    return series.color or COLORS[index % len(COLORS)]


def _open(height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" class="chart"><title>{escape(title)}</title>'
    )


def stacked_bars_with_line(
    categories: Sequence[str],
    stacks: Sequence[Series],
    line: Series | None,
    *,
    title: str,
    unit: str,
    line_unit: str,
    top: Decimal | None = None,
) -> str:
    """Stacked bars per category (e.g. Scope 1, 2, 3 by quarter) and an optional line on a
    right-hand axis (e.g. intensity), on an axis from 0 to `top` (default: a round value above
    the tallest bar). Returns an <svg> element with a <title> for screen readers and a legend
    (wrapped onto more rows when it is long)."""
    n = len(categories)
    if n == 0:
        return ""
    totals = [sum((s.values[i] for s in stacks), Decimal(0)) for i in range(n)]
    top = top or nice_top(max(totals))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    items = [(s.label, _color(s, k), "box") for k, s in enumerate(stacks)]
    if line is not None:
        items.append((line.label, LINE_COLOR, "line"))
    legend, rows = _legend(items)
    parts = [_open(HEIGHT + (rows - 1) * LEGEND_ROW, title)]
    parts += _axis(top, unit, plot_h)
    for i, name in enumerate(categories):
        x = LEFT + i * slot + slot * 0.2
        y = float(TOP + plot_h)
        for k, series in enumerate(stacks):
            height = float(series.values[i] / top) * plot_h
            y -= height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" '
                f'height="{height:.1f}" fill="{_color(series, k)}"><title>'
                f"{escape(series.label)} {escape(name)}: {series.values[i]:,.2f} "
                f"{escape(unit)}</title></rect>"
            )
        parts.append(_tick(LEFT + i * slot + slot / 2, name))
    if line is not None:
        parts += _line(line, n, slot, plot_h, line_unit)
    parts += legend
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    categories: Sequence[str],
    lines: Sequence[Points],
    *,
    title: str,
    unit: str,
    top: Decimal | None = None,
) -> str:
    """Lines over the categories (e.g. shares by quarter, emissions by year) on one axis from
    0 to `top` (default: the largest value). Returns an <svg> with a <title> and a legend."""
    n = len(categories)
    found = [v for p in lines for v in p.values if v is not None]
    if n == 0 or not found:
        return ""
    top = top or nice_top(max(found))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    legend, rows = _legend([(p.label, p.color, "dash" if p.dashed else "line") for p in lines])
    parts = [_open(HEIGHT + (rows - 1) * LEGEND_ROW, title)]
    parts += _axis(top, unit, plot_h)
    parts += [_tick(LEFT + i * slot + slot / 2, name) for i, name in enumerate(categories)]

    def at(i: int, v: Decimal) -> tuple[float, float]:
        clamped = min(max(v, Decimal(0)), top)
        return LEFT + i * slot + slot / 2, TOP + plot_h - float(clamped / top) * plot_h

    for p in lines:
        dash = ' stroke-dasharray="6 4"' if p.dashed else ""
        for segment in _segments(p.values):
            xy = " ".join("{:.1f},{:.1f}".format(*at(i, v)) for i, v in segment)
            parts.append(
                f'<polyline points="{xy}" fill="none" stroke="{p.color}" stroke-width="2"{dash}/>'
            )
        for i, v in enumerate(p.values):
            if v is None:
                continue
            x, y = at(i, v)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{p.color}"><title>'
                f"{escape(p.label)} {escape(categories[i])}: {v:,.2f} {escape(unit)}"
                "</title></circle>"
            )
    parts += legend
    parts.append("</svg>")
    return "".join(parts)


def score_bars(
    labels: Sequence[str], values: Sequence[Decimal], *, title: str, top: Decimal = Decimal(100)
) -> str:
    """One horizontal bar per label (e.g. module scores out of 100), the value at its end."""
    if not labels:
        return ""
    label_w, bar_h, gap = 220, 18, 10
    height = TOP + len(labels) * (bar_h + gap) + 10
    span = WIDTH - label_w - 80
    parts = [_open(height, title)]
    for step in range(5):
        x = label_w + span * step / 4
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 6}" y2="{height - 6}" class="grid"/>'
            f'<text x="{x:.1f}" y="{TOP - 10}" text-anchor="middle" class="tick">'
            f"{top * step / 4:,.0f}</text>"
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + i * (bar_h + gap)
        width = float(min(max(value, Decimal(0)), top) / top) * span
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end" class="tick">'
            f"{escape(_clip(label, label_w))}</text>"
            f'<rect x="{label_w}" y="{y}" width="{width:.1f}" height="{bar_h}" '
            f'fill="{COLORS[0]}"><title>{escape(label)}: {value:,.2f}</title></rect>'
            f'<text x="{label_w + width + 6:.1f}" y="{y + 13}" class="tick">{value:,.2f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _segments(values: Sequence[Decimal | None]) -> list[list[tuple[int, Decimal]]]:
    """Runs of consecutive values without a gap."""
    out: list[list[tuple[int, Decimal]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if out[-1]:
                out.append([])
        else:
            out[-1].append((i, v))
    return [s for s in out if s]


def _tick(x: float, name: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" class="tick">'
        f"{escape(name)}</text>"
    )


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


def _legend(items: Sequence[tuple[str, str, str]]) -> tuple[list[str], int]:
    """Legend entries (label, color, "box", "line" or "dash") left to right, wrapping onto a new row
    below when the next would overflow; the markup and the number of rows."""
    out: list[str] = []
    x, row = LEFT, 0
    for label, color, kind in items:
        width = 28 + _text_width(label)
        if x > LEFT and x + width > WIDTH:
            x, row = LEFT, row + 1
        y = HEIGHT - 8 + row * LEGEND_ROW
        if kind == "box":
            out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{color}"/>')
            out.append(f'<text x="{x + 16}" y="{y}" class="tick">{escape(label)}</text>')
        else:
            dash = ' stroke-dasharray="4 2"' if kind == "dash" else ""
            out.append(
                f'<line x1="{x}" x2="{x + 14}" y1="{y - 4}" y2="{y - 4}" stroke="{color}" '
                f'stroke-width="2"{dash}/><text x="{x + 18}" y="{y}" class="tick">'
                f"{escape(label)}</text>"
            )
        x += width
    return out, row + 1


def _clip(text: str, width: int) -> str:
    """`text` shortened with an ellipsis to fit about `width` px of 11 px text."""
    if _text_width(text) <= width - 12:
        return text
    while text and _text_width(text) > width - 24:
        text = text[:-1]
    return text + "…"


def _text_width(text: str) -> int:
    """Rough width of 11 px text: CJK characters are about twice as wide as Latin ones."""
    return round(sum(12 if ord(c) > 0x2E80 else 6.6 for c in text))
