"""Hiring decisions and later outcomes posted by HR systems, and the training label they
yield for ``chartready train``.

An HR system posts, per candidate, whether they were hired and later whether they were
still employed after 90 days and how their supervisor rated them (1-5). Posting again from
the same source replaces the record, so a retry or a later update is safe. Once the 90-day
facts are known the candidate gets a training label (``hiring_outcomes.met_standard``):
retained 90 days and, when rated, a supervisor rating of 3 or more.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import asyncpg
import msgspec
from msgspec import Meta

from service.ground.errors import InvalidInput, NotFound
from service.readiness.outcomes import record_outcome

MEETS_STANDARD_RATING = 3
"""A supervisor rating (1-5) from which a retained hire counts as meeting the standard."""

Source = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="Which system or process reports the outcome",
    ),
]


class NewOutcome(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A hiring outcome: the decision, and the 90-day facts once known."""

    candidate_id: uuid.UUID
    hired: bool
    observed_on: dt.date
    """When these facts were true (not in the future)."""
    hired_on: dt.date | None = None
    retained_90_days: bool | None = None
    """Still employed 90 days after starting (only for hires)."""
    supervisor_rating: Annotated[int, Meta(ge=1, le=5)] | None = None
    """The supervisor's overall rating at 90 days, 1 (poor) to 5 (excellent)."""
    source: Source = "hr_api"


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """A stored outcome and what it means for training."""

    candidate_id: uuid.UUID
    source: str
    hired: bool
    hired_on: dt.date | None
    retained_90_days: bool | None
    supervisor_rating: int | None
    observed_on: dt.date
    updated_at: dt.datetime
    met_standard: bool | None
    """The training label: null until the 90-day facts are known (or not hired)."""


def training_label(new: NewOutcome) -> bool | None:
    """Met the 90-day standard: retained and (if rated) rated 3 or more; None when unknown."""
    if not new.hired or new.retained_90_days is None:
        return None
    if not new.retained_90_days:
        return False
    return new.supervisor_rating is None or new.supervisor_rating >= MEETS_STANDARD_RATING


def validate(new: NewOutcome, today: dt.date) -> None:
    """The facts must fit together; InvalidInput naming the field otherwise."""
    if new.observed_on > today:
        raise InvalidInput("observed_on is in the future", field="observed_on")
    if not new.hired and (
        new.retained_90_days is not None
        or new.supervisor_rating is not None
        or new.hired_on is not None
    ):
        field = (
            "hired_on"
            if new.hired_on is not None
            else "retained_90_days"
            if new.retained_90_days is not None
            else "supervisor_rating"
        )
        raise InvalidInput(f"{field} applies only to hired candidates", field=field)
    if new.hired_on is not None and new.hired_on > new.observed_on:
        raise InvalidInput("hired_on is after observed_on", field="hired_on")
    if new.supervisor_rating is not None and new.retained_90_days is None:
        raise InvalidInput(
            "Give retained_90_days with a supervisor_rating", field="retained_90_days"
        )


async def record_hiring_outcome(
    conn: asyncpg.Connection, organization_id: uuid.UUID, new: NewOutcome
) -> Outcome:
    """Store (or replace) the outcome and its training label, in one transaction."""
    today: dt.date = await conn.fetchval("SELECT current_date")
    validate(new, today)
    async with conn.transaction():
        known = await conn.fetchval(
            "SELECT true FROM candidates WHERE organization_id = $1 AND id = $2",
            organization_id,
            new.candidate_id,
        )
        if not known:
            raise NotFound(f"No candidate {new.candidate_id}", field="candidate_id")
        row = await conn.fetchrow(
            """INSERT INTO candidate_outcomes (organization_id, candidate_id, source, hired,
                   hired_on, retained_90_days, supervisor_rating, observed_on)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (candidate_id, source) DO UPDATE SET hired = EXCLUDED.hired,
                   hired_on = EXCLUDED.hired_on, retained_90_days = EXCLUDED.retained_90_days,
                   supervisor_rating = EXCLUDED.supervisor_rating,
                   observed_on = EXCLUDED.observed_on, updated_at = now()
               RETURNING updated_at""",
            organization_id,
            new.candidate_id,
            new.source,
            new.hired,
            new.hired_on,
            new.retained_90_days,
            new.supervisor_rating,
            new.observed_on,
        )
        label = training_label(new)
        if label is None:
            await conn.execute(
                "DELETE FROM hiring_outcomes WHERE organization_id = $1 AND candidate_id = $2 "
                "AND source = $3",
                organization_id,
                new.candidate_id,
                new.source,
            )
        else:
            await record_outcome(
                conn,
                organization_id=organization_id,
                candidate_id=new.candidate_id,
                met_standard=label,
                observed_on=new.observed_on,
                source=new.source,
            )
    return Outcome(
        candidate_id=new.candidate_id,
        source=new.source,
        hired=new.hired,
        hired_on=new.hired_on,
        retained_90_days=new.retained_90_days,
        supervisor_rating=new.supervisor_rating,
        observed_on=new.observed_on,
        updated_at=row["updated_at"],
        met_standard=label,
    )
