"""A realistic sample profile for previews, tests, benchmarks and the demo."""

from __future__ import annotations

from datetime import UTC, datetime

from service.profiles.data import (
    AssessmentTaken,
    CompetencyResult,
    GapPlan,
    IntegritySignal,
    ProfileData,
    RaterNote,
    ReadinessSummary,
    Strength,
    Variant,
    Versions,
)

_ISSUED = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)


def sample_profile(
    *,
    profile_id: str = "5b0f7a52-8f3e-4c1e-9d0a-2f1c7d3e9a10",
    variant: Variant = "employer",
    candidate_name: str = "Ana María Ruiz",
) -> ProfileData:
    """A two-assessment profile with one gap; employer-only fields filled when asked."""
    employer = variant == "employer"
    return ProfileData(
        profile_id=profile_id,
        variant=variant,
        issued_at=_ISSUED,
        candidate_name=candidate_name,
        organization_name="Riverside Community Health",
        assessments=(
            AssessmentTaken(
                assessment_id="coding",
                title="Medical coding",
                form_id="coding-a",
                completed_at=datetime(2026, 11, 28, 15, 2, tzinfo=UTC),
                scaled_score=312,
                cut_score=300,
                passed=True,
            ),
            AssessmentTaken(
                assessment_id="privacy",
                title="Privacy and security",
                form_id="privacy-b",
                completed_at=datetime(2026, 11, 28, 16, 10, tzinfo=UTC),
                scaled_score=288,
                cut_score=300,
                passed=False,
                provisional=True,
            ),
        ),
        competencies=(
            _competency(
                "terminology",
                "Medical terminology and anatomy",
                84,
                "Advanced",
                cut=62,
                percentile=81,
            ),
            _competency(
                "coding", "Classification and coding", 71, "Proficient", cut=64, percentile=66
            ),
            _competency(
                "reimbursement",
                "Reimbursement and revenue-cycle basics",
                58,
                "Developing",
                cut=63,
                percentile=41,
            ),
            _competency(
                "privacy",
                "Privacy, confidentiality and release of information",
                52,
                "Developing",
                cut=66,
                percentile=29,
            ),
            _competency(
                "security",
                "Information security and cybersecurity awareness",
                77,
                "Proficient",
                cut=60,
                percentile=70,
            ),
        ),
        versions=Versions(
            content_version="c-3fa9b1c04d2e",
            model_version="readiness-2026.11.1",
            scoring_run_ids=("run-8812", "run-8813"),
        ),
        readiness=ReadinessSummary(
            probability=0.68,
            band="Approaching ready",
            lower=0.57,
            upper=0.78,
            explanation=(
                "Strong terminology and coding results raise the estimate; privacy and "
                "release-of-information results below the cut lower it.",
                "The estimate is the modeled chance of meeting the workplace standard in the "
                "first 90 days, given these results.",
            ),
            calibration=(
                "Among past candidates given estimates near 70%, about 70% met the standard "
                "(expected calibration error 0.015 over 15 bins)."
            ),
        ),
        strengths=(
            Strength(
                competency_id="terminology",
                competency_name="Medical terminology and anatomy",
                sentence="Interpreted abbreviations and body-system terms accurately.",
            ),
        ),
        gaps=(
            GapPlan(
                competency_id="privacy",
                competency_name="Privacy, confidentiality and release of information",
                sentence="Review the elements of a valid authorization and the 30-day "
                "right-of-access deadline.",
                training=(
                    "HIPAA Privacy Rule: uses, disclosures and minimum necessary",
                    "Release of information: valid authorizations and right of access",
                ),
                credentials=("RHIT",),
            ),
            GapPlan(
                competency_id="reimbursement",
                competency_name="Reimbursement and revenue-cycle basics",
                sentence="Practise reading remittance advice and matching codes to claims.",
                training=("Revenue cycle and payer basics course",),
                credentials=("CCA", "RHIT"),
            ),
        ),
        integrity=(
            IntegritySignal(
                kind="Window focus lost",
                severity="low",
                count=3,
                description="The page lost focus three times, each under 20 s.",
            ),
            IntegritySignal(
                kind="Large paste",
                severity="medium",
                count=1,
                description="A 240-character paste into a written response.",
            ),
        )
        if employer
        else (),
        rater_notes=(
            RaterNote(
                item_id="COM-A-03", rater="Rater 1", note="Courteous reply; omitted the fee notice."
            ),
        )
        if employer
        else (),
    )


def _competency(
    cid: str, name: str, percent: float, level: str, *, cut: float, percentile: float
) -> CompetencyResult:
    descriptors = {
        "Not yet": "Needs guided practice before working unsupervised.",
        "Developing": "Handles routine cases with some errors; needs review.",
        "Proficient": "Handles routine cases accurately and independently.",
        "Advanced": "Handles unusual cases and could coach others.",
    }
    return CompetencyResult(
        id=cid,
        name=name,
        percent=percent,
        level=level,
        level_descriptor=descriptors[level],
        cut_percent=cut,
        percentile=percentile,
        norm_group="all candidates, content c-3fa9b1c04d2e",
        norm_size=412,
    )
