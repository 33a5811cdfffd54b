"""One attempt at delivering a run's result, against a receiver on loopback."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.engine.deliver import DeliveryFailed, post_result, retryable
from bot.engine.destinations import DestinationRefused, check_destination, is_public
from bot.engine.runtime import Runtime, current, set_runtime
from bot.engine.signature import verify_signature
from bot.settings import Settings
from bot.store.database import Store
from tests.fakes.receiver import Receiver

SECRET = "delivery-secret"
WEBHOOK_SECRET = "webhook-secret"


@pytest.fixture(scope="module")
def hook() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    with receiver.serve() as url:
        yield receiver, f"{url}/hook"


@pytest.fixture(autouse=True)
def runtime() -> Iterator[None]:
    settings = Settings(
        _env_file=None,
        github_webhook_secret=WEBHOOK_SECRET,
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
    ("address", "public"),
    [
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:93.184.216.34", True),
        ("::127.0.0.1", False),  # IPv4-compatible
        ("::10.0.0.1", False),
        ("::169.254.169.254", False),
        ("::93.184.216.34", True),
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", False),  # 6to4 of 169.254.169.254
        ("2002:c0a8:101::", False),  # 6to4 of 192.168.1.1
        ("2002:5db8:d822::1", True),  # 6to4 of 93.184.216.34
        ("64:ff9b::127.0.0.1", False),  # NAT64, well-known prefix
        ("64:ff9b::a9fe:a9fe", False),
        ("64:ff9b::10.1.2.3", False),
        ("64:ff9b::93.184.216.34", True),
        ("64:ff9b:1::7f00:1", False),  # NAT64, local-use prefix: never
        ("64:ff9b:1:5db8:d822::", False),
        ("2001:0:5db8:d822:0:f227:80ff:fffe", False),  # Teredo, client 127.0.0.1
        ("2001:0:5db8:d822:0:f227:f5ff:fefe", False),  # Teredo, client 10.0.1.1
        ("2001:0:a00:1:0:f227:a247:2def", False),  # Teredo, server 10.0.0.1
        ("2001:0:5db8:d822:0:f227:a247:2def", True),  # Teredo, both public
    ],
)
def test_ipv6_forms_that_embed_a_private_ipv4_address_are_not_public(
    address: str, public: bool
) -> None:
    assert is_public(address) is public


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/hook", "http://localhost/hook", "http://[::1]/"]
)
async def test_a_private_destination_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(DestinationRefused, match="BATON_DELIVERY_ALLOW_PRIVATE"):
        await check_destination(url, allow_private=False)
    await check_destination(url, allow_private=True)


async def test_an_answer_whose_body_never_ends_is_not_read(hook: tuple[Receiver, str]) -> None:
    receiver, url = hook
    receiver.answer_endlessly('"endless"')

    assert await post_result(url, "delivery-endless", '{"id": "endless"}') == 200


async def test_without_a_delivery_secret_results_are_signed_with_a_key_made_from_the_webhook_one(
    hook: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    receiver, url = hook
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.delenv("BATON_DELIVERY_SECRET", raising=False)
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", WEBHOOK_SECRET)
    current().settings = Settings(baton_delivery_allow_private=True)
    await post_result(url, "delivery-derived", '{"id": "derived"}')

    printed = CliRunner().invoke(app, ["delivery-secret"])

    assert printed.exit_code == 0, printed.output
    key = printed.stdout.strip()
    post = next(
        p for p in receiver.posts("/hook") if p.headers["x-baton-delivery"] == "delivery-derived"
    )
    signature = post.headers["x-baton-signature-256"]
    assert verify_signature(key, post.body, signature)
    assert not verify_signature(WEBHOOK_SECRET, post.body, signature)
    assert key == hmac.new(WEBHOOK_SECRET.encode(), b"baton result delivery", "sha256").hexdigest()


def test_the_delivery_secret_command_prints_baton_delivery_secret_when_it_is_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("BATON_DELIVERY_SECRET", SECRET)

    printed = CliRunner().invoke(app, ["delivery-secret"])

    assert (printed.exit_code, printed.stdout) == (0, f"{SECRET}\n")


def test_the_delivery_secret_command_says_what_to_set_without_either_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_WEBHOOK_SECRET", "BATON_DELIVERY_SECRET"):
        monkeypatch.delenv(name, raising=False)

    printed = CliRunner().invoke(app, ["delivery-secret"])

    assert printed.exit_code == 2
    assert "set BATON_DELIVERY_SECRET, or GITHUB_WEBHOOK_SECRET" in printed.stderr
