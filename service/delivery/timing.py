"""Server-side time: accommodation multipliers, per-section deadlines and the grace period.

The assessment's time limit is shared among its sections in proportion to the items'
estimated times. Deadlines are cumulative from the attempt's start, so time a candidate saves
in an early section carries over to later ones, and the last section's deadline is the
attempt's deadline. Untimed accommodations have no deadlines at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec

GRACE = dt.timedelta(seconds=15)
# The rule "an answer is in time until its section's deadline plus GRACE" is applied where the
# data is, in SQL, by the autosave upsert and the sweeper; both use this one expression.
GRACE_SQL = f"interval '{int(GRACE.total_seconds())} seconds'"
"""Answers in flight when time runs out are still accepted for this long."""


class Accommodation(msgspec.Struct, frozen=True):
    """Timing accommodation of one invitation: a multiplier (>= 1) or untimed."""

    time_multiplier: float = 1.0
    untimed: bool = False

    @property
    def accommodated(self) -> bool:
        """True when the candidate has any timing accommodation."""
        return self.untimed or self.time_multiplier > 1.0


def attempt_seconds(time_limit_minutes: int, accommodation: Accommodation) -> float | None:
    """Seconds the candidate has for the whole attempt; None when untimed."""
    if accommodation.untimed:
        return None
    return time_limit_minutes * 60.0 * accommodation.time_multiplier


def section_deadlines(
    started_at: dt.datetime,
    time_limit_minutes: int,
    estimates_seconds: Sequence[int],
    accommodation: Accommodation,
) -> list[dt.datetime | None]:
    """Cumulative deadline of each section, in order; the last equals the attempt deadline.

    Each section's share of the (multiplied) limit is proportional to its estimated seconds.
    """
    total = attempt_seconds(time_limit_minutes, accommodation)
    if total is None:
        return [None for _ in estimates_seconds]
    weight = sum(estimates_seconds) or len(estimates_seconds) or 1
    deadlines: list[dt.datetime | None] = []
    elapsed = 0
    for index, seconds in enumerate(estimates_seconds):
        elapsed += seconds if sum(estimates_seconds) else 1
        share = total if index == len(estimates_seconds) - 1 else total * elapsed / weight
        deadlines.append(started_at + dt.timedelta(seconds=round(share, 3)))
    return deadlines


def seconds_left(deadline: dt.datetime | None, now: dt.datetime) -> int | None:
    """Whole seconds until ``deadline`` (never negative); None when untimed."""
    if deadline is None:
        return None
    return max(0, int((deadline - now).total_seconds()))
