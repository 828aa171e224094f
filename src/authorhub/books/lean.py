"""The lean read path of the public catalog's hottest reads, one book (GET /api/books/{ref}), a
page of books (GET /api/books), a search and suggestions (GET /api/search[/suggest]), taken by
the catalog's ASGI fast path (books.http_cache).

An uncached read spent most of its time outside the catalog: SQLAlchemy's execution and pool
(pre-ping, BEGIN, COMMIT) and FastAPI's routing and dependencies. Here the very statement the
ORM path runs (repository.detail_statement / list_statement, search.repository's
books_first_statement / suggest_statement, compiled once per shape for
asyncpg) runs on a small pooled asyncpg connection without a transaction, and its rows go
through the same book_item / envelope_json / page_json as the ORM path: one source of truth for
the SQL and the JSON (tests/books/test_lean.py compares the two answers for every filter and
sort). Anything else (a book not found, a draft, a category or tag slug to resolve, a query to
refuse, a database error) is left to the application, which answers it as always.
The other domains' public lists (PUBLIC_LISTS: courses, posts) run their own runner here, the
one their router runs on a session (tests/academy/test_lean.py, tests/blog/test_lean.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl

import asyncpg
import structlog
from pydantic import BaseModel, ValidationError
from sqlalchemy import Select
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from authorhub.academy import service as academy_service
from authorhub.academy.schemas import CourseListQuery
from authorhub.blog import service as blog_service
from authorhub.blog.schemas import BlogListQuery
from authorhub.books import repository
from authorhub.books.schemas import (
    BookListQuery,
    StatusFilter,
    book_item,
    envelope_json,
    page_json,
)
from authorhub.books.service import filter_for, parse_ref
from authorhub.config import Settings
from authorhub.db import Database, libpq_url
from authorhub.errors import AppError
from authorhub.kit.encoding import Rows
from authorhub.models import BookStatus
from authorhub.search import service as search_service
from authorhub.search.schemas import SearchQuery, SuggestQuery

log = structlog.get_logger("authorhub.books")

POOL_SIZE = 4  # per process; a read holds its connection for one statement only


@dataclass(frozen=True)
class CompiledRead:
    sql: str
    names: tuple[str, ...]  # the bound parameters in $n order
    fixed: dict[str, Any]  # the values the statement carries itself (literals bound by SQLAlchemy)

    def arguments(self, params: dict[str, Any]) -> list[Any]:
        values = self.fixed | params
        return [values[name] for name in self.names]


_DIALECT = asyncpg_dialect.dialect()


@lru_cache(maxsize=512)
def compiled(statement: Select[Any]) -> CompiledRead:
    """A statement of the repository as asyncpg runs it ($n parameters, IN lists expanded).
    The repository builds one statement per filter shape and keeps it, so this runs once per
    shape and process."""
    done = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    return CompiledRead(done.string, tuple(done.positiontup or ()), dict(done.params))


Query = TypeVar("Query", bound=BaseModel)


def read_query(model: type[Query], query_string: bytes) -> Query | None:
    """The query the application would read from this query string, or None when the
    application should read it itself (an error to report, a repeated or empty parameter)."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    params = dict(pairs)
    names = {field.alias or name for name, field in model.model_fields.items()}
    if len(params) != len(pairs) or not all(params.values()) or not params.keys() <= names:
        return None
    try:
        return model.model_validate(params)
    except ValidationError:
        return None


def list_query(query_string: bytes) -> BookListQuery | None:
    return read_query(BookListQuery, query_string)


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """These reads take no lock, cursor, LISTEN or SET: skip asyncpg's reset round trip."""


def lean_catalog_for(database: Database) -> LeanCatalog | None:
    """The lean reads of this database, or None when its sessions share one outer transaction
    (the tests'): a connection of its own would not see what that transaction wrote."""
    if not isinstance(database.sessionmaker.kw.get("bind"), AsyncEngine):
        return None
    url = database.engine.url.render_as_string(hide_password=False)
    return LeanCatalog(libpq_url(url))


# The other domains' public lists: each domain's own runner (statements from its repository,
# JSON from one function) runs here on the pool as it runs in its router on a session.
PublicList = tuple[type[BaseModel], Callable[[Rows, Any, Settings], Awaitable[bytes]]]
PUBLIC_LISTS: dict[str, PublicList] = {
    "/api/courses": (
        CourseListQuery,
        lambda rows, query, _settings: academy_service.courses_page(rows, query),
    ),
    "/api/blog": (
        BlogListQuery,
        lambda rows, query, settings: blog_service.posts_page(
            rows, query, settings.content.blog_page_size
        ),
    ),
}


class _ReadFailed(Exception):
    """A lean read could not run (logged); the application answers instead."""


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

    async def _fetch(self, statement: Select[Any], params: dict[str, Any]) -> list[Any] | None:
        read = compiled(statement)
        try:
            pool = await self._connections()
            return await pool.fetch(read.sql, *read.arguments(params))
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("lean_read_failed", error=type(exc).__name__)
            return None  # the application's path answers (or reports the outage itself)

    async def book(self, ref: str) -> bytes | None:
        """The JSON of a published book, or None to let the application answer."""
        book_id, slug = parse_ref(ref)
        if book_id is None and slug is None:
            return None
        by: Literal["id", "slug"] = "id" if book_id is not None else "slug"
        records = await self._fetch(repository.detail_statement(by), {"ref": book_id or slug})
        if not records or records[0]["status"] != BookStatus.published.value:
            return None
        return envelope_json(book_item(dict(records[0]), detail=True))

    async def books(self, query_string: bytes) -> bytes | None:
        """A public page of GET /api/books, or None to let the application answer (a category
        or tag to resolve, an admin's status, an error, a page past the end)."""
        query = list_query(query_string)
        if query is None or query.category or query.tag:
            return None
        if query.status not in (None, StatusFilter.published):
            return None
        statement, params = repository.list_statement(filter_for(query))
        records = await self._fetch(statement, params)
        if not records:
            return None
        items = [book_item(dict(record)) for record in records]
        total = int(records[0]["total"])
        return page_json(items, page=query.page, limit=query.limit, total=total)

    async def search(self, query_string: bytes) -> bytes | None:
        """GET /api/search of books, or of everything when no course or post matches (the
        ORM path's first steps: search.service.books_first); None to let the application
        answer."""
        query = read_query(SearchQuery, query_string)
        if query is None:
            return None
        try:
            return await search_service.books_first(self._rows, query)
        except _ReadFailed:
            return None

    async def _rows(self, statement: Select[Any], params: dict[str, Any]) -> list[dict[str, Any]]:
        records = await self._fetch(statement, params)
        if records is None:
            raise _ReadFailed
        return [dict(record) for record in records]

    async def public_list(self, path: str, query_string: bytes, settings: Settings) -> bytes | None:
        """A page of one of PUBLIC_LISTS, or None to let the application answer (a query to
        refuse, a 404 to report, a database error)."""
        model, runner = PUBLIC_LISTS[path]
        query = read_query(model, query_string)
        if query is None:
            return None
        try:
            return await runner(self._rows, query, settings)
        except (_ReadFailed, AppError):
            return None

    async def suggest(self, query_string: bytes) -> bytes | None:
        """GET /api/search/suggest (the ORM path's statement and answer), or None."""
        query = read_query(SuggestQuery, query_string)
        if query is None:
            return None
        statement, params = search_service.suggest_query(query.q, query.limit)
        records = [] if statement is None else await self._fetch(statement, params)
        if records is None:
            return None
        return search_service.suggest_answer(query.q, query.limit, [dict(r) for r in records])

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
