"""Assembling profile data from real content, real scoring and a readiness estimate."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from service.assessments.scoring import score_attempt
from service.profiles.assemble import (
    LEVELS,
    Norms,
    ReadinessInput,
    ScoredAttempt,
    build_profile_data,
    calibration_sentence,
    competency_cut_percents,
    level_index,
    percentile_rank,
)
from service.profiles.data import IntegritySignal, RaterNote
from service.profiles.render import RenderRequest, render_pdf_sync
from service.profiles.signing import ProfileSigner, generate_seed
from service.readiness.evaluation import CalibrationBin
from service.readiness.predict import CompetencyEffect, ReadinessEstimate

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "profiles"
WHEN = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
BINS = (CalibrationBin(lower=0.6, upper=2 / 3, count=140, mean_predicted=0.64, observed_rate=0.66),)


@pytest.fixture(scope="module")
def content() -> ContentVersion:
    return load_content()


def _answers(content: ContentVersion, form_id: str, right_every: int) -> dict[str, Any]:
    """Keyed answers for every ``right_every``-th keyed item; the rest left blank."""
    answers: dict[str, Any] = {}
    for index, item in enumerate(content.forms[form_id].items):
        key = getattr(item, "key", None)
        if key is None or index % right_every:
            continue
        if isinstance(key, tuple):
            key = [list(k) if isinstance(k, tuple) else k for k in key]
        answers[item.id] = key
    return answers


def _attempts(content: ContentVersion) -> list[ScoredAttempt]:
    return [
        ScoredAttempt.from_score(
            score_attempt(content, "coding-a", _answers(content, "coding-a", 1)),
            completed_at=WHEN,
            scoring_run_id="run-1",
        ),
        ScoredAttempt.from_score(
            score_attempt(content, "privacy-b", _answers(content, "privacy-b", 3)),
            completed_at=WHEN,
            scoring_run_id="run-2",
        ),
    ]


def _readiness() -> ReadinessInput:
    estimate = ReadinessEstimate(
        probability=0.64,
        band="nearly_ready",
        lower=0.55,
        upper=0.72,
        interval_method="wilson",
        effects=(
            CompetencyEffect(
                competency_id="privacy",
                percent=40.0,
                typical_percent=70.0,
                change=-0.08,
                sentence="Privacy results lowered the estimate by 8 points.",
            ),
        ),
        model_version="m-test-1",
    )
    return ReadinessInput(estimate=estimate, calibration_bins=BINS, ece=0.015)


@given(st.floats(0, 100), st.floats(0, 100), st.floats(0, 100))
def test_levels_never_fall_as_the_score_rises(a: float, b: float, cut: float) -> None:
    low, high = sorted((a, b))
    assert level_index(low, cut) <= level_index(high, cut)
    assert (level_index(a, cut) >= 2) == (a >= cut)  # proficient or better iff at the cut


@given(st.floats(0, 100), st.lists(st.floats(0, 100), min_size=1, max_size=50))
def test_percentile_rank_is_bounded_and_midrank(value: float, group: list[float]) -> None:
    rank = percentile_rank(value, group)
    assert rank is not None and 0 <= rank <= 100
    assert percentile_rank(value, [value] * len(group)) == 50.0


def test_percentile_of_an_empty_group_is_unknown() -> None:
    assert percentile_rank(50, []) is None
    assert percentile_rank(50, [10, 20, 60, 70]) == 50.0


def test_calibration_sentence_quotes_the_bin_near_the_estimate() -> None:
    assert calibration_sentence(0.64, BINS, 0.015, 15) == (
        "Among 140 past candidates given estimates near 64%, 66% met the standard "
        "(expected calibration error 0.015 over 15 bins)."
    )
    assert calibration_sentence(0.1, BINS, 0.015, 15).startswith("Few past candidates")
    assert calibration_sentence(0.64, BINS, None, 15) == (
        "Calibration evidence for this model is not available."
    )


def test_cut_percents_follow_the_angoff_ratings(content: ContentVersion) -> None:
    cuts = competency_cut_percents(content, ["coding-a"])
    assert set(cuts) == {i.competency for i in content.forms["coding-a"].items}
    assert all(0 < v < 100 for v in cuts.values())


def test_profile_from_real_scores_has_levels_gaps_and_training(content: ContentVersion) -> None:
    norms = Norms(label="all candidates", percents={"coding": [20.0, 50.0, 70.0, 95.0]})
    data = build_profile_data(
        profile_id="p-1",
        variant="employer",
        issued_at=WHEN,
        candidate_name="Ana Ruiz",
        organization_name="Riverside",
        content=content,
        attempts=_attempts(content),
        readiness=_readiness(),
        norms=norms,
        min_norm_size=4,
        integrity=[IntegritySignal(kind="Paste", severity="low", count=1)],
        rater_notes=[RaterNote(item_id="COM-A-01", rater="R1", note="Clear.")],
    )
    by_id = {c.id: c for c in data.competencies}
    assert by_id["coding"].percent == 100.0 and by_id["coding"].level == "Advanced"
    assert by_id["coding"].percentile == 100.0 and by_id["coding"].norm_size == 4
    assert by_id["privacy"].level in LEVELS[:2] and by_id["privacy"].percentile is None
    assert not by_id["coding"].level_descriptor.startswith("Advanced:")
    gap_ids = [g.competency_id for g in data.gaps]
    assert "privacy" in gap_ids and "coding" not in gap_ids
    privacy_gap = data.gaps[gap_ids.index("privacy")]
    assert privacy_gap.training == content.competencies["privacy"].training
    proficient = content.competencies["privacy"].levels[2].split(":", 1)[1].strip()
    assert privacy_gap.sentence == f"Aim for the proficient level: {proficient}"
    assert [a.form_id for a in data.assessments] == ["coding-a", "privacy-b"]
    assert data.assessments[0].passed and data.assessments[0].cut_score == 300
    # The shipped cuts rest on the authors' Angoff ratings: the profile says so.
    assert all(a.cut_provisional for a in data.assessments)
    assert data.readiness is not None and data.readiness.band == "Nearly ready"
    assert data.versions.model_version == "m-test-1"
    assert data.versions.scoring_run_ids == ("run-1", "run-2")
    assert data.integrity and data.rater_notes


def test_candidate_variant_drops_employer_material(content: ContentVersion) -> None:
    data = build_profile_data(
        profile_id="p-2",
        variant="candidate",
        issued_at=WHEN,
        candidate_name="Ana Ruiz",
        organization_name="Riverside",
        content=content,
        attempts=_attempts(content),
        integrity=[IntegritySignal(kind="Paste", severity="low", count=1)],
    )
    assert data.integrity == () and data.rater_notes == () and data.readiness is None


def test_assembled_profile_renders_with_real_descriptors(content: ContentVersion) -> None:
    data = build_profile_data(
        profile_id="7d3c1a8e-0b4f-4b8e-9a51-3f2e6d9c0a77",
        variant="candidate",
        issued_at=WHEN,
        candidate_name="Ana Ruiz",
        organization_name="Riverside Community Health",
        content=content,
        attempts=_attempts(content),
        readiness=_readiness(),
        norms=Norms(label="all candidates", percents={"coding": [40.0, 60.0, 80.0]}),
    )
    assert all(c.percentile is None for c in data.competencies)  # group of 3 is too small
    signed = ProfileSigner.from_settings(generate_seed()).sign(data)
    pdf = render_pdf_sync(
        RenderRequest(
            canonical=signed.canonical,
            signature=signed.signature,
            key_id=signed.key_id,
            sha256=signed.sha256,
            public_base_url="https://chartready.example.org",
        )
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("assembled-*.png"):
        old.unlink()
    (ARTIFACTS / "assembled.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            str(ARTIFACTS / "assembled.pdf"),
            str(ARTIFACTS / "assembled"),
        ],
        check=True,
    )
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Nearly ready" in text and "Medical coding" in text
    flat = " ".join(text.split())
    assert "Provisional pass marks (Medical coding (coder level), Privacy and security)" in flat
    assert "a panel of trained judges has not yet rated the items" in flat
    assert sorted(ARTIFACTS.glob("assembled-*.png"))
