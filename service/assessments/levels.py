"""Competency levels: where a competency percent stands against its modified-Angoff cut.

One rule, used by the competency profile and the HR API's results alike.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from service.assessments.bank import ContentVersion

LEVELS = ("Not yet", "Developing", "Proficient", "Advanced")
NOT_YET_MARGIN = 15.0  # percentage points below the cut that separate "not yet" from developing


def level_index(percent: float, cut_percent: float) -> int:
    """Index into :data:`LEVELS` for a competency percent against its cut."""
    if percent < cut_percent - NOT_YET_MARGIN:
        return 0
    if percent < cut_percent:
        return 1
    if percent < cut_percent + (100.0 - cut_percent) / 2:
        return 2
    return 3


def competency_cut_percents(content: ContentVersion, form_ids: Sequence[str]) -> dict[str, float]:
    """Modified-Angoff cut percent per competency over the items of ``form_ids``."""
    expected: dict[str, float] = {}
    points: dict[str, float] = {}
    for form_id in form_ids:
        for item in content.forms[form_id].items:
            rating = statistics.fmean(item.angoff) if item.angoff else 0.0
            expected[item.competency] = expected.get(item.competency, 0.0) + rating * item.points
            points[item.competency] = points.get(item.competency, 0.0) + item.points
    return {cid: 100.0 * expected[cid] / points[cid] for cid in points if points[cid] > 0}
