"""PDF downloads as responses: private, never stored by shared caches."""

from __future__ import annotations

from litestar import Response

from service.profiles.repository import ProfilePdf


def pdf_response(pdf: ProfilePdf) -> Response[bytes]:
    """The PDF as a download, never cached by shared caches (it holds personal data)."""
    return Response(
        pdf.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{pdf.filename}"',
            "Cache-Control": "private, no-store",
            "ETag": f'"{pdf.pdf_sha256}"',
        },
    )
