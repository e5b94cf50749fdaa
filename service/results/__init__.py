"""Stored results: scoring runs, rescoring, human ratings of constructed responses."""
