"""GET /api/books as the original pages call it (app/books/page.tsx, components/books-accordion)
and /api/books/slug/{slug} (app/books/[id]/page.tsx): every field they read, with its type and
unit (naira decimal strings, never kobo); our own GET /api/books stays as it was."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Book, Category, FormatKind
from tests.compat.browser import Browser
from tests.fixtures.catalog import make_book

NAIRA = re.compile(r"^\d+\.\d{2}$")


async def _shelf(db: AsyncSession) -> dict[str, Book]:
    fiction = Category(name="Fiction", slug="fiction")
    essays = Category(name="Self-help", slug="self-help")
    db.add_all([fiction, essays])
    await db.flush()
    books = {
        "cheap": await make_book(
            db, title="Amber Harmattan", formats=[(FormatKind.ebook, 150_000, None)]
        ),
        "dear": await make_book(
            db,
            title="Zobo Nights",
            formats=[(FormatKind.ebook, 250_000, None), (FormatKind.paperback, 600_000, 3)],
            description="<p>A <strong>Lagos</strong> love story.</p>",
        ),
        "free": await make_book(db, title="Free Verse", formats=[(FormatKind.ebook, 0, None)]),
    }
    books["cheap"].category_id = fiction.id
    books["dear"].category_id = fiction.id
    books["free"].category_id = essays.id
    await db.flush()
    return books


def _by_title(books: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {book["title"]: book for book in books}


class TestBooksPage:
    async def test_the_books_page_list_in_the_original_shape(
        self, browser: Browser, db: AsyncSession
    ) -> None:
        await _shelf(db)

        response = await browser.get("/api/books?status=published")

        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True
        data = body["data"]
        assert data["books"] == data["data"]  # app/books/page reads result.data.data
        assert data["pagination"] == {
            "page": 1,
            "limit": 20,
            "total": 3,
            "totalPages": 1,
            "hasNextPage": False,
            "hasPrevPage": False,
        }
        dear = _by_title(data["books"])["Zobo Nights"]
        # Every field the page reads, with its type and unit.
        assert isinstance(dear["id"], str) and isinstance(dear["slug"], str)
        assert dear["author"] == "Victoria Chisom"
        assert isinstance(dear["description"], str)  # the excerpt, as text
        assert dear["price"] == dear["priceNgn"] == "2500.00"  # the cheapest format, naira
        assert NAIRA.match(dear["price"])
        assert dear["priceUsd"] is None
        assert dear["coverImage"] == dear["frontCoverImage"]
        assert dear["category"] == "Fiction"
        assert dear["categoryRef"]["slug"] == "fiction"
        assert dear["status"] == "published"
        assert dear["format"] == ["ebook", "paperback"]
        free = _by_title(data["books"])["Free Verse"]
        assert free["isFree"] is True and free["price"] == "0.00" and free["priceNgn"] is None

    async def test_category_by_name_and_search(self, browser: Browser, db: AsyncSession) -> None:
        await _shelf(db)

        fiction = (await browser.get("/api/books?status=published&category=Fiction")).json()
        everything = (await browser.get("/api/books?status=published&category=All+Books")).json()
        searched = (await browser.get("/api/books?status=published&search=zobo")).json()
        nothing = (await browser.get("/api/books?status=published&category=Poetry")).json()

        assert sorted(b["title"] for b in fiction["data"]["books"]) == [
            "Amber Harmattan",
            "Zobo Nights",
        ]
        assert everything["data"]["pagination"]["total"] == 3
        assert [b["title"] for b in searched["data"]["books"]] == ["Zobo Nights"]
        assert nothing["success"] is True and nothing["data"]["books"] == []

    async def test_the_accordions_sorts(self, browser: Browser, db: AsyncSession) -> None:
        await _shelf(db)

        by_price = await browser.request("GET", "/api/books?sortBy=price&sortOrder=asc&limit=6")
        newest = await browser.request("GET", "/api/books?sortBy=createdAt&limit=6")
        rated = await browser.request("GET", "/api/books?sortBy=averageRating&limit=6")
        lone = await browser.request("GET", "/api/books?sortBy=title")

        titles = [b["title"] for b in by_price.json()["data"]["books"]]
        assert titles == ["Free Verse", "Amber Harmattan", "Zobo Nights"]
        assert newest.json()["data"]["books"][0]["title"] == "Free Verse"
        first = rated.json()["data"]["books"][0]
        for key in ("averageRating", "reviewCount", "hasDownload", "tags", "isFree"):
            assert key in first
        assert newest.json()["data"]["pagination"]["limit"] == 6
        # A lone sortBy is not the accordion: our API names the unknown parameter.
        assert lone.status_code == 422 and lone.json()["details"][0]["field"] == "query.sortBy"

    async def test_our_own_list_is_unchanged(self, browser: Browser, db: AsyncSession) -> None:
        await _shelf(db)

        ours = (await browser.request("GET", "/api/books?sort=price")).json()

        assert isinstance(ours["data"], list) and ours["pagination"]["total"] == 3
        assert ours["data"][0]["minPriceNgn"] == 0  # kobo, as our API has it
        assert isinstance(ours["data"][0]["category"], dict)

    async def test_drafts_stay_hidden_whatever_status_says(
        self, browser: Browser, db: AsyncSession
    ) -> None:
        from authorhub.models import BookStatus

        await make_book(db, title="Secret Draft", status=BookStatus.draft)
        body = (await browser.get("/api/books?status=published&sortBy=title")).json()
        assert all(b["title"] != "Secret Draft" for b in body["data"]["books"])


class TestBookPage:
    async def test_a_book_by_slug_with_the_fields_the_page_reads(
        self, browser: Browser, db: AsyncSession
    ) -> None:
        books = await _shelf(db)
        books["dear"].isbn = "9780306406157"
        books["dear"].page_count = 212
        await db.flush()

        response = await browser.get(f"/api/books/slug/{books['dear'].slug}")

        assert response.status_code == 200
        book = response.json()["data"]
        assert book["id"] == str(books["dear"].id)
        assert book["title"] == "Zobo Nights" and book["author"] == "Victoria Chisom"
        assert book["description"] == "A Lagos love story."  # text, as the page prints it
        assert (book["price"], book["priceNgn"], book["priceUsd"]) == ("2500.00", "2500.00", None)
        assert book["category"] == "Fiction" and book["status"] == "published"
        assert (book["isbn"], book["pageCount"]) == ("9780306406157", 212)
        assert book["isFree"] is False and book["isAvailable"] is True
        assert isinstance(book["salesCount"], int) and "publishedAt" in book
        assert "backCoverImage" in book and "frontCoverImage" in book

    async def test_unknown_and_draft_slugs_are_404(
        self, browser: Browser, db: AsyncSession
    ) -> None:
        from authorhub.models import BookStatus

        draft = await make_book(db, status=BookStatus.draft)
        for slug in ("no-such-book", draft.slug):
            response = await browser.get(f"/api/books/slug/{slug}")
            assert response.status_code == 404
            assert response.json()["success"] is False and response.json()["error"]
