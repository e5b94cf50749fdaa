"""The interactive API reference at /schema: Swagger UI served from our own origin.

Swagger UI's files come from the ``swagger-ui-bundle-v2`` wheel, installed from PyPI like
any dependency, so the reference works on a network without internet access and nothing of
it is copied into this repository. That wheel is a community repackaging, so its files are
not trusted by name: only the four the page needs are served, each checked against the
SHA-256 of the same file in SmartBear's official ``swagger-ui-dist`` npm package (5.31.0),
and a file that differs is refused. The page's Content-Security-Policy allows scripts from
this origin only, plus the inline initialiser Litestar writes (which embeds our schema).
"""

from __future__ import annotations

import hashlib
import logging
from functools import cache
from pathlib import Path

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import FromPath
from swagger_ui_bundle import swagger_ui_path

from service.auth.staff import SESSION_COOKIE
from service.ground.errors import NotFound, Unavailable

log = logging.getLogger(__name__)

ASSETS = "/schema-assets"
"""Where Swagger UI's script, stylesheet and icon are served."""

# name -> (media type, SHA-256 of the file in npm's swagger-ui-dist@5.31.0)
ASSET_DIGESTS: dict[str, tuple[str, str]] = {
    "swagger-ui-bundle.js": (
        "text/javascript",
        "93b7b0862a80e2786f85b560be7693c2344354ffa7e7e224f850a54349724c31",
    ),
    "swagger-ui-standalone-preset.js": (
        "text/javascript",
        "5ed085e194083a3afeb8143658e1f266665519dddfc6224c8b706acd4e80f924",
    ),
    "swagger-ui.css": (
        "text/css",
        "9e576f8322132c76949da47f9bb53c891373c303ea3a761ff548ffc9de50a98c",
    ),
    "favicon-32x32.png": (
        "image/png",
        "3ed612f41e050ca5e7000cad6f1cbe7e7da39f65fca99c02e99e6591056e5837",
    ),
}


def openapi_config(version: str) -> OpenAPIConfig:
    """OpenAPI 3.1 at /schema/openapi.json; Swagger UI at /schema (and /schema/swagger)."""
    return OpenAPIConfig(
        title="ChartReady API",
        version=version,
        description="Readiness assessments for entry-level Medical Records Clerks.",
        path="/schema",
        components=Components(
            security_schemes={
                "hrApiKey": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="An HR system's API key (`crk_...`), created per organization, "
                    "scoped, shown once. HTTP Basic with the key as username also "
                    "works (the Greenhouse convention). Rate-limited per key; see "
                    "the RateLimit-* response headers.",
                ),
                "staffSession": SecurityScheme(
                    type="apiKey",
                    name=SESSION_COOKIE,
                    security_scheme_in="cookie",
                    description="Set by `POST /staff/session`. Writes must also echo the "
                    "returned CSRF token in the `X-CSRF-Token` header.",
                ),
            }
        ),
        render_plugins=[
            SwaggerRenderPlugin(
                path=["/", "/swagger"],
                js_url=f"{ASSETS}/swagger-ui-bundle.js",
                css_url=f"{ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
            )
        ],
    )


@cache
def _verified(name: str) -> bytes | None:
    """The file's bytes if they match the pinned digest (read once per process), else None."""
    data = (Path(str(swagger_ui_path)) / name).read_bytes()
    if hashlib.sha256(data).hexdigest() != ASSET_DIGESTS[name][1]:
        log.error("API reference asset %s does not match its pinned SHA-256; not serving it", name)
        return None
    return data


@get(
    f"{ASSETS}/{{name:str}}",
    include_in_schema=False,
    sync_to_thread=False,
    cache_control=CacheControlHeader(max_age=86400),
)
def api_docs_asset(name: FromPath[str]) -> Response[bytes]:
    """One of Swagger UI's four files, verified against its pinned digest."""
    if name not in ASSET_DIGESTS:
        raise NotFound(f"No API reference file {name}", field="name")
    data = _verified(name)
    if data is None:
        raise Unavailable("The API reference's files failed their integrity check")
    return Response(data, media_type=ASSET_DIGESTS[name][0])
