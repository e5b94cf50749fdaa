"""Autosave: every answer change is one idempotent upsert ordered by a client sequence number.

The hot path is one SQL statement (one round trip, autocommitted, so the acknowledgement
follows the commit): it resolves the token to the attempt (the invitation in a sub-select,
so the attempt is a point lookup on its (invitation_id, assessment_id) key whatever the
table statistics say), checks the attempt is open and
the item's section accepts answers (deadline plus grace), and upserts the answer only when
its sequence number is newer than the stored one, so a stale or replayed write never
overwrites a newer answer. Only when nothing was written does a second query find out why.
"""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
import msgspec
from msgspec import Meta

from service.assessments.answers import InvalidAnswer, validate_answer
from service.delivery.catalog import Catalog
from service.delivery.timing import GRACE_SQL
from service.delivery.tokens import token_digest
from service.ground.errors import Conflict, Gone, InvalidInput, NotFound

TabId = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="Browser tab id")]
MAX_ANSWER_BYTES = 64 * 1024
"""Largest autosave request body; bigger answers are refused (413) before parsing."""


class AnswerIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One answer change from the candidate's browser."""

    item_id: Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    answer: Any
    seq: Annotated[int, Meta(ge=1, le=2**62, description="Client sequence number")]
    tab_id: TabId


class SaveResult(msgspec.Struct, frozen=True, kw_only=True):
    """The acknowledgement. ``saved`` false with ``superseded`` means a newer answer (a
    higher ``seq``, e.g. from another tab) is stored; ``saved`` false with ``conflict``
    means another tab or device stored a different answer under the same ``seq`` (the page
    resends its answer above ``seq``); ``other_tab`` means another tab or device holds the
    attempt now. ``saved`` is true only when this answer is what is stored."""

    saved: bool
    seq: int
    superseded: bool = False
    conflict: bool = False
    other_tab: bool = False


_UPSERT = f"""
WITH a AS (
    SELECT t.id, t.organization_id, t.active_tab
    FROM attempts t
    JOIN attempt_sections s ON s.attempt_id = t.id AND s.section_id = $4
    WHERE t.invitation_id = (SELECT i.id FROM invitations i
                             WHERE i.token_sha256 = $1 AND i.revoked_at IS NULL)
      AND t.assessment_id = $2 AND t.form_id = $3
      AND t.status = 'in_progress' AND s.entered_at IS NOT NULL AND s.closed_at IS NULL
      AND (s.deadline_at IS NULL OR now() <= s.deadline_at + {GRACE_SQL})
), up AS (
    INSERT INTO responses (organization_id, attempt_id, item_id, answer, client_seq, tab_id)
    SELECT a.organization_id, a.id, $5, $6::text::jsonb, $7, $8 FROM a
    ON CONFLICT (attempt_id, item_id) DO UPDATE
        SET answer = EXCLUDED.answer, client_seq = EXCLUDED.client_seq,
            tab_id = EXCLUDED.tab_id, saved_at = now()
        WHERE responses.client_seq < EXCLUDED.client_seq
    RETURNING client_seq
)
SELECT (SELECT client_seq FROM up) AS saved_seq, a.active_tab FROM a
"""  # noqa: S608 - the only interpolation is a constant

_DIAGNOSE = f"""
SELECT t.id AS attempt_id, t.status, s.entered_at, s.closed_at,
       s.deadline_at IS NOT NULL AND now() > s.deadline_at + {GRACE_SQL} AS too_late,
       r.client_seq, r.tab_id, t.active_tab, r.answer = $6::text::jsonb AS same_answer
FROM invitations i
LEFT JOIN attempts t ON t.invitation_id = i.id AND t.assessment_id = $2 AND t.form_id = $3
LEFT JOIN attempt_sections s ON s.attempt_id = t.id AND s.section_id = $4
LEFT JOIN responses r ON r.attempt_id = t.id AND r.item_id = $5
WHERE i.token_sha256 = $1 AND i.revoked_at IS NULL
"""  # noqa: S608


