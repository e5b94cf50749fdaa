"""Query parameters shared by the HR API's listings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar.params import QueryParameter

from service.ground.errors import InvalidInput

RFC3339 = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)

UpdatedSince = Annotated[
    str | None,
    QueryParameter(
        pattern=RFC3339,
        max_length=40,
        description="Only records created or changed after this instant: an RFC 3339 date-time "
        "with its offset, e.g. `2026-01-31T09:00:00Z`",
    ),
]
Cursor = Annotated[
    str | None,
    QueryParameter(max_length=1000, description="`next_cursor` of the previous page, unchanged"),
]


def parse_since(value: str | None) -> dt.datetime | None:
    """The instant ``updated_since`` names; InvalidInput when it is not a real date-time."""
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        raise InvalidInput(
            "updated_since is not a valid date-time", field="updated_since"
        ) from None
