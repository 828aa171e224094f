"""Every query on categories."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Book, BookStatus, Category


def _with_book_count() -> Select[Any]:
    published = (
        select(func.count())
        .where(Book.category_id == Category.id, Book.status == BookStatus.published)
        .correlate(Category)
        .scalar_subquery()
    )
    return select(Category, published.label("book_count"))


async def list_categories(
    session: AsyncSession, *, include_inactive: bool, limit: int, offset: int
) -> tuple[list[tuple[Category, int]], int]:
    query = _with_book_count().order_by(Category.sort_order, Category.name, Category.id)
    count = select(func.count()).select_from(Category)
    if not include_inactive:
        query = query.where(Category.is_active)
        count = count.where(Category.is_active)
    rows = (await session.execute(query.limit(limit).offset(offset))).all()
    return [(category, int(n)) for category, n in rows], int(await session.scalar(count) or 0)


async def get_category(
    session: AsyncSession, *, category_id: uuid.UUID | None, slug: str | None
) -> tuple[Category, int] | None:
    match = Category.id == category_id if category_id is not None else Category.slug == slug
    row = (await session.execute(_with_book_count().where(match))).first()
    return (row[0], int(row[1])) if row else None


async def get_for_update(session: AsyncSession, category_id: uuid.UUID) -> Category | None:
    return await session.scalar(
        select(Category).where(Category.id == category_id).with_for_update()
    )


async def taken_slugs(session: AsyncSession, base: str) -> set[str]:
    rows = await session.scalars(
        select(Category.slug).where(or_(Category.slug == base, Category.slug.like(f"{base}-%")))
    )
    return set(rows)


async def slug_in_use(session: AsyncSession, slug: str, *, other_than: uuid.UUID | None) -> bool:
    condition = [Category.slug == slug]
    if other_than is not None:
        condition.append(Category.id != other_than)
    return bool(await session.scalar(select(exists().where(*condition))))


async def delete_category(session: AsyncSession, category_id: uuid.UUID) -> None:
    # Its books keep existing without a category (ON DELETE SET NULL).
    await session.execute(delete(Category).where(Category.id == category_id))
