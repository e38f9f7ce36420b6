"""Kiosk PINs: argon2id hashes only (argon2-cffi's RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # type argon2id by default
# Verified against when the number is unknown or has no PIN, so those answers take as long as a
# wrong PIN for a real employee (no telling numbers apart by timing).
_DUMMY_HASH = _hasher.hash("not a pin")


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def verify_pin(stored_hash: str | None, pin: str) -> bool:
    """True when `pin` matches; always spends one hash computation."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, pin) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
