"""Every query on tags."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Book, BookStatus, Tag
from authorhub.models.tag import book_tags


def _published_books_of_tag() -> Any:
    return (
        select(func.count())
        .select_from(book_tags.join(Book, Book.id == book_tags.c.book_id))
        .where(book_tags.c.tag_id == Tag.id, Book.status == BookStatus.published)
        .correlate(Tag)
        .scalar_subquery()
    )


def _used() -> ColumnElement[bool]:
    return exists().where(
        book_tags.c.tag_id == Tag.id,
        book_tags.c.book_id == Book.id,
        Book.status == BookStatus.published,
    )


async def list_tags(
    session: AsyncSession, *, include_unused: bool, limit: int, offset: int
) -> tuple[list[tuple[Tag, int]], int]:
    """Tags by name (index on tags.name); counts only for the page's tags."""
    query = select(Tag, _published_books_of_tag().label("book_count")).order_by(Tag.name, Tag.id)
    count = select(func.count()).select_from(Tag)
    if not include_unused:
        query = query.where(_used())
        count = count.where(_used())
    rows = (await session.execute(query.limit(limit).offset(offset))).all()
    return [(tag, int(n)) for tag, n in rows], int(await session.scalar(count) or 0)


async def get_for_update(session: AsyncSession, tag_id: uuid.UUID) -> Tag | None:
    return await session.scalar(select(Tag).where(Tag.id == tag_id).with_for_update())


async def book_count(session: AsyncSession, tag_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(_published_books_of_tag()).select_from(Tag).where(Tag.id == tag_id)
        )
        or 0
    )


async def slug_in_use(session: AsyncSession, slug: str, *, other_than: uuid.UUID) -> bool:
    return bool(
        await session.scalar(select(exists().where(Tag.slug == slug, Tag.id != other_than)))
    )


async def delete_tag(session: AsyncSession, tag_id: uuid.UUID) -> None:
    await session.execute(delete(Tag).where(Tag.id == tag_id))
