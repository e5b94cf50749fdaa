"""Issuing profiles against a real database: cache by content, tenancy, stored signatures."""

from __future__ import annotations

import hashlib
import uuid

import asyncpg
import msgspec

from service.profiles import repository
from service.profiles.data import ProfileData
from service.profiles.issue import content_digest, issue_profile, new_profile_id
from service.profiles.sample import sample_profile
from service.profiles.signing import ProfileSigner, generate_seed, verify
from tests.profiles.helpers import CountingRenderer, seed_candidate, seed_organization

SIGNER = ProfileSigner.from_settings(generate_seed())
BASE = "https://chartready.example.org"


def _fresh(data: ProfileData) -> ProfileData:
    return msgspec.structs.replace(data, profile_id=new_profile_id())


async def _issue(
    conn: asyncpg.Connection,
    org_id: uuid.UUID,
    candidate_id: uuid.UUID,
    data: ProfileData,
    renderer: CountingRenderer,
) -> repository.StoredProfile:
    return await issue_profile(
        conn,
        organization_id=org_id,
        candidate_id=candidate_id,
        attempt_id=None,
        data=data,
        signer=SIGNER,
        renderer=renderer,
        public_base_url=BASE,
    )


def test_content_digest_ignores_identity_but_not_results() -> None:
    data = sample_profile()
    assert content_digest(data) == content_digest(_fresh(data))
    changed = msgspec.structs.replace(data, candidate_name="Someone Else")
    assert content_digest(changed) != content_digest(data)


async def test_reissuing_unchanged_content_renders_nothing(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    renderer = CountingRenderer()
    async with pool.acquire() as conn:
        candidate_id = await seed_candidate(conn, org_id)
        first = await _issue(conn, org_id, candidate_id, _fresh(sample_profile()), renderer)
        again = await _issue(conn, org_id, candidate_id, _fresh(sample_profile()), renderer)
        other = await _issue(
            conn, org_id, candidate_id, _fresh(sample_profile(variant="candidate")), renderer
        )
    assert again.id == first.id
    assert len(renderer.calls) == 2
    assert other.id != first.id and other.variant == "candidate"


async def test_stored_pdf_and_signature_come_back_intact(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    renderer = CountingRenderer()
    async with pool.acquire() as conn:
        candidate_id = await seed_candidate(conn, org_id)
        stored = await _issue(conn, org_id, candidate_id, _fresh(sample_profile()), renderer)
        pdf = await repository.fetch_pdf(conn, org_id, stored.id)
        record = await repository.fetch_for_verification(conn, stored.id)
        latest = await repository.latest_for_candidate(conn, org_id, candidate_id, "employer")
    assert pdf is not None and record is not None and latest is not None
    assert pdf.pdf.startswith(b"%PDF") and pdf.pdf_sha256 == hashlib.sha256(pdf.pdf).hexdigest()
    assert pdf.filename == f"competency-profile-employer-{stored.id}.pdf"
    assert record.canonical == renderer.calls[0].canonical
    assert verify(
        record.canonical,
        record.signature,
        record.key_id,
        SIGNER.verify_keys,
        expected_sha256=record.canonical_sha256,
    ).valid
    assert latest.id == stored.id


async def test_another_organization_cannot_download_the_pdf(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    async with pool.acquire() as conn:
        candidate_id = await seed_candidate(conn, org_id)
        stored = await _issue(
            conn, org_id, candidate_id, _fresh(sample_profile()), CountingRenderer()
        )
        stranger = await seed_organization(conn)
        assert await repository.fetch_pdf(conn, stranger, stored.id) is None
        assert await repository.fetch_pdf(conn, org_id, uuid.uuid4()) is None


async def test_profile_stored_without_pdf_is_rendered_from_what_was_signed(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    renderer = CountingRenderer()
    data = _fresh(sample_profile())
    signed = SIGNER.sign(data)
    async with pool.acquire() as conn:
        candidate_id = await seed_candidate(conn, org_id)
        bare = await repository.insert_profile(
            conn,
            organization_id=org_id,
            candidate_id=candidate_id,
            attempt_id=None,
            data=data,
            signed=signed,
            content_sha256=content_digest(data),
            pdf=None,
        )
        assert await repository.fetch_pdf(conn, org_id, bare.id) is None
        done = await _issue(conn, org_id, candidate_id, _fresh(sample_profile()), renderer)
        pdf = await repository.fetch_pdf(conn, org_id, bare.id)
    assert done.id == bare.id
    assert renderer.calls[0].canonical == signed.canonical
    assert pdf is not None and done.pdf_sha256 == pdf.pdf_sha256
