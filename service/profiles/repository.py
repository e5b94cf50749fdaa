"""Stored profiles: raw SQL over asyncpg, every function takes a connection.

Staff-facing reads are scoped by organization. :func:`fetch_for_verification` is the one
deliberate exception: the public verify page looks a profile up by its random id alone and
receives only what verification needs (no PDF, no organization id).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

import asyncpg
import msgspec

from service.profiles.data import ProfileData, Variant
from service.profiles.signing import SignedProfile


class StoredProfile(msgspec.Struct, frozen=True):
    """A profile row without its PDF bytes."""

    id: uuid.UUID
    organization_id: uuid.UUID
    candidate_id: uuid.UUID
    attempt_id: uuid.UUID | None
    variant: Variant
    canonical_sha256: str
    content_sha256: str
    signature: str
    key_id: str
    pdf_sha256: str | None
    created_at: datetime


class ProfilePdf(msgspec.Struct, frozen=True):
    """A finished PDF ready to send."""

    profile_id: uuid.UUID
    variant: Variant
    pdf: bytes
    pdf_sha256: str

    @property
    def filename(self) -> str:
        """A download filename that names the variant and the profile."""
        return f"competency-profile-{self.variant}-{self.profile_id}.pdf"


class VerificationRecord(msgspec.Struct, frozen=True):
    """What the public verify page needs: the signed bytes and how they were signed."""

    profile_id: uuid.UUID
    canonical: bytes
    canonical_sha256: str
    signature: str
    key_id: str
    created_at: datetime


_COLUMNS = """id, organization_id, candidate_id, attempt_id, variant, canonical_sha256,
    content_sha256, signature, key_id, pdf_sha256, created_at"""


def _stored(row: asyncpg.Record) -> StoredProfile:
    return StoredProfile(**dict(row))


async def find_cached(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    candidate_id: uuid.UUID,
    variant: Variant,
    content_sha256: str,
) -> StoredProfile | None:
    """The stored profile with exactly this content, if one was issued already."""
    row = await conn.fetchrow(
        f"""SELECT {_COLUMNS} FROM profiles
            WHERE organization_id = $1 AND candidate_id = $2 AND variant = $3
              AND content_sha256 = $4""",  # noqa: S608 - column list is a constant
        organization_id,
        candidate_id,
        variant,
        content_sha256,
    )
    return None if row is None else _stored(row)


async def insert_profile(
    conn: asyncpg.Connection,
    *,
    organization_id: uuid.UUID,
    candidate_id: uuid.UUID,
    attempt_id: uuid.UUID | None,
    data: ProfileData,
    signed: SignedProfile,
    content_sha256: str,
    pdf: bytes | None,
) -> StoredProfile:
    """Store a signed profile (and its PDF); if the same content raced in first, return that."""
    row = await conn.fetchrow(
        f"""INSERT INTO profiles (id, organization_id, candidate_id, attempt_id, variant, data,
                canonical, canonical_sha256, content_sha256, signature, key_id, pdf, pdf_sha256)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (organization_id, candidate_id, variant, content_sha256) DO NOTHING
            RETURNING {_COLUMNS}""",  # noqa: S608 - column list is a constant
        uuid.UUID(data.profile_id),
        organization_id,
        candidate_id,
        attempt_id,
        data.variant,
        data,
        signed.canonical,
        signed.sha256,
        content_sha256,
        signed.signature,
        signed.key_id,
        pdf,
        None if pdf is None else hashlib.sha256(pdf).hexdigest(),
    )
    if row is not None:
        return _stored(row)
    existing = await find_cached(conn, organization_id, candidate_id, data.variant, content_sha256)
    assert existing is not None  # the conflicting row exists: profiles are never deleted alone
    return existing


async def store_pdf(
    conn: asyncpg.Connection, organization_id: uuid.UUID, profile_id: uuid.UUID, pdf: bytes
) -> None:
    """Attach a rendered PDF to a profile stored without one."""
    await conn.execute(
        "UPDATE profiles SET pdf = $3, pdf_sha256 = $4 WHERE organization_id = $1 AND id = $2",
        organization_id,
        profile_id,
        pdf,
        hashlib.sha256(pdf).hexdigest(),
    )


async def fetch_pdf(
    conn: asyncpg.Connection, organization_id: uuid.UUID, profile_id: uuid.UUID
) -> ProfilePdf | None:
    """The stored PDF of a profile in this organization (None if absent or not rendered)."""
    row = await conn.fetchrow(
        """SELECT id AS profile_id, variant, pdf, pdf_sha256 FROM profiles
           WHERE organization_id = $1 AND id = $2 AND pdf IS NOT NULL""",
        organization_id,
        profile_id,
    )
    return None if row is None else ProfilePdf(**dict(row))


async def latest_for_candidate(
    conn: asyncpg.Connection, organization_id: uuid.UUID, candidate_id: uuid.UUID, variant: Variant
) -> StoredProfile | None:
    """The newest profile of this variant for a candidate (their download link uses it)."""
    row = await conn.fetchrow(
        f"""SELECT {_COLUMNS} FROM profiles
            WHERE organization_id = $1 AND candidate_id = $2 AND variant = $3
            ORDER BY created_at DESC, id LIMIT 1""",  # noqa: S608 - column list is a constant
        organization_id,
        candidate_id,
        variant,
    )
    return None if row is None else _stored(row)


async def fetch_for_verification(
    conn: asyncpg.Connection, profile_id: uuid.UUID
) -> VerificationRecord | None:
    """Public lookup by profile id: only the signed bytes and signature metadata."""
    row = await conn.fetchrow(
        """SELECT id AS profile_id, canonical, canonical_sha256, signature, key_id, created_at
           FROM profiles WHERE id = $1""",
        profile_id,
    )
    return None if row is None else VerificationRecord(**dict(row))
