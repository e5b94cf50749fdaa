"""The generative model behind simulated candidates (documented, seeded, no hidden state).

Story of one simulated candidate:

1. **Latent competencies** θ (one per competency id, mean 0, sd 1) are multivariate normal.
   Their correlation comes from a one-general-plus-cluster factor structure: every
   competency loads 0.6 on a general factor; coding-side competencies (terminology, coding,
   reimbursement), the HIPAA pair (privacy, security) and the record-work pair
   (record_integrity, problem_solving) share a cluster factor. Correlations are 0.36
   across clusters and about 0.55-0.61 within one.
2. **Items** follow a two-parameter logistic (2PL) model: P(right) = logistic(a·(θ_c − b)),
   with c the item's competency. Discrimination a is drawn deterministically from
   (seed, item id), so an item keeps its parameters across runs.
3. **Anchored at the standard setting.** The Angoff cut describes the *minimally competent
   candidate*, placed at θ = −0.4 on every competency. Difficulty b is chosen so that this
   candidate's expected share of the item's points equals the judges' mean Angoff rating
   exactly: a wrong answer still earns some points (a near miss), so P(right) at θ = −0.4 is
   ``(rating − wrong share) / (1 − wrong share)`` (``anchored_right_probability``), where the
   wrong share is what the item's wrong answers earn on average through the real scorer
   (see simulation.py). Summed over a competency's items, that candidate's expected percent
   is the competency's Angoff cut percent, and over a form, the expected raw score is the
   form's raw cut.
4. **Job outcome** "met the 90-day performance standard" ~ Bernoulli(logistic(w·(θ − θ_min))),
   θ_min = −0.4 on every competency: the minimally competent candidate, whose expected scores
   sit exactly at every cut, meets the standard with probability exactly 0.5 (the
   borderline), by construction. The true probability is kept so models can be compared
   with the truth (the oracle).
5. **Demographic groups** (self-reported sex and race/ethnicity, NYC LL144 categories) are
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
# lowers the chance of meeting the standard).
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
MINIMALLY_COMPETENT_THETA = -0.4
# The outcome's intercept puts P(met) at exactly 0.5 for the minimally competent candidate
# (θ_min on every competency); the base rate of the population (θ ~ N(0, Σ)) is then ~0.67.
OUTCOME_INTERCEPT = -MINIMALLY_COMPETENT_THETA * sum(OUTCOME_WEIGHTS.values())
BORDERLINE_PROBABILITY = 0.5
DISCRIMINATION_LOG_SD = 0.3
RIGHT_PROBABILITY_BOUNDS = (0.02, 0.98)

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
    """True probability of meeting the 90-day standard for each latent vector (exactly
    ``BORDERLINE_PROBABILITY`` at θ_min on every competency)."""
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


def anchored_right_probability(rating: float, wrong_share: float) -> float:
    """P(right) of the minimally competent candidate so that their expected share of the
    item's points, ``p + (1 - p) * wrong_share``, equals the Angoff ``rating``.

    Clipped to ``RIGHT_PROBABILITY_BOUNDS`` (an item whose wrong answers earn about as much
    as the rating cannot be anchored exactly; the simulation mixes in blanks to avoid that).
    """
    low, high = RIGHT_PROBABILITY_BOUNDS
    if wrong_share >= 1.0:
        return high
    return min(max((rating - wrong_share) / (1.0 - wrong_share), low), high)


def item_parameters(
    item_id: str, angoff: Sequence[float], seed: int, *, wrong_share: float = 0.0
) -> ItemParameters:
    """An item's 2PL parameters: discrimination from (seed, item id); difficulty anchored so
    the minimally competent candidate's expected share of the points is the mean Angoff
    rating, given that a wrong answer earns ``wrong_share`` of the points on average."""
    rng = item_rng(seed, item_id)
    discrimination = float(np.clip(math.exp(rng.normal(0.0, DISCRIMINATION_LOG_SD)), 0.4, 2.5))
    if not angoff:
        return ItemParameters(discrimination, float(rng.normal(0.0, 1.0)))
    p_minimal = anchored_right_probability(sum(angoff) / len(angoff), wrong_share)
    logit = math.log(p_minimal / (1.0 - p_minimal))
    return ItemParameters(discrimination, MINIMALLY_COMPETENT_THETA - logit / discrimination)


def draw_groups(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Draw self-reported (sex, race/ethnicity) for ``n`` candidates, independent of skill."""
    sex_index = rng.choice(len(SEX_CATEGORIES), size=n, p=SEX_SHARES)
    race_index = rng.choice(len(RACE_ETHNICITY_CATEGORIES), size=n, p=RACE_ETHNICITY_SHARES)
    return (
        [SEX_CATEGORIES[i] for i in sex_index],
        [RACE_ETHNICITY_CATEGORIES[i] for i in race_index],
    )
