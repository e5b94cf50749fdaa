"""The generative model behind simulated candidates (documented, seeded, no hidden state).

Story of one simulated candidate:

1. **Latent competencies** θ (one per competency id, mean 0, sd 1) are multivariate normal.
   Their correlation comes from a one-general-plus-cluster factor structure: every
   competency loads 0.6 on a general factor; coding-side competencies (terminology, coding,
   reimbursement), the HIPAA pair (privacy, security) and the record-work pair
   (record_integrity, problem_solving) share a cluster factor. Correlations are 0.36
   across clusters and about 0.55-0.61 within one.
2. **Items** follow a two-parameter logistic (2PL) model: P(right) = logistic(a·(θ_c − b)),
   with c the item's competency. Discrimination a and difficulty b are drawn
   deterministically from (seed, item id), so an item keeps its parameters across runs.
   Difficulty is anchored on the item's Angoff ratings: a minimally competent candidate
   (θ = −0.4) answers right with roughly the judges' mean probability.
3. **Job outcome** "met the 90-day performance standard" ~ Bernoulli(logistic(w·θ + b0)).
   The true probability is kept so models can be compared with the truth (the oracle).
4. **Demographic groups** (self-reported sex and race/ethnicity, NYC LL144 categories) are
   drawn independently of everything else: they have NO true effect. A planted bias
   (``PlantedBias``) shifts chosen items' difficulty for one group, for fairness checks.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import msgspec
import numpy as np
import numpy.typing as npt

COMPETENCY_IDS: tuple[str, ...] = (
    "terminology",
    "coding",
    "reimbursement",
    "record_integrity",
    "privacy",
    "security",
    "communication",
    "problem_solving",
)

GENERAL_LOADING = 0.6
CLUSTER_LOADINGS: dict[str, tuple[tuple[str, ...], float]] = {
    "coding_side": (("terminology", "coding", "reimbursement"), 0.45),
    "hipaa": (("privacy", "security"), 0.5),
    "record_work": (("record_integrity", "problem_solving"), 0.4),
}

# Weights of the latent competencies in the outcome's logit; all positive (more skill never
# lowers the chance of meeting the standard). The intercept puts the base rate near 0.6.
OUTCOME_WEIGHTS: dict[str, float] = {
    "terminology": 0.25,
    "coding": 0.45,
    "reimbursement": 0.2,
    "record_integrity": 0.5,
    "privacy": 0.4,
    "security": 0.25,
    "communication": 0.35,
    "problem_solving": 0.45,
}
OUTCOME_INTERCEPT = 0.5

MINIMALLY_COMPETENT_THETA = -0.4
DIFFICULTY_NOISE_SD = 0.35
DISCRIMINATION_LOG_SD = 0.3

# Self-reported categories, spelled as in candidate_demographics (0001_initial.sql), which
# follows NYC LL144 / EEO-1; "unknown" covers unreported or declined.
UNKNOWN_GROUP = "unknown"
SEX_CATEGORIES: tuple[str, ...] = ("female", "male", UNKNOWN_GROUP)
SEX_SHARES: tuple[float, ...] = (0.62, 0.35, 0.03)
RACE_ETHNICITY_CATEGORIES: tuple[str, ...] = (
    "hispanic_latino",
    "white",
    "black",
    "nhpi",
    "asian",
    "native_american",
    "two_or_more",
    UNKNOWN_GROUP,
)
RACE_ETHNICITY_SHARES: tuple[float, ...] = (0.2, 0.44, 0.18, 0.01, 0.08, 0.01, 0.05, 0.03)


class ItemParameters(msgspec.Struct, frozen=True):
    """2PL parameters of one item: P(right | θ) = logistic(discrimination · (θ − difficulty))."""

    discrimination: float
    difficulty: float


class PlantedBias(msgspec.Struct, frozen=True):
    """Make chosen items harder (difficulty + shift) for one group only: a planted DIF."""

    item_ids: tuple[str, ...]
    attribute: str  # "sex" or "race_ethnicity"
    group: str
    difficulty_shift: float = 1.0


def latent_correlation() -> npt.NDArray[np.float64]:
    """Correlation matrix of the latent competencies, in ``COMPETENCY_IDS`` order."""
    k = len(COMPETENCY_IDS)
    loadings = np.zeros((k, 1 + len(CLUSTER_LOADINGS)))
    loadings[:, 0] = GENERAL_LOADING
    for column, (members, loading) in enumerate(CLUSTER_LOADINGS.values(), start=1):
        for member in members:
            loadings[COMPETENCY_IDS.index(member), column] = loading
    common = loadings @ loadings.T
    # Unique variance tops each diagonal up to 1, so the result is a correlation matrix.
    return common + np.diag(1.0 - np.diag(common))


def draw_latent(rng: np.random.Generator, n: int) -> npt.NDArray[np.float64]:
    """Draw ``n`` latent competency vectors (n × 8, ``COMPETENCY_IDS`` order)."""
    chol = np.linalg.cholesky(latent_correlation())
    return rng.standard_normal((n, len(COMPETENCY_IDS))) @ chol.T


def outcome_probability(latent: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """True probability of meeting the 90-day standard for each latent vector."""
    weights = np.array([OUTCOME_WEIGHTS[c] for c in COMPETENCY_IDS])
    return logistic(latent @ weights + OUTCOME_INTERCEPT)


def logistic(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The standard logistic function, elementwise."""
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def item_rng(seed: int, item_id: str) -> np.random.Generator:
    """A generator that depends only on (seed, item id): stable across runs and processes."""
    digest = hashlib.sha256(item_id.encode()).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
    return np.random.default_rng(np.random.SeedSequence([seed, *words]))


def item_parameters(item_id: str, angoff: Sequence[float], seed: int) -> ItemParameters:
    """Draw an item's 2PL parameters from (seed, item id), anchored on its Angoff ratings."""
    rng = item_rng(seed, item_id)
    discrimination = float(np.clip(math.exp(rng.normal(0.0, DISCRIMINATION_LOG_SD)), 0.4, 2.5))
    noise = float(rng.normal(0.0, DIFFICULTY_NOISE_SD))
    if angoff:
        p_minimal = min(max(sum(angoff) / len(angoff), 0.05), 0.95)
        logit = math.log(p_minimal / (1.0 - p_minimal))
        difficulty = MINIMALLY_COMPETENT_THETA - logit / discrimination + noise
    else:
        difficulty = float(rng.normal(0.0, 1.0))
    return ItemParameters(discrimination=discrimination, difficulty=difficulty)


def draw_groups(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Draw self-reported (sex, race/ethnicity) for ``n`` candidates, independent of skill."""
    sex_index = rng.choice(len(SEX_CATEGORIES), size=n, p=SEX_SHARES)
    race_index = rng.choice(len(RACE_ETHNICITY_CATEGORIES), size=n, p=RACE_ETHNICITY_SHARES)
    return (
        [SEX_CATEGORIES[i] for i in sex_index],
        [RACE_ETHNICITY_CATEGORIES[i] for i in race_index],
    )
