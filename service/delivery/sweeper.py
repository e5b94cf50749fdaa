"""Sweeping by hand: ``chartready sweep`` finalises every attempt whose time ran out while
nobody was looking (the candidate closed the browser); the app also sweeps in the background."""

from __future__ import annotations

from service.assessments.content import load_content
from service.delivery.catalog import catalog_of
from service.delivery.finalize import sweep_once
from service.ground.db import create_pool
from service.readiness.predict import BandThresholds


async def sweep_database(url: str, thresholds: BandThresholds) -> int:
    """One full pass over the database at ``url``."""
    catalog = catalog_of(load_content())
    pool = await create_pool(url, min_size=1, max_size=2)
    total = 0
    try:
        while done := await sweep_once(pool, catalog, thresholds):
            total += done
    finally:
        await pool.close()
    return total
