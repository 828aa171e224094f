"""Test set-up: one freshly migrated PostgreSQL database per test run, one rolled-back
transaction per test.

- DATABASE_URL set (CI): a database `authorhub_test_<pid>` is created on that server.
- DATABASE_URL unset: the same, on the embedded PostgreSQL under var/pgdata.
The schema always comes from `alembic upgrade head`, never from create_all.

Fixtures:
- `db`: an AsyncSession inside a transaction that is rolled back after the test.
- `app` / `client`: the app wired to that same transaction (request commits are savepoints),
  and an httpx client over ASGI.
- `committed`: for tests that need real commits (concurrency, the worker, a live socket); every
  table is emptied afterwards. `live_server` serves the committed app on a real port.
- `run_jobs`: runs the queued jobs of the test's transaction in-process, like a worker would.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from authorhub.app import create_app
from authorhub.config import PROJECT_ROOT, AppEnv, Settings
from authorhub.db import Database, asyncpg_url, create_engine, set_database, start_embedded_postgres
from authorhub.jobs import job_app
from tests.support import free_port, serve_app  # noqa: F401 - re-exported for tests

# Domain fixtures (factories, signed-in clients) live in tests/fixtures/; list each module here.
pytest_plugins: list[str] = [
    "tests.fixtures.auth",
    "tests.fixtures.catalog",
    "tests.fixtures.standins",
    "tests.fixtures.content",
]

REQUIRE_SERVICES = os.environ.get("AUTHORHUB_REQUIRE_SERVICES") == "1"


def _admin_url(base_url: str) -> str:
    return asyncpg_url(base_url)


def _with_database(url: str, name: str) -> str:
    return make_url(asyncpg_url(url)).set(database=name).render_as_string(hide_password=False)


async def _run_admin_sql(url: str, *statements: str) -> None:
    import asyncpg

    parsed = make_url(url)
    kwargs: dict[str, Any] = {
        "user": parsed.username,
        "password": parsed.password,
        "database": parsed.database,
        "port": parsed.port,
    }
    host = parsed.host or parsed.query.get("host")
    kwargs["host"] = host
    conn = await asyncpg.connect(**{k: v for k, v in kwargs.items() if v is not None})
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _in_thread(fn: Callable[[], Any]) -> Any:
    """Alembic's env.py runs its own event loop; give it a thread of its own."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


@pytest.fixture(scope="session")
def base_database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    if REQUIRE_SERVICES:
        pytest.fail("AUTHORHUB_REQUIRE_SERVICES=1 but DATABASE_URL is not set")
    return start_embedded_postgres(Settings(database_url=None))


@pytest.fixture(scope="session")
def test_database_url(base_database_url: str) -> Iterator[str]:
    name = f"authorhub_test_{os.getpid()}"
    admin = _admin_url(base_database_url)
    asyncio.run(
        _run_admin_sql(
            admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"
        )
    )
    url = _with_database(base_database_url, name)
    config = alembic_config(url)
    _in_thread(lambda: command.upgrade(config, "head"))
    yield url
    asyncio.run(_run_admin_sql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logging"] = False
    return config


@pytest.fixture(scope="session")
def settings(test_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    media = tmp_path_factory.mktemp("media")
    return Settings(
        app_env=AppEnv.test,
        database_url=test_database_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",  # type: ignore[arg-type]
        redis_url=os.environ.get("REDIS_URL"),
        # Counters of this run only: Redis outlives a run, and parallel runs share it.
        rate_limit_prefix=f"authorhub-test:{uuid.uuid4().hex}",
        public_url="http://testserver",
        frontend_url="http://frontend.test",
        cors_origins=["http://frontend.test"],
        log_json=False,
        media_dir=media / "public",
        private_media_dir=media / "private",
    )


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings, settings.database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def test_database(engine: AsyncEngine, connection: AsyncConnection) -> Iterator[Database]:
    """A Database whose sessions all live inside the test's outer transaction."""
    sessionmaker = async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    database = Database(engine, sessionmaker)
    set_database(database)
    yield database
    set_database(None)


@pytest.fixture
async def db(test_database: Database) -> AsyncIterator[AsyncSession]:
    async with test_database.sessionmaker() as session:
        yield session


def _own_counters(settings: Settings) -> Settings:
    """Each test's app counts rate limits under a key prefix of its own, in Redis as in memory
    (where a new app starts from zero anyway): one test's sign-ins never throttle the next."""
    return settings.model_copy(update={"rate_limit_prefix": f"authorhub-test:{uuid.uuid4().hex}"})


@pytest.fixture
def app(settings: Settings, test_database: Database):  # type: ignore[no-untyped-def]
    return create_app(_own_counters(settings), database=test_database)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def run_jobs(test_database: Database) -> Callable[..., Awaitable[list[str]]]:
    """Run every queued job of the test's transaction in-process, as the worker would, until
    none is left. Returns the task names run, in order. Jobs that raise stay queued and the
    exception propagates (pass `raise_errors=False` to collect them instead)."""

    async def run(*, raise_errors: bool = True, task: str | None = None) -> list[str]:
        job_app.perform_import_paths()
        ran: list[str] = []
        for _ in range(100):
            async with test_database.session() as session:
                query = "SELECT id, task_name, args FROM procrastinate_jobs WHERE status = 'todo'"
                if task:
                    query += " AND task_name = :task"
                query += " AND (scheduled_at IS NULL OR scheduled_at <= now()) ORDER BY id LIMIT 1"
                row = (await session.execute(text(query), {"task": task})).first()
                if row is None:
                    return ran
                await session.execute(
                    text("DELETE FROM procrastinate_jobs WHERE id = :id"), {"id": row.id}
                )
            try:
                await job_app.tasks[row.task_name].func(**row.args)
            except Exception:
                if raise_errors:
                    raise
            ran.append(row.task_name)
        raise AssertionError("jobs keep queueing jobs: more than 100 ran")

    return run


# --- committed mode -------------------------------------------------------------------------


async def _truncate_all(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        tables = (
            (
                await conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                        "AND tablename <> 'alembic_version'"
                    )
                )
            )
            .scalars()
            .all()
        )
        if tables:
            await conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[Database]:
    """A Database on the real engine: every session commits for real. Tables are emptied after."""
    database = Database(engine, async_sessionmaker(engine, expire_on_commit=False))
    set_database(database)
    try:
        yield database
    finally:
        set_database(None)
        await _truncate_all(engine)


@pytest.fixture
def committed_app(settings: Settings, committed: Database):  # type: ignore[no-untyped-def]
    return create_app(_own_counters(settings), database=committed)


@pytest.fixture
async def committed_client(committed_app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=committed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def live_server(committed_app) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    async with serve_app(committed_app) as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    """The Redis URL when one is configured; under CI (AUTHORHUB_REQUIRE_SERVICES=1) it must be."""
    url = os.environ.get("REDIS_URL")
    if REQUIRE_SERVICES and not url:
        pytest.fail("AUTHORHUB_REQUIRE_SERVICES=1 but REDIS_URL is not set")
    return url


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Real provider payloads kept in the repository (sources in its README)."""
    return PROJECT_ROOT / "tests" / "fixtures" / "providers"
