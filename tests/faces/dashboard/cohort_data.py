"""A small scored cohort for the overview and candidate pages: the demo's simulated people,
scored and estimated by the real pipeline (a first readiness model trained on simulated
candidates), plus a second organization whose data must never show."""

from __future__ import annotations

import csv
import io
import uuid
from html.parser import HTMLParser

import asyncpg
from litestar.testing import AsyncTestClient

from service.assessments.content import load_content
from service.cli.demo import DemoCohort, seed_demo_cohort
from service.readiness.predict import BandThresholds
from tests.faces.dashboard.helpers import dashboard_sign_in
from tests.results.factories import make_user, org_slug

Client = AsyncTestClient  # type: ignore[type-arg]


async def scored_cohort(pool: asyncpg.Pool, org_id: uuid.UUID, size: int = 6) -> DemoCohort:
    """``size`` simulated candidates in a cohort, every assessment scored and estimated."""
    return await seed_demo_cohort(
        pool,
        org_id,
        load_content(),
        thresholds=BandThresholds(),
        size=size,
        simulated_candidates=2000,
    )


async def signed_in(client: Client, pool: asyncpg.Pool, org_id: uuid.UUID, role: str) -> str:
    """A new staff user with ``role`` signed in through the form; returns the CSRF token."""
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
    await make_user(pool, org_id, role, email)
    return await dashboard_sign_in(client, await org_slug(pool, org_id), email)


class _Tables(HTMLParser):
    """Every <table> of a page as (caption, rows of cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._caption: list[str] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            rows = self.tables[-1][1]
            self.tables[-1] = (" ".join("".join(self._caption).split()), rows)
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)


def table(html: str, caption_start: str) -> list[list[str]]:
    """The rows (header first) of the table whose caption starts with ``caption_start``."""
    parser = _Tables()
    parser.feed(html)
    for caption, rows in parser.tables:
        if caption.startswith(caption_start):
            return rows
    raise AssertionError(f"no table {caption_start!r} in {[c for c, _ in parser.tables]}")


def csv_rows(text: str) -> list[list[str]]:
    """A CSV download as rows (header first)."""
    return list(csv.reader(io.StringIO(text)))
