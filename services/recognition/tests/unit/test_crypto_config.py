from __future__ import annotations

import base64
import io
import os

import numpy as np
import pytest
from cryptography.exceptions import InvalidTag
from pydantic import ValidationError

from faceclock_common.settings import UnsafeConfiguration
from recognition_svc.config import Settings
from recognition_svc.crypto import STREAM_CHUNK, EncodingCipher, SealedReader, SealedWriter


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


def _sealed(cipher: EncodingCipher, data: bytes, label: str = "snap") -> bytes:
    out = io.BytesIO()
    writer = SealedWriter(cipher, out, label=label)
    writer.write(data[:1000])
    writer.write(memoryview(data)[1000:])
    writer.close()
    return out.getvalue()


def test_sealed_stream_round_trip_and_tampering() -> None:
    cipher = EncodingCipher(os.urandom(32))
    data = os.urandom(2 * STREAM_CHUNK + 12345)
    blob = _sealed(cipher, data)
    assert data[:64] not in blob
    reader = SealedReader(cipher, io.BytesIO(blob), label="snap")
    assert reader.read(10) + reader.read(len(data) - 10) == data
    with pytest.raises(ValueError, match="past its end"):
        reader.read(1)
    with pytest.raises(ValueError, match="does not authenticate"):
        SealedReader(cipher, io.BytesIO(blob), label="other").read(1)
    # Cut after the first chunk: what was sealed as "more" cannot pass for the end.
    first = 4 + int.from_bytes(blob[:4], "big")
    with pytest.raises(ValueError, match="cut short"):
        SealedReader(cipher, io.BytesIO(blob[:first]), label="snap").read(len(data))
    # Chunks swapped: each is bound to its position.
    second = first + 4 + int.from_bytes(blob[first:first + 4], "big")
    swapped = blob[first:second] + blob[:first] + blob[second:]
    with pytest.raises(ValueError, match="does not authenticate"):
        SealedReader(cipher, io.BytesIO(swapped), label="snap").read(len(data))


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
        Settings(FACECLOCK_ENV="production", encryption_key="").check_production_safety()
    assert len(Settings(FACECLOCK_ENV="development").encryption_key_bytes()) == 32
