"""Which addresses a repository's config may make Baton POST to, resolved once and pinned.

A config names the delivery URL, and whoever can push to a repository can write the config; on
a Baton hosted for others that must not reach into the network Baton runs in (its database,
the cloud's metadata service at 169.254.169.254). So a URL whose host resolves to anything but
public addresses is refused unless BATON_DELIVERY_ALLOW_PRIVATE is on. The name is resolved
once: the request then goes to an address that was checked (bot/engine/deliver.py), never to
a second answer of a DNS server that answers differently each time it is asked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

IPv4 = ipaddress.IPv4Address
IPv6 = ipaddress.IPv6Address
NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: IPv4 in the last 32 bits
# RFC 8215's local-use prefix: each network picks where in it the IPv4 address sits, so it
# cannot be read back out; IANA lists the prefix as not globally reachable.
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # `::a.b.c.d`, deprecated; holds :: and ::1


class DestinationRefused(Exception):
    """The URL points at an address deliveries may not go to; retrying cannot help."""


class DestinationUnresolved(Exception):
    """The URL's host name does not resolve now; it may later, so the delivery is retried."""


@dataclass(frozen=True)
class Destination:
    """A delivery URL and the addresses its host resolved to when it was checked."""

    url: httpx.URL
    addresses: tuple[str, ...]  # in the resolver's order of preference


def embedded_ipv4(ip: IPv6) -> list[IPv4]:
    """The IPv4 addresses an IPv6 address stands for, which its packets end up going to."""
    low_32_bits = IPv4(int(ip) & 0xFFFF_FFFF)
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # the Teredo server and the client's (de-obfuscated) address
    if ip in NAT64_WELL_KNOWN or ip in IPV4_COMPATIBLE:
        return [low_32_bits]
    return []


def is_public(address: str) -> bool:
    """Whether `address` is on the public internet; an IPv6 address that stands for IPv4 ones
    (mapped, compatible, 6to4, NAT64, Teredo) is as public as they are."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, IPv6):
        if ip in NAT64_LOCAL_USE:
            return False
        if embedded := embedded_ipv4(ip):
            return all(is_public(str(inner)) for inner in embedded)
    return ip.is_global and not ip.is_multicast


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        problem = f"{host} does not resolve ({exc}); the delivery is tried again"
        raise DestinationUnresolved(problem) from None
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))  # unique, in order


def parse(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise DestinationRefused(f"{url} is not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise DestinationRefused(f"{url} is not an http(s) URL")
    return parsed


async def check_destination(url: str, *, allow_private: bool) -> Destination:
    """Resolve `url`'s host once; raise DestinationRefused unless it may be delivered to."""
    parsed = parse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = await resolve(parsed.raw_host.decode("ascii"), port)
    private = [a for a in addresses if not is_public(a)]
    if private and not allow_private:
        raise DestinationRefused(
            f"{parsed.host} resolves to {', '.join(private)}, not a public address: "
            "deliveries there are refused (set BATON_DELIVERY_ALLOW_PRIVATE=true to allow them)"
        )
    return Destination(url=parsed, addresses=addresses)
