"""The migration runner: fresh apply, idempotent re-apply, concurrent runners apply once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import msgspec
import pytest

from service.ground import migrator
from tests.conftest import with_database


@pytest.fixture
async def empty_db(server_url: str) -> AsyncIterator[str]:
    """A database with nothing in it."""
    name = f"cr_empty_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    yield with_database(server_url, name)
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await admin.close()


async def test_fresh_apply_then_noop(empty_db: str) -> None:
    names = [m.name for m in migrator.discover()]
    assert names and names[0] == "0001_initial.sql"
    # The job queue's schema comes first (our migrations may refer to its tables).
    assert await migrator.migrate_url(empty_db) == ["procrastinate schema", *names]
    assert await migrator.migrate_url(empty_db) == []
    conn = await asyncpg.connect(empty_db)
    try:
        assert await migrator.pending(conn) == []
        recorded = await conn.fetchval("SELECT count(*) FROM schema_migrations")
        assert recorded == len(names)
        shipped = migrator.library_sql("procrastinate").migrations
        library = await conn.fetch(
            "SELECT name, checksum FROM library_migrations WHERE library = 'procrastinate'"
        )
        assert {(r["name"], r["checksum"]) for r in library} == {
            (m.name, m.checksum) for m in shipped
        }
        assert await conn.fetchval("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
    finally:
        await conn.close()


async def test_a_newer_library_migration_is_applied_once(empty_db: str) -> None:
    """As after upgrading procrastinate: a shipped migration file not yet recorded runs once;
    a recorded one whose text changed is refused."""
    await migrator.migrate_url(empty_db)
    conn = await asyncpg.connect(empty_db)
    try:
        newest = migrator.library_sql("procrastinate").migrations[-1]
        await conn.execute("DELETE FROM library_migrations WHERE name = $1", newest.name)
        # Applying the newest file again must be harmless for this test: pretend it is new by
        # replacing its text with an idempotent statement of the same name.
        await conn.execute("CREATE TABLE IF NOT EXISTS upgrade_marker (x int)")
        shipped = migrator.library_sql("procrastinate")
        upgraded = msgspec.structs.replace(
            shipped,
            migrations=(
                *shipped.migrations[:-1],
                msgspec.structs.replace(newest, sql="INSERT INTO upgrade_marker VALUES (1)"),
            ),
        )
        async with conn.transaction():
            assert await migrator._migrate_library(conn, upgraded) == [
                f"procrastinate {newest.name}"
            ]
        assert await migrator._migrate_library(conn, upgraded) == []
        assert await conn.fetchval("SELECT count(*) FROM upgrade_marker") == 1
        changed = msgspec.structs.replace(
            upgraded,
            migrations=(*upgraded.migrations[:-1], msgspec.structs.replace(newest, sql="SELECT 1")),
        )
        with pytest.raises(migrator.MigrationError, match="changed after it was applied"):
            await migrator._migrate_library(conn, changed)
    finally:
        await conn.close()


async def test_concurrent_runners_apply_once(empty_db: str) -> None:
    results = await asyncio.gather(*(migrator.migrate_url(empty_db) for _ in range(4)))
    applied = [r for r in results if r]
    assert len(applied) == 1, results  # exactly one runner did the work
    conn = await asyncpg.connect(empty_db)
    try:
        counts = await conn.fetch("SELECT version, count(*) FROM schema_migrations GROUP BY 1")
        assert all(r["count"] == 1 for r in counts)
    finally:
        await conn.close()


async def test_failed_migration_rolls_back_and_is_not_recorded(
    empty_db: str, tmp_path: Path
) -> None:
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE a (x int);")
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE b (y int); SELECT no_such_fn();")
    with pytest.raises(asyncpg.UndefinedFunctionError):
        await migrator.migrate_url(empty_db, tmp_path)
    conn = await asyncpg.connect(empty_db)
    try:
        assert await conn.fetchval("SELECT to_regclass('a') IS NOT NULL")
        assert not await conn.fetchval("SELECT to_regclass('b') IS NOT NULL")
        assert await migrator.pending(conn, tmp_path) == ["0002_broken.sql"]
    finally:
        await conn.close()


async def test_edited_applied_migration_is_refused(empty_db: str, tmp_path: Path) -> None:
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE a (x int);")
    await migrator.migrate_url(empty_db, tmp_path)
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE a (x bigint);")
    with pytest.raises(migrator.MigrationError, match="changed after it was applied"):
        await migrator.migrate_url(empty_db, tmp_path)


def test_bad_names_and_duplicate_numbers_rejected(tmp_path: Path) -> None:
    (tmp_path / "1_bad.sql").write_text("")
    with pytest.raises(migrator.MigrationError, match="name must look like"):
        migrator.discover(tmp_path)
    (tmp_path / "1_bad.sql").unlink()
    (tmp_path / "0001_a.sql").write_text("")
    (tmp_path / "0001_b.sql").write_text("")
    with pytest.raises(migrator.MigrationError, match="used twice"):
        migrator.discover(tmp_path)
