"""The pool's checkout check (db.check_connections_on_checkout), on the real PostgreSQL: a
connection used a moment ago is handed out without a ping (SQLAlchemy's pre-ping costs three
round trips), one idle for longer is pinged, and one the server closed is replaced without the
caller seeing an error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import AsyncEngine

from authorhub.config import Settings
from authorhub.db import create_engine, libpq_url


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each ping of a pooled connection, recorded (the real ping still runs)."""
    seen: list[int] = []
    original = AsyncAdapt_asyncpg_connection.ping

    def counting(self: Any) -> Any:
        seen.append(1)
        return original(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counting)
    return seen


async def _engine(settings: Settings, idle: float) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(
        settings.model_copy(update={"db_ping_after_idle_seconds": idle}), settings.database_url
    )
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    async for engine in _engine(settings, idle=60):
        yield engine


@pytest.fixture
async def eager_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    async for engine in _engine(settings, idle=0):
        yield engine


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_used_a_moment_ago_is_not_pinged(
    engine: AsyncEngine, pings: list[int]
) -> None:
    first = await _backend_pid(engine)
    for _ in range(5):
        assert await _backend_pid(engine) == first  # the same pooled connection each time
    assert pings == []


async def test_a_connection_idle_longer_than_the_setting_is_pinged(
    eager_engine: AsyncEngine, pings: list[int]
) -> None:
    first = await _backend_pid(eager_engine)
    await asyncio.sleep(0.01)
    assert await _backend_pid(eager_engine) == first
    assert len(pings) == 1


async def test_a_connection_the_server_closed_is_replaced_without_an_error(
    engine: AsyncEngine, pings: list[int], settings: Settings
) -> None:
    first = await _backend_pid(engine)
    other = await asyncpg.connect(libpq_url(str(settings.database_url)))  # outside the pool
    try:
        assert await other.fetchval("SELECT pg_terminate_backend($1)", first) is True
    finally:
        await other.close()
    await asyncio.sleep(0.2)  # the event loop reads the server's goodbye
    assert await _backend_pid(engine) != first  # a new connection, and no error
    assert pings == []
