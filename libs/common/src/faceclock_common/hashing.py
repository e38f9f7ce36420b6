"""argon2id hashes of the secrets people type: account passwords (auth) and kiosk PINs
(attendance), with one cost profile and one constant-cost verification."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id minimum (m=19 MiB, t=2, p=1): auth may raise it (AUTH_ARGON2_*), never lower.
TIME_COST = 2
MEMORY_KIB = 19_456
PARALLELISM = 1


class SecretHasher:
    """Hashes and verifies. Verifying against no stored hash still spends one hash computation
    on a dummy, so an unknown user or badge number answers as slowly as a wrong secret."""

    def __init__(self, *, time_cost: int = TIME_COST, memory_kib: int = MEMORY_KIB,
                 parallelism: int = PARALLELISM) -> None:
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                                     parallelism=parallelism, type=Type.ID)
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    def hash(self, secret: str) -> str:
        return self.hasher.hash(secret)

    def verify(self, stored_hash: str | None, secret: str) -> bool:
        """True when `secret` matches `stored_hash`; always spends one hash computation."""
        try:
            return self.hasher.verify(stored_hash or self._dummy_hash, secret) and bool(
                stored_hash)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """The hash was made with another cost than the configured one."""
        return self.hasher.check_needs_rehash(stored_hash)
