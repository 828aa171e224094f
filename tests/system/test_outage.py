"""When the database goes away during operation, requests get 503, and the service recovers by
itself when it comes back. The outage is real: a TCP proxy in front of PostgreSQL is stopped."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from authorhub.app import create_app
from authorhub.config import Settings
from authorhub.db import Database
from tests.support import PgProxy


@pytest.fixture
async def proxied(
    settings: Settings, test_database_url: str
) -> AsyncIterator[tuple[PgProxy, httpx.AsyncClient]]:
    proxy = PgProxy(test_database_url)
    await proxy.start()
    url = make_url(test_database_url)
    proxied_url = url.set(host="127.0.0.1", port=proxy.port, query={}).render_as_string(
        hide_password=False
    )
    proxied_settings = settings.model_copy(update={"database_url": proxied_url})
    database = Database.from_settings(proxied_settings)
    app = create_app(proxied_settings, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        yield proxy, client
    with contextlib.suppress(Exception):
        await proxy.stop()
    await database.dispose()


class TestDatabaseOutage:
    async def test_requests_fail_with_503_then_recover(
        self, proxied: tuple[PgProxy, httpx.AsyncClient]
    ) -> None:
        proxy, client = proxied
        assert (await client.get("/api/health")).status_code == 200
        assert (await client.get("/dev/mailbox.json")).status_code == 200

        await proxy.stop()
        health = await client.get("/api/health")
        assert health.status_code == 503
        during = await client.get("/dev/mailbox.json")
        assert during.status_code == 503
        assert during.json()["code"] == "database_unavailable"

        await proxy.start()  # the database is back, on the same address
        assert (await client.get("/api/health")).status_code == 200
        assert (await client.get("/dev/mailbox.json")).status_code == 200
