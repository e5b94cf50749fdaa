"""Schema migrations: numbered .sql files in migrations/, applied once, in order.

Each file runs in its own transaction and is recorded (with its SHA-256) in
schema_migrations. The whole run holds a PostgreSQL advisory lock, so concurrent starts
serialise and the second finds nothing left to do.

The job queue's schema (procrastinate, a library) is applied first, under the same lock and
with the same discipline, from the SQL files the installed package ships: on a new database
its whole schema, recorded together with every migration file it already contains; later,
each migration file a newer release adds, once, in order (``library_migrations``). Our own
migrations may then refer to its tables.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import asyncpg
import msgspec

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
_LOCK_KEY = 0x43685265  # "ChRe": one lock id for every ChartReady migration run
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    """The migrations directory or an applied migration is inconsistent."""


class Migration(msgspec.Struct, frozen=True):
    """One migration file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file's text; an applied file must never change."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file, ordered by number; duplicate numbers are an error, and so is a
    directory without any (a misplaced path must not look like a current schema)."""
    if not directory.is_dir() or not any(directory.glob("*.sql")):
        raise MigrationError(f"{directory}: no migrations found")
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: name must look like 0001_description.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path.name}: number {version} is used twice")
        found[version] = Migration(version, path.name, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


_CREATE_LIBRARY_TABLE = """
CREATE TABLE IF NOT EXISTS library_migrations (
    library     text NOT NULL,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (library, name)
)
"""
LIBRARY_SCHEMAS = {"procrastinate": "procrastinate.sql"}
"""Libraries whose SQL schema we apply: name -> the package holding schema.sql and
migrations/ (``procrastinate schema --migrations-path``)."""


class LibrarySql(msgspec.Struct, frozen=True):
    """A library's shipped SQL: its whole schema, and its migration files by name."""

    library: str
    schema: str
    migrations: tuple[Migration, ...]


def library_sql(library: str) -> LibrarySql:
    """What the installed ``library`` ships (migration files sorted by name, i.e. version)."""
    root = resources.files(LIBRARY_SCHEMAS[library])
    files = sorted(
        (f for f in (root / "migrations").iterdir() if f.name.endswith(".sql")),
        key=lambda f: f.name,
    )
    return LibrarySql(
        library,
        (root / "schema.sql").read_text(encoding="utf-8"),
        tuple(Migration(0, f.name, f.read_text(encoding="utf-8")) for f in files),
    )


async def _library_applied(conn: asyncpg.Connection, library: str) -> dict[str, str]:
    exists = await conn.fetchval("SELECT to_regclass('library_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch(
        "SELECT name, checksum FROM library_migrations WHERE library = $1", library
    )
    return {r["name"]: r["checksum"] for r in rows}


async def _migrate_library(conn: asyncpg.Connection, shipped: LibrarySql) -> list[str]:
    done = await _library_applied(conn, shipped.library)
    record = "INSERT INTO library_migrations (library, name, checksum) VALUES ($1, $2, $3)"
    if not done:  # a new database: the whole schema, which already holds every migration
        async with conn.transaction():
            await conn.execute(shipped.schema)
            await conn.executemany(
                record, [(shipped.library, m.name, m.checksum) for m in shipped.migrations]
            )
        return [f"{shipped.library} schema"]
    ran = []
    for m in shipped.migrations:
        if m.name in done:
            if done[m.name] != m.checksum:
                raise MigrationError(f"{shipped.library} {m.name}: changed after it was applied")
            continue
        async with conn.transaction():
            await conn.execute(m.sql)
            await conn.execute(record, shipped.library, m.name, m.checksum)
        ran.append(f"{shipped.library} {m.name}")
    return ran


async def applied(conn: asyncpg.Connection) -> dict[int, str]:
    """Applied versions and their checksums ({} on a database never migrated)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT version, checksum FROM schema_migrations")
    return {r["version"]: r["checksum"] for r in rows}


async def pending(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Names of migrations not yet applied (empty when the schema is current)."""
    waiting = []
    for library in LIBRARY_SCHEMAS:
        library_done = await _library_applied(conn, library)
        shipped = library_sql(library)
        waiting += (
            [f"{library} schema"]
            if not library_done
            else [f"{library} {m.name}" for m in shipped.migrations if m.name not in library_done]
        )
    done = await applied(conn)
    return waiting + [m.name for m in discover(directory) if m.version not in done]


async def migrate(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations under the advisory lock; return the names applied."""
    migrations = discover(directory)
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(_CREATE_TABLE)
        await conn.execute(_CREATE_LIBRARY_TABLE)
        done = await applied(conn)
        for m in migrations:
            if m.version in done and done[m.version] != m.checksum:
                raise MigrationError(f"{m.name}: changed after it was applied; add a new file")
        ran: list[str] = []
        for library in LIBRARY_SCHEMAS:
            ran += await _migrate_library(conn, library_sql(library))
        for m in migrations:
            if m.version in done:
                continue
            async with conn.transaction():
                await conn.execute(m.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    m.version,
                    m.name,
                    m.checksum,
                )
            ran.append(m.name)
        return ran
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)


async def migrate_url(dsn: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Connect to ``dsn``, migrate, disconnect."""
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn, directory)
    finally:
        await conn.close()
