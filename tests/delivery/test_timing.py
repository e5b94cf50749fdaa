"""Deadlines: shares of the limit, accommodations, grace."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from service.delivery.integrity import implausibly_fast, severity_of
from service.delivery.timing import (
    Accommodation,
    seconds_left,
    section_deadlines,
)

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@given(
    st.lists(st.integers(0, 3000), min_size=1, max_size=8),
    st.integers(1, 120),
    st.sampled_from([1.0, 1.25, 1.5, 2.0, 4.0]),
)
def test_deadlines_are_cumulative_and_end_at_the_multiplied_limit(
    estimates: list[int], minutes: int, multiplier: float
) -> None:
    deadlines = section_deadlines(START, minutes, estimates, Accommodation(multiplier))
    assert len(deadlines) == len(estimates)
    assert all(d is not None for d in deadlines)
    concrete = [d for d in deadlines if d is not None]
    assert concrete == sorted(concrete)
    assert concrete[0] >= START
    assert concrete[-1] == START + dt.timedelta(seconds=minutes * 60 * multiplier)


def test_extra_time_scales_every_section_and_untimed_has_none() -> None:
    plain = section_deadlines(START, 40, [100, 300], Accommodation())
    extra = section_deadlines(START, 40, [100, 300], Accommodation(1.5))
    assert plain == [START + dt.timedelta(minutes=10), START + dt.timedelta(minutes=40)]
    assert extra == [START + dt.timedelta(minutes=15), START + dt.timedelta(minutes=60)]
    assert section_deadlines(START, 40, [100, 300], Accommodation(untimed=True)) == [None, None]


def test_seconds_left() -> None:
    deadline = START + dt.timedelta(minutes=5)
    assert seconds_left(deadline, START) == 300
    assert seconds_left(deadline, deadline + dt.timedelta(hours=1)) == 0
    assert seconds_left(None, START) is None


def test_accommodated_candidates_never_raise_flags() -> None:
    for kind in ("focus_lost", "tab_hidden", "paste", "fast_answer", "second_tab"):
        assert severity_of(kind, chars=5000, seconds=600, accommodated=True) == "info"
    assert severity_of("paste", chars=500) == "medium"
    assert severity_of("paste", chars=20) == "low"
    assert severity_of("tab_hidden", seconds=120) == "medium"


def test_fast_answer_threshold() -> None:
    assert implausibly_fast(2.0, 10)
    assert not implausibly_fast(3.5, 10)
    assert implausibly_fast(20.0, 300)
    assert not implausibly_fast(31.0, 300)
