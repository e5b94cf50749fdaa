"""Finding 4: answers typed with full-width or compatibility characters (an East Asian input
method, a phone keyboard) are NFKC-normalised before validation and scoring, over the whole
shipped bank; and the autosave stores the plain spelling."""

from __future__ import annotations

import uuid

import asyncpg
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from service.assessments.content import load_content
from service.assessments.items import CodeEntryItem, DateItem, NumericItem
from service.assessments.scoring import score_answer
from service.delivery.catalog import Catalog
from tests.delivery.conftest import attempt_row, begin, invite

CONTENT = load_content()
ITEMS = [
    item
    for item in CONTENT.items.values()
    if isinstance(item, CodeEntryItem | NumericItem | DateItem)
]


def full_width(text: str, which: list[bool]) -> str:
    """``text`` with the chosen printable ASCII characters in their full-width forms and
    spaces as ideographic spaces."""
    out = []
    for char, wide in zip(text, which + [False] * len(text), strict=False):
        if wide and "!" <= char <= "~":
            out.append(chr(ord(char) + 0xFEE0))
        elif wide and char == " ":
            out.append("\u3000")
        else:
            out.append(char)
    return "".join(out)


def typed_key(item: CodeEntryItem | NumericItem | DateItem) -> object:
    if isinstance(item, CodeEntryItem):
        return list(item.key)
    if isinstance(item, NumericItem):
        return f"{item.key:g}"
    return item.key.isoformat()


def test_the_reported_code_scores_full_marks() -> None:
    item = next(i for i in ITEMS if isinstance(i, CodeEntryItem) and i.system == "icd10cm")
    wide = [full_width(code, [True] * len(code)) for code in item.key]
    assert score_answer(item, list(item.key)).points == item.points
    assert score_answer(item, wide).points == item.points


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ITEMS), st.lists(st.booleans(), min_size=1, max_size=40))
def test_full_width_keys_score_like_plain_keys(
    item: CodeEntryItem | NumericItem | DateItem,
    which: list[bool],
) -> None:
    plain = typed_key(item)
    wide = (
        [full_width(c, which) for c in plain]
        if isinstance(plain, list)
        else full_width(str(plain), which)
    )
    expected = score_answer(item, plain, CONTENT.hcpcs_codes)
    got = score_answer(item, wide, CONTENT.hcpcs_codes)
    assert expected.points == item.points
    assert got.points == expected.points, (item.id, wide, got.feedback)


async def test_autosave_stores_the_plain_spelling(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
    candidate_id: uuid.UUID,
    catalog: Catalog,
) -> None:
    token = await invite(pool, org_id, candidate_id, catalog)
    await begin(client, token)
    row = await attempt_row(pool, token)
    item = next(
        i
        for i in CONTENT.forms[row["form_id"]].items
        if isinstance(i, CodeEntryItem) and i.system == "icd10cm"
    )
    r = await client.post(
        f"/take/{token}/coding/answers",
        json={
            "item_id": item.id,
            "answer": ["Ｓ５２．３２１Ａ", "ｅ１１　．６５"],
            "seq": 1,
            "tab_id": "tab-aaaaaaaa",
        },
    )
    assert r.status_code == 200 and r.json()["saved"], r.text
    stored = await pool.fetchval(
        "SELECT answer FROM responses WHERE attempt_id = $1 AND item_id = $2", row["id"], item.id
    )
    assert stored == ["S52.321A", "E11.65"]
