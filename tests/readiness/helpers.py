"""Small, fast synthetic data for readiness tests (no item bank needed)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from service.readiness.generative import draw_latent, outcome_probability


def synthetic_percents(
    n: int, seed: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """(percents n × 8, outcomes, true probabilities): percents are noisy views of skill."""
    rng = np.random.default_rng(seed)
    latent = draw_latent(rng, n)
    truth = outcome_probability(latent)
    outcomes = rng.random(n) < truth
    noisy = latent + rng.normal(0.0, 0.6, latent.shape)
    percents = np.clip(60.0 + 15.0 * noisy, 0.0, 100.0)
    return percents, outcomes, truth
