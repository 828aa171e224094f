"""Rate limits on the `limits` library, answered with 429 and Retry-After.

Counters live in Redis when REDIS_URL is set (shared by every process and server) and in this
process's memory otherwise. A limit is written in the `limits` notation, several joined by ";":
"10/minute;100/hour". Use it from an endpoint:

    async def login(..., limiter: RateLimits, client: Client):
        await limiter.hit("login-ip", settings.auth.login_limit_per_ip, client.ip)

Identifiers (emails, IPs) are hashed before they become keys, so Redis holds no personal data.
If Redis cannot be reached the request is let through and a warning is logged: an outage of
the counter store must not take sign-in down with it.
"""

from __future__ import annotations

import asyncio
import math
import time
from functools import lru_cache
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from authorhub.config import Settings
from authorhub.errors import TooManyRequests
from authorhub.kit.crypto import hash_token

log = structlog.get_logger("authorhub.ratelimit")


@lru_cache(maxsize=256)
def _parse(spec: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(spec))


def _storage(redis_url: str | None, key_prefix: str) -> Storage:
    if not redis_url:
        return MemoryStorage()
    # limits names its asyncio Redis schemes "async+redis://" / "async+rediss://".
    # Short timeouts: a hanging Redis must not hang the request (see the fail-open rule above).
    return RedisStorage(
        f"async+{redis_url}",
        implementation="redispy",
        key_prefix=key_prefix,
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
    )


class RateLimiter:
    """Moving-window counters: a burst at a window's edge cannot double the allowance."""

    def __init__(
        self,
        redis_url: str | None = None,
        *,
        key_prefix: str = "authorhub:rl",
        enabled: bool = True,
    ) -> None:
        self.storage = _storage(redis_url, key_prefix)
        self.enabled = enabled
        self._strategy = MovingWindowRateLimiter(self.storage)

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(
            settings.redis_url,
            key_prefix=settings.rate_limit_prefix,
            enabled=settings.rate_limit_enabled,
        )

    async def hit(self, name: str, spec: str, *identifiers: str) -> None:
        """Count one request for `name` + `identifiers` against every limit in `spec`; raise
        TooManyRequests (429, Retry-After in seconds) when one of them is exhausted."""
        retry_after = await self._count(name, spec, identifiers)
        if retry_after is not None:
            raise TooManyRequests(retry_after)

    async def allow(self, name: str, spec: str, *identifiers: str) -> bool:
        """As `hit`, for work that is skipped rather than refused when over the limit (asking
        a provider again, sending a reminder): True when it may happen now."""
        return await self._count(name, spec, identifiers) is None

    async def _count(self, name: str, spec: str, identifiers: tuple[str, ...]) -> int | None:
        """Seconds until the exhausted limit allows again, or None when every limit allowed."""
        if not self.enabled:
            return None
        keys = [hash_token(identifier.lower())[:32] for identifier in identifiers]
        for item in _parse(spec):
            try:
                allowed = await self._strategy.hit(item, name, *keys)
                if allowed:
                    continue
                stats = await self._strategy.get_window_stats(item, name, *keys)
            except Exception as exc:  # the counter store is down: fail open, loudly
                log.warning("rate_limit_storage_unavailable", limit=name, error=type(exc).__name__)
                return None
            return max(1, math.ceil(stats.reset_time - time.time()))
        return None

    async def reset(self) -> None:
        """Forget every counter (tests, and an operator lifting a block)."""
        self._stop_memory_expiry()
        await self.storage.reset()

    async def close(self) -> None:
        self._stop_memory_expiry()
        client: Any = getattr(getattr(self.storage, "bridge", None), "storage", None)
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()

    def _stop_memory_expiry(self) -> None:
        """The memory store prunes old entries in a background task, which fails (KeyError) if
        the counters are cleared under it; stop it first (the next hit starts a new one)."""
        timer: asyncio.Task[None] | None = getattr(self.storage, "timer", None)
        if timer is not None and not timer.done():
            timer.cancel()


async def get_rate_limiter(request: Request) -> RateLimiter:
    """The app's limiter, made on first use from its settings."""
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "rate_limiter", None)
    if limiter is None:
        limiter = state.rate_limiter = RateLimiter.from_settings(state.settings)
    return limiter


RateLimits = Annotated[RateLimiter, Depends(get_rate_limiter)]
