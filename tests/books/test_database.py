"""What PostgreSQL keeps current by itself (search documents, cheapest prices, counts, change
notifications), and the indexes behind every filter and sort."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import asyncpg
import pytest
from alembic import command
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from authorhub.books.repository import BookFilter, list_statement
from authorhub.books.schemas import BookSort
from authorhub.config import Settings
from authorhub.db import Database, libpq_url
from authorhub.models import Book, BookCount, BookFormat, BookStatus, Category, FormatKind, Tag
from authorhub.models.tag import book_tags
from tests.conftest import _admin_url, _in_thread, _run_admin_sql, _with_database, alembic_config
from tests.fixtures.catalog import make_book, make_category


async def vector(db: AsyncSession, book: Book) -> str:
    return str(await db.scalar(select(Book.search_vector).where(Book.id == book.id)))


class TestSearchDocument:
    async def test_weights_title_author_labels_and_text(self, db: AsyncSession) -> None:
        category = await make_category(db, name="Romance")
        book = await make_book(
            db,
            title="Harmattan",
            author_name="Chisom",
            description="<p>Across the <b>Sahel</b> &amp; beyond</p>",
        )
        book.category_id = category.id
        tag = Tag(name="Caravans", slug="caravans")
        db.add(tag)
        await db.flush()
        await db.execute(insert(book_tags).values(book_id=book.id, tag_id=tag.id))
        document = await vector(db, book)
        for lexeme, weight in (
            ("harmattan", "A"),
            ("chisom", "B"),
            ("romanc", "C"),
            ("caravan", "C"),
        ):
            assert (
                f"'{lexeme}':" in document
                and weight in document.split(f"'{lexeme}':")[1].split()[0]
            )
        assert "'sahel'" in document
        assert "amp" not in document and "'b'" not in document, "markup is not indexed"

    async def test_follows_renames_and_removals_of_tags_and_categories(
        self, db: AsyncSession
    ) -> None:
        category = await make_category(db, name="Poetry")
        book = await make_book(db, title="Verses")
        book.category_id = category.id
        tag = Tag(name="Moonlight", slug="moonlight")
        db.add(tag)
        await db.flush()
        await db.execute(insert(book_tags).values(book_id=book.id, tag_id=tag.id))
        await db.execute(update(Tag).where(Tag.id == tag.id).values(name="Sunrise"))
        await db.execute(update(Category).where(Category.id == category.id).values(name="Ballads"))
        document = await vector(db, book)
        assert "'sunris'" in document and "'moonlight'" not in document
        assert "'ballad'" in document and "'poetri'" not in document
        await db.execute(delete(book_tags).where(book_tags.c.book_id == book.id))
        await db.execute(delete(Category).where(Category.id == category.id))
        document = await vector(db, book)
        assert "'sunris'" not in document and "'ballad'" not in document


class TestCheapestPrice:
    async def test_follows_active_formats_and_ignores_stock(self, db: AsyncSession) -> None:
        book = await make_book(
            db, formats=[(FormatKind.ebook, 250_000, None), (FormatKind.paperback, 600_000, 5)]
        )

        async def cheapest() -> int | None:
            return await db.scalar(select(Book.min_price_ngn).where(Book.id == book.id))

        async def book_row_version() -> str:
            return str(
                await db.scalar(
                    text("SELECT xmin::text FROM books WHERE id = :id"), {"id": book.id}
                )
            )

        assert await cheapest() == 250_000
        await db.execute(
            update(BookFormat)
            .where(BookFormat.book_id == book.id, BookFormat.format == FormatKind.ebook)
            .values(is_active=False)
        )
        assert await cheapest() == 600_000
        before = await book_row_version()
        await db.execute(update(BookFormat).where(BookFormat.book_id == book.id).values(stock=4))
        assert await book_row_version() == before, "a stock change must not write (lock) the book"
        await db.execute(delete(BookFormat).where(BookFormat.book_id == book.id))
        assert await cheapest() is None


class TestCounts:
    async def test_book_counts_follow_inserts_status_changes_and_deletes(
        self, db: AsyncSession
    ) -> None:
        async def counts() -> dict[BookStatus, int]:
            rows = await db.execute(select(BookCount.status, BookCount.total))
            return {status: total for status, total in rows if total}

        assert await counts() == {}
        books = [await make_book(db) for _ in range(3)]
        await make_book(db, status=BookStatus.draft)
        assert await counts() == {BookStatus.published: 3, BookStatus.draft: 1}
        await db.execute(
            update(Book).where(Book.id == books[0].id).values(status=BookStatus.archived)
        )
        await db.execute(update(Book).values(sales_count=Book.sales_count + 1))
        assert await counts() == {
            BookStatus.published: 2,
            BookStatus.draft: 1,
            BookStatus.archived: 1,
        }
        await db.execute(delete(Book))
        assert await counts() == {}


class TestNotifications:
    async def test_a_committed_catalog_change_is_announced_and_a_rolled_back_one_is_not(
        self, committed: Database, settings: Settings
    ) -> None:
        heard: list[str] = []
        listener = await asyncpg.connect(libpq_url(str(settings.database_url)))
        await listener.add_listener("catalog_changed", lambda *args: heard.append(args[3]))
        try:
            with pytest.raises(RuntimeError):
                async with committed.session() as session:
                    await make_book(session)
                    raise RuntimeError("roll back")
            await asyncio.sleep(0.2)
            assert heard == []
            async with committed.session() as session:
                await make_book(session)
            for _ in range(50):
                if heard:
                    break
                await asyncio.sleep(0.02)
            assert set(heard) == {"books", "book_formats"}
            heard.clear()
            async with committed.session() as session:
                # A statement that changes nothing announces nothing.
                await session.execute(
                    update(BookFormat).where(BookFormat.sku == "none").values(stock=1)
                )
            await asyncio.sleep(0.2)
            assert heard == []
        finally:
            await listener.close()


SEED_10K = [
    "INSERT INTO categories (name, slug) SELECT 'Category ' || g, 'category-' || g FROM generate_series(1, 12) g",
    "INSERT INTO tags (name, slug) SELECT 'Tag ' || g, 'tag-' || g FROM generate_series(1, 60) g",
    """
    INSERT INTO books (title, slug, author_name, description, status, published_at, sales_count,
                       featured, category_id)
    SELECT 'Book ' || md5(g::text), 'book-' || g, 'Author ' || (g % 300),
           'words ' || md5(g::text) || CASE WHEN g % 97 = 0 THEN ' harmattan' ELSE '' END,
           (CASE WHEN g % 10 = 0 THEN 'draft' ELSE 'published' END)::book_status,
           now() - (g || ' minutes')::interval, (g * 7919) % 1000, g % 53 = 0,
           (SELECT id FROM categories ORDER BY slug OFFSET (g % 12) LIMIT 1)
    FROM generate_series(1, 10000) g
    """,
    """
    INSERT INTO book_formats (book_id, format, sku, price_ngn)
    SELECT id, 'ebook', 'EB-' || slug, (abs(hashtext(slug)) % 500) * 1000 FROM books
    """,
    """
    INSERT INTO book_formats (book_id, format, sku, price_ngn, stock)
    SELECT id, 'paperback', 'PB-' || slug, 300000 + (abs(hashtext(slug || 'p')) % 500) * 1000,
           abs(hashtext(slug)) % 20
    FROM books WHERE abs(hashtext(slug)) % 3 = 0
    """,
    """
    INSERT INTO book_tags (book_id, tag_id)
    SELECT b.id, t.id FROM books b JOIN tags t ON t.slug = 'tag-' || (1 + abs(hashtext(b.slug)) % 60)
    """,
    "ANALYZE categories, tags, books, book_formats, book_tags, book_counts",
]


class TestIndexes:
    async def test_every_sort_and_filter_is_served_by_an_index_on_10k_books(
        self, db: AsyncSession
    ) -> None:
        for statement in SEED_10K:
            await db.execute(text(statement))
        category = await db.scalar(select(Category.id).limit(1))
        tag = await db.scalar(select(Tag.id).limit(1))
        cases: list[tuple[BookFilter, str]] = [
            (BookFilter(), "ix_books_status_published_at"),
            (BookFilter(sort=BookSort.by_title), "ix_books_status_title"),
            (BookFilter(sort=BookSort.price), "ix_books_status_min_price_ngn"),
            (BookFilter(sort=BookSort.price_desc), "ix_books_status_min_price_ngn"),
            (BookFilter(sort=BookSort.bestselling), "ix_books_status_sales_count"),
            (BookFilter(statuses=(BookStatus.draft,)), "ix_books_status_created_at"),
            (BookFilter(category_id=category), "ix_books_category_id_status_published_at"),
            (BookFilter(tag_id=tag), "ix_book_tags_tag_id"),
            (BookFilter(format=FormatKind.paperback), "ix_book_formats_format_price_ngn"),
            (BookFilter(min_price=100_000, max_price=110_000), "ix_book_formats_price_ngn"),
            (BookFilter(free=True), "ix_books_status_min_price_ngn"),
            (BookFilter(featured=True), "ix_books_featured_status_published_at"),
            (BookFilter(text="harmattan", sort=BookSort.relevance), "ix_books_search_vector"),
        ]
        for f, index in cases:
            statement, params = list_statement(f)
            sql = statement.params(**params).compile(
                dialect=postgresql.asyncpg.dialect(), compile_kwargs={"literal_binds": True}
            )
            plan = "\n".join(row[0] for row in await db.execute(text(f"EXPLAIN {sql}")))
            assert index in plan, (f, plan)
            if f.only_status:
                assert "Seq Scan on books" not in plan, (f, plan)
                assert "count(" not in str(sql), "the total of a plain listing is not counted"


class TestMigration:
    @pytest.fixture
    async def scratch_url(self, base_database_url: str) -> AsyncIterator[str]:
        name = f"authorhub_catalog_mig_{os.getpid()}"
        admin = _admin_url(base_database_url)
        await _run_admin_sql(
            admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"
        )
        yield _with_database(base_database_url, name)
        await _run_admin_sql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    async def test_downgrade_removes_the_trigger_functions_too(self, scratch_url: str) -> None:
        config = alembic_config(scratch_url)
        _in_thread(lambda: command.upgrade(config, "head"))
        _in_thread(lambda: command.downgrade(config, "base"))
        engine = create_async_engine(scratch_url, poolclass=NullPool)
        async with engine.connect() as conn:
            functions = set(
                (
                    await conn.execute(
                        text(
                            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                            "WHERE n.nspname = 'public'"
                        )
                    )
                ).scalars()
            )
        await engine.dispose()
        assert not {f for f in functions if "book" in f or "catalog" in f or "tags" in f}, functions
        _in_thread(lambda: command.upgrade(config, "head"))
