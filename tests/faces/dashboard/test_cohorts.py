"""Cohort pages over HTTP against a real PostgreSQL: roles, CSRF, the CSV roster checked in
full, inviting a selection, re-issued links, the live status fragment, tenant isolation,
the members CSV and the cohort PDFs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
import zipfile

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.faces.dashboard.helpers import dashboard_sign_in
from tests.faces.test_profile_downloads import scored_candidate
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


async def _coordinator(
    client: AsyncTestClient,  # type: ignore[type-arg]
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    role: str = "coordinator",
) -> str:
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
    await make_user(pool, org_id, role, email)
    return await dashboard_sign_in(client, await org_slug(pool, org_id), email)


async def _cohort(client: AsyncTestClient, csrf: str, name: str = "Spring class") -> str:  # type: ignore[type-arg]
    r = await client.post(
        "/dashboard/cohorts/", data={"_csrf": csrf, "name": name}, follow_redirects=False
    )
    assert r.status_code == 303, r.text[:500]
    found = re.match(r"^/dashboard/cohorts/([0-9a-f-]{36})\?created=1$", r.headers["location"])
    assert found, r.headers["location"]
    return found.group(1)


async def _upload(client: AsyncTestClient, csrf: str, cohort: str, text: str | bytes):  # type: ignore[no-untyped-def,type-arg]
    body = text.encode() if isinstance(text, str) else text
    return await client.post(
        f"/dashboard/cohorts/{cohort}/import",
        data={"_csrf": csrf},
        files={"roster": ("roster.csv", body, "text/csv")},
        follow_redirects=False,
    )


def _names(html: str) -> list[str]:
    """The members listed in a cohort page or fragment (each links to the candidate)."""
    return re.findall(
        r'<th scope="row"><a href="/dashboard/candidates/[0-9a-f-]{36}">([^<]+)</a>', html
    )


async def _members(pool: asyncpg.Pool, cohort: str) -> int:
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM cohort_members WHERE cohort_id = $1", uuid.UUID(cohort)
        )
    )


async def test_viewers_and_raters_read_but_cannot_change_and_csrf_is_required(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await _coordinator(client, pool, org_id)
    cohort = await _cohort(client, csrf)
    forged = await client.post(
        f"/dashboard/cohorts/{cohort}/rename", data={"name": "Forged"}, follow_redirects=False
    )
    assert forged.status_code == 403 and "expired" in forged.text
    wrong = await client.post(
        f"/dashboard/cohorts/{cohort}/rename",
        data={"name": "Forged", "_csrf": "not-the-token"},
        follow_redirects=False,
    )
    assert wrong.status_code == 403
    assert await pool.fetchval("SELECT name FROM cohorts WHERE id = $1", uuid.UUID(cohort)) == (
        "Spring class"
    )

    for role in ("viewer", "rater"):
        client.cookies.clear()
        token = await _coordinator(client, pool, org_id, role)
        listing = await client.get("/dashboard/cohorts")
        assert listing.status_code == 200 and "Spring class" in listing.text
        assert "Create cohort" not in listing.text
        page = await client.get(f"/dashboard/cohorts/{cohort}")
        assert page.status_code == 200 and "Members and their status" in page.text
        assert 'id="invite-form"' not in page.text and "Check and import" not in page.text
        for url, data in (
            ("/dashboard/cohorts/", {"name": "Mine"}),
            (f"/dashboard/cohorts/{cohort}/rename", {"name": "Mine"}),
            (f"/dashboard/cohorts/{cohort}/archive", {"archived": "1"}),
            (
                f"/dashboard/cohorts/{cohort}/candidates",
                {"given_name": "A", "family_name": "B", "email": "a@example.org"},
            ),
            (f"/dashboard/cohorts/{cohort}/invite", {"scope": "all", "package": "clerk"}),
            (f"/dashboard/cohorts/{cohort}/profiles", {"variant": "candidate"}),
        ):
            r = await client.post(url, data={**data, "_csrf": token}, follow_redirects=False)
            assert r.status_code == 403, (role, url, r.status_code)
            assert "needs the coordinator role" in r.text
    assert (
        await pool.fetchval("SELECT count(*) FROM cohorts WHERE organization_id = $1", org_id) == 1
    )
    assert await _members(pool, cohort) == 0
    assert (
        await pool.fetchval("SELECT archived_at FROM cohorts WHERE id = $1", uuid.UUID(cohort))
        is None
    )


async def test_create_rename_archive_and_bad_names_reshow_the_form(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await _coordinator(client, pool, org_id)
    cohort = await _cohort(client, csrf)
    other = await _cohort(client, csrf, "Autumn class")
    same = await client.post("/dashboard/cohorts/", data={"_csrf": csrf, "name": "Spring class"})
    assert same.status_code == 422 and "already exists" in same.text
    assert 'value="Spring class"' in same.text and 'aria-invalid="true"' in same.text
    blank = await client.post("/dashboard/cohorts/", data={"_csrf": csrf, "name": "   "})
    assert blank.status_code == 422 and "Give the cohort a name" in blank.text
    too_long = await client.post("/dashboard/cohorts/", data={"_csrf": csrf, "name": "x" * 201})
    assert too_long.status_code == 422 and "longer than 200" in too_long.text

    clash = await client.post(
        f"/dashboard/cohorts/{other}/rename", data={"_csrf": csrf, "name": "Spring class"}
    )
    assert clash.status_code == 422 and "already exists" in clash.text
    renamed = await client.post(
        f"/dashboard/cohorts/{other}/rename",
        data={"_csrf": csrf, "name": "Autumn class 2026"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    archived = await client.post(
        f"/dashboard/cohorts/{cohort}/archive",
        data={"_csrf": csrf, "archived": "1"},
        follow_redirects=False,
    )
    assert archived.status_code == 303
    listing = await client.get("/dashboard/cohorts")
    assert "Autumn class 2026" in listing.text and "Spring class" not in listing.text
    everything = await client.get("/dashboard/cohorts?archived=1")
    assert "Spring class" in everything.text and "archived" in everything.text
    exported = await client.get("/dashboard/cohorts?archived=1&format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["name"]: bool(r["archived_at"]) for r in rows} == {
        "Spring class": True,
        "Autumn class 2026": False,
    }
    restored = await client.post(
        f"/dashboard/cohorts/{cohort}/archive",
        data={"_csrf": csrf, "archived": "0"},
        follow_redirects=False,
    )
    assert restored.status_code == 303
    assert "Spring class" in (await client.get("/dashboard/cohorts")).text
    actions = await pool.fetch(
        "SELECT action FROM audit_log WHERE organization_id = $1 AND subject_kind = 'cohort'",
        org_id,
    )
    assert sorted(a["action"] for a in actions) == [
        "cohort.archive",
        "cohort.create",
        "cohort.create",
        "cohort.rename",
        "cohort.unarchive",
    ]


async def test_a_roster_with_errors_is_reported_line_by_line_and_nothing_is_imported(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await _coordinator(client, pool, org_id)
    cohort = await _cohort(client, csrf)
    r = await _upload(client, csrf, cohort, BAD_ROSTER)
    assert r.status_code == 422
    report = re.findall(
        r'<tr><td class="num">(\d+)</td><td>([a-z_]*)</td><td>([^<]*)</td></tr>', r.text
    )
    assert [(line, column) for line, column, _ in report] == [
        ("3", "given_name"),
        ("4", "email"),
        ("5", "email"),
        ("6", ""),
    ]
    assert "given name is missing" in report[0][2]
    assert "not a valid e-mail address" in report[1][2]
    assert "repeats line 2" in report[2][2]
    assert "3 fields where the header has 4" in report[3][2]
    assert "Nothing from the file was stored" in r.text
    assert await _members(pool, cohort) == 0
    assert (
        await pool.fetchval("SELECT count(*) FROM candidates WHERE organization_id = $1", org_id)
        == 0
    )

    for body, phrase in (
        (b"given_name,family_name,email\nZo\xe9,Ray,zoe@example.org\n", "not UTF-8"),
        ("name,email\nAna,ana@example.org\n", "the header lacks given_name, family_name"),
        ("", "the file is empty"),
        (
            "given_name,family_name,email\n"
            + "".join(f"A,B,a{n}@example.org\n" for n in range(1001)),
            "more than 1000 rows",
        ),
        ("x" * (600 * 1024), "larger than 512 KiB"),
    ):
        bad = await _upload(client, csrf, cohort, body)
        assert bad.status_code == 422 and phrase in bad.text, phrase
    huge = await _upload(client, csrf, cohort, b"x" * (2 * 1024 * 1024))  # over max_body_bytes
    assert huge.status_code == 413 and "File too large" in huge.text
    assert huge.headers["content-type"].startswith("text/html")
    no_file = await client.post(
        f"/dashboard/cohorts/{cohort}/import", data={"_csrf": csrf}, follow_redirects=False
    )
    assert no_file.status_code == 422 and "Choose a CSV file" in no_file.text
    assert await _members(pool, cohort) == 0

    clean = await _upload(client, csrf, cohort, "\ufeff" + GOOD_ROSTER)  # Excel's BOM too
    assert clean.status_code == 303 and clean.headers["location"].endswith("?added=3")
    assert await _members(pool, cohort) == 3
    page = await client.get(clean.headers["location"])
    assert "3 candidate(s) added" in page.text and "cara@example.org" in page.text
    again = await _upload(client, csrf, cohort, GOOD_ROSTER)  # same people: nobody twice
    assert again.headers["location"].endswith("?added=0")
    assert (
        await pool.fetchval("SELECT count(*) FROM candidates WHERE organization_id = $1", org_id)
        == 3
    )


async def test_adding_one_candidate_reshows_bad_input_and_reuses_the_registered(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await _coordinator(client, pool, org_id)
    cohort = await _cohort(client, csrf)
    bad = await client.post(
        f"/dashboard/cohorts/{cohort}/candidates",
        data={"_csrf": csrf, "given_name": "Ana", "family_name": "", "email": "ana@"},
    )
    assert bad.status_code == 422
    assert "Family name is missing" in bad.text and "is not a valid e-mail address" in bad.text
    assert 'value="Ana"' in bad.text and 'id="email-error"' in bad.text
    for _ in range(2):
        ok = await client.post(
            f"/dashboard/cohorts/{cohort}/candidates",
            data={
                "_csrf": csrf,
                "given_name": "Ana",
                "family_name": "Lopez",
                "email": "Ana@Example.org",
                "external_id": "",
            },
            follow_redirects=False,
        )
        assert ok.status_code == 303
    assert await _members(pool, cohort) == 1
    assert (
        await pool.fetchval("SELECT count(*) FROM candidates WHERE organization_id = $1", org_id)
        == 1
    )


async def test_invite_a_selection_then_reissue_and_follow_the_status(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await _coordinator(client, pool, org_id)
    cohort = await _cohort(client, csrf)
    assert (await _upload(client, csrf, cohort, GOOD_ROSTER)).status_code == 303
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


async def test_members_csv_has_the_rows_of_the_table(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await _coordinator(client, pool, org_id)
    cohort = await _cohort(client, csrf)
    await _upload(client, csrf, cohort, GOOD_ROSTER + "=cmd,Evil,evil@example.org,E9\n")
    ana = await pool.fetchval("SELECT id FROM candidates WHERE email = 'ana@example.org'")
    await client.post(
        f"/dashboard/cohorts/{cohort}/invite",
        data={
            "_csrf": csrf,
            "scope": "selected",
            "ids": str(ana),
            "package": "clerk",
            "extra_time": "untimed",
        },
    )
    exported = await client.get(f"/dashboard/cohorts/{cohort}/members.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["given_name"], r["family_name"], r["status"]) for r in rows] == [
        ("'=cmd", "Evil", "not invited"),  # a formula is kept as text
        ("Ana", "Lopez", "invited"),
        ("Ben", "Moss", "not invited"),
        ("Cara", "Ng", "not invited"),
    ]
    assert rows[1]["package"] == "clerk" and rows[1]["time_accommodation"] == "untimed"
    page = await client.get(f"/dashboard/cohorts/{cohort}")
    table = _names(page.text)
    assert table == ["=cmd Evil", "Ana Lopez", "Ben Moss", "Cara Ng"]


async def test_another_organizations_cohort_is_not_found(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    other_org = uuid.uuid4()
    await pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, 'Elsewhere')",
        other_org,
        f"other-{other_org.hex[:8]}",
    )
    theirs = uuid.uuid4()
    await pool.execute(
        "INSERT INTO cohorts (id, organization_id, name) VALUES ($1, $2, 'Their cohort')",
        theirs,
        other_org,
    )
    csrf = await _coordinator(client, pool, org_id)
    for url in ("", "/status", "/members.csv"):
        r = await client.get(f"/dashboard/cohorts/{theirs}{url}")
        assert r.status_code == 404, url
        assert "Their cohort" not in r.text
    for url, data in (
        ("/rename", {"name": "Mine now"}),
        ("/archive", {"archived": "1"}),
        ("/candidates", {"given_name": "A", "family_name": "B", "email": "a@example.org"}),
        ("/invite", {"scope": "all", "package": "clerk"}),
        ("/profiles", {"variant": "candidate"}),
    ):
        r = await client.post(
            f"/dashboard/cohorts/{theirs}{url}",
            data={**data, "_csrf": csrf},
            follow_redirects=False,
        )
        assert r.status_code == 404, url
    upload = await _upload(client, csrf, str(theirs), GOOD_ROSTER)
    assert upload.status_code == 404
    assert "Their cohort" not in (await client.get("/dashboard/cohorts?archived=1")).text
    row = await pool.fetchrow("SELECT name, archived_at FROM cohorts WHERE id = $1", theirs)
    assert dict(row) == {"name": "Their cohort", "archived_at": None}
    assert await pool.fetchval("SELECT count(*) FROM candidates") == 0
    assert await pool.fetchval("SELECT count(*) FROM profile_batches") == 0


async def test_cohort_pdfs_are_started_followed_and_downloaded(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    candidate, _ = await scored_candidate(pool, org_id)
    csrf = await _coordinator(client, pool, org_id)
    cohort = await _cohort(client, csrf)
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


async def test_nasty_form_input_never_yields_a_500(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await _coordinator(client, pool, org_id)
    cohort = await _cohort(client, csrf)
    await _upload(client, csrf, cohort, GOOD_ROSTER)
    await client.post(
        f"/dashboard/cohorts/{cohort}/invite",
        data={"_csrf": csrf, "scope": "all", "package": "clerk"},
    )
    invitation = await pool.fetchval("SELECT id FROM invitations LIMIT 1")
    nasty = [
        {},
        dict.fromkeys(
            (
                "name",
                "given_name",
                "family_name",
                "email",
                "external_id",
                "package",
                "scope",
                "ids",
                "expires_in_days",
                "extra_time",
                "variant",
                "archived",
            ),
            "a\x00b",
        ),
        dict.fromkeys(
            (
                "name",
                "given_name",
                "family_name",
                "email",
                "external_id",
                "expires_in_days",
                "ids",
                "package",
                "variant",
            ),
            "9" * 5000,
        ),
        {"scope": "selected", "ids": str(uuid.uuid4()), "package": "clerk"},
        {"expires_in_days": "-1", "package": "clerk"},
        {"expires_in_days": "99999999999999999999", "package": "clerk"},
    ]
    for path in (
        "/dashboard/cohorts/",
        f"/dashboard/cohorts/{cohort}/rename",
        f"/dashboard/cohorts/{cohort}/archive",
        f"/dashboard/cohorts/{cohort}/candidates",
        f"/dashboard/cohorts/{cohort}/invite",
        f"/dashboard/cohorts/{cohort}/profiles",
        f"/dashboard/cohorts/{cohort}/invitations/{invitation}/reissue",
        f"/dashboard/cohorts/{cohort}/invitations/{invitation}/cancel",
        f"/dashboard/cohorts/{cohort}/import",
    ):
        for data in nasty:
            r = await client.post(path, data={**data, "_csrf": csrf}, follow_redirects=False)
            assert r.status_code < 500, (path, data, r.status_code, r.text[:300])
    for path in (
        f"/dashboard/cohorts/{uuid.uuid4()}",
        "/dashboard/cohorts/not-a-uuid",
        f"/dashboard/cohorts/{cohort}/profiles/{uuid.uuid4()}/progress",
        f"/dashboard/cohorts/{cohort}/profiles/{uuid.uuid4()}/profiles.zip",
        "/dashboard/cohorts?archived=%00&format=%00",
    ):
        r = await client.get(path)
        assert r.status_code < 500, (path, r.status_code)


async def test_the_members_table_filters_by_status_and_pages(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import service.faces.dashboard.cohort_view as pages  # noqa: PLC0415

    monkeypatch.setattr(pages, "MAX_SHOWN", 2)
    csrf = await _coordinator(client, pool, org_id)
    cohort = await _cohort(client, csrf)
    await _upload(client, csrf, cohort, GOOD_ROSTER)
    ben = await pool.fetchval("SELECT id FROM candidates WHERE email = 'ben@example.org'")
    await client.post(
        f"/dashboard/cohorts/{cohort}/invite",
        data={"_csrf": csrf, "scope": "selected", "ids": str(ben), "package": "clerk"},
    )
    first = await client.get(f"/dashboard/cohorts/{cohort}")
    assert _names(first.text) == ["Ana Lopez", "Ben Moss"]
    assert "1–2 of 3" in first.text and "page=2" in first.text
    assert f'data-refresh="/dashboard/cohorts/{cohort}/status?page=1"' in first.text
    second = await client.get(f"/dashboard/cohorts/{cohort}/status?page=2")
    assert _names(second.text) == ["Cara Ng"]
    assert "Page 2 of 2" in second.text
    invited = await client.get(f"/dashboard/cohorts/{cohort}?status=sent")
    assert _names(invited.text) == ["Ben Moss"]
    assert f"/dashboard/cohorts/{cohort}/status?status=sent&amp;page=1" in invited.text
    waiting = await client.get(f"/dashboard/cohorts/{cohort}/status?status=not_invited&page=9")
    assert _names(waiting.text) == ["Ana Lopez", "Cara Ng"]
    odd = await client.get(f"/dashboard/cohorts/{cohort}?status=nonsense&page=-3")
    assert odd.status_code == 200 and "1–2 of 3" in odd.text
