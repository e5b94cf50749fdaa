"""What the readiness model may look at: competency percent scores, and nothing else.

Features are the eight competency percents (0-100), pooled over the candidate's latest
scored attempt of each assessment (raw points summed over attempts, divided by max points
summed). Section scores were left out: sections are nested inside competencies on every
form, so they add no information the competencies lack, only noise and collinearity.

Protected attributes (sex, race/ethnicity) and their proxies (age, birth date, zip or
address, name, photo) never enter the model; a test pins that ``FEATURES`` holds none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec
import numpy as np
import numpy.typing as npt

from service.readiness.generative import COMPETENCY_IDS

FEATURES: tuple[str, ...] = tuple(f"{competency}_percent" for competency in COMPETENCY_IDS)


class CompetencyTotal(msgspec.Struct, frozen=True):
    """Raw and maximum points of one competency in one scored attempt."""

    competency_id: str
    raw: float
    max: float


def pooled_percents(totals: Iterable[CompetencyTotal]) -> dict[str, float]:
    """Percent per competency over several attempts: 100 · Σ raw / Σ max (max 0 is skipped)."""
    raw: dict[str, float] = {}
    maximum: dict[str, float] = {}
    for total in totals:
        raw[total.competency_id] = raw.get(total.competency_id, 0.0) + total.raw
        maximum[total.competency_id] = maximum.get(total.competency_id, 0.0) + total.max
    return {c: 100.0 * raw[c] / maximum[c] for c in raw if maximum[c] > 0}


def feature_matrix(
    rows: Iterable[Mapping[str, float]], fill: Mapping[str, float]
) -> npt.NDArray[np.float64]:
    """Rows of competency percents as a matrix in ``FEATURES`` order.

    A competency the candidate has not been assessed on takes ``fill[competency_id]`` (the
    training population's mean), so a missing score neither raises nor lowers the estimate
    relative to a typical candidate.
    """
    return np.array(
        [[float(row.get(c, fill[c])) for c in COMPETENCY_IDS] for row in rows],
        dtype=np.float64,
    ).reshape(-1, len(COMPETENCY_IDS))
