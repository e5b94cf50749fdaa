"""Check a stored profile's signature and summarise it for a public audience.

The summary minimises personal data: the candidate appears by initials only; what is shown
besides (issuer, dates, assessment results) is what a reader holding the PDF needs to see
that the printed results are the signed ones.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from service.profiles.data import ProfileData, form_label, initials
from service.profiles.repository import VerificationRecord
from service.profiles.signing import ALGORITHM, verify

Status = Literal["valid", "invalid"]
_REASONS = {
    "ok": "The signature holds: the profile is exactly as issued.",
    "unknown_key": "The signing key is not trusted (unknown or revoked); treat as unverified.",
    "bad_signature": "The signature does not match the stored profile; it has been altered.",
    "digest_mismatch": "The stored profile does not match its recorded digest.",
}


class VerifiedAssessment(msgspec.Struct, frozen=True):
    """One assessment result as the signed profile states it (``result`` in words: Passed,
    Not yet passed or Awaiting rating; ``form`` as readers see it, e.g. "Form A")."""

    title: str
    form_id: str
    scaled_score: float
    passed: bool
    result: str = ""
    form: str = ""


class VerificationReport(msgspec.Struct, frozen=True):
    """The public answer for one profile id."""

    profile_id: uuid.UUID
    status: Status
    valid: bool
    reason: str
    explanation: str
    algorithm: str
    key_id: str
    sha256: str
    covers: tuple[str, ...]
    issued_at: datetime | None
    variant: str | None
    candidate_initials: str | None
    organization_name: str | None
    content_version: str | None
    assessments: tuple[VerifiedAssessment, ...]


def build_report(
    record: VerificationRecord, keys: dict[str, Ed25519PublicKey]
) -> VerificationReport:
    """Verify ``record`` against ``keys`` and describe what the signature covers."""
    outcome = verify(
        record.canonical,
        record.signature,
        record.key_id,
        keys,
        expected_sha256=record.canonical_sha256,
    )
    data: ProfileData | None
    try:
        data = msgspec.json.decode(record.canonical, type=ProfileData)
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError):
        data = None
    covers = tuple(sorted(msgspec.json.decode(record.canonical))) if data else ()
    return VerificationReport(
        profile_id=record.profile_id,
        status="valid" if outcome.valid and data is not None else "invalid",
        valid=outcome.valid and data is not None,
        reason=outcome.reason,
        explanation=_REASONS[outcome.reason],
        algorithm=ALGORITHM,
        key_id=record.key_id,
        sha256=record.canonical_sha256,
        covers=covers,
        issued_at=data.issued_at if data else None,
        variant=data.variant if data else None,
        candidate_initials=initials(data.candidate_name) if data else None,
        organization_name=data.organization_name if data else None,
        content_version=data.versions.content_version if data else None,
        assessments=tuple(
            VerifiedAssessment(
                title=a.title,
                form_id=a.form_id,
                scaled_score=a.scaled_score,
                passed=a.passed,
                result=a.result,
                form=a.form_label or form_label(a.form_id),
            )
            for a in (data.assessments if data else ())
        ),
    )
