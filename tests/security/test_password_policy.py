"""Finding 11: only the length of a new staff password was checked. Common, breached and
context-derived passwords are refused (NIST SP 800-63B 5.1.1.2), from the CLI too."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from service.auth.password_policy import WeakPassword, check_new_password
from service.auth.staff import create_staff_user
from tests.cli.test_tenant_commands import chartready

# Twelve characters or more, so the old length-only rule let each of them through.
REFUSED = [
    "password1234",
    "qwertyuiop123",
    "123456789012",
    "iloveyou1234",
    "Summer2024!!",
    "Password123!",
    "letmein12345",
    "baseball1234",
    "abcdefghijkl",
    "aaaaaaaaaaaa",
]


@pytest.mark.parametrize("password", REFUSED)
def test_common_and_breached_passwords_are_refused(password: str) -> None:
    assert len(password) >= 12
    with pytest.raises(WeakPassword, match="common, breached or too easy"):
        check_new_password(password)


def test_passwords_built_from_the_account_or_service_are_refused() -> None:
    with pytest.raises(WeakPassword):
        check_new_password("riversidehealth2024", context=("Riverside Health",))
    with pytest.raises(WeakPassword):
        check_new_password("alice.morgan1990", context=("alice.morgan@example.org",))
    with pytest.raises(WeakPassword):
        check_new_password("chartready2026!")


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "mauve-lantern-orbit-quiche", "Tq8#vL2m@Xp9!wRz"]
)
def test_strong_passwords_are_accepted(password: str) -> None:
    check_new_password(password, context=("alice@example.org", "Alice", "Riverside Health"))


async def test_the_service_and_the_cli_refuse_a_breached_password(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    db_url: str,  # type: ignore[type-arg]
) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(ValueError, match="breached"):
            await create_staff_user(
                conn,
                org_id,
                email="a@example.org",
                display_name="A",
                role="admin",
                password="password1234",
            )
    slug = await pool.fetchval("SELECT slug FROM organizations WHERE id = $1", org_id)
    code, out, err = await chartready(
        db_url,
        "user-create",
        "--org",
        slug,
        "--email",
        "b@example.org",
        "--name",
        "B",
        "--role",
        "admin",
        "--password-stdin",
        stdin="iloveyou1234\n",
    )
    assert code == 1 and "breached" in err and "iloveyou" not in out + err
    assert await pool.fetchval("SELECT count(*) FROM users") == 0
