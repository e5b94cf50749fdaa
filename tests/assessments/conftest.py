"""Fixtures for the engine's tests: the loaded fixture content tree."""

from __future__ import annotations

import pytest

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from tests.assessments.helpers import FIXTURE_ROOT


@pytest.fixture(scope="session")
def content() -> ContentVersion:
    """The fixture tree, loaded and validated once."""
    return load_content(FIXTURE_ROOT)
