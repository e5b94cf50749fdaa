"""Everything the app mounts for candidates: the pages, their script's JSON, /static."""

from __future__ import annotations

from typing import Any

from service.faces.candidate.demographics import CandidateDemographicsPage
from service.faces.candidate.finish_pages import CandidateFinishPages
from service.faces.candidate.lookup_api import CodeLookupApi, lookup_warmup
from service.faces.candidate.page_api import CandidateApi
from service.faces.candidate.pages import CandidatePages
from service.faces.candidate.profile_page import CandidateProfileDownload
from service.faces.candidate.web import TEMPLATES, favicon, static_router


def candidate_handlers() -> list[Any]:
    """Route handlers of the candidate face."""
    return [
        CandidatePages,
        CandidateFinishPages,
        CandidateApi,
        CodeLookupApi,
        CandidateProfileDownload,
        CandidateDemographicsPage,
        static_router(),
        favicon,
    ]


__all__ = ["TEMPLATES", "candidate_handlers", "lookup_warmup"]
