"""Password hashing (argon2id) and the password policy of SECURITY.md."""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from auth_svc.config import Settings
from faceclock_common.hashing import SecretHasher


class Passwords(SecretHasher):
    """Account passwords at the configured argon2id cost (raising it re-hashes at next login)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(time_cost=settings.argon2_time_cost,
                         memory_kib=settings.argon2_memory_kib,
                         parallelism=settings.argon2_parallelism)


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
