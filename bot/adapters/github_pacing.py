"""Pacing the GitHub adapter's content writes: each comment, review, issue or pull request
waits for its installation's turn (GitHub allows 80 a minute), named so that the same write
asked again waits for the same turn (bot/engine/pacing.py keeps the turns)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar

from bot.ports.github import NewComment, NewReview

# Waits for the installation's turn to create content; True on the write's first attempt.
Pace = Callable[[str], Awaitable[bool]]
# Turns taken ahead by `writes_coming` in this step attempt (its task), with the adapter that
# took them, by write: True when taken for the first time. Each is used once, by its write.
turns_taken: ContextVar[tuple[object, dict[str, bool]] | None] = ContextVar(
    "baton_turns_taken", default=None
)


def write_name(*what: object) -> str:
    """The name a content write's turn is taken under: the same write, the same name."""
    text = "\n".join(map(str, what))
    return f"{what[0]}:{hashlib.sha256(text.encode()).hexdigest()[:24]}"


def turn_of(write: NewReview | NewComment) -> tuple[object, ...]:
    """What the write's turn is named by, the same taken ahead as just before sending."""
    if isinstance(write, NewReview):
        return "review", write.repo, write.number, write.commit_sha, write.body
    return "comment", write.repo, write.number, write.marker


async def wait_for_turn(adapter: object, pace: Pace | None, *what: object) -> bool:
    """Wait for the installation's turn before creating content; `what` names the write. True
    when this is the write's first attempt in its run (nothing sent yet); False when that is
    not known."""
    if pace is None:
        return False
    write = write_name(*what)
    ahead = turns_taken.get()
    if ahead is not None and ahead[0] is adapter and write in ahead[1]:
        return ahead[1].pop(write)
    return await pace(write)


@contextlib.asynccontextmanager
async def turns_ahead(
    adapter: object, pace: Pace | None, writes: tuple[NewReview | NewComment, ...]
) -> AsyncIterator[None]:
    """The turns of a step attempt's coming writes, all taken at once on entering. Each turn is
    still taken in the attempt that sends its write, before sending it, so whether it was new
    still says whether that write was ever tried."""
    if pace is None:
        yield
        return
    names = [write_name(*turn_of(write)) for write in writes]
    firsts = await asyncio.gather(*(pace(name) for name in names))
    token = turns_taken.set((adapter, dict(zip(names, firsts, strict=True))))
    try:
        yield
    finally:
        turns_taken.reset(token)
