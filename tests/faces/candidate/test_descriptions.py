"""Assessment descriptions leave times to the page (issue 10): the start page states each
assessment's time with the candidate's accommodation, so a description that said "You have
45 minutes" contradicted "Time: 68 minutes" on an extra-time card."""

from __future__ import annotations

import re

from service.assessments.content import load_content


def test_no_assessment_description_states_a_time() -> None:
    content = load_content()
    for assessment in content.assessments.values():
        assert not re.search(
            r"\d+\s*(minutes?|mins?|hours?)\b", assessment.description, re.IGNORECASE
        ), assessment.id
