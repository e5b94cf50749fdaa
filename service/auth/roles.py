"""Staff roles (kept apart from the auth machinery so the CLI can list them cheaply)."""

from __future__ import annotations

ROLES = ("viewer", "rater", "coordinator", "admin")
"""Staff roles, least privileged first: each may do what the ones before it may."""
