"""The client's address: X-Forwarded-For is believed only when the peer is a trusted proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Sequence[str]) -> list[Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    """Walk X-Forwarded-For from the right past our own proxies; the first other hop is the client.

    Entries left of an untrusted hop could have been written by the client, so they are ignored.
    """
    peer = request.client.host if request.client else "unknown"
    if not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in request.headers.getlist("x-forwarded-for")
            for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage in the header: fall back to the proxy itself
    return hops[0] if hops else peer
