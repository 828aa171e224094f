"""Discussion view counts without a write per page view.

Each server process counts views in memory (a dict increment on the hot path, no I/O) and a
background task of the app adds them to `discussions.view_count` every
COMMUNITY_VIEW_FLUSH_SECONDS in one UPDATE, and once more at shutdown. Why not Redis: the
count needs no coordination between processes (each adds its own increments, and addition
commutes), so memory is enough and works without REDIS_URL. The price: a process that
crashes loses at most one interval of views, which a view count can afford. Views are not
de-duplicated per reader (the original counted every view too).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import structlog

from authorhub.community import repository as repo
from authorhub.db import get_database

log = structlog.get_logger("authorhub.community")


class ViewCounter:
    def __init__(self) -> None:
        self._pending: Counter[uuid.UUID] = Counter()

    def count(self, discussion_id: uuid.UUID) -> None:
        self._pending[discussion_id] += 1

    @property
    def pending(self) -> int:
        return sum(self._pending.values())

    async def flush(self) -> int:
        """Write the counted views; on failure they are kept for the next flush."""
        batch, self._pending = self._pending, Counter()
        if not batch:
            return 0
        try:
            async with get_database().session() as session:
                await repo.add_views(session, dict(batch))
        except Exception:
            self._pending.update(batch)
            raise
        return sum(batch.values())


@contextlib.asynccontextmanager
async def flushing(counter: ViewCounter, every_seconds: float) -> AsyncIterator[None]:
    """Flush the counter periodically while the app runs, and once at shutdown."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(every_seconds)
            try:
                await counter.flush()
            except Exception as exc:  # the database may be briefly away; try next time
                log.warning("view_flush_failed", error=type(exc).__name__)

    task = asyncio.create_task(loop(), name="authorhub-discussion-views")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        try:
            await counter.flush()
        except Exception as exc:
            log.warning("view_flush_failed", error=type(exc).__name__, lost=counter.pending)
