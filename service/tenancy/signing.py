"""Signing webhooks and callbacks per Standard Webhooks (the ``standardwebhooks`` package):
``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` = ``v1,<base64 HMAC-SHA256 of
id.timestamp.body>``, one signature per valid secret (during a rotation: new and old)."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Sequence

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - a format prefix, not a secret


def new_signing_secret() -> str:
    """A fresh secret in the Standard Webhooks form ``whsec_<base64 of 32 random bytes>``."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_headers(
    valid_secrets: Sequence[str], message_id: str, timestamp: dt.datetime, body: str
) -> dict[str, str]:
    """The three headers of one signed request (space-separated signatures, newest first)."""
    signatures = [Webhook(s).sign(message_id, timestamp, body) for s in valid_secrets]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
