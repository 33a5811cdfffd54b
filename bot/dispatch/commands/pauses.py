"""Pull requests whose automatic reviews are paused (`/baton pause`), kept in Baton's database,
and the dispatch's question of them: which runs a pull_request event may still start.

A row per pull that was ever paused; `paused` says whether it is now. The row remembers the
delivery that last changed it, so a command step that runs again after a crash reports what
its first run did instead of "already paused".
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa

from bot.dispatch.decisions import READ
from bot.dispatch.events import Event
from bot.dispatch.triggers import Match
from bot.engine import runtime
from bot.engine.durable import durable_step
from bot.store.database import Store, metadata

log = logging.getLogger(__name__)

paused_pulls = sa.Table(
    "baton_paused_pulls",
    metadata,
    sa.Column("repo", sa.String(255), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("paused", sa.Boolean, nullable=False),
    sa.Column("changed_by", sa.String(255), nullable=False),  # the login that said it
    sa.Column("delivery", sa.String(255), nullable=False),
    sa.Column("changed_at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class PauseChange:
    changed: bool  # False when the pull already was in that state
    by: str  # who put it in that state


def set_paused(
    store: Store, repo: str, number: int, paused: bool, user: str, delivery: str
) -> PauseChange:
    """Pause or resume one pull; idempotent per delivery."""
    key = sa.and_(paused_pulls.c.repo == repo, paused_pulls.c.number == number)
    row = {"paused": paused, "changed_by": user, "delivery": delivery, "changed_at": time.time()}
    with store.engine.begin() as conn:
        found = conn.execute(
            sa.select(paused_pulls.c.paused, paused_pulls.c.changed_by, paused_pulls.c.delivery)
            .where(key)
            .with_for_update()
        ).first()
        if found is not None and found.delivery == delivery:
            return PauseChange(True, str(found.changed_by))
        if found is not None and bool(found.paused) == paused:
            return PauseChange(False, str(found.changed_by))
        if found is None:
            conn.execute(paused_pulls.insert().values(repo=repo, number=number, **row))
        else:
            conn.execute(paused_pulls.update().where(key).values(**row))
    return PauseChange(True, user)


def is_paused(store: Store, repo: str, number: int) -> bool:
    query = sa.select(paused_pulls.c.paused).where(
        paused_pulls.c.repo == repo, paused_pulls.c.number == number
    )
    with store.engine.connect() as conn:
        return bool(conn.execute(query).scalar())


async def pull_is_paused(event: Event) -> bool:
    return is_paused(runtime.current().store, event.repo, event.number or 0)


async def drop_paused(event: Event, matches: list[Match]) -> list[Match]:
    """The matches a pull_request event may start: none while its PR is paused."""
    if event.kind != "pull_request" or not matches or event.number is None:
        return matches
    paused = await durable_step({**READ, "name": "paused"}, pull_is_paused, event)
    if paused:
        log.info("paused: %s on %s#%s starts nothing", event.action, event.repo, event.number)
        return []
    return matches
