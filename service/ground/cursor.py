"""Opaque page cursors: a small JSON object, base64url-encoded.

Clients pass a cursor back untouched; what it holds (the keyset position, the snapshot and
the filters of the walk) is ours to change. A cursor that does not decode is bad input
naming the ``cursor`` parameter. Cursors carry no secret and need none: every query is still
scoped to the caller's organization, so a forged cursor can only skip within one's own data.
"""

from __future__ import annotations

import base64
import binascii
from typing import TypeVar

import msgspec

from service.ground.errors import InvalidInput

T = TypeVar("T")

MAX_CURSOR_LENGTH = 1000


def encode_cursor(position: msgspec.Struct) -> str:
    """The opaque text of ``position``."""
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).decode().rstrip("=")


def decode_cursor(text: str, kind: type[T]) -> T:
    """The position inside a cursor; InvalidInput (field ``cursor``) when it is not one of
    ours."""
    if len(text) > MAX_CURSOR_LENGTH:
        raise InvalidInput(
            "The cursor is not valid: pass back a next_cursor unchanged", field="cursor"
        )
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return msgspec.json.decode(raw, type=kind)
    except (binascii.Error, ValueError, msgspec.DecodeError, msgspec.ValidationError):
        raise InvalidInput(
            "The cursor is not valid: pass back a next_cursor unchanged", field="cursor"
        ) from None
