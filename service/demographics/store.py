"""Reading and writing self-reported demographics (the ``candidate_demographics`` table).

Writes come from the candidate's own optional page (and the demo's simulated people);
reads are for per-group statistics and for an admin looking at one candidate. Nothing here
is imported by scoring or the readiness model's features.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg
import msgspec

from service.demographics.categories import (
    PREFER_NOT_TO_SAY,
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
)
from service.ground.errors import InvalidInput, NotFound


class SelfReport(msgspec.Struct, frozen=True):
    """What a candidate reported ("unknown" = prefer not to say)."""

    sex: str = PREFER_NOT_TO_SAY
    race_ethnicity: str = PREFER_NOT_TO_SAY

    def validated(self) -> SelfReport:
        """This report, or InvalidInput naming the field with a value outside the lists."""
        if self.sex not in (*SEX_CATEGORIES, PREFER_NOT_TO_SAY):
            raise InvalidInput("Choose one of the listed answers for sex", field="sex")
        if self.race_ethnicity not in (*RACE_ETHNICITY_CATEGORIES, PREFER_NOT_TO_SAY):
            raise InvalidInput(
                "Choose one of the listed answers for race/ethnicity", field="race_ethnicity"
            )
        return self


class StoredDemographics(msgspec.Struct, frozen=True):
    """One candidate's stored report, for an admin."""

    candidate_id: uuid.UUID
    reported: bool
    sex: str | None
    race_ethnicity: str | None
    reported_at: dt.datetime | None
    simulated: bool


async def record_self_report(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    candidate_id: uuid.UUID,
    report: SelfReport,
) -> None:
    """Store (or replace) a candidate's report."""
    report = report.validated()
    await conn.execute(
        """INSERT INTO candidate_demographics (organization_id, candidate_id, sex,
               race_ethnicity) VALUES ($1, $2, $3, $4)
           ON CONFLICT (organization_id, candidate_id) DO UPDATE
               SET sex = EXCLUDED.sex, race_ethnicity = EXCLUDED.race_ethnicity,
                   reported_at = now()""",
        organization_id,
        candidate_id,
        report.sex,
        report.race_ethnicity,
    )


async def record_many(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    reports: Sequence[tuple[uuid.UUID, SelfReport]],
) -> None:
    """Store many reports at once (the demo's simulated people)."""
    checked = [(cid, r.validated()) for cid, r in reports]
    await conn.execute(
        """INSERT INTO candidate_demographics (organization_id, candidate_id, sex,
               race_ethnicity)
           SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[])
           ON CONFLICT (organization_id, candidate_id) DO UPDATE
               SET sex = EXCLUDED.sex, race_ethnicity = EXCLUDED.race_ethnicity,
                   reported_at = now()""",
        organization_id,
        [c for c, _ in checked],
        [r.sex for _, r in checked],
        [r.race_ethnicity for _, r in checked],
    )


async def reported_at(
    conn: asyncpg.Connection, organization_id: uuid.UUID, candidate_id: uuid.UUID
) -> dt.datetime | None:
    """When the candidate last reported (never what), or None."""
    value: dt.datetime | None = await conn.fetchval(
        """SELECT reported_at FROM candidate_demographics
           WHERE organization_id = $1 AND candidate_id = $2""",
        organization_id,
        candidate_id,
    )
    return value


async def read_for_admin(
    conn: asyncpg.Connection, organization_id: uuid.UUID, candidate_id: uuid.UUID
) -> StoredDemographics:
    """A candidate's report (the caller audits the read); NotFound outside the organization."""
    row = await conn.fetchrow(
        """SELECT c.id, c.simulated, d.sex, d.race_ethnicity, d.reported_at
           FROM candidates c
           LEFT JOIN candidate_demographics d
                  ON d.organization_id = c.organization_id AND d.candidate_id = c.id
           WHERE c.organization_id = $1 AND c.id = $2""",
        organization_id,
        candidate_id,
    )
    if row is None:
        raise NotFound(f"No candidate {candidate_id}", field="candidate_id")
    return StoredDemographics(
        candidate_id=row["id"],
        reported=row["reported_at"] is not None,
        sex=row["sex"],
        race_ethnicity=row["race_ethnicity"],
        reported_at=row["reported_at"],
        simulated=row["simulated"],
    )


async def demographic_groups(
    conn: asyncpg.Connection, *, organization_id: uuid.UUID, candidate_ids: list[uuid.UUID]
) -> dict[str, list[str]]:
    """Self-reported sex and race/ethnicity per candidate ("unknown" if not reported).

    For per-group metrics of a model (its calibration within groups); never features.
    """
    rows = await conn.fetch(
        """SELECT candidate_id, sex, race_ethnicity FROM candidate_demographics
           WHERE organization_id = $1 AND candidate_id = ANY($2::uuid[])""",
        organization_id,
        candidate_ids,
    )
    found = {r["candidate_id"]: r for r in rows}
    return {
        attribute: [
            (found[c][attribute] if c in found else None) or PREFER_NOT_TO_SAY
            for c in candidate_ids
        ]
        for attribute in ("sex", "race_ethnicity")
    }
