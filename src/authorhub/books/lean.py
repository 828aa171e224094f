"""The lean read path of one public book (GET /api/books/{ref}), taken by the catalog's ASGI
fast path (books.http_cache) for callers without credentials.

The uncached read of one book spent nearly all its time outside the catalog: SQLAlchemy's
execution and pool (pre-ping, BEGIN, COMMIT) and FastAPI's routing and dependencies. Here the
very statement the ORM path runs (repository.detail_statement, compiled once for asyncpg) runs
on a small pooled asyncpg connection, without a transaction, and its row goes through the same
book_item / envelope_json as the ORM path: one source of truth for the SQL and the JSON
(tests/books/test_lean.py compares the two answers). Anything else (a book not found, a draft,
a bad reference, a database error) is left to the application, which answers it as always.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import asyncpg
import structlog
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from authorhub.books import repository
from authorhub.books.schemas import book_item, envelope_json
from authorhub.books.service import parse_ref
from authorhub.db import Database, libpq_url
from authorhub.models import BookStatus

log = structlog.get_logger("authorhub.books")

POOL_SIZE = 4  # per process; a read holds its connection for one statement only


@dataclass(frozen=True)
class CompiledRead:
    sql: str
    names: tuple[str, ...]  # the bound parameters in $n order
    fixed: dict[str, Any]  # the values the statement carries itself (literals bound by SQLAlchemy)

    def arguments(self, **params: Any) -> list[Any]:
        values = self.fixed | params
        return [values[name] for name in self.names]


@lru_cache(maxsize=2)
def compiled_detail(by: Literal["id", "slug"]) -> CompiledRead:
    compiled = repository.detail_statement(by).compile(dialect=asyncpg_dialect.dialect())
    names = tuple(compiled.positiontup or ())
    fixed = {name: value for name, value in compiled.params.items() if name != "ref"}
    return CompiledRead(compiled.string, names, fixed)


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """These reads take no lock, cursor, LISTEN or SET: skip asyncpg's reset round trip."""


def lean_catalog_for(database: Database) -> LeanCatalog | None:
    """The lean reads of this database, or None when its sessions share one outer transaction
    (the tests'): a connection of its own would not see what that transaction wrote."""
    if not isinstance(database.sessionmaker.kw.get("bind"), AsyncEngine):
        return None
    url = database.engine.url.render_as_string(hide_password=False)
    return LeanCatalog(libpq_url(url))


class LeanCatalog:
    """asyncpg pool of this process for the lean reads; made on first use, closed at shutdown."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def _connections(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._dsn, min_size=1, max_size=POOL_SIZE, reset=_nothing_to_reset
                    )
        return self._pool

    async def book(self, ref: str) -> bytes | None:
        """The JSON of a published book, or None to let the application answer."""
        book_id, slug = parse_ref(ref)
        if book_id is None and slug is None:
            return None
        read = compiled_detail("id" if book_id is not None else "slug")
        try:
            pool = await self._connections()
            record = await pool.fetchrow(read.sql, *read.arguments(ref=book_id or slug))
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("lean_read_failed", error=type(exc).__name__)
            return None  # the application's path answers (or reports the outage itself)
        if record is None or record["status"] != BookStatus.published.value:
            return None
        return envelope_json(book_item(dict(record), detail=True))

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
