"""The reusable rate limiter, on both of its stores."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from authorhub.errors import TooManyRequests
from authorhub.kit.ratelimit import RateLimiter


@pytest.fixture(params=["memory", "redis"])
async def limiter(
    request: pytest.FixtureRequest, redis_url: str | None
) -> AsyncIterator[RateLimiter]:
    if request.param == "redis" and not redis_url:
        pytest.skip("REDIS_URL is not set")
    prefix = f"authorhub-test:{uuid.uuid4().hex}"
    instance = RateLimiter(redis_url if request.param == "redis" else None, key_prefix=prefix)
    yield instance
    await instance.reset()
    await instance.close()


class TestRateLimiter:
    async def test_allows_the_limit_then_refuses_with_retry_after(
        self, limiter: RateLimiter
    ) -> None:
        for _ in range(3):
            await limiter.hit("signup", "3/minute", "10.0.0.1")
        with pytest.raises(TooManyRequests) as refused:
            await limiter.hit("signup", "3/minute", "10.0.0.1")
        assert refused.value.status_code == 429
        assert refused.value.headers is not None
        assert 0 < int(refused.value.headers["Retry-After"]) <= 60

    async def test_counts_each_identifier_and_each_name_apart(self, limiter: RateLimiter) -> None:
        await limiter.hit("signup", "1/minute", "10.0.0.1")
        await limiter.hit("signup", "1/minute", "10.0.0.2")
        await limiter.hit("login", "1/minute", "10.0.0.1")
        with pytest.raises(TooManyRequests):
            await limiter.hit("signup", "1/minute", "10.0.0.1")

    async def test_identifiers_ignore_case(self, limiter: RateLimiter) -> None:
        await limiter.hit("reset", "1/hour", "Ada@Example.com")
        with pytest.raises(TooManyRequests):
            await limiter.hit("reset", "1/hour", "ada@example.com")

    async def test_every_limit_of_a_spec_applies(self, limiter: RateLimiter) -> None:
        await limiter.hit("mixed", "5/minute;2/hour", "x")
        await limiter.hit("mixed", "5/minute;2/hour", "x")
        with pytest.raises(TooManyRequests) as refused:
            await limiter.hit("mixed", "5/minute;2/hour", "x")
        assert refused.value.headers is not None
        assert int(refused.value.headers["Retry-After"]) > 60, "the hourly limit answered"

    async def test_a_reset_while_old_entries_are_pruned_fails_nothing(self) -> None:
        limiter = RateLimiter()  # the memory store, whose pruning runs in a background task
        for n in range(20):
            await limiter.hit(f"name-{n}", "5/minute", "203.0.113.7")
        pruning = getattr(limiter.storage, "timer", None)
        assert pruning is not None
        await asyncio.sleep(0)  # the pruning task starts and hops to a thread

        await limiter.reset()

        [outcome] = await asyncio.gather(pruning, return_exceptions=True)
        assert not isinstance(outcome, KeyError), outcome
        await limiter.hit("name-0", "5/minute", "203.0.113.7")  # counting goes on after it
        await limiter.close()


class TestFailOpen:
    async def test_an_unreachable_redis_lets_requests_through(self) -> None:
        limiter = RateLimiter("redis://127.0.0.1:9/0", key_prefix="unreachable")
        for _ in range(5):
            await limiter.hit("login", "1/minute", "10.0.0.1")
        await limiter.close()

    async def test_a_disabled_limiter_never_refuses(self) -> None:
        limiter = RateLimiter(None, enabled=False)
        for _ in range(5):
            await limiter.hit("login", "1/minute", "10.0.0.1")


async def test_keys_hold_no_personal_data(redis_url: str | None) -> None:
    if not redis_url:
        pytest.skip("REDIS_URL is not set")
    prefix = f"authorhub-test:{uuid.uuid4().hex}"
    limiter = RateLimiter(redis_url, key_prefix=prefix)
    await limiter.hit("reset", "3/hour", "ada.obi@example.com")
    client = aioredis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(f"{prefix}*")]
    finally:
        await client.aclose()
    await limiter.reset()
    await limiter.close()
    assert keys and not any(b"ada" in key for key in keys)
