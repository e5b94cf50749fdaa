"""What every command module shares: the handler type and the database URL."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from service.ground.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], int]
Add = Callable[[str, Handler, str], argparse.ArgumentParser]
"""Registers a subcommand: ``add(name, handler, help)`` returns its parser."""


def database_url(settings: Settings) -> str:
    """DATABASE_URL, or the embedded server's (started if needed)."""
    from service.ground.db import resolve_database_url  # noqa: PLC0415 - keeps `--help` fast

    return resolve_database_url(settings)


def with_database(command: Callable[[argparse.Namespace, str], int]) -> Handler:
    """A handler that runs ``command`` with the database URL (embedded server if unset)."""
    return lambda args, settings: command(args, database_url(settings))
