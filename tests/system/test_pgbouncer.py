"""The API behind a real pgbouncer in transaction mode (Debian's 1.18: no prepared statements
across transactions). `authorhub serve` runs with DATABASE_URL pointing at pgbouncer and
DB_PGBOUNCER=true (asyncpg's statement caches off); lists, writes and a checkout work, and
pgbouncer's own statistics show the transactions went through it.

pgbouncer must be installed (`.ci/run` and `make test` install it when missing and root):
under CI a missing pgbouncer fails, elsewhere the test is skipped."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from authorhub.config import Settings
from authorhub.db import Database, libpq_url
from authorhub.models import Role
from tests.conftest import REQUIRE_SERVICES
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import LAGOS, item, make_shop_book
from tests.payments.shop import eventually
from tests.support import PgProxy, free_port
from tests.system.cluster import Cluster, cluster_env

PGBOUNCER = shutil.which("pgbouncer") or next(
    (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if Path(p).exists()), None
)


def _config(directory: Path, port: int, host: str, server_port: int, user: str) -> Path:
    (directory / "users.txt").write_text(f'"{user}" ""\n')
    config = directory / "pgbouncer.ini"
    config.write_text(
        f"""[databases]
* = host={host} port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "users.txt"}
admin_users = {user}
pool_mode = transaction
max_client_conn = 200
default_pool_size = 10
ignore_startup_parameters = extra_float_digits
"""
    )
    directory.chmod(0o755)
    for path in directory.iterdir():
        path.chmod(0o644)
    return config


@pytest.fixture
async def pgbouncer_url(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if PGBOUNCER is None:
        if REQUIRE_SERVICES:
            pytest.fail("pgbouncer is not installed (apt-get install pgbouncer)")
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    assert settings.database_url
    url = make_url(settings.database_url)
    proxy: PgProxy | None = None
    if url.query.get("host"):  # the embedded server listens on a unix socket only
        proxy = PgProxy(settings.database_url)
        await proxy.start()
        host, server_port = "127.0.0.1", proxy.port
    else:
        host, server_port = url.host or "127.0.0.1", url.port or 5432
    directory = tmp_path_factory.mktemp("pgbouncer")
    port = free_port()
    user = url.username or "postgres"
    config = _config(directory, port, host, server_port, user)
    # pgbouncer refuses to run as root; -u drops to an unprivileged user when started as one.
    command = [PGBOUNCER, str(config)] + (["-u", "nobody"] if _is_root() else [])
    log = (directory / "pgbouncer.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError((directory / "pgbouncer.log").read_text()) from None
                await asyncio.sleep(0.05)
        yield (
            url.set(
                drivername="postgresql", host="127.0.0.1", port=port, query={}
            ).render_as_string(hide_password=False)
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        if proxy is not None:
            await proxy.stop()


async def _no_jobs_left(database: Database) -> bool:
    async with database.session() as session:
        left = await session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
        )
        sent = await session.scalar(
            text("SELECT count(*) FROM mail_messages WHERE status = 'sent'")
        )
    return left == 0 and sent == 5  # the five orders' mails, sent by the worker


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


def _pgbouncer_transactions(pgbouncer_url: str, database: str) -> int:
    """Transactions pgbouncer passed to `database` (its admin console, SHOW STATS)."""
    admin = make_url(pgbouncer_url).set(database="pgbouncer")
    output = subprocess.run(  # noqa: S603
        [
            shutil.which("psql") or "psql",
            "-X",
            "-A",
            "-F",
            "|",
            "-c",
            "SHOW STATS",
            admin.render_as_string(False),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    header = output[0].split("|")
    for line in output[1:]:
        row = dict(zip(header, line.split("|"), strict=False))
        if row.get("database") == database:
            return int(row["total_xact_count"])
    return 0


async def test_the_api_through_pgbouncer_in_transaction_mode(
    pgbouncer_url: str,
    settings: Settings,
    committed: Database,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    assert settings.database_url
    env = cluster_env(
        settings,
        DATABASE_URL=pgbouncer_url,
        DB_PGBOUNCER="true",
        DATABASE_DIRECT_URL=libpq_url(settings.database_url),
        RATE_LIMIT_ENABLED="false",
    )
    cluster = Cluster(env, tmp_path_factory.mktemp("behind-pgbouncer"))
    async with committed.session() as session:
        book = await make_shop_book(session, settings)
        admin = await make_user(session, role=Role.admin)
        customer = await make_user(session)
    database = str(make_url(settings.database_url).database)
    before = _pgbouncer_transactions(pgbouncer_url, database)
    try:
        # In a thread: the test's event loop runs the proxy to the embedded database meanwhile.
        server = await asyncio.to_thread(cluster.server, "api", free_port())
        async with httpx.AsyncClient(base_url=str(server.url), timeout=30) as http:
            # Many requests at once: each transaction may land on another server connection.
            lists = await asyncio.gather(*(http.get("/api/books") for _ in range(30)))
            assert {r.status_code for r in lists} == {200}
            assert any(b["id"] == str(book.book.id) for b in lists[0].json()["data"])
            writes = await asyncio.gather(
                *(
                    http.post(
                        "/api/categories",
                        json={"name": f"Behind the pooler {n}"},
                        headers=bearer(settings, admin),
                    )
                    for n in range(10)
                )
            )
            assert {r.status_code for r in writes} == {201}, [r.text for r in writes]
            body = {"items": [item(book.ebook), item(book.paperback)], "shippingAddress": LAGOS}
            orders = await asyncio.gather(
                *(
                    http.post("/api/orders", json=body, headers=bearer(settings, customer))
                    for _ in range(5)
                )
            )
            assert {r.status_code for r in orders} == {201}, [r.text for r in orders]
            mine = await http.get("/api/orders", headers=bearer(settings, customer))
            assert mine.json()["pagination"]["total"] == 5
            # The worker connects directly (its LISTEN needs a session): DATABASE_DIRECT_URL.
            cluster.worker("worker")

            async def ready() -> bool:
                return (await http.get("/api/health/ready")).status_code == 200

            await eventually(ready, timeout=60)
            await eventually(lambda: _no_jobs_left(committed), timeout=60)
    finally:
        await asyncio.to_thread(cluster.stop_all)
    # The API's transactions went through pgbouncer, not around it.
    assert _pgbouncer_transactions(pgbouncer_url, database) - before >= 50
