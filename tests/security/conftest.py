"""Fixtures for the security regression tests: the delivery fixtures (a candidate, an
invitation, the catalog) reused as they are."""

from __future__ import annotations

from tests.delivery.conftest import candidate_id, catalog, token

__all__ = ["candidate_id", "catalog", "token"]
