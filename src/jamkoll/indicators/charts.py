"""The explorer's charts, drawn on the server as SVG in the style of `jamkoll.charts`: presentation
attributes only (the Content-Security-Policy allows no inline style), a <title> and a <desc> that a
screen reader announces, ids unique on the page (`chart_id`), and the numbers beside each chart as a
table in the template.

- `gap_chart`: the gap (K − M) of each organisation as bars around zero, sorted; labelled rows for a
  few dozen organisations, thin columns with the extremes named for 290 municipalities.
- `trend_chart`: women, men and the total over the years for one organisation (a gap in a line is a
  missing or hidden value, never drawn as 0).
- `scatter_chart`: women's value against men's, one dot per organisation, with the diagonal y = x
  (above it women's value is higher).

Geometry is computed with floats (pixels); every number written as text is the exact Decimal,
formatted the Swedish way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .formatting import format_number, generated_label

WOMEN = "#8a1d5f"
MEN = "#1d5f8a"
TOTAL = "#4a5561"
GRID = "#d5dbe1"
AXIS = "#1b1f24"
WIDTH = 760


@dataclass(frozen=True)
class GapItem:
    label: str
    gap: Decimal
    highlight: bool = False


@dataclass(frozen=True)
class TrendItem:
    period: int
    women: Decimal | None
    men: Decimal | None
    total: Decimal | None


@dataclass(frozen=True)
class ScatterItem:
    label: str
    women: Decimal
    men: Decimal
    highlight: bool = False


def _label(title: str, generated: bool) -> str:
    return f"{generated_label()}. {title}" if generated else title


def _open(chart_id: str, height: int, title: str, description: str, generated: bool) -> list[str]:
    cid = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart indicator-chart" role="img" id="{cid}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" font-size="13" '
        f'aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{escape(_label(title, generated))}</title>',
        f'<desc id="{cid}-desc">{escape(_label(description or title, generated))}</desc>',
    ]
    if generated:
        parts.append(
            f'<text x="{WIDTH - 6}" y="14" text-anchor="end" class="chart-generated" fill="#8a5a00" '
            f'font-weight="700">{escape(generated_label())}</text>'
        )
    return parts


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", cls: str = "chart-label", extra: str = ""
) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}"{extra}>{escape(text)}</text>'


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 × a power of ten apart)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high < low:
        low, high = high, low
    if high == low:
        span = abs(high) or 1.0
        low, high = low - span / 2, high + span / 2
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks: list[float] = []
    value = first
    while value <= high + step * 1e-9 and len(ticks) < 50:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _tick_text(value: float) -> str:
    return format_number(Decimal(repr(value)).normalize())


def _empty(chart_id: str, title: str, generated: bool, message: str) -> SafeString:
    parts = _open(chart_id, 60, title, message, generated)
    parts.append(_text(WIDTH / 2, 38, message, anchor="middle"))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def gap_chart(
    items: Sequence[GapItem],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    generated: bool = False,
    axis: str = "",
) -> SafeString:
    """Bars of K − M around a zero line, largest gap in women's favour first."""
    if not items:
        return _empty(chart_id, title, generated, _("Inga värden att visa."))
    ordered = sorted(items, key=lambda i: (-i.gap, i.label))
    values = [float(i.gap) for i in ordered]
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    low, high = ticks[0], ticks[-1]
    if len(ordered) <= 60:
        return _gap_rows(ordered, ticks, low, high, chart_id, title, description, generated, axis)
    return _gap_columns(ordered, ticks, low, high, chart_id, title, description, generated, axis)


