"""Finding 13: `/metrics` is not open to anyone. Without CHARTREADY_METRICS_TOKEN it does
not exist; with one, only a caller presenting it reads the metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.ground.settings import SettingsError, load_settings
from tests.conftest import make_settings
from tests.web.test_error_shape import assert_problem

TOKEN = "prometheus-scrape-token-0123456789"


async def test_metrics_are_not_exposed_without_a_configured_token(
    client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    assert_problem(await client.get("/metrics"), 404)
    assert_problem(await client.get("/metrics", headers={"Authorization": "Bearer x"}), 404)


@pytest.fixture
async def guarded(db_url: str) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    settings = make_settings(database_url=db_url, metrics_token=TOKEN)
    async with AsyncTestClient(app=create_app(settings)) as c:
        yield c


async def test_only_the_token_holder_reads_metrics(
    guarded: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token-0123456789"},
        {"Authorization": TOKEN},
        {"Authorization": f"Basic {TOKEN}"},
    ):
        r = await guarded.get("/metrics", headers=headers)
        body = assert_problem(r, 401)
        assert "chartready_requests_total" not in r.text and body["status"] == 401
    ok = await guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and "chartready_requests_total" in ok.text


def test_a_short_metrics_token_stops_the_process() -> None:
    with pytest.raises(SettingsError, match="CHARTREADY_METRICS_TOKEN"):
        load_settings({"CHARTREADY_METRICS_TOKEN": "short"})
