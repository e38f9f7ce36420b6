"""Kiosk PINs: argon2id hashes only, at the same cost profile as passwords."""

from __future__ import annotations

from faceclock_common.hashing import SecretHasher

_hasher = SecretHasher()


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def verify_pin(stored_hash: str | None, pin: str) -> bool:
    """True when `pin` matches; always spends one hash computation (an unknown number or one
    without a PIN answers as slowly as a wrong PIN: no telling numbers apart by timing)."""
    return _hasher.verify(stored_hash, pin)
