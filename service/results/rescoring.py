"""Score or rescore an attempt from its stored responses and any final human ratings.

Rescoring against a new content version adds a run and keeps the old ones; the audit log
records who did it and why.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import asyncpg

from service.assessments.bank import ContentVersion
from service.assessments.items import ConstructedResponseItem
from service.assessments.ratings import Rating, final_item_score
from service.assessments.scores import ItemScore
from service.assessments.scoring import score_attempt
from service.ground.errors import InvalidInput, NotFound
from service.readiness.estimates import estimate_attempt
from service.readiness.predict import BandThresholds
from service.results.equating import equating_for
from service.results.published import publish_result
from service.results.store import save_scoring_run
from service.tenancy import audit


async def load_ratings(
    conn: asyncpg.Connection, organization_id: uuid.UUID, attempt_id: uuid.UUID
) -> dict[str, list[Rating]]:
    """Ratings of one attempt by item id, oldest first."""
    rows = await conn.fetch(
        """SELECT item_id, rater_id, role, levels FROM ratings
           WHERE organization_id = $1 AND attempt_id = $2 ORDER BY created_at, id""",
        organization_id,
        attempt_id,
    )
    out: dict[str, list[Rating]] = {}
    for r in rows:
        out.setdefault(r["item_id"], []).append(
            Rating(rater_id=str(r["rater_id"]), levels=dict(r["levels"]), role=r["role"])
        )
    return out


def final_overrides(
    content: ContentVersion, ratings: Mapping[str, list[Rating]]
) -> dict[str, ItemScore]:
    """Final human scores for every constructed response whose ratings are final."""
    overrides: dict[str, ItemScore] = {}
    for item_id, rows in ratings.items():
        item = content.items.get(item_id)
        if isinstance(item, ConstructedResponseItem):
            final = final_item_score(item, rows)
            if final is not None:
                overrides[item_id] = final
    return overrides


async def rescore_attempt(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    attempt_id: uuid.UUID,
    content: ContentVersion,
    *,
    reason: str,
    actor: str,
    thresholds: BandThresholds,
) -> uuid.UUID:
    """Score the attempt's stored answers with ``content`` (and final ratings) as a new run."""
    attempt = await conn.fetchrow(
        "SELECT form_id, status FROM attempts WHERE organization_id = $1 AND id = $2",
        organization_id,
        attempt_id,
    )
    if attempt is None:
        raise NotFound(f"No attempt {attempt_id}", field="attempt_id")
    if attempt["status"] not in ("submitted", "expired", "scored"):
        raise InvalidInput("Only finished attempts can be rescored", field="attempt_id")
    if attempt["form_id"] not in content.forms:
        raise InvalidInput(
            f"Content {content.version_id} lacks form {attempt['form_id']}", field="content_version"
        )
    rows = await conn.fetch(
        "SELECT item_id, answer FROM responses WHERE organization_id = $1 AND attempt_id = $2",
        organization_id,
        attempt_id,
    )
    answers = {r["item_id"]: r["answer"] for r in rows}
    overrides = final_overrides(content, await load_ratings(conn, organization_id, attempt_id))
    equating, reference = await equating_for(conn, content, attempt["form_id"])
    score = score_attempt(
        content,
        attempt["form_id"],
        answers,
        overrides=overrides,
        equating=equating,
        reference_form_id=reference,
    )
    async with conn.transaction():
        run_id = await save_scoring_run(
            conn,
            organization_id,
            attempt_id,
            score,
            reason=reason,
            created_by=actor,
            content=content,
        )
        await conn.execute(
            "UPDATE attempts SET status = 'scored' WHERE organization_id = $1 AND id = $2",
            organization_id,
            attempt_id,
        )
        await audit.record(
            conn,
            organization_id,
            actor=actor,
            action="attempt.rescore",
            subject_kind="attempt",
            subject_id=attempt_id,
            reason=reason,
        )
        await estimate_attempt(
            conn, organization_id=organization_id, attempt_id=attempt_id, thresholds=thresholds
        )
        await publish_result(conn, content, organization_id, attempt_id)
    return run_id
