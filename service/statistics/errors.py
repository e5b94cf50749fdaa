"""Errors of the statistics package: bad input names the parameter, like scikit-learn's.

Both families are ``ValueError`` (what numerical code expects) and ``InvalidInput`` (so the
web layer answers 422 naming the field, and the command line prints the message).
"""

from __future__ import annotations

from service.ground.errors import InvalidInput


class StatisticsInputError(InvalidInput, ValueError):
    """An argument a statistic cannot be computed from; ``field`` names the parameter."""


class InsufficientData(StatisticsInputError):
    """Too few observations for the statistic (one attempt, an empty group...)."""
