"""Kiosk devices: created by an admin, exchange their secret for a short kiosk token, revocable."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth_svc.accounts.schemas import AccessToken
from auth_svc.accounts.service import too_many_attempts
from auth_svc.db import utcnow
from auth_svc.kiosks.models import SEEN_EVERY, Kiosk
from auth_svc.kiosks.schemas import KioskUpdate
from auth_svc.runtime import Runtime
from auth_svc.secrets_util import digest, new_secret
from faceclock_common.errors import ApiError

logger = logging.getLogger(__name__)
KIOSK_ROLE = "kiosk"
# No 0/O, 1/I/L, 5/S, 2/Z: read off one screen and typed on another without a doubt.
PAIRING_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
PAIRING_LENGTH = 8  # 27**8: about 2.8e11 codes, tried a few at a time per address
PAIRING_MINUTES = 10


def create_kiosk(session: Session, *, name: str, created_by: str) -> tuple[Kiosk, str]:
    secret = "fck_" + new_secret()
    kiosk = Kiosk(name=name.strip(), secret_hash=digest(secret), created_by=created_by)
    session.add(kiosk)
    session.flush()  # its id is logged and answered
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
        logger.info("kiosk revoked", extra={"kiosk_id": kiosk_id, "by": by})


def update_kiosk(session: Session, *, kiosk_id: int, data: KioskUpdate, by: str) -> Kiosk:
    kiosk = get_kiosk(session, kiosk_id=kiosk_id)
    if kiosk.revoked_at is not None:
        raise ApiError(409, "kiosk_revoked", "This kiosk is revoked; add a new one.")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name") is not None:
        changes["name"] = changes["name"].strip()
    for key in ("name", "pin_allowed", "sound"):  # these cannot be cleared, only changed
        if key in changes and changes[key] is None:
            del changes[key]
    for key, value in changes.items():
        setattr(kiosk, key, value)
    logger.info("kiosk settings changed", extra={"kiosk_id": kiosk.id, "by": by,
                                                 "fields": sorted(changes)})
    return kiosk


def heartbeat(session: Session, *, kiosk_id: int) -> Kiosk:
    """The kiosk says it is up: its last-seen time, written at most once a minute (a fleet of
    tablets beating costs one small UPDATE per kiosk per minute), and its settings."""
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.revoked_at is not None:
        raise ApiError(401, "invalid_device", "Unknown or revoked device credentials.")
    now = utcnow()
    if kiosk.last_seen_at is None or now - kiosk.last_seen_at >= SEEN_EVERY:
        kiosk.last_seen_at = now
    return kiosk


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
    ttl = runtime.settings.kiosk_token_ttl_seconds
    token = runtime.signer.sign(subject=f"kiosk:{kiosk.id}", roles=[KIOSK_ROLE],
                                username=f"kiosk:{kiosk.name}", ttl_seconds=ttl,
                                device_id=str(kiosk.id))
    return AccessToken(access_token=token, expires_in=ttl)


def kiosk_id_of(subject: str) -> int | None:
    """The kiosk a token's subject ("kiosk:<id>", as device_login signs it) names."""
    prefix, _, number = subject.partition(":")
    return int(number) if prefix == "kiosk" and number.isdigit() else None


def _normal_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def pairing_code(session: Session, *, kiosk_id: int, by: str) -> tuple[str, datetime]:
    """A new short code for the kiosk (any earlier one stops working)."""
    kiosk = get_kiosk(session, kiosk_id=kiosk_id)
    if kiosk.revoked_at is not None:
        raise ApiError(409, "kiosk_revoked", "This kiosk is revoked; add a new one.")
    raw = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_LENGTH))
    kiosk.pairing_code_hash = digest(raw)
    kiosk.pairing_expires_at = utcnow() + timedelta(minutes=PAIRING_MINUTES)
    logger.info("kiosk pairing code issued", extra={"kiosk_id": kiosk.id, "by": by})
    return f"{raw[:4]}-{raw[4:]}", kiosk.pairing_expires_at


def pair_device(session: Session, *, runtime: Runtime, code: str,
                address: str) -> tuple[Kiosk, str]:
    """The code, once and in time, for a fresh device secret (the kiosk's earlier secret stops
    working: the paired tablet is the kiosk now). Failures count like device logins."""
    wait = runtime.throttle.retry_after(account=None, address=address, bucket="device")
    if wait:
        raise too_many_attempts(wait)
    normal = _normal_code(code)
    kiosk = session.scalars(select(Kiosk).where(
        Kiosk.pairing_code_hash == digest(normal))).first() if normal else None
    if (kiosk is None or kiosk.revoked_at is not None or kiosk.pairing_expires_at is None
            or kiosk.pairing_expires_at < utcnow()):
        runtime.throttle.failure(account=None, address=address, action="device_pair",
                                 bucket="device")
        raise ApiError(401, "invalid_pairing_code",
                       "Unknown or expired pairing code; ask for a new one.")
    secret = "fck_" + new_secret()
    kiosk.secret_hash = digest(secret)
    kiosk.pairing_code_hash = kiosk.pairing_expires_at = None
    logger.info("kiosk paired", extra={"kiosk_id": kiosk.id})
    return kiosk, secret
