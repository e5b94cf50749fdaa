"""The pool: connections come back clean even without the reset query."""

from __future__ import annotations

import asyncpg
import pytest

from service.ground.db import create_pool
from tests.conftest import with_database


async def test_released_connection_never_carries_an_open_transaction(db_url: str) -> None:
    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("BEGIN")
            await conn.execute("CREATE TABLE leaked (x int)")
        async with pool.acquire() as conn:  # the same single connection
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT to_regclass('leaked')") is None
            # jsonb round-trips through the msgspec codec installed on every connection
            assert await conn.fetchval("SELECT $1::jsonb", {"a": [1, "b"]}) == {"a": [1, "b"]}
    finally:
        await pool.close()


async def test_create_pool_fails_clearly_on_a_missing_database(db_url: str) -> None:
    missing = with_database(db_url, "no_such_database_here")
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await create_pool(missing, min_size=1, max_size=1, attempts=2)
