"""Simulated candidates answering the real item bank (see generative.py for the model).

Two ways to turn the same random draws into observed scores:

- ``simulate_with_scorers``: builds each candidate's answers (the key when the 2PL draw says
  right, one of the item's fixed wrong-answer variants otherwise) and scores every attempt
  through the real scorer, ``score_attempt``. This is the reference path, and the one the
  demo uses because it yields real answers to store.
- ``simulate_fast``: scores each item's key and wrong variants through the real scorer once
  (``point_tables``), then looks the points up, vectorised. Given the same seed it consumes
  the same random numbers, so it reproduces the reference path's competency percents
  exactly (a test pins this); benchmarks use it for 20,000-200,000 candidates.

Wrong answers: a simulated candidate who gets an item wrong sends one of its fixed near-miss
variants, or leaves it blank. Near misses often earn partial credit; where they would earn
on average more than half the item's Angoff share, blanks are mixed in (``blank_rate``) so
the generative model's anchoring holds: the minimally competent candidate's expected score
on every item, competency and form equals the Angoff cut (see generative.py). Both the blank
and the variants are scored through the real scorer once (``point_tables``), so the anchor
follows whatever the scorers award.

Two seeds: ``item_seed`` fixes the item bank's 2PL parameters and wrong-answer variants
(a property of the bank, the same for every cohort by default), ``seed`` draws the
candidates. Cohorts with different ``seed`` and the same ``item_seed`` are independent
samples from one population answering one bank, as training and hold-out sets must be.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from service.assessments.bank import ContentVersion, Form
from service.readiness.answers import correct_answer, wrong_answers
from service.readiness.features import CompetencyTotal, pooled_percents
from service.readiness.generative import (
    COMPETENCY_IDS,
    MINIMALLY_COMPETENT_THETA,
    ItemParameters,
    PlantedBias,
    draw_groups,
    draw_latent,
    item_parameters,
    item_rng,
    logistic,
    outcome_probability,
)
from service.readiness.scorer_adapter import Scorer, default_scorer, scored_attempt

FloatArray = npt.NDArray[np.float64]


class FormDraws(msgspec.Struct, frozen=True):
    """Random draws for the candidates who sat one form (rows) and its items (columns)."""

    form_id: str
    candidates: npt.NDArray[np.intp]
    right: npt.NDArray[np.bool_]
    variant_u: FloatArray  # uniform in [0, 1): blank or which wrong variant a wrong answer uses


class CohortDraws(msgspec.Struct, frozen=True):
    """Everything random about a simulated cohort, before any scoring."""

    seed: int
    latent: FloatArray
    true_probability: FloatArray
    met_standard: npt.NDArray[np.bool_]
    sex: list[str]
    race_ethnicity: list[str]
    forms: tuple[FormDraws, ...]


class ItemPointTable(msgspec.Struct, frozen=True):
    """Points the real scorer gives an item's key, each of its wrong-answer variants and a
    blank (unanswered) item."""

    max_points: float
    correct: float
    wrong: tuple[float, ...]
    blank: float = 0.0

    @property
    def near_miss_share(self) -> float:
        """Mean share of the points a near-miss variant earns."""
        if not self.wrong or self.max_points <= 0:
            return 0.0
        return float(np.mean(self.wrong)) / self.max_points

    def blank_rate(self, rating: float) -> float:
        """Share of wrong answers left blank: 0 unless near misses would earn on average
        more than half the Angoff ``rating``; then just enough blanks to bring the mean down
        to that half (never below what a blank itself earns)."""
        near = self.near_miss_share
        blank = self.blank / self.max_points if self.max_points > 0 else 0.0
        target = rating / 2.0
        if near <= target or near <= blank:
            return 0.0
        return min(1.0, (near - max(target, blank)) / (near - blank))

    def wrong_share(self, rating: float) -> float:
        """Mean share of the points a wrong answer (blank or near miss) earns."""
        z = self.blank_rate(rating)
        blank = self.blank / self.max_points if self.max_points > 0 else 0.0
        return z * blank + (1.0 - z) * self.near_miss_share


class SimulatedCohort(msgspec.Struct, frozen=True):
    """Simulated candidates with their truth (latent, true probability) and observed scores.

    ``percents`` is n × 8 in ``COMPETENCY_IDS`` order (the model's features);
    ``item_points`` is n × len(item_ids), NaN where the candidate's form lacked the item.
    """

    seed: int
    content_version: str
    path: str  # "scorers" or "tables"
    latent: FloatArray
    true_probability: FloatArray
    met_standard: npt.NDArray[np.bool_]
    sex: list[str]
    race_ethnicity: list[str]
    form_ids: dict[str, list[str]]  # assessment id -> form id per candidate
    percents: FloatArray
    item_ids: tuple[str, ...]
    item_points: FloatArray


DEFAULT_ITEM_SEED = 0


def wrong_answer_variants(
    content: ContentVersion, item_seed: int = DEFAULT_ITEM_SEED
) -> dict[str, list[object]]:
    """The fixed wrong-answer variants of every item, drawn from (item seed, item id)."""
    pool = sorted(content.hcpcs_codes)
    return {
        item_id: wrong_answers(item, item_rng(item_seed, f"variants:{item_id}"), pool)
        for item_id, item in content.items.items()
    }


def mean_rating(angoff: tuple[float, ...]) -> float:
    """The judges' mean Angoff rating of an item (0 when unrated)."""
    return sum(angoff) / len(angoff) if angoff else 0.0


def anchored_parameters(
    content: ContentVersion, tables: Mapping[str, ItemPointTable], item_seed: int
) -> dict[str, ItemParameters]:
    """Every item's 2PL parameters, anchored on its Angoff rating given what its wrong
    answers earn (see generative.py)."""
    return {
        item_id: item_parameters(
            item_id, item.angoff, item_seed,
            wrong_share=tables[item_id].wrong_share(mean_rating(item.angoff)),
        )
        for item_id, item in content.items.items()
    }  # fmt: skip


def expected_percents_at(
    content: ContentVersion, tables: Mapping[str, ItemPointTable], form_ids: list[str],
    theta: float = MINIMALLY_COMPETENT_THETA, *, item_seed: int = DEFAULT_ITEM_SEED,
) -> dict[str, float]:  # fmt: skip
    """Expected competency percents over ``form_ids`` of a candidate at ``theta`` on every
    competency (at θ_min these are the Angoff cut percents, by construction)."""
    params = anchored_parameters(content, tables, item_seed)
    earned: dict[str, float] = {}
    points: dict[str, float] = {}
    for form_id in form_ids:
        for item in content.forms[form_id].items:
            table, p = tables[item.id], params[item.id]
            right = float(logistic(np.array(p.discrimination * (theta - p.difficulty))))
            share = right + (1.0 - right) * table.wrong_share(mean_rating(item.angoff))
            earned[item.competency] = earned.get(item.competency, 0.0) + share * item.points
            points[item.competency] = points.get(item.competency, 0.0) + item.points
    return {c: 100.0 * earned[c] / points[c] for c in points if points[c] > 0}


def _p_right(
    form: Form, latent: FloatArray, groups: Mapping[str, list[str]], bias: PlantedBias | None,
    *, candidates: npt.NDArray[np.intp], params: Mapping[str, ItemParameters],
) -> FloatArray:  # fmt: skip
    """P(right) per candidate (rows) and item of ``form`` (columns) under the 2PL model."""
    columns = []
    in_group = (
        np.array([groups[bias.attribute][i] == bias.group for i in candidates])
        if bias is not None
        else np.zeros(candidates.size, dtype=bool)
    )
    for item in form.items:
        params_ = params[item.id]
        theta = latent[candidates, COMPETENCY_IDS.index(item.competency)]
        shift = bias.difficulty_shift if bias is not None and item.id in bias.item_ids else 0.0
        difficulty = params_.difficulty + shift * in_group
        columns.append(logistic(params_.discrimination * (theta - difficulty)))
    return np.column_stack(columns) if columns else np.zeros((candidates.size, 0))


def draw_cohort(
    content: ContentVersion,
    n: int,
    *,
    seed: int,
    bias: PlantedBias | None = None,
    item_seed: int = DEFAULT_ITEM_SEED,
    tables: Mapping[str, ItemPointTable] | None = None,
) -> CohortDraws:
    """Draw latent skills, outcomes, groups, form assignments and right/wrong per item.

    ``tables`` (from ``point_tables`` with the same ``item_seed``) anchor the items; they
    are computed when not given.
    """
    if tables is None:
        tables = point_tables(content, item_seed=item_seed)
    params = anchored_parameters(content, tables, item_seed)
    rng = np.random.default_rng(seed)
    latent = draw_latent(rng, n)
    true_probability = outcome_probability(latent)
    met_standard = rng.random(n) < true_probability
    sex, race_ethnicity = draw_groups(rng, n)
    groups = {"sex": sex, "race_ethnicity": race_ethnicity}
    form_draws = []
    for assessment_id in sorted(content.assessments):
        form_ids = sorted(content.assessments[assessment_id].form_ids)
        if not form_ids:
            continue
        assigned = rng.integers(len(form_ids), size=n)
        for index, form_id in enumerate(form_ids):
            form = content.forms[form_id]
            candidates = np.flatnonzero(assigned == index)
            p_right = _p_right(form, latent, groups, bias, candidates=candidates, params=params)
            right = rng.random(p_right.shape) < p_right
            variant_u = rng.random(p_right.shape)
            form_draws.append(FormDraws(form_id, candidates, right, variant_u))
    return CohortDraws(
        seed, latent, true_probability, met_standard, sex, race_ethnicity, tuple(form_draws)
    )


def _variant_index(u: float | FloatArray, count: int, blank_rate: float) -> Any:
    """-1 (blank) when ``u < blank_rate``, else which near-miss variant ``u`` picks."""
    u = np.asarray(u)
    rest = (u - blank_rate) / (1.0 - blank_rate) if blank_rate < 1.0 else np.zeros_like(u)
    index = np.minimum(np.floor(np.clip(rest, 0.0, None) * count).astype(np.intp), count - 1)
    return np.where(u < blank_rate, -1, index)


def blank_rates(content: ContentVersion, tables: Mapping[str, ItemPointTable]) -> dict[str, float]:
    """Per item, the share of wrong answers left blank (see ``ItemPointTable.blank_rate``)."""
    return {
        item_id: tables[item_id].blank_rate(mean_rating(item.angoff))
        for item_id, item in content.items.items()
    }


def candidate_answers(
    form: Form, draws: FormDraws, row: int, variants: Mapping[str, list[object]],
    blanks: Mapping[str, float],
) -> dict[str, object]:  # fmt: skip
    """The answers one simulated candidate (``row`` of ``draws``) sends on ``form``; an
    item left blank is absent."""
    answers: dict[str, object] = {}
    for column, item in enumerate(form.items):
        if draws.right[row, column]:
            answers[item.id] = correct_answer(item)
            continue
        options = variants[item.id]
        pick = int(_variant_index(draws.variant_u[row, column], len(options), blanks[item.id]))
        if pick >= 0:
            answers[item.id] = options[pick]
    return answers


def iter_simulated_attempts(
    content: ContentVersion, draws: CohortDraws, variants: Mapping[str, list[object]],
    tables: Mapping[str, ItemPointTable] | None = None,
) -> Iterator[tuple[int, str, dict[str, object]]]:  # fmt: skip
    """(candidate index, form id, answers) for every simulated attempt, form by form.

    ``tables`` must be the ones the draws were anchored with (computed when not given).
    """
    blanks = blank_rates(content, tables if tables is not None else point_tables(content))
    for form_draws in draws.forms:
        form = content.forms[form_draws.form_id]
        for row, candidate in enumerate(form_draws.candidates):
            yield (
                int(candidate),
                form.id,
                candidate_answers(form, form_draws, row, variants, blanks),
            )


def _empty_cohort_arrays(
    content: ContentVersion, n: int
) -> tuple[tuple[str, ...], dict[str, int], FloatArray]:
    item_ids = tuple(sorted(content.items))
    column = {item_id: i for i, item_id in enumerate(item_ids)}
    return item_ids, column, np.full((n, len(item_ids)), np.nan)


def _form_assignments(content: ContentVersion, draws: CohortDraws, n: int) -> dict[str, list[str]]:
    assigned: dict[str, list[str]] = {a: [""] * n for a in content.assessments}
    for form_draws in draws.forms:
        assessment_id = content.forms[form_draws.form_id].assessment
        for candidate in form_draws.candidates:
            assigned[assessment_id][int(candidate)] = form_draws.form_id
    return assigned


def _cohort(
    content: ContentVersion,
    draws: CohortDraws,
    *,
    seed: int,
    path: str,
    percents: FloatArray,
    item_ids: tuple[str, ...],
    item_points: FloatArray,
) -> SimulatedCohort:
    """Package draws and observed scores; the two simulation paths differ only in how the
    scores were observed."""
    return SimulatedCohort(
        seed=seed,
        content_version=content.version_id,
        path=path,
        latent=draws.latent,
        true_probability=draws.true_probability,
        met_standard=draws.met_standard,
        sex=draws.sex,
        race_ethnicity=draws.race_ethnicity,
        form_ids=_form_assignments(content, draws, len(draws.sex)),
        percents=percents,
        item_ids=item_ids,
        item_points=item_points,
    )


def simulate_with_scorers(
    content: ContentVersion,
    n: int,
    *,
    seed: int,
    bias: PlantedBias | None = None,
    scorer: Scorer | None = None,
    item_seed: int = DEFAULT_ITEM_SEED,
) -> SimulatedCohort:
    """Simulate ``n`` candidates, scoring every attempt through the real scorer."""
    score = scorer or default_scorer()
    tables = point_tables(content, item_seed=item_seed, scorer=score)
    draws = draw_cohort(content, n, seed=seed, bias=bias, item_seed=item_seed, tables=tables)
    variants = wrong_answer_variants(content, item_seed)
    item_ids, column, item_points = _empty_cohort_arrays(content, n)
    totals: list[list[CompetencyTotal]] = [[] for _ in range(n)]
    for candidate, form_id, answers in iter_simulated_attempts(content, draws, variants, tables):
        result = scored_attempt(score(content, form_id, answers))
        for item_id, points in result.item_points.items():
            item_points[candidate, column[item_id]] = points
        totals[candidate].extend(result.competencies)
    return _cohort(
        content,
        draws,
        seed=seed,
        path="scorers",
        percents=_percent_matrix(totals),
        item_ids=item_ids,
        item_points=item_points,
    )


def _percent_matrix(totals: list[list[CompetencyTotal]]) -> FloatArray:
    rows = [pooled_percents(t) for t in totals]
    return np.array([[row.get(c, np.nan) for c in COMPETENCY_IDS] for row in rows]).reshape(
        -1, len(COMPETENCY_IDS)
    )


def point_tables(
    content: ContentVersion, *, item_seed: int = DEFAULT_ITEM_SEED, scorer: Scorer | None = None
) -> dict[str, ItemPointTable]:
    """Score every item's key, wrong variants and a blank once through the real scorer."""
    score = scorer or default_scorer()
    variants = wrong_answer_variants(content, item_seed)
    tables: dict[str, ItemPointTable] = {}
    for form in content.forms.values():
        keys = scored_attempt(
            score(content, form.id, {i.id: correct_answer(i) for i in form.items})
        )
        blank = scored_attempt(score(content, form.id, {}))
        depth = max((len(variants[i.id]) for i in form.items), default=0)
        wrong: dict[str, list[float]] = {i.id: [] for i in form.items}
        for k in range(depth):  # one attempt per variant index covers every item at once
            answers = {i.id: variants[i.id][k] for i in form.items if k < len(variants[i.id])}
            for item_id, points in scored_attempt(
                score(content, form.id, answers)
            ).item_points.items():
                if item_id in answers:
                    wrong[item_id].append(points)
        for item in form.items:
            tables[item.id] = ItemPointTable(
                max_points=keys.item_max[item.id],
                correct=keys.item_points[item.id],
                wrong=tuple(wrong[item.id]),
                blank=blank.item_points[item.id],
            )
    return tables


def simulate_fast(
    content: ContentVersion,
    n: int,
    *,
    seed: int,
    bias: PlantedBias | None = None,
    tables: Mapping[str, ItemPointTable] | None = None,
    item_seed: int = DEFAULT_ITEM_SEED,
) -> SimulatedCohort:
    """Simulate ``n`` candidates by looking item points up in ``point_tables`` (vectorised).

    ``tables`` must come from ``point_tables`` with the same ``item_seed``.
    """
    tables = tables if tables is not None else point_tables(content, item_seed=item_seed)
    draws = draw_cohort(content, n, seed=seed, bias=bias, item_seed=item_seed, tables=tables)
    item_ids, column, item_points = _empty_cohort_arrays(content, n)
    competency_column = {c: k for k, c in enumerate(COMPETENCY_IDS)}
    raw = np.zeros((n, len(COMPETENCY_IDS)))
    maximum = np.zeros((n, len(COMPETENCY_IDS)))
    for form_draws in draws.forms:
        form = content.forms[form_draws.form_id]
        rows = form_draws.candidates
        for j, item in enumerate(form.items):
            table = tables[item.id]
            wrong = np.asarray(table.wrong or (0.0,))
            pick = _variant_index(
                form_draws.variant_u[:, j], wrong.size, table.blank_rate(mean_rating(item.angoff))
            )
            missed = np.where(pick < 0, table.blank, wrong[np.maximum(pick, 0)])
            points = np.where(form_draws.right[:, j], table.correct, missed)
            item_points[rows, column[item.id]] = points
            k = competency_column[item.competency]
            raw[rows, k] += points
            maximum[rows, k] += table.max_points
    with np.errstate(invalid="ignore", divide="ignore"):
        percents = np.where(maximum > 0, 100.0 * raw / maximum, np.nan)
    return _cohort(
        content,
        draws,
        seed=seed,
        path="tables",
        percents=percents,
        item_ids=item_ids,
        item_points=item_points,
    )
