"""GET /api/books: filters, sorts, pagination, refusals, and the cost of a page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, insert, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.kit.time import utcnow
from authorhub.models import Book, BookFormat, BookStatus, FormatKind, Tag
from authorhub.models.tag import book_tags
from tests.fixtures.catalog import make_book, make_category


async def ids(client: httpx.AsyncClient, query: str) -> list[str]:
    response = await client.get(f"/api/books?{query}")
    assert response.status_code == 200, response.text
    return [book["id"] for book in response.json()["data"]]


@pytest.fixture
async def shelf(db: AsyncSession) -> dict[str, Book]:
    """Four published books with distinct dates, prices, sales and labels, and a draft."""
    now = utcnow()
    romance = await make_category(db, name="Romance")
    tag = Tag(name="Lagos", slug="lagos")
    db.add(tag)
    books = {
        "alpha": await make_book(
            db, title="Alpha", formats=[(FormatKind.ebook, 0, None)], description="rain"
        ),
        "bravo": await make_book(
            db,
            title="Bravo",
            formats=[(FormatKind.ebook, 150_000, None), (FormatKind.paperback, 400_000, 0)],
            description="The harmattan wind over Kano.",
        ),
        "charlie": await make_book(
            db,
            title="Charlie Harmattan",
            formats=[(FormatKind.paperback, 700_000, 4), (FormatKind.hardcover, 1_500_000, 2)],
        ),
        "delta": await make_book(
            db, title="Delta", formats=[(FormatKind.hardcover, 900_000, None)], description="sea"
        ),
    }
    books["draft"] = await make_book(db, title="Zulu Draft", status=BookStatus.draft)
    for days, sales, name in (
        (4, 10, "alpha"),
        (3, 50, "bravo"),
        (2, 5, "charlie"),
        (1, 0, "delta"),
    ):
        await db.execute(
            update(Book)
            .where(Book.id == books[name].id)
            .values(published_at=now - timedelta(days=days), sales_count=sales)
        )
    await db.execute(
        update(Book)
        .where(Book.id.in_([books["bravo"].id, books["charlie"].id]))
        .values(category_id=romance.id)
    )
    await db.execute(update(Book).where(Book.id == books["delta"].id).values(featured=True))
    await db.flush()
    await db.execute(
        insert(book_tags).values(
            [{"book_id": books[n].id, "tag_id": tag.id} for n in ("alpha", "charlie")]
        )
    )
    books["category"] = romance  # type: ignore[assignment]
    return books


def order(shelf: dict[str, Any], *names: str) -> list[str]:
    return [str(shelf[name].id) for name in names]


class TestSorts:
    async def test_newest_first_by_default_and_drafts_never(
        self, client: httpx.AsyncClient, shelf: dict[str, Book]
    ) -> None:
        assert await ids(client, "") == order(shelf, "delta", "charlie", "bravo", "alpha")

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("newest", ["delta", "charlie", "bravo", "alpha"]),
            ("title", ["alpha", "bravo", "charlie", "delta"]),
            ("price", ["alpha", "bravo", "charlie", "delta"]),
            ("-price", ["delta", "charlie", "bravo", "alpha"]),
            ("bestselling", ["bravo", "alpha", "charlie", "delta"]),
        ],
    )
    async def test_each_sort(
        self, client: httpx.AsyncClient, shelf: dict[str, Book], sort: str, expected: list[str]
    ) -> None:
        assert await ids(client, f"sort={sort}") == order(shelf, *expected)

    async def test_relevance_puts_title_matches_above_description_matches(
        self, client: httpx.AsyncClient, shelf: dict[str, Book]
    ) -> None:
        assert await ids(client, "q=harmattan") == order(shelf, "charlie", "bravo")
        assert await ids(client, "search=harmattan&sort=title") == order(shelf, "bravo", "charlie")


class TestFilters:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("format=hardcover", ["delta", "charlie"]),
            ("format=ebook", ["bravo", "alpha"]),
            ("minPrice=500000", ["delta", "charlie"]),
            ("maxPrice=200000", ["bravo", "alpha"]),
            ("minPrice=100000&maxPrice=500000", ["bravo"]),
            ("format=paperback&maxPrice=500000", ["bravo"]),
            ("free=true", ["alpha"]),
            ("free=false", ["delta", "charlie", "bravo"]),
            ("featured=true", ["delta"]),
            ("featured=false", ["charlie", "bravo", "alpha"]),
            ("inStock=true", ["delta", "charlie", "bravo", "alpha"]),
            ("format=paperback&inStock=true", ["charlie"]),
            ("tag=lagos", ["charlie", "alpha"]),
            ("q=wind", ["bravo"]),
            ("q=harmattan&format=hardcover", ["charlie"]),
        ],
    )
    async def test_each_filter(
        self, client: httpx.AsyncClient, shelf: dict[str, Book], query: str, expected: list[str]
    ) -> None:
        assert await ids(client, query) == order(shelf, *expected)

    async def test_category(self, client: httpx.AsyncClient, shelf: dict[str, Any]) -> None:
        slug = shelf["category"].slug
        assert await ids(client, f"category={slug}") == order(shelf, "charlie", "bravo")

    async def test_in_stock_false_lists_books_with_nothing_to_sell(
        self, client: httpx.AsyncClient, shelf: dict[str, Book], db: AsyncSession
    ) -> None:
        await db.execute(
            update(BookFormat).where(BookFormat.book_id == shelf["charlie"].id).values(stock=0)
        )
        assert await ids(client, "inStock=false") == order(shelf, "charlie")


class TestPagination:
    async def test_pages_and_totals(
        self, client: httpx.AsyncClient, shelf: dict[str, Book]
    ) -> None:
        first = (await client.get("/api/books?limit=3")).json()
        assert first["pagination"] == {"page": 1, "limit": 3, "total": 4, "totalPages": 2}
        second = (await client.get("/api/books?limit=3&page=2")).json()
        assert [b["id"] for b in second["data"]] == order(shelf, "alpha")
        beyond = (await client.get("/api/books?limit=3&page=9")).json()
        assert beyond["data"] == []
        assert beyond["pagination"]["total"] == 4
        filtered = (await client.get("/api/books?format=hardcover&limit=1")).json()
        assert filtered["pagination"]["total"] == 2

    async def test_the_total_follows_publishing_and_deleting(
        self, client: httpx.AsyncClient, shelf: dict[str, Book], db: AsyncSession
    ) -> None:
        await db.execute(
            update(Book).where(Book.id == shelf["draft"].id).values(status=BookStatus.published)
        )
        assert (await client.get("/api/books")).json()["pagination"]["total"] == 5
        await db.delete(shelf["alpha"])
        await db.flush()
        assert (await client.get("/api/books")).json()["pagination"]["total"] == 4


class TestRefusals:
    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("sort=stars", "query.sort"),
            ("sort=relevance", "query.sort"),
            ("format=vinyl", "query.format"),
            ("minPrice=-5", "query.minPrice"),
            ("minPrice=900&maxPrice=100", "query.maxPrice"),
            ("limit=101", "query.limit"),
            ("page=0", "query.page"),
            ("free=maybe", "query.free"),
            ("sortBy=createdAt", "query.sortBy"),
            ("category=no-such-category", "query.category"),
            ("tag=no-such-tag", "query.tag"),
            ("category=Not A Slug", "query.category"),
            # PostgreSQL text holds no NUL: refused here, never a 500 from the database.
            ("q=lagos%00", "query.q"),
            ("search=%00", "query.search"),
        ],
    )
    async def test_unknown_values_are_422_naming_the_field(
        self, client: httpx.AsyncClient, query: str, field: str
    ) -> None:
        response = await client.get(f"/api/books?{query}")
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "validation_error"
        assert field in [d["field"] for d in response.json()["details"]]


class TestCost:
    async def test_a_page_of_twenty_books_is_one_statement(
        self, client: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine
    ) -> None:
        category = await make_category(db)
        tag = Tag(name="Many", slug="many")
        db.add(tag)
        for n in range(25):
            book = await make_book(db, title=f"Book {n:02}")
            await db.execute(update(Book).where(Book.id == book.id).values(category_id=category.id))
            await db.execute(insert(book_tags).values(book_id=book.id, tag_id=tag.id))
        await db.flush()
        statements: list[str] = []

        def count(*args: Any) -> None:
            if "SAVEPOINT" not in args[2]:  # the test harness's, not the request's
                statements.append(args[2])

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            response = await client.get("/api/books?limit=20")
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        body = response.json()
        assert len(body["data"]) == 20
        assert all(len(b["formats"]) == 2 and b["tags"] and b["category"] for b in body["data"])
        assert body["pagination"]["total"] == 25
        assert len(statements) == 1, statements
        assert "count(*)" not in statements[0], "the total comes from book_counts"
