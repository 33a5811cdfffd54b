"""Fixtures the integration tests share: the fake GitHub, and the real adapter on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.adapters.github import GitHubAdapter
from tests.fakes.github import FakeGitHub
from tests.integration.on_fake import REPO, adapter_on


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    """The fake GitHub with one repository (a config file) and pull #3 by alice; a test file
    may define its own."""
    fake = FakeGitHub(app_id=42)
    fake.add_repo(REPO, installation_id=7, files={".github/baton.yml": "version: 1\n"})
    fake.add_pull(REPO, number=3, head_files={"app.py": "x = 1\n"}, author="alice")
    with fake.serve():
        yield fake


@pytest.fixture
def github(fake: FakeGitHub) -> GitHubAdapter:
    return adapter_on(fake)
