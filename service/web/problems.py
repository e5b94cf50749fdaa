"""Every error as RFC 9457 problem details: the exception families, Litestar's own errors
and the database driver's, mapped to a status in this one place.

Bad input is the client's problem (4xx naming the field); a lost database is 503 with
Retry-After; only a true bug is a 500, logged with its trace and the request id.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from service.ground.db import is_connection_lost
from service.ground.errors import (
    ChartReadyError,
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from service.ground.logs import describe_exception
from service.ground.request_context import current_request_id

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://chartready.example/problems/"
RETRY_AFTER_UNAVAILABLE = "5"


class FieldError(msgspec.Struct, frozen=True):
    """One invalid field: a JSON-path-like name and what is wrong with it."""

    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, with ChartReady's extensions."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None
    existing_id: str | None = None
    """On a 409 for a duplicate: the id of the record that already exists."""


class Kind(msgspec.Struct, frozen=True):
    """How one exception family reads over HTTP."""

    status: int
    slug: str
    title: str


# Most specific first: the first family an error belongs to decides.
FAMILIES: tuple[tuple[type[ChartReadyError], Kind], ...] = (
    (InvalidInput, Kind(422, "invalid-input", "Invalid input")),
    (Unauthorized, Kind(401, "unauthorized", "Authentication required")),
    (Forbidden, Kind(403, "forbidden", "Not allowed")),
    (NotFound, Kind(404, "not-found", "Not found")),
    (Conflict, Kind(409, "conflict", "Conflict")),
    (Gone, Kind(410, "gone", "No longer available")),
    (RateLimited, Kind(429, "rate-limited", "Too many requests")),
    (Unavailable, Kind(503, "unavailable", "Service unavailable")),
)
_BAD_REQUEST = Kind(400, "bad-request", "Bad request")


def kind_of(exc: ChartReadyError) -> Kind:
    """The status, slug and title of ``exc``'s family (400 for the bare root)."""
    for family, kind in FAMILIES:
        if isinstance(exc, family):
            return kind
    return _BAD_REQUEST


def problem_response(
    request: Request[Any, Any, Any],
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    existing_id: str | None = None,
) -> Response[Problem]:
    """Build the problem-details response every handler returns."""
    body = Problem(
        type=TYPE_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=current_request_id(),
        errors=errors,
        existing_id=existing_id,
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def retry_headers(exc: ChartReadyError) -> dict[str, str] | None:
    """Retry-After for the families that promise a return."""
    if isinstance(exc, RateLimited):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, Unavailable):
        return {"Retry-After": RETRY_AFTER_UNAVAILABLE}
    return None


def _domain(request: Request[Any, Any, Any], exc: ChartReadyError) -> Response[Problem]:
    kind = kind_of(exc)
    if isinstance(exc, Unavailable):
        log.warning("unavailable: %s", exc.detail)
    errors = [FieldError(exc.field, exc.detail)] if exc.field else None
    return problem_response(
        request,
        status=kind.status,
        slug=kind.slug,
        title=kind.title,
        detail=exc.detail,
        errors=errors,
        headers=retry_headers(exc),
        existing_id=getattr(exc, "existing_id", None),
    )


_NAMED_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]+)`")


def _field_errors(extra: Any) -> list[FieldError]:
    """Litestar's validation `extra` -> our field errors (keys as `body.name`, `query.x`)."""
    out: list[FieldError] = []
    for entry in extra if isinstance(extra, list) else []:
        if isinstance(entry, dict):
            source = entry.get("source") or "body"
            key = entry.get("key")
            unknown = _NAMED_FIELD.search(str(entry.get("message", "")))
            if unknown:
                key = unknown.group(1)
            field = f"{source}.{key}" if key else str(source)
            out.append(FieldError(field, str(entry.get("message", "invalid value"))))
    return out


_MISSING_PARAMETER = re.compile(r"Missing required (query|path|header|cookie) parameter '([^']+)'")


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    errors = _field_errors(exc.extra)
    missing = _MISSING_PARAMETER.search(str(exc.detail))
    if not errors and missing:  # Litestar names a missing parameter only in its message
        errors = [FieldError(f"{missing.group(1)}.{missing.group(2)}", "is required")]
    fields = ", ".join(e.field for e in errors)
    detail = f"Invalid {fields}: {errors[0].message}" if errors else str(exc.detail)
    if "malformed" in str(exc.detail).lower() and not errors:
        detail = "The request body is not valid JSON"
    return problem_response(
        request,
        status=400,
        slug="validation",
        title="Invalid request",
        detail=detail,
        errors=errors or None,
    )


_HTTP_SLUGS = {
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    415: "unsupported-media-type",
    429: "rate-limited",
}


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    status = exc.status_code
    if status >= 500:
        return _bug(request, exc)
    return problem_response(
        request,
        status=status,
        slug=_HTTP_SLUGS.get(status, "http-error"),
        title=HTTPStatus(status).phrase,
        detail=str(exc.detail),
        headers=exc.headers,
    )


def _database(request: Request[Any, Any, Any], exc: asyncpg.PostgresError) -> Response[Problem]:
    column = getattr(exc, "column_name", None) or getattr(exc, "constraint_name", None)
    field = str(column) if column else None
    errs = [FieldError(field, "rejected by the database")] if field else None
    if isinstance(exc, asyncpg.UniqueViolationError):
        return problem_response(
            request,
            status=409,
            slug="conflict",
            title="Conflict",
            detail="A record with the same identifying values already exists",
            errors=errs,
        )
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return problem_response(
            request,
            status=422,
            slug="invalid-reference",
            title="Invalid reference",
            detail="The request refers to a record that does not exist",
            errors=errs,
        )
    if isinstance(exc, asyncpg.DataError | asyncpg.IntegrityConstraintViolationError):
        return problem_response(
            request,
            status=422,
            slug="invalid-input",
            title="Invalid input",
            detail="A value is out of range or not acceptable",
            errors=errs,
        )
    if is_connection_lost(exc):
        return _unavailable(request, exc)
    return _bug(request, exc)


def _unavailable(request: Request[Any, Any, Any], exc: BaseException) -> Response[Problem]:
    log.warning("database unavailable: %s", type(exc).__name__)
    return problem_response(
        request,
        status=503,
        slug="unavailable",
        title="Service unavailable",
        detail="The database is not reachable; retry shortly",
        headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
    )


def _bug(request: Request[Any, Any, Any], exc: BaseException) -> Response[Problem]:
    # The JSON formatter withholds database drivers' messages from the trace (they quote
    # values, which may be PHI); the type and SQLSTATE say what went wrong.
    log.error("unhandled error: %s", describe_exception(exc), exc_info=exc)
    return problem_response(
        request,
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        slug="internal",
        title="Internal error",
        detail="Something went wrong on our side; quote the request id",
    )


def _any(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    # Only the database driver's connection errors mean "unavailable"; any other OSError
    # (a missing file, a full disk) is a bug to log, not an outage to retry.
    if is_connection_lost(exc):
        return _unavailable(request, exc)
    if isinstance(exc, RecursionError):  # msgspec decoding a body nested thousands deep
        return problem_response(
            request,
            status=400,
            slug="validation",
            title="Invalid request",
            detail="The request body is nested too deeply",
        )
    return _bug(request, exc)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ChartReadyError: _domain,
    ValidationException: _validation,
    HTTPException: _http,
    asyncpg.PostgresError: _database,
    Exception: _any,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "FAMILIES",
    "PROBLEM_JSON",
    "FieldError",
    "Kind",
    "Problem",
    "kind_of",
    "problem_response",
]
