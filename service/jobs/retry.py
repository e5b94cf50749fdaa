"""Retry policy: exponential backoff with a cap per task kind; permanent errors never retry."""

from __future__ import annotations

import procrastinate
from procrastinate.retry import RetryDecision


class PermanentJobError(Exception):
    """The job cannot succeed by trying again (e.g. nothing to report yet); fail it now.
    The message is stored with the failed job, so it must never hold personal data."""


class Backoff(procrastinate.BaseRetryStrategy):
    """Retry up to ``attempts`` times in all, waiting ``first`` seconds, then twice as long
    each time, never more than ``cap`` seconds. A job aborted because its worker is shutting
    down is retried like any other failure, so a graceful stop never loses work."""

    def __init__(self, *, attempts: int, first: float, cap: float) -> None:
        if attempts < 1 or first <= 0 or cap < first:
            raise ValueError("need attempts >= 1 and 0 < first <= cap")
        self.attempts, self.first, self.cap = attempts, first, cap

    def delay(self, attempt: int) -> float:
        """Seconds to wait after the ``attempt``-th failure (1-based)."""
        return float(min(self.cap, self.first * 2.0 ** (attempt - 1)))

    def get_retry_decision(
        self, *, exception: BaseException, job: procrastinate.jobs.Job
    ) -> RetryDecision | None:
        """Retry unless the error is permanent or the attempts are used up."""
        failed_attempts = job.attempts + 1
        if isinstance(exception, PermanentJobError) or failed_attempts >= self.attempts:
            return None
        return RetryDecision(retry_in={"seconds": max(1, round(self.delay(failed_attempts)))})
