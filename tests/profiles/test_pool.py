"""The render pool: real PDFs from worker processes, rendered concurrently, workers recycled."""

from __future__ import annotations

import asyncio
import io
import os

import pypdf
import pytest

from service.profiles.pool import RenderPool, worker_rss_mb
from service.profiles.render import RenderRequest
from service.profiles.sample import sample_profile
from service.profiles.signing import ProfileSigner, generate_seed

SIGNER = ProfileSigner.from_settings(generate_seed())


def _request(name: str) -> RenderRequest:
    signed = SIGNER.sign(sample_profile(candidate_name=name))
    return RenderRequest(
        canonical=signed.canonical,
        signature=signed.signature,
        key_id=signed.key_id,
        sha256=signed.sha256,
        public_base_url="https://x.example",
    )


@pytest.mark.slow
async def test_pool_renders_concurrently_in_other_processes() -> None:
    names = ["Ana Ruiz", "Ben Okafor", "Chen Wei"]
    async with RenderPool(workers=2, max_tasks_per_child=2) as pool:
        await pool.warm()
        pdfs = await asyncio.gather(*(pool.render(_request(n)) for n in names))
        assert 0 < await pool.worker_rss_mb() < 1024
    for name, pdf in zip(names, pdfs, strict=True):
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        assert name.encode() in reader.attachments["profile.json"][0]
        assert name.split()[0] in reader.pages[0].extract_text()


@pytest.mark.slow
async def test_workers_are_replaced_after_max_tasks() -> None:
    async with RenderPool(workers=1, max_tasks_per_child=2) as pool:
        pids = [await asyncio.wrap_future(pool._executor.submit(os.getpid)) for _ in range(4)]
    assert os.getpid() not in pids
    assert pids[0] == pids[1] != pids[2] == pids[3]


def test_worker_rss_reads_this_process() -> None:
    assert worker_rss_mb() > 10
