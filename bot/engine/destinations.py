"""Which addresses a repository's config may make Baton POST to.

A config names the delivery URL, and whoever can push to a repository can write the config; on
a Baton hosted for others that must not reach into the network Baton runs in (its database,
the cloud's metadata service at 169.254.169.254). So a URL whose host resolves to anything but
public addresses is refused unless BATON_DELIVERY_ALLOW_PRIVATE is on. The check resolves the
name before the request does: a DNS server that answers differently the second time could
still get past it, so a Baton that must be airtight also needs an egress firewall.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class DestinationRefused(Exception):
    """The URL points at an address deliveries may not go to; retrying cannot help."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


async def check_destination(url: str, *, allow_private: bool) -> None:
    """Raise DestinationRefused unless `url` may be delivered to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused(f"{url} is not an http(s) URL")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    private = [a for a in await resolve(parts.hostname, port) if not is_public(a)]
    if private:
        raise DestinationRefused(
            f"{parts.hostname} resolves to {', '.join(private)}, not a public address: "
            "deliveries there are refused (set BATON_DELIVERY_ALLOW_PRIVATE=true to allow them)"
        )
