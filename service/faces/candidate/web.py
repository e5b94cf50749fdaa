"""Web plumbing shared by the candidate pages: templates, static files, links, friendly
error pages and "where should this candidate be now"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.response import File, Redirect, Template
from litestar.router import Router
from litestar.static_files import create_static_files_router

from service.delivery.attempts import AttemptState
from service.delivery.catalog import Catalog
from service.ground.errors import ChartReadyError
from service.web.problems import kind_of

_HERE = Path(__file__).resolve().parent
TEMPLATES = _HERE / "templates"
STATIC = _HERE / "static"
_NO_STORE = {"Cache-Control": "no-store"}


def static_router() -> Router:
    """The candidate pages' own script and stylesheet at /static."""
    return create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False)


@get("/favicon.ico", include_in_schema=False, operation_id="favicon", sync_to_thread=False)
def favicon() -> File:
    """Our own icon (scripts/make_favicon.py draws it), where browsers look for it."""
    return File(
        path=STATIC / "favicon.ico",
        media_type="image/x-icon",
        content_disposition_type="inline",
        headers={"Cache-Control": "public, max-age=86400"},
    )


class Links:
    """URLs of one candidate's pages and endpoints (the token is part of every one).

    Every URL is a named attribute, so a typo is an AttributeError (and a mypy error), never a
    made-up URL."""

    def __init__(self, token: str, assessment_id: str = "") -> None:
        self.home = f"/take/{token}"
        self.base = f"{self.home}/{assessment_id}"
        self.resume = self.base  # wherever the candidate is in the assessment (redirects)
        self.start = f"{self.base}/start"
        self.review = f"{self.base}/review"
        self.submit = f"{self.base}/submit"
        self.done = f"{self.base}/done"
        self.answers = f"{self.base}/answers"
        self.events = f"{self.base}/events"
        self.status = f"{self.base}/status"
        self.claim = f"{self.base}/claim"
        self.release = f"{self.base}/release"
        self.lookup = f"{self.base}/lookup"
        self.profile = f"{self.home}/profile.pdf"

    def item(self, position: int) -> str:
        """An item page."""
        return f"{self.base}/q/{position}"

    def section(self, section_id: str) -> str:
        """A section's introduction."""
        return f"{self.base}/section/{section_id}"

    def finish_section(self, section_id: str) -> str:
        """Where a section's review form posts to move on."""
        return f"{self.section(section_id)}/finish"


def page(name: str, context: dict[str, Any], status: int = 200) -> Template:
    """Render a candidate template; never cached (it shows live state)."""
    return Template(
        template_name=f"candidate/{name}", context=context, status_code=status, headers=_NO_STORE
    )


def go(url: str) -> Redirect:
    """303 See Other: after a POST, and when the candidate asked for the wrong place."""
    return Redirect(path=url, status_code=303, headers=_NO_STORE)


def error_page(request: Request[Any, Any, Any], exc: ChartReadyError) -> Response[Any]:
    """Candidate pages answer errors with a readable page (the JSON endpoints keep
    problem details)."""
    kind = kind_of(exc)
    titles = {
        404: "This link does not work",
        410: "This is no longer available",
        409: "One more step first",
        422: "Something was not right",
    }
    return page(
        "error.html",
        {"title": titles.get(kind.status, kind.title), "message": exc.detail, "org": None},
        status=kind.status,
    )


def resume_url(state: AttemptState, catalog: Catalog, links: Links) -> str:
    """Where the candidate belongs now: the done page, a section intro or an item."""
    if not state.in_progress:
        return links.done
    current = state.current_section()
    if current is None:
        return links.done  # time is up; the caller finalises before sending them there
    if current.entered_at is None:
        return links.section(current.section_id)
    plan = catalog.plan_for(state.form_id, current.section_id)
    position = state.position
    if not plan.first_position <= position <= plan.last_position:
        position = plan.first_position
    return links.item(position)
