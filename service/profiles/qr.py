"""QR code (inline SVG, drawn by segno) that points at a profile's public verify page."""

from __future__ import annotations

import segno


def verify_url(public_base_url: str, profile_id: str) -> str:
    """Absolute URL of the verify page for ``profile_id``."""
    return f"{public_base_url.rstrip('/')}/verify/{profile_id}"


def verify_qr_svg(url: str, *, scale: int = 3) -> str:
    """Inline SVG of a QR code for ``url``, with a title naming where it leads."""
    code = segno.make(url, error="m", micro=False)
    svg: str = code.svg_inline(
        scale=scale,
        border=2,
        dark="#1b2a3a",
        title=f"QR code linking to {url}",
        omitsize=False,
    )
    return svg
