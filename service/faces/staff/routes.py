"""Everything the app mounts for staff: sign-in, ratings, rescoring, profile downloads,
statistics (item analysis, DIF, bias audits) and demographics for admins."""

from __future__ import annotations

from typing import Any

from service.faces.staff.attempts import AttemptIntegrityController
from service.faces.staff.bias_audits import BiasAuditController
from service.faces.staff.demographics import DemographicsController
from service.faces.staff.outbox import OutboxController
from service.faces.staff.profiles import StaffProfileController
from service.faces.staff.ratings import RatingController, RescoreController
from service.faces.staff.session import StaffSessionController
from service.faces.staff.statistics import StatisticsController


def staff_handlers() -> list[Any]:
    """Route handlers of the staff face."""
    return [
        StaffSessionController,
        RatingController,
        RescoreController,
        StaffProfileController,
        AttemptIntegrityController,
        StatisticsController,
        BiasAuditController,
        DemographicsController,
        OutboxController,
    ]
