"""Related books and a reader's recommendations: co-owned first, then tags and category;
never what she owns; one statement each."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.config import Settings
from authorhub.library import repository as library
from authorhub.models import Book, BookFormat, User
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.catalog import make_book


async def _own(db: AsyncSession, user: User, book: Book) -> None:
    fmt = await db.scalar(select(BookFormat).where(BookFormat.book_id == book.id).limit(1))
    assert fmt is not None
    await library.claim(db, user_id=user.id, book_id=book.id, format_id=fmt.id)


async def test_readers_who_own_this_also_own_that(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, engine: AsyncEngine
) -> None:
    seed, co_owned, other = (
        await make_book(db, title="Seed"),
        await make_book(db, title="Co"),
        await make_book(db, title="Other"),
    )
    for _ in range(2):
        reader = await make_user(db)
        await _own(db, reader, seed)
        await _own(db, reader, co_owned)
    one = await make_user(db)
    await _own(db, one, seed)
    await _own(db, one, other)
    me = await make_user(db)
    await _own(db, me, seed)

    statements: list[str] = []

    def count(*args: Any) -> None:
        if "SAVEPOINT" not in args[2]:
            statements.append(args[2])

    related = (await client.get(f"/api/books/{seed.id}/related")).json()["data"]
    assert [(b["title"], b["coReaders"]) for b in related][:2] == [("Co", 2), ("Other", 1)]

    await _own(db, me, co_owned)
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        mine = (await client.get("/api/me/recommendations", headers=bearer(settings, me))).json()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    titles = [b["title"] for b in mine["data"]]
    assert titles[0] == "Other" and "Seed" not in titles and "Co" not in titles
    assert len([s for s in statements if "library_entries" in s]) == 1

    missing = await client.get("/api/books/00000000-0000-0000-0000-000000000000/related")
    assert missing.status_code == 404
    anonymous = await client.get("/api/me/recommendations")
    assert anonymous.status_code == 401
