"""The lean read of one public book (books.lean: the ORM path's statement on a pooled asyncpg
connection, taken by the catalog's ASGI fast path) answers exactly what the ORM path answers,
hides what the ORM path hides, and leaves everything else to the application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import orjson
import pytest
from sqlalchemy import insert, update

from authorhub.books import service
from authorhub.books.lean import LeanCatalog, list_query
from authorhub.books.schemas import BookSort, envelope_json, page_json
from authorhub.db import Database, libpq_url
from authorhub.errors import AppError
from authorhub.kit.time import today
from authorhub.models import Book, BookFormat, BookStatus, FormatKind, Tag, book_tags
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
        # On preorder: a capped ebook releasing next month, a paperback released last year.
        preorder = await make_book(db, title="Lean Preorder")
        await db.flush()
        await db.execute(
            update(BookFormat)
            .where(BookFormat.book_id == preorder.id, BookFormat.format == FormatKind.ebook)
            .values(release_date=today() + timedelta(days=30), preorder_cap=7, preordered=2)
        )
        await db.execute(
            update(BookFormat)
            .where(BookFormat.book_id == preorder.id, BookFormat.format == FormatKind.paperback)
            .values(release_date=today() - timedelta(days=365))
        )
        return {
            "full": full,
            "in_hidden": in_hidden,
            "free": free,
            "bare": bare,
            "draft": draft,
            "archived": archived,
            "preorder": preorder,
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
    preorder = orjson.loads(await lean.book(books["preorder"].slug) or b"{}")["data"]
    assert (preorder["preorder"], preorder["releaseDate"]) == (
        True,
        (today() + timedelta(days=30)).isoformat(),
    )
    by_kind = {f["format"]: f for f in preorder["formats"]}
    assert (by_kind["ebook"]["preorder"], by_kind["ebook"]["preorderRemaining"]) == (True, 5)
    assert (by_kind["paperback"]["preorder"], by_kind["paperback"]["preorderRemaining"]) == (
        False,
        None,
    )
    hidden_category = orjson.loads(await lean.book(books["in_hidden"].slug) or b"{}")["data"]
    assert hidden_category["category"] is None and hidden_category["inStock"] is False


async def _orm_page(database: Database, query_string: str) -> bytes | None:
    """What the application's ORM path answers for this listing query."""
    query = list_query(query_string.encode())
    assert query is not None, query_string
    async with database.session() as session:
        f = await service.book_filter(session, query=query)
        items, total = await service.list_books(session, f=f)
    if not items:
        return None  # the lean path leaves empty pages to the application
    return page_json(items, page=query.page, limit=query.limit, total=total)


LISTINGS = [
    "",
    "limit=2",
    "limit=2&page=2",
    "page=1&limit=50",
    "status=published",
    *(f"sort={sort.value}" for sort in BookSort if sort != BookSort.relevance),
    "q=harmattan&sort=relevance",
    *(f"q=harmattan&sort={sort.value}" for sort in BookSort),
    "search=harmattan",
    "format=ebook",
    "format=paperback&sort=price",
    "minPrice=300000",
    "maxPrice=300000",
    "minPrice=100000&maxPrice=700000&sort=-price",
    "free=true",
    "free=false",
    "featured=true",
    "featured=false",
    "inStock=true",
    "inStock=false",
    "preorder=true",
    "preorder=false&sort=title",
    "format=ebook&inStock=true&featured=false&sort=bestselling&limit=3",
]


async def test_the_lean_listing_answers_what_the_orm_path_answers(
    committed: Database, lean: LeanCatalog
) -> None:
    await _books(committed)
    async with committed.session() as db:
        for n in range(8):
            book = await make_book(
                db,
                title=f"The Harmattan Road {n}" if n % 2 else f"Quiet Waters {n}",
                formats=[
                    (FormatKind.ebook, n * 50_000, None),
                    (FormatKind.paperback, 400_000, n % 3),
                ],
            )
            book.featured = n % 3 == 0
            book.sales_count = (n * 7) % 5
    answered = 0
    for query_string in LISTINGS:
        lean_page = await lean.books(query_string.encode())
        assert lean_page == await _orm_page(committed, query_string), query_string
        answered += lean_page is not None
    assert answered >= len(LISTINGS) - 2  # it did answer (not a fall-through every time)
    # Left to the application: what needs a slug resolved, an admin, or a 422.
    for query_string in (
        "category=fiction",
        "tag=x",
        "status=draft",
        "limit=0",
        "sort=bogus",
        "min_price=5",
        "q=",
        "limit=2&limit=3",
        "sort=relevance",
    ):
        assert await lean.books(query_string.encode()) is None, query_string


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

        listing = await client.get("/api/books?limit=2&sort=title")
        assert listing.status_code == 200
        assert listing.content == await _orm_page(committed, "limit=2&sort=title")
        refused = await client.get("/api/books?limit=0")
        assert refused.status_code == 422  # the application's own answer

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
