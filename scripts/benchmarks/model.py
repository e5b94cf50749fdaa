"""Readiness model benchmark (issue 5): calibration, accuracy vs a 10x reference, speed.

Per seed: simulate (vectorised path, exact to the real scorers) 20,000 training and 20,000
hold-out candidates answering the real item bank; train with the production procedure
(four calibrated candidates, selection on held-out log loss); measure on the hold-out the
ECE (15 equal-width bins), Brier, ROC AUC, the oracle Brier (true probabilities) and ECE
per self-reported group. The reference is the same kind of model (same estimator and
calibration as the one selected) trained on 200,000 simulated candidates. Timings: the
whole training procedure on 50,000 candidates; predicting 10,000 (probabilities, bands and
intervals), and the same with explanations. Figures are medians over seeds.

Goals: ECE <= 0.02; Brier <= 1.03 x reference; training 50k < 60 s; predicting 10k < 1 s.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from service.assessments.content import load_content
from service.readiness.evaluation import brier_score, evaluate, evaluate_by_group
from service.readiness.generative import COMPETENCY_IDS
from service.readiness.model import (
    fit_and_select,
    fit_candidate,
    positive_probability,
)
from service.readiness.predict import LoadedModel, predict
from service.readiness.simulation import point_tables, simulate_fast

GOALS = {"ece": 0.02, "brier_ratio_to_reference": 1.03, "train_s_50k": 60.0, "predict_s_10k": 1.0}


def _timed(fn: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _one_seed(
    seed: int, *, n_train: int, n_reference: int, content: Any, tables: Any
) -> dict[str, Any]:
    train = simulate_fast(content, n_train, seed=1000 * seed + 1, tables=tables)
    hold = simulate_fast(content, 20_000, seed=1000 * seed + 2, tables=tables)
    groups = {"sex": train.sex, "race_ethnicity": train.race_ethnicity}
    trained = fit_and_select(train.percents, train.met_standard, seed=seed, groups=groups)
    p = positive_probability(trained.estimator, hold.percents)
    held_out = evaluate(p, hold.met_standard)

    reference_data = simulate_fast(content, n_reference, seed=1000 * seed + 3, tables=tables)
    reference = fit_candidate(
        trained.name, reference_data.percents, reference_data.met_standard, seed=seed
    )
    reference_brier = brier_score(positive_probability(reference, hold.percents), hold.met_standard)

    by_group = {
        f"{attribute}:{group}": round(m.ece, 4)
        for attribute, labels in (("sex", hold.sex), ("race_ethnicity", hold.race_ethnicity))
        for group, m in evaluate_by_group(p, hold.met_standard, labels).items()
    }

    big = simulate_fast(content, 50_000, seed=1000 * seed + 4, tables=tables)
    start = time.perf_counter()
    fit_and_select(big.percents, big.met_standard, seed=seed)
    train_s_50k = time.perf_counter() - start

    model = LoadedModel("bench", trained.estimator, trained.feature_means,
                        trained.validation.reliability)  # fmt: skip
    rows = [dict(zip(COMPETENCY_IDS, r, strict=True)) for r in hold.percents[:10_000].tolist()]
    predict_s = _timed(lambda: predict(model, rows, top=0), 3)
    explained_s = _timed(lambda: predict(model, rows), 1)
    return {
        "model": trained.name,
        "ece": held_out.ece,
        "brier": held_out.brier,
        "reference_brier": reference_brier,
        "brier_ratio_to_reference": held_out.brier / reference_brier,
        "oracle_brier": brier_score(hold.true_probability, hold.met_standard),
        "auc": held_out.auc or 0.0,
        "log_loss": held_out.log_loss,
        "ece_by_group": by_group,
        "train_s_50k": train_s_50k,
        "predict_s_10k": predict_s,
        "predict_explained_s_10k": explained_s,
    }


def run(quick: bool) -> dict[str, Any]:
    """Medians over seeds (3 seeds; quick: 1 seed) of the figures named in the docstring."""
    content = load_content()
    tables = point_tables(content)
    seeds = [1] if quick else [1, 2, 3]
    results = [
        _one_seed(s, n_train=20_000, n_reference=200_000, content=content, tables=tables)
        for s in seeds
    ]
    numeric = [k for k, v in results[0].items() if isinstance(v, float)]
    figures: dict[str, Any] = {
        k: round(statistics.median(r[k] for r in results), 4) for k in numeric
    }
    figures["ece_by_group"] = {
        g: round(statistics.median(r["ece_by_group"][g] for r in results), 4)
        for g in results[0]["ece_by_group"]
    }
    figures["models_selected"] = [r["model"] for r in results]
    figures["seeds"] = len(seeds)
    figures["content_version"] = content.version_id
    figures["ok"] = all(figures[k] <= goal for k, goal in GOALS.items()) and (
        figures["ece"] <= GOALS["ece"]
    )
    return figures
