"""A candidate's current competency profile as a PDF: issued on first request, then served
from storage (an unchanged profile is never rendered twice)."""

from __future__ import annotations

import uuid

import asyncpg
from litestar import Response

from service.assessments.model import ContentVersion
from service.errors import NotFound
from service.profiles import repository
from service.profiles.data import Variant
from service.profiles.repository import ProfilePdf
from service.profiles.runtime import ProfileRuntime
from service.profiles.sources import load_profile_data


async def current_profile_pdf(
    conn: asyncpg.Connection,
    runtime: ProfileRuntime,
    content: ContentVersion,
    *,
    organization_id: uuid.UUID,
    candidate_id: uuid.UUID,
    variant: Variant,
    invitation_id: uuid.UUID | None = None,
) -> ProfilePdf:
    """The profile of the candidate's latest scores (with ``invitation_id``, only of what was
    done through that invitation); NotFound before anything is scored."""
    built = await load_profile_data(conn, organization_id=organization_id,
                                    candidate_id=candidate_id, variant=variant, content=content,
                                    invitation_id=invitation_id)
    if built is None:
        raise NotFound("No competency profile yet: no assessment has been scored.")
    stored = await runtime.issue(conn, organization_id=organization_id,
                                 candidate_id=candidate_id, attempt_id=built.attempt_id,
                                 data=built.data)
    pdf = await repository.fetch_pdf(conn, organization_id, stored.id)
    if pdf is None:  # pragma: no cover - issue() stores the PDF before returning
        raise NotFound("The profile could not be rendered.")
    return pdf


def pdf_response(pdf: ProfilePdf) -> Response[bytes]:
    """The PDF as a download, never cached by shared caches (it holds personal data)."""
    return Response(pdf.pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{pdf.filename}"',
        "Cache-Control": "private, no-store",
        "ETag": f'"{pdf.pdf_sha256}"',
    })
