"""Structured JSON logs: one object per line with the request id; never request bodies, and
never a database driver's error message (PostgreSQL and asyncpg quote the values they
reject, which may be PHI): traces keep every frame but withhold those messages."""

from __future__ import annotations

import logging
import sys
import traceback
from datetime import UTC, datetime

import msgspec

from service.ground.request_context import current_request_id

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message"}


class JsonFormatter(logging.Formatter):
    """Format a record as a single JSON line, including `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record; exceptions become a `trace` string."""
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = current_request_id()
        if rid:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key != "color_message":
                entry[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info and record.exc_info[1] is not None:
            entry["trace"] = safe_trace(record.exc_info[1])
        return msgspec.json.encode(entry).decode()


def describe_exception(exc: BaseException) -> str:
    """The exception's type, and for database errors their SQLSTATE, never their message."""
    sqlstate = getattr(exc, "sqlstate", None)
    return f"{type(exc).__name__} (SQLSTATE {sqlstate})" if sqlstate else type(exc).__name__


def safe_trace(exc: BaseException) -> str:
    """The full trace of ``exc`` and the exceptions it was raised from or during, with the
    messages of database-driver exceptions (asyncpg's, server or client side) withheld."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts = []
    for link in reversed(chain):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(link.__traceback__))
        message = "(message withheld)" if type(link).__module__.startswith("asyncpg") else str(link)
        parts.append(f"{type(link).__module__}.{type(link).__qualname__}: {message}\n")
    return "".join(parts)


def configure_logging(level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Access logs would repeat what metrics already count and may carry query strings.
    logging.getLogger("uvicorn.access").disabled = True
    # The job engine logs every job's start and end at INFO (the sweep alone: every 5 s);
    # failures are warnings and errors, and /metrics counts the rest.
    logging.getLogger("procrastinate").setLevel(level if level == "DEBUG" else "WARNING")
