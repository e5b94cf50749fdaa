"""The model card: what a readiness model was trained on, how well it does, and its limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.readiness.evaluation import Metrics

if TYPE_CHECKING:
    from service.readiness.registry import ModelVersion


def _num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _status(version: ModelVersion, active: str | None) -> str:
    if version.retired_at is not None:
        return f"retired on {version.retired_at:%Y-%m-%d} (rolled back)"
    if active == version.version:
        return "active"
    return "registered, not active"


ANCHORING = [
    "## Anchored at the standard setting",
    "",
    "The simulated prior agrees with the assessments' pass marks by construction. Each pass "
    "mark (modified Angoff) describes the *minimally competent* clerk. In the simulation "
    "that clerk's expected score on every item equals the judges' mean rating, so their "
    "expected competency scores sit exactly at every competency's cut, and their chance "
    "of meeting the 90-day standard is exactly 50%: the borderline. A candidate scoring at "
    'every cut therefore gets an estimate near 50% ("nearly ready"), one above every cut '
    "more, one below every cut less (`tests/readiness/test_anchoring.py` checks all three). "
    "Estimates stay a little above 50% at the cuts because scores are measured with error "
    "and most simulated candidates sit above the minimally competent level.",
    "",
]


def _training_data(version: ModelVersion) -> list[str]:
    share = version.n_positive / version.n_train
    if version.provenance == "real":
        heading = "**Trained on REAL hiring outcomes.**"
        period = f"Outcomes observed from {version.outcomes_from} to {version.outcomes_to}."
    else:
        heading = "**Trained on SIMULATED candidates (the simulated prior), not real outcomes.**"
        period = f"Simulated answers to item-bank version {version.content_version}."
    return [
        "## Training data",
        "",
        heading,
        "",
        version.notes,
        "",
        f"- Candidates: {version.n_train:,} ({version.n_validation:,} held out for validation)",
        f"- Met the 90-day performance standard: {version.n_positive:,} ({share:.0%})",
        f"- {period}",
        "",
    ]


def _metric_rows(label: str, m: Metrics) -> str:
    return (
        f"| {label} | {m.count:,} | {m.positive_rate:.2f} | {_num(m.brier)} | "
        f"{_num(m.log_loss)} | {_num(m.auc)} | {_num(m.ece)} |"
    )


def _performance(version: ModelVersion) -> list[str]:
    v = version.metrics.validation
    lines = [
        "## Held-out performance",
        "",
        f"ECE uses {v.ece_bins} equal-width bins, each closed on the left and open on the "
        "right except the last, which includes 1.0.",
        "",
        "| data | n | met rate | Brier | log loss | ROC AUC | ECE |",
        "|---|---|---|---|---|---|---|",
        _metric_rows("all", v),
        "",
        "Reliability (mean estimate vs observed rate per bin):",
        "",
        "| bin | n | mean estimate | observed |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {b.lower:.2f}-{b.upper:.2f} | {b.count:,} | {b.mean_predicted:.3f} | "
        f"{b.observed_rate:.3f} |"
        for b in v.reliability
    ]
    lines += ["", "### Calibration within self-reported groups", ""]
    if not version.metrics.by_group:
        lines.append("No group information was available for this training data.")
    for attribute, groups in version.metrics.by_group.items():
        lines += [
            f"By {attribute.replace('_', '/')}:",
            "",
            "| group | n | met rate | Brier | log loss | ROC AUC | ECE |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [_metric_rows(group, m) for group, m in groups.items()]
        lines.append("")
    return lines


def _model(version: ModelVersion) -> list[str]:
    lines = [
        "## Model",
        "",
        f"- Selected: `{version.estimator}` (lowest held-out log loss among the candidates)",
        f"- Features: {', '.join(version.features)}",
        "- Hyper-parameters: "
        + ", ".join(f"{k}={v}" for k, v in sorted(version.hyperparameters.items())),
        f"- Seed: {version.seed}; artifact SHA-256: {version.artifact_sha256[:16]}…",
        "",
        "| candidate | held-out log loss | held-out Brier |",
        "|---|---|---|",
    ]
    lines += [
        f"| {c.name} | {c.log_loss:.4f} | {c.brier:.4f} |" for c in version.metrics.candidates
    ]
    return [*lines, ""]


INTENDED_USE = [
    "## Intended use and limits",
    "",
    "- Estimates the probability that a candidate for an entry-level Medical Records Clerk "
    "role meets the employer's 90-day performance standard, from assessment competency "
    "scores alone.",
    "- It never sees sex, race/ethnicity, age, names, addresses or other proxies; "
    "self-reported groups are used only to check that calibration holds within each group.",
    "- Each estimate carries a 95% interval (Wilson interval given how many validation "
    "candidates had similar estimates) and the competencies that moved it most.",
    "- It supports, and must not replace, a human decision. Candidates may ask for an "
    "alternative process or an accommodation.",
    "- Higher competency scores never lower the estimate (monotone by construction, checked "
    "before a model is accepted).",
    "",
]


def model_card(version: ModelVersion, *, active: str | None = None) -> str:
    """The model card of ``version`` as Markdown (``active``: the scope's active version)."""
    scope = "all organizations" if version.organization_id is None else str(version.organization_id)
    header = [
        f"# Readiness model {version.version}",
        "",
        f"- Status: {_status(version, active)}",
        f"- Scope: {scope}",
        f"- Created: {version.created_at:%Y-%m-%d %H:%M} UTC by {version.created_by}",
        "",
    ]
    anchoring = ANCHORING if version.provenance == "simulated" else []
    body = [
        *_training_data(version),
        *anchoring,
        *_model(version),
        *_performance(version),
        *INTENDED_USE,
    ]
    return "\n".join(header + body)
