"""The catalog's URLs in the sitemap: published books, last modified when they were last saved."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.models import Book, BookCount, BookStatus
from authorhub.sitemap.registry import SitemapSource, SitemapUrl, slug_page


async def _count(session: AsyncSession) -> int:
    query = select(BookCount.total).where(BookCount.status == BookStatus.published)
    return int(await session.scalar(query) or 0)


async def _page(
    session: AsyncSession, settings: Settings, offset: int, limit: int
) -> list[SitemapUrl]:
    query = (
        select(Book.slug, Book.updated_at)
        .where(Book.status == BookStatus.published)
        .order_by(Book.published_at, Book.id)
    )
    return await slug_page(session, query, f"{settings.frontend_base}/books", offset, limit)


source = SitemapSource(name="books", count=_count, page=_page)
