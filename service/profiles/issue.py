"""Issue a profile: sign it, render it once, store it; re-issuing unchanged content is free."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Protocol

import asyncpg
import msgspec

from service.profiles import repository
from service.profiles.data import ProfileData
from service.profiles.render import RenderRequest
from service.profiles.signing import ProfileSigner, canonical_json
from service.tenancy import events

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Renderer(Protocol):
    """Anything that renders a request to PDF bytes off the event loop (the RenderPool)."""

    async def render(self, request: RenderRequest) -> bytes:
        """Render one profile."""
        ...


def content_digest(data: ProfileData) -> str:
    """SHA-256 of the profile's content without its identity (id and issue time).

    Two issuances with the same digest would print the same results, so the second one
    reuses the stored profile and PDF.
    """
    anonymous = msgspec.structs.replace(data, profile_id="", issued_at=_EPOCH)
    return hashlib.sha256(canonical_json(anonymous)).hexdigest()


def new_profile_id() -> str:
    """A fresh random profile id (UUID4: 122 random bits, unguessable on the public page)."""
    return str(uuid.uuid4())


async def issue_profile(
    conn: asyncpg.Connection,
    *,
    organization_id: uuid.UUID,
    candidate_id: uuid.UUID,
    attempt_id: uuid.UUID | None,
    data: ProfileData,
    signer: ProfileSigner,
    renderer: Renderer,
    public_base_url: str,
) -> repository.StoredProfile:
    """Return the stored profile for ``data``, rendering and signing only if it is new.

    ``data.profile_id`` and ``data.issued_at`` are used only when the content is new. The
    render happens outside any transaction so no row lock is held while a worker renders.
    """
    digest = content_digest(data)
    cached = await repository.find_cached(conn, organization_id, candidate_id, data.variant, digest)
    if cached is not None and cached.pdf_sha256 is not None:
        return cached
    if cached is not None:  # stored earlier without a PDF: render what was signed then
        record = await repository.fetch_for_verification(conn, cached.id)
        assert record is not None
        pdf = await renderer.render(
            RenderRequest(
                canonical=record.canonical,
                signature=record.signature,
                key_id=record.key_id,
                sha256=record.canonical_sha256,
                public_base_url=public_base_url,
            )
        )
        await repository.store_pdf(conn, organization_id, cached.id, pdf)
        return msgspec.structs.replace(cached, pdf_sha256=hashlib.sha256(pdf).hexdigest())
    signed = signer.sign(data)
    pdf = await renderer.render(
        RenderRequest(
            canonical=signed.canonical,
            signature=signed.signature,
            key_id=signed.key_id,
            sha256=signed.sha256,
            public_base_url=public_base_url,
        )
    )
    async with conn.transaction():
        stored = await repository.insert_profile(
            conn,
            organization_id=organization_id,
            candidate_id=candidate_id,
            attempt_id=attempt_id,
            data=data,
            signed=signed,
            content_sha256=digest,
            pdf=pdf,
        )
        if str(stored.id) == data.profile_id:  # ours, not one that raced in first
            await events.emit(
                conn,
                organization_id,
                "profile.ready",
                {
                    "profile_id": data.profile_id,
                    "candidate_id": str(candidate_id),
                    "variant": data.variant,
                    "links": {
                        "pdf": f"/api/v1/candidates/{candidate_id}/profile.pdf"
                        f"?variant={data.variant}",
                        "verify": f"/verify/{data.profile_id}",
                    },
                },
            )
    return stored
