"""Self-reports: only the listed answers, "prefer not to say" by default, a change replaces."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from service.demographics.categories import label
from service.demographics.store import (
    SelfReport,
    demographic_groups,
    record_self_report,
    reported_at,
)
from service.ground.errors import InvalidInput
from tests.analytics.factories import Person, store_people


async def test_a_report_is_stored_replaced_and_read_as_groups(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    [one, two] = await store_people(pool, org_id, [Person(), Person()])
    async with pool.acquire() as conn:
        assert await reported_at(conn, org_id, one) is None
        await record_self_report(conn, org_id, one, SelfReport(sex="male"))
        first = await reported_at(conn, org_id, one)
        await record_self_report(
            conn, org_id, one, SelfReport(sex="female", race_ethnicity="asian")
        )
        second = await reported_at(conn, org_id, one)
        assert first is not None and second is not None and second >= first
        groups = await demographic_groups(conn, organization_id=org_id, candidate_ids=[one, two])
    assert groups == {"sex": ["female", "unknown"], "race_ethnicity": ["asian", "unknown"]}
    assert await pool.fetchval("SELECT count(*) FROM candidate_demographics") == 1


@pytest.mark.parametrize(
    ("report", "field"),
    [
        (SelfReport(sex="other"), "sex"),
        (SelfReport(race_ethnicity="martian"), "race_ethnicity"),
    ],
)
def test_only_listed_answers(report: SelfReport, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        report.validated()
    assert info.value.field == field


def test_labels_read_as_people_do() -> None:
    assert SelfReport() == SelfReport(sex="unknown", race_ethnicity="unknown")
    assert label("unknown") == "Prefer not to say"
    assert label("female × hispanic_latino") == "Female × Hispanic or Latino"
