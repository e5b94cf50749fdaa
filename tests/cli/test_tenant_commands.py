"""Tenant administration from the CLI: an operator creates an organization, a staff user and
an HR API key, the key and the password work through the app, the key is listed without
its secret, revoking it locks it out at once, and every change is in the audit log."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.web.test_error_shape import assert_problem


async def chartready(db_url: str, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run `chartready ARGS` against the test database; (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        *args,
        env={**os.environ, "DATABASE_URL": db_url},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate(stdin.encode() if stdin is not None else None)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.slow
async def test_an_operator_onboards_a_tenant_from_the_command_line(
    db_url: str,
    client: AsyncTestClient,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
) -> None:
    code, out, err = await chartready(db_url, "org-create", "riverside-health", "Riverside Health")
    assert code == 0, err
    assert "riverside-health created" in out
    code, _, err = await chartready(db_url, "org-create", "riverside-health", "Again")
    assert code == 1 and "already exists" in err
    code, _, err = await chartready(db_url, "org-create", "Bad Slug!", "X")
    assert code == 1 and "slug" in err

    code, out, err = await chartready(
        db_url,
        "user-create",
        "--org",
        "riverside-health",
        "--email",
        "Lee@Riverside.example",
        "--name",
        "Lee Admin",
        "--role",
        "admin",
        "--password-stdin",
        stdin="correct horse battery staple\n",
    )
    assert code == 0, err
    assert "staple" not in out  # a password given is never echoed
    signed = await client.post(
        "/staff/session",
        json={
            "organization": "riverside-health",
            "email": "lee@riverside.example",
            "password": "correct horse battery staple",
        },
    )
    assert signed.status_code == 201 and signed.json()["role"] == "admin"
    assert signed.json()["password_change_required"] is False  # the owner typed it
    code, out, err = await chartready(
        db_url,
        "user-create",
        "--org",
        "riverside-health",
        "--email",
        "rae@riverside.example",
        "--name",
        "Rae Rater",
        "--role",
        "rater",
    )
    assert code == 0, err
    generated = out.split("password (shown once): ", 1)[1].strip()
    assert len(generated) >= 12
    client.cookies.clear()
    rae = await client.post(
        "/staff/session",
        json={
            "organization": "riverside-health",
            "email": "rae@riverside.example",
            "password": generated,
        },
    )
    # printed to whoever ran the command, so Rae must choose her own before anything else
    assert rae.json()["role"] == "rater" and rae.json()["password_change_required"] is True
    code, _, err = await chartready(
        db_url,
        "user-create",
        "--org",
        "riverside-health",
        "--email",
        "x@riverside.example",
        "--name",
        "X",
        "--role",
        "rater",
        "--password-stdin",
        stdin="short\n",
    )
    assert code == 1 and "at least 12" in err

    code, out, err = await chartready(
        db_url,
        "api-key-create",
        "--org",
        "riverside-health",
        "--name",
        "Greenhouse",
        "--scopes",
        "candidates:read,results:read",
    )
    assert code == 0, err
    secret = out.split()[0]
    prefix = secret.split("_")[1]
    api = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/v1/candidates", headers=api)).status_code == 200
    assert_problem(
        await client.post(
            "/api/v1/candidates",
            headers=api,
            json={"given_name": "A", "family_name": "B", "email": "a@b.example"},
        ),
        403,
    )  # scoped
    stored = await pool.fetchval("SELECT secret_sha256 FROM api_keys WHERE prefix = $1", prefix)
    assert bytes(stored) == hashlib.sha256(secret.encode()).digest()  # only the hash is kept
    code, _, err = await chartready(
        db_url,
        "api-key-create",
        "--org",
        "riverside-health",
        "--name",
        "X",
        "--scopes",
        "everything",
    )
    assert code == 1 and "scopes must be among" in err

    code, out, err = await chartready(db_url, "api-key-list", "--org", "riverside-health")
    assert code == 0, err
    assert prefix in out and "Greenhouse" in out and "live" in out
    # The random part of the secret (it may itself hold "_", so cut after the prefix).
    assert secret not in out and secret.removeprefix(f"crk_{prefix}_") not in out

    code, out, err = await chartready(db_url, "api-key-revoke", "--org", "riverside-health", prefix)
    assert code == 0, err
    assert_problem(await client.get("/api/v1/candidates", headers=api), 401)
    code, out, _ = await chartready(db_url, "api-key-list", "--org", "riverside-health")
    assert "revoked" in out
    code, _, err = await chartready(db_url, "api-key-revoke", "--org", "riverside-health", prefix)
    assert code == 1 and "no live API key" in err
    code, _, err = await chartready(db_url, "api-key-list", "--org", "nowhere")
    assert code == 1 and "no organization" in err

    actions = [
        r["action"]
        for r in await pool.fetch(
            """SELECT a.action FROM audit_log a JOIN organizations o ON o.id = a.organization_id
           WHERE o.slug = 'riverside-health' AND a.actor = 'cli' ORDER BY a.id"""
        )
    ]
    assert actions == [
        "organization.create",
        "user.create",
        "user.create",
        "api_key.create",
        "api_key.revoke",
    ]
