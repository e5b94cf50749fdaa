"""Tenancy: organizations, their candidates and the audit log. Every row is scoped by
``organization_id``."""
