"""Signing keys on disk: generated once, rotated with a grace period, shared across replicas."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auth_svc.keys.keyring import KeyRing, NoSigningKey, thumbprint


def test_generates_once_with_private_file_mode(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys", grace=timedelta(hours=1))
    first = ring.ensure_key(generate=True)
    again = ring.ensure_key(generate=True)
    assert first.kid == again.kid
    files = list((tmp_path / "keys").glob("*.pem"))
    assert len(files) == 1
    assert files[0].stat().st_mode & 0o077 == 0
    assert first.kid == thumbprint(first.private_key)


def test_refuses_to_invent_a_key_when_not_allowed(tmp_path: Path) -> None:
    with pytest.raises(NoSigningKey):
        KeyRing(tmp_path / "keys", grace=timedelta(hours=1)).ensure_key(generate=False)


def test_provided_pem_is_used(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    key = Ed25519PrivateKey.generate()
    (keys / "20250101T000000000000Z-provided.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    ring = KeyRing(keys, grace=timedelta(hours=1))
    assert ring.ensure_key(generate=False).kid == thumbprint(key)


def test_rotation_keeps_the_previous_key_published_for_the_grace_period(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys", grace=timedelta(hours=1))
    old = ring.ensure_key(generate=True)
    new = ring.rotate()
    assert ring.current().kid == new.kid != old.kid
    assert {k["kid"] for k in ring.jwks()["keys"]} == {old.kid, new.kid}


def test_keys_past_their_grace_are_unpublished_and_pruned(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    for stamp in ("20200101T000000000000Z", "20200102T000000000000Z"):
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        (keys / f"{stamp}-k.pem").write_bytes(pem)
    ring = KeyRing(keys, grace=timedelta(hours=1))
    newest = ring.current()
    assert [k["kid"] for k in ring.jwks()["keys"]] == [newest.kid]
    ring.rotate()
    remaining = sorted(p.name for p in keys.glob("*.pem"))
    # Both 2020 keys were superseded long ago; only the newest and the one it replaced remain.
    assert len(remaining) == 2
    assert not any(name.startswith("20200101") for name in remaining)


def test_another_replica_sees_a_rotation(tmp_path: Path) -> None:
    one = KeyRing(tmp_path / "keys", grace=timedelta(hours=1))
    two = KeyRing(tmp_path / "keys", grace=timedelta(hours=1))
    first = one.ensure_key(generate=True)
    assert two.current().kid == first.kid
    rotated = one.rotate()
    assert two.current().kid == rotated.kid


def test_unreadable_files_are_ignored(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "20250101T000000000000Z-junk.pem").write_text("not a key")
    ring = KeyRing(keys, grace=timedelta(hours=1))
    with pytest.raises(NoSigningKey):
        ring.current()
    os.chmod(keys, 0o700)


def test_emergency_rotation_unpublishes_the_leaked_key(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys", grace=timedelta(hours=1))
    leaked = ring.ensure_key(generate=True)
    fresh = ring.rotate(revoke_previous=True)
    assert [k["kid"] for k in ring.jwks()["keys"]] == [fresh.kid]
    assert leaked.kid != fresh.kid
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 1
