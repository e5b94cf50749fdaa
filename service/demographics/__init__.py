"""Self-reported sex and race/ethnicity, kept apart from everything else.

Only the statistics code (service.analytics) and admins read them; scoring and the
readiness model never can (an import-linter contract and tests/demographics enforce it).
"""
