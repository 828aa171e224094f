"""The blog's URLs in the sitemap: published posts, last modified when they were last saved."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.models import BlogPost, PostStatus
from authorhub.sitemap.registry import SitemapSource, SitemapUrl, slug_page


async def _count(session: AsyncSession) -> int:
    query = select(func.count()).where(BlogPost.status == PostStatus.published)
    return int(await session.scalar(query) or 0)


async def _page(
    session: AsyncSession, settings: Settings, offset: int, limit: int
) -> list[SitemapUrl]:
    query = (
        select(BlogPost.slug, BlogPost.updated_at)
        .where(BlogPost.status == PostStatus.published)
        .order_by(BlogPost.published_at, BlogPost.id)
    )
    return await slug_page(session, query, f"{settings.frontend_base}/blog", offset, limit)


source = SitemapSource(name="posts", count=_count, page=_page)
