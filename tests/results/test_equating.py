"""Equating parallel forms from scored attempts, and scoring with the fit."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from service.assessments.content import load_content
from service.readiness.predict import BandThresholds
from service.results.equating import equating_for, fit_form_equatings, reference_form
from service.results.rescoring import rescore_attempt
from service.results.store import current_run
from tests.assessments.helpers import key_answer
from tests.results.factories import finished_attempt


async def scored(pool: asyncpg.Pool, org_id: uuid.UUID, form_id: str, share: float) -> uuid.UUID:
    """A scored attempt answering the first ``share`` of the form's items with the key."""
    content = load_content()
    items = content.forms[form_id].items
    answers = {i.id: key_answer(i) for i in items[: round(len(items) * share)]}
    attempt = await finished_attempt(pool, org_id, form_id, answers, content)
    async with pool.acquire() as conn:
        await rescore_attempt(
            conn,
            org_id,
            attempt,
            content,
            reason="submitted",
            actor="t",
            thresholds=BandThresholds(),
        )
    return attempt


async def test_forms_without_enough_data_keep_their_own_cut(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    content = load_content()
    assert reference_form(content, "privacy") == "privacy-a"
    await scored(pool, org_id, "privacy-b", 0.5)
    async with pool.acquire() as conn:
        assert await fit_form_equatings(conn, content, min_attempts=5, fitted_by="t") == []
        equating, reference = await equating_for(conn, content, "privacy-b")
    assert (equating.method, reference) == ("identity", None)


async def test_a_harder_form_is_equated_onto_the_reference_scale(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    content = load_content()
    for share in (0.5, 0.6, 0.7, 0.8):  # random groups: form A's takers scored higher ...
        await scored(pool, org_id, "privacy-a", share)
    for share in (0.3, 0.4, 0.5, 0.6):  # ... than form B's, so B is the harder form
        await scored(pool, org_id, "privacy-b", share)
    async with pool.acquire() as conn:
        [fit] = await fit_form_equatings(conn, content, min_attempts=4, fitted_by="t")
        assert (fit.form_id, fit.reference_form_id) == ("privacy-b", "privacy-a")
        assert fit.equating.method == "linear"
        assert fit.equating.apply(10) > 10  # B's raw scores move up onto A's scale
    attempt = await scored(pool, org_id, "privacy-b", 0.5)
    async with pool.acquire() as conn:
        run = await current_run(conn, org_id, attempt)
        row = await conn.fetchrow(
            "SELECT equated_raw, raw_cut FROM scoring_runs WHERE attempt_id = $1 AND current",
            attempt,
        )
    assert run is not None
    assert row["equated_raw"] == pytest.approx(fit.equating.apply(run.raw_total), abs=1e-3)
    assert row["raw_cut"] == pytest.approx(content.forms["privacy-a"].raw_cut, abs=1e-3)
