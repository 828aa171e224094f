"""Database: URL resolution (embedded PostgreSQL when DATABASE_URL is unset), engine, sessions.

One request is one unit of work: `get_db_session` commits when the endpoint returns and rolls
back when it raises. Jobs deferred in that session are rows in the same transaction, so they
exist only if it commits.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import sqlalchemy.exc
import structlog
from fastapi import Depends, Request
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from authorhub.config import Settings

EMBEDDED_DB_NAME = "authorhub"
log = structlog.get_logger("authorhub.db")
# session.info key: rows to write again should the unit of work roll back (see keep_on_rollback).
_KEPT_ON_ROLLBACK = "authorhub.kept_on_rollback"
_embedded_server: Any = None  # keeps the pgserver handle alive for this process


def start_embedded_postgres(settings: Settings) -> str:
    """Start (or join) the embedded PostgreSQL under var/ and return a plain postgresql:// URL.

    pgserver counts the processes using a data directory and stops the server when the last one
    exits, so `make run`, the CLI and the tests can share it.
    """
    global _embedded_server
    import pgserver  # imported lazily: production never loads it

    settings.embedded_pg_dir.mkdir(parents=True, exist_ok=True)
    if _embedded_server is None:
        _embedded_server = pgserver.get_server(settings.embedded_pg_dir, cleanup_mode="stop")
    server = _embedded_server
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';")  # noqa: S608 - a constant
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
    return str(server.get_uri(EMBEDDED_DB_NAME))


def resolve_database_url(settings: Settings) -> str:
    """The URL every part of the process uses; starts the embedded server when none is set.

    The URL is exported to DATABASE_URL so child processes (uvicorn workers, alembic) reuse it.
    """
    if not settings.database_url:
        settings.database_url = start_embedded_postgres(settings)
        os.environ["DATABASE_URL"] = settings.database_url
    return settings.database_url


def asyncpg_url(url: str) -> str:
    for prefix in (
        "postgresql+asyncpg://",
        "postgresql+psycopg://",
        "postgresql://",
        "postgres://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")


def libpq_url(url: str) -> str:
    """The same URL in the form libpq/psycopg understands (used by the job queue)."""
    return "postgresql://" + asyncpg_url(url)[len("postgresql+asyncpg://") :]


def create_engine(settings: Settings, url: str | None = None) -> AsyncEngine:
    engine = create_async_engine(
        asyncpg_url(url or resolve_database_url(settings)),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        connect_args=_connect_args(settings),
    )
    check_connections_on_checkout(engine, ping_after_idle=settings.db_ping_after_idle_seconds)
    return engine


_CHECKED_IN_AT = "authorhub.checked_in_at"


def check_connections_on_checkout(engine: AsyncEngine, *, ping_after_idle: float) -> None:
    """A cheaper `pool_pre_ping`. SQLAlchemy's ping for asyncpg is three round trips (`BEGIN`,
    `;`, `ROLLBACK`) on every checkout: a fifth of a checkout's round trips under load.
    Instead, a connection whose socket the server closed (a restart, a crash: asyncpg sees the
    EOF as soon as the event loop runs) is refused for free, and the whole pool with it, as
    the ping would; a connection idle longer than `ping_after_idle` seconds (where a silent
    drop is possible) is still pinged. Either way the pool replaces it and the request goes on."""
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checking_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise sqlalchemy.exc.InvalidatePoolError("the server closed the connection")
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is not None and time.monotonic() - checked_in_at > ping_after_idle:
            try:
                dbapi_connection.ping()
            except Exception as exc:
                raise sqlalchemy.exc.InvalidatePoolError(
                    "the connection did not answer a ping"
                ) from exc


def _connect_args(settings: Settings) -> dict[str, Any]:
    if not settings.db_pgbouncer:
        return {
            "timeout": 5,
            "server_settings": {
                "application_name": "authorhub",
                "statement_timeout": str(settings.db_statement_timeout_ms),
            },
        }
    # Behind pgbouncer in transaction mode each transaction may run on another server
    # connection: a prepared statement made on one is unknown on the next, so asyncpg keeps no
    # statement cache (nor SQLAlchemy's), and the statements it must still prepare get unique
    # names. Startup parameters other than application_name are refused by pgbouncer 1.18:
    # statement_timeout is then set on the role (`ALTER ROLE ... SET statement_timeout`).
    return {
        "timeout": 5,
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": _unique_statement_name,
        "server_settings": {"application_name": "authorhub"},
    }


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


class Database:
    """An engine and its session factory; the app, the worker and the CLI each hold one."""

    def __init__(self, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]):
        self.engine = engine
        self.sessionmaker = sessionmaker

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        engine = create_engine(settings)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work outside a request (jobs, CLI): commit on success, roll back on error."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                await _write_kept_rows(session)
                raise
            finally:
                session.info.pop(_KEPT_ON_ROLLBACK, None)

    async def ping(self) -> float:
        """Round-trip time of `SELECT 1` in milliseconds; raises when the database is down."""
        started = time.perf_counter()
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return (time.perf_counter() - started) * 1000

    async def wait_until_reachable(self, seconds: float) -> None:
        """Ping until it answers or `seconds` have passed; then re-raise the last error."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                await self.ping()
                return
            except Exception:
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(1.0)

    async def dispose(self) -> None:
        await self.engine.dispose()


def keep_on_rollback(session: AsyncSession, make_row: Callable[[], Any]) -> None:
    """Add a row to this unit of work that must exist even if the unit of work rolls back (the
    audit row of a provider call that really happened): it commits with the rest, and after a
    rollback it is written again in a transaction of its own on the same session. One pooled
    connection at a time, never two (issue 9: a second connection per row starved the pool)."""
    session.add(make_row())
    session.info.setdefault(_KEPT_ON_ROLLBACK, []).append(make_row)


async def _write_kept_rows(session: AsyncSession) -> None:
    makers: list[Callable[[], Any]] = session.info.pop(_KEPT_ON_ROLLBACK, [])
    if not makers:
        return
    try:
        session.add_all([make_row() for make_row in makers])
        await session.commit()
    except Exception as exc:  # the database is gone: nothing more can be kept
        await session.rollback()
        log.error("kept_rows_lost", count=len(makers), error=type(exc).__name__)


async def end_transaction(session: AsyncSession) -> None:
    """Commit what the unit of work did so far and give its connection back to the pool; the
    next statement starts a new transaction. For a request about to wait (a provider call, a
    lock another request holds) without keeping a pooled connection idle meanwhile."""
    await session.commit()
    session.info.pop(_KEPT_ON_ROLLBACK, None)


# The process-wide database, set by the app's lifespan, the worker or the CLI (tests set their own).
_current: Database | None = None


def set_database(database: Database | None) -> None:
    global _current
    _current = database


def get_database() -> Database:
    if _current is None:
        raise RuntimeError("the database is not initialised (set_database was not called)")
    return _current


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.session() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a client never sees a
# success for work that then fails to commit.
DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]


def is_database_unavailable(exc: BaseException) -> bool:
    """True for errors that mean "the database cannot be reached" rather than a bad query."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sqlalchemy.exc.TimeoutError):  # pool exhausted while the db hangs
        return True
    if isinstance(exc, sqlalchemy.exc.InterfaceError | sqlalchemy.exc.OperationalError):
        return True
    if isinstance(exc, ConnectionError | OSError | asyncio.TimeoutError):
        return True
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and is_database_unavailable(cause)
