"""The community migration gives every existing account a unique handle, and takes it back."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.conftest import _in_thread, alembic_config
from tests.system import test_migrations

scratch_db = test_migrations.scratch_url  # an empty database of its own (a fixture)

EMAILS = ["ann.lee@example.com", "ann-lee@example.org", "jo@example.com", "Émile+x@example.com"]

# The revision just before the one that adds handles (the chain may grow around it).
BEFORE_HANDLES = "0008_admin"


async def _execute(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as conn:
        result = await conn.execute(text(sql), params)
        rows = [tuple(row) for row in result] if result.returns_rows else []
    await engine.dispose()
    return rows


async def test_existing_accounts_get_unique_handles(scratch_db: str) -> None:
    scratch_url = scratch_db
    config = alembic_config(scratch_url)
    _in_thread(lambda: command.upgrade(config, BEFORE_HANDLES))
    for n, email in enumerate(EMAILS):
        await _execute(
            scratch_url,
            "INSERT INTO users (email, name, created_at) "
            "VALUES (:email, 'User', now() + make_interval(secs => :n))",
            email=email.lower(),
            n=n,
        )
    _in_thread(lambda: command.upgrade(config, "head"))
    handles = dict(
        await _execute(scratch_url, "SELECT email, handle FROM users ORDER BY created_at")
    )
    assert handles["ann.lee@example.com"] == "ann_lee"
    assert handles["ann-lee@example.org"].startswith("ann_lee_")
    assert handles["jo@example.com"] == "memberjo"
    assert handles["émile+x@example.com"] == "mile_x"
    assert len(set(handles.values())) == len(EMAILS)
    _in_thread(lambda: command.downgrade(config, BEFORE_HANDLES))
    columns = await _execute(
        scratch_url,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' "
        "AND column_name IN ('handle', 'suspended_until')",
    )
    assert columns == []
