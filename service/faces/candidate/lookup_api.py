"""The code look-up tool's JSON endpoints, beside code-entry items: search and one code.

Only an attempt in progress may use it, and every search and code opened is recorded with
the attempt (service.lookup.usage). The index is built once per process (in the background
from start-up); ``Server-Timing`` reports the time spent searching.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import asyncpg
import msgspec
from litestar import Controller, Response, get
from litestar.params import FromPath, PathParameter, QueryParameter

from service.delivery.tokens import token_digest
from service.ground.errors import Gone, NotFound
from service.lookup.detail import CodeDetail, code_detail
from service.lookup.index import CodeIndex, SearchResult, built_index, get_index
from service.lookup.usage import record_lookup
from service.web.content import CurrentContent
from service.web.database import Conn

if TYPE_CHECKING:
    from litestar import Litestar

ItemId = Annotated[str | None, QueryParameter(max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
SystemFilter = Annotated[Literal["icd10cm", "hcpcs"] | None, QueryParameter()]
_ATTEMPT = """
SELECT t.id, t.organization_id, t.status FROM attempts t
WHERE t.invitation_id = (SELECT id FROM invitations WHERE token_sha256 = $1
                         AND revoked_at IS NULL)
  AND t.assessment_id = $2
"""  # the sub-select makes the attempt a point lookup on (invitation_id, assessment_id)


class OpenAttempt(msgspec.Struct, frozen=True):
    """The attempt a look-up is recorded with."""

    id: uuid.UUID
    organization_id: uuid.UUID


async def open_attempt(conn: asyncpg.Connection, token: str, assessment_id: str) -> OpenAttempt:
    """The invitation's attempt in progress; NotFound for a bad link, Gone when finished."""
    digest = token_digest(token)
    row = None if digest is None else await conn.fetchrow(_ATTEMPT, digest, assessment_id)
    if row is None:
        raise NotFound("This link is not valid.", field="token")
    if row["status"] != "in_progress":
        raise Gone("The look-up tool is available only while the assessment is in progress.")
    return OpenAttempt(row["id"], row["organization_id"])


async def code_index(root: str) -> CodeIndex:
    """The built index, waiting (off the event loop) for the first build."""
    found = built_index(Path(root))
    return found if found is not None else await asyncio.to_thread(get_index, Path(root))


@asynccontextmanager
async def lookup_warmup(app: Litestar) -> AsyncGenerator[None, None]:
    """Start building the index in the background, so the first search does not wait."""
    root = Path(app.state.content.root)
    if built_index(root) is None:  # a daemon thread: shutting down never waits for it
        threading.Thread(target=get_index, args=(root,), name="lookup-index", daemon=True).start()
    yield


def _timed(body: msgspec.Struct, started: float) -> Response[msgspec.Struct]:
    took = (time.perf_counter() - started) * 1000
    return Response(
        body, headers={"Server-Timing": f"lookup;dur={took:.2f}", "Cache-Control": "no-store"}
    )


class CodeLookupApi(Controller):
    """`GET .../lookup?q=` and `GET .../lookup/{code}`, for the page script."""

    path = "/take/{token:str}/{assessment_id:str}/lookup"
    tags = ["candidate"]  # noqa: RUF012 - read by Litestar

    @get(operation_id="candidateCodeSearch", summary="Search ICD-10-CM and HCPCS Level II")
    async def search(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        conn: Conn,
        content: CurrentContent,
        q: Annotated[str, QueryParameter(min_length=1, max_length=100)],
        system: SystemFilter = None,
        item_id: ItemId = None,
    ) -> Response[msgspec.Struct]:
        """Codes matching words (description, inclusion terms, notes) or a code's start."""
        attempt = await open_attempt(conn, token, assessment_id)
        index = await code_index(content.root)
        started = time.perf_counter()
        result: SearchResult = index.search(q, system=system)
        await record_lookup(
            conn,
            attempt.organization_id,
            attempt.id,
            action="search",
            query=result.query or q.strip()[:100] or "-",
            results=result.total,
            item_id=item_id,
        )
        return _timed(result, started)

    @get(
        "/{code:str}",
        operation_id="candidateCodeDetail",
        summary="One code as a code book shows it",
    )
    async def detail(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        code: Annotated[str, PathParameter(max_length=12)],
        conn: Conn,
        content: CurrentContent,
        item_id: ItemId = None,
    ) -> Response[msgspec.Struct]:
        """Hierarchy, billable or not, inclusion terms and instructional notes."""
        attempt = await open_attempt(conn, token, assessment_id)
        index = await code_index(content.root)
        started = time.perf_counter()
        found: CodeDetail | None = code_detail(index, code)
        if found is None:
            raise NotFound(
                f"{code} is not an ICD-10-CM or HCPCS Level II code in this look-up.", field="code"
            )
        await record_lookup(
            conn,
            attempt.organization_id,
            attempt.id,
            action="view",
            query=found.code,
            results=1,
            item_id=item_id,
        )
        return _timed(found, started)
