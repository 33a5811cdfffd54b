"""An open-loop HTTP/1.1 load generator for signed webhook deliveries, run as its own process.

Open loop: request i is due at start + i/rate whatever happened to earlier ones, and its latency
is counted from that due time, so a server that stalls is charged for every request it held up
(no coordinated omission). `--rate 0` is flat out instead: `--connections` keep-alive
connections each send their next request as soon as the last one is answered.

It prints one JSON object: statuses, transport errors, elapsed seconds and every latency.
Usage: python -m benchmarks.openloop --url http://127.0.0.1:PORT --path /webhooks --rate 200
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from benchmarks.ack_payloads import SignedRequests

TIMEOUT = 30.0  # an answer later than this counts as a transport error


@dataclass
class Tally:
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests only

    def answered(self, status: int, latency: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(latency)


class Connection:
    """One keep-alive connection; answers are read whole (Content-Length or chunked)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.reusable = True

    async def exchange(self, request: tuple[bytes, bytes]) -> int:
        self.writer.writelines(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = (line.partition(":") for line in lines[1:])
        headers = {name.strip().lower(): value.strip() for name, _, value in fields}
        if headers.get("transfer-encoding", "").lower() == "chunked":
            await self._chunks()
        else:
            await self.reader.readexactly(int(headers.get("content-length", "0")))
        self.reusable = headers.get("connection", "").lower() != "close"
        return status

    async def _chunks(self) -> None:
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await self.reader.readexactly(size + 2)
            if size == 0:
                return

    def close(self) -> None:
        self.writer.close()


# Servers close a keep-alive connection idle this long (uvicorn and Node both after 5 s); one
# idle nearly that long is not reused, so a request never races the server's close.
IDLE_LIMIT = 4.0


class Pool:
    """Idle keep-alive connections, opened on demand."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: deque[tuple[float, Connection]] = deque()
        self.opened = 0

    async def take(self) -> Connection:
        while self.idle:
            since, connection = self.idle.pop()
            if time.perf_counter() - since < IDLE_LIMIT:
                return connection
            connection.close()
        self.opened += 1
        return Connection(*await asyncio.open_connection(self.host, self.port))

    def give(self, connection: Connection) -> None:
        if connection.reusable:
            self.idle.append((time.perf_counter(), connection))
        else:
            connection.close()

    def close(self) -> None:
        while self.idle:
            self.idle.pop()[1].close()


async def send_one(pool: Pool, request: tuple[bytes, bytes], due: float, tally: Tally) -> None:
    connection: Connection | None = None
    try:
        connection = await pool.take()
        status = await asyncio.wait_for(connection.exchange(request), TIMEOUT)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
        tally.errors.append(repr(exc))
        if connection is not None:
            connection.close()
        return
    tally.answered(status, time.perf_counter() - due)
    pool.give(connection)


async def open_loop(
    pool: Pool, requests: SignedRequests, rate: float, seconds: float, tally: Tally
) -> None:
    started = time.perf_counter()
    tasks = []
    for index in range(int(rate * seconds)):
        due = started + index / rate
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(send_one(pool, requests(index), due, tally)))
    await asyncio.gather(*tasks)


async def flat_out(
    pool: Pool, requests: SignedRequests, seconds: float, connections: int, tally: Tally
) -> None:
    stop = time.perf_counter() + seconds
    counter = itertools.count()

    async def sender() -> None:
        while time.perf_counter() < stop:
            await send_one(pool, requests(next(counter)), time.perf_counter(), tally)

    await asyncio.gather(*(sender() for _ in range(connections)))


async def generate(args: argparse.Namespace) -> dict[str, object]:
    parts = urlsplit(args.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = SignedRequests(host, port, args.path, args.secret, args.tag)
    pool, tally = Pool(host, port), Tally()
    started = time.perf_counter()
    if args.rate:
        await open_loop(pool, requests, args.rate, args.seconds, tally)
    else:
        await flat_out(pool, requests, args.seconds, args.connections, tally)
    elapsed = time.perf_counter() - started
    pool.close()
    return {
        "statuses": tally.statuses,
        "errors": tally.errors[:20],
        "error_count": len(tally.errors),
        "elapsed": elapsed,
        "connections": pool.opened,
        "latencies": tally.latencies,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", default="/webhooks")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--rate", type=float, default=0.0, help="requests a second; 0: flat out")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32, help="flat out only")
    parser.add_argument("--tag", default="ack", help="delivery ids are TAG-0, TAG-1, ...")
    args = parser.parse_args()
    try:
        import uvloop

        result = uvloop.run(generate(args))
    except ImportError:
        result = asyncio.run(generate(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
