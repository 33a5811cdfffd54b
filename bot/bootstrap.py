"""The one place real adapters are built and wired: settings in, a launchable Baton out."""

from __future__ import annotations

import logging
from collections.abc import Callable

from dbos import DBOS, DBOSConfig

import bot.dispatch
import bot.engine.runner  # noqa: F401  registers the run workflow with DBOS
from bot import accounting
from bot.engine import registry
from bot.engine.runtime import Runtime, set_runtime
from bot.ports.github import GitHubPort
from bot.ports.llm import LLMPort
from bot.settings import Settings, SettingsError
from bot.store import Store


def github_factory(settings: Settings) -> Callable[[int], GitHubPort]:
    from bot.adapters.github import GitHubApp

    if settings.github_app_id is None:
        raise SettingsError("set GITHUB_APP_ID (or run `baton serve` without it to set the App up)")
    app = GitHubApp(settings.github_app_id, settings.private_key(), settings.github_api_url)
    return app.for_installation


def llm_factory(settings: Settings) -> Callable[[str], LLMPort]:
    """One client per provider, built when a step first needs it."""
    from bot.llm import build_llm

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
    return {
        "name": "baton",
        "system_database_url": settings.database_url,
        "application_version": settings.baton_application_version,
        "executor_id": settings.baton_executor_id,
        "log_level": settings.baton_log_level,
    }


class Baton:
    """A Baton process: its settings, store and ports, and DBOS's lifecycle."""

    def __init__(
        self,
        settings: Settings,
        github: Callable[[int], GitHubPort] | None = None,
        llm: Callable[[str], LLMPort] | None = None,
    ) -> None:
        self.settings = settings
        self.store = Store(settings.database_url)
        self.runtime = Runtime(
            settings=settings,
            store=self.store,
            github=github or github_factory(settings),
            llm=llm or llm_factory(settings),
        )

    def launch(self) -> None:
        logging.getLogger("baton").setLevel(self.settings.baton_log_level)
        registry.load_step_modules()
        accounting.create_tables(self.store)
        set_runtime(self.runtime)
        DBOS(config=dbos_config(self.settings))
        DBOS.launch()

    def shutdown(self) -> None:
        DBOS.destroy(destroy_registry=False)
        set_runtime(None)
        self.store.close()
