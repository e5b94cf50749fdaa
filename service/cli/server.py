"""`chartready serve`, `migrate` and `demo`: run the service."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import secrets
import signal
import sys
from typing import NoReturn

import msgspec

from service.cli.common import Add, database_url
from service.ground.settings import Settings, settings_environment


def _migrate(url: str) -> list[str]:
    from service.ground.migrator import migrate_url  # noqa: PLC0415

    return asyncio.run(migrate_url(url))


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply pending migrations and list them."""
    applied = _migrate(database_url(settings))
    print("applied: " + (", ".join(applied) if applied else "nothing (schema is current)"))
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _leave(code: int) -> NoReturn:
    """Run the exit hooks (one stops the embedded PostgreSQL), flush, and end the process
    without the interpreter's final teardown: there, now and then, a C++ extension's static
    destructors abort ("terminate called without an active exception"), which turned a
    clean stop on SIGTERM into a SIGABRT."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn  # noqa: PLC0415

    from service.web.http_timeouts import HeaderTimeoutProtocol  # noqa: PLC0415

    # Worker processes build the app from their environment (service.app:app_from_environment):
    # hand them exactly the settings this process resolved (the embedded database's URL too).
    os.environ.update(settings_environment(settings))
    # After a graceful shutdown uvicorn re-raises the signal it caught under the handler it
    # found. SIGTERM's default handler would end the process at once, skipping the atexit
    # hook that stops the embedded PostgreSQL; this one exits through SystemExit instead.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run(
            "service.app:app_from_environment",
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            workers=args.workers or settings.workers,
            loop="uvloop",
            http=HeaderTimeoutProtocol,  # httptools, with a deadline for request headers
            timeout_keep_alive=settings.keep_alive_timeout,
            timeout_graceful_shutdown=10,
            access_log=False,
            log_config=None,
        )
    except SystemExit as stop:
        _leave(stop.code if isinstance(stop.code, int) else 1)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Apply pending migrations once, then serve with uvicorn on uvloop."""
    settings = msgspec.structs.replace(settings, database_url=database_url(settings))
    assert settings.database_url is not None
    _migrate(settings.database_url)
    return _serve(args, settings)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Embedded database, migrations, demo data, printed URLs and credentials, then serve."""
    from service.cli.demo import prepare_demo  # noqa: PLC0415

    base = f"http://{args.host or settings.host}:{args.port or settings.port}"
    if settings.public_base_url == Settings().public_base_url:  # links and QR codes point here
        settings = msgspec.structs.replace(settings, public_base_url=base)
    if settings.metrics_token is None:  # so the printed metrics URL works
        settings = msgspec.structs.replace(settings, metrics_token=secrets.token_urlsafe(24))
    settings = msgspec.structs.replace(settings, database_url=database_url(settings))
    print(asyncio.run(prepare_demo(settings, base)), flush=True)
    return _serve(args, settings)


def register(add: Add) -> None:
    """The commands of this module."""
    for name, handler, text in (
        ("serve", cmd_serve, "Apply pending migrations, then serve the app with uvicorn."),
        ("demo", cmd_demo, "Start with demo data on the embedded database (for newcomers)."),
    ):
        p = add(name, handler, text)
        p.add_argument("--host", help="interface to bind (default CHARTREADY_HOST)")
        p.add_argument("--port", type=int, help="port (default CHARTREADY_PORT)")
        p.add_argument("--workers", type=int, help="worker processes (default CHARTREADY_WORKERS)")
    add("migrate", cmd_migrate, "Apply pending database migrations and exit.")
