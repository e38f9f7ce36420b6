"""Auth's own routes refuse revoked access tokens too: the gateway checks tokens on every other
path, but `/api/v1/auth/*` it passes to auth unchecked (sign-in needs no token). Auth owns the
answer, so it reads it from its database on each call, with no cache."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from auth_svc.accounts.models import RefreshToken, User
from auth_svc.kiosks.models import Kiosk
from faceclock_common.security import JwksKeyStore, Principal, TokenError, TokenVerifier


def token_still_counts(session: Session, subject: str, version: int, session_id: str) -> bool:
    """A user's token counts while the account is active, its version is the account's and its
    session was not logged out; a kiosk's while the device is not revoked; a service's always
    (the gateway asks the same)."""
    active, current = subject_status(session, subject, session_id)
    return active and version == current


def session_ended(session: Session, session_id: str) -> bool:
    return session.scalar(select(RefreshToken.id).where(
        RefreshToken.family_id == session_id, RefreshToken.revoked_at.is_not(None)).limit(1)
    ) is not None


def subject_status(session: Session, subject: str, session_id: str = "") -> tuple[bool, int]:
    """(active, token version) of a token subject and, for a user, of its session."""
    if subject.isdigit():
        user = session.get(User, int(subject)) if len(subject) < 19 else None
        if user is None:
            return False, 0
        ended = bool(session_id) and session_ended(session, session_id)
        return user.active and not ended, user.token_version or 0
    kind, _, ident = subject.partition(":")
    if kind == "kiosk":
        kiosk = session.get(Kiosk, int(ident)) if ident.isdigit() and len(ident) < 19 else None
        return kiosk is not None and kiosk.revoked_at is None, 0
    return kind == "service", 0


class LocalRevocationVerifier(TokenVerifier):
    def __init__(self, keys: JwksKeyStore, *, issuer: str, audience: str,
                 session_factory: sessionmaker[Session]) -> None:
        super().__init__(keys, issuer=issuer, audience=audience)
        self.session_factory = session_factory

    def verify(self, token: str) -> Principal:
        principal = super().verify(token)
        with self.session_factory() as session:
            if not token_still_counts(session, principal.subject, principal.token_version,
                                      principal.session_id):
                raise TokenError("the token was revoked")
        return principal
