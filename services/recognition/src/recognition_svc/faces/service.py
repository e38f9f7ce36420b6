"""Gallery storage: keyword-only functions taking the session explicitly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from recognition_svc.crypto import EncodingCipher
from recognition_svc.faces.models import Face, FaceChange

ADD = "add"
DELETE = "delete"


@dataclass(frozen=True)
class StoredFace:
    row_id: int
    face_id: str
    person_id: str
    created_at: datetime


@dataclass(frozen=True)
class Change:
    id: int
    op: str
    row_id: int


def add_face(session: Session, *, cipher: EncodingCipher, person_id: str,
             encoding: np.ndarray) -> tuple[StoredFace, int]:
    """Stores an encrypted sample and its change-log entry; returns the face and the change id."""
    face_id = str(uuid.uuid4())
    face = Face(face_id=face_id, person_id=person_id,
                encoding=cipher.encrypt(encoding, face_id=face_id))
    session.add(face)
    session.flush()
    change = FaceChange(op=ADD, face_row_id=face.id)
    session.add(change)
    session.flush()
    return _stored(face), change.id


def delete_faces(session: Session, *, person_id: str,
                 face_ids: Sequence[str] = ()) -> tuple[list[int], int]:
    """Erases a person's samples (all, or those listed); returns their row ids and last change id."""
    query = select(Face.id).where(Face.person_id == person_id)
    if face_ids:
        query = query.where(Face.face_id.in_(list(face_ids)))
    row_ids = list(session.scalars(query.with_for_update()))
    if not row_ids:
        return [], 0
    session.execute(delete(Face).where(Face.id.in_(row_ids)))
    changes = [FaceChange(op=DELETE, face_row_id=row_id) for row_id in row_ids]
    session.add_all(changes)
    session.flush()
    return row_ids, max(c.id for c in changes)


def flush_erased_pages(session: Session) -> bool:
    """After an erasure on SQLite: copy the write-ahead log into the database file and truncate
    it, so the erased encodings' old pages are not left in the `-wal` file (secure_delete has
    zeroed them in the database file). False when a reader still needs the log after 2 s: the
    next erasure, or SQLite's own checkpoint once the readers are gone, finishes it."""
    if session.get_bind().dialect.name != "sqlite":
        return True
    session.execute(text("PRAGMA busy_timeout = 2000"))  # an erasure answer must not wait long
    try:
        busy, _, _ = session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    finally:
        session.execute(text("PRAGMA busy_timeout = 30000"))
    return not busy


def list_faces(session: Session, *, person_id: str) -> list[StoredFace]:
    rows = session.scalars(
        select(Face).where(Face.person_id == person_id).order_by(Face.created_at, Face.id)
    )
    return [_stored(face) for face in rows]


def person_encodings(session: Session, *, cipher: EncodingCipher,
                     person_id: str) -> list[tuple[StoredFace, np.ndarray]]:
    rows = session.scalars(select(Face).where(Face.person_id == person_id).order_by(Face.id))
    return [(_stored(f), cipher.decrypt(f.encoding, face_id=f.face_id)) for f in rows]


def faces_by_row_ids(session: Session, *, cipher: EncodingCipher,
                     row_ids: Sequence[int]) -> list[tuple[int, str, np.ndarray]]:
    if not row_ids:
        return []
    rows = session.execute(
        select(Face.id, Face.face_id, Face.person_id, Face.encoding).where(Face.id.in_(list(row_ids)))
    )
    return [(r.id, r.person_id, cipher.decrypt(r.encoding, face_id=r.face_id)) for r in rows]


def iter_all_faces(session: Session, *, cipher: EncodingCipher, batch: int = 20_000,
                   after_row_id: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray, list[str]]]:
    """The whole gallery in batches of (row ids, encodings matrix, person ids), keyset-paged."""
    last = after_row_id
    while True:
        rows = session.execute(
            select(Face.id, Face.face_id, Face.person_id, Face.encoding)
            .where(Face.id > last).order_by(Face.id).limit(batch)
        ).all()
        if not rows:
            return
        ids = np.fromiter((r.id for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.vstack([cipher.decrypt(r.encoding, face_id=r.face_id) for r in rows])
        yield ids, vectors, [r.person_id for r in rows]
        last = int(ids[-1])


def last_change_id(session: Session) -> int:
    return int(session.scalar(select(func.max(FaceChange.id))) or 0)


def changes_after(session: Session, *, after_id: int, limit: int = 10_000) -> list[Change]:
    rows = session.execute(
        select(FaceChange.id, FaceChange.op, FaceChange.face_row_id)
        .where(FaceChange.id > after_id).order_by(FaceChange.id).limit(limit)
    )
    return [Change(id=r.id, op=r.op, row_id=r.face_row_id) for r in rows]


def first_change_id(session: Session) -> int | None:
    value = session.scalar(select(func.min(FaceChange.id)))
    return int(value) if value is not None else None


def prune_changes(session: Session, *, before: datetime) -> int:
    """Drops change-log entries older than `before`, always keeping the newest one, so the log's
    first id tells whether a snapshot is older than what the log still covers."""
    newest = last_change_id(session)
    result = session.execute(
        delete(FaceChange).where(FaceChange.created_at < before, FaceChange.id < newest))
    return int(getattr(result, "rowcount", 0) or 0)


def count_all(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Face)) or 0)


def _stored(face: Face) -> StoredFace:
    return StoredFace(row_id=face.id, face_id=face.face_id, person_id=face.person_id,
                      created_at=face.created_at)
