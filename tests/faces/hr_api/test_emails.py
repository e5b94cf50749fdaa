"""Invitation e-mails: sent by a job over SMTP to a real SMTP server run here (aiosmtpd),
plain text and HTML with the organization, deadline and accommodation route; a refused
recipient shows as bounced on the invitation; without SMTP the outbox keeps the message for
staff; one reminder before expiry."""

from __future__ import annotations

import email
import email.policy
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from litestar.testing import AsyncTestClient

from scripts.ports import free_port
from service.app import create_app
from service.delivery.reminders import queue_reminders
from tests.conftest import make_settings
from tests.faces.hr_api.helpers import new_candidate, new_invitation
from tests.jobs.helpers import wait_for, worker_in_process
from tests.results.factories import staff_headers


class Mailbox:
    """What the SMTP server accepted; refuses recipients at bounce.example.org."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_RCPT(  # noqa: N802
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.endswith("@bounce.example.org"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
    ) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on a free loopback port."""
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def smtp_settings(db_url: str, port: int) -> Any:
    return make_settings(
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls="none",
        email_sender="Acme Hiring <hiring@acme.example>",
    )


async def test_invitations_are_mailed_and_bounces_show(
    smtp_server: tuple[Mailbox, int],
    db_url: str,
    pool: asyncpg.Pool,
    auth: dict[str, str],
) -> None:
    mailbox, port = smtp_server
    settings = smtp_settings(db_url, port)
    async with AsyncTestClient(app=create_app(settings)) as client:
        good = await new_candidate(client, auth)
        bad = await new_candidate(client, auth, email="nobody@bounce.example.org")
        sent = await new_invitation(client, auth, good["id"])
        bounced = await new_invitation(client, auth, bad["id"])
        assert sent["email"] == "queued"
        async with worker_in_process(settings, pool):
            await wait_for(
                pool, "SELECT count(*) = 2 FROM outbound_emails WHERE status IN ('sent', 'bounced')"
            )
        [message] = mailbox.messages
        assert message["To"] == "rosa@example.org"
        assert message["From"] == "Acme Hiring <hiring@acme.example>"
        assert "Test Health" in message["Subject"]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for part in (text, html):
            assert "Test Health" in part and "UTC" in part  # organization and deadline
            assert "accommodation" in part.lower()
        assert sent["url"] in text and sent["url"] in html
        ok = (await client.get(f"/api/v1/invitations/{sent['id']}", headers=auth)).json()
        assert ok["email"]["status"] == "sent" and ok["email"]["sent_at"]
        no = (await client.get(f"/api/v1/invitations/{bounced['id']}", headers=auth)).json()
        assert no["email"]["status"] == "bounced"
        assert "550" in no["email"]["last_error"]


async def test_a_down_mail_server_means_retries_not_loss(
    db_url: str, pool: asyncpg.Pool, auth: dict[str, str]
) -> None:
    settings = smtp_settings(db_url, free_port())  # nothing listens there
    async with AsyncTestClient(app=create_app(settings)) as client:
        candidate = await new_candidate(client, auth)
        issued = await new_invitation(client, auth, candidate["id"])
        async with worker_in_process(settings, pool):
            await wait_for(pool, "SELECT attempts = 1 FROM outbound_emails")
        view = (await client.get(f"/api/v1/invitations/{issued['id']}", headers=auth)).json()
        assert view["email"]["status"] == "queued" and view["email"]["attempts"] == 1
        assert view["email"]["last_error"]
        assert (
            await pool.fetchval(
                "SELECT count(*) FROM procrastinate_jobs WHERE "
                "task_name = 'send_email' AND status = 'todo'"
            )
            == 1
        )


async def test_without_smtp_staff_read_the_outbox(
    client: AsyncTestClient,  # type: ignore[type-arg]
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    auth: dict[str, str],
) -> None:
    candidate = await new_candidate(client, auth)
    issued = await new_invitation(client, auth, candidate["id"])
    assert issued["email"] == "outbox"
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'send_email'"
        )
        == 0
    )
    headers = await staff_headers(client, pool, org_id, "coordinator", "c@example.org")
    [message] = (await client.get("/staff/outbox", headers=headers)).json()
    assert message["to"] == "rosa@example.org" and message["kind"] == "invitation"
    assert issued["url"] in message["text"] and issued["url"] in message["html"]


async def test_one_reminder_before_expiry(
    client: AsyncTestClient,  # type: ignore[type-arg]
    pool: asyncpg.Pool,
    auth: dict[str, str],
) -> None:
    candidate = await new_candidate(client, auth)
    issued = await new_invitation(client, auth, candidate["id"])
    async with pool.acquire() as conn:
        assert await queue_reminders(conn, hours_before=48, smtp=False) == 0  # too early
        await conn.execute(
            "UPDATE invitations SET created_at = now() - interval '10 days', "
            "expires_at = now() + interval '1 day'"
        )
        assert await queue_reminders(conn, hours_before=48, smtp=False) == 1
        assert await queue_reminders(conn, hours_before=48, smtp=False) == 0  # only one
    view = (await client.get(f"/api/v1/invitations/{issued['id']}", headers=auth)).json()
    assert view["email"]["kind"] == "reminder"
