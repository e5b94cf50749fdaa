"""Where webhooks and callbacks may go: https to public addresses only, unless the operator
allows http and private addresses (tests, the demo: CHARTREADY_WEBHOOK_ALLOW_PRIVATE).

Checked twice: when a URL is registered (its form, and any literal address), and before
every request (what the name resolves to then), and the request goes to the address that
was checked, so a name that later resolves to an internal address gains nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import msgspec

from service.ground.errors import InvalidInput


class Target(msgspec.Struct, frozen=True):
    """A checked destination: the URL, and the address a request must connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_private: bool, field: str = "url") -> str:
    """The URL if its form is acceptable; InvalidInput naming ``field`` otherwise."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        raise InvalidInput("The URL is not valid", field=field) from None
    if parts.scheme not in ("https", "http") or not parts.hostname or not parts.hostname.isascii():
        raise InvalidInput("Give an absolute https:// URL", field=field)
    if parts.scheme != "https" and not allow_private:
        raise InvalidInput("Only https:// URLs are accepted", field=field)
    if parts.username or parts.password:
        raise InvalidInput("The URL must not carry credentials", field=field)
    host = parts.hostname
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not allow_private and not _public(host):
        raise InvalidInput("The URL points to a private or reserved address", field=field)
    if (
        literal is None
        and not allow_private
        and (host == "localhost" or host.endswith((".localhost", ".local", ".internal")))
    ):
        raise InvalidInput("The URL points to a private host name", field=field)
    return url


class BlockedTarget(Exception):
    """The destination is not allowed now (its name resolves to a private address)."""


async def resolve_target(url: str, *, allow_private: bool) -> Target:
    """Check ``url`` again and resolve its host to one allowed address."""
    try:
        check_url(url, allow_private=allow_private)
    except InvalidInput as exc:
        raise BlockedTarget(exc.detail) from None
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise BlockedTarget(f"the host name does not resolve ({type(exc).__name__})") from None
    addresses = [str(info[4][0]) for info in infos]
    allowed = [a for a in addresses if allow_private or _public(a)]
    if not allowed:
        raise BlockedTarget("the host name resolves to a private or reserved address")
    return Target(url=url, scheme=parts.scheme, host=host, port=port, address=allowed[0])