def _gap_rows(
    ordered: Sequence[GapItem],
    ticks: list[float],
    low: float,
    high: float,
    chart_id: str,
    title: str,
    description: str,
    generated: bool,
    axis: str,
) -> SafeString:
    row_h, label_w, right, top = 22, 220, 70, 44
    plot_w = WIDTH - label_w - right
    height = top + row_h * len(ordered) + 48

    def x_of(v: float) -> float:
        return label_w + plot_w * (v - low) / (high - low)

    parts = _open(chart_id, height, title, description, generated)
    parts.append(_legend(24, [(WOMEN, _("Kvinnornas värde högre")), (MEN, _("Männens värde högre"))]))
    bottom = top + row_h * len(ordered)
    for t in ticks:
        x = x_of(t)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{bottom}" stroke="{GRID}"/>')
        parts.append(_text(x, bottom + 16, _tick_text(t), anchor="middle", cls="chart-value"))
    zero = x_of(0.0)
    for i, item in enumerate(ordered):
        y = top + i * row_h
        v = float(item.gap)
        x0, x1 = sorted((zero, x_of(v)))
        fill = WOMEN if v > 0 else MEN
        weight = ' font-weight="700"' if item.highlight else ""
        parts.append(_text(label_w - 8, y + 14, item.label, anchor="end", extra=weight))
        stroke = ' stroke="#f2b600" stroke-width="2"' if item.highlight else ""
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1):.1f}" height="{row_h - 6}" '
            f'fill="{fill}" rx="2"{stroke}/>'
        )
        text_x, anchor = (x1 + 4, "start") if v >= 0 else (x0 - 4, "end")
        if v < 0 and x0 - 4 < label_w + 30:
            text_x, anchor = x1 + 4, "start"
        parts.append(
            _text(text_x, y + 14, format_number(item.gap, signed=True), anchor=anchor, cls="chart-value")
        )
    parts.append(f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{bottom}" stroke="{AXIS}"/>')
    if axis:
        parts.append(_text(WIDTH - right, bottom + 36, axis, anchor="end", cls="chart-value"))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _gap_columns(
    ordered: Sequence[GapItem],
    ticks: list[float],
    low: float,
    high: float,
    chart_id: str,
    title: str,
    description: str,
    generated: bool,
    axis: str,
) -> SafeString:
    left, right, top, plot_h = 64, 16, 60, 260
    plot_w = WIDTH - left - right
    height = top + plot_h + 44
    step = plot_w / len(ordered)

    def y_of(v: float) -> float:
        return top + plot_h * (high - v) / (high - low)

    parts = _open(chart_id, height, title, description, generated)
    parts.append(_legend(24, [(WOMEN, _("Kvinnornas värde högre")), (MEN, _("Männens värde högre"))]))
    for t in ticks:
        y = y_of(t)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, _tick_text(t), anchor="end", cls="chart-value"))
    if axis:
        parts.append(_text(left - 6, top - 12, axis, anchor="start", cls="chart-value"))
    zero = y_of(0.0)
    for i, item in enumerate(ordered):
        v = float(item.gap)
        y0, y1 = sorted((zero, y_of(v)))
        x = left + i * step
        fill = WOMEN if v > 0 else MEN
        stroke = ' stroke="#f2b600" stroke-width="2"' if item.highlight else ""
        parts.append(
            f'<rect x="{x:.2f}" y="{y0:.1f}" width="{max(step - 0.4, 0.8):.2f}" '
            f'height="{max(y1 - y0, 0.8):.1f}" fill="{fill}"{stroke}>'
            f"<title>{escape(item.label)}: {escape(format_number(item.gap, signed=True))}</title></rect>"
        )
    parts.append(f'<line x1="{left}" y1="{zero:.1f}" x2="{WIDTH - right}" y2="{zero:.1f}" stroke="{AXIS}"/>')
    # Name the extremes and the chosen organisation below the plot.
    named = [(0, ordered[0]), (len(ordered) - 1, ordered[-1])]
    named += [(i, item) for i, item in enumerate(ordered) if item.highlight and 0 < i < len(ordered) - 1]
    for i, item in named:
        x = left + (i + 0.5) * step
        anchor = "start" if i == 0 else "end" if i == len(ordered) - 1 else "middle"
        weight = ' font-weight="700"' if item.highlight else ""
        parts.append(
            f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 8}" stroke="{AXIS}"/>'
        )
        parts.append(
            _text(
                x,
                top + plot_h + 22,
                f"{item.label} {format_number(item.gap, signed=True)}",
                anchor=anchor,
                extra=weight,
            )
        )
    parts.append(
        _text(
            left,
            top + plot_h + 40,
            _("%(n)s organisationer, sorterade efter skillnaden") % {"n": len(ordered)},
            cls="chart-value",
        )
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _legend(y: int, entries: Sequence[tuple[str, str]], x: int = 8, dashes: Sequence[str] = ()) -> str:
    out = []
    for i, (colour, text) in enumerate(entries):
        dash = f' stroke-dasharray="{dashes[i]}"' if i < len(dashes) and dashes[i] else ""
        out.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 22}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="6"{dash}/>'
        )
        out.append(_text(x + 28, y, text))
        x += 44 + 7 * len(text)
    return "".join(out)


SERIES = (
    ("women", WOMEN, "", "circle"),
    ("men", MEN, "7 4", "square"),
    ("total", TOTAL, "2 3", "diamond"),
)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    return (
        f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y:.1f} L{x:.1f} {y + 5:.1f} '
        f'L{x - 5:.1f} {y:.1f} Z" fill="{colour}"/>'
    )


