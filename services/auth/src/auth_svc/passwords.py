"""Password hashing (argon2id) and the password policy of SECURITY.md."""

from __future__ import annotations

import gzip
import secrets
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from auth_svc.config import Settings


class Passwords:
    """Hashes and verifies; the dummy hash gives an unknown user the same cost as a known one."""

    def __init__(self, settings: Settings) -> None:
        self.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def spend_dummy(self, password: str) -> None:
        """Run one verification nobody can pass, so the unknown-user path costs a hash too."""
        self.verify(self._dummy_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self.hasher.check_needs_rehash(stored_hash)


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("auth_svc").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip().lower() for line in gzip.decompress(data).decode().splitlines()
                     if line.strip())


def policy_problem(password: str, *, min_length: int, max_length: int,
                   username: str = "") -> str | None:
    """Why a new password is refused, or None. No composition rules (SECURITY.md)."""
    length = len(password)
    if length < min_length:
        return f"The password must have at least {min_length} characters."
    if length > max_length:
        return f"The password must have at most {max_length} characters."
    if password.lower() in common_passwords():
        return "This password is on a list of commonly used passwords; choose another."
    if username and password.lower() == username.lower():
        return "The password must not be the user name."
    return None
