"""Cohort pages over HTTP against a real PostgreSQL: roles, CSRF, creating and renaming, the
CSV roster checked in full, adding one candidate, the members CSV, tenant isolation and
hostile form input. Inviting, links, status and PDFs: ``test_cohort_invites``."""

from __future__ import annotations

import csv
import io
import re
import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from tests.faces.dashboard.cohort_forms import (
    BAD_ROSTER,
    GOOD_ROSTER,
    listed_names,
    member_count,
    new_cohort,
    registered_count,
    sign_in_as,
    upload_roster,
)


async def test_viewers_and_raters_read_but_cannot_change_and_csrf_is_required(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await sign_in_as(client, pool, org_id)
    cohort = await new_cohort(client, csrf)
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
        token = await sign_in_as(client, pool, org_id, role)
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
    assert await member_count(pool, cohort) == 0
    assert (
        await pool.fetchval("SELECT archived_at FROM cohorts WHERE id = $1", uuid.UUID(cohort))
        is None
    )


async def test_create_rename_archive_and_bad_names_reshow_the_form(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await sign_in_as(client, pool, org_id)
    cohort = await new_cohort(client, csrf)
    other = await new_cohort(client, csrf, "Autumn class")
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
    csrf = await sign_in_as(client, pool, org_id)
    cohort = await new_cohort(client, csrf)
    r = await upload_roster(client, csrf, cohort, BAD_ROSTER)
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
    assert await member_count(pool, cohort) == 0
    assert await registered_count(pool, org_id) == 0

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
        bad = await upload_roster(client, csrf, cohort, body)
        assert bad.status_code == 422 and phrase in bad.text, phrase
    huge = await upload_roster(
        client, csrf, cohort, b"x" * (2 * 1024 * 1024)
    )  # over max_body_bytes
    assert huge.status_code == 413 and "File too large" in huge.text
    assert huge.headers["content-type"].startswith("text/html")
    no_file = await client.post(
        f"/dashboard/cohorts/{cohort}/import", data={"_csrf": csrf}, follow_redirects=False
    )
    assert no_file.status_code == 422 and "Choose a CSV file" in no_file.text
    assert await member_count(pool, cohort) == 0

    clean = await upload_roster(client, csrf, cohort, "\ufeff" + GOOD_ROSTER)  # Excel's BOM too
    assert clean.status_code == 303 and clean.headers["location"].endswith("?added=3")
    assert await member_count(pool, cohort) == 3
    page = await client.get(clean.headers["location"])
    assert "3 candidate(s) added" in page.text and "cara@example.org" in page.text
    again = await upload_roster(client, csrf, cohort, GOOD_ROSTER)  # same people: nobody twice
    assert again.headers["location"].endswith("?added=0")
    assert await registered_count(pool, org_id) == 3


async def test_adding_one_candidate_reshows_bad_input_and_reuses_the_registered(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await sign_in_as(client, pool, org_id)
    cohort = await new_cohort(client, csrf)
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
    assert await member_count(pool, cohort) == 1
    assert await registered_count(pool, org_id) == 1


async def test_members_csv_has_the_rows_of_the_table(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await sign_in_as(client, pool, org_id)
    cohort = await new_cohort(client, csrf)
    await upload_roster(client, csrf, cohort, GOOD_ROSTER + "=cmd,Evil,evil@example.org,E9\n")
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
    table = listed_names(page.text)
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
    csrf = await sign_in_as(client, pool, org_id)
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
    upload = await upload_roster(client, csrf, str(theirs), GOOD_ROSTER)
    assert upload.status_code == 404
    assert "Their cohort" not in (await client.get("/dashboard/cohorts?archived=1")).text
    row = await pool.fetchrow("SELECT name, archived_at FROM cohorts WHERE id = $1", theirs)
    assert dict(row) == {"name": "Their cohort", "archived_at": None}
    assert await pool.fetchval("SELECT count(*) FROM candidates") == 0
    assert await pool.fetchval("SELECT count(*) FROM profile_batches") == 0


async def test_nasty_form_input_never_yields_a_500(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    csrf = await sign_in_as(client, pool, org_id)
    cohort = await new_cohort(client, csrf)
    await upload_roster(client, csrf, cohort, GOOD_ROSTER)
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
