"""The private file of an ebook format: uploaded by admins, checked by content, kept in the
private store, and never mentioned by any public response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.app import create_app
from authorhub.config import Settings, get_settings
from authorhub.db import Database
from authorhub.models import Book, BookFormat, FormatKind, Tag
from authorhub.models.tag import book_tags
from tests.fixtures.catalog import epub_bytes, image_bytes, make_book, make_category, pdf_bytes

SECRET_NAME = "Secret Manuscript FINAL v7"


@pytest.fixture
def worker_uses_test_store(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Jobs read the process's settings, as the worker does: point them at this test's store."""
    monkeypatch.setenv("PRIVATE_MEDIA_DIR", str(settings.private_media_dir))
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def ebook_of(db: AsyncSession, book: Book) -> BookFormat:
    fmt = await db.scalar(
        select(BookFormat).where(
            BookFormat.book_id == book.id, BookFormat.format == FormatKind.ebook
        )
    )
    assert fmt is not None
    return fmt


async def upload(
    client: httpx.AsyncClient,
    book: Book,
    fmt: BookFormat,
    headers: dict[str, str],
    data: bytes,
    name: str = "book.pdf",
) -> httpx.Response:
    return await client.post(
        f"/api/books/{book.id}/formats/{fmt.id}/file",
        headers=headers,
        files={"file": (name, data, "application/octet-stream")},
    )


