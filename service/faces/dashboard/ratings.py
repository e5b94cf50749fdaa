"""The rating workspace: the blind queue, one response beside its rubric, keyboard-first
scoring (static/rating.js; the form works without it), adjudication and per-rater agreement.

Every rule comes from the core: which responses wait for whom and in which role
(``service.results.rating_queue``, ``service.assessments.ratings``), and the agreement
statistics (``rater_agreement``). Blind: a rater never sees who wrote a response."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from service.analytics.export import to_csv
from service.assessments.ratings import LEVELS, Agreement
from service.auth.staff import StaffUser, list_staff
from service.faces.dashboard.web import error_page, go, page, require_dashboard
from service.ground.errors import ChartReadyError, Conflict, InvalidInput, NotFound
from service.results.rating_queue import (
    NewRating,
    RatingTask,
    independent_levels,
    may_adjudicate,
    rater_agreement,
    rating_queue,
    rating_task,
    submit_rating,
)
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import CurrentStaff, has_role
from service.web.settings import Thresholds

QUEUE = "/dashboard/ratings"
LEVEL_FIELD = "level."
ITEM_ID = re.compile(r"[A-Za-z0-9-]{1,40}")
STATES = {
    "awaiting_second": "Rating saved. The response now waits for a second, independent rating.",
    "needs_adjudication": (
        "Rating saved. The two ratings differ by more than one level on a criterion: the "
        "response goes to adjudication."
    ),
    "final": "Rating saved. The ratings are final and the attempt has been rescored.",
}


class AgreementRow:
    """One rater's agreement, named for the page and the CSV."""

    def __init__(self, rater_id: str, name: str, agreement: Agreement) -> None:
        self.rater_id, self.name, self.agreement = rater_id, name, agreement


async def agreement_rows(conn: Conn, organization_id: uuid.UUID) -> list[AgreementRow]:
    """``rater_agreement`` of the core, with each rater's display name."""
    names = {str(u.id): u.display_name for u in await list_staff(conn, organization_id)}
    stats = await rater_agreement(conn, organization_id)
    return [AgreementRow(r, names.get(r, "former user"), a) for r, a in stats.items()]


def _task_context(
    task: RatingTask,
    earlier: list[dict[str, int]],
    *,
    chosen: dict[str, int] | None = None,
    notes: str = "",
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "task": task,
        "earlier": earlier,
        "chosen": chosen or {},
        "notes": notes,
        "errors": errors or {},
        "level_numbers": list(range(LEVELS)),
        "action": f"{QUEUE}/{task.attempt_id}/{task.item_id}",
    }


def _parse_levels(task: RatingTask, form: Any) -> tuple[dict[str, int], str, dict[str, str]]:
    """The posted levels per criterion, the notes, and an error per bad field."""
    chosen: dict[str, int] = {}
    errors: dict[str, str] = {}
    for criterion in task.criteria:
        raw = form.get(f"{LEVEL_FIELD}{criterion.id}")
        if raw in (None, ""):
            errors[criterion.id] = f"Choose a level (0–3) for {criterion.name}."
            continue
        if not isinstance(raw, str) or raw not in {str(n) for n in range(LEVELS)}:
            errors[criterion.id] = f"The level for {criterion.name} must be 0, 1, 2 or 3."
            continue
        chosen[criterion.id] = int(raw)
    notes = form.get("notes") or ""
    notes = notes if isinstance(notes, str) else ""
    if len(notes) > 2000:
        errors["notes"] = "Keep notes under 2,000 characters."
    if "\x00" in notes:
        errors["notes"] = "Notes contain a character that cannot be stored."
    return chosen, notes, errors


