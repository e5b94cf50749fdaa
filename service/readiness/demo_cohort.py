"""A simulated cohort as the demo stores it: people, their answers, their hidden truth.

The demo creates candidates, attempts and responses from these records through the normal
delivery and scoring code, so every number a newcomer sees went through the real pipeline.
"""

from __future__ import annotations

import msgspec

from service.assessments.bank import ContentVersion
from service.readiness.generative import PlantedBias
from service.readiness.simulation import (
    DEFAULT_ITEM_SEED,
    draw_cohort,
    iter_simulated_attempts,
    point_tables,
    wrong_answer_variants,
)


class SimulatedAttempt(msgspec.Struct, frozen=True):
    """One attempt's answers (item id -> answer in the browser's shape)."""

    assessment_id: str
    form_id: str
    answers: dict[str, object]


class SimulatedApplicant(msgspec.Struct, frozen=True):
    """One simulated candidate: self-reported groups, answers, and the simulation's truth."""

    index: int
    sex: str
    race_ethnicity: str
    true_probability: float
    met_standard: bool
    attempts: list[SimulatedAttempt]


def simulated_applicants(
    content: ContentVersion,
    n: int,
    *,
    seed: int,
    bias: PlantedBias | None = None,
    item_seed: int = DEFAULT_ITEM_SEED,
) -> list[SimulatedApplicant]:
    """``n`` simulated candidates, each with one attempt per assessment of the bank."""
    tables = point_tables(content, item_seed=item_seed)
    draws = draw_cohort(content, n, seed=seed, bias=bias, item_seed=item_seed, tables=tables)
    variants = wrong_answer_variants(content, item_seed)
    attempts: list[list[SimulatedAttempt]] = [[] for _ in range(n)]
    for candidate, form_id, answers in iter_simulated_attempts(content, draws, variants, tables):
        form = content.forms[form_id]
        attempts[candidate].append(SimulatedAttempt(form.assessment, form_id, answers))
    return [
        SimulatedApplicant(
            index=i,
            sex=draws.sex[i],
            race_ethnicity=draws.race_ethnicity[i],
            true_probability=float(draws.true_probability[i]),
            met_standard=bool(draws.met_standard[i]),
            attempts=sorted(attempts[i], key=lambda a: a.assessment_id),
        )
        for i in range(n)
    ]
