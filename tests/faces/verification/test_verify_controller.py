"""GET /verify/{profile_id}: HTML and JSON, valid, tampered, revoked and unknown profiles."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.di import Provide
from litestar.testing import AsyncTestClient

from service.faces.verification.controller import VerificationController
from service.ground.settings import Settings
from service.profiles.issue import issue_profile, new_profile_id
from service.profiles.sample import sample_profile
from service.profiles.signing import ProfileSigner, generate_seed, public_key_entry
from service.web.database import pool_lifespan, provide_connection
from service.web.problems import EXCEPTION_HANDLERS
from tests.profiles.helpers import CountingRenderer, seed_candidate

SEED = generate_seed()
SIGNER = ProfileSigner.from_settings(SEED)
JSON = {"Accept": "application/json"}
AppFactory = Callable[[ProfileSigner], Litestar]
HOSTILE = "Zoë <script>alert(1)</script> Quinn"


@pytest.fixture
def make_app(db_url: str, settings: Settings) -> Callable[[ProfileSigner], Litestar]:
    """An app with only the verify face, its own pool (the test client runs another loop)."""

    def build(signer: ProfileSigner) -> Litestar:
        return Litestar(
            route_handlers=[VerificationController],
            lifespan=[pool_lifespan(db_url, min_size=1, max_size=2)],
            dependencies={
                "conn": Provide(provide_connection),
                "profile_signer": Provide(lambda: signer, sync_to_thread=False),
            },
            exception_handlers=EXCEPTION_HANDLERS,
        )

    return build


@pytest.fixture
async def profile_id(pool: asyncpg.Pool, org_id: uuid.UUID) -> uuid.UUID:
    data = msgspec.structs.replace(
        sample_profile(variant="candidate", candidate_name=HOSTILE), profile_id=new_profile_id()
    )
    async with pool.acquire() as conn:
        candidate_id = await seed_candidate(conn, org_id)
        stored = await issue_profile(
            conn,
            organization_id=org_id,
            candidate_id=candidate_id,
            attempt_id=None,
            data=data,
            signer=SIGNER,
            renderer=CountingRenderer(),
            public_base_url="https://x.example",
        )
    return stored.id


async def test_json_reports_a_valid_signature_and_what_it_covers(
    make_app: AppFactory, profile_id: uuid.UUID
) -> None:
    async with AsyncTestClient(app=make_app(SIGNER)) as client:
        response = await client.get(f"/verify/{profile_id}", headers=JSON)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["vary"] == "Accept"
    body = response.json()
    assert body["valid"] is True and body["status"] == "valid" and body["reason"] == "ok"
    assert body["key_id"] == SIGNER.key_id and body["algorithm"] == "Ed25519"
    assert {"candidate_name", "competencies", "readiness", "issued_at"} <= set(body["covers"])
    assert body["candidate_initials"] == "Z. Q."  # words not starting with a letter dropped
    assert "Quinn" not in response.text  # initials only on the public face
    assert body["issued_at"] == "2026-11-29T09:30:00Z"
    assert [a["scaled_score"] for a in body["assessments"]] == [312, 288]


async def test_html_page_says_verified_with_initials_only(
    make_app: AppFactory, profile_id: uuid.UUID
) -> None:
    async with AsyncTestClient(app=make_app(SIGNER)) as client:
        response = await client.get(
            f"/verify/{profile_id}", headers={"Accept": "text/html,application/xhtml+xml,*/*"}
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Signature valid" in response.text
    assert "Z. Q." in response.text
    assert "Quinn" not in response.text and "<script>" not in response.text
    assert "Riverside Community Health" in response.text
    # readers see the form as "Form A", never the internal id (issue 10)
    assert "Form A" in response.text and "Form B" in response.text
    assert "coding-a" not in response.text and "privacy-b" not in response.text


async def test_one_changed_byte_in_storage_is_reported_as_invalid(
    pool: asyncpg.Pool, make_app: AppFactory, profile_id: uuid.UUID
) -> None:
    await pool.execute(
        """UPDATE profiles SET canonical = overlay(canonical PLACING '9'::bytea
                                                   FROM position('312'::bytea IN canonical)),
                  canonical_sha256 = encode(sha256(overlay(canonical PLACING '9'::bytea
                                         FROM position('312'::bytea IN canonical))), 'hex')
           WHERE id = $1""",
        profile_id,
    )
    async with AsyncTestClient(app=make_app(SIGNER)) as client:
        body = (await client.get(f"/verify/{profile_id}", headers=JSON)).json()
        page = (await client.get(f"/verify/{profile_id}")).text
    assert body["valid"] is False and body["reason"] == "bad_signature"
    assert body["assessments"][0]["scaled_score"] == 912  # the forged number, flagged
    assert "Not verified" in page


async def test_rotation_keeps_old_profiles_valid_and_revocation_ends_them(
    make_app: AppFactory, profile_id: uuid.UUID
) -> None:
    rotated = ProfileSigner.from_settings(generate_seed(), public_key_entry(SEED))
    revoked = ProfileSigner.from_settings(generate_seed())
    async with AsyncTestClient(app=make_app(rotated)) as client:
        assert (await client.get(f"/verify/{profile_id}", headers=JSON)).json()["valid"]
    async with AsyncTestClient(app=make_app(revoked)) as client:
        body = (await client.get(f"/verify/{profile_id}", headers=JSON)).json()
    assert body["valid"] is False and body["reason"] == "unknown_key"


@pytest.mark.parametrize("bad_id", ["5f1c2b7e-0d4a-4c3e-9b1a-2e6f7a8b9c0d", "not-a-uuid", "9" * 40])
async def test_unknown_ids_are_404_in_both_representations(
    make_app: AppFactory, bad_id: str
) -> None:
    async with AsyncTestClient(app=make_app(SIGNER)) as client:
        as_json = await client.get(f"/verify/{bad_id}", headers=JSON)
        as_html = await client.get(f"/verify/{bad_id}")
    assert as_json.status_code == 404
    assert as_json.headers["content-type"].startswith("application/problem+json")
    assert as_json.json()["status"] == 404
    assert as_html.status_code == 404 and "Profile not found" in as_html.text
