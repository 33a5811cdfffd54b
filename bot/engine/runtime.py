"""Process-wide ports that durable steps rebuild their context from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.ports.github import GitHubPort
from bot.ports.llm import LLMPort
from bot.settings import Settings
from bot.store.database import Store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    github: Callable[[int], GitHubPort]  # installation id → GitHub port for that installation
    llm: Callable[[str], LLMPort]  # provider name ("openai", "anthropic") → LLM port


_current: Runtime | None = None


def set_runtime(runtime: Runtime | None) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("Baton's runtime is not set up: call bot.bootstrap.bootstrap() first")
    return _current
