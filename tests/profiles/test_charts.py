"""SVG charts: well-formed, accessible, proportional, and safe for any label text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from service.profiles.charts import BarRow, competency_bars, readiness_gauge

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [
    BarRow(
        label="Classification and coding",
        percent=75,
        cut_percent=60,
        level="Proficient",
        percentile=66,
    ),
    BarRow(label="Privacy", percent=40, cut_percent=65, level="Developing"),
]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_bars_are_accessible_images_that_state_every_number() -> None:
    root = _parse(competency_bars(ROWS, chart_id="c1"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None
    assert "Classification and coding: 75 percent, cut 60 percent, meets the cut" in desc.text
    assert "Privacy: 40 percent, cut 65 percent, below the cut" in desc.text
    assert "percentile 66" in desc.text


def test_below_cut_is_said_in_text_not_only_colour() -> None:
    texts = "".join(_parse(competency_bars(ROWS)).itertext())
    assert "Developing · below cut" in texts
    assert "Proficient" in texts
    assert "P66" in texts  # the percentile marker is labelled


def test_bar_width_is_proportional_to_the_score() -> None:
    root = _parse(competency_bars(ROWS))
    track, bar = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "16"][:2]
    assert float(bar.get("width", "0")) / float(track.get("width", "1")) == 0.75


@settings(max_examples=50, deadline=None)
@given(
    label=st.text(min_size=1, max_size=80).filter(
        lambda s: s.strip() and "\x00" not in s and all(ord(c) >= 32 for c in s)
    )
)
def test_any_label_is_escaped_and_keeps_the_svg_well_formed(label: str) -> None:
    svg = competency_bars([BarRow(label=label, percent=50, cut_percent=50, level="Proficient")])
    root = _parse(svg)
    assert root.find(f".//{SVG}script") is None
    assert len(list(root.iter(f"{SVG}text"))) >= 6


def test_gauge_marks_the_estimate_and_interval_in_words() -> None:
    root = _parse(readiness_gauge(0.68, 0.57, 0.78, chart_id="g"))
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text == (
        "Estimated chance of meeting the standard: 68 percent; likely range 57 to 78 percent."
    )
    assert "68%" in "".join(root.itertext())
