"""The reliability diagram of a readiness model, drawn on the server as SVG.

A pure function: markup with every text XML-escaped, no script, no external resource,
``role="img"`` with a ``<title>`` and a ``<desc>`` that states every point in words (the
page shows the same numbers as a table). Points are circles whose area grows with the bin's
size; the diagonal is perfect calibration, drawn dashed so it is told apart without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from service.readiness.evaluation import CalibrationBin

INK = "#1b2a3a"
MUTED = "#4a5360"
GRID = "#d8dee6"
POINT = "#0b5cad"
SIZE, LEFT, TOP, PLOT = 360, 56, 16, 280


def _x(p: float) -> float:
    return round(LEFT + PLOT * max(0.0, min(1.0, p)), 2)


def _y(p: float) -> float:
    return round(TOP + PLOT * (1.0 - max(0.0, min(1.0, p))), 2)


def describe(bins: Sequence[CalibrationBin]) -> str:
    """Every point in words (the chart's ``<desc>``)."""
    if not bins:
        return "No validation estimates to show."
    parts = [
        f"estimates {b.lower:.0%} to {b.upper:.0%}: {b.count} candidates, mean estimate "
        f"{b.mean_predicted:.0%}, observed {b.observed_rate:.0%}"
        for b in bins
        if b.count
    ]
    return "Mean estimate against observed rate per bin; " + "; ".join(parts) + "."


def reliability_diagram(bins: Sequence[CalibrationBin], *, title: str, chart_id: str) -> str:
    """SVG of observed rate (y) against mean estimate (x), one point per non-empty bin."""
    used = [b for b in bins if b.count]
    biggest = max((b.count for b in used), default=1)
    t, d = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE + 10} {SIZE}" '
        f'width="{SIZE + 10}" height="{SIZE}" role="img" aria-labelledby="{t} {d}" '
        f'id="{escape(chart_id)}">',
        f'<title id="{t}">{escape(title)}</title>',
        f'<desc id="{d}">{escape(describe(bins))}</desc>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x, y = _x(tick), _y(tick)
        out += [
            f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT}" y2="{y}" stroke="{GRID}"/>',
            f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{TOP + PLOT}" stroke="{GRID}"/>',
            f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}">{tick:.0%}</text>',
            f'<text x="{x}" y="{TOP + PLOT + 16}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{tick:.0%}</text>',
        ]
    out += [
        f'<rect x="{LEFT}" y="{TOP}" width="{PLOT}" height="{PLOT}" fill="none" stroke="{INK}"/>',
        f'<line x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" stroke="{MUTED}" '
        'stroke-dasharray="6 4"/>',
        f'<text x="{_x(0.66)}" y="{_y(0.58)}" font-size="11" fill="{MUTED}" '
        f'transform="rotate(-45 {_x(0.66)} {_y(0.58)})">perfect calibration</text>',
        f'<text x="{LEFT + PLOT / 2}" y="{SIZE - 4}" text-anchor="middle" font-size="12" '
        f'fill="{INK}">mean estimate</text>',
        f'<text x="14" y="{TOP + PLOT / 2}" text-anchor="middle" font-size="12" fill="{INK}" '
        f'transform="rotate(-90 14 {TOP + PLOT / 2})">observed rate</text>',
    ]
    if len(used) > 1:
        points = " ".join(f"{_x(b.mean_predicted)},{_y(b.observed_rate)}" for b in used)
        out.append(f'<polyline points="{points}" fill="none" stroke="{POINT}" stroke-width="2"/>')
    for b in used:
        radius = round(3 + 6 * (b.count / biggest) ** 0.5, 2)
        out.append(
            f'<circle cx="{_x(b.mean_predicted)}" cy="{_y(b.observed_rate)}" r="{radius}" '
            f'fill="{POINT}" fill-opacity="0.75" stroke="#fff"/>'
        )
    out.append("</svg>")
    return "".join(out)
