"""The public reads are encoded straight from their rows (for speed); this proves they are
exactly the documented models: they validate as them and serialise back identically."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx
from pydantic import TypeAdapter
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books.schemas import BookDetail, BookSummary
from authorhub.kit.schemas import Envelope, Page
from authorhub.models import Book, BookFormat, FormatKind, Tag
from authorhub.models.tag import book_tags
from authorhub.search.schemas import SearchPage
from tests.fixtures.catalog import make_book, make_category


class TestDocumentedShapes:
    async def test_list_detail_and_search_are_their_models(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        category = await make_category(db, name="Essays")
        tag = Tag(name="Craft", slug="craft")
        db.add(tag)
        full = await make_book(
            db,
            title="Shapes of Water",
            formats=[(FormatKind.ebook, 0, None), (FormatKind.hardcover, 1_250_000, 0)],
        )
        await db.execute(
            update(Book)
            .where(Book.id == full.id)
            .values(category_id=category.id, subtitle="A study", isbn="9780306406157")
        )
        await db.execute(insert(book_tags).values(book_id=full.id, tag_id=tag.id))
        await db.execute(  # a capped preorder: releaseDate, preorder, preorderRemaining
            update(BookFormat)
            .where(BookFormat.book_id == full.id, BookFormat.format == FormatKind.hardcover)
            .values(release_date=date.today() + timedelta(days=9), preorder_cap=3)
        )
        await make_book(db, title="Shapes Without Labels")
        checks: list[tuple[str, Any]] = [
            ("/api/books", TypeAdapter(Page[BookSummary])),
            ("/api/books?q=shapes&category=" + category.slug, TypeAdapter(Page[BookSummary])),
            (f"/api/books/{full.slug}", TypeAdapter(Envelope[BookDetail])),
            ("/api/search?q=shapes", TypeAdapter(SearchPage)),
        ]
        for path, adapter in checks:
            body = (await client.get(path)).json()
            model = adapter.validate_python(body)
            assert json.loads(adapter.dump_json(model, by_alias=True)) == body, path
        listed = (await client.get("/api/books")).json()["data"]
        shaped = next(b for b in listed if b["id"] == str(full.id))
        assert shaped["category"]["slug"] == category.slug
        assert shaped["tags"] == [{"name": "Craft", "slug": "craft"}]
        assert shaped["isFree"] is True and shaped["inStock"] is True
        assert [f["inStock"] for f in shaped["formats"]] == [True, False]
        assert [f["preorderRemaining"] for f in shaped["formats"]] == [None, 3]
        assert shaped["preorder"] is True
