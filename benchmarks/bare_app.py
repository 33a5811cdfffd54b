"""The floor for the ack benchmark: a raw ASGI app that reads the body, answers 202, stores nothing.

Served by uvicorn exactly as `baton serve` serves Baton (`uvicorn.run(app, host, port,
log_level="warning", **server_options(settings))`: one process, uvloop when installed, httptools
with Baton's header deadline and connection limit), so the difference between the two is
Baton's own work.
Usage: python -m benchmarks.bare_app --port 8000
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]


async def app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # read the whole body, as a webhook receiver must before answering
        more = (await receive()).get("more_body", False)
    status = 202 if scope["method"] == "POST" else 200
    body = b'{"status":"accepted"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    import uvicorn

    from bot.settings import Settings
    from bot.web.connections import server_options

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    options = server_options(Settings(_env_file=None))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", **options)


if __name__ == "__main__":
    main()
