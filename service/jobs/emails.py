"""Sending candidate e-mails over SMTP (aiosmtplib): one ``send_email`` job per queued
message (deferred by the row's trigger in the transaction that queued it).

A refused recipient is a bounce (no retry); other failures (the server unreachable, a
temporary 4xx) retry with backoff for about a day, then the message is marked failed. Both
show on the invitation (``email.status``)."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import procrastinate

from service.delivery.emails import compose, email_to_send, facts_of, mark_email
from service.ground.settings import Settings
from service.jobs.engine import app
from service.jobs.retry import Backoff, PermanentJobError
from service.jobs.runtime import runtime_of

EMAIL_RETRY = Backoff(attempts=10, first=30, cap=4 * 3600)
"""30 s doubling to 4 h: about 20 hours of tries."""


class Bounced(PermanentJobError):
    """The mail server refused the recipient."""


class SendFailed(Exception):
    """The message could not be handed to the mail server this time."""


async def deliver(settings: Settings, message: EmailMessage) -> None:
    """Hand one message to the configured SMTP server."""
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        use_tls=settings.smtp_tls == "tls",
        start_tls=settings.smtp_tls == "starttls",
        timeout=settings.smtp_timeout_seconds,
    )


@app.task(name="send_email", queue="emails", pass_context=True, retry=EMAIL_RETRY)
async def send_email(context: procrastinate.JobContext, *, email: str) -> str | None:
    """Send one queued message; returns its new status (None when nothing was queued)."""
    runtime = runtime_of(context)
    settings = runtime.settings
    email_id = uuid.UUID(email)
    async with runtime.pool.acquire() as conn:
        row = await email_to_send(conn, email_id)
        if row is None:
            return None
        if not settings.smtp_configured:  # SMTP was switched off: keep it for staff
            await conn.execute(
                "UPDATE outbound_emails SET status = 'outbox' WHERE id = $1", email_id
            )
            return "outbox"
        composed = compose(row["kind"], facts_of(row), runtime.content)
        message = EmailMessage()
        message["From"] = settings.email_sender
        message["To"] = composed.to
        message["Subject"] = composed.subject
        message["Message-ID"] = make_msgid(
            domain=settings.email_sender.rsplit("@", 1)[-1].strip(">")
        )
        message.set_content(composed.text)
        message.add_alternative(composed.html, subtype="html")
        final = (context.job.attempts + 1 if context.job else 1) >= EMAIL_RETRY.attempts
        try:
            await deliver(settings, message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await mark_email(
                conn,
                email_id,
                "bounced",
                error=f"recipient refused by the mail server ({_codes(exc)})",
            )
            raise Bounced("recipient refused") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {getattr(exc, 'code', '')}".rstrip(": ")
            await mark_email(conn, email_id, "failed" if final else "queued", error=error)
            raise SendFailed(error) from None
        await mark_email(conn, email_id, "sent")
    return "sent"


def _codes(exc: aiosmtplib.SMTPRecipientsRefused) -> str:
    return ", ".join(str(r.code) for r in exc.recipients) or "no code"
