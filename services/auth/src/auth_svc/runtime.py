"""Everything long-lived the auth service builds once per app and hands to its routes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from auth_svc.config import Settings
from auth_svc.keys.keyring import KeyRing
from auth_svc.keys.tokens import TokenSigner
from auth_svc.mail.mailer import Mailer
from auth_svc.passwords import Passwords
from auth_svc.throttle.service import Throttle
from faceclock_common.addresses import Network


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    keyring: KeyRing
    signer: TokenSigner
    passwords: Passwords
    throttle: Throttle
    mailer: Mailer
    trusted_proxies: Sequence[Network]
