"""Access tokens that stop working before they expire: after a logout, a password change or
reset, a deactivation, a change of roles or employee link, or a kiosk's revocation.

A signature check alone would accept such a token for the rest of its 15 minutes. So the gateway
asks auth (`GET /internal/token-status/{subject}`) whether the subject's tokens of that version
still count, and remembers the answer for `GATEWAY_TOKEN_STATUS_CACHE_SECONDS` (5 s): that is how
long a revoked token may still pass. When auth cannot answer and nothing fresh is remembered the
request is refused with 503 (fail closed): a revoked token never passes for lack of an answer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import httpx

from faceclock_common.contracts import TokenStatus
from faceclock_common.errors import try_later
from faceclock_common.logging import outgoing_headers
from faceclock_common.security import JwksKeyStore, Principal, TokenError, TokenVerifier
from faceclock_common.service_auth import ServiceTokenClient


@dataclass(frozen=True)
class _Status:
    active: bool
    version: int
    fetched_at: float


class TokenStatusCache:
    def __init__(self, auth_url: str, service_tokens: ServiceTokenClient, *,
                 ttl_seconds: float, max_subjects: int = 100_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_subjects = max_subjects
        self._tokens = service_tokens
        self._http = httpx.Client(base_url=auth_url.rstrip("/"), timeout=5.0)
        self._statuses: OrderedDict[tuple[str, str], _Status] = OrderedDict()
        self._lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def check(self, principal: Principal) -> None:
        """Raises TokenError when the principal's token no longer counts."""
        status = self._status(principal.subject, principal.session_id)
        if status.active and principal.token_version > status.version:
            # Issued after the remembered answer (a refresh just after a role change): ask again
            # rather than refuse a token newer than what we know.
            status = self._status(principal.subject, principal.session_id, fresh=True)
        if not self._counts(principal, status):
            raise TokenError("the token was revoked")

    def known_to_count(self, principal: Principal) -> bool:
        """True when a fresh remembered answer says the token still counts; never blocks."""
        with self._lock:
            known = self._statuses.get((principal.subject, principal.session_id))
        return (known is not None and time.monotonic() - known.fetched_at < self.ttl_seconds
                and self._counts(principal, known))

    @staticmethod
    def _counts(principal: Principal, status: _Status) -> bool:
        return status.active and principal.token_version == status.version

    def _status(self, subject: str, session_id: str, *, fresh: bool = False) -> _Status:
        key = (subject, session_id)
        now = time.monotonic()
        with self._lock:
            known = self._statuses.get(key)
        if not fresh and known is not None and now - known.fetched_at < self.ttl_seconds:
            return known
        fetched = self._fetch(subject, session_id)
        with self._lock:
            self._statuses[key] = fetched
            self._statuses.move_to_end(key)
            while len(self._statuses) > self.max_subjects:
                self._statuses.popitem(last=False)
        return fetched

    def _fetch(self, subject: str, session_id: str) -> _Status:
        try:
            reply = self._ask(subject, session_id)
            if reply.status_code == 401:  # our service token is stale: one more try with a new one
                self._tokens.forget()
                reply = self._ask(subject, session_id)
            reply.raise_for_status()
            status = TokenStatus.model_validate(reply.json())
            return _Status(active=status.active, version=status.version,
                           fetched_at=time.monotonic())
        except (httpx.HTTPError, ValueError) as exc:  # ValueError: JSON or contract broken
            raise try_later(503, "auth_unavailable",
                            "Sign-in could not be checked right now; try again shortly.",
                            5) from exc


    def _ask(self, subject: str, session_id: str) -> httpx.Response:
        headers = {**self._tokens.headers(), **outgoing_headers()}
        return self._http.get(f"/internal/token-status/{subject}", headers=headers,
                              params={"sid": session_id} if session_id else None)


class RevocationCheckingVerifier(TokenVerifier):
    """The usual signature and claims check, then whether the token was revoked since."""

    def __init__(self, keys: JwksKeyStore, *, issuer: str, audience: str,
                 statuses: TokenStatusCache) -> None:
        super().__init__(keys, issuer=issuer, audience=audience)
        self.statuses = statuses

    def verify(self, token: str) -> Principal:
        principal = super().verify(token)
        self.statuses.check(principal)
        return principal

    def remembered(self, token: str) -> Principal | None:
        principal = super().remembered(token)
        if principal is None or not self.statuses.known_to_count(principal):
            return None  # verify() asks auth, or refuses
        return principal
