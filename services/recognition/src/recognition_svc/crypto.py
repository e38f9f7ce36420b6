"""Encodings at rest: AES-256-GCM, with the face id as associated data.

Binding the ciphertext to its face id means a row's encoding cannot be copied onto another
face's row (or person's) without decryption failing.
"""

from __future__ import annotations

import os

import numpy as np
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class EncodingCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the encoding key must be 32 bytes")
        self._aead = AESGCM(key)

    def encrypt(self, encoding: np.ndarray, *, face_id: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        plain = np.ascontiguousarray(encoding, dtype=np.float32).tobytes()
        return nonce + self._aead.encrypt(nonce, plain, face_id.encode())

    def decrypt(self, blob: bytes, *, face_id: str) -> np.ndarray:
        nonce, body = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
        plain = self._aead.decrypt(nonce, body, face_id.encode())
        return np.frombuffer(plain, dtype=np.float32)

    def encrypt_bytes(self, data: bytes, *, label: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, label.encode())

    def decrypt_bytes(self, blob: bytes, *, label: str) -> bytes:
        return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], label.encode())
