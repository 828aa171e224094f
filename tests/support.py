"""Helpers shared by tests (importable, unlike conftest fixtures)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine


async def run_queued_jobs(database: Any) -> list[str]:
    """Run every queued job of a committed database now, in this process, as the worker
    would; the task names run, in order."""
    from sqlalchemy import text

    from authorhub.jobs import job_app

    job_app.perform_import_paths()
    ran: list[str] = []
    for _ in range(200):
        async with database.session() as session:
            row = (
                await session.execute(
                    text(
                        "DELETE FROM procrastinate_jobs WHERE id = (SELECT id FROM "
                        "procrastinate_jobs WHERE status = 'todo' ORDER BY id LIMIT 1) "
                        "RETURNING task_name, args"
                    )
                )
            ).first()
        if row is None:
            return ran
        await job_app.tasks[row.task_name].func(**row.args)
        ran.append(row.task_name)
    raise AssertionError("jobs keep queueing jobs")


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def serve_app(asgi_app: Any, port: int | None = None) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a real local port for the duration; yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(
        asgi_app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        proxy_headers=False,  # as `authorhub serve`: the app's FORWARDED_ALLOW_IPS decides
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


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

    def url(self, target_url: str) -> str:
        """`target_url` with its host and port replaced by the proxy's."""
        return (
            make_url(target_url)
            .set(host="127.0.0.1", port=self.port, query={})
            .render_as_string(hide_password=False)
        )


@contextlib.contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements run inside the block (the test harness's savepoints left out)."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        if "SAVEPOINT" not in args[2]:
            seen.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
