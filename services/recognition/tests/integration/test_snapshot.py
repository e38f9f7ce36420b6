"""Encrypted index snapshot plus the change log: a fast start that misses nothing."""

from __future__ import annotations

import logging

import numpy as np


async def test_snapshot_then_change_log_replay(start_server, sqlite_url, photo, tmp_path, encoder,
                                               caplog) -> None:
    snapshot = tmp_path / "index.snap"
    app_a, client_a = await start_server(sqlite_url, snapshot_path=str(snapshot))
    await client_a.enroll("1", photo("obama_1.jpg"))
    await client_a.enroll("2", photo("biden_1.jpg"))
    await app_a.stop(1)
    assert snapshot.exists()
    from recognition_svc.imaging import decode_image

    pixels = decode_image(photo("obama_1.jpg"), max_pixels=40_000_000, max_bytes=1 << 24)
    plain = encoder.encode(pixels)[0].encoding.astype(np.float32).tobytes()
    blob = snapshot.read_bytes()
    assert plain[:16] not in blob and plain[64:80] not in blob  # encrypted at rest

    # While the snapshot's owner is down, another replica changes the gallery.
    _, client_b = await start_server(sqlite_url)
    await client_b.enroll("3", photo("kit_harington_1.jpg"))
    await client_b.delete("2")

    caplog.set_level(logging.INFO, logger="recognition_svc")
    _, client_c = await start_server(sqlite_url, snapshot_path=str(snapshot))
    loaded = [r for r in caplog.records if r.getMessage() == "index loaded"]
    assert loaded[-1].source == "snapshot"
    stats = await client_c.stats()
    assert (stats.faces, stats.persons) == (2, 2)
    assert stats.applied_change_id == 4
    assert (await client_c.identify(photo("biden_2.jpg"))).faces[0].person_id == ""
    assert (await client_c.identify(photo("kit_harington_2.jpg"))).faces[0].person_id == "3"

    snapshot.write_bytes(b"garbage" * 10)
    _, client_d = await start_server(sqlite_url, snapshot_path=str(snapshot))
    loaded = [r for r in caplog.records if r.getMessage() == "index loaded"]
    assert loaded[-1].source == "database"
    assert (await client_d.stats()).faces == 2
