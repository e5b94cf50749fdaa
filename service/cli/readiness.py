"""`chartready equate`, `train`, `model-card` and `model-rollback`: scales and readiness models."""

from __future__ import annotations

import argparse
import asyncio

from service.cli.common import Add, database_url
from service.ground.settings import Settings


def cmd_equate(args: argparse.Namespace, settings: Settings) -> int:
    """Fit linear equatings of parallel forms from scored attempts of the loaded content."""
    import asyncpg  # noqa: PLC0415

    from service.assessments.content import load_content  # noqa: PLC0415
    from service.results.equating import fit_form_equatings  # noqa: PLC0415

    async def fit() -> list[str]:
        conn = await asyncpg.connect(database_url(settings))
        try:
            fits = await fit_form_equatings(
                conn,
                load_content(),
                min_attempts=args.min_attempts,
                method=args.method,
                fitted_by="cli",
            )
        finally:
            await conn.close()
        return [
            f"{f.form_id} -> {f.reference_form_id}: raw' = {f.equating.slope:.4f} x raw "
            f"{f.equating.intercept:+.3f} ({f.equating.method}; n = {f.n_form} and "
            f"{f.n_reference})"
            for f in fits
        ]

    lines = asyncio.run(fit())
    print(
        "\n".join(lines)
        if lines
        else "no form has enough scored attempts yet; forms keep their own Angoff cuts"
    )
    return 0


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    """Train a readiness model (real outcomes when enough, else the simulated prior)."""
    from service.readiness.train import run_train  # noqa: PLC0415

    print(
        asyncio.run(
            run_train(
                database_url(settings),
                min_real_outcomes=settings.readiness_min_real_outcomes,
                seed=args.seed,
                organization_slug=args.organization,
                simulated_candidates=settings.readiness_simulated_candidates,
            )
        )
    )
    return 0


def cmd_model_card(args: argparse.Namespace, settings: Settings) -> int:
    """Print the model card of the active (or a named) readiness model."""
    from service.readiness.train import run_model_card  # noqa: PLC0415

    print(
        asyncio.run(
            run_model_card(
                database_url(settings), version=args.version, organization_slug=args.organization
            )
        )
    )
    return 0


def cmd_model_rollback(args: argparse.Namespace, settings: Settings) -> int:
    """Retire the active readiness model and re-activate the previous one."""
    from service.readiness.train import run_rollback  # noqa: PLC0415

    print(
        asyncio.run(
            run_rollback(
                database_url(settings), organization_slug=args.organization, reason=args.reason
            )
        )
    )
    return 0


def register(add: Add) -> None:
    """The commands of this module."""
    p = add(
        "equate",
        cmd_equate,
        "Fit linear equatings of parallel forms onto each "
        "assessment's reference form from scored attempts (random-groups design).",
    )
    p.add_argument(
        "--min-attempts",
        type=int,
        default=200,
        help="scored attempts needed on each form (default 200)",
    )
    p.add_argument("--method", choices=["linear", "mean"], default="linear")
    org_help = "organization slug (default: the global model)"
    p = add(
        "train",
        cmd_train,
        "Train a readiness model; real outcomes when there are "
        "CHARTREADY_READINESS_MIN_REAL_OUTCOMES of them, else the simulated prior.",
    )
    p.add_argument("--organization", help=org_help)
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p = add("model-card", cmd_model_card, "Print a readiness model's card.")
    p.add_argument("--organization", help=org_help)
    p.add_argument("--version", help="model version (default: the active one)")
    p = add(
        "model-rollback",
        cmd_model_rollback,
        "Retire the active readiness model and re-activate the previous one.",
    )
    p.add_argument("--organization", help=org_help)
    p.add_argument("--reason", default="rollback", help="why (kept with the activation)")