def trend_chart(
    points: Sequence[TrendItem], *, chart_id: str, title: str, description: str = "", generated: bool = False
) -> SafeString:
    """Lines for women (solid, dots), men (dashed, squares) and the total (dotted, diamonds)."""
    values = [float(v) for p in points for v in (p.women, p.men, p.total) if v is not None]
    if not values:
        return _empty(chart_id, title, generated, _("Inga värden att visa."))
    left, right, top, plot_h = 64, 24, 48, 240
    plot_w = WIDTH - left - right
    height = top + plot_h + 40
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    years = [p.period for p in points]
    first, last = min(years), max(years)

    def x_of(year: int) -> float:
        return left + plot_w / 2 if first == last else left + plot_w * (year - first) / (last - first)

    def y_of(v: float) -> float:
        return top + plot_h * (high - v) / (high - low)

    parts = _open(chart_id, height, title, description, generated)
    parts.append(
        _legend(24, [(WOMEN, _("Kvinnor")), (MEN, _("Män")), (TOTAL, _("Totalt"))], dashes=["", "7 4", "2 3"])
    )
    for t in ticks:
        y = y_of(t)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, _tick_text(t), anchor="end", cls="chart-value"))
    every = max(1, math.ceil(len(years) / 12))
    for i, year in enumerate(sorted(years)):
        if i % every == 0 or year == last:
            parts.append(_text(x_of(year), top + plot_h + 18, str(year), anchor="middle", cls="chart-value"))
    for attr, colour, dash, shape in SERIES:
        segment: list[str] = []
        segments: list[list[str]] = []
        markers = []
        for p in sorted(points, key=lambda p: p.period):
            v = getattr(p, attr)
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            x, y = x_of(p.period), y_of(float(v))
            segment.append(f"{x:.1f},{y:.1f}")
            markers.append(_marker(shape, x, y, colour))
        if segment:
            segments.append(segment)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for seg in segments:
            if len(seg) > 1:
                parts.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{dash_attr}/>'
                )
        parts.extend(markers)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def scatter_chart(
    items: Sequence[ScatterItem], *, chart_id: str, title: str, description: str = "", generated: bool = False
) -> SafeString:
    """Women's value (y) against men's (x), the same scale on both axes, and the diagonal y = x."""
    if not items:
        return _empty(chart_id, title, generated, _("Inga värden att visa."))
    values = [float(v) for i in items for v in (i.women, i.men)]
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    side, left, top = 380, 70, 48
    height = top + side + 50

    def x_of(v: float) -> float:
        return left + side * (v - low) / (high - low)

    def y_of(v: float) -> float:
        return top + side * (high - v) / (high - low)

    parts = _open(chart_id, height, title, description, generated)
    for t in ticks:
        x, y = x_of(t), y_of(t)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + side}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + side}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, _tick_text(t), anchor="end", cls="chart-value"))
        parts.append(_text(x, top + side + 16, _tick_text(t), anchor="middle", cls="chart-value"))
    parts.append(
        f'<line x1="{x_of(low):.1f}" y1="{y_of(low):.1f}" x2="{x_of(high):.1f}" y2="{y_of(high):.1f}" '
        f'stroke="{AXIS}" stroke-dasharray="5 4"/>'
    )
    parts.append(_text(left + side + 12, top + side + 38, _("Män →"), anchor="end"))
    parts.append(_text(left - 44, top - 10, _("↑ Kvinnor")))
    parts.append(_text(left + 10, top + 18, _("Kvinnornas värde högre"), extra=f' fill="{WOMEN}"'))
    parts.append(
        _text(
            left + side - 10, top + side - 10, _("Männens värde högre"), anchor="end", extra=f' fill="{MEN}"'
        )
    )
    parts.append(_text(x_of(high) - 30, y_of(high) + 6, "y = x", anchor="end", cls="chart-value"))
    for item in sorted(items, key=lambda i: i.highlight):
        x, y = x_of(float(item.men)), y_of(float(item.women))
        colour = WOMEN if item.women > item.men else MEN if item.women < item.men else TOTAL
        r = 6 if item.highlight else 3.5
        stroke = ' stroke="#f2b600" stroke-width="3"' if item.highlight else ' fill-opacity="0.75"'
        tip = _("%(name)s: kvinnor %(women)s, män %(men)s") % {
            "name": item.label,
            "women": format_number(item.women),
            "men": format_number(item.men),
        }
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"{stroke}>'
            f"<title>{escape(tip)}</title></circle>"
        )
        if item.highlight:
            parts.append(_text(x + 9, y + 4, item.label, extra=' font-weight="700"'))
    # A legend of the side panel: what the diagonal means.
    note_x = left + side + 40
    parts.append(_text(note_x, top + 20, _("Punkter ovanför linjen: kvinnornas")))
    parts.append(_text(note_x, top + 36, _("värde är högre än männens.")))
    parts.append(_text(note_x, top + 60, _("Punkter under linjen: männens")))
    parts.append(_text(note_x, top + 76, _("värde är högre.")))
    parts.append(
        _text(
            note_x,
            top + 100,
            _("%(n)s organisationer med båda värdena.") % {"n": len(items)},
            cls="chart-value",
        )
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
