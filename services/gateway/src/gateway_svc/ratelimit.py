"""Fixed-window request limits: in memory for one process, in Redis when several gateways (or
gateway worker processes) run.

In memory with N worker processes, each process allows 1/N of every budget (at least 1): a
caller's requests are spread over the processes by the kernel, so together they never get more
than the budget, and a caller on one keep-alive connection (one process) gets 1/N of it. Set
FACECLOCK_REDIS_URL (as Compose and k8s do) for exact budgets across processes.

When Redis fails, `hit` raises RateLimitStoreDown; each budget then follows its own rule (see
deps.py and the gateway README): sign-ins are counted in this process instead, never unlimited;
the API and device budgets let requests through.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

from redis import asyncio as aioredis
from redis.exceptions import RedisError


class RateLimitStoreDown(Exception):
    """The shared counter store (Redis) did not answer."""


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int = 60) -> int:
        """Counts one request; returns 0 if allowed, else the seconds until the window ends."""
        ...


class MemoryRateLimiter:
    def __init__(self, max_keys: int = 100_000, *, processes: int = 1) -> None:
        self._counts: OrderedDict[str, int] = OrderedDict()
        self.max_keys = max_keys
        self.processes = processes

    async def hit(self, key: str, limit: int, window_seconds: int = 60) -> int:
        limit = max(1, limit // self.processes)
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
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.incr(bucket)
                pipe.expire(bucket, window_seconds + 5)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            raise RateLimitStoreDown(str(exc)) from exc
        if int(count) > limit:
            return max(1, int((window + 1) * window_seconds - now))
        return 0
