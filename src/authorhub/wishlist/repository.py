"""Wishlist rows, read with their books in one query."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Book, BookStatus, WishlistItem


async def published_book_exists(session: AsyncSession, book_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(Book.id).where(Book.id == book_id, Book.status == BookStatus.published)
    )
    return found is not None


async def some_published_books(session: AsyncSession, *, limit: int) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(Book.id)
        .where(Book.status == BookStatus.published)
        .order_by(Book.published_at, Book.id)
        .limit(limit)
    )
    return list(rows)


async def add(session: AsyncSession, *, user_id: uuid.UUID, book_id: uuid.UUID) -> bool:
    """True when the book was added, False when it was already there (concurrent adds too)."""
    added = await session.scalar(
        insert(WishlistItem)
        .values(user_id=user_id, book_id=book_id)
        .on_conflict_do_nothing(index_elements=["user_id", "book_id"])
        .returning(WishlistItem.id)
    )
    return added is not None


async def remove(session: AsyncSession, *, user_id: uuid.UUID, book_id: uuid.UUID) -> bool:
    removed = await session.scalar(
        delete(WishlistItem)
        .where(WishlistItem.user_id == user_id, WishlistItem.book_id == book_id)
        .returning(WishlistItem.id)
    )
    return removed is not None


async def page(
    session: AsyncSession, *, user_id: uuid.UUID, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The member's wishlist, newest first, with each book (published ones only)."""
    visible = (WishlistItem.user_id == user_id, Book.status == BookStatus.published)
    rows = await session.execute(
        select(
            WishlistItem.book_id,
            WishlistItem.created_at.label("added_at"),
            Book.title,
            Book.slug,
            Book.author_name,
            Book.cover_image_url,
            Book.min_price_ngn,
        )
        .join(Book, Book.id == WishlistItem.book_id)
        .where(*visible)
        .order_by(WishlistItem.created_at.desc(), WishlistItem.id)
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(
        select(func.count())
        .select_from(WishlistItem)
        .join(Book, Book.id == WishlistItem.book_id)
        .where(*visible)
    )
    return [dict(row._mapping) for row in rows], int(total or 0)
