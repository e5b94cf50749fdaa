"""Candidate face: the assessment pages (``/take/{token}``) and their script's JSON endpoints."""
