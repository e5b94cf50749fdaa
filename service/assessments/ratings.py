"""Human ratings of constructed responses: double rating, adjudication, agreement statistics.

Workflow (the queue itself lives with the delivery/dashboard layer; this module is pure):
two raters rate every criterion independently (levels 0..3); when any criterion differs by
more than one level the response needs an adjudicator, whose levels become final; otherwise
the final level per criterion is the mean of the two. Agreement per rater compares their
levels with the other rater's on the same responses: exact, adjacent (within one level) and
quadratic weighted kappa.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import msgspec

from service.assessments.items import ConstructedResponseItem
from service.assessments.scores import ItemScore

LEVELS = 4  # levels 0..3 per criterion


Role = Literal["independent", "adjudication"]


class Rating(msgspec.Struct, frozen=True, kw_only=True):
    """One rater's levels (0..3) for every criterion of one response, in a workflow role."""

    rater_id: str
    levels: dict[str, int]
    role: Role = "independent"


class RatedPair(msgspec.Struct, frozen=True, kw_only=True):
    """Two raters' levels for the same criterion of the same response."""

    rater_a: str
    rater_b: str
    level_a: int
    level_b: int


class Agreement(msgspec.Struct, frozen=True, kw_only=True):
    """Agreement over n paired levels; ``quadratic_kappa`` is None when undefined."""

    n: int
    exact: float
    adjacent: float
    quadratic_kappa: float | None


RatingState = Literal["awaiting_first", "awaiting_second", "needs_adjudication", "final"]


def check_rating(item: ConstructedResponseItem, rating: Rating) -> None:
    """Raise ValueError unless ``rating`` gives a level 0..3 for exactly the item's criteria."""
    expected = {c.id for c in item.criteria}
    if set(rating.levels) != expected:
        raise ValueError(f"rating must cover exactly the criteria {sorted(expected)}")
    for criterion_id, level in rating.levels.items():
        if not 0 <= level < LEVELS:
            raise ValueError(f"level for {criterion_id!r} must be 0..3, got {level}")


def needs_adjudication(first: Rating, second: Rating) -> bool:
    """True when any criterion's two levels differ by more than one."""
    return any(abs(level - second.levels[key]) > 1 for key, level in first.levels.items())


def _by_role(ratings: Sequence[Rating]) -> tuple[list[Rating], Rating | None]:
    independent = [r for r in ratings if r.role == "independent"]
    adjudication = next((r for r in ratings if r.role == "adjudication"), None)
    return independent, adjudication


def rating_state(ratings: Sequence[Rating]) -> RatingState:
    """Where a response stands in the rating workflow, from its ratings (oldest first): the
    one rule the queue, the rating endpoint and scoring all apply."""
    independent, adjudication = _by_role(ratings)
    if len(independent) == 0:
        return "awaiting_first"
    if len(independent) == 1:
        return "awaiting_second"
    if needs_adjudication(independent[0], independent[1]) and adjudication is None:
        return "needs_adjudication"
    return "final"


ROLE_NEEDED: dict[RatingState, Role | None] = {
    "awaiting_first": "independent",
    "awaiting_second": "independent",
    "needs_adjudication": "adjudication",
    "final": None,
}
"""The role of the next rating a response needs in each state (None: nothing more)."""


def final_item_score(item: ConstructedResponseItem, ratings: Sequence[Rating]) -> ItemScore | None:
    """The final human score once the ratings are final, else None (the provisional automatic
    score stands)."""
    if rating_state(ratings) != "final":
        return None
    independent, adjudication = _by_role(ratings)
    first, second = independent[0], independent[1]
    return final_score(
        item, first, second, adjudication if needs_adjudication(first, second) else None
    )


def final_score(
    item: ConstructedResponseItem,
    first: Rating,
    second: Rating,
    adjudication: Rating | None = None,
) -> ItemScore:
    """The final (non-provisional) item score from two ratings and, if needed, an adjudicator.

    Raises ValueError when the ratings disagree by more than a level and no adjudication is
    given, when the same rater rated twice, or when a rating does not fit the item.
    """
    for rating in (first, second, *((adjudication,) if adjudication else ())):
        check_rating(item, rating)
    if first.rater_id == second.rater_id:
        raise ValueError("the two ratings must come from different raters")
    adjudicated = needs_adjudication(first, second)
    if adjudicated and adjudication is None:
        raise ValueError("ratings differ by more than one level: adjudication needed")
    levels: dict[str, float] = {}
    for criterion in item.criteria:
        if adjudicated and adjudication is not None:
            levels[criterion.id] = float(adjudication.levels[criterion.id])
        else:
            levels[criterion.id] = (first.levels[criterion.id] + second.levels[criterion.id]) / 2
    points = sum(c.weight * levels[c.id] for c in item.criteria)
    feedback = {
        "answered": True,
        "method": "adjudicated" if adjudicated else "mean_of_two",
        "levels": levels,
        "raters": [first.rater_id, second.rater_id]
        + ([adjudication.rater_id] if adjudicated and adjudication else []),
    }
    return ItemScore(
        item_id=item.id,
        points=round(points, 4),
        max_points=item.points,
        feedback=feedback,
        provisional=False,
    )


def quadratic_weighted_kappa(
    pairs: Sequence[tuple[int, int]], levels: int = LEVELS
) -> float | None:
    """Cohen's kappa with quadratic weights over categories 0..levels-1; None if undefined."""
    n = len(pairs)
    if n == 0:
        return None
    observed = [[0.0] * levels for _ in range(levels)]
    for a, b in pairs:
        observed[a][b] += 1
    rows = [sum(row) for row in observed]
    cols = [sum(observed[i][j] for i in range(levels)) for j in range(levels)]
    denominator = (levels - 1) ** 2
    disagreement = expected = 0.0
    for i in range(levels):
        for j in range(levels):
            weight = (i - j) ** 2 / denominator
            disagreement += weight * observed[i][j]
            expected += weight * rows[i] * cols[j] / n
    if expected == 0:
        return None
    return 1.0 - disagreement / expected


def agreement(pairs: Sequence[tuple[int, int]]) -> Agreement:
    """Exact and adjacent agreement rates and quadratic weighted kappa of paired levels."""
    n = len(pairs)
    if n == 0:
        return Agreement(n=0, exact=0.0, adjacent=0.0, quadratic_kappa=None)
    exact = sum(a == b for a, b in pairs) / n
    adjacent = sum(abs(a - b) <= 1 for a, b in pairs) / n
    return Agreement(
        n=n, exact=exact, adjacent=adjacent, quadratic_kappa=quadratic_weighted_kappa(pairs)
    )


def paired_levels(first: Rating, second: Rating) -> list[RatedPair]:
    """One RatedPair per criterion the two ratings share."""
    return [
        RatedPair(
            rater_a=first.rater_id,
            rater_b=second.rater_id,
            level_a=level,
            level_b=second.levels[key],
        )
        for key, level in sorted(first.levels.items())
        if key in second.levels
    ]


def agreement_by_rater(pairs: Iterable[RatedPair]) -> Mapping[str, Agreement]:
    """Each rater's agreement with whoever second-rated the same responses."""
    by_rater: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pair in pairs:
        by_rater[pair.rater_a].append((pair.level_a, pair.level_b))
        by_rater[pair.rater_b].append((pair.level_b, pair.level_a))
    return {rater: agreement(levels) for rater, levels in sorted(by_rater.items())}
