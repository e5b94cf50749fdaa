"""The profile an employer reads does not contradict itself or overstate (issue 10).

One real scenario through scoring, the simulated readiness model, the database and a real
PDF read back with pdftotext: a candidate who passed three assessments and wrote essays on
the fourth that no rater has finalized yet, among a norm group with a retake.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path

import asyncpg
import pytest

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from service.assessments.items import ConstructedResponseItem
from service.auth.staff import StaffUser
from service.profiles.data import Variant
from service.profiles.render import RenderRequest, render_pdf_sync
from service.profiles.signing import ProfileSigner, generate_seed
from service.profiles.sources import load_profile_data
from service.readiness.estimates import latest_estimate
from service.readiness.outcomes import candidate_percents
from service.readiness.predict import BandThresholds
from service.readiness.train import train
from service.results.rating_queue import NewRating, submit_rating
from service.results.rescoring import rescore_attempt
from tests.assessments.helpers import key_answer
from tests.results.factories import finished_attempt, make_user

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "profiles"
SIGNER = ProfileSigner.from_settings(generate_seed())
OFF_TOPIC = (
    "Dear Mr. Okafor, thank you for asking about your late mother's records. Because "
    "you are the executor of her estate, we can release them once we receive a copy "
    "of the letters testamentary. We will respond within 30 days, there is no search "
    "fee, and the copies will be sent through the secure portal. Regards."
)


@pytest.fixture(scope="module")
def content() -> ContentVersion:
    return load_content()


async def scored(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    form_id: str,
    answers: dict[str, object],
    content: ContentVersion,
    candidate: uuid.UUID | None = None,
) -> uuid.UUID:
    """A finished, scored attempt (its own candidate unless ``candidate`` is given)."""
    attempt = await finished_attempt(pool, org_id, form_id, answers, content)
    async with pool.acquire() as conn:
        if candidate is not None:  # move the attempt (and its invitation) to ``candidate``
            await conn.execute(
                "UPDATE attempts SET candidate_id = $2 WHERE id = $1", attempt, candidate
            )
            await conn.execute(
                "UPDATE invitations SET candidate_id = $2 FROM attempts a "
                "WHERE a.id = $1 AND invitations.id = a.invitation_id",
                attempt,
                candidate,
            )
        await rescore_attempt(
            conn,
            org_id,
            attempt,
            content,
            reason="submitted",
            actor="test",
            thresholds=BandThresholds(),
        )
    return attempt


def keys(content: ContentVersion, form_id: str, share: float = 1.0) -> dict[str, object]:
    items = content.forms[form_id].items
    chosen = items[: round(len(items) * share)]
    return {i.id: key_answer(i) for i in chosen if not isinstance(i, ConstructedResponseItem)}


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


async def render(
    conn: asyncpg.Connection,
    org_id: uuid.UUID,
    candidate: uuid.UUID,
    variant: Variant,
    content: ContentVersion,
    name: str,
) -> str:
    built = await load_profile_data(
        conn, organization_id=org_id, candidate_id=candidate, variant=variant, content=content
    )
    assert built is not None
    signed = SIGNER.sign(built.data)
    pdf = render_pdf_sync(
        RenderRequest(
            canonical=signed.canonical,
            signature=signed.signature,
            key_id=signed.key_id,
            sha256=signed.sha256,
            public_base_url="https://chartready.example.org",
        )
    )
    save_pages(pdf, name)
    return pdf_text(pdf)


def save_pages(pdf: bytes, name: str) -> None:
    """The PDF and a PNG per page under test-artifacts/profiles/, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(ARTIFACTS / f"{name}.pdf"), str(ARTIFACTS / name)],
        check=True,
    )


