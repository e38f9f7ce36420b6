"""Tables of the recognition database. No image and no plain encoding is ever stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from faceclock_common.db import BigId, UtcDateTime, service_metadata, utcnow


class Base(DeclarativeBase):
    metadata = service_metadata()


class Face(Base):
    """One enrolled sample. `id` is the opaque int64 the FAISS index holds; `face_id` is public."""

    __tablename__ = "faces"
    # Row ids are never reused on SQLite either: a change-log entry names exactly one face.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    face_id: Mapped[str] = mapped_column(String(36), unique=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    # AES-GCM(nonce || ciphertext || tag) of the float32 encoding, face_id as associated data.
    encoding: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FaceChange(Base):
    """Append-only log of gallery changes; every replica applies it in order of `id`.

    It names the face row only: what was added is read from `faces` (the source of truth), so
    applying an entry twice or late is harmless, and a deleted row cannot come back.
    """

    __tablename__ = "face_changes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    op: Mapped[str] = mapped_column(String(8))  # "add" | "delete"
    face_row_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
