"""`authorhub db backup` / `authorhub db restore` as an operator runs them (real processes, real
pg_dump and pg_restore): a database with a paid order and its payment is backed up, restored
into a new database, and the same rows are found there; the ebook files come back too."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.system.backup import BackupError, Server, choose_tool
from tests.conftest import _run_admin_sql, _with_database
from tests.payments.shop import PAYSTACK, eventually, open_shop

AUTHORHUB = str(Path(sys.executable).with_name("authorhub"))

# Rows compared between the original and the restored database.
SNAPSHOT = {
    "orders": "SELECT id, number, status::text, total FROM orders ORDER BY id",
    "order_lines": "SELECT id, order_id, quantity, unit_price FROM order_lines ORDER BY id",
    "payments": "SELECT id, reference, status::text, amount FROM payments ORDER BY id",
    "payment_events": "SELECT id, event_key, reference FROM payment_events ORDER BY id",
    "users": "SELECT id, email FROM users ORDER BY id",
    "library": "SELECT id, user_id FROM library_entries ORDER BY id",
    "revision": "SELECT version_num FROM alembic_version",
}


async def _snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                name: [tuple(row) for row in await conn.execute(text(sql))]
                for name, sql in SNAPSHOT.items()
            }
    finally:
        await engine.dispose()


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [AUTHORHUB, *args], env=env, capture_output=True, text=True, timeout=120
    )


async def test_backup_restores_into_a_new_database(
    committed: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    async with open_shop(monkeypatch=monkeypatch, base=settings, database=committed) as shop:
        _, headers, order = await shop.new_order()
        started = await shop.initialize(PAYSTACK, order, headers)
        await shop.checkout(started, "pay")

        # The sandbox sends its webhook after the customer's redirect (as Paystack does), so
        # the settling job may be queued a moment after the "Pay" answer.
        async def paid() -> bool:
            await shop.run_jobs()
            return (await shop.order_row(order["id"])).status.value == "paid"

        await eventually(paid)
        _, headers, unpaid = await shop.new_order()
        await shop.initialize(PAYSTACK, unpaid, headers)
    ebook = settings.private_media_dir / "ebooks" / "drill.epub"
    ebook.parent.mkdir(parents=True, exist_ok=True)
    ebook.write_bytes(b"PK\x03\x04 an ebook")

    assert settings.database_url
    original = await _snapshot(settings.database_url)
    assert len(original["orders"]) == 2 and len(original["payments"]) == 2
    assert len(original["payment_events"]) >= 1 and original["library"]

    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "PRIVATE_MEDIA_DIR": str(settings.private_media_dir),
        "MEDIA_DIR": str(settings.media_dir),
        "LOG_JSON": "false",
    }
    dump = tmp_path / "drill.dump"
    made = _cli("db", "backup", str(dump), env=env)
    assert made.returncode == 0, made.stderr
    assert dump.stat().st_size > 0 and (tmp_path / "drill.dump.media.tar.gz").is_file()
    assert "dumping tables" in made.stderr  # the progress display

    name = f"authorhub_restore_{os.getpid()}"
    admin = _with_database(settings.database_url, "postgres")
    await _run_admin_sql(admin, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    restored_url = _with_database(settings.database_url, name)
    restored_media = tmp_path / "restored"
    try:
        env.update(
            DATABASE_URL=restored_url,
            PRIVATE_MEDIA_DIR=str(restored_media / "private"),
            MEDIA_DIR=str(restored_media / "public"),
        )
        began = time.perf_counter()
        done = _cli("db", "restore", str(dump), env=env)
        took = time.perf_counter() - began
        assert done.returncode == 0, done.stderr
        print(f"\nrestore of {dump.stat().st_size} bytes took {took:.2f} s (with CLI start-up)")
        assert await _snapshot(restored_url) == original
        assert (restored_media / "private" / "ebooks" / "drill.epub").read_bytes() == (
            ebook.read_bytes()
        )

        # The restored database is not empty any more: a second restore asks first, and
        # without an answer nothing is replaced.
        again = subprocess.run(  # noqa: S603
            [AUTHORHUB, "db", "restore", str(dump)],
            env=env,
            input="n\n",
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert again.returncode == 1 and "restore cancelled" in again.stderr
        assert await _snapshot(restored_url) == original
    finally:
        await _run_admin_sql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_file_that_is_not_a_dump_is_refused(settings: Settings, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.dump"
    bogus.write_text("not a dump")
    assert settings.database_url
    env = {**os.environ, "APP_ENV": "test", "DATABASE_URL": settings.database_url}
    # The test database is not empty: --yes answers the question, the file is then refused.
    result = _cli("db", "restore", str(bogus), "--yes", env=env)
    assert result.returncode == 1
    assert "not a pg_dump custom-format archive" in result.stderr


def _fake_tool(directory: Path, name: str, major: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tool = directory / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {major}.3'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return directory


class TestToolVersion:
    """pg_dump older than the server cannot dump it: the newest fitting binary is chosen, or
    the command says which client version to install."""

    def test_an_older_pg_dump_is_refused_with_the_version_needed(self, tmp_path: Path) -> None:
        old = _fake_tool(tmp_path / "old", "pg_dump", 15)
        with pytest.raises(BackupError) as refused:
            choose_tool("pg_dump", Server(major=16, tables=0, embedded=False), [old])
        message = str(refused.value)
        assert "PostgreSQL 16" in message and "postgresql-client-16" in message
        assert "is PostgreSQL 15" in message

    def test_the_first_new_enough_one_is_used(self, tmp_path: Path) -> None:
        old = _fake_tool(tmp_path / "old", "pg_dump", 15)
        new = _fake_tool(tmp_path / "new", "pg_dump", 16)
        chosen = choose_tool("pg_dump", Server(major=16, tables=0, embedded=True), [old, new])
        assert chosen == str(new / "pg_dump")
        assert choose_tool("pg_dump", Server(major=15, tables=0, embedded=False), [old, new]) == (
            str(old / "pg_dump")
        )


def test_no_tool_at_all_says_so(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="not found"):
        choose_tool("pg_restore", Server(major=15, tables=0, embedded=False), [tmp_path])
