"""Everything the app mounts for HR systems: the HR API v1 controllers and the Greenhouse
Assessment Partner endpoints."""

from __future__ import annotations

from typing import Any

from service.faces.hr_api.assessments import AssessmentController
from service.faces.hr_api.candidates import CandidateController
from service.faces.hr_api.greenhouse import GreenhouseController, SharedProfileController
from service.faces.hr_api.invitations import InvitationController
from service.faces.hr_api.outcomes import OutcomeController
from service.faces.hr_api.results import ResultController
from service.faces.hr_api.webhooks import WebhookController


def hr_api_handlers() -> list[Any]:
    """Route handlers of the HR API face."""
    return [
        AssessmentController,
        CandidateController,
        InvitationController,
        ResultController,
        OutcomeController,
        WebhookController,
        GreenhouseController,
        SharedProfileController,
    ]
