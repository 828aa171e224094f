"""Verify-storm benchmark (not a test): how the service holds up while one member sends many
`GET /api/payments/{ref}?verify=1` at once and the provider re-delivers the webhook.

    .venv/bin/python bench/verify_storm.py [--verifies 50] [--duplicates 20] [--rounds 3]

Each round serves the app on a real socket (separate Paystack/Flutterwave sandboxes, jobs run
in-process throughout) on a database of its own (`authorhub_bench_storm`, on DATABASE_URL's
server or the embedded PostgreSQL) and runs the scenario of tests/payments/storm.py. It prints
the storm's wall time, the status codes of the verifies, the webhooks, /api/health and a second
member's requests, health latency, and provider calls against audit rows (a gap = lost rows).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.payments.shop import open_captured_shop  # noqa: E402
from tests.payments.storm import CountingPaystack, verify_storm  # noqa: E402

from authorhub.config import PROJECT_ROOT, AppEnv, Settings  # noqa: E402
from authorhub.db import Database, asyncpg_url, set_database, start_embedded_postgres  # noqa: E402

BENCH_DB = "authorhub_bench_storm"


async def _fresh_database(base_url: str) -> str:
    admin = asyncpg_url(base_url).replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {BENCH_DB}")
    finally:
        await conn.close()
    return make_url(asyncpg_url(base_url)).set(database=BENCH_DB).render_as_string(False)


def _migrate(url: str) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


async def _round(url: str, tmp: Path, verifies: int, duplicates: int) -> dict[str, object]:
    base = Settings(
        app_env=AppEnv.test,
        database_url=url,
        secret_key="bench-secret-key-that-is-long-enough-0123456789",  # type: ignore[arg-type]
        public_url="http://testserver",
        frontend_url="http://frontend.test",
        cors_origins=["http://frontend.test"],
        log_json=False,
        media_dir=tmp / "public",
        private_media_dir=tmp / "private",
    )
    database = Database.from_settings(base)
    set_database(database)
    monkeypatch = pytest.MonkeyPatch()
    try:
        async with open_captured_shop(
            monkeypatch=monkeypatch, base=base, database=database, paystack=CountingPaystack
        ) as shop:
            figures = await verify_storm(shop, verifies=verifies, duplicates=duplicates)
        return figures.summary()
    finally:
        monkeypatch.undo()
        set_database(None)
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verifies", type=int, default=50)
    parser.add_argument("--duplicates", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    import os
    import tempfile

    base_url = os.environ.get("DATABASE_URL") or start_embedded_postgres(
        Settings(database_url=None)
    )
    url = asyncio.run(_fresh_database(base_url))
    _migrate(url)
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(args.rounds):
            summary = asyncio.run(_round(url, Path(tmp), args.verifies, args.duplicates))
            print(json.dumps({"round": number + 1, **summary}))


if __name__ == "__main__":
    main()
