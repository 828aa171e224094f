"""Wishlist rows, read with their books in one query."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Book, BookFormat, BookStatus, User, WishlistItem


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


def _in_stock(book_id: Any) -> Any:
    return exists().where(
        BookFormat.book_id == book_id,
        BookFormat.is_active,
        or_(BookFormat.stock.is_(None), BookFormat.stock > 0),
    )


async def add(session: AsyncSession, *, user_id: uuid.UUID, book_id: uuid.UUID) -> bool:
    """True when the book was added, False when it was already there (concurrent adds too).
    The book's price and stock now are what she has seen (alerts are about later changes)."""
    price = select(Book.min_price_ngn).where(Book.id == book_id).scalar_subquery()
    added = await session.scalar(
        insert(WishlistItem)
        .values(
            user_id=user_id,
            book_id=book_id,
            seen_price_ngn=price,
            seen_in_stock=select(_in_stock(book_id)).scalar_subquery(),
        )
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


# --- price-drop and back-in-stock alerts ---------------------------------------------------


async def changed_items(session: AsyncSession, *, limit: int) -> list[dict[str, Any]]:
    """Wishlist rows whose published book moved away from what the member last saw (cheaper,
    dearer, out of or back in stock), locked for this run (SKIP LOCKED: two workers share the
    work and never mail one change twice)."""
    in_stock = _in_stock(Book.id)
    rows = await session.execute(
        select(
            WishlistItem.id,
            WishlistItem.seen_price_ngn,
            WishlistItem.seen_in_stock,
            Book.min_price_ngn.label("price"),
            in_stock.label("in_stock"),
            Book.title,
            Book.slug,
            Book.author_name,
            User.name.label("member_name"),
            User.email,
            User.is_active,
        )
        .join(Book, Book.id == WishlistItem.book_id)
        .join(User, User.id == WishlistItem.user_id)
        .where(
            Book.status == BookStatus.published,
            or_(
                WishlistItem.seen_price_ngn.is_distinct_from(Book.min_price_ngn),
                WishlistItem.seen_in_stock.is_distinct_from(in_stock),
            ),
        )
        .order_by(WishlistItem.id)
        .limit(limit)
        .with_for_update(of=WishlistItem, skip_locked=True)
    )
    return [dict(row._mapping) for row in rows]


async def mark_seen(
    session: AsyncSession, *, item_id: uuid.UUID, price: int | None, in_stock: bool
) -> None:
    await session.execute(
        update(WishlistItem)
        .where(WishlistItem.id == item_id)
        .values(seen_price_ngn=price, seen_in_stock=in_stock)
    )
