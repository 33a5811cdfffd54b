"""Work someone is waiting for (webhook acks) goes before work nobody is waiting for.

Dispatch and runs share `baton serve` with the webhook endpoint: its CPU, and Python's GIL. A
step about to start while acks are being served gives way for a moment (at most
`GIVE_WAY_SECONDS`); the deliveries are stored and wait for dispatch anyway. At 200
deliveries a second this halved the ack p99 (benchmarks/ack.py, paired runs: 105 -> 45 ms,
197 -> 88 ms) and left the time to dispatch them all as it was. A `baton worker` serves no
acks and never waits.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

GIVE_WAY_SECONDS = 0.05


class Foreground:
    def __init__(self) -> None:
        self._serving = 0
        self._lock = threading.Lock()

    @contextmanager
    def serving(self) -> Iterator[None]:
        with self._lock:
            self._serving += 1
        try:
            yield
        finally:
            with self._lock:
                self._serving -= 1

    async def give_way(self, at_most: float = GIVE_WAY_SECONDS) -> None:
        deadline = time.monotonic() + at_most
        while self._serving and time.monotonic() < deadline:
            await asyncio.sleep(0.002)


FOREGROUND = Foreground()
