"""githubkit's failures turned into the port's GitHubError, so no caller needs githubkit."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from githubkit.exception import RequestError, RequestFailed

from bot.adapters.github_retry import rate_limit_wait
from bot.ports.github import GitHubError

C = TypeVar("C", bound=type)
T = TypeVar("T")


async def unless_missing(request: Awaitable[T]) -> T | None:
    """The request's answer, or None when GitHub answers 404 (no such thing, or none this
    installation may see); any other failure is raised."""
    try:
        return await request
    except RequestFailed as exc:
        if exc.response.status_code == 404:
            return None
        raise


def error_message(exc: RequestFailed) -> str:
    """GitHub's own words for a 4xx: its message, then the errors it lists."""
    try:
        payload = exc.response.raw_response.json()
    except ValueError:
        return exc.response.raw_response.text
    if not isinstance(payload, dict):
        return str(payload)
    errors = payload.get("errors") or []
    details = [e if isinstance(e, str) else e.get("message") or str(e) for e in errors]
    return ": ".join([str(payload.get("message", "")), "; ".join(map(str, details))]).strip(": ")


class NoAnswer(GitHubError):
    """GitHub never answered (a timeout, a refused or dropped connection): status 0, never
    permanent. A write may or may not have landed; Baton's writes look before they write."""

    def __init__(self, message: str) -> None:
        super().__init__(0, message)
        self.args = (message,)


def no_answer(exc: httpx.TransportError) -> NoAnswer:
    request = exc.request
    what = "timed out" if isinstance(exc, httpx.TimeoutException) else f"failed: {exc!r}"
    return NoAnswer(
        f"GitHub did not answer {request.method} {request.url.path}: the request {what}"
    )


def as_port_error(exc: Exception) -> GitHubError | None:
    if isinstance(exc, RequestError) and isinstance(exc.exc, RequestFailed):
        exc = exc.exc  # a failed token exchange arrives wrapped
    if isinstance(exc, RequestFailed):
        wait = rate_limit_wait(exc)
        retry_after = None if wait is None else max(wait.total_seconds(), 0.0)
        return GitHubError(exc.response.status_code, error_message(exc), retry_after=retry_after)
    if isinstance(exc, RequestError) and isinstance(exc.exc, httpx.TransportError):
        return no_answer(exc.exc)
    return None


def _translated(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except (RequestFailed, RequestError) as exc:
            translated = as_port_error(exc)
            if translated is None:
                raise
            raise translated from exc

    return call


def raises_port_errors(cls: C) -> C:
    """Class decorator: every public coroutine method raises GitHubError, not githubkit's errors."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.iscoroutinefunction(member):
            setattr(cls, name, _translated(member))
    return cls
