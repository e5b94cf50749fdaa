"""The interactive API reference at /schema: Swagger UI served from our own origin.

Swagger UI's files come from the ``swagger-ui-bundle-v2`` wheel (kept by the Connexion
maintainers, it tracks Swagger UI releases), installed from PyPI like any dependency. So
the reference works on a network without internet access, nothing of it is copied into
this repository, and the page's Content-Security-Policy allows scripts from this origin
only (plus the inline initialiser Litestar writes, which embeds our own schema).
"""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from service.auth.staff import SESSION_COOKIE

ASSETS = "/schema-assets"
"""Where Swagger UI's script, stylesheet and icon are served."""


def openapi_config(version: str) -> OpenAPIConfig:
    """OpenAPI 3.1 at /schema/openapi.json; Swagger UI at /schema (and /schema/swagger)."""
    return OpenAPIConfig(
        title="ChartReady API",
        version=version,
        description="Readiness assessments for entry-level Medical Records Clerks.",
        path="/schema",
        components=Components(security_schemes={
            "hrApiKey": SecurityScheme(
                type="http", scheme="bearer",
                description="An HR system's API key (`crk_...`), created per organization, "
                            "scoped, shown once. HTTP Basic with the key as username also "
                            "works (the Greenhouse convention). Rate-limited per key; see "
                            "the RateLimit-* response headers."),
            "staffSession": SecurityScheme(
                type="apiKey", name=SESSION_COOKIE, security_scheme_in="cookie",
                description="Set by `POST /staff/session`. Writes must also echo the "
                            "returned CSRF token in the `X-CSRF-Token` header."),
        }),
        render_plugins=[SwaggerRenderPlugin(
            path=["/", "/swagger"],
            js_url=f"{ASSETS}/swagger-ui-bundle.js",
            css_url=f"{ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
        )],
    )


def api_docs_assets() -> Router:
    """Swagger UI's static files, from the installed wheel, cached for a day."""
    return create_static_files_router(path=ASSETS, directories=[Path(str(swagger_ui_path))],
                                      include_in_schema=False,
                                      cache_control=CacheControlHeader(max_age=86400),
                                      name="api-docs-assets")
