"""The rating workflow for constructed responses: a blind queue, two independent ratings,
adjudication when they differ by more than one level, then a final rescoring."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion
from service.assessments.items import ConstructedResponseItem
from service.assessments.ratings import (
    ROLE_NEEDED,
    Agreement,
    Rating,
    Role,
    agreement_by_rater,
    check_rating,
    paired_levels,
    rating_state,
)
from service.auth.roles import ROLES
from service.auth.staff import StaffUser
from service.ground.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.readiness.predict import BandThresholds
from service.results.rescoring import load_ratings, rescore_attempt


class CriterionView(msgspec.Struct, frozen=True):
    """A criterion as a rater sees it."""

    id: str
    name: str
    levels: tuple[str, ...]
    weight: float


class RatingTask(msgspec.Struct, frozen=True, kw_only=True):
    """One response awaiting this rater. No candidate identity: rating is blind."""

    attempt_id: uuid.UUID
    item_id: str
    role: str
    stem: str
    stimulus: str
    response: str
    criteria: list[CriterionView]


class NewRating(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A rater's levels (0..3) per criterion."""

    attempt_id: uuid.UUID
    item_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]
    levels: dict[
        Annotated[str, msgspec.Meta(max_length=60)], Annotated[int, msgspec.Meta(ge=0, le=3)]
    ]
    notes: Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^[^\x00]*$")] | None = None


class RatingOutcome(msgspec.Struct, frozen=True):
    """Where the response stands after a rating."""

    state: str
    scoring_run_id: uuid.UUID | None = None


# Provisional constructed responses of current runs this rater has not rated, each with all
# of its ratings so far (oldest first) so the workflow rule can decide what it still needs.
_CANDIDATES = """
SELECT a.id AS attempt_id, s.item_id, resp.answer,
       coalesce((SELECT json_agg(json_build_object('rater_id', x.rater_id::text, 'role', x.role,
                                                   'levels', x.levels)
                                 ORDER BY x.created_at, x.id)
                 FROM ratings x WHERE x.attempt_id = a.id AND x.item_id = s.item_id),
                '[]'::json) AS ratings
FROM attempts a
JOIN scoring_runs r ON r.attempt_id = a.id AND r.current
JOIN item_scores s ON s.scoring_run_id = r.id AND s.provisional
JOIN responses resp ON resp.attempt_id = a.id AND resp.item_id = s.item_id
WHERE a.organization_id = $1
  AND NOT EXISTS (SELECT 1 FROM ratings x WHERE x.attempt_id = a.id AND x.item_id = s.item_id
                  AND x.rater_id = $2)
  AND ($5::uuid IS NULL OR a.id = $5) AND ($6::text IS NULL OR s.item_id = $6)
ORDER BY a.submitted_at NULLS LAST, a.id, s.item_id
LIMIT $3 OFFSET $4
"""


# The same responses as _CANDIDATES, counted: grouped by item and by their ratings so far
# (most have none, so most fall in one group per item); each group needs the same next
# rating, which the workflow rule decides in Python.
_WAITING = """
SELECT s.item_id, coalesce(x.ratings, '[]'::jsonb) AS ratings, count(*) AS n
FROM attempts a
JOIN scoring_runs r ON r.attempt_id = a.id AND r.current
JOIN item_scores s ON s.scoring_run_id = r.id AND s.provisional
JOIN responses resp ON resp.attempt_id = a.id AND resp.item_id = s.item_id
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('rater_id', y.rater_id::text, 'role', y.role,
                                        'levels', y.levels)
                     ORDER BY y.created_at, y.id) AS ratings,
           bool_or(y.rater_id = $2) AS mine
    FROM ratings y WHERE y.attempt_id = a.id AND y.item_id = s.item_id) x ON true
WHERE a.organization_id = $1 AND x.mine IS NOT TRUE
GROUP BY 1, 2
"""


ADJUDICATOR_ROLE = "coordinator"
"""Independent ratings come from raters; resolving two that disagree is a coordinator's
(or an admin's) call."""


def may_adjudicate(staff: StaffUser) -> bool:
    """Whether ``staff`` may give the final, adjudicating rating of a response."""
    return ROLES.index(staff.role) >= ROLES.index(ADJUDICATOR_ROLE)


def role_needed(ratings: list[Rating]) -> Role | None:
    """The role the next rating of a response takes (None once its ratings are final)."""
    return ROLE_NEEDED[rating_state(ratings)]


def _role_for(rater: StaffUser, item: object, ratings: object) -> Role | None:
    """The role ``rater`` would rate this response in, or None when it is not theirs to rate
    (not a written item of the bank, final already, or an adjudication and not theirs)."""
    if not isinstance(item, ConstructedResponseItem):
        return None
    role = role_needed(msgspec.convert(ratings, list[Rating]))
    if role == "adjudication" and not may_adjudicate(rater):
        return None
    return role


async def awaiting_rating(
    conn: asyncpg.Connection, rater: StaffUser, content: ContentVersion
) -> int:
    """How many responses wait for this rater now: the queue's own rule, applied once to
    each group of responses of one item with the same ratings so far (one pass over the
    organization, however long the queue)."""
    groups = await conn.fetch(_WAITING, rater.organization_id, rater.id)
    return sum(
        r["n"] for r in groups if _role_for(rater, content.items.get(r["item_id"]), r["ratings"])
    )


