"""The dashboard's server-drawn SVG charts: bars (funnel, bands, histograms), a heatmap and a
line over time. The competency chart of the profile (service.profiles.charts) is reused as is.

Every function returns SVG markup with all text XML-escaped, so templates insert it with
``|safe``. Each chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` stating its
numbers in words, and the page shows its data table right after it (the text equivalent).
Nothing relies on colour alone: bars carry their value as text, heatmap cells print their
percent and cells below the cut are hatched; colours reach 3:1 against white for marks and
text is dark ink on light fills (4.5:1 or more).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

import msgspec

from service.profiles.charts import BarRow, competency_bars

INK = "#1b2a3a"
MUTED = "#4a5360"  # 7.4:1 on white
TRACK = "#e3e8ee"
GRID = "#c9d1db"
BAR = "#1f6f78"  # 5.9:1 on white
BAR_ALT = "#0b5cad"  # 6.1:1 on white
COLUMN = "#4d7f86"  # 4.3:1 on white
WARN = "#8a4b00"  # 6.4:1 on white
PROVISIONAL = "#b86e00"
# Heatmap fills, light to dark; text on them stays dark ink (all at least 7:1 with INK).
HEAT = ("#fde9d9", "#fdf3c4", "#e3f1dd", "#c8e6d0", "#a9d8c4")

__all__ = [
    "Bar",
    "BarRow",
    "HeatCell",
    "bars",
    "competency_bars",
    "heatmap",
    "histogram",
    "line_over_time",
]


class Bar(msgspec.Struct, frozen=True):
    """One bar: its label, value and the text printed at its end (defaults to the value)."""

    label: str
    value: float
    text: str = ""
    hatched: bool = False  # drawn with a pattern (e.g. provisional or below the cut)


class HeatCell(msgspec.Struct, frozen=True):
    """One heatmap cell: a 0–100 value (None: not assessed) and whether it is below its cut."""

    value: float | None
    below: bool = False
    provisional: bool = False


def _open(chart_id: str, width: float, height: float, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart-svg" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="system-ui, Liberation Sans, DejaVu Sans, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _hatch(chart_id: str, colour: str) -> str:
    return (
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{colour}" fill-opacity="0.25"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" stroke-width="2.5"/>'
        "</pattern></defs>"
    )


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def bars(
    rows: Sequence[Bar],
    *,
    title: str,
    chart_id: str,
    max_value: float | None = None,
    unit: str = "",
    hatch_label: str = "",
) -> str:
    """Horizontal bars with the label on the left and the value as text at the bar's end
    (the funnel, readiness bands). Hatched bars are explained by ``hatch_label`` in a legend."""
    top = max(max_value or 0.0, *(r.value for r in rows), 1.0) if rows else 1.0
    label_w, left, axis_w, row_h = 170, 180, 340, 34
    height = 16 + row_h * len(rows) + (24 if hatch_label else 0)
    width = left + axis_w + 200
    desc = "; ".join(f"{r.label}: {r.text or _fmt(r.value) + unit}" for r in rows) + "."
    parts = [_open(chart_id, width, height, title, desc), _hatch(chart_id, WARN)]
    for i, row in enumerate(rows):
        y = 8 + i * row_h
        w = round(axis_w * max(0.0, row.value) / top, 2)
        fill = f"url(#{chart_id}-hatch)" if row.hatched else BAR
        stroke = f' stroke="{WARN}"' if row.hatched else ""
        parts.append(
            f'<text x="{label_w}" y="{y + 17}" font-size="13" fill="{INK}" '
            f'text-anchor="end">{escape(row.label)}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{axis_w}" height="18" fill="{TRACK}"/>'
            f'<rect x="{left}" y="{y + 4}" width="{w}" height="18" fill="{fill}"{stroke}/>'
            f'<text x="{left + w + 6}" y="{y + 18}" font-size="13" font-weight="bold" '
            f'fill="{INK}">{escape(row.text or _fmt(row.value) + unit)}</text>'
        )
    if hatch_label:
        y = height - 10
        parts.append(
            f'<rect x="{left}" y="{y - 10}" width="14" height="11" '
            f'fill="url(#{chart_id}-hatch)" stroke="{WARN}"/>'
            f'<text x="{left + 20}" y="{y}" font-size="12" fill="{INK}">'
            f"{escape(hatch_label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(
    counts: Sequence[tuple[str, int, int]],
    *,
    title: str,
    chart_id: str,
    cut_index: float | None = None,
    cut_label: str = "cut",
) -> str:
    """Vertical columns, one per bin ``(label, count, provisional count)``; the count is
    printed above each column, the provisional part is hatched, and a dashed line marks the
    cut at fractional bin position ``cut_index`` (e.g. 8.0 = the left edge of the 9th bin)."""
    n = max(1, len(counts))
    col_w, left, top, plot_h = 38, 40, 40, 150
    width, height = left + col_w * n + 20, top + plot_h + 58
    peak = max([c for _, c, _ in counts] + [1])
    words = "; ".join(
        f"{label}: {count}" + (f" ({prov} provisional)" if prov else "")
        for label, count, prov in counts
    )
    parts = [_open(chart_id, width, height, title, words + "."), _hatch(chart_id, WARN)]
    base = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{left + col_w * n}" y2="{base}" stroke="{MUTED}"/>'
    )
    for i, (label, count, prov) in enumerate(counts):
        x = left + i * col_w
        h = round(plot_h * count / peak, 2)
        hp = round(plot_h * prov / peak, 2)
        parts.append(
            f'<rect x="{x + 3}" y="{base - h + hp}" width="{col_w - 6}" height="{h - hp}" '
            f'fill="{BAR}"/>'
        )
        if prov:
            parts.append(
                f'<rect x="{x + 3}" y="{base - h}" width="{col_w - 6}" height="{hp}" '
                f'fill="#ffffff"/>'
                f'<rect x="{x + 3}" y="{base - h}" width="{col_w - 6}" height="{hp}" '
                f'fill="url(#{chart_id}-hatch)" stroke="{WARN}"/>'
            )
        parts.append(
            f'<text x="{x + col_w / 2}" y="{base - h - 4}" font-size="11" fill="{INK}" '
            f'text-anchor="middle">{count}</text>'
            f'<text x="{x + col_w / 2}" y="{base + 14}" font-size="10" fill="{MUTED}" '
            f'text-anchor="middle">{escape(label.split("–")[0])}</text>'
        )
    if cut_index is not None:
        cx = round(left + cut_index * col_w, 2)
        parts.append(
            f'<line x1="{cx}" y1="{top - 26}" x2="{cx}" y2="{base + 2}" stroke="{INK}" '
            'stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{cx + 4}" y="{top - 28}" font-size="11" fill="{INK}">'
            f"{escape(cut_label)}</text>"
        )
    legend_y = base + 38
    parts.append(
        f'<rect x="{left}" y="{legend_y - 10}" width="14" height="11" fill="{BAR}"/>'
        f'<text x="{left + 20}" y="{legend_y}" font-size="12" fill="{INK}">final</text>'
        f'<rect x="{left + 70}" y="{legend_y - 10}" width="14" height="11" '
        f'fill="url(#{chart_id}-hatch)" stroke="{WARN}"/>'
        f'<text x="{left + 90}" y="{legend_y}" font-size="12" fill="{INK}">'
        "provisional (awaiting rating)</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _heat_fill(value: float) -> str:
    return HEAT[min(len(HEAT) - 1, int(max(0.0, min(100.0, value)) // 20))]


def heatmap(
    rows: Sequence[tuple[str, Sequence[HeatCell]]],
    columns: Sequence[str],
    *,
    title: str,
    chart_id: str,
) -> str:
    """Candidates (rows) × competencies (columns): each cell prints its percent; cells below
    the competency's cut are hatched and their number is followed by "↓"; a provisional cell
    (points awaiting rating) is outlined with a dashed border and marked "*"; a dash is a
    competency not assessed."""
    label_w, cell_w, cell_h, head_h = 170, 52, 24, 130
    width = label_w + cell_w * len(columns) + 140
    height = head_h + cell_h * len(rows) + 34
    below = sum(1 for _, cells in rows for c in cells if c.value is not None and c.below)
    desc = (
        f"{len(rows)} candidates by {len(columns)} competencies; {below} scores below the cut. "
        "Every value is listed in the table that follows."
    )
    parts = [_open(chart_id, width, height, title, desc), _hatch(chart_id, WARN)]
    for j, name in enumerate(columns):
        x = round(label_w + j * cell_w + cell_w / 2, 2)
        short = name if len(name) <= 30 else name[:29] + "…"
        parts.append(
            f'<text x="{x}" y="{head_h - 8}" font-size="10.5" fill="{INK}" '
            f'transform="rotate(-40 {x} {head_h - 8})">{escape(short)}</text>'
        )
    for i, (label, cells) in enumerate(rows):
        y = head_h + i * cell_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" font-size="11" fill="{INK}" '
            f'text-anchor="end">{escape(label[:26])}</text>'
        )
        for j, cell in enumerate(cells):
            x = label_w + j * cell_w
            if cell.value is None:
                parts.append(
                    f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                    f'fill="#ffffff" stroke="{GRID}"/>'
                    f'<text x="{x + cell_w / 2}" y="{y + 16}" font-size="11" fill="{MUTED}" '
                    'text-anchor="middle">–</text>'
                )
                continue
            dash = ' stroke-dasharray="3 2"' if cell.provisional else ""
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{_heat_fill(cell.value)}" stroke="{INK if cell.provisional else GRID}"'
                f"{dash}/>"
            )
            if cell.below:
                parts.append(
                    f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                    f'fill="url(#{chart_id}-hatch)"/>'
                )
            if cell.below:
                parts.append(
                    f'<rect x="{x + 5}" y="{y + 5}" width="{cell_w - 10}" height="{cell_h - 10}" '
                    'fill="#ffffff" rx="3"/>'
                )
            mark = ("↓" if cell.below else "") + ("*" if cell.provisional else "")
            parts.append(
                f'<text x="{x + cell_w / 2}" y="{y + 16}" font-size="11" font-weight="bold" '
                f'fill="{INK}" text-anchor="middle">{cell.value:.0f}{mark}</text>'
            )
    ly = head_h + cell_h * len(rows) + 22
    parts.append(
        f'<rect x="{label_w}" y="{ly - 11}" width="14" height="12" '
        f'fill="url(#{chart_id}-hatch)" stroke="{WARN}"/>'
        f'<text x="{label_w + 20}" y="{ly}" font-size="11" fill="{INK}">↓ below the cut</text>'
        f'<rect x="{label_w + 130}" y="{ly - 11}" width="14" height="12" fill="#ffffff" '
        f'stroke="{INK}" stroke-dasharray="3 2"/>'
        f'<text x="{label_w + 150}" y="{ly}" font-size="11" fill="{INK}">'
        "* includes points awaiting rating</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def line_over_time(
    points: Sequence[tuple[dt.date, int, int]], *, title: str, chart_id: str, unit: str = "day"
) -> str:
    """Completions per period as columns and the running total as a line with dots, both
    labelled: ``points`` are (period start, count, cumulative)."""
    n = max(1, len(points))
    left, top, plot_h = 50, 20, 150
    step = max(8.0, min(48.0, 600.0 / n))
    width = round(left + step * n + 30, 2)
    height = top + plot_h + 46
    peak = max([p[2] for p in points] + [1])
    words = "; ".join(f"{d.isoformat()}: {c} (total {t})" for d, c, t in points) or "no data"
    parts = [_open(chart_id, width, height, title, f"Completed attempts per {unit}: {words}.")]
    base = top + plot_h
    for tick in (0, 0.5, 1.0):
        y = round(base - plot_h * tick, 2)
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{width - 20}" y2="{y}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4}" font-size="10" fill="{MUTED}" '
            f'text-anchor="end">{round(peak * tick)}</text>'
        )
    line = []
    label_every = max(1, n // 8)
    for i, (day, count, total) in enumerate(points):
        x = round(left + step * i + step / 2, 2)
        h = round(plot_h * count / peak, 2)
        parts.append(
            f'<rect x="{round(x - step * 0.35, 2)}" y="{base - h}" width="{round(step * 0.7, 2)}" '
            f'height="{h}" fill="{COLUMN}"/>'
        )
        line.append(f"{x},{round(base - plot_h * total / peak, 2)}")
        if i % label_every == 0 or i == n - 1:
            parts.append(
                f'<text x="{x}" y="{base + 14}" font-size="10" fill="{MUTED}" '
                f'text-anchor="middle">{day.strftime("%d %b")}</text>'
            )
    if line:
        parts.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="{BAR_ALT}" stroke-width="2"/>'
        )
        for xy in line:
            cx, cy = xy.split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{BAR_ALT}"/>')
        last_x, last_y = line[-1].split(",")
        parts.append(
            f'<text x="{last_x}" y="{float(last_y) - 8}" font-size="11" font-weight="bold" '
            f'fill="{INK}" text-anchor="end">total {points[-1][2]}</text>'
        )
    ly = base + 34
    parts.append(
        f'<rect x="{left}" y="{ly - 10}" width="14" height="11" fill="{COLUMN}"/>'
        f'<text x="{left + 20}" y="{ly}" font-size="12" fill="{INK}">completed per {unit}</text>'
        f'<line x1="{left + 160}" y1="{ly - 4}" x2="{left + 180}" y2="{ly - 4}" '
        f'stroke="{BAR_ALT}" stroke-width="2"/>'
        f'<circle cx="{left + 170}" cy="{ly - 4}" r="3" fill="{BAR_ALT}"/>'
        f'<text x="{left + 186}" y="{ly}" font-size="12" fill="{INK}">running total</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
