"""The application factory: ``create_app(settings)`` composes the faces over the core.

``service.app:app_from_environment`` is the factory uvicorn's workers call: the one place a
process reads its configuration (``load_settings``); everything below receives ``settings``.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging.config import LoggingConfig

from service import __version__
from service.faces.candidate.routes import TEMPLATES as CANDIDATE_TEMPLATES
from service.faces.candidate.routes import candidate_handlers, lookup_warmup
from service.faces.dashboard.routes import TEMPLATES as DASHBOARD_TEMPLATES
from service.faces.dashboard.routes import dashboard_handlers
from service.faces.hr_api.routes import hr_api_handlers
from service.faces.staff.routes import staff_handlers
from service.faces.verification.controller import VerificationController
from service.ground.db import resolve_database_url
from service.ground.logs import configure_logging
from service.ground.settings import Settings, load_settings
from service.web.api_docs import api_docs_asset, openapi_config
from service.web.content import content_lifespan, provide_content
from service.web.database import pool_lifespan, provide_connection
from service.web.guards import provide_principal, provide_staff
from service.web.health import health, ready
from service.web.idempotency import idempotency_middleware
from service.web.jobs import jobs_lifespan
from service.web.middleware import add_response_headers, refuse_nul_paths, request_id_middleware
from service.web.openapi import polish_openapi
from service.web.passwords import password_checker_lifespan
from service.web.problems import EXCEPTION_HANDLERS
from service.web.profiles import profiles_lifespan, provide_profile_signer, provide_profiles
from service.web.prometheus import metrics, metrics_middleware
from service.web.settings import provide_settings, provide_thresholds
from service.web.templates import template_config


def create_app(settings: Settings) -> Litestar:
    """Build the ChartReady ASGI app for ``settings`` (the embedded PostgreSQL is started
    when ``settings.database_url`` is unset)."""
    configure_logging(settings.log_level)
    database_url = resolve_database_url(settings)
    return Litestar(
        route_handlers=[
            health,
            ready,
            metrics,
            api_docs_asset,
            VerificationController,
            *candidate_handlers(),
            *hr_api_handlers(),
            *staff_handlers(),
            *dashboard_handlers(),
        ],
        lifespan=[
            pool_lifespan(
                database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
            ),
            content_lifespan,
            lookup_warmup,
            profiles_lifespan(settings),
            jobs_lifespan(settings),
            password_checker_lifespan(
                workers=settings.password_hash_workers, queue=settings.password_hash_queue
            ),
        ],
        template_config=template_config(
            {"candidate": CANDIDATE_TEMPLATES, "dashboard": DASHBOARD_TEMPLATES}
        ),
        state=State({"settings": settings}),
        dependencies={
            "conn": Provide(provide_connection),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "thresholds": Provide(provide_thresholds, sync_to_thread=False),
            "principal": Provide(provide_principal, sync_to_thread=False),
            "staff": Provide(provide_staff, sync_to_thread=False),
            "content": Provide(provide_content, sync_to_thread=False),
            "profiles": Provide(provide_profiles, sync_to_thread=False),
            "profile_signer": Provide(provide_profile_signer, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            request_id_middleware,
            refuse_nul_paths,
            metrics_middleware,
            idempotency_middleware,
        ],
        on_startup=[polish_openapi],
        before_send=[add_response_headers],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(__version__),
        logging_config=LoggingConfig(log_exceptions="never", configure_root_logger=False),
        debug=False,
    )


def app_from_environment() -> Litestar:
    """The uvicorn factory: settings from this process's environment, which ``serve``
    filled from its own resolved settings (``settings_environment``)."""
    return create_app(load_settings())
