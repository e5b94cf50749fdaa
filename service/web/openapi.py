"""Making the OpenAPI document tell the truth, since integrators generate clients from it.

- ``errors(...)``: the problem responses an operation can return, each documented as
  ``application/problem+json`` with the Problem schema (Litestar's default 400 schema, which
  does not match what we send, is replaced).
- ``polish_openapi``: run once at startup on the generated document: request bodies whose
  Structs refuse unknown fields say ``additionalProperties: false``, every POST under the HR
  API documents the ``Idempotency-Key`` header, and every HR API response documents the
  rate-limit headers.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from service.web.problems import PROBLEM_JSON, Problem

_DESCRIPTIONS = {
    400: "The request is malformed (a parameter or the body does not parse or validate); "
    "`errors` names each field",
    401: "No API key, or the key is unknown or revoked",
    403: "The API key lacks the scope this operation needs",
    404: "No such record in the caller's organization",
    409: "The request conflicts with stored state",
    410: "The link existed but has expired",
    413: "The request body is too large",
    422: "The values are well-formed but not acceptable; `errors` names the field",
    429: "Too many requests for this API key; retry after `Retry-After` seconds",
    503: "The database is unreachable; retry after `Retry-After` seconds",
}

HR_ALWAYS = (400, 401, 403, 429, 503)
"""Every HR API operation: bad parameters, authentication, scope, rate limit, outage."""


def errors(*statuses: int, always: tuple[int, ...] = HR_ALWAYS) -> dict[int, ResponseSpec]:
    """Problem-details responses for ``statuses`` (plus ``always``)."""
    out: dict[int, ResponseSpec] = {}
    for status in sorted({*always, *statuses}):
        out[status] = ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            generate_examples=False,
            description=_DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
            examples=[
                Example(
                    summary=HTTPStatus(status).phrase,
                    value={
                        "type": f"https://chartready.example/problems/{HTTPStatus(status).name.lower()}",
                        "title": HTTPStatus(status).phrase,
                        "status": status,
                        "detail": _DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
                    },
                )
            ],
        )
    return out


def _structs() -> dict[str, type[msgspec.Struct]]:
    found: dict[str, type[msgspec.Struct]] = {}
    stack: list[type[msgspec.Struct]] = [msgspec.Struct]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("service."):
                found.setdefault(sub.__name__, sub)
    return found


def _forbids_unknown(cls: type[msgspec.Struct]) -> bool:
    return bool(cls.__struct_config__.forbid_unknown_fields)


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: the first response to a key is stored for 24 hours "
    "and replayed (with `Idempotent-Replayed: true`) for a retry with the same "
    "request; the same key with a different request is a 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
}

_RATE_HEADERS = {
    name: {"description": text, "schema": {"type": "string"}}
    for name, text in (
        ("RateLimit-Limit", "Requests allowed per window"),
        ("RateLimit-Remaining", "Requests left in this window"),
        ("RateLimit-Reset", "Seconds until the window starts afresh"),
        ("RateLimit-Policy", "The limit and window, e.g. `600;w=60`"),
    )
}
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "string"}}
}


_PDF_SCHEMA = {"type": "string", "format": "binary", "contentMediaType": "application/pdf"}


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _is_litestar_error(content: dict[str, Any] | None) -> bool:
    """Litestar's default error schema ({status_code, detail, extra}), which we never send."""
    schema = (content or {}).get("application/json", {}).get("schema", {})
    return {"status_code", "detail"} <= set(schema.get("properties", {}))


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in doc.get("paths", {}).items()
        for method, op in item.items()
        if isinstance(op, dict)
    ]


def _problems_and_pdfs(operation: dict[str, Any]) -> None:
    """Litestar's default error schema becomes Problem; PDFs are binary."""
    for status, response in operation.get("responses", {}).items():
        content = response.get("content")
        if status.startswith(("4", "5")) and _is_litestar_error(content):
            response["content"] = _problem_content()
            response["description"] = _DESCRIPTIONS.get(int(status), response["description"])
        if content and "application/pdf" in content:
            content["application/pdf"] = {"schema": dict(_PDF_SCHEMA)}


def _idempotency(operation: dict[str, Any]) -> None:
    """The Idempotency-Key header, and the 409/422 its reuse can answer, on a POST."""
    params = operation.setdefault("parameters", [])
    if not any(p.get("name") == "Idempotency-Key" for p in params):
        params.append(dict(IDEMPOTENCY_PARAMETER))
    for status in ("409", "422"):
        operation["responses"].setdefault(
            status, {"description": _DESCRIPTIONS[int(status)], "content": _problem_content()}
        )


def _headers(operation: dict[str, Any]) -> None:
    """Rate-limit headers on every response, Retry-After on 429 and 503, a schema on each."""
    for status, response in operation.get("responses", {}).items():
        headers = response.setdefault("headers", {})
        for header in headers.values():
            header.setdefault("schema", {"type": "string"})
        for name, header in _RATE_HEADERS.items():
            headers.setdefault(name, header)
        if status in ("429", "503"):
            headers.update(_RETRY_AFTER)


def _array_branch(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The array schema itself, or its branch in a nullable union."""
    if schema.get("type") == "array":
        return schema
    for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
        if isinstance(branch, dict) and branch.get("type") == "array":
            return branch
    return None


def _item_constraints(cls: type[msgspec.Struct], schema: dict[str, Any]) -> None:
    """Litestar drops the constraints of list items (an assessment id's pattern); msgspec's
    own schema of the Struct has them."""
    try:
        own = msgspec.json.schema(cls).get("$defs", {}).get(cls.__name__, {})
    except TypeError:  # a Struct holding types msgspec cannot describe: none of ours in bodies
        return
    for name, prop in schema.get("properties", {}).items():
        mine = _array_branch(own.get("properties", {}).get(name, {}))
        theirs = _array_branch(prop)
        items = mine.get("items") if mine else None
        if theirs is not None and isinstance(items, dict) and "$ref" not in items:
            theirs["items"] = items


def _closed_request_bodies(doc: dict[str, Any]) -> None:
    """additionalProperties: false where the Struct refuses unknown fields; list items keep
    their patterns."""
    structs = _structs()
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        cls = structs.get(name) or structs.get(name.rsplit("_", 1)[-1])
        if cls is None or schema.get("type") != "object":
            continue
        _item_constraints(cls, schema)
        if _forbids_unknown(cls):
            schema["additionalProperties"] = False


def polish_document(doc: dict[str, Any]) -> dict[str, Any]:
    """Apply the rules above to a generated document (in place; also returned)."""
    _closed_request_bodies(doc)
    for path, method, operation in _operations(doc):
        _problems_and_pdfs(operation)
        if not path.startswith(("/api/v1/", "/integrations/greenhouse/")):
            continue
        if method == "post":
            _idempotency(operation)
        _headers(operation)
    return doc


def polish_openapi(app: Litestar) -> None:
    """Startup hook: polish the app's cached OpenAPI document before anyone reads it."""
    from litestar._openapi.plugin import OpenAPIPlugin  # noqa: PLC0415 - Litestar's own

    plugin = app.plugins.get(OpenAPIPlugin)
    polish_document(plugin.provide_openapi_schema())
