"""The client's address behind our own proxies, framework-free (the gateway's rate limits and
auth's throttles ask the same question and must get the same answer)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR ranges as networks (parsed once per distinct configuration)."""
    return _parse(tuple(entries))


@lru_cache(maxsize=16)
def _parse(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """Walk X-Forwarded-For (every header line, comma-separated hops) from the right past our
    own proxies; the first other hop is the client. Only a trusted peer's header is believed, and
    entries left of an untrusted hop could have been written by the client, so they are ignored.
    A hop that is not an address falls back to the peer itself."""
    if not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return hops[0] if hops else peer
