"""Helpers shared by the scorers."""

from __future__ import annotations

from typing import Any

from service.assessments.items import ItemBase
from service.assessments.scores import ItemScore


def scored(
    item: ItemBase, share: float, feedback: dict[str, Any], *, provisional: bool = False
) -> ItemScore:
    """ItemScore for ``share`` (clamped to [0, 1]) of the item's points, rounded to 1e-4."""
    share = min(1.0, max(0.0, share))
    return ItemScore(
        item_id=item.id,
        points=round(item.points * share, 4),
        max_points=item.points,
        feedback=feedback,
        provisional=provisional,
    )


def unanswered(item: ItemBase, *, provisional: bool = False) -> ItemScore:
    """Zero points for an item the candidate did not answer."""
    return scored(item, 0.0, {"answered": False}, provisional=provisional)
