"""A write permit that another process's poll started is found within milliseconds."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.engine.pacing import WritePacer


@dataclass
class Status:
    status: str


@dataclass
class Handle:
    """A permit's handle whose status moves along `statuses`, one per look."""

    statuses: list[str]
    looks: int = 0
    result: Any = 1700000000.0
    failure: BaseException | None = None
    slept: list[float] = field(default_factory=list)

    async def get_status(self) -> Status:
        status = self.statuses[min(self.looks, len(self.statuses) - 1)]
        self.looks += 1
        return Status(status)

    async def get_result(self) -> Any:
        if self.failure is not None:
            raise self.failure
        return self.result


def poll(handle: Handle, monkeypatch: pytest.MonkeyPatch, poll_seconds: float = 0.1) -> Any:
    async def sleep(seconds: float) -> None:
        handle.slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    pacer = WritePacer("sqlite:///unused.sqlite", poll_seconds)
    return asyncio.run(pacer._polled(handle))  # type: ignore[arg-type]


def test_a_permit_started_elsewhere_is_looked_for_soon_then_less_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handle = Handle(["ENQUEUED", "PENDING"] + ["ENQUEUED"] * 5 + ["SUCCESS"])

    assert poll(handle, monkeypatch) == 1700000000.0
    assert handle.slept == pytest.approx([0.01, 0.02, 0.04, 0.08, 0.1, 0.1, 0.1])


def test_a_cancelled_permit_fails_the_write(monkeypatch: pytest.MonkeyPatch) -> None:
    handle = Handle(["PENDING", "CANCELLED"], failure=RuntimeError("permit cancelled"))

    with pytest.raises(RuntimeError, match="permit cancelled"):
        poll(handle, monkeypatch)
