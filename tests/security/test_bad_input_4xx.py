"""Finding 6: unauthenticated requests that used to raise a 500 (a 400-digit number, a NUL
byte in a static path) are 4xx problems, and nothing is logged as a bug."""

from __future__ import annotations

import logging

import pytest
from litestar.testing import AsyncTestClient

from service.assessments.content import load_content
from service.assessments.items import NumericItem
from service.delivery.tokens import mint_token
from tests.web.test_error_shape import assert_problem


async def test_a_400_digit_numeric_answer_is_a_422_naming_the_answer(
    client: AsyncTestClient,
    caplog: pytest.LogCaptureFixture,  # type: ignore[type-arg]
) -> None:
    content = load_content()
    item, assessment = next(
        (i, f.assessment)
        for f in content.forms.values()
        for i in f.items
        if isinstance(i, NumericItem)
    )
    url = f"/take/{mint_token()}/{assessment}/answers"  # well-formed, unknown: no link needed
    body = (
        b'{"item_id": "'
        + item.id.encode()
        + b'", "answer": 1'
        + b"0" * 400
        + b', "seq": 1, "tab_id": "tab-aaaaaaaa"}'
    )
    with caplog.at_level(logging.ERROR):
        r = await client.post(url, content=body, headers={"content-type": "application/json"})
    assert_problem(r, 422, "answer")
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]


@pytest.mark.parametrize("path", ["/static/%00", "/static/candidate.js%00", "/static/%00/x"])
async def test_a_nul_byte_in_a_static_path_is_a_400(
    client: AsyncTestClient,
    path: str,
    caplog: pytest.LogCaptureFixture,  # type: ignore[type-arg]
) -> None:
    with caplog.at_level(logging.ERROR):
        r = await client.get(path)
    assert_problem(r, 400)
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert (await client.get("/static/candidate.js")).status_code == 200  # the control
