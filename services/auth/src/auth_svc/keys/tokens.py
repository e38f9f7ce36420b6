"""Access tokens as docs/contracts.md defines them: EdDSA JWTs with a kid header."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from auth_svc.keys.keyring import KeyRing

ISSUER = "faceclock-auth"
AUDIENCE = "faceclock"


class TokenSigner:
    def __init__(self, keyring: KeyRing, *, issuer: str = ISSUER, audience: str = AUDIENCE) -> None:
        self.keyring = keyring
        self.issuer = issuer
        self.audience = audience

    def sign(self, *, subject: str, roles: list[str], ttl_seconds: int,
             username: str = "", employee_id: int | None = None,
             department_id: int | None = None, **extra: Any) -> str:
        key = self.keyring.current()
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.audience, "sub": subject, "iat": now,
            "nbf": now, "exp": now + ttl_seconds, "jti": uuid.uuid4().hex, "typ": "access",
            "roles": sorted(roles), "username": username,
        }
        if employee_id is not None:
            claims["employee_id"] = employee_id
        if department_id is not None:
            claims["department_id"] = department_id
        claims.update(extra)
        return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
