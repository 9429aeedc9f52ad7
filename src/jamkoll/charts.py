"""Charts drawn on the server as SVG (DESIGN §4): the same markup on the page and in the PDF.

Each chart is accompanied by its numbers as a table in the template; the SVG carries a <title>
and <desc> so that screen readers announce what it shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from jamkoll.money import format_sek


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    highlight: bool = False
    # An optional second figure drawn as a light bar behind the value (e.g. allocated vs. paid).
    background: Decimal | None = None


def bar_chart(bars: Sequence[Bar], *, title: str, description: str = "", width: int = 640) -> SafeString:
    row_h, label_w, value_w, top = 22, 210, 190, 8
    height = top * 2 + row_h * len(bars)
    plot_w = width - label_w - value_w
    peak = max((max(b.value, b.background or 0) for b in bars), default=Decimal(0)) or Decimal(1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description or title)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = top + i * row_h
        w = int(plot_w * (bar.value / peak)) if bar.value > 0 else 0
        fill = "#1d5f8a" if bar.highlight else "#6c9fc4"
        if bar.background:
            bw = int(plot_w * (bar.background / peak))
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{bw}" height="{row_h - 6}" fill="#dde6ee" rx="2"/>'
            )
            w_text = max(w, bw)
        else:
            w_text = w
        value_text = (
            format_sek(bar.value)
            if bar.background is None
            else _("%(value)s av %(whole)s")
            % {"value": format_sek(bar.value), "whole": format_sek(bar.background)}
        )
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"{escape(bar.label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}" fill="{fill}" rx="2"/>'
            f'<text x="{label_w + w_text + 6}" y="{y + 15}" class="chart-value">'
            f"{escape(value_text)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
