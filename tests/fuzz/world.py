"""What the HTTP fuzzing talks to: Baton's real app, launched in this process with bootstrap's
wiring on a SQLite file and the fake GitHub, and the set-up app; each on uvicorn over loopback
with `baton serve`'s server options."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.bootstrap import Baton
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.connections import server_options
from bot.web.setup import create_setup_app
from tests.fakes import keys
from tests.fakes.github import FakeGitHub
from tests.fakes.serve import serve_in_thread

SECRET = "fuzz-webhook-secret"
TOKEN = "fuzz-admin-token-0123456789abcdef"
SETUP_TOKEN = "fuzz-setup-token-0123456789"
REPO, INSTALLATION, ISSUE = "octo/demo", 42, 1
WORKFLOW = "weekly-triage"
# The API's OpenAPI document gives `weekly-triage` as its example workflow: with it here, the
# examples schemathesis tries start real runs rather than only being refused.
CONFIG = f"""\
version: 1
workflows:
  {WORKFLOW}:
    on: [api]
    steps:
      - uses: issue.read
"""


@dataclass(frozen=True)
class Served:
    url: str
    app: Any  # the FastAPI app, for its OpenAPI document
    github: FakeGitHub


def fuzz_settings(workdir: Path, api_url: str) -> Settings:
    return Settings(
        _env_file=None,
        github_app_id=7,
        github_private_key=keys.app_private_key(),
        github_webhook_secret=SECRET,
        github_api_url=api_url,
        baton_admin_token=TOKEN,
        database_url=f"sqlite:///{workdir / 'fuzz.sqlite'}",
        baton_log_level="CRITICAL",
        baton_log_format="text",
        # No model server: a run that gets as far as asking one fails, which is no concern here.
        openai_api_key="fuzz",
        openai_base_url="http://127.0.0.1:9/v1",
    )


@contextmanager
def logging_kept() -> Iterator[None]:
    """Launching configures the process's logging; put it back for the tests that follow."""
    loggers = [logging.getLogger(name) for name in ("", "baton", "dbos")]
    kept = [(each.handlers[:], each.level, each.propagate) for each in loggers]
    try:
        yield
    finally:
        for each, (handlers, level, propagate) in zip(loggers, kept, strict=True):
            each.handlers[:], each.level, each.propagate = handlers, level, propagate


@contextmanager
def launched(baton: Baton) -> Iterator[None]:
    """What the app's lifespan does, done here: uvicorn's in-thread server runs none."""
    baton.launch()
    try:
        yield
    finally:
        baton.shutdown()


@contextmanager
def served_baton(workdir: Path) -> Iterator[Served]:
    """Baton as `baton serve` runs it with App credentials, DBOS launched (DBOS is one per
    process: one of these at a time)."""
    github = FakeGitHub(app_id=7, public_key_pem=keys.app_public_key())
    github.add_repo(REPO, installation_id=INSTALLATION, files={".github/baton.yml": CONFIG})
    github.add_issue(REPO, number=ISSUE, title="Flaky test", body="It fails on Mondays.")
    with github.serve() as api_url, logging_kept():
        settings = fuzz_settings(workdir, api_url)
        baton = Baton(settings)
        app = create_app(baton)
        with launched(baton), serve_in_thread(app, **server_options(settings)) as url:
            yield Served(url, app, github)


@contextmanager
def served_setup(workdir: Path) -> Iterator[Served]:
    """The set-up app `baton serve` runs without App credentials, its token `SETUP_TOKEN`."""
    github = FakeGitHub(app_id=7, public_key_pem=keys.app_public_key())
    with github.serve() as api_url, logging_kept():
        settings = fuzz_settings(workdir, api_url).model_copy(
            update={"github_app_id": None, "github_private_key": None}
        )
        app = create_setup_app(settings, workdir / ".env", SETUP_TOKEN)
        with serve_in_thread(app, **server_options(settings)) as url:
            yield Served(url, app, github)
