"""Driving the cohort pages the way a browser does: a staff member signed in, a cohort
created through its form, a roster uploaded; and reading back what they show."""

from __future__ import annotations

import re
import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from tests.faces.dashboard.helpers import dashboard_sign_in
from tests.results.factories import make_user, org_slug

BAD_ROSTER = (
    "given_name,family_name,email,external_id\n"
    "Ana,Lopez,ana@example.org,E1\n"
    ",Moss,ben@example.org,E2\n"  # line 3: no given name
    "Cara,Ng,not-an-address,E3\n"  # line 4: invalid e-mail
    "Dev,Rao,ana@example.org,E4\n"  # line 5: e-mail repeats line 2
    "Eli,Sax,eli@example.org\n"  # line 6: too few fields
)
GOOD_ROSTER = (
    "given_name,family_name,email,external_id\n"
    "Ana,Lopez,ana@example.org,E1\n"
    "Ben,Moss,ben@example.org,E2\n"
    "Cara,Ng,cara@example.org,E3\n"
)


async def sign_in_as(
    client: AsyncTestClient,  # type: ignore[type-arg]
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    role: str = "coordinator",
) -> str:
    """A new staff user with ``role`` signed in through the form; returns the CSRF token."""
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
    await make_user(pool, org_id, role, email)
    return await dashboard_sign_in(client, await org_slug(pool, org_id), email)


async def new_cohort(client: AsyncTestClient, csrf: str, name: str = "Spring class") -> str:  # type: ignore[type-arg]
    """A cohort created through the form; returns its id."""
    r = await client.post(
        "/dashboard/cohorts/", data={"_csrf": csrf, "name": name}, follow_redirects=False
    )
    assert r.status_code == 303, r.text[:500]
    found = re.match(r"^/dashboard/cohorts/([0-9a-f-]{36})\?created=1$", r.headers["location"])
    assert found, r.headers["location"]
    return found.group(1)


async def upload_roster(client: AsyncTestClient, csrf: str, cohort: str, text: str | bytes):  # type: ignore[no-untyped-def,type-arg]
    """Post a roster file to the cohort's import form (redirects not followed)."""
    body = text.encode() if isinstance(text, str) else text
    return await client.post(
        f"/dashboard/cohorts/{cohort}/import",
        data={"_csrf": csrf},
        files={"roster": ("roster.csv", body, "text/csv")},
        follow_redirects=False,
    )


def listed_names(html: str) -> list[str]:
    """The members listed in a cohort page or fragment (each links to the candidate)."""
    return re.findall(
        r'<th scope="row"><a href="/dashboard/candidates/[0-9a-f-]{36}">([^<]+)</a>', html
    )


async def member_count(pool: asyncpg.Pool, cohort: str) -> int:
    """Members of the cohort."""
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM cohort_members WHERE cohort_id = $1", uuid.UUID(cohort)
        )
    )


async def registered_count(pool: asyncpg.Pool, org_id: uuid.UUID) -> int:  # type: ignore[type-arg]
    """Candidates registered in the organization."""
    return int(
        await pool.fetchval("SELECT count(*) FROM candidates WHERE organization_id = $1", org_id)
    )
