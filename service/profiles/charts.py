"""Server-drawn SVG charts shared by the PDF profile and the coordinator dashboard.

Pure functions returning SVG markup as ``str`` with every piece of text XML-escaped, so the
result may be inserted into HTML unescaped. No scripts, no external resources. Each chart is
``role="img"`` with a ``<title>`` and a ``<desc>`` stating every number in words, and every
mark is labelled in text or by shape so that nothing relies on colour alone.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

import msgspec

INK = "#1b2a3a"
MUTED = "#5b6b7b"
TRACK = "#e3e8ee"
MET = "#1f6f78"
BELOW = "#b86e00"
INTERVAL = "#9cc3c8"
# Bar chart geometry: labels right-aligned at _BAR_LABEL_W, the 0–100 axis after them.
_BAR_LABEL_W, _BAR_LEFT, _BAR_AXIS_W = 200, 210, 330


class BarRow(msgspec.Struct, frozen=True):
    """One competency in the bar chart (all values are 0–100)."""

    label: str
    percent: float
    cut_percent: float
    level: str
    percentile: float | None = None


class Band(msgspec.Struct, frozen=True):
    """A labelled stretch of the readiness scale, probabilities in 0–1."""

    label: str
    lower: float
    upper: float


def _x(value: float, left: float, width: float) -> float:
    """Position of a 0–100 value on a horizontal axis."""
    return round(left + width * max(0.0, min(100.0, value)) / 100.0, 2)


def _wrap(label: str, width: int = 30) -> list[str]:
    """Split a label into at most two lines near ``width`` characters, ellipsising the rest."""
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], (" ".join(lines[1:]))[: width - 1] + "…"]
    return lines


def _accessible_open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="Liberation Sans, DejaVu Sans, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def competency_bars(
    rows: Sequence[BarRow], *, chart_id: str = "competency-chart", details: bool = True
) -> str:
    """Horizontal bars of competency percent scores with each cut and the percentile.

    Bars at or above their cut are solid; bars below it are hatched (a pattern, not only a
    colour) and, with ``details``, say "below cut" in text. The dashed vertical line in each
    row is that competency's cut; the triangle under the bar marks the percentile in the
    norm group (omitted when there is no norm group). ``details=False`` drops the per-row
    level and percentile labels for print, where a table beside the chart states them: each
    SVG text node costs about a millisecond to lay out in WeasyPrint.
    """
    left, axis_w, row_h, top = _BAR_LEFT, _BAR_AXIS_W, 40, 30
    width, height = 680, top + row_h * len(rows) + 46
    parts = [
        _accessible_open(
            chart_id,
            width,
            height,
            "Competency scores against the cut and the norm group",
            describe_bars(rows),
        ),
        '<defs><pattern id="' + chart_id + '-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{BELOW}" fill-opacity="0.35"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BELOW}" stroke-width="3"/></pattern></defs>',
    ]
    for tick in range(0, 101, 25):
        x = _x(tick, left, axis_w)
        parts.append(
            f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{top + row_h * len(rows)}" '
            f'stroke="{TRACK}" stroke-width="1"/>'
            f'<text x="{x}" y="{top - 10}" font-size="9" fill="{MUTED}" '
            f'text-anchor="middle">{tick}%</text>'
        )
    for index, row in enumerate(rows):
        parts.append(_bar_row(row, top + index * row_h, chart_id, details=details))
    parts.append(_bar_legend(top + row_h * len(rows) + 16, left, chart_id))
    parts.append("</svg>")
    return "".join(parts)


def describe_bars(rows: Sequence[BarRow]) -> str:
    """The bar chart in words (its ``<desc>``; also the alt text when shown as an image)."""
    return "; ".join(_describe_row(r) for r in rows) + "."


def describe_gauge(
    probability: float, lower: float, upper: float, bands: Sequence[Band] = ()
) -> str:
    """The readiness gauge in words (its ``<desc>``; also the alt text of an image)."""
    desc = (
        f"Estimated chance of meeting the standard: {probability * 100:.0f} percent; "
        f"likely range {lower * 100:.0f} to {upper * 100:.0f} percent."
    )
    if bands:
        desc += " Bands: " + ", ".join(
            f"{b.label} {b.lower * 100:.0f}–{b.upper * 100:.0f} percent" for b in bands
        )
    return desc


def as_image(svg: str, alt: str) -> str:
    """``<img>`` carrying ``svg`` as a data URI with ``alt`` text.

    For print: WeasyPrint tags an image as a Figure with its alt text, and its markup does
    not go through the HTML style cascade, which makes rendering cheaper.
    """
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="chart-image" alt="{escape(alt)}" src="data:image/svg+xml;base64,{encoded}">'
    )


def _describe_row(row: BarRow) -> str:
    text = (
        f"{row.label}: {row.percent:.0f} percent, cut {row.cut_percent:.0f} percent, "
        f"{'meets' if row.percent >= row.cut_percent else 'below'} the cut, level {row.level}"
    )
    if row.percentile is not None:
        text += f", percentile {row.percentile:.0f}"
    return text


def _bar_row(row: BarRow, y: float, chart_id: str, *, details: bool) -> str:
    label_w, left, axis_w = _BAR_LABEL_W, _BAR_LEFT, _BAR_AXIS_W
    met = row.percent >= row.cut_percent
    lines = _wrap(row.label)
    label_y = y + 17 if len(lines) == 1 else y + 11
    label = (
        escape(lines[0])
        if len(lines) == 1
        else escape(lines[0]) + f'<tspan x="{label_w}" dy="12">{escape(lines[1])}</tspan>'
    )
    bar_w = _x(row.percent, left, axis_w) - left
    fill = MET if met else f"url(#{chart_id}-hatch)"
    cut_x = _x(row.cut_percent, left, axis_w)
    status = row.level if met else f"{row.level} · below cut"
    out = [
        f'<text x="{label_w}" y="{label_y}" font-size="10.5" fill="{INK}" '
        f'text-anchor="end">{label}</text>',
        f'<rect x="{left}" y="{y + 6}" width="{axis_w}" height="16" fill="{TRACK}" rx="2"/>',
        f'<rect x="{left}" y="{y + 6}" width="{bar_w}" height="16" fill="{fill}" rx="2"'
        + ("" if met else f' stroke="{BELOW}" stroke-width="1"')
        + "/>",
        f'<line x1="{cut_x}" y1="{y + 2}" x2="{cut_x}" y2="{y + 26}" stroke="{INK}" '
        'stroke-width="1.5" stroke-dasharray="3 2"/>',
        f'<text x="{left + axis_w + 8}" y="{y + (13 if details else 18)}" font-size="10.5" '
        f'font-weight="bold" fill="{INK}">{row.percent:.0f}%</text>',
    ]
    if details:
        out.append(
            f'<text x="{left + axis_w + 8}" y="{y + 25}" font-size="8.5" fill="{MUTED}">'
            f"{escape(status)}</text>"
        )
    if row.percentile is not None:
        px = _x(row.percentile, left, axis_w)
        out.append(f'<path d="M {px} {y + 24} l -4 7 h 8 z" fill="{INK}"/>')
        if details:
            out.append(
                f'<text x="{px + 6}" y="{y + 31}" font-size="7.5" fill="{MUTED}">'
                f"P{row.percentile:.0f}</text>"
            )
    return "".join(out)


def _bar_legend(y: float, left: int, chart_id: str) -> str:
    return (
        f'<rect x="{left}" y="{y - 8}" width="14" height="9" fill="{MET}"/>'
        f'<text x="{left + 18}" y="{y}" font-size="8.5" fill="{INK}">meets cut</text>'
        f'<rect x="{left + 80}" y="{y - 8}" width="14" height="9" '
        f'fill="url(#{chart_id}-hatch)" stroke="{BELOW}"/>'
        f'<text x="{left + 98}" y="{y}" font-size="8.5" fill="{INK}">below cut</text>'
        f'<line x1="{left + 160}" y1="{y - 10}" x2="{left + 160}" y2="{y + 2}" stroke="{INK}" '
        'stroke-width="1.5" stroke-dasharray="3 2"/>'
        f'<text x="{left + 166}" y="{y}" font-size="8.5" fill="{INK}">cut</text>'
        f'<path d="M {left + 196} {y - 8} l -4 7 h 8 z" fill="{INK}"/>'
        f'<text x="{left + 204}" y="{y}" font-size="8.5" fill="{INK}">'
        "percentile in norm group</text>"
    )


def readiness_gauge(
    probability: float,
    lower: float,
    upper: float,
    *,
    bands: Sequence[Band] = (),
    chart_id: str = "readiness-chart",
) -> str:
    """A 0–100% scale with the estimate as a labelled dot and its likely range shaded.

    Optional ``bands`` label stretches of the scale (e.g. "Not yet", "Approaching", "Ready")
    with their names written above the scale.
    """
    left, axis_w, width, height, y = 20, 640, 680, 72, 46
    point, lo, hi = probability * 100, lower * 100, upper * 100
    desc = describe_gauge(probability, lower, upper, bands)
    parts = [_accessible_open(chart_id, width, height, "Readiness estimate", desc)]
    for band in bands:
        bx0, bx1 = _x(band.lower * 100, left, axis_w), _x(band.upper * 100, left, axis_w)
        parts.append(
            f'<line x1="{bx0}" y1="{y - 26}" x2="{bx0}" y2="{y + 10}" stroke="{MUTED}" '
            'stroke-width="0.75"/>'
            f'<text x="{round((bx0 + bx1) / 2, 2)}" y="{y - 28}" font-size="9" fill="{MUTED}" '
            f'text-anchor="middle">{escape(band.label)}</text>'
        )
    parts.append(
        f'<rect x="{left}" y="{y - 6}" width="{axis_w}" height="12" fill="{TRACK}" rx="6"/>'
    )
    x_lo, x_hi, x_p = _x(lo, left, axis_w), _x(hi, left, axis_w), _x(point, left, axis_w)
    parts.append(
        f'<rect x="{x_lo}" y="{y - 6}" width="{round(x_hi - x_lo, 2)}" height="12" '
        f'fill="{INTERVAL}" stroke="{MET}" stroke-width="1" rx="6"/>'
        f'<circle cx="{x_p}" cy="{y}" r="7" fill="{MET}" stroke="white" stroke-width="2"/>'
        f'<text x="{x_p}" y="{y - 12}" font-size="11" font-weight="bold" fill="{INK}" '
        f'text-anchor="middle">{point:.0f}%</text>'
    )
    for tick in range(0, 101, 25):
        x = _x(tick, left, axis_w)
        parts.append(
            f'<line x1="{x}" y1="{y + 8}" x2="{x}" y2="{y + 12}" stroke="{MUTED}"/>'
            f'<text x="{x}" y="{y + 22}" font-size="8" fill="{MUTED}" '
            f'text-anchor="middle">{tick}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
