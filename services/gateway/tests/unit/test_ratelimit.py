from __future__ import annotations

from redis import asyncio as aioredis

from gateway_svc.ratelimit import MemoryRateLimiter, RedisRateLimiter


async def test_memory_limiter_allows_up_to_the_limit() -> None:
    limiter = MemoryRateLimiter()
    results = [await limiter.hit("ip:1.2.3.4", 3) for _ in range(5)]
    assert results[:3] == [0, 0, 0]
    assert all(0 < r <= 60 for r in results[3:])
    assert await limiter.hit("ip:5.6.7.8", 3) == 0  # another caller has its own budget


async def test_memory_limiter_forgets_oldest_keys() -> None:
    limiter = MemoryRateLimiter(max_keys=10)
    for i in range(50):
        await limiter.hit(f"k{i}", 1)
    assert len(limiter._counts) == 10


async def test_redis_limiter_counts_across_instances(redis_url: str) -> None:
    first = RedisRateLimiter(aioredis.Redis.from_url(redis_url))
    second = RedisRateLimiter(aioredis.Redis.from_url(redis_url))
    assert await first.hit("sub:7", 2) == 0
    assert await second.hit("sub:7", 2) == 0
    assert await first.hit("sub:7", 2) > 0  # the third hit, from either gateway, is refused
    await first.client.aclose()
    await second.client.aclose()


async def test_memory_limiter_of_one_of_several_processes_allows_its_share() -> None:
    limiter = MemoryRateLimiter(processes=2)
    assert [await limiter.hit("k", 5) > 0 for _ in range(3)] == [False, False, True]
    tiny = MemoryRateLimiter(processes=4)
    assert [await tiny.hit("k", 2) > 0 for _ in range(2)] == [False, True]  # never 0
