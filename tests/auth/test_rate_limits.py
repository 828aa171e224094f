"""Abuse limits of the auth endpoints, with counters in memory and in Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import redis.asyncio as aioredis
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.models import User
from tests.fixtures.auth import STRONG_PASSWORD, isolated_settings, mailbox, sign_up


@pytest.fixture(params=["memory", "redis"])
def app_settings(
    request: pytest.FixtureRequest, settings: Settings, redis_url: str | None
) -> Settings:
    if request.param == "redis" and not redis_url:
        pytest.skip("REDIS_URL is not set")
    limited = isolated_settings(
        settings,
        login_limit_per_ip="4/minute",
        login_limit_per_account="2/minute",
        register_limit_per_ip="2/minute",
        reset_limit_per_email="2/hour",
        reset_limit_per_ip="3/hour",
        resend_limit_per_email="2/hour",
        resend_limit_per_ip="3/hour",
        token_limit_per_ip="3/minute",
    )
    return limited.model_copy(update={"redis_url": redis_url if request.param == "redis" else None})


@pytest.fixture
def client_from(app: FastAPI):  # type: ignore[no-untyped-def]
    """A client whose requests come from the given IP address."""

    @asynccontextmanager
    async def make(ip: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c

    return make


def _assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "rate_limited"
    retry_after = int(response.headers["retry-after"])
    assert 0 < retry_after <= 3600


async def _login(
    client: httpx.AsyncClient,
    email: str,
    password: str = "wrong password",  # noqa: S107
) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


class TestLimits:
    async def test_login_is_limited_per_ip(self, client_from) -> None:  # type: ignore[no-untyped-def]
        async with client_from("203.0.113.7") as attacker, client_from("198.51.100.1") as other:
            answers = [await _login(attacker, f"victim{i}@example.com") for i in range(5)]
            assert [a.status_code for a in answers[:4]] == [401] * 4
            _assert_limited(answers[4])
            assert (await _login(other, "someone@example.com")).status_code == 401

    async def test_login_is_limited_per_account_across_ips(
        self, client: httpx.AsyncClient, client_from
    ) -> None:  # type: ignore[no-untyped-def]
        user = await sign_up(client)
        for i in range(2):
            async with client_from(f"192.0.2.{i + 1}") as c:
                assert (await _login(c, user["email"])).status_code == 401
        async with client_from("192.0.2.50") as c:
            # Even the right password waits: the counter belongs to the account.
            _assert_limited(await _login(c, user["email"].upper(), STRONG_PASSWORD))
            assert (await _login(c, "another-account@example.com")).status_code == 401

    async def test_register_is_limited_per_ip_and_the_refused_one_creates_nothing(
        self, client_from, db: AsyncSession
    ) -> None:  # type: ignore[no-untyped-def]
        async with client_from("203.0.113.9") as c:
            await sign_up(c)
            await sign_up(c)
            before = await db.scalar(select(func.count()).select_from(User))
            response = await c.post(
                "/api/auth/register",
                json={"name": "Spam", "email": "spam@example.com", "password": STRONG_PASSWORD},
            )
            _assert_limited(response)
            assert await db.scalar(select(func.count()).select_from(User)) == before

    async def test_reset_is_limited_per_email_and_per_ip(self, client_from) -> None:  # type: ignore[no-untyped-def]
        async with client_from("203.0.113.10") as c:
            for _ in range(2):
                assert (
                    await c.post("/api/auth/reset-password", json={"email": "inbox@example.com"})
                ).status_code == 202
            _assert_limited(
                await c.post("/api/auth/reset-password", json={"email": "INBOX@example.com"})
            )
        async with client_from("203.0.113.11") as c:
            for i in range(3):
                assert (
                    await c.post("/api/auth/reset-password", json={"email": f"r{i}@example.com"})
                ).status_code == 202
            _assert_limited(
                await c.post("/api/auth/reset-password", json={"email": "r9@example.com"})
            )

    async def test_resend_is_limited_per_email(self, client_from) -> None:  # type: ignore[no-untyped-def]
        async with client_from("203.0.113.12") as c:
            for _ in range(2):
                assert (
                    await c.post("/api/auth/verify-email/resend", json={"email": "v@example.com"})
                ).status_code == 202
            _assert_limited(
                await c.post("/api/auth/verify-email/resend", json={"email": "v@example.com"})
            )

    async def test_token_guessing_is_limited_per_ip(self, client_from) -> None:  # type: ignore[no-untyped-def]
        async with client_from("203.0.113.13") as c:
            for i in range(3):
                guess = await c.post("/api/auth/verify-email", json={"token": f"{i}" * 43})
                assert guess.status_code == 400
            _assert_limited(
                await c.post(
                    "/api/auth/reset-password/confirm",
                    json={"token": "9" * 43, "password": STRONG_PASSWORD},
                )
            )

    async def test_counters_live_in_the_configured_store(
        self, client: httpx.AsyncClient, app_settings: Settings, redis_url: str | None
    ) -> None:
        await _login(client, "anyone@example.com")
        if redis_url is None:
            return
        redis = aioredis.from_url(redis_url)
        try:
            keys = [k async for k in redis.scan_iter(f"{app_settings.rate_limit_prefix}*")]
        finally:
            await redis.aclose()
        if app_settings.redis_url:
            assert keys, "the counters are in Redis"
            assert not any(b"anyone" in key for key in keys), "identifiers are hashed"
        else:
            assert keys == [], "memory storage writes nothing to Redis"

    async def test_mail_still_goes_out_below_the_limits(self, client: httpx.AsyncClient) -> None:
        user = await sign_up(client)
        assert len(await mailbox(client, user["email"])) == 1
