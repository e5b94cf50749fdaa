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
# of "latest"), when it was on the form: its run's item vector (item-id order, one narrow
# row per attempt), rebuilt from item_scores for a run stored without one. ``complete``: the
# run has exactly the form's items ($7, sorted the same way). Points travel in PostgreSQL's
# binary array format, straight into numpy. Rows come in no particular order (every
# statistic here is order-free), so no sort of wide rows is needed.
_FROM_ITEMS = """(SELECT array_agg(s.{column} ORDER BY s.item_id COLLATE "C") FROM item_scores s
                  WHERE s.organization_id = l.organization_id
                    AND s.scoring_run_id = l.run_id)"""
_MARKS = f"""
    SELECT l.candidate_id, l.submitted_at, l.provisional, c.simulated,
           array_send(coalesce(v.points, {_FROM_ITEMS.format(column="points")})) AS points,
           array_send(coalesce(v.max_points, {_FROM_ITEMS.format(column="max_points")}))
               AS maxima,
           coalesce(v.item_ids, {_FROM_ITEMS.format(column="item_id")}) = $7::text[]
               AS complete
    FROM latest_scored_attempts l
    LEFT JOIN item_score_vectors v ON v.organization_id = l.organization_id
                                  AND v.scoring_run_id = l.run_id
    JOIN candidates c ON c.organization_id = l.organization_id AND c.id = l.candidate_id
    WHERE l.organization_id = $1 AND l.assessment_id = $5 AND l.form_id = $6 {SCOPE_FILTER}
"""  # noqa: S608 - only constant SQL is interpolated
_FLOAT8_OID = 701
_HEADER = 20  # one dimension: ndim, has-nulls flag, element type, length, lower bound


def float8_rows(blobs: list[bytes], k: int) -> npt.NDArray[np.float64]:
    """Rows of ``array_send(float8[])`` output, each a one-dimensional array of ``k`` values
    without nulls, as an (n, k) matrix. The binary format: a 20-byte header of big-endian
    int32s (ndim, has-nulls, element type oid, length, lower bound), then per element its
    int32 byte length and 8 big-endian bytes."""
    size = _HEADER + 12 * k
    if any(len(blob) != size for blob in blobs):
        raise ValueError(f"expected one-dimensional float8 arrays of {k} values")
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), size)
    header = raw[:, :12].copy().view(">i4")
    if len(blobs) and not (header == [1, 0, _FLOAT8_OID]).all():
        raise ValueError("expected one-dimensional float8 arrays without nulls")
    values = raw[:, _HEADER:].reshape(len(blobs), k, 12)[:, :, 4:].copy().view(">f8")
    return values.reshape(len(blobs), k).astype(np.float64)


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


async def load_form_marks(
    conn: asyncpg.Connection, organization_id: uuid.UUID, form: Form, selection: Selection
) -> FormMarks:
    """Every included attempt's marks on ``form``; attempts scored without some of the
    form's items (an older content version) are left out and counted in ``incomplete``."""
    ids = [item.id for item in form.items]
    stored = sorted(ids)  # the arrays' order (code points, as COLLATE "C")
    rows = await conn.fetch(
        _MARKS,
        organization_id,
        selection.cohort_id,
        selection.date_from,
        selection.date_to,
        form.assessment,
        form.id,
        stored,
    )
    complete = [r for r in rows if r["complete"]]
    order = [stored.index(i) for i in ids]  # back to the form's order
    marks = float8_rows([r["points"] for r in complete], len(ids))[:, order]
    maxima = float8_rows([r["maxima"] for r in complete], len(ids))[:, order]
    submitted = [r["submitted_at"] for r in complete if r["submitted_at"] is not None]
    return FormMarks(
        form_id=form.id,
        item_ids=ids,
        max_marks=(
            maxima.max(axis=0)
            if complete
            else np.array([item.points for item in form.items], dtype=np.float64)
        ),
        marks=marks,
        candidate_ids=[r["candidate_id"] for r in complete],
        simulated=np.array([r["simulated"] for r in complete], dtype=np.bool_),
        provisional=sum(r["provisional"] for r in complete),
        incomplete=len(rows) - len(complete),
        first_submitted=min(submitted, default=None),
        last_submitted=max(submitted, default=None),
    )
