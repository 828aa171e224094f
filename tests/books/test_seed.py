"""The demo catalog: about twenty books with covers, loaded once however often it runs."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books.seed import seed_catalog
from authorhub.config import Settings
from authorhub.models import Book, BookFormat, BookStatus, Category


class TestDemoCatalog:
    async def test_seeds_books_with_covers_and_files_and_is_idempotent(
        self, db: AsyncSession, settings: Settings, client: httpx.AsyncClient
    ) -> None:
        line = await seed_catalog(db, settings)
        assert line == "catalog: 21 books (21 new), 6 categories"
        assert await seed_catalog(db, settings) == "catalog: 21 books (0 new), 6 categories"
        assert await db.scalar(select(func.count()).select_from(Category)) == 6
        published = await db.scalar(
            select(func.count()).select_from(Book).where(Book.status == BookStatus.published)
        )
        assert published == 19
        files = list(
            await db.scalars(select(BookFormat.file_key).where(BookFormat.file_key.is_not(None)))
        )
        assert files and all((settings.private_media_dir / key).is_file() for key in files)

        listed = (await client.get("/api/books?limit=100")).json()
        assert listed["pagination"]["total"] == 19
        for book in listed["data"]:
            assert book["coverImageUrl"].startswith("http://testserver/media/books/demo-")
            cover = await client.get(book["coverImageUrl"].removeprefix("http://testserver"))
            assert cover.status_code == 200 and cover.headers["content-type"] == "image/jpeg"
        assert (await client.get("/api/books?free=true")).json()["pagination"]["total"] == 3
        assert (await client.get("/api/books?featured=true")).json()["pagination"]["total"] == 3
        # One demo book is on preorder (capped), ebook and paperback.
        [preorder] = [book for book in listed["data"] if book["preorder"]]
        assert preorder["title"] == "Letters from Kano"
        assert {f["preorderRemaining"] for f in preorder["formats"]} == {50}
