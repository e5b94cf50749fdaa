"""Request ids: taken from X-Request-ID when sane, else generated; carried in a contextvar
so logs and problem details can quote them."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    return _request_id.get()


def adopt_request_id(header: str | None) -> str:
    """Use the caller's id when it is safe to log, otherwise mint one; set it as current."""
    rid = header if header and _SANE.match(header) else secrets.token_hex(8)
    _request_id.set(rid)
    return rid
