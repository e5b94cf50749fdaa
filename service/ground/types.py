"""Constrained field types shared by request Structs.

PostgreSQL rejects NUL characters in text, so every free-text type forbids them up front
(a clear 400 naming the field instead of a database error).
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

_NO_NUL = r"^[^\x00]*$"

Name = Annotated[
    str,
    Meta(min_length=1, max_length=200, pattern=_NO_NUL, description="A person's or thing's name"),
]
Email = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=320,
        pattern=r"^[^@\x00-\x20\x7f]+@[^@\x00-\x20\x7f]+\.[^@\x00-\x20\x7f]+$",
        description="An email address",
    ),
]
ExternalId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=200,
        pattern=_NO_NUL,
        description="The caller's own id for this record",
    ),
]
Reason = Annotated[str, Meta(min_length=1, max_length=1000, pattern=_NO_NUL)]

# Explicit character classes, never \s: JSON Schema's (ECMA) and Python's \s differ (Python's
# counts \x1c-\x1f as space), and clients generated from the document must agree with us.
URL_PATTERN = r"^https?://[^\x00-\x20\x7f]+$"
"""An absolute http(s) URL without spaces or control characters."""
