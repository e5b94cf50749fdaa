"""Everything the app mounts for HR systems: the HR API v1 controllers."""

from __future__ import annotations

from typing import Any

from service.faces.hr_api.candidates import CandidateController
from service.faces.hr_api.invitations import InvitationController


def hr_api_handlers() -> list[Any]:
    """Route handlers of the HR API face."""
    return [CandidateController, InvitationController]