class DashboardRatings(Controller):
    """``/dashboard/ratings``: raters, coordinators and admins."""

    path = QUEUE
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get("/", operation_id="dashboardRatingQueue", opt={"role": "rater"})
    async def queue(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Template:
        """The responses waiting for this person (blind), adjudications apart, and (for
        coordinators) each rater's agreement."""
        tasks = await rating_queue(conn, staff, content, limit=50)
        agreement = (
            await agreement_rows(conn, staff.organization_id)
            if has_role(staff, "coordinator")
            else None
        )
        rated = request.query_params.get("rated")
        return page(
            "ratings.html",
            staff,
            {
                "independent": [t for t in tasks if t.role == "independent"],
                "adjudications": [t for t in tasks if t.role == "adjudication"],
                "agreement": agreement,
                "adjudicator": may_adjudicate(staff),
                "notice": STATES.get(rated or ""),
            },
            path=QUEUE,
        )

    @get("/next", operation_id="dashboardRatingNext", opt={"role": "rater"})
    async def next_task(
        self, conn: Conn, staff: CurrentStaff, content: CurrentContent
    ) -> Response[Any]:
        """Straight to the first response waiting for this person (or back to the queue)."""
        tasks = await rating_queue(conn, staff, content, limit=1)
        return go(f"{QUEUE}/{tasks[0].attempt_id}/{tasks[0].item_id}" if tasks else QUEUE)

    @get(
        "/{attempt_id:uuid}/{item_id:str}",
        operation_id="dashboardRatingTask",
        opt={"role": "rater"},
    )
    async def task(
        self,
        attempt_id: FromPath[uuid.UUID],
        item_id: FromPath[str],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Template:
        """The response beside the rubric: every criterion with its level descriptors."""
        found = await self._task(conn, staff, content, attempt_id, item_id)
        earlier = await self._earlier(conn, staff, found)
        return page("rating_task.html", staff, _task_context(found, earlier), path=f"{QUEUE}/task")

    @post(
        "/{attempt_id:uuid}/{item_id:str}",
        operation_id="dashboardRate",
        opt={"role": "rater"},
        status_code=303,
    )
    async def rate(
        self,
        request: Request[Any, Any, Any],
        attempt_id: FromPath[uuid.UUID],
        item_id: FromPath[str],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Response[Any]:
        """Store the rating in the role the workflow gives it; on to the next response. A
        missing or bad level re-shows the form with the error beside the criterion."""
        found = await self._task(conn, staff, content, attempt_id, item_id)
        form = await request.form()
        chosen, notes, errors = _parse_levels(found, form)
        status = 422
        if not errors:
            try:
                outcome = await submit_rating(
                    conn,
                    staff,
                    NewRating(attempt_id, item_id, chosen, notes.strip() or None),
                    content,
                    thresholds,
                )
            except (InvalidInput, Conflict) as refused:
                errors["form"] = refused.detail
                status = 409 if isinstance(refused, Conflict) else 422
            else:
                return go(f"{QUEUE}?rated={outcome.state}")
        earlier = await self._earlier(conn, staff, found)
        return page(
            "rating_task.html",
            staff,
            _task_context(found, earlier, chosen=chosen, notes=notes, errors=errors),
            path=f"{QUEUE}/task",
            status=status,
        )

    @staticmethod
    async def _task(
        conn: Conn,
        staff: StaffUser,
        content: CurrentContent,
        attempt_id: uuid.UUID,
        item_id: str,
    ) -> RatingTask:
        if not ITEM_ID.fullmatch(item_id):
            raise NotFound("No such response", field="item_id")
        found = await rating_task(conn, staff, content, attempt_id, item_id)
        if found is None:
            raise NotFound(
                "This response is not waiting for a rating from you: it may be rated "
                "already, or not be yours to rate.",
                field="item_id",
            )
        return found

    @staticmethod
    async def _earlier(conn: Conn, staff: StaffUser, task: RatingTask) -> list[dict[str, int]]:
        if task.role != "adjudication":
            return []  # independent raters never see another rater's levels
        return await independent_levels(conn, staff.organization_id, task.attempt_id, task.item_id)


class DashboardRatingExports(Controller):
    """The agreement table as CSV (problem details on error, as every CSV endpoint)."""

    path = QUEUE
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012

    @get(
        "/agreement.csv",
        operation_id="dashboardRaterAgreementCsv",
        opt={"role": "coordinator"},
        media_type="text/csv",
    )
    async def agreement_csv(self, conn: Conn, staff: CurrentStaff) -> Response[str]:
        """One row per rater: paired levels, exact, adjacent, quadratic weighted kappa."""
        rows = await agreement_rows(conn, staff.organization_id)
        return csv_download(
            to_csv(
                ["rater_id", "rater", "paired_levels", "exact", "adjacent", "quadratic_kappa"],
                [
                    [
                        r.rater_id,
                        r.name,
                        r.agreement.n,
                        r.agreement.exact,
                        r.agreement.adjacent,
                        r.agreement.quadratic_kappa,
                    ]
                    for r in rows
                ],
            ),
            "rater-agreement.csv",
        )


def csv_download(text: str, filename: str) -> Response[str]:
    """A CSV attachment, never stored by caches."""
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
