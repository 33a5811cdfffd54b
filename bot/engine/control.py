"""Durability for control steps: checkpoints and waits backed by DBOS, inside the run's workflow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dbos import DBOS, StepOptions

from bot.engine.durable import durable_step
from bot.engine.steps import is_permanent


class DBOSDurability:
    async def checkpoint(self, name: str, func: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        options: StepOptions = {
            "name": name,
            "retries_allowed": True,
            "max_attempts": 5,
            "should_retry": lambda exc: not is_permanent(exc),
        }
        return await durable_step(options, func, *args)

    async def receive(self, topic: str, timeout_seconds: float) -> Any:
        return await DBOS.recv_async(topic, timeout_seconds=timeout_seconds)
