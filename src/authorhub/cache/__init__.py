"""Cached response bodies: in-process memory, or Redis shared by every process.

Entries are tagged with a *generation*. `invalidate()` starts a new generation, which makes
every older entry unreachable at once. A reader notes the generation before it queries the
database and stores its result under that generation, so a result computed from data that
changed meanwhile is never served: the change moved the generation on, and the stale entry
sits under the old one until it expires.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import structlog
from redis.asyncio import Redis

log = structlog.get_logger("authorhub.cache")


@dataclass(frozen=True, slots=True)
class CachedBody:
    body: bytes
    etag: str


class ResponseCache(Protocol):
    async def lookup(self, key: str) -> tuple[CachedBody | None, int]:
        """The entry for `key` in the current generation (or None), and that generation."""
        ...

    async def store(self, key: str, generation: int, entry: CachedBody) -> None: ...

    async def invalidate(self) -> None:
        """Make every entry stored so far unreachable."""
        ...

    async def close(self) -> None: ...


class MemoryResponseCache:
    """Least-recently-used entries of this process, with a time to live."""

    def __init__(self, *, ttl_seconds: float, max_entries: int) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.generation = 0
        self._entries: OrderedDict[str, tuple[float, CachedBody]] = OrderedDict()

    async def lookup(self, key: str) -> tuple[CachedBody | None, int]:
        found = self._entries.get(key)
        if found is None:
            return None, self.generation
        expires_at, entry = found
        if expires_at < time.monotonic():
            del self._entries[key]
            return None, self.generation
        self._entries.move_to_end(key)
        return entry, self.generation

    async def store(self, key: str, generation: int, entry: CachedBody) -> None:
        if generation != self.generation:
            return  # computed before a change: never keep it
        self._entries[key] = (time.monotonic() + self.ttl_seconds, entry)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def invalidate(self) -> None:
        self.generation += 1
        self._entries.clear()

    async def close(self) -> None:
        self._entries.clear()


# One round trip: the current generation and the entry stored under it.
_LOOKUP = """
local generation = redis.call('GET', KEYS[1]) or '0'
return {generation, redis.call('GET', ARGV[1] .. ':' .. generation .. ':' .. ARGV[2])}
"""


class RedisResponseCache:
    """Entries shared by every process: `<prefix>:gen` holds the generation, entries live
    under `<prefix>:<generation>:<key>` and expire on their own. A Redis failure is a miss,
    never an error the reader sees."""

    def __init__(self, redis: Redis, *, prefix: str, ttl_seconds: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self._lookup = redis.register_script(_LOOKUP)

    @classmethod
    def from_url(cls, url: str, *, prefix: str, ttl_seconds: int) -> RedisResponseCache:
        redis = Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        return cls(redis, prefix=prefix, ttl_seconds=ttl_seconds)

    async def lookup(self, key: str) -> tuple[CachedBody | None, int]:
        try:
            generation, value = await self._lookup(
                keys=[f"{self.prefix}:gen"], args=[self.prefix, key]
            )
        except Exception as exc:
            log.warning("cache_unavailable", backend="redis", error=type(exc).__name__)
            return None, -1
        gen = int(generation)
        if not value:
            return None, gen
        etag, _, body = bytes(value).partition(b"\n")
        return CachedBody(body=body, etag=etag.decode()), gen

    async def store(self, key: str, generation: int, entry: CachedBody) -> None:
        if generation < 0:
            return  # the lookup failed: we don't know which generation we read
        try:
            await self.redis.set(
                f"{self.prefix}:{generation}:{key}",
                entry.etag.encode() + b"\n" + entry.body,
                ex=self.ttl_seconds,
            )
        except Exception as exc:
            log.warning("cache_unavailable", backend="redis", error=type(exc).__name__)

    async def invalidate(self) -> None:
        try:
            await self.redis.incr(f"{self.prefix}:gen")
        except Exception as exc:
            # Entries of the old generation live at most ttl_seconds more.
            log.error("cache_invalidation_failed", backend="redis", error=type(exc).__name__)

    async def close(self) -> None:
        await self.redis.aclose()
