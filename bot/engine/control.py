"""Durability for control steps: checkpoints and waits backed by DBOS, inside the run's workflow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dbos import DBOS

from bot.engine.durable import durable_step, retried


class DBOSDurability:
    async def checkpoint(self, name: str, func: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return await durable_step(retried(name), func, *args)

    async def receive(self, topic: str, timeout_seconds: float) -> Any:
        return await DBOS.recv_async(topic, timeout_seconds=timeout_seconds)
