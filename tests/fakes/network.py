"""A DNS the test scripts and a network where only loopback answers, for the running event loop.

Both are the loop's own `getaddrinfo` and `create_connection`, which asyncio, anyio and so
httpx use to resolve names and to connect: a test sees which names were looked up and which
addresses were connected to, and nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

AddressInfo = tuple[int, int, int, str, tuple[Any, ...]]


class FakeNetwork:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.real_getaddrinfo = loop.getaddrinfo
        self.real_create_connection = loop.create_connection
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []  # every name looked up, in order
        self.connections: list[str] = []  # every address connected to, in order

    def answer(self, name: str, *answers: list[str]) -> None:
        """Answer lookups of `name` with each list of addresses in turn, then the last for good."""
        self.answers[name] = [*answers]

    async def getaddrinfo(self, host: Any, port: Any, **kw: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        self.lookups.append(name)
        scripted = self.answers.get(name)
        if scripted is None:
            return await self.real_getaddrinfo(host, port, **kw)
        addresses = scripted.pop(0) if len(scripted) > 1 else scripted[0]
        return [info(address, int(port)) for address in addresses]

    async def create_connection(
        self, factory: Any, host: Any = None, port: Any = None, **kw: Any
    ) -> Any:
        self.connections.append(str(host))
        if not is_loopback(str(host)):
            raise ConnectionRefusedError(f"{host}:{port} is off the test's loopback-only network")
        return await self.real_create_connection(factory, host, port, **kw)


def info(address: str, port: int) -> AddressInfo:
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: anyio resolves names before connecting, so none come here
        return False
