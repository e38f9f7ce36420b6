from __future__ import annotations

import base64
import os

import numpy as np
import pytest
from cryptography.exceptions import InvalidTag
from pydantic import ValidationError

from faceclock_common.settings import UnsafeConfiguration
from recognition_svc.config import Settings
from recognition_svc.crypto import EncodingCipher


def test_encoding_round_trip_and_binding_to_face_id() -> None:
    cipher = EncodingCipher(os.urandom(32))
    vector = np.random.default_rng(1).normal(size=128).astype(np.float32)
    blob = cipher.encrypt(vector, face_id="f1")
    assert vector.tobytes() not in blob and len(blob) == 12 + 512 + 16
    assert np.array_equal(cipher.decrypt(blob, face_id="f1"), vector)
    assert cipher.encrypt(vector, face_id="f1") != blob  # fresh nonce every time
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob, face_id="f2")  # copied onto another face's row
    with pytest.raises(InvalidTag):
        EncodingCipher(os.urandom(32)).decrypt(blob, face_id="f1")


def test_settings_defaults_and_env_prefix(monkeypatch) -> None:
    monkeypatch.setenv("RECOGNITION_THRESHOLD", "0.5")
    monkeypatch.setenv("RECOGNITION_PORT", "50099")
    monkeypatch.setenv("FACECLOCK_REDIS_URL", "redis://127.0.0.1:6379/3")
    settings = Settings()
    assert (settings.threshold, settings.port, settings.metrics_port) == (0.5, 50099, 0)
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    monkeypatch.delenv("RECOGNITION_PORT")
    assert Settings().port == 50051


def test_encryption_key_must_be_32_bytes_of_base64() -> None:
    with pytest.raises(ValidationError):
        Settings(encryption_key=base64.b64encode(b"short").decode())
    with pytest.raises(ValidationError):
        Settings(encryption_key="not base64!")
    key = base64.b64encode(os.urandom(32)).decode()
    assert len(Settings(encryption_key=key).encryption_key_bytes()) == 32


def test_production_refuses_to_start_without_a_key() -> None:
    with pytest.raises(UnsafeConfiguration):
        Settings(FACECLOCK_ENV="production", encryption_key="").check_production()
    assert len(Settings(FACECLOCK_ENV="development").encryption_key_bytes()) == 32
