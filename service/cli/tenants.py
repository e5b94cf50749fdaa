"""Tenant administration from the command line: organizations, staff users, HR API keys.

Secrets (API keys, generated passwords) are printed once and stored only hashed; every
change is written to the audit log with the actor ``cli``. Heavy imports happen inside the
commands, so `chartready --help` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from service.auth.roles import ROLES
from service.cli.common import Add, with_database

if TYPE_CHECKING:
    import asyncpg

ACTOR = "cli"


class AdminError(Exception):
    """A problem the operator can fix; printed without a trace."""


def _run(url: str, action: Callable[[asyncpg.Connection], Awaitable[str]]) -> int:
    """Run ``action`` in one transaction; print its output, or the problem and exit 1."""
    import asyncpg  # noqa: PLC0415

    async def run() -> str:
        conn = await asyncpg.connect(url)
        try:
            async with conn.transaction():
                return await action(conn)
        finally:
            await conn.close()

    try:
        print(asyncio.run(run()))
    except (AdminError, ValueError) as problem:
        print(f"chartready: {problem}", file=sys.stderr)
        return 1
    except asyncpg.UniqueViolationError:
        print("chartready: that already exists", file=sys.stderr)
        return 1
    return 0


async def _org(conn: asyncpg.Connection, slug: str) -> uuid.UUID:
    from service.tenancy.organizations import organization_id  # noqa: PLC0415

    found = await organization_id(conn, slug)
    if found is None:
        raise AdminError(f"no organization with slug {slug!r}")
    return found


async def _audit(
    conn: asyncpg.Connection, org: uuid.UUID, action: str, kind: str, subject: object
) -> None:
    from service.tenancy import audit  # noqa: PLC0415

    await audit.record(conn, org, actor=ACTOR, action=action, subject_kind=kind, subject_id=subject)


def org_create(args: argparse.Namespace, url: str) -> int:
    """Create an organization (a tenant)."""
    from service.tenancy.organizations import create_organization  # noqa: PLC0415

    async def action(conn: asyncpg.Connection) -> str:
        org = await create_organization(conn, args.slug, args.name)
        await _audit(conn, org, "organization.create", "organization", org)
        return f"organization {args.slug} created ({org})"

    return _run(url, action)


def user_create(args: argparse.Namespace, url: str) -> int:
    """Create a staff user; the password comes from stdin or is generated and shown once."""
    from service.auth.staff import create_staff_user  # noqa: PLC0415

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    generated = password is None
    password = password or secrets.token_urlsafe(15)

    async def action(conn: asyncpg.Connection) -> str:
        org = await _org(conn, args.org)
        user = await create_staff_user(
            conn,
            org,
            email=args.email,
            display_name=args.name,
            role=args.role,
            password=password,
            generated=generated,  # printed here, so its owner chooses their own at sign-in
        )
        await _audit(conn, org, "user.create", "user", user)
        shown = f"\npassword (shown once): {password}" if generated else ""
        return f"{args.role} {args.email} created in {args.org}{shown}"

    return _run(url, action)


def api_key_create(args: argparse.Namespace, url: str) -> int:
    """Mint an HR API key with the given scopes; its secret is shown once."""
    from service.auth.api_keys import SCOPES, create_api_key  # noqa: PLC0415

    scopes = sorted({s.strip() for s in args.scopes.split(",") if s.strip()})

    async def action(conn: asyncpg.Connection) -> str:
        if not scopes or set(scopes) - SCOPES:
            raise AdminError(f"scopes must be among {', '.join(sorted(SCOPES))}")
        org = await _org(conn, args.org)
        key = await create_api_key(conn, org, args.name, scopes)
        await _audit(conn, org, "api_key.create", "api_key", key.id)
        return (
            f"{key.secret}\n(shown once; scopes {', '.join(key.scopes)}; revoke with "
            f"`chartready api-key-revoke --org {args.org} {key.secret.split('_')[1]}`)"
        )

    return _run(url, action)


def api_key_list(args: argparse.Namespace, url: str) -> int:
    """List an organization's keys (never their secrets)."""
    from service.auth.api_keys import list_api_keys  # noqa: PLC0415

    async def action(conn: asyncpg.Connection) -> str:
        keys = await list_api_keys(conn, await _org(conn, args.org))
        lines = [f"{'prefix':10} {'name':24} {'state':8} {'last used':20} scopes"]
        for key in keys:
            state = "revoked" if key.revoked_at else "live"
            used = key.last_used_at.strftime("%Y-%m-%d %H:%M") if key.last_used_at else "never"
            lines.append(
                f"{key.prefix:10} {key.name[:24]:24} {state:8} {used:20} {','.join(key.scopes)}"
            )
        return "\n".join(lines) if keys else "no API keys"

    return _run(url, action)