async def rating_queue(
    conn: asyncpg.Connection,
    rater: StaffUser,
    content: ContentVersion,
    *,
    limit: int = 20,
    page: int = 100,
    attempt_id: uuid.UUID | None = None,
    item_id: str | None = None,
) -> list[RatingTask]:
    """Responses this rater may rate now: first or second ratings, and (for coordinators
    and admins) adjudications.

    Pages through the candidates until ``limit`` tasks are found or none remain, so the queue
    is never empty while work waits behind responses that are already final. ``attempt_id``
    and ``item_id`` narrow it to one response (the rating page of that response)."""
    tasks: list[RatingTask] = []
    offset = 0
    while len(tasks) < limit:
        rows = await conn.fetch(
            _CANDIDATES, rater.organization_id, rater.id, page, offset, attempt_id, item_id
        )
        for row in rows:
            item = content.items.get(row["item_id"])
            role = _role_for(rater, item, row["ratings"])
            if role is None or not isinstance(item, ConstructedResponseItem):
                continue
            tasks.append(
                RatingTask(
                    attempt_id=row["attempt_id"],
                    item_id=item.id,
                    role=role,
                    stem=item.stem,
                    stimulus=item.stimulus,
                    response=str(row["answer"]),
                    criteria=[
                        CriterionView(c.id, c.name, c.levels, c.weight) for c in item.criteria
                    ],
                )
            )
            if len(tasks) == limit:
                break
        if len(rows) < page:
            break
        offset += page
    return tasks


async def rating_task(
    conn: asyncpg.Connection,
    rater: StaffUser,
    content: ContentVersion,
    attempt_id: uuid.UUID,
    item_id: str,
) -> RatingTask | None:
    """The response ``attempt_id``/``item_id`` if this rater may rate it now, else None."""
    tasks = await rating_queue(
        conn, rater, content, limit=1, attempt_id=attempt_id, item_id=item_id
    )
    return tasks[0] if tasks else None


async def independent_levels(
    conn: asyncpg.Connection, organization_id: uuid.UUID, attempt_id: uuid.UUID, item_id: str
) -> list[dict[str, int]]:
    """The levels of a response's independent ratings, oldest first (what an adjudicator
    weighs; never who gave them nor their notes)."""
    ratings = (await load_ratings(conn, organization_id, attempt_id)).get(item_id, [])
    return [dict(r.levels) for r in ratings if r.role == "independent"]


async def submit_rating(
    conn: asyncpg.Connection,
    rater: StaffUser,
    new: NewRating,
    content: ContentVersion,
    thresholds: BandThresholds,
) -> RatingOutcome:
    """Store a rating in the role the response needs; rescore once ratings are final."""
    org = rater.organization_id
    async with conn.transaction():
        attempt = await conn.fetchrow(
            """SELECT form_id, status FROM attempts WHERE organization_id = $1 AND id = $2
               FOR UPDATE""",
            org,
            new.attempt_id,
        )
        if attempt is None:
            raise NotFound(f"No attempt {new.attempt_id}", field="attempt_id")
        if attempt["status"] == "in_progress":  # answers may still change: nothing to rate
            raise Conflict("This attempt has not been submitted yet", field="attempt_id")
        item = content.items.get(new.item_id)
        form = content.forms.get(attempt["form_id"])
        if not isinstance(item, ConstructedResponseItem) or form is None or item not in form.items:
            raise InvalidInput("Not a constructed response of this attempt", field="item_id")
        rating = Rating(rater_id=str(rater.id), levels=dict(new.levels))
        try:
            check_rating(item, rating)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="levels") from None
        existing = (await load_ratings(conn, org, new.attempt_id)).get(item.id, [])
        if any(r.rater_id == str(rater.id) for r in existing):
            raise Conflict("You already rated this response", field="item_id")
        role = role_needed(existing)
        if role is None:
            raise Conflict("This response's ratings are already final", field="item_id")
        if role == "adjudication" and not may_adjudicate(rater):
            raise Forbidden(
                f"This response needs adjudication, which needs the {ADJUDICATOR_ROLE} role",
                field="item_id",
            )
        await conn.execute(
            """INSERT INTO ratings (id, organization_id, attempt_id, item_id, rater_id, role,
                   levels, notes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
            uuid.uuid4(),
            org,
            new.attempt_id,
            item.id,
            rater.id,
            role,
            dict(new.levels),
            new.notes,
        )
        after = (await load_ratings(conn, org, new.attempt_id)).get(item.id, [])
        state = rating_state(after)
        if state != "final":
            return RatingOutcome(state)
        run_id = await rescore_attempt(
            conn,
            org,
            new.attempt_id,
            content,
            reason=f"human ratings final for {item.id}",
            actor=rater.actor,
            thresholds=thresholds,
        )
    return RatingOutcome("final", run_id)


async def rater_agreement(
    conn: asyncpg.Connection, organization_id: uuid.UUID
) -> Mapping[str, Agreement]:
    """Per rater: exact, adjacent and quadratic-weighted-kappa agreement with co-raters."""
    rows = await conn.fetch(
        """SELECT attempt_id, item_id, rater_id, levels FROM ratings
           WHERE organization_id = $1 AND role = 'independent' ORDER BY created_at, id""",
        organization_id,
    )
    by_response: dict[tuple[uuid.UUID, str], list[Rating]] = {}
    for r in rows:
        by_response.setdefault((r["attempt_id"], r["item_id"]), []).append(
            Rating(rater_id=str(r["rater_id"]), levels=dict(r["levels"]))
        )
    pairs = [
        p
        for ratings in by_response.values()
        if len(ratings) >= 2
        for p in paired_levels(ratings[0], ratings[1])
    ]
    return agreement_by_rater(pairs)
