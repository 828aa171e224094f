"""Prefix look-ups behind suggestions, on the word-prefix (GIN) indexes of titles and authors."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books.repository import SIMPLE
from authorhub.models import Book, BookStatus, Category

_WORDS = re.compile(r"[^\W_]+")


def prefix_tsquery(text: str) -> str | None:
    """'nights in lag' -> 'nights:* & in:* & lag:*' (every word a prefix), from letters and
    digits only, so nothing in it is tsquery syntax."""
    words = _WORDS.findall(text.lower())[:8]
    return " & ".join(f"{word}:*" for word in words) or None


def _matches(column: Any, tsquery: str) -> Any:
    return func.to_tsvector(SIMPLE, column).op("@@")(func.to_tsquery(SIMPLE, tsquery))


async def book_titles(session: AsyncSession, *, text: str, tsquery: str, limit: int) -> list[Any]:
    starts = func.lower(Book.title).startswith(text.lower(), autoescape=True)
    query = (
        select(Book.id, Book.title, Book.slug, Book.cover_image_url)
        .where(Book.status == BookStatus.published, _matches(Book.title, tsquery))
        .order_by(starts.desc(), Book.sales_count.desc(), Book.title)
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def authors(session: AsyncSession, *, tsquery: str, limit: int) -> list[Any]:
    books = func.count().label("books")
    query = (
        select(Book.author_name, books)
        .where(Book.status == BookStatus.published, _matches(Book.author_name, tsquery))
        .group_by(Book.author_name)
        .order_by(books.desc(), Book.author_name)
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def categories(session: AsyncSession, *, tsquery: str, limit: int) -> list[Any]:
    published = (
        select(func.count())
        .where(Book.category_id == Category.id, Book.status == BookStatus.published)
        .correlate(Category)
        .scalar_subquery()
    )
    # A handful of rows: no index needed.
    query = (
        select(Category.id, Category.name, Category.slug, published.label("books"))
        .where(Category.is_active, _matches(Category.name, tsquery))
        .order_by(Category.sort_order, Category.name)
        .limit(limit)
    )
    return list((await session.execute(query)).all())
