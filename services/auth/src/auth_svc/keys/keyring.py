"""Ed25519 signing keys kept as PEM files in one directory, shared by every auth replica.

A file is named `<created, UTC>-<kid>.pem`; the newest is the current signing key. A key that
a newer one superseded stays in the JWKS for the grace period, so tokens it signed keep
verifying until they expire. Every replica re-reads the directory when it changes, which is how
a rotation done by one replica (or by `python -m auth_svc rotate-keys`) reaches the others.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

logger = logging.getLogger(__name__)

_STAMP = "%Y%m%dT%H%M%S%fZ"


class NoSigningKey(RuntimeError):
    """No key in the keys directory, and this configuration may not make one."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    created_at: datetime
    private_key: Ed25519PrivateKey
    path: Path

    def public_jwk(self) -> dict[str, str]:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "kid": self.kid,
                "alg": "EdDSA", "use": "sig"}


def thumbprint(private_key: Ed25519PrivateKey) -> str:
    """RFC 7638 JWK thumbprint: the kid is derived from the key, never chosen."""
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)},
                           separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canonical.encode()).digest())[:22]


class KeyRing:
    def __init__(self, directory: Path, *, grace: timedelta) -> None:
        self.directory = directory
        self.grace = grace
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: list[SigningKey] = []

    def _load(self) -> list[SigningKey]:
        """The keys on disk, oldest first; reloaded only when the directory changed."""
        try:
            stat = self.directory.stat()
        except FileNotFoundError:
            return []
        stamp = (stat.st_mtime_ns, stat.st_ino)
        with self._lock:
            if stamp == self._stamp:
                return self._keys
            keys = []
            for path in sorted(self.directory.glob("*.pem")):
                created = path.stem.partition("-")[0]
                try:
                    created_at = datetime.strptime(created, _STAMP).replace(tzinfo=UTC)
                    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
                except (ValueError, OSError):
                    logger.warning("ignoring unreadable key file", extra={"file": path.name})
                    continue
                if not isinstance(loaded, Ed25519PrivateKey):
                    logger.warning("ignoring non-Ed25519 key file", extra={"file": path.name})
                    continue
                keys.append(SigningKey(thumbprint(loaded), created_at, loaded, path))
            self._keys = keys
            self._stamp = stamp
            return keys

    def ensure_key(self, *, generate: bool) -> SigningKey:
        keys = self._load()
        if keys:
            return keys[-1]
        if not generate:
            raise NoSigningKey(
                f"no Ed25519 signing key in {self.directory}; provide one "
                "(python -m auth_svc rotate-keys makes one) before starting outside development"
            )
        logger.info("no signing key yet: generating one", extra={"dir": str(self.directory)})
        return self.rotate()

    def current(self) -> SigningKey:
        keys = self._load()
        if not keys:
            raise NoSigningKey(f"no Ed25519 signing key in {self.directory}")
        return keys[-1]

    def rotate(self, *, revoke_previous: bool = False) -> SigningKey:
        """Make a new key current; the previous one stays published for the grace period,
        unless it is revoked (a leaked key): then every token it signed stops verifying."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        private_key = Ed25519PrivateKey.generate()
        now = datetime.now(UTC)
        kid = thumbprint(private_key)
        path = self.directory / f"{now.strftime(_STAMP)}-{kid}.pem"
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        tmp.rename(path)  # other replicas never read half a key
        if revoke_previous:
            for older in self._load()[:-1]:
                older.path.unlink(missing_ok=True)
            logger.warning("previous signing keys revoked", extra={"kid": kid})
        self.prune()
        logger.info("signing key rotated", extra={"kid": kid})
        return self.current()

    def published(self) -> list[SigningKey]:
        """The current key and every predecessor still inside its grace period."""
        keys = self._load()
        if not keys:
            return []
        now = datetime.now(UTC)
        published = [keys[-1]]
        for older, successor in pairwise(keys):
            if successor.created_at + self.grace > now:
                published.append(older)
        return published

    def prune(self) -> None:
        """Delete keys whose grace period ended: nothing they signed is valid any more."""
        keys = self._load()
        now = datetime.now(UTC)
        for older, successor in pairwise(keys):
            if successor.created_at + self.grace <= now:
                older.path.unlink(missing_ok=True)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.published()]}