def canonical_answer(catalog: Catalog, form_id: str | None, item_id: str, raw: object) -> bytes:
    """The validated answer as JSON; InvalidInput naming the field when it is unacceptable."""
    placement = catalog.placements.get(item_id)
    if placement is None or (form_id is not None and placement.form_id != form_id):
        raise InvalidInput(f"Question {item_id} is not part of your assessment", field="item_id")
    try:
        answer = validate_answer(catalog.content.items[item_id], raw)
    except InvalidAnswer as error:
        raise InvalidInput(
            f"This answer cannot be saved: {error.field} {error.message}", field=error.field
        ) from None
    return msgspec.json.encode(answer)


async def save_answer(
    conn: asyncpg.Connection, catalog: Catalog, token: str, assessment_id: str, data: AnswerIn
) -> SaveResult:
    """Validate, then store the answer if it is the newest; explain clearly when refused.

    Nothing is stored for invalid input, for items not on the candidate's form, or after the
    section closed or its deadline (plus grace) passed.
    """
    digest = token_digest(token)
    if digest is None:
        raise NotFound("This link is not valid.", field="token")
    placement = catalog.placements.get(data.item_id)
    if placement is None or catalog.form(placement.form_id).assessment != assessment_id:
        raise InvalidInput(
            f"Question {data.item_id} is not part of this assessment", field="item_id"
        )
    encoded = canonical_answer(catalog, placement.form_id, data.item_id, data.answer)
    row = await conn.fetchrow(
        _UPSERT,
        digest,
        assessment_id,
        placement.form_id,
        placement.section_id,
        data.item_id,
        encoded.decode(),
        data.seq,
        data.tab_id,
    )
    if row is not None and row["saved_seq"] is not None:
        return SaveResult(
            saved=True, seq=row["saved_seq"], other_tab=_other(row["active_tab"], data.tab_id)
        )
    return await _explain(
        conn, digest, (assessment_id, placement.form_id, placement.section_id), data, encoded
    )


def _other(active_tab: str | None, tab_id: str) -> bool:
    return active_tab is not None and active_tab != tab_id


async def _explain(
    conn: asyncpg.Connection,
    digest: bytes,
    where: tuple[str, str, str],
    data: AnswerIn,
    encoded: bytes,
) -> SaveResult:
    """Why nothing was written: a replay, a newer answer stored, a different answer stored
    under the same number (another device), or a closed section."""
    row = await conn.fetchrow(_DIAGNOSE, digest, *where, data.item_id, encoded.decode())
    if row is None:
        raise NotFound("This link is not valid.", field="token")
    if row["attempt_id"] is None:
        raise InvalidInput(
            f"Question {data.item_id} is not part of your assessment", field="item_id"
        )
    if row["status"] != "in_progress":
        raise Gone("This assessment has already been submitted; answers can no longer change.")
    if row["too_late"]:
        raise Gone(
            "Time for this section is up, so this answer could not be saved. "
            "Answers saved before the time ran out are kept."
        )
    if row["closed_at"] is not None:
        raise Gone("You have moved on from this section, so its answers can no longer change.")
    if row["entered_at"] is None:
        raise Conflict("Begin this section before answering its questions.", field="item_id")
    stored = row["client_seq"]
    other = _other(row["active_tab"], data.tab_id)
    if stored is not None and stored == data.seq:
        if row["same_answer"] and row["tab_id"] in (None, data.tab_id):
            return SaveResult(saved=True, seq=stored, other_tab=other)  # a replay: stored
        # Two devices that loaded the same page count from the same number: this answer is
        # not the stored one, so it must not be acknowledged; the page resends above it.
        return SaveResult(saved=False, seq=stored, conflict=True, other_tab=other)
    if stored is not None and stored > data.seq:
        return SaveResult(saved=False, seq=stored, superseded=True, other_tab=other)
    # The section closed between the two queries: say so rather than guess.
    raise Gone("This answer could not be saved because the section has just closed.")
