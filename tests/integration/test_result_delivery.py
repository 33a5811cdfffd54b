"""One attempt at delivering a run's result, against a receiver on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.engine.deliver import DeliveryFailed, post_result, retryable
from bot.engine.destinations import DestinationRefused, check_destination, is_public
from bot.engine.runtime import Runtime, set_runtime
from bot.settings import Settings
from bot.signature import verify_signature
from bot.store import Store
from tests.fakes.receiver import Receiver

SECRET = "delivery-secret"


@pytest.fixture(scope="module")
def hook() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    with receiver.serve() as url:
        yield receiver, f"{url}/hook"


@pytest.fixture(autouse=True)
def runtime() -> Iterator[None]:
    settings = Settings(
        _env_file=None,
        github_webhook_secret="webhook-secret",
        baton_delivery_secret=SECRET,
        baton_delivery_allow_private=True,
    )
    store = Store("sqlite://")
    set_runtime(Runtime(settings=settings, store=store, github=print, llm=print))  # type: ignore[arg-type]
    yield
    set_runtime(None)
    store.close()


async def test_a_result_is_posted_signed_with_its_delivery_id(hook: tuple[Receiver, str]) -> None:
    receiver, url = hook

    assert await post_result(url, "delivery-1", '{"id": "run-1"}') == 200

    post = next(p for p in receiver.posts("/hook") if p.headers["x-baton-delivery"] == "delivery-1")
    assert post.body == b'{"id": "run-1"}'
    assert verify_signature(SECRET, post.body, post.headers["x-baton-signature-256"])


@pytest.mark.parametrize(
    ("status", "again"),
    [(500, True), (503, True), (429, True), (404, False), (400, False), (301, False)],
)
async def test_only_server_errors_and_rate_limits_are_tried_again(
    hook: tuple[Receiver, str], status: int, again: bool
) -> None:
    receiver, url = hook
    body = f'{{"id": "answer-{status}"}}'
    receiver.answer_first(body, status)

    with pytest.raises(Exception) as failed:
        await post_result(url, f"delivery-{status}", body)

    assert retryable(failed.value) is again
    assert isinstance(failed.value, DeliveryFailed) is not again


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", False),
    ],
)
def test_only_public_addresses_count_as_public(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/hook", "http://localhost/hook", "http://[::1]/"]
)
async def test_a_private_destination_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(DestinationRefused, match="BATON_DELIVERY_ALLOW_PRIVATE"):
        await check_destination(url, allow_private=False)
    await check_destination(url, allow_private=True)
