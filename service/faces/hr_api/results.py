"""HR API v1: results — the feed of the organization's results, one result at its current or
an earlier version, and a candidate's results. Documents are served as stored (JSON text),
so a page costs one query."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, cast

import msgspec
from litestar import Controller, Response, get
from litestar.params import FromPath, QueryParameter

from service.faces.hr_api.params import Cursor, UpdatedSince, parse_since
from service.ground.errors import NotFound
from service.results.feed import (
    candidate_results,
    json_array,
    result_document,
    result_versions,
    results_page,
)
from service.results.published import Result
from service.tenancy import audit
from service.web.database import Conn
from service.web.guards import HR_API_SECURITY, CurrentPrincipal, require_api_key
from service.web.openapi import errors


class ResultPage(msgspec.Struct, frozen=True):
    """A page of results, newest change first. Pass `next_cursor` back as `cursor` until
    it is null; then poll later with `updated_since` = `next_updated_since`."""

    items: list[Result]
    next_cursor: str | None
    next_updated_since: dt.datetime | None
    """Use as `updated_since` for the next walk: it covers every change not in this one."""


MAX_VERSION = 2**31 - 1


def _json(body: bytes) -> Response[bytes]:
    return Response(body, media_type="application/json")


class ResultController(Controller):
    """Scores as data."""

    path = "/api/v1"
    tags = ["results"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [require_api_key]  # noqa: RUF012
    security = HR_API_SECURITY

    @get(
        "/results",
        operation_id="listResults",
        summary="List results (newest change first)",
        opt={"scope": "results:read"},
        responses=errors(422),
    )
    async def index(
        self,
        conn: Conn,
        principal: CurrentPrincipal,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        cursor: Cursor = None,
        updated_since: UpdatedSince = None,
    ) -> Response[ResultPage]:
        """Completed results of your organization, each at its latest version, newest change
        first. A walk is a consistent snapshot: results created or rescored while you page
        are neither skipped nor repeated (they appear in your next walk, from
        `next_updated_since`)."""
        page = await results_page(
            conn,
            principal.organization_id,
            limit=limit,
            cursor=cursor,
            updated_since=parse_since(updated_since),
        )
        return cast("Response[ResultPage]", _json(page.to_json()))

    @get(
        "/results/{result_id:uuid}",
        operation_id="getResult",
        summary="Read a result",
        opt={"scope": "results:read"},
        responses=errors(404),
    )
    async def read(
        self, result_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal
    ) -> Response[Result]:
        """The result's current version: raw and scaled score, pass or fail against the cut,
        competencies with levels, readiness, integrity signal counts, rating status,
        versions and links to the PDFs. The read is audited."""
        document = await result_document(conn, principal.organization_id, result_id)
        await audit.record(
            conn,
            principal.organization_id,
            actor=principal.actor,
            action="result.read",
            subject_kind="attempt",
            subject_id=result_id,
        )
        return cast("Response[Result]", _json(document.encode()))

    @get(
        "/results/{result_id:uuid}/versions",
        operation_id="listResultVersions",
        summary="Every version of a result",
        opt={"scope": "results:read"},
        responses=errors(404),
    )
    async def versions(
        self, result_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal
    ) -> Response[list[Result]]:
        """Oldest first: each (re)scoring made a version, and none is ever changed."""
        documents = await result_versions(conn, principal.organization_id, result_id)
        return cast("Response[list[Result]]", _json(json_array(documents)))

    @get(
        "/results/{result_id:uuid}/versions/{version:int}",
        operation_id="getResultVersion",
        summary="One version of a result",
        opt={"scope": "results:read"},
        responses=errors(404),
    )
    async def version(
        self,
        result_id: FromPath[uuid.UUID],
        version: FromPath[int],
        conn: Conn,
        principal: CurrentPrincipal,
    ) -> Response[Result]:
        """The result as it was published at that version."""
        if not 1 <= version <= MAX_VERSION:
            raise NotFound(f"No version {version} of result {result_id}", field="version")
        document = await result_document(conn, principal.organization_id, result_id, version)
        return cast("Response[Result]", _json(document.encode()))

    @get(
        "/candidates/{candidate_id:uuid}/results",
        operation_id="listCandidateResults",
        summary="A candidate's results",
        opt={"scope": "results:read"},
        responses=errors(404),
    )
    async def of_candidate(
        self, candidate_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal
    ) -> Response[list[Result]]:
        """The current version of each of the candidate's results, in the order they were
        first published. The read is audited."""
        documents = await candidate_results(conn, principal.organization_id, candidate_id)
        await audit.record(
            conn,
            principal.organization_id,
            actor=principal.actor,
            action="result.read",
            subject_kind="candidate",
            subject_id=candidate_id,
        )
        return cast("Response[list[Result]]", _json(json_array(documents)))
