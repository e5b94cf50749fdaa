"""Coordinator, rater and admin pages (``/dashboard``): cohorts, candidates, ratings,
statistics, models and administration, over the staff session."""
