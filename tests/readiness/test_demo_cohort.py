"""The demo's simulated applicants: one attempt per assessment, scoring like the simulation."""

from __future__ import annotations

import numpy as np

from service.assessments.content import load_content
from service.assessments.scoring import score_attempt
from service.readiness.demo_cohort import simulated_applicants
from service.readiness.features import CompetencyTotal, pooled_percents
from service.readiness.generative import COMPETENCY_IDS
from service.readiness.simulation import simulate_with_scorers


def test_applicants_answer_every_assessment_and_score_as_the_simulation_does() -> None:
    content = load_content()
    applicants = simulated_applicants(content, 20, seed=5)
    cohort = simulate_with_scorers(content, 20, seed=5)
    assert [a.index for a in applicants] == list(range(20))
    for applicant in applicants:
        assert [a.assessment_id for a in applicant.attempts] == sorted(content.assessments)
        totals = []
        for attempt in applicant.attempts:
            assert attempt.form_id in content.assessments[attempt.assessment_id].form_ids
            score = score_attempt(content, attempt.form_id, attempt.answers)
            totals += [
                CompetencyTotal(c.competency_id, c.raw, c.max) for c in score.competency_scores
            ]
        percents = pooled_percents(totals)
        expected = cohort.percents[applicant.index]
        assert np.allclose([percents[c] for c in COMPETENCY_IDS], expected)
        assert applicant.sex == cohort.sex[applicant.index]
        assert applicant.met_standard == bool(cohort.met_standard[applicant.index])
