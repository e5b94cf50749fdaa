"""The `chartready` command: serve, migrate, demo, content, invitations, readiness models,
tenant administration, version, settings."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Callable, Sequence

from service import __version__
from service.settings import Settings, SettingsError, get_settings, markdown_table

Handler = Callable[[argparse.Namespace, Settings], int]


def _database_url(settings: Settings) -> str:
    """Resolve (starting the embedded server if needed) and export for worker processes."""
    from service.db import resolve_database_url  # noqa: PLC0415 - keeps `--help` fast

    url = resolve_database_url(settings)
    os.environ["DATABASE_URL"] = url
    return url


def _migrate(url: str) -> list[str]:
    from service.migrator import migrate_url  # noqa: PLC0415

    return asyncio.run(migrate_url(url))


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply pending migrations and list them."""
    applied = _migrate(_database_url(settings))
    print("applied: " + (", ".join(applied) if applied else "nothing (schema is current)"))
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn  # noqa: PLC0415

    # After a graceful shutdown uvicorn re-raises the signal it caught under the handler it
    # found. SIGTERM's default handler would end the process at once, skipping the atexit
    # hook that stops the embedded PostgreSQL; this one exits through SystemExit instead.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=10,
        access_log=False,
        log_config=None,
    )
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Apply pending migrations once, then serve with uvicorn on uvloop."""
    _migrate(_database_url(settings))
    return _serve(args, settings)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Embedded database, migrations, demo data, printed URLs and credentials, then serve."""
    from service.demo import DemoCohort, DemoCredentials  # noqa: PLC0415

    base = f"http://{args.host or settings.host}:{args.port or settings.port}"
    if "CHARTREADY_PUBLIC_BASE_URL" not in os.environ:  # links and QR codes point here
        os.environ["CHARTREADY_PUBLIC_BASE_URL"] = base
        get_settings.cache_clear()
        settings = get_settings()
    url = _database_url(settings)

    async def prepare() -> tuple[DemoCredentials, str, DemoCohort]:
        from service.assessments.content import load_content  # noqa: PLC0415
        from service.db import create_pool  # noqa: PLC0415
        from service.delivery.commands import seed_demo_invitation  # noqa: PLC0415
        from service.demo import seed_demo, seed_demo_cohort  # noqa: PLC0415
        from service.migrator import migrate  # noqa: PLC0415

        pool = await create_pool(url, min_size=1, max_size=2)
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
                creds = await seed_demo(conn)
                link = await seed_demo_invitation(conn, creds.organization_id)
            cohort = await seed_demo_cohort(
                pool, creds.organization_id, load_content(),
                min_real_outcomes=settings.readiness_min_real_outcomes,
                simulated_candidates=settings.readiness_simulated_candidates)
            return creds, link, cohort
        finally:
            await pool.close()

    creds, invitation_url, cohort = asyncio.run(prepare())
    from service.demo import demo_banner  # noqa: PLC0415

    print(demo_banner(base, creds, invitation_url, cohort), flush=True)
    return _serve(args, settings)


def cmd_check_content(args: argparse.Namespace, settings: Settings) -> int:
    """Validate every rubric file; exit 1 naming file, item and field of each problem."""
    from service.assessments.check import main_check  # noqa: PLC0415

    return main_check([args.root] if args.root else [])


def cmd_content_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Items per form, competency and type."""
    from service.assessments.stats import main_stats  # noqa: PLC0415

    return main_stats([args.root] if args.root else [])


def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Invite a candidate (found or created by email) and print the link, shown once."""
    from service.delivery.commands import cmd_invite as invite  # noqa: PLC0415

    return invite(args, settings, _database_url(settings))


def cmd_sweep(args: argparse.Namespace, settings: Settings) -> int:
    """Finalise and score attempts whose time ran out (the server also does this itself)."""
    from service.delivery.commands import cmd_sweep as sweep  # noqa: PLC0415

    return sweep(args, settings, _database_url(settings))


