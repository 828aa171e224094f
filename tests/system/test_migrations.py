"""Migrations are reversible and match the models exactly."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from authorhub.models import Base
from authorhub.models.base import include_in_migrations
from tests.conftest import _admin_url, _in_thread, _run_admin_sql, _with_database, alembic_config


@pytest.fixture
async def scratch_url(base_database_url: str) -> AsyncIterator[str]:
    name = f"authorhub_migrations_{os.getpid()}"
    admin = _admin_url(base_database_url)
    await _run_admin_sql(
        admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"
    )
    yield _with_database(base_database_url, name)
    await _run_admin_sql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )
        names = set(rows.scalars())
    await engine.dispose()
    return names


async def _types(url: str) -> set[str]:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = 'public' AND (t.typtype = 'e' OR (t.typtype = 'c' AND EXISTS "
                "(SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))"
            )
        )
        names = set(rows.scalars())
    await engine.dispose()
    return names


class TestMigrations:
    async def test_upgrade_downgrade_upgrade_round_trip(self, scratch_url: str) -> None:
        config = alembic_config(scratch_url)
        _in_thread(lambda: command.upgrade(config, "head"))
        assert {"mail_messages", "procrastinate_jobs", "users", "books"} <= await _tables(
            scratch_url
        )

        _in_thread(lambda: command.downgrade(config, "base"))
        assert await _tables(scratch_url) == {"alembic_version"}
        assert await _types(scratch_url) == set(), (
            "a downgrade left an enum or composite type behind"
        )

        _in_thread(lambda: command.upgrade(config, "head"))
        assert {"mail_messages", "users", "books"} <= await _tables(scratch_url)

    async def test_models_and_migrations_agree(self, test_database_url: str) -> None:
        engine = create_async_engine(test_database_url, poolclass=NullPool)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync_conn: compare_metadata(
                    MigrationContext.configure(
                        sync_conn,
                        opts={
                            "include_object": include_in_migrations,
                            "compare_type": True,
                            "compare_server_default": True,
                        },
                    ),
                    Base.metadata,
                )
            )
        await engine.dispose()
        assert diff == [], f"autogenerate would change the schema: {diff}"


class TestHistory:
    def test_the_migrations_form_one_line(self) -> None:
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config("postgresql://unused/x"))
        assert len(script.get_heads()) == 1, (
            f"several heads: {script.get_heads()} — set down_revision"
        )
