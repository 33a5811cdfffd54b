"""Steps give way to acks being served, but never for longer than the bound."""

from __future__ import annotations

import asyncio
import threading
import time

from bot.engine.foreground import Foreground


def test_a_step_waits_while_an_ack_is_served_and_goes_once_it_is_done() -> None:
    acks = Foreground()
    done = threading.Event()

    def serve_one_ack() -> None:
        with acks.serving():
            done.wait(5)

    server = threading.Thread(target=serve_one_ack)
    server.start()
    time.sleep(0.05)
    threading.Timer(0.1, done.set).start()
    started = time.monotonic()
    asyncio.run(acks.give_way(at_most=5))
    waited = time.monotonic() - started
    server.join()

    assert 0.05 <= waited < 2


def test_a_step_waits_no_longer_than_the_bound_however_busy_the_acks() -> None:
    acks = Foreground()
    with acks.serving():
        started = time.monotonic()
        asyncio.run(acks.give_way(at_most=0.1))
        waited = time.monotonic() - started

    assert 0.1 <= waited < 2


def test_with_no_ack_in_flight_a_step_does_not_wait() -> None:
    acks = Foreground()
    started = time.monotonic()
    asyncio.run(acks.give_way(at_most=5))

    assert time.monotonic() - started < 1