def api_key_revoke(args: argparse.Namespace, url: str) -> int:
    """Revoke a live key by its prefix; it stops working at once, in every worker."""
    from service.auth.api_keys import revoke_api_key  # noqa: PLC0415

    async def action(conn: asyncpg.Connection) -> str:
        org = await _org(conn, args.org)
        key_id = await revoke_api_key(conn, org, args.prefix)
        if key_id is None:
            raise AdminError(f"no live API key with prefix {args.prefix!r} in {args.org}")
        await _audit(conn, org, "api_key.revoke", "api_key", key_id)
        return f"API key {args.prefix} revoked"

    return _run(url, action)


def invite_revoke(args: argparse.Namespace, url: str) -> int:
    """Revoke an invitation link by its id; it stops working at once."""
    from service.delivery.revocation import revoke_invitation  # noqa: PLC0415
    from service.ground.errors import NotFound  # noqa: PLC0415

    async def action(conn: asyncpg.Connection) -> str:
        org = await _org(conn, args.org)
        try:
            invitation = uuid.UUID(args.invitation_id)
            revoked = await revoke_invitation(conn, org, invitation, actor=ACTOR)
        except (ValueError, NotFound):
            raise AdminError(f"no invitation {args.invitation_id} in {args.org}") from None
        return f"invitation {revoked.id} revoked at {revoked.revoked_at:%Y-%m-%d %H:%M:%S %Z}"

    return _run(url, action)


def register(add: Add) -> None:
    """The commands of this module; each receives the database URL."""
    handler = with_database
    p = add("org-create", handler(org_create), "Create an organization (a tenant).")
    p.add_argument("slug", help="short name used in sign-in, e.g. riverside-health")
    p.add_argument("name", help="display name, e.g. 'Riverside Health'")
    p = add(
        "user-create",
        handler(user_create),
        "Create a staff user; prints a generated password once unless --password-stdin.",
    )
    p.add_argument("--org", required=True, help="organization slug")
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin",
    )
    p = add(
        "api-key-create",
        handler(api_key_create),
        "Mint an HR API key for an organization; prints the secret once.",
    )
    p.add_argument("--org", required=True, help="organization slug")
    p.add_argument("--name", required=True, help="what uses it, e.g. 'Greenhouse'")
    p.add_argument(
        "--scopes",
        required=True,
        help="comma-separated, e.g. "
        "candidates:read,candidates:write,invitations:write,results:read",
    )
    p = add("api-key-list", handler(api_key_list), "List an organization's API keys.")
    p.add_argument("--org", required=True, help="organization slug")
    p = add(
        "api-key-revoke",
        handler(api_key_revoke),
        "Revoke an API key by its prefix (the part after crk_); effective at once.",
    )
    p.add_argument("--org", required=True, help="organization slug")
    p.add_argument("prefix", help="the key's 8-character prefix")
    p = add(
        "invite-revoke",
        handler(invite_revoke),
        "Revoke an invitation link by its id (printed by `invite`); effective at once.",
    )
    p.add_argument("--org", required=True, help="organization slug")
    p.add_argument("invitation_id", help="the invitation's id")
