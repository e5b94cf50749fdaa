"""Cohort rendering jobs: progress, per-item failures, resumption after a restart."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import msgspec

from service.profiles.data import Variant
from service.profiles.issue import new_profile_id
from service.profiles.jobs import (
    BuiltProfile,
    ProfileJobRunner,
    create_cohort_job,
    job_progress,
    resume_open_jobs,
    run_job,
)
from service.profiles.sample import sample_profile
from service.profiles.signing import ProfileSigner, generate_seed
from tests.profiles.helpers import CountingRenderer, seed_candidate

SIGNER = ProfileSigner.from_settings(generate_seed())


async def _cohort(conn: asyncpg.Connection, org_id: uuid.UUID, size: int) -> tuple[uuid.UUID,
                                                                                    list[uuid.UUID]]:
    cohort_id = uuid.uuid4()
    await conn.execute("INSERT INTO cohorts (id, organization_id, name) VALUES ($1, $2, $3)",
                       cohort_id, org_id, f"Cohort {cohort_id.hex[:6]}")
    members = [await seed_candidate(conn, org_id) for _ in range(size)]
    await conn.executemany(
        "INSERT INTO cohort_members (organization_id, cohort_id, candidate_id) "
        "VALUES ($1, $2, $3)", [(org_id, cohort_id, m) for m in members])
    return cohort_id, members


def _builder(no_results: set[uuid.UUID], broken: set[uuid.UUID]):  # type: ignore[no-untyped-def]
    async def build(conn: asyncpg.Connection, org_id: uuid.UUID, candidate_id: uuid.UUID,
                    variant: Variant) -> BuiltProfile | None:
        if candidate_id in broken:
            raise RuntimeError("scoring data inconsistent")
        if candidate_id in no_results:
            return None
        data = sample_profile(variant=variant, candidate_name=f"Candidate {candidate_id.hex[:4]}")
        return BuiltProfile(data=msgspec.structs.replace(data, profile_id=new_profile_id()))

    return build


async def test_job_renders_each_member_and_counts_failures(pool: asyncpg.Pool,
                                                          org_id: uuid.UUID) -> None:
    renderer = CountingRenderer()
    async with pool.acquire() as conn:
        cohort_id, members = await _cohort(conn, org_id, 5)
        job = await create_cohort_job(conn, organization_id=org_id, cohort_id=cohort_id,
                                      variant="employer", created_by="coordinator@x")
    assert (job.total, job.done, job.status, job.percent) == (5, 0, "queued", 0.0)
    runner = ProfileJobRunner(pool=pool, build=_builder({members[0]}, {members[1]}),
                              signer=SIGNER, renderer=renderer, public_base_url="https://x")
    await run_job(runner, job.id)
    async with pool.acquire() as conn:
        progress = await job_progress(conn, org_id, job.id)
        items = await conn.fetch("SELECT candidate_id, status, profile_id, error "
                                 "FROM profile_job_items WHERE job_id = $1", job.id)
        profiles = await conn.fetchval("SELECT count(*) FROM profiles WHERE organization_id = $1",
                                       org_id)
    assert progress is not None
    assert (progress.done, progress.failed, progress.status, progress.percent) == (3, 2, "done",
                                                                                 100.0)
    assert len(renderer.calls) == 3 and profiles == 3
    by_candidate = {row["candidate_id"]: row for row in items}
    assert by_candidate[members[0]]["error"] == "no scored results to report yet"
    assert "scoring data inconsistent" in by_candidate[members[1]]["error"]
    assert all(by_candidate[m]["profile_id"] is not None for m in members[2:])


async def test_open_jobs_resume_after_a_restart(pool: asyncpg.Pool, org_id: uuid.UUID) -> None:
    async with pool.acquire() as conn:
        cohort_id, members = await _cohort(conn, org_id, 3)
        job = await create_cohort_job(conn, organization_id=org_id, cohort_id=cohort_id,
                                      variant="candidate", created_by="coordinator@x")
        # As if a previous process finished one item and died while "running".
        await conn.execute("UPDATE profile_jobs SET status = 'running', done = 1 WHERE id = $1",
                           job.id)
        await conn.execute("UPDATE profile_job_items SET status = 'done' "
                           "WHERE job_id = $1 AND candidate_id = $2", job.id, members[0])
    renderer = CountingRenderer()
    runner = ProfileJobRunner(pool=pool, build=_builder(set(), set()), signer=SIGNER,
                              renderer=renderer, public_base_url="https://x")
    tasks = await resume_open_jobs(runner)
    await asyncio.gather(*tasks)
    async with pool.acquire() as conn:
        progress = await job_progress(conn, org_id, job.id)
        assert await job_progress(conn, uuid.uuid4(), job.id) is None  # tenancy
    assert progress is not None and (progress.done, progress.status) == (3, "done")
    assert len(renderer.calls) == 2  # only the items left pending