def cmd_equate(args: argparse.Namespace, settings: Settings) -> int:
    """Fit linear equatings of parallel forms from scored attempts of the loaded content."""
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.results.equating import fit_form_equatings  # noqa: PLC0415

    async def fit() -> list[str]:
        import asyncpg  # noqa: PLC0415

        conn = await asyncpg.connect(_database_url(settings))
        try:
            fits = await fit_form_equatings(conn, load_content(),
                                            min_attempts=args.min_attempts,
                                            method=args.method, fitted_by="cli")
        finally:
            await conn.close()
        return [f"{f.form_id} -> {f.reference_form_id}: raw' = {f.equating.slope:.4f} x raw "
                f"{f.equating.intercept:+.3f} ({f.equating.method}; n = {f.n_form} and "
                f"{f.n_reference})" for f in fits]

    lines = asyncio.run(fit())
    print("\n".join(lines) if lines else "no form has enough scored attempts yet; forms "
          "keep their own Angoff cuts")
    return 0


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    """Train a readiness model (real outcomes when enough, else the simulated prior)."""
    from service.readiness.train import run_train  # noqa: PLC0415

    print(asyncio.run(run_train(
        _database_url(settings), min_real_outcomes=settings.readiness_min_real_outcomes,
        seed=args.seed, organization_slug=args.organization,
        simulated_candidates=settings.readiness_simulated_candidates,
    )))
    return 0


def cmd_model_card(args: argparse.Namespace, settings: Settings) -> int:
    """Print the model card of the active (or a named) readiness model."""
    from service.readiness.train import run_model_card  # noqa: PLC0415

    print(asyncio.run(run_model_card(_database_url(settings), version=args.version,
                                     organization_slug=args.organization)))
    return 0


def cmd_model_rollback(args: argparse.Namespace, settings: Settings) -> int:
    """Retire the active readiness model and re-activate the previous one."""
    from service.readiness.train import run_rollback  # noqa: PLC0415

    print(asyncio.run(run_rollback(_database_url(settings), organization_slug=args.organization,
                                   reason=args.reason)))
    return 0


def _with_database(command: Callable[[argparse.Namespace, str], int]) -> Handler:
    """A handler that runs ``command`` with the database URL (embedded server if unset)."""
    return lambda args, settings: command(args, _database_url(settings))


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
    parser = argparse.ArgumentParser(prog="chartready", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    for name, handler, text in (
        ("serve", cmd_serve, "Apply pending migrations, then serve the app with uvicorn."),
        ("demo", cmd_demo, "Start with demo data on the embedded database (for newcomers)."),
    ):
        p = add(name, handler, text)
        p.add_argument("--host", help="interface to bind (default CHARTREADY_HOST)")
        p.add_argument("--port", type=int, help="port (default CHARTREADY_PORT)")
        p.add_argument("--workers", type=int, help="worker processes (default CHARTREADY_WORKERS)")
    add("migrate", cmd_migrate, "Apply pending database migrations and exit.")
    for name, handler, text in (
        ("check-content", cmd_check_content,
         "Validate the item bank (rubrics/); exit 1 on any problem."),
        ("content-stats", cmd_content_stats, "Items per form, competency and type."),
    ):
        add(name, handler, text).add_argument("root", nargs="?", help="rubrics directory")
    from service.delivery.commands import add_invite_arguments  # noqa: PLC0415

    add_invite_arguments(add("invite", cmd_invite, "Invite a candidate; print the link once."))
    add("sweep", cmd_sweep, "Finalise and score attempts whose time has run out.")
    p = add("equate", cmd_equate, "Fit linear equatings of parallel forms onto each "
            "assessment's reference form from scored attempts (random-groups design).")
    p.add_argument("--min-attempts", type=int, default=200,
                   help="scored attempts needed on each form (default 200)")
    p.add_argument("--method", choices=["linear", "mean"], default="linear")
    org_help = "organization slug (default: the global model)"
    p = add("train", cmd_train, "Train a readiness model; real outcomes when there are "
            "CHARTREADY_READINESS_MIN_REAL_OUTCOMES of them, else the simulated prior.")
    p.add_argument("--organization", help=org_help)
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p = add("model-card", cmd_model_card, "Print a readiness model's card.")
    p.add_argument("--organization", help=org_help)
    p.add_argument("--version", help="model version (default: the active one)")
    p = add("model-rollback", cmd_model_rollback,
            "Retire the active readiness model and re-activate the previous one.")
    p.add_argument("--organization", help=org_help)
    p.add_argument("--reason", default="rollback", help="why (kept with the activation)")
    from service.admin_commands import add_admin_commands  # noqa: PLC0415

    add_admin_commands(add, _with_database)
    add("version", cmd_version, "Print the version.")
    add("settings", cmd_settings, "Print every setting as a Markdown table.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `chartready` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"chartready: configuration error: {exc}", file=sys.stderr)
        return 2
    handler: Handler = args.handler
    return handler(args, settings)


if __name__ == "__main__":
    raise SystemExit(main())
