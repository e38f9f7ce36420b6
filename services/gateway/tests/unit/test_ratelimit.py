"""The gateway's budgets over faceclock_common.throttle: fixed windows per key, per-process
shares in memory, and one count across gateways in Redis."""

from __future__ import annotations

from redis import asyncio as aioredis

from faceclock_common.throttle import AsyncRedisStore, Budget, MemoryStore


async def test_memory_limiter_allows_up_to_the_limit() -> None:
    store, budget = MemoryStore(), Budget(3)
    results = [await budget.spend(store, "ip:1.2.3.4") for _ in range(5)]
    assert results[:3] == [0, 0, 0]
    assert all(0 < r <= 60 for r in results[3:])
    assert await budget.spend(store, "ip:5.6.7.8") == 0  # another caller has its own budget


async def test_memory_limiter_forgets_oldest_keys() -> None:
    store = MemoryStore(max_keys=10)
    for i in range(50):
        await Budget(1).spend(store, f"k{i}")
    assert len(store._entries) == 10


async def test_redis_limiter_counts_across_instances(redis_url: str) -> None:
    first = AsyncRedisStore(aioredis.Redis.from_url(redis_url), "test:rl:")
    second = AsyncRedisStore(aioredis.Redis.from_url(redis_url), "test:rl:")
    budget = Budget(2)
    assert await budget.spend(first, "sub:7") == 0
    assert await budget.spend(second, "sub:7") == 0
    assert await budget.spend(first, "sub:7") > 0  # the third hit, from either gateway, is refused
    await first.client.aclose()
    await second.client.aclose()


async def test_memory_limiter_of_one_of_several_processes_allows_its_share() -> None:
    store = MemoryStore()
    assert [await Budget(5).share(2).spend(store, "k") > 0 for _ in range(3)] == [False, False, True]
    tiny, tiny_store = Budget(2).share(4), MemoryStore()
    assert [await tiny.spend(tiny_store, "k") > 0 for _ in range(2)] == [False, True]  # never 0
