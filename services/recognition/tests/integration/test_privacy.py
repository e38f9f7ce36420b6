"""No face image and no plain encoding is left on disk, in logs or in Redis (SECURITY.md)."""

from __future__ import annotations

import logging

import numpy as np
import redis
import sqlalchemy as sa

from recognition_svc.imaging import decode_image


def _needles(image: bytes, encodings: list[np.ndarray]) -> list[bytes]:
    """Byte runs that would betray the photo or its encoding if kept in the clear."""
    runs = [image[len(image) // 2: len(image) // 2 + 48], image[600:648]]
    for encoding in encodings:
        for dtype in (np.float32, np.float64):
            raw = encoding.astype(dtype).tobytes()
            runs += [raw[:24], raw[len(raw) // 2: len(raw) // 2 + 24]]
        runs.append(f"{encoding[0]:.5f}".encode())  # as text in a log line or JSON
        runs.append(f"{encoding[64]:.5f}".encode())
    return runs


async def test_nothing_biometric_left_behind(start_server, tmp_path, redis_url, photo, encoder,
                                             caplog, capfd) -> None:
    import face_recognition

    caplog.set_level(logging.DEBUG)
    database = tmp_path / "privacy" / "recognition.db"
    snapshot = tmp_path / "privacy" / "index.snap"
    app, client = await start_server(f"sqlite:///{database}", snapshot_path=str(snapshot),
                                     FACECLOCK_REDIS_URL=redis_url)
    enrol_image, clock_image = photo("rose_leslie_1.jpg"), photo("rose_leslie_2.jpg")
    assert (await client.enroll("77", enrol_image)).face_id
    assert (await client.identify(clock_image)).faces[0].person_id == "77"
    await app.stop(1)  # also writes the snapshot

    encodings = []
    for image in (enrol_image, clock_image):
        pixels = decode_image(image, max_pixels=40_000_000, max_bytes=1 << 24)
        encodings.append(encoder.encode(pixels)[0].encoding)
        encodings.append(np.asarray(face_recognition.face_encodings(pixels)[0]))
    needles = _needles(enrol_image, encodings) + _needles(clock_image, [])

    files = [p for p in (tmp_path / "privacy").rglob("*") if p.is_file()]
    assert database in files and snapshot in files
    leaks = [(p.name, n) for p in files for n, needle in enumerate(needles)
             if needle in p.read_bytes()]
    assert leaks == []

    captured = capfd.readouterr()
    logs = (caplog.text + captured.out + captured.err).encode()
    assert b"rpc" in logs or caplog.records  # logging did happen
    assert [n for n, needle in enumerate(needles) if needle in logs] == []

    store = redis.Redis.from_url(redis_url)
    for key in store.scan_iter():
        value = store.dump(key) or b""
        assert not any(needle in value for needle in needles), key
    store.close()


async def test_database_rows_hold_ciphertext_only(server, photo, encoder) -> None:
    app, client = server
    enrolled = await client.enroll("5", photo("biden_1.jpg"))
    pixels = decode_image(photo("biden_1.jpg"), max_pixels=40_000_000, max_bytes=1 << 24)
    plain = encoder.encode(pixels)[0].encoding.astype(np.float32).tobytes()
    with app.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT face_id, person_id, encoding FROM faces")).one()
        log_rows = conn.execute(sa.text("SELECT * FROM face_changes")).all()
    assert row.face_id == enrolled.face_id and row.person_id == "5"
    assert len(row.encoding) == 12 + 512 + 16 and plain[:16] not in row.encoding
    assert [r.op for r in log_rows] == ["add"]


async def test_erased_encodings_leave_no_trace_in_the_sqlite_files(start_server, tmp_path,
                                                                    photo) -> None:
    """Issue 17 item 17: after an erasure, the encrypted encoding is in neither the database
    file (secure_delete) nor its write-ahead log (checkpointed and truncated), while the
    replica is still running. Another person's sample stays readable."""
    database = tmp_path / "erasure" / "recognition.db"
    app, client = await start_server(f"sqlite:///{database}")
    erased = await client.enroll("41", photo("biden_1.jpg"))
    kept = await client.enroll("42", photo("obama_1.jpg"))
    with app.engine.connect() as conn:
        ciphertexts = dict(conn.execute(sa.text("SELECT face_id, encoding FROM faces")).all())
    assert (await client.delete("41")).deleted == 1

    files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
    contents = b"".join(p.read_bytes() for p in files)
    gone = ciphertexts[erased.face_id]
    assert [gone[i:i + 32] in contents for i in (12, 200, 400)] == [False, False, False]
    assert ciphertexts[kept.face_id][12:44] in contents
    wal = database.with_name(database.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
