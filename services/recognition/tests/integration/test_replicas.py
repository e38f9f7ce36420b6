"""Two replicas on one database: an enrolment shows up, and an erasure is gone, on both within 2 s."""

from __future__ import annotations

import asyncio
import time

import pytest


async def _until(predicate, limit: float = 2.0) -> float:
    """Seconds until the async predicate holds; fails after `limit` seconds."""
    started = time.monotonic()
    while True:
        if await predicate():
            return time.monotonic() - started
        if time.monotonic() - started > limit:
            pytest.fail(f"not consistent after {limit} s")
        await asyncio.sleep(0.05)


async def _replica_round_trip(client_a, client_b, photo) -> None:
    enrolled = await client_a.enroll("42", photo("biden_1.jpg"))
    assert enrolled.face_id

    async def b_knows() -> bool:
        faces = (await client_b.identify(photo("biden_2.jpg"))).faces
        return [f.person_id for f in faces] == ["42"]

    await _until(b_knows)
    assert (await client_b.stats()).faces == 1

    assert (await client_a.delete("42")).deleted == 1

    async def nobody_matches() -> bool:
        for client in (client_a, client_b):
            if (await client.identify(photo("biden_2.jpg"))).faces[0].person_id:
                return False
        return True

    await _until(nobody_matches)
    assert (await client_b.stats()).faces == 0
    # An erasure through B reaches A too.
    await client_b.enroll("43", photo("kit_harington_1.jpg"))

    async def a_knows() -> bool:
        return (await client_a.stats()).faces == 1

    await _until(a_knows)


async def test_replicas_follow_the_change_log(start_server, database_url, photo) -> None:
    """Without Redis: each replica polls the change log (0.5 s)."""
    _, client_a = await start_server(database_url, poll_interval=0.5)
    _, client_b = await start_server(database_url, poll_interval=0.5)
    await _replica_round_trip(client_a, client_b, photo)


async def test_replicas_are_woken_by_redis(start_server, mysql_url, redis_url, photo) -> None:
    """With Redis the change arrives by notification: polling is set far too slow to explain it."""
    _, client_a = await start_server(mysql_url, poll_interval=30, FACECLOCK_REDIS_URL=redis_url)
    _, client_b = await start_server(mysql_url, poll_interval=30, FACECLOCK_REDIS_URL=redis_url)
    await asyncio.sleep(0.3)  # let both subscriptions settle
    await _replica_round_trip(client_a, client_b, photo)


async def test_replica_started_later_loads_the_gallery(start_server, sqlite_url, photo) -> None:
    _, client_a = await start_server(sqlite_url)
    await client_a.enroll("5", photo("rose_leslie_1.jpg"))
    await client_a.enroll("6", photo("alex_lacamoire_1.jpg"))
    removed = await client_a.enroll("6", photo("alex_lacamoire_2.jpg"))
    await client_a.delete("6", removed.face_id)
    _, client_b = await start_server(sqlite_url)
    stats = await client_b.stats()
    assert (stats.faces, stats.persons) == (2, 2)
    assert stats.applied_change_id == (await client_a.stats()).applied_change_id == 4
    faces = (await client_b.identify(photo("rose_leslie_2.jpg"))).faces
    assert [f.person_id for f in faces] == ["5"]
