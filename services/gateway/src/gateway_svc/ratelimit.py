"""Fixed-window request limits: in memory for one process, in Redis when several gateways run."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

from redis import asyncio as aioredis


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int = 60) -> int:
        """Counts one request; returns 0 if allowed, else the seconds until the window ends."""
        ...


class MemoryRateLimiter:
    def __init__(self, max_keys: int = 100_000) -> None:
        self._counts: OrderedDict[str, int] = OrderedDict()
        self.max_keys = max_keys

    async def hit(self, key: str, limit: int, window_seconds: int = 60) -> int:
        now = time.time()
        window = int(now // window_seconds)
        bucket = f"{key}:{window}"
        count = self._counts.pop(bucket, 0) + 1
        self._counts[bucket] = count
        while len(self._counts) > self.max_keys:
            self._counts.popitem(last=False)
        if count > limit:
            return max(1, int((window + 1) * window_seconds - now))
        return 0


class RedisRateLimiter:
    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client

    async def hit(self, key: str, limit: int, window_seconds: int = 60) -> int:
        now = time.time()
        window = int(now // window_seconds)
        bucket = f"faceclock:rl:{key}:{window}"
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(bucket)
            pipe.expire(bucket, window_seconds + 5)
            count, _ = await pipe.execute()
        if int(count) > limit:
            return max(1, int((window + 1) * window_seconds - now))
        return 0
