"""How Baton's own DBOS steps are retried: the errors a retry can cure, the options the steps
share, and rate limits waited out durably before a step runs again.

GitHub asks a client that hit a limit to send nothing until `retry-after` (or
`x-ratelimit-reset`) has passed, which can be up to an hour. Waiting inside the step would hold
it for that long and start the wait over after a restart; here the step fails with the wait
(`GitHubError.retry_after`), the workflow sleeps with `DBOS.sleep` (checkpointed: a restart
sleeps only what is left), and the step runs again from its start. Steps may run again by
design: every GitHub write looks for what it made before making it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar, cast

from dbos import DBOS, StepOptions

from bot.engine.context import StepFailed
from bot.engine.foreground import FOREGROUND
from bot.engine.registry import StepInputError
from bot.ports.github import UNTIMED_RATE_LIMIT_SECONDS, GitHubError
from bot.ports.llm import LLMError

T = TypeVar("T")
log = logging.getLogger("baton.engine")

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


# After this many waits in a row for one step, GitHub's limit is reported as the step's error.
MAX_RATE_LIMIT_WAITS = 10


def rate_limit_seconds(exc: BaseException) -> float | None:
    """Seconds to wait before running the step again, or None when `exc` is no rate limit."""
    if isinstance(exc, GitHubError) and exc.rate_limited:
        return UNTIMED_RATE_LIMIT_SECONDS if exc.retry_after is None else exc.retry_after
    return None


def _not_for_rate_limits(options: StepOptions) -> StepOptions:
    """The step's own retries (in-process, seconds apart) skip rate limits: those are the
    workflow's to wait out."""
    retry_if = options.get("should_retry")

    def should_retry(exc: BaseException) -> bool:
        if rate_limit_seconds(exc) is not None:
            return False
        return True if retry_if is None else bool(retry_if(exc))

    return {**options, "should_retry": should_retry}


async def durable_step(options: StepOptions, func: Callable[..., Awaitable[T]], *args: Any) -> T:
    """`DBOS.run_step_async`, with rate limits slept off in the workflow between attempts."""
    options = _not_for_rate_limits(options)
    waits = 0
    while True:
        try:
            step = cast(Callable[..., Coroutine[Any, Any, T]], func)
            await FOREGROUND.give_way()
            return await DBOS.run_step_async(options, step, *args)
        except GitHubError as exc:
            wait = rate_limit_seconds(exc)
            if wait is None or waits >= MAX_RATE_LIMIT_WAITS:
                raise
        waits += 1
        log.info(
            "step %s: GitHub rate limit, sleeping %.1f s durably (wait %d of at most %d)",
            options.get("name", func.__name__),
            wait,
            waits,
            MAX_RATE_LIMIT_WAITS,
        )
        await DBOS.sleep_async(wait)
