"""The lean read of one public book (books.lean: the ORM path's statement on a pooled asyncpg
connection, taken by the catalog's ASGI fast path) answers exactly what the ORM path answers,
hides what the ORM path hides, and leaves everything else to the application."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
from sqlalchemy import insert, update

from authorhub.books import service
from authorhub.books.lean import LeanCatalog
from authorhub.books.schemas import envelope_json
from authorhub.db import Database, libpq_url
from authorhub.errors import AppError
from authorhub.models import Book, BookStatus, FormatKind, Tag, book_tags
from tests.fixtures.catalog import make_book, make_category


@pytest.fixture
async def lean(committed: Database) -> AsyncIterator[LeanCatalog]:
    catalog = LeanCatalog(libpq_url(committed.engine.url.render_as_string(hide_password=False)))
    yield catalog
    await catalog.close()


async def _orm_answer(database: Database, ref: str) -> bytes | None:
    async with database.session() as session:
        try:
            return envelope_json(await service.get_public_book(session, ref=ref))
        except AppError:
            return None


async def _books(database: Database) -> dict[str, Book]:
    async with database.session() as db:
        active = await make_category(db)
        hidden = await make_category(db, is_active=False)
        full = await make_book(db, title="Lean Harmattan")
        full.category_id = active.id
        tags = [Tag(name=f"Tag {n}", slug=f"lean-tag-{n}") for n in ("b", "a")]
        db.add_all(tags)
        await db.flush()
        await db.execute(insert(book_tags), [{"book_id": full.id, "tag_id": t.id} for t in tags])
        in_hidden = await make_book(db, formats=[(FormatKind.paperback, 600_000, 0)])
        in_hidden.category_id = hidden.id
        free = await make_book(db, formats=[(FormatKind.ebook, 0, None)])
        bare = await make_book(db, formats=[])
        draft = await make_book(db, status=BookStatus.draft)
        archived = await make_book(db, status=BookStatus.archived)
        return {
            "full": full,
            "in_hidden": in_hidden,
            "free": free,
            "bare": bare,
            "draft": draft,
            "archived": archived,
        }


async def test_the_lean_read_answers_what_the_orm_path_answers(
    committed: Database, lean: LeanCatalog
) -> None:
    books = await _books(committed)
    refs = [ref for book in books.values() for ref in (book.slug, str(book.id))]
    refs += ["no-such-book", "00000000-0000-0000-0000-000000000000", "Not A Slug!", "x" * 400]
    for ref in refs:
        assert await lean.book(ref) == await _orm_answer(committed, ref), ref
    # Drafts, archived and unknown books are left to the application (its 404).
    for name in ("draft", "archived"):
        assert await lean.book(books[name].slug) is None
    full = orjson.loads(await lean.book(books["full"].slug) or b"{}")["data"]
    assert [tag["name"] for tag in full["tags"]] == ["Tag a", "Tag b"]
    assert full["category"] is not None and len(full["formats"]) == 2
    hidden_category = orjson.loads(await lean.book(books["in_hidden"].slug) or b"{}")["data"]
    assert hidden_category["category"] is None and hidden_category["inStock"] is False


async def test_the_app_serves_one_book_from_the_lean_path(
    committed_app, committed: Database
) -> None:  # type: ignore[no-untyped-def]
    books = await _books(committed)
    transport = httpx.ASGITransport(app=committed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        first = await client.get(f"/api/books/{books['full'].slug}")
        assert first.status_code == 200
        assert first.content == await _orm_answer(committed, books["full"].slug)
        assert first.headers["x-request-id"]  # the outer middleware still wraps it
        again = await client.get(
            f"/api/books/{books['full'].slug}", headers={"If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304
        lean = committed_app.state.lean_catalog
        assert isinstance(lean, LeanCatalog) and lean._pool is not None  # it answered

        hidden = await client.get(f"/api/books/{books['draft'].slug}")
        assert hidden.status_code == 404
        assert hidden.json()["success"] is False  # the application's own error shape

        # A change is seen at once (no cache in tests; with it, NOTIFY empties it).
        async with committed.session() as db:
            await db.execute(
                update(Book).where(Book.id == books["full"].id).values(title="Renamed")
            )
        renamed = await client.get(f"/api/books/{books['full'].id}")
        assert renamed.json()["data"]["title"] == "Renamed"
        await lean.close()
