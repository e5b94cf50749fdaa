"""`chartready invite` and `chartready sweep`, and the demo's invitation links (one per package).

Heavy imports happen inside the commands, so `chartready --help` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from typing import TYPE_CHECKING

from service.cli.common import Add, database_url

if TYPE_CHECKING:
    import asyncpg

    from service.delivery.invitations import IssuedInvitation
    from service.ground.settings import Settings

DEMO_CANDIDATE = "demo-candidate"


async def _candidate(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    email: str,
    name: tuple[str, str],
    external_id: str | None = None,
) -> uuid.UUID:
    """The organization's candidate with this email (or external id), created if missing
    (the rule lives in ``service.tenancy.candidates.find_or_create_candidate``)."""
    from service.tenancy.candidates import NewCandidate, find_or_create_candidate  # noqa: PLC0415

    found, _ = await find_or_create_candidate(
        conn,
        organization_id,
        NewCandidate(given_name=name[0], family_name=name[1], email=email, external_id=external_id),
    )
    return found


async def seed_demo_invitations(
    conn: asyncpg.Connection, organization_id: uuid.UUID, base_url: str
) -> list[tuple[str, str]]:
    """A fresh invitation for the demo candidate to each package of the bank (clerk screening,
    coding track); returns (package title, URL) pairs."""
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.delivery.invitations import NewInvitation, create_invitation  # noqa: PLC0415

    content = load_content()
    candidate_id = await _candidate(
        conn,
        organization_id,
        "demo.candidate@example.org",
        ("Dana", "Demo"),
        external_id=DEMO_CANDIDATE,
    )
    links = []
    for package in content.packages.values():
        issued = await create_invitation(
            conn,
            organization_id,
            NewInvitation(candidate_id=candidate_id, package=package.id),
            content=content,
            base_url=base_url,
            created_by="demo",
        )
        links.append((package.title, issued.url))
    return links


def add_invite_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `chartready invite`."""
    parser.add_argument("--org", required=True, help="organization slug")
    parser.add_argument("--email", required=True, help="candidate email (found or created)")
    parser.add_argument("--name", default="Candidate", help="candidate's full name when new")
    offer = parser.add_mutually_exclusive_group()
    offer.add_argument(
        "--package", help="a package of assessments: clerk (the default) or coding_track"
    )
    offer.add_argument("--assessments", help="comma-separated assessment ids instead of a package")
    parser.add_argument("--days", type=int, default=14, help="days until the link expires")
    timing = parser.add_mutually_exclusive_group()
    timing.add_argument("--time-multiplier", type=float, help="extra time, e.g. 1.5")
    timing.add_argument("--untimed", action="store_true", help="no time limit")


async def _invite(url: str, args: argparse.Namespace, base_url: str) -> IssuedInvitation:
    import asyncpg  # noqa: PLC0415

    from service.assessments.content import load_content  # noqa: PLC0415
    from service.delivery.invitations import NewInvitation, create_invitation  # noqa: PLC0415

    content = load_content()
    conn = await asyncpg.connect(url)
    try:
        org_id = await conn.fetchval("SELECT id FROM organizations WHERE slug = $1", args.org)
        if org_id is None:
            raise SystemExit(f"chartready invite: no organization with slug {args.org!r}")
        given, _, family = args.name.strip().partition(" ")
        async with conn.transaction():
            candidate_id = await _candidate(
                conn, org_id, args.email, (given or "Candidate", family or "-")
            )
            issued = await create_invitation(
                conn,
                org_id,
                NewInvitation(
                    candidate_id=candidate_id,
                    assessments=(
                        [a.strip() for a in args.assessments.split(",")]
                        if args.assessments
                        else None
                    ),
                    package=None if args.assessments else (args.package or "clerk"),
                    expires_in_days=args.days,
                    time_multiplier=args.time_multiplier,
                    untimed=args.untimed,
                ),
                content=content,
                base_url=base_url,
                created_by="cli",
            )
    finally:
        await conn.close()
    return issued


def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Create an invitation and print its link (shown only this once); its id, for
    `chartready invite-revoke`, goes to stderr so stdout stays the link alone."""
    issued = asyncio.run(_invite(database_url(settings), args, settings.public_base_url))
    print(issued.url)
    print(
        f"invitation {issued.id} (revoke with `chartready invite-revoke --org {args.org} "
        f"{issued.id}`)",
        file=sys.stderr,
    )
    return 0


def cmd_sweep(args: argparse.Namespace, settings: Settings) -> int:
    """Finalize and score every attempt whose time ran out; print how many."""
    from service.delivery.sweeper import sweep_database  # noqa: PLC0415
    from service.readiness.estimates import thresholds_of  # noqa: PLC0415

    done = asyncio.run(sweep_database(database_url(settings), thresholds_of(settings)))
    print(f"finalized {done} expired attempt(s)")
    return 0


def register(add: Add) -> None:
    """The commands of this module."""
    add_invite_arguments(add("invite", cmd_invite, "Invite a candidate; print the link once."))
    add("sweep", cmd_sweep, "Finalize and score attempts whose time has run out.")
