"""Real PDFs, inspected with poppler and pypdf: text, attachments, tagging, page images."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest

from service.profiles.data import Variant
from service.profiles.render import RenderRequest, render_html, render_pdf_sync
from service.profiles.sample import sample_profile
from service.profiles.signing import ProfileSigner, generate_seed, verify

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "profiles"
SIGNER = ProfileSigner.from_settings(generate_seed())
Rendered = tuple[RenderRequest, bytes]
HOSTILE_NAME = 'Eve <b>Bold</b> <img src="http://evil.example/x.png"> &amp; Co'


def _request(variant: Variant, name: str = "Ana María Ruiz") -> RenderRequest:
    signed = SIGNER.sign(sample_profile(variant=variant, candidate_name=name))
    return RenderRequest(
        canonical=signed.canonical,
        signature=signed.signature,
        key_id=signed.key_id,
        sha256=signed.sha256,
        public_base_url="https://chartready.example.org",
    )


def _text(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


def _info(pdf: bytes) -> str:
    return subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def _figure_alt_texts(node: Any) -> list[str]:
    """Alt texts of the Figure elements in a PDF structure tree."""
    node = node.get_object()
    found: list[str] = []
    if isinstance(node, pypdf.generic.DictionaryObject):
        if node.get("/S") == "/Figure" and "/Alt" in node:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        if kids is not None:
            found += _figure_alt_texts(kids)
    elif isinstance(node, pypdf.generic.ArrayObject):
        for kid in node:
            found += _figure_alt_texts(kid)
    return found


@pytest.fixture(scope="module")
def employer_pdf() -> Rendered:
    request = _request("employer")
    return request, render_pdf_sync(request)


@pytest.fixture(scope="module")
def candidate_pdf() -> Rendered:
    request = _request("candidate")
    return request, render_pdf_sync(request)


def test_employer_pdf_shows_scores_band_and_employer_sections(employer_pdf: Rendered) -> None:
    _, pdf = employer_pdf
    text = _text(pdf)
    for expected in (
        "Ana María Ruiz",
        "Riverside Community Health",
        "Approaching ready",
        "312",
        "288",
        "Not yet passed",
        "68% estimated chance",
        "57%–78%",
        "Integrity signals",
        "Rater notes",
        "readiness-2026.11.1",
        "c-3fa9b1c04d2e",
        "Privacy, confidentiality and",
        "calibration error 0.015",
    ):
        assert expected in text, expected
    assert "Page 1 of" in text
    # The sample's pass marks are final (set by a panel), so no provisional note appears.
    assert "Provisional pass marks" not in text


def test_candidate_pdf_has_feedback_and_no_employer_material(candidate_pdf: Rendered) -> None:
    _, pdf = candidate_pdf
    text = _text(pdf)
    assert "What you did well" in text
    assert "What to learn next" in text
    assert "HIPAA Privacy Rule" in text  # training for the gap
    assert "RHIT" in text  # credential path
    assert "Integrity signals" not in text
    assert "Rater notes" not in text
    assert "Large paste" not in text


def test_attachment_round_trips_to_the_signed_json(employer_pdf: Rendered) -> None:
    request, pdf = employer_pdf
    attachments = pypdf.PdfReader(io.BytesIO(pdf)).attachments
    assert attachments["profile.json"] == [request.canonical]
    signature = json.loads(attachments["profile.signature.json"][0])
    assert signature["key_id"] == request.key_id
    embedded = attachments["profile.json"][0]
    assert verify(
        embedded,
        signature["signature"],
        signature["key_id"],
        SIGNER.verify_keys,
        expected_sha256=signature["sha256"],
    ).valid


def test_pdf_is_tagged_pdfa3_with_described_figures_and_attachments(
    employer_pdf: Rendered,
) -> None:
    _, pdf = employer_pdf
    assert "Tagged:          yes" in _info(pdf)
    catalog = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"
    # PDF/A-3 associated files (WeasyPrint 70 lists each file spec twice).
    associated = {spec.get_object()["/F"] for spec in catalog["/AF"]}
    assert associated == {"profile.json", "profile.signature.json"}
    relationships = {spec.get_object()["/AFRelationship"] for spec in catalog["/AF"]}
    assert relationships == {"/Data", "/Supplement"}
    alts = _figure_alt_texts(catalog["/StructTreeRoot"])
    assert any(
        a.startswith("QR code linking to https://chartready.example.org/verify/") for a in alts
    )
    assert (
        "Estimated chance of meeting the standard: 68 percent; likely range 57 to 78 "
        "percent." in alts
    )
    assert any(
        "Privacy, confidentiality and release of information: 52 percent, cut 66 "
        "percent, below the cut" in a
        for a in alts
    )
    metadata = catalog["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    assert 'pdfaid:part="3" pdfaid:conformance="A"' in metadata


@pytest.mark.parametrize("variant", ["employer", "candidate"])
def test_every_page_renders_to_png(
    variant: Variant, employer_pdf: Rendered, candidate_pdf: Rendered
) -> None:
    _, pdf = employer_pdf if variant == "employer" else candidate_pdf
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{variant}-*.png"):
        old.unlink()
    (ARTIFACTS / f"{variant}.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            str(ARTIFACTS / f"{variant}.pdf"),
            str(ARTIFACTS / variant),
        ],
        check=True,
    )
    pages = int(
        next(line.split()[-1] for line in _info(pdf).splitlines() if line.startswith("Pages:"))
    )
    pngs = sorted(ARTIFACTS.glob(f"{variant}-*.png"))
    assert len(pngs) == pages >= 2
    assert all(p.stat().st_size > 10_000 for p in pngs)  # not blank pages


def test_candidate_written_text_is_escaped_not_interpreted() -> None:
    request = _request("candidate", name=HOSTILE_NAME)
    html = render_html(request)
    assert "<b>Bold</b>" not in html
    assert '<img src="http://evil' not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    text = _text(render_pdf_sync(request))
    assert "<b>Bold</b>" in text  # shown literally, as typed
    assert "&amp; Co" in text
