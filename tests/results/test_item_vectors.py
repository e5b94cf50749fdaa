"""Each scoring run's item scores also as one vector row in item-id order (for statistics
over whole forms); it always equals the run's item_scores rows."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import asyncpg

from tests.faces.staff.test_staff_ratings import scored_attempt

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "0014_statistics.sql"
ROWS = """SELECT array_agg(item_id ORDER BY item_id COLLATE "C") AS ids,
                 array_agg(points ORDER BY item_id COLLATE "C") AS points,
                 array_agg(max_points ORDER BY item_id COLLATE "C") AS maxima
          FROM item_scores WHERE scoring_run_id = $1"""


async def _arrays(pool: asyncpg.Pool, run: uuid.UUID) -> tuple[object, ...]:  # type: ignore[type-arg]
    row = await pool.fetchrow(
        "SELECT item_ids, points, max_points FROM item_score_vectors WHERE scoring_run_id = $1", run
    )
    return tuple(row)


async def test_runs_store_their_items_as_arrays_and_the_backfill_rebuilds_them(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    attempt = await scored_attempt(pool, org_id)
    run = await pool.fetchval("SELECT id FROM scoring_runs WHERE attempt_id = $1", attempt)
    stored = await _arrays(pool, run)
    expected = tuple(await pool.fetchrow(ROWS, run))
    assert stored == expected
    assert len(stored[0]) == 15 and stored[0] == sorted(stored[0])  # type: ignore[arg-type]
    # Runs stored before the migration get the same arrays from its backfill.
    await pool.execute("DELETE FROM item_score_vectors")
    backfill = re.search(r"INSERT INTO item_score_vectors.*?;", MIGRATION.read_text(), re.S)
    assert backfill is not None
    await pool.execute(backfill.group(0))
    assert await _arrays(pool, run) == stored
