"""uvicorn's HTTP protocol with a deadline for request headers (slow-client defence).

uvicorn closes idle keep-alive connections, but a connection that never finishes its
request headers (or trickles a byte every few seconds: "slowloris") stays open for as long
as the client likes, each one holding a socket and memory. This protocol gives every
request CHARTREADY_HEADER_TIMEOUT seconds, counted from the connection or from the first
byte after the previous response, to complete its headers; otherwise the connection is
closed. Bodies and responses are unaffected. In production a reverse proxy in front adds
its own limits (README, "Production").
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.ground.settings import load_settings


@cache
def configured_header_timeout() -> float:
    """CHARTREADY_HEADER_TIMEOUT, read once per worker process: uvicorn builds protocols
    itself, and `serve` hands every worker its settings through the environment."""
    return load_settings().header_timeout


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that closes connections whose request headers are too slow."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = configured_header_timeout()
        self._header_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(
                self.header_timeout, self._headers_too_slow
            )

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection must send complete headers in time."""
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Bytes while no request is being answered start (or continue) a header deadline."""
        if self.cycle is None or self.cycle.response_complete:
            self._arm()
        super().data_received(data)

    def on_headers_complete(self) -> None:
        """Headers arrived in time."""
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """Nothing to wait for any more."""
        self._disarm()
        super().connection_lost(exc)
