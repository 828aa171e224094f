"""Hear PostgreSQL's NOTIFY on a channel and run a callback: how one process learns that another
(another web worker, the job worker, a psql session) changed the data behind its cache.

PostgreSQL delivers a notification when the writing transaction commits, never for one that
rolls back. While the listening connection is down nothing is heard, so `connected` is False
and the cache must not be trusted; on (re)connection the callback runs once, because anything
may have changed meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg
import structlog

log = structlog.get_logger("authorhub.cache")


class NotifyListener:
    def __init__(
        self,
        dsn: str,
        channel: str,
        on_notify: Callable[[], Coroutine[Any, Any, None]],
        *,
        retry_seconds: float = 2.0,
        ping_seconds: float = 30.0,
    ) -> None:
        self.dsn = dsn
        self.channel = channel
        self.on_notify = on_notify
        self.retry_seconds = retry_seconds
        self.ping_seconds = ping_seconds
        self.connected = False
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()

    async def start(self, wait_seconds: float = 5.0) -> None:
        """Start listening; wait (a little) for the first connection."""
        self._task = asyncio.create_task(self._run(), name=f"listen-{self.channel}")
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while not self.connected and asyncio.get_running_loop().time() < deadline:
            if self._task.done():
                break
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self.connected = False

    async def _run(self) -> None:
        while True:
            connection: asyncpg.Connection | None = None
            lost = asyncio.Event()
            try:
                connection = await asyncpg.connect(self.dsn, timeout=5)
                connection.add_termination_listener(lambda _conn, lost=lost: lost.set())
                await connection.add_listener(self.channel, self._notified)
                await self.on_notify()  # whatever happened while we were not listening
                self.connected = True
                log.debug("listening", channel=self.channel)
                while not lost.is_set():
                    try:
                        await asyncio.wait_for(lost.wait(), timeout=self.ping_seconds)
                    except TimeoutError:
                        # A silently dropped connection is only noticed by using it.
                        await connection.fetchval("SELECT 1", timeout=5)
                log.warning("listener_lost", channel=self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("listener_unavailable", channel=self.channel, error=type(exc).__name__)
            finally:
                self.connected = False
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=2)
            await asyncio.sleep(self.retry_seconds)

    def _notified(self, _connection: Any, _pid: int, _channel: str, _payload: str) -> None:
        task = asyncio.get_running_loop().create_task(self.on_notify())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
