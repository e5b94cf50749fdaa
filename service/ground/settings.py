"""Settings from environment variables, validated once at start.

``load_settings`` is the only reader of the environment: the CLI and the uvicorn factory call
it once and pass the resulting ``Settings`` down; nothing else reads ``os.environ``.

Every setting is declared once in ``SETTINGS`` with its variable name, default and meaning;
the README's configuration table is generated from the same list (``chartready settings``),
and a test fails when a variable is missing from the README.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta
from platformdirs import user_data_dir


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


Port = Annotated[int, Meta(ge=1, le=65535)]


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Validated configuration of one ChartReady process."""

    database_url: str | None = None
    data_dir: str = user_data_dir("chartready", appauthor=False)
    host: str = "127.0.0.1"
    port: Port = 8000
    workers: Annotated[int, Meta(ge=1, le=64)] = 1
    db_pool_min: Annotated[int, Meta(ge=0, le=100)] = 2
    db_pool_max: Annotated[int, Meta(ge=1, le=200)] = 10
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    public_base_url: Annotated[str, Meta(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")] = (
        "http://127.0.0.1:8000"
    )
    max_body_bytes: Annotated[int, Meta(ge=1024, le=64 * 1024 * 1024)] = 1024 * 1024
    profile_signing_key: str | None = None
    profile_verify_keys: str | None = None
    pdf_workers: Annotated[int, Meta(ge=1, le=32)] = 2
    api_rate_limit: Annotated[int, Meta(ge=1, le=1_000_000)] = 600
    header_timeout: Annotated[float, Meta(gt=0, le=300)] = 10.0
    keep_alive_timeout: Annotated[int, Meta(ge=1, le=300)] = 5
    password_hash_workers: Annotated[int, Meta(ge=1, le=16)] = 1
    password_hash_queue: Annotated[int, Meta(ge=0, le=1000)] = 16
    metrics_token: (
        Annotated[str, Meta(min_length=16, max_length=200, pattern=r"^[\x21-\x7e]+$")] | None
    ) = None
    readiness_min_real_outcomes: Annotated[int, Meta(ge=1)] = 200
    readiness_ready: Annotated[float, Meta(gt=0, lt=1)] = 0.7
    readiness_nearly_ready: Annotated[float, Meta(gt=0, lt=1)] = 0.4
    readiness_simulated_candidates: Annotated[int, Meta(ge=1000, le=1_000_000)] = 20_000
    jobs_in_process: bool = True
    jobs_concurrency: Annotated[int, Meta(ge=1, le=64)] = 2
    jobs_heartbeat_seconds: Annotated[float, Meta(ge=0.1, le=600)] = 10.0
    smtp_host: str | None = None
    smtp_port: Port = 587
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: Annotated[float, Meta(gt=0, le=120)] = 15.0
    email_sender: Annotated[str, Meta(pattern=r"^[^\r\n]*<?[^@\s<>]+@[^@\s<>]+>?$")] = (
        "ChartReady <no-reply@chartready.invalid>"
    )
    reminder_hours_before_expiry: Annotated[int, Meta(ge=1, le=720)] = 48
    webhook_allow_private: bool = False
    webhook_timeout_seconds: Annotated[float, Meta(gt=0, le=30)] = 5.0

    @property
    def smtp_configured(self) -> bool:
        """Whether e-mail goes out over SMTP (else it waits in the outbox staff read)."""
        return bool(self.smtp_host)

    @property
    def embedded_pgdata(self) -> Path:
        """Where the embedded PostgreSQL keeps its data when DATABASE_URL is unset."""
        return Path(self.data_dir) / "pgdata"


class Setting(msgspec.Struct, frozen=True):
    """Documentation of one environment variable."""

    env: str
    field: str
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "database_url",
        "PostgreSQL URL. Unset: start the embedded PostgreSQL under CHARTREADY_DATA_DIR.",
    ),
    Setting(
        "CHARTREADY_DATA_DIR",
        "data_dir",
        "Directory for local state (embedded database in `pgdata/`). "
        "Default: the user data dir, e.g. `~/.local/share/chartready`.",
    ),
    Setting("CHARTREADY_HOST", "host", "Interface `serve` binds to."),
    Setting("CHARTREADY_PORT", "port", "TCP port `serve` listens on (1-65535)."),
    Setting("CHARTREADY_WORKERS", "workers", "uvicorn worker processes for `serve`."),
    Setting("CHARTREADY_DB_POOL_MIN", "db_pool_min", "Connections each worker keeps open."),
    Setting("CHARTREADY_DB_POOL_MAX", "db_pool_max", "Most connections one worker opens."),
    Setting("CHARTREADY_LOG_LEVEL", "log_level", "DEBUG, INFO, WARNING or ERROR."),
    Setting(
        "CHARTREADY_PUBLIC_BASE_URL",
        "public_base_url",
        "Externally visible base URL, used in invitation links and QR codes.",
    ),
    Setting(
        "CHARTREADY_MAX_BODY_BYTES",
        "max_body_bytes",
        "Largest request body accepted; larger bodies get 413.",
    ),
    Setting(
        "CHARTREADY_PROFILE_SIGNING_KEY",
        "profile_signing_key",
        "`key_id:base64` Ed25519 private seed that signs competency profiles. "
        "Unset: a key is generated once and kept under CHARTREADY_DATA_DIR.",
    ),
    Setting(
        "CHARTREADY_PROFILE_VERIFY_KEYS",
        "profile_verify_keys",
        "Comma-separated `key_id:base64` Ed25519 public keys of retired signing keys, "
        "so profiles signed before a rotation keep verifying.",
    ),
    Setting("CHARTREADY_PDF_WORKERS", "pdf_workers", "Processes that render PDFs."),
    Setting(
        "CHARTREADY_API_RATE_LIMIT",
        "api_rate_limit",
        "Requests one HR API key may make per minute (counted across all workers); "
        "more get 429 with Retry-After.",
    ),
    Setting(
        "CHARTREADY_HEADER_TIMEOUT",
        "header_timeout",
        "Seconds a client has to send complete request headers (from connecting, or from "
        "its first byte after a response); slower connections are closed.",
    ),
    Setting(
        "CHARTREADY_KEEP_ALIVE_TIMEOUT",
        "keep_alive_timeout",
        "Seconds an idle keep-alive connection stays open.",
    ),
    Setting(
        "CHARTREADY_PASSWORD_HASH_WORKERS",
        "password_hash_workers",
        "Processes (per uvicorn worker) that check sign-in passwords (argon2id, ~0.1 s of "
        "CPU and 64 MiB each), at idle CPU priority, off the event loop.",
    ),
    Setting(
        "CHARTREADY_PASSWORD_HASH_QUEUE",
        "password_hash_queue",
        "Sign-ins one worker lets wait for a password check; beyond that 429 with Retry-After.",
    ),
    Setting(
        "CHARTREADY_METRICS_TOKEN",
        "metrics_token",
        "Bearer token Prometheus sends to read `/metrics` (at least 16 characters). "
        "Unset: `/metrics` answers 404, so nothing about the service is exposed.",
    ),
    Setting(
        "CHARTREADY_READINESS_MIN_REAL_OUTCOMES",
        "readiness_min_real_outcomes",
        "Real hiring outcomes needed before `train` stops using the simulated prior.",
    ),
    Setting(
        "CHARTREADY_READINESS_READY",
        "readiness_ready",
        'Estimated probability from which the band is "ready".',
    ),
    Setting(
        "CHARTREADY_READINESS_NEARLY_READY",
        "readiness_nearly_ready",
        'Estimated probability from which the band is "nearly ready" (below: "not yet").',
    ),
    Setting(
        "CHARTREADY_READINESS_SIMULATED_CANDIDATES",
        "readiness_simulated_candidates",
        "Size of the simulated prior `train` fits on when real outcomes are too few.",
    ),
    Setting(
        "CHARTREADY_JOBS_IN_PROCESS",
        "jobs_in_process",
        "`true`: `serve` and `demo` run a job worker in each web process. Set `false` "
        "when workers run on their own (`chartready worker`).",
    ),
    Setting(
        "CHARTREADY_JOBS_CONCURRENCY", "jobs_concurrency", "Jobs one worker runs at the same time."
    ),
    Setting(
        "CHARTREADY_JOBS_HEARTBEAT_SECONDS",
        "jobs_heartbeat_seconds",
        "How often a worker reports it is alive; its running jobs are retried by another "
        "worker after three missed heartbeats.",
    ),
    Setting(
        "CHARTREADY_SMTP_HOST",
        "smtp_host",
        "SMTP server for invitation e-mails. Unset: messages wait in the outbox staff read "
        "(`GET /staff/outbox`), never sent and never lost.",
    ),
    Setting("CHARTREADY_SMTP_PORT", "smtp_port", "SMTP port (587 submission, 465 TLS, 25)."),
    Setting(
        "CHARTREADY_SMTP_TLS",
        "smtp_tls",
        "`starttls` (upgrade the connection), `tls` (TLS from the start) or `none`.",
    ),
    Setting(
        "CHARTREADY_SMTP_USERNAME", "smtp_username", "SMTP user name, if the server wants one."
    ),
    Setting("CHARTREADY_SMTP_PASSWORD", "smtp_password", "SMTP password (never logged)."),
    Setting(
        "CHARTREADY_SMTP_TIMEOUT_SECONDS",
        "smtp_timeout_seconds",
        "How long one SMTP conversation may take before it counts as failed (retried).",
    ),
    Setting(
        "CHARTREADY_EMAIL_SENDER",
        "email_sender",
        "The From of candidate e-mails, e.g. `Acme Hiring <hiring@acme.example>`.",
    ),
    Setting(
        "CHARTREADY_REMINDER_HOURS_BEFORE_EXPIRY",
        "reminder_hours_before_expiry",
        "A candidate who has not finished gets one reminder this many hours before the "
        "invitation expires.",
    ),
    Setting(
        "CHARTREADY_WEBHOOK_ALLOW_PRIVATE",
        "webhook_allow_private",
        "`true` lets webhooks and callbacks go to http:// and to loopback or private "
        "addresses (tests, the demo). Keep `false` in production: https only, public "
        "addresses only.",
    ),
    Setting(
        "CHARTREADY_WEBHOOK_TIMEOUT_SECONDS",
        "webhook_timeout_seconds",
        "Time allowed for one webhook or callback request (connect and response).",
    ),
)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from ``environ`` (default ``os.environ``); raise SettingsError naming
    the variable on the first bad value."""
    env = os.environ if environ is None else environ
    raw = {s.field: env[s.env] for s in SETTINGS if env.get(s.env, "") != ""}
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_name_variable(str(exc))) from None
    if settings.db_pool_min > settings.db_pool_max:
        raise SettingsError(
            "CHARTREADY_DB_POOL_MIN: must not exceed CHARTREADY_DB_POOL_MAX "
            f"({settings.db_pool_min} > {settings.db_pool_max})"
        )
    if settings.readiness_nearly_ready >= settings.readiness_ready:
        raise SettingsError(
            "CHARTREADY_READINESS_NEARLY_READY: must be below CHARTREADY_READINESS_READY "
            f"({settings.readiness_nearly_ready} >= {settings.readiness_ready})"
        )
    return settings


def _name_variable(message: str) -> str:
    """Turn msgspec's "... - at `$.port`" into "CHARTREADY_PORT: ..."."""
    text, _, where = message.rpartition(" - at `$.")
    field = where.rstrip("`")
    for s in SETTINGS:
        if s.field == field:
            return f"{s.env}: {text or message}"
    return message


def settings_environment(settings: Settings) -> dict[str, str]:
    """``settings`` as the environment variables ``load_settings`` reads back: how ``serve``
    hands its resolved settings to worker processes."""
    env = {}
    for s in SETTINGS:
        value = getattr(settings, s.field)
        if value is not None:
            env[s.env] = _as_env(value)
    return env


def _as_env(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def markdown_table() -> str:
    """The configuration table for the README."""
    defaults = Settings()
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        value = getattr(defaults, s.field)
        shown = "(unset)" if value is None else f"`{_as_env(value)}`"
        if s.field == "data_dir":
            shown = "user data dir"
        rows.append(f"| `{s.env}` | {shown} | {s.meaning} |")
    return "\n".join(rows)