async def test_profile_is_consistent_honest_and_readable(
    pool: asyncpg.Pool, org_id: uuid.UUID, content: ContentVersion
) -> None:
    await train(pool, min_real_outcomes=200, seed=0, simulated_candidates=3000, content=content)
    # The norm group: 11 other people, one of whom took coding twice (a retake).
    others = []
    for n in range(11):
        share = 0.3 + 0.06 * n
        first = await scored(pool, org_id, "coding-a", keys(content, "coding-a", share), content)
        person = await pool.fetchval("SELECT candidate_id FROM attempts WHERE id = $1", first)
        await scored(pool, org_id, "privacy-b", keys(content, "privacy-b", share), content, person)
        others.append(person)
    await scored(pool, org_id, "coding-b", keys(content, "coding-b", 0.9), content, others[0])
    # The candidate: passes coding, privacy and scenarios; writes essays for another prompt.
    first = await scored(pool, org_id, "coding-a", keys(content, "coding-a"), content)
    me = await pool.fetchval("SELECT candidate_id FROM attempts WHERE id = $1", first)
    await scored(pool, org_id, "privacy-a", keys(content, "privacy-a"), content, me)
    await scored(pool, org_id, "scenarios-a", keys(content, "scenarios-a"), content, me)
    form = content.forms["communication-a"]
    essays = [i for i in form.items if isinstance(i, ConstructedResponseItem)]
    answers = keys(content, "communication-a", 0.2) | {i.id: OFF_TOPIC for i in essays}
    writing = await scored(pool, org_id, "communication-a", answers, content, me)

    async with pool.acquire() as conn:
        run = await conn.fetchrow(
            "SELECT passed, provisional, awaiting_rating FROM scoring_runs"
            " WHERE attempt_id = $1 AND current",
            writing,
        )
        assert (run["passed"], run["provisional"], run["awaiting_rating"]) == (False, True, True)
        stored = await latest_estimate(conn, organization_id=org_id, attempt_id=writing)
        assert stored is not None and stored.provisional
        assert set(stored.awaiting_rating) == {i.id for i in essays}
        features = await candidate_percents(conn, organization_id=org_id, candidate_id=me)
        settled = await conn.fetchval(
            """SELECT 100 * (cs.raw - cs.provisional_raw) / (cs.max - cs.provisional_max)
               FROM competency_scores cs JOIN scoring_runs r ON r.id = cs.scoring_run_id
               WHERE r.attempt_id = $1 AND r.current AND cs.competency_id = 'communication'""",
            writing,
        )
        assert features["communication"] == pytest.approx(settled)  # essays left out
        employer = await render(conn, org_id, me, "employer", content, "trust-employer")
        candidate = await render(conn, org_id, me, "candidate", content, "trust-candidate")

    for text in (employer, candidate):
        flat = " ".join(text.split())
        # pass/fail and readiness are explained, one sentence each
        assert "What “passed” means:" in flat and "What “readiness” means:" in flat
        # the essays decide nothing yet
        assert "Awaiting rating" in flat
        assert "Passed (provisional)" not in flat
        assert "Readiness estimate (provisional)" in flat
        assert "Provisional: computed without" in flat
        # simulated provenance said plainly
        assert "Simulated, not observed" in flat
        assert "past candidates" not in flat
        assert re.search(r"simulated candidates \(not real people\) given estimates near", flat)
        # no internal form ids
        assert not re.search(r"\b(coding|privacy|scenarios|communication)-[ab]\b", flat)
        assert "Form A" in flat
        # percentiles read as percentiles with their group size: every person once
        table = flat[flat.index("COMPETENCY SCORE CUT PERCENTILE") : flat.index("Score: share")]
        ranks = re.findall(r"\b(\d+)(?:st|nd|rd|th)\s", table)
        sizes = re.findall(r"group of (\d+)", table)
        assert ranks and all(int(rank) < 100 for rank in ranks)
        # people (11 + the candidate), not attempts (13 of coding); "—" below 10 people
        assert sizes.count("12") == len(ranks) and set(sizes) <= {"12", "1"}
        assert not re.search(r"\b\d+ of \d+\b", re.sub(r"Page \d+ of \d+", "", flat))
    assert "Your " not in employer  # the employer's copy speaks of the candidate
    assert "the candidate’s" in employer or "The " in employer
    assert "Your " in candidate

    # Two raters finalize the essays: the result is decided, readiness is final.
    raters = [
        StaffUser(
            await make_user(pool, org_id, "rater", f"r{k}@example.org"),
            org_id,
            f"r{k}@example.org",
            f"R{k}",
            "rater",
            "csrf",
        )
        for k in (1, 2)
    ]
    async with pool.acquire() as conn:
        for item in essays:
            for rater in raters:
                await submit_rating(
                    conn,
                    rater,
                    NewRating(
                        attempt_id=writing, item_id=item.id, levels={c.id: 1 for c in item.criteria}
                    ),
                    content,
                    BandThresholds(),
                )
        run = await conn.fetchrow(
            "SELECT provisional, awaiting_rating FROM scoring_runs "
            "WHERE attempt_id = $1 AND current",
            writing,
        )
        assert (run["provisional"], run["awaiting_rating"]) == (False, False)
        stored = await latest_estimate(conn, organization_id=org_id, attempt_id=writing)
        assert stored is not None and not stored.provisional
        final = " ".join(
            (await render(conn, org_id, me, "employer", content, "trust-employer-rated")).split()
        )
    assert "Awaiting rating" not in final and "Provisional: computed without" not in final
    assert "Simulated, not observed" in final
