"""Readiness estimate: simulation, features, calibrated model, registry, predictions."""
