"""Ordering (in-basket prioritization): Kendall tau with hard deadline penalties."""

from __future__ import annotations

from service.assessments.items import OrderingItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore


def kendall_tau(ranks: list[int]) -> float:
    """Kendall tau between ``ranks`` (key positions in answer order) and the identity order."""
    n = len(ranks)
    if n < 2:
        return 1.0
    concordant = discordant = 0
    for i in range(n):
        rank = ranks[i]
        for later in ranks[i + 1 :]:
            if later > rank:
                concordant += 1
            else:
                discordant += 1
    return (concordant - discordant) / (n * (n - 1) / 2)


def score(item: OrderingItem, answer: tuple[str, ...] | None) -> ItemScore:
    """Share = max(0, tau) - deadline_penalty per time-bound element placed too late."""
    if answer is None:
        return unanswered(item)
    tau = kendall_tau([item.key_rank[element_id] for element_id in answer])
    position = {element_id: i + 1 for i, element_id in enumerate(answer)}
    late = [element_id for element_id, latest in item.deadlines if position[element_id] > latest]
    share = max(0.0, tau) - item.rubric.deadline_penalty * len(late)
    feedback = {"answered": True, "kendall_tau": round(tau, 4), "late": late}
    return scored(item, share, feedback)
