"""Notices of requests filed and decided, and the nightly digest of missing check-outs,
delivered by the auth service (which knows the accounts, their e-mail addresses and languages).
Best effort: a notice that cannot be delivered is logged and the request stands."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from pydantic import BaseModel

from attendance_svc.config import Settings
from faceclock_common.contracts import DigestIn, DigestReport, NoticeIn
from faceclock_common.service_auth import ServiceTokenClient

logger = logging.getLogger(__name__)


class Notifier:
    def __init__(self, settings: Settings) -> None:
        secret = settings.client_secret
        self.base = settings.auth_url.rstrip("/") + "/internal"
        self.tokens = (ServiceTokenClient(settings.auth_url, settings.client_id,
                                          secret.get_secret_value()) if secret else None)

    def _post(self, path: str, message: BaseModel) -> dict[str, Any] | None:
        """Auth's answer, or None when nobody can be told (no credentials, or auth failed)."""
        if self.tokens is None:
            return None
        url = self.base + path
        body = message.model_dump(mode="json")
        try:
            reply = httpx.post(url, json=body, headers=self.tokens.headers(), timeout=30)
            if reply.status_code == 401:  # auth restarted with other keys: a new token, once
                self.tokens.forget()
                reply = httpx.post(url, json=body, headers=self.tokens.headers(), timeout=30)
            reply.raise_for_status()
        except httpx.HTTPError as exc:
            logger.warning("notice not delivered", extra={"path": path, "error": str(exc)})
            return None
        answer: dict[str, Any] = reply.json()
        return answer

    def send(self, notice: NoticeIn) -> None:
        self._post("/notifications", notice)

    def send_digest(self, digest: DigestIn) -> DigestReport | None:
        answer = self._post("/digests/missing-checkouts", digest)
        return DigestReport.model_validate(answer) if answer is not None else None


def get_notifier(request: Request) -> Notifier:
    notifier: Notifier = request.app.state.notifier
    return notifier


NotifierDep = Annotated[Notifier, Depends(get_notifier)]
