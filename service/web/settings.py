"""The running app's settings (handed down from ``create_app``) and what derives from them,
as dependencies."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import NamedDependency

from service.delivery.invitations import MailPolicy
from service.ground.settings import Settings
from service.readiness.estimates import thresholds_of
from service.readiness.predict import BandThresholds

AppSettings = NamedDependency[Settings]
"""Annotate a handler parameter named ``settings`` with this to get the app's settings."""


def provide_settings(state: State) -> Settings:
    """Dependency ``settings``."""
    settings: Settings = state.settings
    return settings


Thresholds = NamedDependency[BandThresholds]
"""Annotate a handler parameter named ``thresholds`` with this to get the readiness bands."""


def provide_thresholds(state: State) -> BandThresholds:
    """Dependency ``thresholds``: the readiness band thresholds from the settings."""
    return thresholds_of(state.settings)


def mail_policy(settings: Settings) -> MailPolicy:
    """E-mail over SMTP when it is configured, else into the staff outbox (the HR API's
    invitations and the dashboard's re-issued links alike)."""
    return MailPolicy(smtp=settings.smtp_configured)
