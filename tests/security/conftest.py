"""Fixtures for the security regression tests: the delivery fixtures (a candidate, an
invitation, the catalog) reused as they are."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import NamedTuple

import pytest
import uvicorn
from litestar import Litestar

from scripts.ports import free_port
from service.app import create_app
from service.ground.settings import Settings
from tests.conftest import make_settings
from tests.delivery.conftest import candidate_id, catalog, token

__all__ = ["candidate_id", "catalog", "token"]


@pytest.fixture
def served_settings(db_url: str) -> Settings:
    """Settings of the app ``served`` runs (tests override this fixture to change them)."""
    return make_settings(database_url=db_url)


class Served(NamedTuple):
    """A running server: its base URL and the app object (to read its state)."""

    url: str
    app: Litestar


@pytest.fixture
def served(db_url: str, served_settings: Settings) -> Iterator[Served]:
    """The real app under uvicorn on 127.0.0.1:<free port>, as `chartready serve` runs it
    (proxy headers trusted from 127.0.0.1, so X-Forwarded-For names the client)."""
    port = free_port()
    app = create_app(served_settings)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, name="security-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{port}", app)
    server.should_exit = True
    thread.join(timeout=15)
