"""The `chartready` command: one module of commands per concern, one parser, one settings.

``main`` reads the settings once (``load_settings``) and hands them to the command; commands
import what they need inside their handlers, so `chartready --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from service import __version__
from service.cli import content, invitations, jobs, readiness, server, statistics, tenants
from service.cli.common import Handler
from service.ground.settings import Settings, SettingsError, load_settings, markdown_table


def cmd_version(args: argparse.Namespace, settings: Settings) -> int:
    """Print the version."""
    print(f"chartready {__version__}")
    return 0


def cmd_settings(args: argparse.Namespace, settings: Settings) -> int:
    """Print the configuration table (the README's copy is generated from this)."""
    print(markdown_table())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per verb."""
    parser = argparse.ArgumentParser(
        prog="chartready",
        description="ChartReady: serve, migrate, demo, content, invitations, readiness "
        "models, statistics, tenant administration, version, settings.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    for module in (server, jobs, content, invitations, readiness, statistics, tenants):
        module.register(add)
    add("version", cmd_version, "Print the version.")
    add("settings", cmd_settings, "Print every setting as a Markdown table.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `chartready` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"chartready: configuration error: {exc}", file=sys.stderr)
        return 2
    handler: Handler = args.handler
    return handler(args, settings)
