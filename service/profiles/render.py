"""Turn a signed profile into HTML (Jinja, autoescaped) and a tagged PDF/A-3a (WeasyPrint).

Why PDF/A-3a: WeasyPrint 70 embeds attachments with both pdf/ua-1 and pdf/a-3*, but only
PDF/A-3 defines embedded files as *associated files* (``/AF`` with ``AFRelationship``), which
is how a machine-readable copy is meant to travel inside an archival PDF; the "a" level adds
the same structure tagging (``/StructTreeRoot``, ``/MarkInfo``, ``/Lang``) that pdf/ua-1
produces, so the profile is archival, tagged for screen readers and self-describing at once.

Everything here is synchronous and CPU-bound: call it through :mod:`service.profiles.pool`,
never on the event loop.
"""

from __future__ import annotations

import functools
import gc
import json
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from service.profiles import charts
from service.profiles.data import ProfileData
from service.profiles.qr import verify_qr_svg, verify_url

PDF_VARIANT = "pdf/a-3a"
TEMPLATES = Path(__file__).resolve().parent / "templates"
ATTACHMENT_NAME = "profile.json"
SIGNATURE_ATTACHMENT_NAME = "profile.signature.json"


class RenderRequest(msgspec.Struct, frozen=True):
    """Everything a render worker needs; small and picklable."""

    canonical: bytes
    signature: str
    key_id: str
    sha256: str
    public_base_url: str


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: f"{v:.0f}%"
    env.filters["prob"] = lambda v: f"{v * 100:.0f}%"
    env.filters["day"] = _format_day
    env.filters["short_day"] = lambda v: "—" if v is None else f"{v.day} {v:%b %Y}"
    env.filters["ordinal"] = ordinal
    return env


def ordinal(value: float) -> str:
    """A percentile as an ordinal: 1st, 2nd, 3rd, 11th, 54th."""
    n = round(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _format_day(value: datetime | None) -> str:
    return "—" if value is None else f"{value.day} {value:%B %Y}"


def render_html(request: RenderRequest, *, inline_css: bool = True) -> str:
    """The profile as HTML (charts and QR inline; the stylesheet too unless ``inline_css``
    is False, as for the PDF, which gets the stylesheet parsed once per process)."""
    data = msgspec.json.decode(request.canonical, type=ProfileData)
    url = verify_url(request.public_base_url, data.profile_id)
    rows = [
        charts.BarRow(
            label=c.name,
            percent=c.percent,
            cut_percent=c.cut_percent,
            level=c.level,
            percentile=c.percentile,
        )
        for c in data.competencies
    ]
    # details=False: the competency table right below states level and percentile.
    bars = charts.as_image(charts.competency_bars(rows, details=False), charts.describe_bars(rows))
    readiness = data.readiness
    gauge = (
        charts.as_image(
            charts.readiness_gauge(readiness.probability, readiness.lower, readiness.upper),
            charts.describe_gauge(readiness.probability, readiness.lower, readiness.upper),
        )
        if readiness
        else ""
    )
    template = _environment().get_template("profile.html")
    return template.render(
        p=data,
        employer=data.variant == "employer",
        verify_url=url,
        qr_svg=Markup(verify_qr_svg(url)),  # noqa: S704 - segno output, URL built by us
        bars_svg=Markup(bars),  # noqa: S704 - charts escape every text node themselves
        gauge_svg=Markup(gauge),  # noqa: S704 - as above
        signature=request,
        css=Markup(_css_text()) if inline_css else "",  # noqa: S704 - our own stylesheet
    )


@functools.cache
def _css_text() -> str:
    return (TEMPLATES / "profile.css").read_text(encoding="utf-8")


@functools.cache
def _pdf_resources() -> tuple[Any, Any]:
    """Font configuration and parsed stylesheet, shared by every render in this process.

    Reusing them spares each render the font look-ups and the CSS parse.
    """
    from weasyprint import CSS  # noqa: PLC0415 - heavy import, workers only
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

    font_config = FontConfiguration()
    return font_config, CSS(string=_css_text(), base_url=str(TEMPLATES), font_config=font_config)


def render_pdf_sync(request: RenderRequest) -> bytes:
    """Render the PDF with ``profile.json`` and its signature embedded as attachments."""
    from weasyprint import HTML, Attachment  # noqa: PLC0415 - heavy import, workers only

    signature_json = json.dumps(
        {
            "algorithm": "Ed25519",
            "key_id": request.key_id,
            "signature": request.signature,
            "sha256": request.sha256,
            "signed_file": ATTACHMENT_NAME,
        },
        sort_keys=True,
        indent=2,
    )
    attachments = [
        Attachment(
            string=request.canonical,
            name=ATTACHMENT_NAME,
            description="Signed machine-readable copy of this profile (canonical JSON)",
            relationship="Data",
        ),
        Attachment(
            string=signature_json.encode("utf-8"),
            name=SIGNATURE_ATTACHMENT_NAME,
            description="Ed25519 signature over profile.json",
            relationship="Supplement",
        ),
    ]
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB ICC profile for PDF/A without closing it; the file is
        # closed when the document is freed (inside this block) but warns on the way.
        warnings.filterwarnings("ignore", category=ResourceWarning, message=r".*sRGB2014\.icc")
        font_config, stylesheet = _pdf_resources()
        html = HTML(string=render_html(request, inline_css=False), base_url=str(TEMPLATES))
        pdf: bytes = html.write_pdf(
            stylesheets=[stylesheet],
            font_config=font_config,
            pdf_variant=PDF_VARIANT,
            attachments=attachments,
            custom_metadata=True,
            uncompressed_pdf=False,
        )
        gc.collect(0)  # free the profile's file now, while the filter applies
    return pdf
