"""Finalising an attempt (candidate submit, deadline, sweeper): close it, score it with the
engine and store the scoring run, all in one transaction. Idempotent: a second submit (or a
submit racing the sweeper) finds the attempt already final and changes nothing."""

from __future__ import annotations

import logging
import uuid
from typing import Literal

import asyncpg
import msgspec

from service.assessments.scoring import score_attempt
from service.delivery.catalog import Catalog
from service.delivery.integrity import flag_fast_answers
from service.delivery.lifecycle import attempt_completed
from service.delivery.timing import GRACE_SQL
from service.readiness.estimates import estimate_attempt
from service.readiness.predict import BandThresholds
from service.results.equating import equating_for
from service.results.published import publish_result
from service.results.store import save_scoring_run

log = logging.getLogger(__name__)

Reason = Literal["candidate", "deadline"]
_RUN_REASONS = {
    "candidate": "Submitted by the candidate",
    "deadline": "Finalized when the time limit ran out",
}


class Finalized(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome: ``already`` is true when an earlier call had finalised it."""

    attempt_id: uuid.UUID
    status: str
    reason: str | None
    scoring_run_id: uuid.UUID | None
    already: bool


async def finalize_attempt(
    conn: asyncpg.Connection,
    catalog: Catalog,
    organization_id: uuid.UUID,
    attempt_id: uuid.UUID,
    reason: Reason,
    thresholds: BandThresholds,
) -> Finalized:
    """Close the attempt and score it (in one transaction); no-op when already final."""
    async with conn.transaction():
        row = await conn.fetchrow(
            """SELECT t.status, t.form_id, t.finalized_reason, t.invitation_id, t.candidate_id,
                      t.assessment_id,
                      i.untimed OR coalesce(i.time_multiplier, 1) > 1 AS accommodated
               FROM attempts t JOIN invitations i ON i.id = t.invitation_id
               WHERE t.organization_id = $1 AND t.id = $2 FOR UPDATE OF t""",
            organization_id,
            attempt_id,
        )
        if row is None:
            raise LookupError(attempt_id)
        if row["status"] != "in_progress":
            run_id = await conn.fetchval(
                "SELECT id FROM scoring_runs WHERE attempt_id = $1 AND current", attempt_id
            )
            return Finalized(
                attempt_id=attempt_id,
                status=row["status"],
                reason=row["finalized_reason"],
                scoring_run_id=run_id,
                already=True,
            )
        answers = {
            r["item_id"]: r["answer"]
            for r in await conn.fetch(
                "SELECT item_id, answer FROM responses WHERE attempt_id = $1", attempt_id
            )
        }
        run_id = None
        status = "submitted"
        if row["form_id"] in catalog.content.forms:
            equating, reference = await equating_for(conn, catalog.content, row["form_id"])
            score = score_attempt(
                catalog.content,
                row["form_id"],
                answers,
                equating=equating,
                reference_form_id=reference,
            )
            run_id = await save_scoring_run(
                conn,
                organization_id,
                attempt_id,
                score,
                reason=_RUN_REASONS[reason],
                created_by="candidate" if reason == "candidate" else "deadline",
                content=catalog.content,
            )
            status = "scored"
        else:  # content changed under a running attempt: keep it for staff to rescore
            log.warning(
                "form %s not in content %s; attempt %s left unscored",
                row["form_id"],
                catalog.version_id,
                attempt_id,
            )
        await conn.execute(
            """UPDATE attempts SET status = $2, submitted_at = greatest(now(), started_at),
                                   finalized_reason = $3
               WHERE id = $1""",
            attempt_id,
            status,
            reason,
        )
        await conn.execute(
            "UPDATE attempt_sections SET closed_at = coalesce(closed_at, now()) "
            "WHERE attempt_id = $1",
            attempt_id,
        )
        await flag_fast_answers(
            conn, catalog, organization_id, attempt_id, accommodated=row["accommodated"]
        )
        if run_id is not None:
            await estimate_attempt(
                conn, organization_id=organization_id, attempt_id=attempt_id, thresholds=thresholds
            )
            await publish_result(conn, catalog.content, organization_id, attempt_id)
        await attempt_completed(
            conn,
            organization_id,
            attempt_id=attempt_id,
            invitation_id=row["invitation_id"],
            candidate_id=row["candidate_id"],
            assessment_id=row["assessment_id"],
            reason=reason,
        )
    return Finalized(
        attempt_id=attempt_id, status=status, reason=reason, scoring_run_id=run_id, already=False
    )


async def sweep_once(
    pool: asyncpg.Pool, catalog: Catalog, thresholds: BandThresholds, *, batch: int = 20
) -> int:
    """Finalise attempts whose deadline (plus grace) has passed; return how many.

    Safe with many workers: each claims a batch with FOR UPDATE SKIP LOCKED, so two
    sweepers never finalise the same attempt and never wait on each other.
    """
    done = 0
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            f"""SELECT id, organization_id FROM attempts
               WHERE status = 'in_progress' AND deadline_at IS NOT NULL
                 AND deadline_at + {GRACE_SQL} < now()
               ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED""",  # noqa: S608 - constant
            batch,
        )
        for row in rows:
            try:
                async with conn.transaction():  # a savepoint: one bad attempt spoils no other
                    await finalize_attempt(
                        conn, catalog, row["organization_id"], row["id"], "deadline", thresholds
                    )
            except (asyncpg.PostgresError, ValueError, KeyError):
                log.exception("sweeper could not finalise attempt %s", row["id"])
            else:
                done += 1
    return done
