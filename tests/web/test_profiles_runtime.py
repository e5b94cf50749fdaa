"""The profile runtime in a real app: lifespan, render pool, signer from settings, verify."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import asyncpg
import msgspec
import pypdf
from litestar import Litestar, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Response
from litestar.testing import AsyncTestClient

from service.faces.verification.controller import VerificationController
from service.ground.errors import NotFound
from service.profiles import repository
from service.profiles.issue import new_profile_id
from service.profiles.runtime import SIGNING_KEY_FILE, ProfileRuntime
from service.profiles.sample import sample_profile
from service.web.database import Conn, pool_lifespan, provide_connection
from service.web.problems import EXCEPTION_HANDLERS
from service.web.profiles import profiles_lifespan, provide_profile_signer, provide_profiles
from tests.conftest import make_settings
from tests.profiles.helpers import seed_candidate

Profiles = NamedDependency[ProfileRuntime]


@post("/test/{org_id:uuid}/{candidate_id:uuid}/profiles")
async def issue_sample(
    org_id: FromPath[uuid.UUID], candidate_id: FromPath[uuid.UUID], conn: Conn, profiles: Profiles
) -> dict[str, str]:
    data = msgspec.structs.replace(sample_profile(variant="candidate"), profile_id=new_profile_id())
    stored = await profiles.issue(
        conn, organization_id=org_id, candidate_id=candidate_id, attempt_id=None, data=data
    )
    return {"id": str(stored.id)}


@get("/test/{org_id:uuid}/profiles/{profile_id:uuid}/pdf")
async def download(
    org_id: FromPath[uuid.UUID], profile_id: FromPath[uuid.UUID], conn: Conn
) -> Response[bytes]:
    pdf = await repository.fetch_pdf(conn, org_id, profile_id)
    if pdf is None:
        raise NotFound("no such profile")
    return Response(pdf.pdf, media_type="application/pdf")


async def test_issue_download_and_verify_through_the_app(
    db_url: str, pool: asyncpg.Pool, org_id: uuid.UUID, tmp_path: Path
) -> None:
    settings = make_settings(
        db_pool_max=2,
        pdf_workers=1,
        data_dir=str(tmp_path),
        public_base_url="https://verify.example.org",
    )
    async with pool.acquire() as conn:
        candidate_id = await seed_candidate(conn, org_id)
    app = Litestar(
        route_handlers=[issue_sample, download, VerificationController],
        lifespan=[pool_lifespan(db_url, min_size=1, max_size=2), profiles_lifespan(settings)],
        dependencies={
            "conn": Provide(provide_connection),
            "profiles": Provide(provide_profiles, sync_to_thread=False),
            "profile_signer": Provide(provide_profile_signer, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
    )
    async with AsyncTestClient(app=app) as client:
        issued = await client.post(f"/test/{org_id}/{candidate_id}/profiles")
        assert issued.status_code == 201, issued.text
        profile_id = issued.json()["id"]
        again = await client.post(f"/test/{org_id}/{candidate_id}/profiles")
        pdf = await client.get(f"/test/{org_id}/profiles/{profile_id}/pdf")
        verdict = await client.get(f"/verify/{profile_id}", headers={"Accept": "application/json"})
    assert again.json()["id"] == profile_id  # unchanged content: the stored profile
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    assert f"https://verify.example.org/verify/{profile_id}" in reader.pages[0].extract_text()
    embedded = msgspec.json.decode(reader.attachments["profile.json"][0])
    assert embedded["profile_id"] == profile_id
    assert verdict.json()["valid"] is True
    assert (tmp_path / SIGNING_KEY_FILE).stat().st_mode & 0o777 == 0o600
