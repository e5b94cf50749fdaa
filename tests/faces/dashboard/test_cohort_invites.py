"""Inviting a cohort over HTTP against a real PostgreSQL: a selection invited, links
re-issued, the live status fragment, the members table filtered and paged, and the cohort
PDFs started, followed and downloaded."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.faces.dashboard.cohort_forms import (
    GOOD_ROSTER,
    listed_names,
    new_cohort,
    sign_in_as,
    upload_roster,
)
from tests.faces.test_profile_downloads import scored_candidate


async def test_invite_a_selection_then_reissue_and_follow_the_status(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await sign_in_as(client, pool, org_id)
    cohort = await new_cohort(client, csrf)
    assert (await upload_roster(client, csrf, cohort, GOOD_ROSTER)).status_code == 303
    ids = {
        r["email"]: str(r["id"])
        for r in await pool.fetch(
            "SELECT id, email FROM candidates WHERE organization_id = $1", org_id
        )
    }
    empty = await client.post(
        f"/dashboard/cohorts/{cohort}/invite",
        data={"_csrf": csrf, "scope": "selected", "package": "coding_track"},
    )
    assert empty.status_code == 422 and "Tick at least one candidate" in empty.text
    bad_days = await client.post(
        f"/dashboard/cohorts/{cohort}/invite",
        data={"_csrf": csrf, "scope": "all", "package": "clerk", "expires_in_days": "0"},
    )
    assert bad_days.status_code == 422 and "from 1 to 90" in bad_days.text
    for data, field, phrase in (
        ({"package": "no_such_package"}, "package", "Unknown package"),
        ({"package": "clerk", "expires_in_days": "soon"}, "expires_in_days", "from 1 to 90"),
        ({"package": "clerk", "extra_time": "3"}, "extra_time", "extra-time options"),
        ({"package": "clerk", "scope": "selected", "ids": "not-a-uuid"}, "ids", "not valid"),
    ):
        bad = await client.post(
            f"/dashboard/cohorts/{cohort}/invite", data={"_csrf": csrf, "scope": "all", **data}
        )
        assert bad.status_code == 422 and phrase in bad.text, data
        assert f'id="{field}-error"' in bad.text, data
    assert (
        await pool.fetchval("SELECT count(*) FROM invitations WHERE organization_id = $1", org_id)
        == 0
    )

    invited = await client.post(
        f"/dashboard/cohorts/{cohort}/invite",
        data={
            "_csrf": csrf,
            "scope": "selected",
            "ids": [ids["ana@example.org"], ids["ben@example.org"]],
            "package": "coding_track",
            "expires_in_days": "7",
            "extra_time": "1.5",
            "send_email": "on",
        },
    )
    assert invited.status_code == 200, invited.text[:500]
    assert invited.headers["cache-control"] == "no-store"
    links = re.findall(r'data-copy="(http[^"]+/take/[A-Za-z0-9_-]{32})"', invited.text)
    assert len(links) == 2 and "shown only on this page" in invited.text
    rows = await pool.fetch(
        """SELECT candidate_id, package, time_multiplier, cohort_id, expires_at - created_at AS life
           FROM invitations WHERE organization_id = $1""",
        org_id,
    )
    assert {str(r["candidate_id"]) for r in rows} == {
        ids["ana@example.org"],
        ids["ben@example.org"],
    }
    for r in rows:
        assert r["package"] == "coding_track" and float(r["time_multiplier"]) == 1.5
        assert str(r["cohort_id"]) == cohort and r["life"] == dt.timedelta(days=7)
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM outbound_emails WHERE organization_id = $1", org_id
        )
        == 2
    )

    # Everyone else: the two with working links are passed over, Cara is invited.
    rest = await client.post(
        f"/dashboard/cohorts/{cohort}/invite",
        data={"_csrf": csrf, "scope": "all", "package": "clerk", "expires_in_days": "14"},
    )
    assert rest.status_code == 200 and "Ana Lopez" in rest.text and "Ben Moss" in rest.text
    assert len(re.findall(r'data-copy="http', rest.text)) == 1
    assert (
        await pool.fetchval("SELECT count(*) FROM invitations WHERE organization_id = $1", org_id)
        == 3
    )

    # Re-issue Ana's link: the old one stops working at once, the new one works.
    old = links[0].rsplit("/", 1)[1]
    invitation = await pool.fetchval(
        "SELECT id FROM invitations WHERE token_sha256 = sha256($1::text::bytea)", old
    )
    assert invitation is not None
    assert (await client.get(f"/take/{old}")).status_code == 200
    reissued = await client.post(
        f"/dashboard/cohorts/{cohort}/invitations/{invitation}/reissue",
        data={"_csrf": csrf, "expires_in_days": "14"},
    )
    assert reissued.status_code == 200
    (new_link,) = re.findall(r'data-copy="(http[^"]+/take/[A-Za-z0-9_-]{32})"', reissued.text)
    new = new_link.rsplit("/", 1)[1]
    assert new != old
    assert (await client.get(f"/take/{old}")).status_code == 404
    assert (await client.get(f"/take/{new}")).status_code == 200

    # The candidate consents and starts: the status fragment says so.
    status = await client.get(f"/dashboard/cohorts/{cohort}/status")
    assert status.status_code == 200 and "<html" not in status.text
    assert "0 not invited · 3 invited · 0 started" in status.text
    consent = await client.post(
        f"/take/{new}/consent", data={"agree": "yes"}, follow_redirects=False
    )
    assert consent.status_code == 303
    started = await client.post(f"/take/{new}/coding/start", follow_redirects=False)
    assert started.status_code == 303
    status = await client.get(f"/dashboard/cohorts/{cohort}/status")
    assert "2 invited · 1 started" in status.text
    ana = status.text[status.text.index("Ana Lopez") :]
    assert re.search(r'class="badge status-started">started<', ana[:600])

    # Cancelling goes through the same revocation path: the link dies.
    cancelled = await client.post(
        f"/dashboard/cohorts/{cohort}/invitations/{invitation}/cancel",
        data={"_csrf": csrf},
        follow_redirects=False,
    )
    assert cancelled.status_code == 303
    assert (await client.get(f"/take/{new}")).status_code == 404
    again = await client.post(
        f"/dashboard/cohorts/{cohort}/invitations/{invitation}/reissue",
        data={"_csrf": csrf, "expires_in_days": "14"},
    )
    assert again.status_code == 409 and "was cancelled" in again.text
    actions = await pool.fetch(
        "SELECT action, count(*) AS n FROM audit_log WHERE organization_id = $1 GROUP BY 1",
        org_id,
    )
    counts = {a["action"]: a["n"] for a in actions}
    assert counts["invitation.create"] == 3 and counts["invitation.reissue"] == 1
    assert counts["invitation.revoke"] == 1


async def test_cohort_pdfs_are_started_followed_and_downloaded(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    candidate, _ = await scored_candidate(pool, org_id)
    csrf = await sign_in_as(client, pool, org_id)
    cohort = await new_cohort(client, csrf)
    await pool.execute(
        "INSERT INTO cohort_members (organization_id, cohort_id, candidate_id) VALUES ($1, $2, $3)",
        org_id,
        uuid.UUID(cohort),
        candidate,
    )
    bad = await client.post(
        f"/dashboard/cohorts/{cohort}/profiles", data={"_csrf": csrf, "variant": "secret"}
    )
    assert bad.status_code == 422 and "Choose the candidate or the employer copy" in bad.text
    r = await client.post(
        f"/dashboard/cohorts/{cohort}/profiles",
        data={"_csrf": csrf, "variant": "employer"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    batch = await pool.fetchval(
        "SELECT id FROM profile_batches WHERE cohort_id = $1", uuid.UUID(cohort)
    )
    page = await client.get(f"/dashboard/cohorts/{cohort}")
    assert f'data-refresh="/dashboard/cohorts/{cohort}/profiles/{batch}/progress"' in page.text
    progress_url = f"/dashboard/cohorts/{cohort}/profiles/{batch}/progress"
    queued = await client.get(progress_url)
    assert queued.status_code == 200 and "0 rendered" in queued.text and "queued" in queued.text
    assert "data-refresh-stop" not in queued.text
    zip_url = f"/dashboard/cohorts/{cohort}/profiles/{batch}/profiles.zip"
    assert (await client.get(zip_url)).status_code == 404

    # What a worker does for the job (tests/jobs runs real workers): issue and store the
    # profile, then the queue marks the job succeeded.
    issued = await client.get(f"/staff/candidates/{candidate}/profile.pdf?variant=employer")
    assert issued.status_code == 200
    await pool.execute(
        """UPDATE procrastinate_jobs SET status = 'succeeded' WHERE args ->> 'batch' = $1""",
        str(batch),
    )
    finished = await client.get(progress_url)
    assert "1 rendered, 0 not rendered" in finished.text and "data-refresh-stop" in finished.text
    assert zip_url in finished.text
    download = await client.get(zip_url)
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        (name,) = archive.namelist()
        assert name.endswith(".pdf") and "employer" in name
        assert archive.read(name) == issued.content


async def test_the_members_table_filters_by_status_and_pages(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import service.faces.dashboard.cohort_view as pages  # noqa: PLC0415

    monkeypatch.setattr(pages, "MAX_SHOWN", 2)
    csrf = await sign_in_as(client, pool, org_id)
    cohort = await new_cohort(client, csrf)
    await upload_roster(client, csrf, cohort, GOOD_ROSTER)
    ben = await pool.fetchval("SELECT id FROM candidates WHERE email = 'ben@example.org'")
    await client.post(
        f"/dashboard/cohorts/{cohort}/invite",
        data={"_csrf": csrf, "scope": "selected", "ids": str(ben), "package": "clerk"},
    )
    first = await client.get(f"/dashboard/cohorts/{cohort}")
    assert listed_names(first.text) == ["Ana Lopez", "Ben Moss"]
    assert "1–2 of 3" in first.text and "page=2" in first.text
    assert f'data-refresh="/dashboard/cohorts/{cohort}/status?page=1"' in first.text
    second = await client.get(f"/dashboard/cohorts/{cohort}/status?page=2")
    assert listed_names(second.text) == ["Cara Ng"]
    assert "Page 2 of 2" in second.text
    invited = await client.get(f"/dashboard/cohorts/{cohort}?status=sent")
    assert listed_names(invited.text) == ["Ben Moss"]
    assert f"/dashboard/cohorts/{cohort}/status?status=sent&amp;page=1" in invited.text
    waiting = await client.get(f"/dashboard/cohorts/{cohort}/status?status=not_invited&page=9")
    assert listed_names(waiting.text) == ["Ana Lopez", "Cara Ng"]
    odd = await client.get(f"/dashboard/cohorts/{cohort}?status=nonsense&page=-3")
    assert odd.status_code == 200 and "1–2 of 3" in odd.text
