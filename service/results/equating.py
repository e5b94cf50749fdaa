"""Equating parallel forms from scored attempts (random-groups design).

Forms of one assessment are assigned in balance, so the groups taking each form are
randomly equivalent; a form's raw scores are mapped onto the reference form's raw scale by
linear (or mean) equating, and then scaled with the reference form's Angoff cut. Fits are
stored per content version; a form without a fit is scaled with its own Angoff cut.
"""

from __future__ import annotations

from typing import Literal

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion
from service.assessments.scaling import IDENTITY, Equating, fit_equating


class FormEquating(msgspec.Struct, frozen=True):
    """A stored fit for one form."""

    form_id: str
    reference_form_id: str
    equating: Equating
    n_form: int
    n_reference: int


def reference_form(content: ContentVersion, assessment_id: str) -> str:
    """The form others are equated to: the assessment's first form by id (form A)."""
    return min(f.id for f in content.forms.values() if f.assessment == assessment_id)


async def equating_for(
    conn: asyncpg.Connection, content: ContentVersion, form_id: str
) -> tuple[Equating, str | None]:
    """The equating to apply to ``form_id`` and its reference form (identity and None when
    no fit exists, meaning: use the form's own cut)."""
    row = await conn.fetchrow(
        """SELECT reference_form_id, method, slope, intercept FROM form_equatings
           WHERE content_version = $1 AND form_id = $2""",
        content.version_id,
        form_id,
    )
    if row is None or row["reference_form_id"] not in content.forms:
        return IDENTITY, None
    return (
        Equating(slope=row["slope"], intercept=row["intercept"], method=row["method"]),
        row["reference_form_id"],
    )


async def fit_form_equatings(
    conn: asyncpg.Connection,
    content: ContentVersion,
    *,
    min_attempts: int = 200,
    method: Literal["mean", "linear"] = "linear",
    fitted_by: str,
) -> list[FormEquating]:
    """Fit and store an equating for every non-reference form with at least ``min_attempts``
    current scored attempts on it and on its reference form; return the fits made."""
    rows = await conn.fetch(
        """SELECT a.form_id, r.raw_total FROM scoring_runs r JOIN attempts a ON a.id = r.attempt_id
           WHERE r.current AND r.content_version = $1""",
        content.version_id,
    )
    totals: dict[str, list[float]] = {}
    for row in rows:
        totals.setdefault(row["form_id"], []).append(row["raw_total"])
    fits: list[FormEquating] = []
    for form in sorted(content.forms.values(), key=lambda f: f.id):
        reference = reference_form(content, form.assessment)
        ours, theirs = totals.get(form.id, []), totals.get(reference, [])
        if form.id == reference or min(len(ours), len(theirs)) < max(min_attempts, 2):
            continue
        fit = fit_equating(ours, theirs, method)
        if fit.slope <= 0:  # the reference form's scores do not vary: fall back to mean
            fit = fit_equating(ours, theirs, "mean")
        await conn.execute(
            """INSERT INTO form_equatings (content_version, form_id, reference_form_id, method,
                   slope, intercept, n_form, n_reference, fitted_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (content_version, form_id) DO UPDATE SET
                   reference_form_id = EXCLUDED.reference_form_id, method = EXCLUDED.method,
                   slope = EXCLUDED.slope, intercept = EXCLUDED.intercept,
                   n_form = EXCLUDED.n_form, n_reference = EXCLUDED.n_reference,
                   fitted_by = EXCLUDED.fitted_by, fitted_at = now()""",
            content.version_id,
            form.id,
            reference,
            fit.method,
            fit.slope,
            fit.intercept,
            len(ours),
            len(theirs),
            fitted_by,
        )
        fits.append(FormEquating(form.id, reference, fit, len(ours), len(theirs)))
    return fits
