"""Service-to-service calls: a client-credentials token from the auth service, cached."""

from __future__ import annotations

import threading
import time

import httpx


class ServiceTokenClient:
    """Gets (and renews shortly before expiry) an access token with the `service` role.

    The auth service's `POST /internal/service-token` is internal: the gateway does not route it.
    """

    def __init__(self, auth_url: str, client_id: str, client_secret: str) -> None:
        self.token_url = auth_url.rstrip("/") + "/internal/service-token"
        self.client_id = client_id
        self.client_secret = client_secret
        self._token = ""
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if time.monotonic() < self._expires_at - 30:
                return self._token
            response = httpx.post(
                self.token_url,
                json={"client_id": self.client_id, "client_secret": self.client_secret},
                timeout=10.0,
            )
            response.raise_for_status()
            body = response.json()
            self._token = body["access_token"]
            self._expires_at = time.monotonic() + float(body.get("expires_in", 300))
            return self._token

    def cached(self) -> str | None:
        """The token if one is held and not due for renewal; never blocks (from async code:
        only a renewal needs token() in a thread)."""
        token, expires_at = self._token, self._expires_at
        return token if time.monotonic() < expires_at - 30 else None

    def forget(self) -> None:
        """Drop the cached token (it was refused: auth restarted with other keys, say)."""
        with self._lock:
            self._expires_at = 0.0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}
