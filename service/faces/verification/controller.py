"""``GET /verify/{profile_id}``: does this profile's signature hold, and what does it cover?

One URL, two representations chosen by the ``Accept`` header: browsers (and phones that
scanned the QR code) get an HTML page; clients asking for ``application/json`` get a
:class:`VerificationReport`. Responses carry ``Vary: Accept``. Unknown or malformed ids are
404 (problem details for JSON, a short page for HTML). The page is public by design: the
profile id is a random UUID printed on the PDF, and only initials are shown.

Dependencies the app must provide: ``conn`` (asyncpg connection) and ``profile_signer``
(:class:`~service.profiles.signing.ProfileSigner`, whose ``verify_keys`` are trusted).
"""

from __future__ import annotations

import functools
import uuid
from pathlib import Path
from typing import Any

import msgspec
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath

from service.ground.errors import NotFound
from service.profiles.repository import fetch_for_verification
from service.profiles.signing import ProfileSigner
from service.profiles.verification import VerificationReport, build_report
from service.web.database import Conn
from service.web.problems import Problem

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_HEADERS = {"Vary": "Accept", "Cache-Control": "no-cache"}


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    best = request.accept.best_match([MediaType.HTML.value, MediaType.JSON.value])
    return best == MediaType.JSON.value


class VerificationController(Controller):
    """Public, unauthenticated verification of signed competency profiles."""

    path = "/verify"
    tags = ["verification"]  # noqa: RUF012 - Litestar reads this class attribute

    @get(
        "/{profile_id:str}",
        operation_id="verifyProfile",
        summary="Verify a competency profile's signature",
        description=(
            "HTML by default; send `Accept: application/json` for a VerificationReport. "
            "Reports whether the Ed25519 signature holds, under which key, and which fields "
            "of the signed profile.json it covers. The candidate appears by initials only."
        ),
        responses={
            200: ResponseSpec(
                data_container=VerificationReport,
                description="Verification result (HTML page unless JSON is accepted)",
                media_type=MediaType.JSON,
            ),
            404: ResponseSpec(
                data_container=Problem,
                description="No profile has this id",
                media_type="application/problem+json",
            ),
        },
    )
    async def verify_profile(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        profile_signer: NamedDependency[ProfileSigner],
        profile_id: FromPath[str],
    ) -> Response[Any]:
        """Verify one profile and answer in the representation the client accepts."""
        wants_json = _wants_json(request)
        record = None
        try:
            parsed = uuid.UUID(profile_id)
        except ValueError:
            parsed = None
        if parsed is not None:
            record = await fetch_for_verification(conn, parsed)
        if record is None:
            if wants_json:
                raise NotFound("No profile has this id")
            page = (
                _environment().get_template("verify_not_found.html").render(profile_id=profile_id)
            )
            return Response(page, status_code=404, media_type=MediaType.HTML, headers=_HEADERS)
        report = build_report(record, profile_signer.verify_keys)
        if wants_json:
            return Response(
                msgspec.json.encode(report),
                media_type=MediaType.JSON,
                headers=_HEADERS,
            )
        page = _environment().get_template("verify.html").render(r=report)
        return Response(page, media_type=MediaType.HTML, headers=_HEADERS)


__all__ = ["VerificationController", "VerificationReport"]
