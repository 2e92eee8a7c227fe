"""Inline SVG bar charts of impact ratios with the 0.8 reference line (no JS, no network)."""

from __future__ import annotations

from html import escape
from typing import Any

LABEL_W, BAR_W, VALUE_W, ROW_H, TOP, BOTTOM = 300, 300, 70, 22, 24, 26
OK_COLOUR, LOW_COLOUR, GRID = "#2b6cb0", "#c53030", "#a0aec0"


def impact_ratio_chart(title: str, categories: list[dict[str, Any]], reference: float = 0.8) -> str:
    """Horizontal bars, one per category; excluded categories are labelled, not drawn."""
    width = LABEL_W + BAR_W + VALUE_W
    height = TOP + ROW_H * len(categories) + BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    parts += [_row(i, c, reference) for i, c in enumerate(categories)]
    parts += _axis(height, reference)
    parts.append("</svg>")
    return "\n".join(parts)


def _row(index: int, cat: dict[str, Any], reference: float) -> str:
    y = TOP + index * ROW_H
    label = (
        f'<text x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end" font-size="12">'
        f"{escape(cat['category'])}</text>"
    )
    ratio = cat.get("impact_ratio")
    if ratio is None:
        note = "no data" if not cat.get("count") else "excluded" if cat.get("excluded") else "n/a"
        return label + (f'<text x="{LABEL_W + 4}" y="{y + 15}" font-size="11" fill="#718096">{note}</text>')
    bar_w = max(1.0, min(ratio, 1.0) * BAR_W)
    colour = LOW_COLOUR if ratio < reference else OK_COLOUR
    return label + (
        f'<rect x="{LABEL_W}" y="{y + 3}" width="{bar_w:.1f}" height="{ROW_H - 6}" '
        f'fill="{colour}"><title>{escape(cat["category"])}: {ratio:.3f}</title></rect>'
        f'<text x="{LABEL_W + bar_w + 4:.1f}" y="{y + 15}" font-size="11">{ratio:.3f}</text>'
    )


def _axis(height: int, reference: float) -> list[str]:
    base = height - BOTTOM
    ref_x = LABEL_W + reference * BAR_W
    out = [
        f'<line x1="{LABEL_W}" y1="{TOP - 4}" x2="{LABEL_W}" y2="{base}" stroke="{GRID}"/>',
        f'<line x1="{ref_x:.1f}" y1="{TOP - 10}" x2="{ref_x:.1f}" y2="{base}" '
        f'stroke="{LOW_COLOUR}" stroke-dasharray="4 3" stroke-width="1.5"/>',
        f'<text x="{ref_x:.1f}" y="{TOP - 12}" text-anchor="middle" font-size="11" '
        f'fill="{LOW_COLOUR}">{reference:g}</text>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = LABEL_W + tick * BAR_W
        out.append(
            f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle" font-size="10" '
            f'fill="#4a5568">{tick:g}</text>'
        )
    return out