class TestUpload:
    async def test_a_pdf_goes_to_the_private_store(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        settings: Settings,
    ) -> None:
        book = await make_book(db)
        fmt = await ebook_of(db, book)
        pdf = pdf_bytes()  # once: Pillow stamps the second it was made
        response = await upload(client, book, fmt, admin_headers, pdf, f"../../{SECRET_NAME}.PDF")
        assert response.status_code == 200, response.text
        formats = {f["format"]: f for f in response.json()["data"]["formats"]}
        assert formats["ebook"]["file"] == {
            "name": f"{SECRET_NAME}.pdf",
            "size": len(pdf),
            "contentType": "application/pdf",
        }
        assert "fileKey" not in response.text
        await db.refresh(fmt)
        assert fmt.file_key and fmt.file_key.startswith(f"ebooks/{book.id}/")
        stored = settings.private_media_dir / fmt.file_key
        assert stored.read_bytes() == pdf
        assert not stored.is_relative_to(settings.media_dir)

    async def test_an_epub_is_accepted_and_anything_else_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        book = await make_book(db)
        fmt = await ebook_of(db, book)
        ok = await upload(client, book, fmt, admin_headers, epub_bytes(), "novel.epub")
        assert ok.status_code == 200
        assert {f["format"]: f for f in ok.json()["data"]["formats"]}["ebook"]["file"][
            "contentType"
        ] == "application/epub+zip"
        for data in (
            image_bytes("PNG"),
            b"%PDF-1.7 but cut short",
            b"PK\x03\x04" + b"\x00" * 60,
            b"<html><script>alert(1)</script></html>",
        ):
            refused = await upload(client, book, fmt, admin_headers, data, "book.pdf")
            assert refused.status_code == 422, data[:20]
            assert refused.json()["details"][0]["field"] == "file"
        empty = await upload(client, book, fmt, admin_headers, b"")
        assert empty.status_code == 422

    async def test_only_ebook_formats_take_a_file_and_only_admins_upload(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        member_headers: dict[str, str],
    ) -> None:
        book = await make_book(db)
        paperback = await db.scalar(
            select(BookFormat).where(
                BookFormat.book_id == book.id, BookFormat.format == FormatKind.paperback
            )
        )
        assert paperback is not None
        wrong_kind = await upload(client, book, paperback, admin_headers, pdf_bytes())
        assert wrong_kind.status_code == 422
        fmt = await ebook_of(db, book)
        assert (await upload(client, book, fmt, member_headers, pdf_bytes())).status_code == 403
        assert (await upload(client, book, fmt, {}, pdf_bytes())).status_code == 401
        other = await make_book(db)
        crossed = await client.post(
            f"/api/books/{other.id}/formats/{fmt.id}/file",
            headers=admin_headers,
            files={"file": ("b.pdf", pdf_bytes(), "application/pdf")},
        )
        assert crossed.status_code == 404

    async def test_replacing_a_file_removes_the_old_one_after_commit(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        settings: Settings,
        run_jobs: Callable[..., Awaitable[list[str]]],
        worker_uses_test_store: None,
    ) -> None:
        book = await make_book(db)
        fmt = await ebook_of(db, book)
        await upload(client, book, fmt, admin_headers, pdf_bytes())
        await db.refresh(fmt)
        first = settings.private_media_dir / str(fmt.file_key)
        await upload(client, book, fmt, admin_headers, epub_bytes(), "b.epub")
        await db.refresh(fmt)
        second = settings.private_media_dir / str(fmt.file_key)
        assert first.exists() and second.exists()
        assert await run_jobs() == ["media.delete_private_file"]
        assert not first.exists() and second.exists()

        removed = await client.delete(
            f"/api/books/{book.id}/formats/{fmt.id}/file", headers=admin_headers
        )
        assert {f["format"]: f for f in removed.json()["data"]["formats"]}["ebook"]["file"] is None
        await run_jobs()
        assert not second.exists()

    async def test_the_private_store_is_not_served(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        book = await make_book(db)
        fmt = await ebook_of(db, book)
        await upload(client, book, fmt, admin_headers, pdf_bytes())
        await db.refresh(fmt)
        for path in (
            f"/media/{fmt.file_key}",
            f"/media/../private/{fmt.file_key}",
            f"/media/%2e%2e/private/{fmt.file_key}",
        ):
            assert (await client.get(path)).status_code == 404, path

    def test_the_app_refuses_a_private_store_inside_the_public_one(
        self, settings: Settings, test_database: Database
    ) -> None:
        for private in (settings.media_dir, settings.media_dir / "private"):
            unsafe = settings.model_copy(update={"private_media_dir": private})
            with pytest.raises(RuntimeError, match="PRIVATE_MEDIA_DIR"):
                create_app(unsafe, database=test_database)


class TestNeverPublic:
    @pytest.mark.parametrize("as_member", [False, True])
    async def test_no_public_response_mentions_the_private_file(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        member_headers: dict[str, str],
        as_member: bool,
    ) -> None:
        category = await make_category(db, name="Secrets")
        book = await make_book(db, title="Hidden Pages")
        book.category_id = category.id
        tag = Tag(name="Mystery", slug="mystery")
        db.add(tag)
        await db.flush()
        await db.execute(book_tags.insert().values(book_id=book.id, tag_id=tag.id))
        fmt = await ebook_of(db, book)
        done = await upload(client, book, fmt, admin_headers, pdf_bytes(), f"{SECRET_NAME}.pdf")
        assert done.status_code == 200
        await db.refresh(fmt)
        assert fmt.file_key

        headers = member_headers if as_member else {}
        public_paths = [
            "/api/books",
            "/api/books?format=ebook",
            "/api/books?q=hidden",
            f"/api/books?category={category.slug}",
            "/api/books?tag=mystery",
            f"/api/books/{book.id}",
            f"/api/books/{book.slug}",
            f"/api/books/slug/{book.slug}",
            "/api/search?q=hidden",
            "/api/search/suggest?q=hid",
            "/api/categories",
            f"/api/categories/{category.slug}",
            "/api/tags",
        ]
        for path in public_paths:
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, path
            body = response.text
            assert "Hidden Pages" in body or path.startswith(("/api/categories", "/api/tags")), path
            for leak in (fmt.file_key, SECRET_NAME, "fileKey", "fileName", '"file"', "private"):
                assert leak not in body, (path, leak)
