"""Kiosk devices: created by an admin, exchange their secret for a short kiosk token, revocable."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth_svc.accounts.schemas import AccessToken
from auth_svc.accounts.service import too_many_attempts
from auth_svc.db import utcnow
from auth_svc.kiosks.models import Kiosk
from auth_svc.runtime import Runtime
from auth_svc.secrets_util import digest, new_secret
from faceclock_common.errors import ApiError

logger = logging.getLogger(__name__)
KIOSK_ROLE = "kiosk"


def create_kiosk(session: Session, *, name: str, created_by: str) -> tuple[Kiosk, str]:
    secret = "fck_" + new_secret()
    kiosk = Kiosk(name=name.strip(), secret_hash=digest(secret), created_by=created_by)
    session.add(kiosk)
    session.commit()
    logger.info("kiosk created", extra={"kiosk_id": kiosk.id, "by": created_by})
    return kiosk, secret


def list_kiosks(session: Session, *, limit: int, offset: int) -> tuple[list[Kiosk], int]:
    total = session.scalar(select(func.count()).select_from(Kiosk)) or 0
    items = session.scalars(select(Kiosk).order_by(Kiosk.id).limit(limit).offset(offset)).all()
    return list(items), total


def get_kiosk(session: Session, *, kiosk_id: int) -> Kiosk:
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise ApiError(404, "not_found", "No such kiosk.")
    return kiosk


def revoke_kiosk(session: Session, *, kiosk_id: int, by: str) -> None:
    kiosk = get_kiosk(session, kiosk_id=kiosk_id)
    if kiosk.revoked_at is None:
        kiosk.revoked_at = utcnow()
        session.commit()
        logger.info("kiosk revoked", extra={"kiosk_id": kiosk_id, "by": by})


def device_login(session: Session, *, runtime: Runtime, secret: str, address: str) -> AccessToken:
    wait = runtime.throttle.retry_after(account=None, address=address, bucket="device")
    if wait:
        raise too_many_attempts(wait)
    kiosk = session.scalars(select(Kiosk).where(Kiosk.secret_hash == digest(secret))).first()
    if kiosk is None or kiosk.revoked_at is not None:
        runtime.throttle.failure(account=None, address=address, action="device_login",
                                  bucket="device")
        raise ApiError(401, "invalid_device", "Unknown or revoked device credentials.")
    kiosk.last_used_at = utcnow()
    session.commit()
    ttl = runtime.settings.kiosk_token_ttl_seconds
    token = runtime.signer.sign(subject=f"kiosk:{kiosk.id}", roles=[KIOSK_ROLE],
                                username=f"kiosk:{kiosk.name}", ttl_seconds=ttl,
                                device_id=str(kiosk.id))
    return AccessToken(access_token=token, expires_in=ttl)
