"""The candidate pages are tested with the delivery fixtures (an invited candidate)."""

from tests.delivery.conftest import candidate_id, catalog, token

__all__ = ["candidate_id", "catalog", "token"]
