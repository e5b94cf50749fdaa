"""The item bank this process serves: loaded once at start, shared by every request."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from litestar.datastructures import State
from litestar.di import NamedDependency

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content

if TYPE_CHECKING:
    from litestar import Litestar

CurrentContent = NamedDependency[ContentVersion]
"""Annotate a handler parameter named ``content`` with this to get the loaded item bank."""


@asynccontextmanager
async def content_lifespan(app: Litestar) -> AsyncGenerator[None, None]:
    """Load and validate rubrics/ once; a broken item bank stops the start-up."""
    app.state.content = load_content()
    yield


def provide_content(state: State) -> ContentVersion:
    """Dependency ``content``."""
    content: ContentVersion = state.content
    return content
