"""A delivery goes to an address its URL's host had when checked, whatever DNS answers next."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.engine.deliver import NotYetDelivered, post_result
from bot.engine.runtime import Runtime, current, set_runtime
from bot.settings import Settings
from bot.store.database import Store
from tests.fakes.network import FakeNetwork
from tests.fakes.receiver import Receiver
from tests.fakes.tls import server_certificate

NAME = "hook.rebind.test"


@pytest.fixture(scope="module")
def hook() -> Iterator[tuple[Receiver, int]]:
    receiver = Receiver()
    with receiver.serve() as url:
        yield receiver, httpx.URL(url).port or 80


@pytest.fixture(scope="module")
def tls_hook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Receiver, int, Path]]:
    """An https receiver whose certificate names NAME only (no IP address)."""
    files = server_certificate(tmp_path_factory.mktemp("tls"), NAME)
    receiver = Receiver()
    tls = {"ssl_certfile": str(files.certificate), "ssl_keyfile": str(files.key)}
    with receiver.serve(**tls) as url:
        yield receiver, httpx.URL(url).port or 443, files.authority


@pytest.fixture
async def network(monkeypatch: pytest.MonkeyPatch) -> FakeNetwork:
    loop = asyncio.get_running_loop()
    fake = FakeNetwork(loop)
    monkeypatch.setattr(loop, "getaddrinfo", fake.getaddrinfo)
    monkeypatch.setattr(loop, "create_connection", fake.create_connection)
    return fake


@pytest.fixture(autouse=True)
def runtime() -> Iterator[None]:
    settings = Settings(
        _env_file=None, baton_delivery_secret="delivery-secret", baton_delivery_allow_private=True
    )
    store = Store("sqlite://")
    set_runtime(Runtime(settings=settings, store=store, github=print, llm=print))  # type: ignore[arg-type]
    yield
    set_runtime(None)
    store.close()


async def test_a_name_answering_loopback_after_the_check_is_never_posted_to_on_loopback(
    hook: tuple[Receiver, int], network: FakeNetwork
) -> None:
    receiver, port = hook
    settings = current().settings
    current().settings = settings.model_copy(update={"baton_delivery_allow_private": False})
    network.answer(NAME, ["93.184.216.34"], ["127.0.0.1"])

    with pytest.raises(NotYetDelivered):  # 93.184.216.34 is off the test's network
        await post_result(f"http://{NAME}:{port}/rebound", "delivery-rebound", "{}")

    assert receiver.posts("/rebound") == []
    assert network.connections == ["93.184.216.34"]


async def test_a_delivery_goes_to_the_checked_address_with_the_urls_host_as_host(
    hook: tuple[Receiver, int], network: FakeNetwork
) -> None:
    receiver, port = hook
    network.answer(NAME, ["127.0.0.1"], ["10.0.0.1"])

    assert await post_result(f"http://{NAME}:{port}/pinned", "delivery-pinned", "{}") == 200

    assert [post.headers["host"] for post in receiver.posts("/pinned")] == [f"{NAME}:{port}"]
    assert (network.lookups.count(NAME), network.connections) == (1, ["127.0.0.1"])


async def test_a_checked_address_that_refuses_the_connection_gives_way_to_the_next(
    hook: tuple[Receiver, int], network: FakeNetwork
) -> None:
    receiver, port = hook
    network.answer(NAME, ["10.0.0.1", "127.0.0.1"], ["10.0.0.2"])

    assert await post_result(f"http://{NAME}:{port}/next", "delivery-next", "{}") == 200

    assert len(receiver.posts("/next")) == 1
    assert network.connections == ["10.0.0.1", "127.0.0.1"]


async def test_https_to_the_checked_address_verifies_the_certificate_for_the_urls_host(
    tls_hook: tuple[Receiver, int, Path],
    network: FakeNetwork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver, port, authority = tls_hook
    monkeypatch.setenv("SSL_CERT_FILE", str(authority))  # httpx then trusts the test's CA only
    network.answer(NAME, ["127.0.0.1"])
    network.answer("other.rebind.test", ["127.0.0.1"])

    assert await post_result(f"https://{NAME}:{port}/named", "delivery-named", "{}") == 200
    with pytest.raises(NotYetDelivered, match="certificate verify failed"):
        await post_result(f"https://other.rebind.test:{port}/other", "delivery-other", "{}")

    assert [post.headers["host"] for post in receiver.posts("/named")] == [f"{NAME}:{port}"]
    assert receiver.posts("/other") == []
