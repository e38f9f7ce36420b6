"""Random bearer secrets and the only form in which they are stored."""

from __future__ import annotations

import hashlib
import secrets


def new_secret() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
