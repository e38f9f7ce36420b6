"""Which address counts as the client's (the growing delays are tested with the throttle, in
libs/common/tests/unit/test_throttle.py)."""

from __future__ import annotations

from starlette.requests import Request

from faceclock_common.addresses import parse_networks
from faceclock_common.fastapi.requests import client_address_of


def request(peer: str, forwarded: list[str]) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "client": (peer, 1234), "headers": headers})


TRUSTED = parse_networks(["127.0.0.1/32", "10.0.0.0/8"])


def test_forwarded_for_is_ignored_from_an_untrusted_peer() -> None:
    assert client_address_of(request("198.51.100.9", ["1.2.3.4"]), TRUSTED) == "198.51.100.9"


def test_forwarded_for_is_used_from_the_trusted_gateway() -> None:
    assert client_address_of(request("127.0.0.1", ["198.51.100.9"]), TRUSTED) == "198.51.100.9"


def test_a_client_cannot_spoof_by_prepending_addresses() -> None:
    # The client sent "X-Forwarded-For: 6.6.6.6"; the gateway appended the real peer.
    forged = request("127.0.0.1", ["6.6.6.6, 198.51.100.9"])
    assert client_address_of(forged, TRUSTED) == "198.51.100.9"


def test_chains_of_trusted_proxies_are_walked() -> None:
    chained = request("127.0.0.1", ["198.51.100.9, 10.1.2.3"])
    assert client_address_of(chained, TRUSTED) == "198.51.100.9"


def test_garbage_forwarded_for_falls_back_to_the_peer() -> None:
    assert client_address_of(request("127.0.0.1", ["not-an-ip"]), TRUSTED) == "127.0.0.1"
