"""Per-key request limits on the HR API.

Each key gets ``limit`` requests per fixed one-minute window. The window is counted in
PostgreSQL by the same UPDATE that authenticates the key (``api_keys.authenticate``), so
the limit holds across every worker process and costs no extra round trip. A fixed window
lets a client burst up to twice the limit across a window boundary; that is acceptable
for protecting the service from a runaway integration, which is the point here.

Every HR API response carries ``RateLimit-*`` headers (IETF draft
"RateLimit header fields for HTTP"), so a well-behaved client can pace itself; a refused
request gets 429 with ``Retry-After``.
"""

from __future__ import annotations

import math

from service.auth.api_keys import RATE_WINDOW_SECONDS, KeyUse
from service.ground.errors import RateLimited


def rate_limit_headers(limit: int, use: KeyUse) -> dict[str, str]:
    """The ``RateLimit-*`` headers describing ``use`` against ``limit``."""
    return {
        "RateLimit-Policy": f"{limit};w={RATE_WINDOW_SECONDS}",
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(max(0, limit - use.window_requests)),
        "RateLimit-Reset": str(_seconds_left(use)),
    }


def enforce_rate_limit(limit: int, use: KeyUse) -> None:
    """RateLimited (saying when to retry) once ``use`` is past ``limit``."""
    if use.window_requests > limit:
        raise RateLimited(
            f"This API key may make {limit} requests per {RATE_WINDOW_SECONDS} seconds; "
            f"retry in {_seconds_left(use)} s",
            retry_after=_seconds_left(use),
        )


def _seconds_left(use: KeyUse) -> int:
    # A window opened by a concurrent request that committed after this transaction began
    # can look a moment longer than the window itself; never promise more than one window.
    return min(RATE_WINDOW_SECONDS, max(1, math.ceil(use.window_resets_in)))
