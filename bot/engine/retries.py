"""How Baton's own steps are retried: which errors a retry can cure, and the options every
step that reads or writes GitHub in dispatch, control steps and the runner shares."""

from __future__ import annotations

from collections.abc import Callable

from dbos import StepOptions

from bot.engine.context import StepFailed
from bot.engine.inputs import StepInputError
from bot.ports.github import GitHubError
from bot.ports.llm import LLMError

ATTEMPTS = 5  # a moment's outage of GitHub, not a long one: those fail the step and say so


def is_permanent(exc: BaseException) -> bool:
    """Errors a retry cannot fix: bad input, an unfixable model answer, GitHub's 4xx."""
    if isinstance(exc, GitHubError):
        return exc.permanent
    return isinstance(exc, StepInputError | StepFailed | LLMError)


def retried(
    name: str = "",
    *,
    attempts: int = ATTEMPTS,
    interval_seconds: float | None = None,
    backoff_rate: float | None = None,
    also_final: Callable[[BaseException], bool] | None = None,
) -> StepOptions:
    """Options for a step worth trying again after a passing failure, never after a permanent
    one, nor one `also_final` says retrying cannot help."""

    def should_retry(exc: BaseException) -> bool:
        return not is_permanent(exc) and not (also_final is not None and also_final(exc))

    options: StepOptions = {
        "retries_allowed": attempts > 1,
        "max_attempts": attempts,
        "should_retry": should_retry,
    }
    if name:
        options["name"] = name
    if interval_seconds is not None:
        options["interval_seconds"] = interval_seconds
    if backoff_rate is not None:
        options["backoff_rate"] = backoff_rate
    return options
