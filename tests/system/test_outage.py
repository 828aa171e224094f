"""When the database goes away during operation, requests get 503, and the service recovers by
itself when it comes back. The outage is real: a TCP proxy in front of PostgreSQL is stopped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from authorhub.app import create_app
from authorhub.config import Settings
from authorhub.db import Database
from tests.support import free_port


class PgProxy:
    """Forwards 127.0.0.1:<port> to the real PostgreSQL (TCP or its unix socket)."""

    def __init__(self, target_url: str) -> None:
        url = make_url(target_url)
        socket_dir = url.query.get("host")
        self.unix_path = (
            f"{socket_dir}/.s.PGSQL.{url.port or 5432}" if isinstance(socket_dir, str) else None
        )
        self.target = (url.host or "127.0.0.1", url.port or 5432)
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.pipes: set[asyncio.Task[None]] = set()
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def stop(self) -> None:
        """Refuse new connections and cut every open one, as a database crash would."""
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        for task in list(self.pipes):
            task.cancel()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.unix_path:
            up_reader, up_writer = await asyncio.open_unix_connection(self.unix_path)
        else:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers.update({writer, up_writer})
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self.pipes.add(task)
            task.add_done_callback(self.pipes.discard)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.close()


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
