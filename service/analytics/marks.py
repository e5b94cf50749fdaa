"""Item marks of one form as a matrix: each candidate's latest scored attempt of the form's
assessment, when it was on this form, one row per attempt in the form's item order."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec
import numpy as np
import numpy.typing as npt

from service.analytics.selection import SCOPE_FILTER, Selection
from service.assessments.bank import Form

# The latest scored attempt per candidate and assessment (the view is the one definition
# of "latest"); points in the form's item order, so the rows stack into a matrix.
_MARKS = f"""
    SELECT l.candidate_id, l.submitted_at, l.provisional, c.simulated,
           count(*) AS items,
           array_agg(s.points ORDER BY array_position($7::text[], s.item_id)) AS points,
           array_agg(s.max_points ORDER BY array_position($7::text[], s.item_id)) AS maxima
    FROM latest_scored_attempts l
    JOIN candidates c ON c.organization_id = l.organization_id AND c.id = l.candidate_id
    JOIN item_scores s ON s.organization_id = l.organization_id AND s.scoring_run_id = l.run_id
                      AND s.item_id = ANY($7::text[])
    WHERE l.organization_id = $1 AND l.assessment_id = $5 AND l.form_id = $6 {SCOPE_FILTER}
    GROUP BY l.attempt_id, l.candidate_id, l.submitted_at, l.provisional, c.simulated
    ORDER BY l.attempt_id
"""  # noqa: S608 - only constant SQL is interpolated


class FormMarks(msgspec.Struct, frozen=True, kw_only=True):
    """Marks (n_attempts × n_items) with what the statistics need to describe them."""

    form_id: str
    item_ids: list[str]
    max_marks: npt.NDArray[np.float64]
    marks: npt.NDArray[np.float64]
    candidate_ids: list[uuid.UUID]
    simulated: npt.NDArray[np.bool_]
    provisional: int
    incomplete: int
    first_submitted: dt.datetime | None
    last_submitted: dt.datetime | None


async def load_form_marks(conn: asyncpg.Connection, organization_id: uuid.UUID, form: Form,
                          selection: Selection) -> FormMarks:
    """Every included attempt's marks on ``form``; attempts scored without some of the
    form's items (an older content version) are left out and counted in ``incomplete``."""
    ids = [item.id for item in form.items]
    rows = await conn.fetch(_MARKS, organization_id, selection.cohort_id, selection.date_from,
                            selection.date_to, form.assessment, form.id, ids)
    complete = [r for r in rows if r["items"] == len(ids)]
    marks = np.array([r["points"] for r in complete], dtype=np.float64).reshape(-1, len(ids))
    maxima = np.array([r["maxima"] for r in complete], dtype=np.float64).reshape(-1, len(ids))
    submitted = [r["submitted_at"] for r in complete if r["submitted_at"] is not None]
    return FormMarks(
        form_id=form.id, item_ids=ids,
        max_marks=(maxima.max(axis=0) if complete
                   else np.array([item.points for item in form.items], dtype=np.float64)),
        marks=marks, candidate_ids=[r["candidate_id"] for r in complete],
        simulated=np.array([r["simulated"] for r in complete], dtype=np.bool_),
        provisional=sum(r["provisional"] for r in complete),
        incomplete=len(rows) - len(complete),
        first_submitted=min(submitted, default=None),
        last_submitted=max(submitted, default=None))
