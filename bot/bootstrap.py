"""The one place real adapters are built and wired: settings in, a launchable Baton out."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from dbos import DBOS, DBOSConfig

import bot.dispatch.workflow
import bot.engine.runner  # registers the run workflow with DBOS
import bot.schedules.sync  # noqa: F401  registers the schedule workflows with DBOS
from bot.engine import registry
from bot.engine.pacing import WritePacer, register_writes_queue
from bot.engine.queues import register_queues
from bot.engine.runtime import Runtime, set_runtime
from bot.engine.takeover import Takeover, refuse_a_live_duplicate
from bot.ops.logs import configure_logging
from bot.ports.github import GitHubPort
from bot.ports.llm import LLMPort
from bot.prompts import sandbox as prompt_sandbox
from bot.receive.inbox import Inbox
from bot.settings import Settings, SettingsError
from bot.store import sqlite_gate
from bot.store.database import Store
from bot.store.executors import Heartbeats
from bot.store.write_marks import StoredCommentIds

if TYPE_CHECKING:
    from bot.adapters.github import GitHubApp


def github_factory(
    settings: Settings, pacer: WritePacer | None = None, store: Store | None = None
) -> Callable[[int], GitHubPort]:
    """The App's adapter per installation. githubkit (some 17 MB, its schema models most of
    it) is imported on the first call, not at start: an idle process does not need it."""
    app_id = settings.github_app_id
    if app_id is None:
        raise SettingsError("set GITHUB_APP_ID (or run `baton serve` without it to set the App up)")
    key = settings.private_key()

    @functools.cache
    def app() -> GitHubApp:
        from bot.adapters.github import GitHubApp

        return GitHubApp(
            app_id,
            key,
            settings.github_api_url,
            timeout=settings.baton_github_timeout_seconds,
            pace=None if pacer is None else pacer.acquire,
            comment_ids=None if store is None else StoredCommentIds(store),
        )

    return lambda installation_id: app().for_installation(installation_id)


def token_github(settings: Settings) -> GitHubPort:
    """GitHub as the user of GITHUB_TOKEN, for `baton review` without the App."""
    from bot.adapters.github import GitHubAdapter

    if settings.github_token is None:
        raise SettingsError("set GITHUB_TOKEN to a personal access token that can read the PR")
    return GitHubAdapter.with_token(
        settings.github_token.get_secret_value(),
        settings.github_api_url,
        timeout=settings.baton_github_timeout_seconds,
    )


def llm_factory(settings: Settings) -> Callable[[str], LLMPort]:
    """One client per provider, built when a step first needs it."""
    from bot.adapters.structured_llm import build_llm

    built: dict[str, LLMPort] = {}

    def build(provider: str) -> LLMPort:
        if provider not in built:
            if provider == "anthropic":
                key, url = settings.anthropic_api_key, settings.anthropic_base_url
            else:
                key, url = settings.openai_api_key, settings.openai_base_url
            secret = key.get_secret_value() if key is not None else None
            built[provider] = build_llm(provider, secret, url)  # type: ignore[arg-type]
        return built[provider]

    return build


def dbos_config(settings: Settings) -> DBOSConfig:
    config: DBOSConfig = {
        "name": "baton",
        "system_database_url": settings.database_url,
        "application_version": settings.baton_application_version,
        "executor_id": settings.baton_executor_id,
        "log_level": settings.baton_log_level,
        # Schedules live in DBOS's tables; each process looks for changes this often.
        "scheduler_polling_interval_sec": settings.baton_schedule_poll_seconds,
    }
    return config


class Baton:
    """A Baton process: its settings, store and ports, and DBOS's lifecycle."""

    def __init__(
        self,
        settings: Settings,
        github: Callable[[int], GitHubPort] | None = None,
        llm: Callable[[str], LLMPort] | None = None,
    ) -> None:
        self.settings = settings
        sqlite_gate.install()
        self.store = Store(settings.database_url)
        self.pacer = WritePacer(settings.database_url, settings.baton_queue_poll_seconds)
        self.inbox = Inbox(settings.database_url)  # connects on the first delivery
        self.runtime = Runtime(
            settings=settings,
            store=self.store,
            github=github or github_factory(settings, self.pacer, self.store),
            llm=llm or llm_factory(settings),
        )
        self.heartbeats = Heartbeats(self.store.engine, settings.baton_executor_id)
        self.takeover = Takeover(self.heartbeats, settings.baton_takeover_after_seconds)

    def launch(self) -> None:
        configure_logging(self.settings.baton_log_level, self.settings.baton_log_format)
        registry.load_step_modules()
        prompt_sandbox.configure(
            prompt_sandbox.Limits(
                self.settings.baton_prompt_render_seconds,
                self.settings.baton_prompt_render_megabytes,
            )
        )
        self.store.create_tables()  # the ledger's, the run book's and every imported module's
        self.join()
        set_runtime(self.runtime)
        DBOS(config=dbos_config(self.settings))
        # DBOS refuses its blocking calls on a thread that runs an event loop, as `baton serve`
        # launches from uvicorn's; nothing is being served yet, so a helper thread may block.
        with ThreadPoolExecutor(max_workers=1) as helper:
            # Launched from a thread without an event loop, DBOS runs workflows on a loop of its
            # own; launched from uvicorn's, it would run them all on uvicorn's, and every ack
            # would queue behind the dispatches' and runs' callbacks (benchmarks/ack.py).
            helper.submit(DBOS.launch).result()
            helper.submit(
                register_queues,
                self.settings.baton_queue_poll_seconds,
                self.settings.baton_dispatch_concurrency,
            ).result()
            helper.submit(
                register_writes_queue,
                self.settings.baton_content_writes_limit,
                self.settings.baton_content_writes_period_seconds,
                self.settings.baton_writes_poll_seconds,
            ).result()
        self.takeover.start()
        # What is loaded by now lives as long as the process: kept out of the collector's
        # sight, a full collection no longer walks it. Each one had stopped the process (every
        # request with it) for ~100 ms; now ~10 ms (benchmarks/ack.py).
        gc.collect()
        gc.freeze()

    def join(self) -> None:
        """Heartbeat from before DBOS claims any work, so no run has an owner nobody watches.

        SQLite is one process's file, so only PostgreSQL can have a second process that took
        the same executor id by mistake.
        """
        if self.store.engine.dialect.name != "sqlite":
            refuse_a_live_duplicate(self.heartbeats, self.settings.baton_takeover_after_seconds)
        self.heartbeats.join()

    def shutdown(self) -> None:
        gc.unfreeze()
        self.takeover.stop()
        self.pacer.close()
        self.inbox.close()
        prompt_sandbox.stop()
        DBOS.destroy(destroy_registry=False)
        self.heartbeats.leave()  # stopped for good: live processes resume its parked runs now
        set_runtime(None)
        self.store.close()
