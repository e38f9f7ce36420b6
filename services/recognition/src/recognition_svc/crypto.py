"""Encodings at rest: AES-256-GCM, with the face id as associated data.

Binding the ciphertext to its face id means a row's encoding cannot be copied onto another
face's row (or person's) without decryption failing.
"""

from __future__ import annotations

import os
from typing import BinaryIO

import numpy as np
from cryptography.exceptions import InvalidTag
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


# A large blob (the index snapshot) is sealed in chunks, so neither writing nor reading it ever
# holds a second copy of the whole: each chunk has its own nonce, and its number and whether it
# is the last are bound into the associated data, so chunks cannot be reordered, dropped or cut.
STREAM_CHUNK = 8 << 20
_LENGTH = 4


def _chunk_label(label: str, number: int, last: bool) -> bytes:
    return f"{label}|{number}|{'last' if last else 'more'}".encode()


class SealedWriter:
    """Writes `label`-bound, chunk-sealed ciphertext of everything given to `write` to `out`."""

    def __init__(self, cipher: EncodingCipher, out: BinaryIO, *, label: str) -> None:
        self._aead, self._out, self._label = cipher._aead, out, label
        self._pending = bytearray()
        self._number = 0

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data).cast("B")
        while len(view):
            room = STREAM_CHUNK - len(self._pending)
            self._pending += view[:room]
            view = view[room:]
            if len(self._pending) == STREAM_CHUNK:
                self._seal(last=False)

    def close(self) -> None:
        """Seals the last chunk (possibly empty): a stream without it reads as cut short."""
        self._seal(last=True)

    def _seal(self, *, last: bool) -> None:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, bytes(self._pending),
                                    _chunk_label(self._label, self._number, last))
        self._out.write((NONCE_BYTES + len(sealed)).to_bytes(_LENGTH, "big"))
        self._out.write(nonce)
        self._out.write(sealed)
        self._pending.clear()
        self._number += 1


class SealedReader:
    """Reads back what a SealedWriter wrote, `read(n)` bytes at a time, one chunk in memory."""

    def __init__(self, cipher: EncodingCipher, source: BinaryIO, *, label: str) -> None:
        self._aead, self._source, self._label = cipher._aead, source, label
        self._plain = b""
        self._offset = 0
        self._number = 0
        self._last = False

    def read(self, size: int) -> bytes:
        """Exactly `size` bytes; ValueError if the stream ends first."""
        parts = []
        while size:
            if self._offset == len(self._plain):
                self._next()
            take = self._plain[self._offset:self._offset + size]
            self._offset += len(take)
            size -= len(take)
            parts.append(take)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _next(self) -> None:
        if self._last:
            raise ValueError("sealed stream: read past its end")
        length = int.from_bytes(self._source.read(_LENGTH), "big")
        blob = self._source.read(length)
        if not length or len(blob) != length:
            raise ValueError("sealed stream: cut short")
        nonce, body = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
        for last in (False, True):
            try:
                self._plain = self._aead.decrypt(
                    nonce, body, _chunk_label(self._label, self._number, last))
            except InvalidTag:
                continue
            self._last = last
            break
        else:
            raise ValueError("sealed stream: a chunk does not authenticate")
        self._offset = 0
        self._number += 1
