"""Render PDFs in a pool of worker processes, never on the event loop.

WeasyPrint holds the GIL for a whole render (~0.3 s) and grows ~0.35 MiB per render, so
renders run in separate processes that are replaced after ``max_tasks_per_child`` renders to
bound memory. Workers are started with ``spawn`` (required with ``max_tasks_per_child``) and
warm themselves up (import WeasyPrint, render a tiny page) so the first real render is not
paying for the import.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import TypeVar

from service.profiles.render import RenderRequest, render_pdf_sync

T = TypeVar("T")
DEFAULT_WORKERS = 2
DEFAULT_MAX_TASKS_PER_CHILD = 100


def _warm_up() -> None:
    """Worker initializer: pay WeasyPrint's import and font set-up before the first job."""
    from weasyprint import HTML  # noqa: PLC0415 - only worker processes need it

    HTML(string="<p style='font-family: Liberation Sans'>warm</p>").write_pdf()


def worker_rss_mb() -> float:
    """Resident memory of the calling process in MiB (read from /proc; Linux only)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


class RenderPool:
    """A process pool that renders profile PDFs; use as an async context manager."""

    def __init__(
        self,
        workers: int = DEFAULT_WORKERS,
        *,
        max_tasks_per_child: int | None = DEFAULT_MAX_TASKS_PER_CHILD,
    ) -> None:
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm_up,
            max_tasks_per_child=max_tasks_per_child,
        )

    async def render(self, request: RenderRequest) -> bytes:
        """Render one profile PDF in a worker process."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, render_pdf_sync, request)

    async def run(self, render: Callable[[T], bytes], request: T) -> bytes:
        """Run another picklable render function (another document's PDF) in a worker."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, render, request)

    async def warm(self) -> None:
        """Start every worker now (each runs the warm-up) instead of on first use."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self._executor, os.getpid) for _ in range(self.workers))
        )

    async def worker_rss_mb(self) -> float:
        """Resident memory of one worker in MiB (for the benchmark and metrics)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, worker_rss_mb)

    def close(self) -> None:
        """Stop the workers, waiting for renders in progress to finish."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    async def __aenter__(self) -> RenderPool:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close)
