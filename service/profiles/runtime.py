"""Profile services for a running process: the signer and the render pool.

``service.web.profiles`` starts one for the app, the job worker one of its own (or shares
the app's when it runs in the same process); benchmarks build their own.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg

from service.profiles import repository
from service.profiles.data import ProfileData
from service.profiles.issue import issue_profile
from service.profiles.pool import RenderPool
from service.profiles.signing import ProfileSigner, load_or_create_seed

if TYPE_CHECKING:
    from service.ground.settings import Settings

SIGNING_KEY_FILE = "profile-signing-key"


def signer_from_settings(settings: Settings) -> ProfileSigner:
    """The signer from CHARTREADY_PROFILE_SIGNING_KEY, or from a seed kept in the data dir."""
    seed = settings.profile_signing_key or load_or_create_seed(
        Path(settings.data_dir) / SIGNING_KEY_FILE
    )
    return ProfileSigner.from_settings(seed, settings.profile_verify_keys)


class ProfileRuntime:
    """What issuing a profile needs: the signer, the render pool and the public base URL."""

    def __init__(
        self, *, signer: ProfileSigner, render_pool: RenderPool, public_base_url: str
    ) -> None:
        self.signer = signer
        self.render_pool = render_pool
        self.public_base_url = public_base_url

    @classmethod
    def from_settings(cls, settings: Settings) -> ProfileRuntime:
        """A runtime with its own render pool (close it with ``close``)."""
        return cls(
            signer=signer_from_settings(settings),
            render_pool=RenderPool(workers=settings.pdf_workers),
            public_base_url=settings.public_base_url,
        )

    def close(self) -> None:
        """Stop the render workers (blocking; call off the event loop)."""
        self.render_pool.close()

    async def issue(
        self,
        conn: asyncpg.Connection,
        *,
        organization_id: uuid.UUID,
        candidate_id: uuid.UUID,
        attempt_id: uuid.UUID | None,
        data: ProfileData,
    ) -> repository.StoredProfile:
        """Sign, render (in the pool) and store ``data``, or return the identical stored one."""
        return await issue_profile(
            conn,
            organization_id=organization_id,
            candidate_id=candidate_id,
            attempt_id=attempt_id,
            data=data,
            signer=self.signer,
            renderer=self.render_pool,
            public_base_url=self.public_base_url,
        )
