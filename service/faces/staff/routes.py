"""Everything the app mounts for staff: sign-in, ratings, rescoring, profile downloads."""

from __future__ import annotations

from typing import Any

from service.faces.staff.attempts import AttemptIntegrityController
from service.faces.staff.outbox import OutboxController
from service.faces.staff.profiles import StaffProfileController
from service.faces.staff.ratings import RatingController, RescoreController
from service.faces.staff.session import StaffSessionController


def staff_handlers() -> list[Any]:
    """Route handlers of the staff face."""
    return [StaffSessionController, RatingController, RescoreController, StaffProfileController,
            AttemptIntegrityController, OutboxController]
