"""Everything the app needs from delivery, in one place for ``create_app``."""

from __future__ import annotations

from typing import Any

from service.delivery.admin import InvitationController
from service.delivery.api import CandidateApi
from service.delivery.finish_pages import CandidateFinishPages
from service.delivery.lookup_api import CodeLookupApi, lookup_warmup
from service.delivery.pages import CandidatePages
from service.delivery.profile_page import CandidateProfileDownload
from service.delivery.sweeper import sweeper_lifespan
from service.delivery.web import favicon, static_router, template_config


def delivery_handlers() -> list[Any]:
    """Route handlers: the invitation API, the candidate pages and their JSON, /static."""
    return [InvitationController, CandidatePages, CandidateFinishPages, CandidateApi,
            CodeLookupApi, CandidateProfileDownload, static_router(), favicon]


__all__ = ["delivery_handlers", "lookup_warmup", "sweeper_lifespan", "template_config"]
