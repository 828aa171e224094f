"""Which connection each part uses: the pooled DATABASE_URL for requests, the direct one for
migrations, backups and LISTEN (the pgbouncer test shows it working through a real pooler)."""

from __future__ import annotations

from authorhub.config import AppEnv, Settings

POOLED = "postgresql://app@ep-x-pooler.example.com/authorhub"
DIRECT = "postgresql://app@ep-x.example.com/authorhub"


def test_direct_and_listen_urls_fall_back_in_order() -> None:
    alone = Settings(database_url=POOLED)
    assert alone.direct_database_url == POOLED and alone.listen_database_url == POOLED
    pooled = Settings(database_url=POOLED, database_direct_url=DIRECT)
    assert pooled.direct_database_url == DIRECT and pooled.listen_database_url == DIRECT
    worker = Settings(
        database_url=POOLED, database_direct_url=DIRECT, worker_database_url="postgresql://w/db"
    )
    assert worker.direct_database_url == DIRECT
    assert worker.listen_database_url == "postgresql://w/db"


def test_production_refuses_a_transaction_pooler_without_a_direct_url() -> None:
    base = {
        "app_env": AppEnv.production,
        "database_url": POOLED,
        "db_pgbouncer": True,
    }
    problems = Settings(**base).production_problems()  # type: ignore[arg-type]
    assert any("DATABASE_DIRECT_URL" in problem for problem in problems)
    fixed = Settings(**base, database_direct_url=DIRECT).production_problems()  # type: ignore[arg-type]
    assert not any("DATABASE_DIRECT_URL" in problem for problem in fixed)
