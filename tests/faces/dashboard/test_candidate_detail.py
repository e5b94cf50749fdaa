"""One candidate's page over HTTP on data scored by the real pipeline: scores, responses
with keys and marks, readiness with its provenance, the audit trail; what each role sees;
rescoring, extra time and a new link, each checked for role, CSRF and audit; another
organization's candidate is 404."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from service.lookup.usage import record_lookup
from tests.faces.dashboard.cohort_data import (
    Client,
    csv_rows,
    scored_cohort,
    signed_in,
    table,
)


async def _someone(pool: asyncpg.Pool, cohort: uuid.UUID) -> uuid.UUID:
    found: uuid.UUID = await pool.fetchval(
        "SELECT candidate_id FROM cohort_members WHERE cohort_id = $1 ORDER BY candidate_id "
        "LIMIT 1",
        cohort,
    )
    return found


async def _running_attempt(pool: asyncpg.Pool, org: uuid.UUID, candidate: uuid.UUID) -> uuid.UUID:
    """A timed attempt in progress (a second invitation), with one open section."""
    invitation, attempt = uuid.uuid4(), uuid.uuid4()
    deadline = datetime.now(UTC) + timedelta(minutes=10)
    version = await pool.fetchval("SELECT id FROM content_versions LIMIT 1")
    await pool.execute(
        """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256, assessments,
               expires_at, created_by) VALUES ($1, $2, $3, $4, '{privacy}', $5, 'test')""",
        invitation,
        org,
        candidate,
        secrets.token_bytes(32),
        deadline + timedelta(days=3),
    )
    await pool.execute(
        """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id, assessment_id,
               form_id, content_version, status, deadline_at)
           VALUES ($1, $2, $3, $4, 'privacy', 'privacy-a', $5, 'in_progress', $6)""",
        attempt,
        org,
        candidate,
        invitation,
        version,
        deadline,
    )
    await pool.execute(
        """INSERT INTO attempt_sections (organization_id, attempt_id, section_id, ordinal,
               deadline_at, entered_at) VALUES ($1, $2, 's1', 1, $3, now())""",
        org,
        attempt,
        deadline,
    )
    return attempt


async def test_a_coordinator_sees_scores_responses_readiness_and_the_audit_trail(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    cohort = await scored_cohort(pool, org_id, size=2)
    person = await _someone(pool, cohort.cohort_id)
    await signed_in(client, pool, org_id, "coordinator")
    page = await client.get(f"/dashboard/candidates/{person}")
    assert page.status_code == 200, page.text[:500]
    html = page.text

    runs = await pool.fetch(
        """SELECT a.assessment_id, r.scaled_score FROM attempts a
           JOIN scoring_runs r ON r.attempt_id = a.id AND r.current
           WHERE a.candidate_id = $1""",
        person,
    )
    scores = table(html, "Attempts and their current scores")
    assert len(scores) - 1 == len(runs)
    shown = sorted(row[3] for row in scores[1:])
    assert shown == sorted(f"{r['scaled_score']:.0f}" for r in runs)

    # every stored response (and every scored item left unanswered) is listed with its key
    responses = await pool.fetchval(
        """SELECT count(*) FROM (
               SELECT r.attempt_id, r.item_id FROM responses r
               JOIN attempts a ON a.id = r.attempt_id WHERE a.candidate_id = $1
               UNION
               SELECT run.attempt_id, s.item_id FROM item_scores s
               JOIN scoring_runs run ON run.id = s.scoring_run_id AND run.current
               JOIN attempts a ON a.id = run.attempt_id WHERE a.candidate_id = $1) x""",
        person,
    )
    listed = sum(
        len(table(html, f"{title}: every response")) - 1
        for title in re.findall(r"<caption>([^<:]+): every response", html)
    )
    assert listed == responses
    r = await client.get(f"/dashboard/candidates/{person}/export.csv?table=responses")
    assert r.status_code == 200
    rows = csv_rows(r.text)
    assert len(rows) - 1 == responses
    assert all(row[3] for row in rows[1:])  # a key for every item

    # readiness with its interval and the model's provenance
    estimate = await pool.fetchrow(
        """SELECT p.probability, p.lower, p.upper, m.provenance FROM readiness_predictions p
           JOIN attempts a ON a.id = p.attempt_id JOIN readiness_models m
             ON m.version = p.model_version
           WHERE a.candidate_id = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT 1""",
        person,
    )
    readiness = {row[0]: row[1] for row in table(html, "Readiness estimate")}
    assert readiness["Chance of meeting the standard"] == f"{estimate['probability'] * 100:.0f}%"
    assert readiness["Likely range"] == (
        f"{estimate['lower'] * 100:.0f}–{estimate['upper'] * 100:.0f}%"
    )
    assert estimate["provenance"] == "simulated"
    assert "simulated candidates" in html

    # both profile variants are offered; the audit trail records this view on the next one
    assert "profile.pdf?variant=candidate" in html and "profile.pdf?variant=employer" in html
    again = await client.get(f"/dashboard/candidates/{person}")
    audit = table(again.text, "Who read or changed")
    assert any("candidate.view" in row[2] for row in audit[1:])
    r = await client.get(f"/dashboard/candidates/{person}/export.csv?table=audit")
    exported = csv_rows(r.text)
    # the same trail, plus the view of the page just shown (recorded after it was read)
    assert len(exported) == len(audit) + 1
    assert exported[1][2] == "candidate.view"
    assert [row[2] for row in exported[2:]] == [row[2].split(" (")[0] for row in audit[1:]]


async def test_a_viewer_sees_scores_but_not_responses_integrity_or_actions(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    cohort = await scored_cohort(pool, org_id, size=1)
    person = await _someone(pool, cohort.cohort_id)
    csrf = await signed_in(client, pool, org_id, "viewer")
    page = await client.get(f"/dashboard/candidates/{person}")
    assert page.status_code == 200
    assert "Attempts and their current scores" in page.text
    assert "every response" not in page.text
    assert "Integrity signals" not in page.text
    assert "/rescore" not in page.text and "variant=employer" not in page.text
    attempt = await pool.fetchval("SELECT id FROM attempts WHERE candidate_id = $1", person)
    r = await client.post(
        f"/dashboard/candidates/{person}/attempts/{attempt}/rescore",
        data={"reason": "curious", "_csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 403
    r = await client.get(f"/dashboard/candidates/{person}/profile.pdf?variant=employer")
    assert r.status_code == 403
    r = await client.get(f"/dashboard/candidates/{person}/export.csv?table=responses")
    assert r.status_code == 400
    assert (
        await pool.fetchval("SELECT count(*) FROM scoring_runs WHERE attempt_id = $1", attempt) == 1
    )


async def test_rescoring_needs_a_reason_and_is_audited(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    cohort = await scored_cohort(pool, org_id, size=1)
    person = await _someone(pool, cohort.cohort_id)
    csrf = await signed_in(client, pool, org_id, "coordinator")
    attempt = await pool.fetchval(
        "SELECT id FROM attempts WHERE candidate_id = $1 ORDER BY id LIMIT 1", person
    )
    url = f"/dashboard/candidates/{person}/attempts/{attempt}/rescore"
    r = await client.post(url, data={"reason": "   ", "_csrf": csrf}, follow_redirects=False)
    assert r.status_code == 422
    assert f'id="rescore-{attempt}-reason-error"' in r.text
    r = await client.post(url, data={"reason": "key corrected"}, follow_redirects=False)
    assert r.status_code == 403  # no CSRF token
    assert (
        await pool.fetchval("SELECT count(*) FROM scoring_runs WHERE attempt_id = $1", attempt) == 1
    )
    r = await client.post(
        url, data={"reason": "key corrected", "_csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"].endswith(f"?done=rescored#attempt-{attempt}")
    assert (
        await pool.fetchval("SELECT count(*) FROM scoring_runs WHERE attempt_id = $1", attempt) == 2
    )
    reason = await pool.fetchval(
        "SELECT reason FROM audit_log WHERE action = 'attempt.rescore' AND subject_id = $1 "
        "ORDER BY id DESC LIMIT 1",
        str(attempt),
    )
    assert reason == "key corrected"
    page = await client.get(r.headers["location"])
    assert "The attempt was rescored" in page.text


async def test_extra_time_moves_the_deadlines_of_a_running_attempt(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    cohort = await scored_cohort(pool, org_id, size=1)
    person = await _someone(pool, cohort.cohort_id)
    running = await _running_attempt(pool, org_id, person)
    before = await pool.fetchval("SELECT deadline_at FROM attempts WHERE id = $1", running)
    csrf = await signed_in(client, pool, org_id, "coordinator")
    page = await client.get(f"/dashboard/candidates/{person}")
    assert f"/attempts/{running}/extend" in page.text
    url = f"/dashboard/candidates/{person}/attempts/{running}/extend"
    r = await client.post(url, data={"minutes": "lots", "reason": "x", "_csrf": csrf})
    assert r.status_code == 422
    assert f'id="extend-{running}-minutes-error"' in r.text
    r = await client.post(url, data={"minutes": "999", "reason": "x", "_csrf": csrf})
    assert r.status_code == 422
    r = await client.post(url, data={"minutes": "\u00b2", "reason": "x", "_csrf": csrf})
    assert r.status_code == 422
    r = await client.post(
        url,
        data={"minutes": "15", "reason": "network outage", "_csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = await pool.fetchval("SELECT deadline_at FROM attempts WHERE id = $1", running)
    section = await pool.fetchval(
        "SELECT deadline_at FROM attempt_sections WHERE attempt_id = $1", running
    )
    assert after - before == timedelta(minutes=15) and section == after
    assert (
        await pool.fetchval(
            "SELECT reason FROM audit_log WHERE action = 'attempt.extend_time' AND subject_id = $1",
            str(running),
        )
        == "+15 min: network outage"
    )
    finished = await pool.fetchval(
        "SELECT id FROM attempts WHERE candidate_id = $1 AND status = 'scored' LIMIT 1", person
    )
    r = await client.post(
        f"/dashboard/candidates/{person}/attempts/{finished}/extend",
        data={"minutes": "5", "reason": "late", "_csrf": csrf},
    )
    assert r.status_code == 422
    assert "finished" in r.text


async def test_reissuing_a_link_replaces_it_once_and_is_audited(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    cohort = await scored_cohort(pool, org_id, size=1)
    person = await _someone(pool, cohort.cohort_id)
    invitation, old = await pool.fetchrow(
        "SELECT id, token_sha256 FROM invitations WHERE candidate_id = $1", person
    )
    # The seeded invitation is completed (every assessment finished) and a completed one is
    # not re-issued: make it one still under way.
    await pool.execute("UPDATE invitations SET completed_at = NULL WHERE id = $1", invitation)
    rater_csrf = await signed_in(client, pool, org_id, "rater")
    url = f"/dashboard/candidates/{person}/invitations/{invitation}/reissue"
    r = await client.post(url, data={"_csrf": rater_csrf, "expires_in_days": ""})
    assert r.status_code == 403
    csrf = await signed_in(client, pool, org_id, "coordinator")
    r = await client.post(url, data={"_csrf": csrf, "expires_in_days": "500"})
    assert r.status_code == 422
    assert f'id="reissue-{invitation}-expires_in_days-error"' in r.text
    r = await client.post(url, data={"_csrf": csrf, "expires_in_days": "7"})
    assert r.status_code == 200
    link = re.search(r'<code id="new-link">([^<]+)</code>', r.text)
    assert link and "/take/" in link.group(1)
    new = await pool.fetchval("SELECT token_sha256 FROM invitations WHERE id = $1", invitation)
    assert new != old
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM audit_log "
            "WHERE action = 'invitation.reissue' AND subject_id = $1",
            str(person),
        )
        == 1
    )
    # the link is shown once: reloading the page does not show it again
    assert 'id="new-link"' not in (await client.get(f"/dashboard/candidates/{person}")).text


async def test_another_organizations_candidate_and_attempts_are_not_found(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    other = uuid.uuid4()
    await pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, 'Other')",
        other,
        f"other-{other.hex[:8]}",
    )
    theirs = await scored_cohort(pool, other, size=1)
    stranger = await _someone(pool, theirs.cohort_id)
    ours = await scored_cohort(pool, org_id, size=1)
    person = await _someone(pool, ours.cohort_id)
    csrf = await signed_in(client, pool, org_id, "admin")
    assert (await client.get(f"/dashboard/candidates/{stranger}")).status_code == 404
    assert (await client.get(f"/dashboard/candidates/{uuid.uuid4()}")).status_code == 404
    r = await client.get(f"/dashboard/candidates/{stranger}/export.csv?table=scores")
    assert r.status_code == 404
    their_attempt = await pool.fetchval(
        "SELECT id FROM attempts WHERE candidate_id = $1 LIMIT 1", stranger
    )
    r = await client.post(
        f"/dashboard/candidates/{person}/attempts/{their_attempt}/rescore",
        data={"reason": "nosy", "_csrf": csrf},
    )
    assert r.status_code == 404
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM scoring_runs WHERE attempt_id = $1", their_attempt
        )
        == 1
    )
    r = await client.get(f"/dashboard/candidates/{person}/export.csv?table=everything")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "query.table"


async def test_both_profile_variants_download_for_a_coordinator(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    cohort = await scored_cohort(pool, org_id, size=1)
    person = await _someone(pool, cohort.cohort_id)
    await signed_in(client, pool, org_id, "coordinator")
    for variant in ("candidate", "employer"):
        r = await client.get(f"/dashboard/candidates/{person}/profile.pdf?variant={variant}")
        assert r.status_code == 200, r.text[:300]
        assert r.headers["content-type"] == "application/pdf"
        assert r.content.startswith(b"%PDF")
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'profile.download' AND subject_id = $1",
            str(person),
        )
        == 2
    )


async def test_code_look_up_use_is_shown_beside_the_attempts_that_offer_it(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    cohort = await scored_cohort(pool, org_id, size=1)
    person = await _someone(pool, cohort.cohort_id)
    attempts = await pool.fetch(
        "SELECT id, assessment_id FROM attempts WHERE candidate_id = $1", person
    )
    coding = [a["id"] for a in attempts if a["assessment_id"].startswith("coding")]
    assert coding and len(coding) < len(attempts)  # some forms offer the look-up, some not
    async with pool.acquire() as conn:
        for action, query in (("search", "asthma"), ("search", "J45"), ("view", "J45.909")):
            await record_lookup(
                conn, org_id, coding[0], action=action, query=query, results=3, item_id=None
            )
    await signed_in(client, pool, org_id, "coordinator")
    html = re.sub(r"\s+", " ", (await client.get(f"/dashboard/candidates/{person}")).text)
    assert "2 searches, 1 code opened" in html
    assert html.count("Code look-up (a reference tool") == len(coding)  # not beside the others
    assert html.count("not used.") == len(coding) - 1
    client.cookies.clear()
    await signed_in(client, pool, org_id, "viewer")
    seen = (await client.get(f"/dashboard/candidates/{person}")).text
    assert "Code look-up" not in seen  # with the responses, for coordinators and admins
