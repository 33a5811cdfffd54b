"""Where the App is installed: a repository's installation, asked with the App's own JWT.

Runs started by name (the HTTP API) name a repository, not an installation; GitHub tells which
installation covers it (`GET /repos/{owner}/{repo}/installation`).
"""

from __future__ import annotations

from githubkit import AppAuthStrategy, GitHub

from bot.adapters.github import ClientSettings
from bot.adapters.github_errors import raises_port_errors, unless_missing
from bot.settings import Settings


@raises_port_errors
class AppInstallations:
    def __init__(self, app_id: int, private_key: str, api_url: str, timeout: float) -> None:
        options = ClientSettings(api_url, None, timeout).options()
        self._github = GitHub(AppAuthStrategy(app_id, private_key), **options)

    async def of_repo(self, repo: str) -> int | None:
        """The installation id covering `repo` ("owner/name"), or None if the App is not there."""
        owner, _, name = repo.partition("/")
        found = await unless_missing(
            self._github.rest.apps.async_get_repo_installation(owner, name)
        )
        return None if found is None else found.parsed_data.id


def app_installations(settings: Settings) -> AppInstallations:
    return AppInstallations(
        settings.github_app_id or 0,
        settings.private_key(),
        settings.github_api_url,
        settings.baton_github_timeout_seconds,
    )
