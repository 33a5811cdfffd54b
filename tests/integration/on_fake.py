"""The real GitHub adapter on the fake GitHub: the builder and constants integration tests share."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.adapters.github import GitHubAdapter, GitHubApp
from bot.adapters.github_retry import RequestRetries
from tests.fakes import keys
from tests.fakes.github import FakeGitHub

REPO = "octo/widgets"
FAST = RequestRetries(backoff=timedelta(0))  # retries without the waits between them


def adapter_on(fake: FakeGitHub, retry: RequestRetries = FAST, **options: Any) -> GitHubAdapter:
    """The real adapter, as App 42's installation 7, against the fake GitHub."""
    app = GitHubApp(42, keys.app_private_key(), fake.base_url, retry, **options)
    return app.for_installation(7)
