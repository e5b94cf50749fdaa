"""The application factory: ``service.app:create_app``."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging.config import LoggingConfig

from service import __version__
from service.api.candidates import CandidateController
from service.api_docs import api_docs_asset, openapi_config
from service.assessments.content import load_content
from service.auth.guards import provide_principal, provide_staff
from service.current_content import content_lifespan, provide_content
from service.db import pool_lifespan, provide_connection
from service.delivery.routes import (
    delivery_handlers,
    lookup_warmup,
    sweeper_lifespan,
    template_config,
)
from service.errors import EXCEPTION_HANDLERS
from service.health import health, ready
from service.logs import configure_logging
from service.metrics import metrics, metrics_middleware
from service.middleware import add_response_headers, request_id_middleware
from service.profiles.runtime import profiles_lifespan, provide_profile_signer, provide_profiles
from service.profiles.sources import database_builder
from service.settings import Settings, get_settings
from service.staff.profiles import StaffProfileController
from service.staff.ratings import RatingController, RescoreController
from service.staff.session import StaffSessionController
from service.verification.controller import VerificationController


def create_app(settings: Settings | None = None, *, database_url: str | None = None) -> Litestar:
    """Build the ChartReady ASGI app. ``database_url`` overrides settings (tests use it)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    return Litestar(
        route_handlers=[
            health, ready, metrics, CandidateController,
            StaffSessionController, RatingController, RescoreController,
            StaffProfileController, VerificationController, *delivery_handlers(),
            api_docs_asset,
        ],
        lifespan=[
            pool_lifespan(settings, database_url), content_lifespan, lookup_warmup,
            sweeper_lifespan(),
            profiles_lifespan(settings,
                              builder_factory=lambda: database_builder(load_content())),
        ],
        template_config=template_config(),
        state=State({"api_rate_limit": settings.api_rate_limit}),
        dependencies={
            "conn": Provide(provide_connection),
            "principal": Provide(provide_principal, sync_to_thread=False),
            "staff": Provide(provide_staff, sync_to_thread=False),
            "content": Provide(provide_content, sync_to_thread=False),
            "profiles": Provide(provide_profiles, sync_to_thread=False),
            "profile_signer": Provide(provide_profile_signer, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[request_id_middleware, metrics_middleware],
        before_send=[add_response_headers],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(__version__),
        logging_config=LoggingConfig(log_exceptions="never", configure_root_logger=False),
        debug=False,
    )
