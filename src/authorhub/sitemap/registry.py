"""The sitemap's sources. A domain with public pages adds one module path to SOURCES; that
module has `source`, a SitemapSource: its name, how many URLs it has, and a page of them.

    # authorhub/courses/sitemap.py
    source = SitemapSource(name="courses", count=count_courses, page=course_urls)

Courses and events add themselves here when those domains exist."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings

SOURCES = [
    "authorhub.books.sitemap",
    "authorhub.blog.sitemap",
]


@dataclass(frozen=True, slots=True)
class SitemapUrl:
    loc: str
    lastmod: datetime | None


@dataclass(frozen=True, slots=True)
class SitemapSource:
    name: str
    count: Callable[[AsyncSession], Awaitable[int]]
    # (session, settings, offset, limit) -> URLs in a stable order
    page: Callable[[AsyncSession, Settings, int, int], Awaitable[list[SitemapUrl]]]


async def slug_page(
    session: AsyncSession, query: Select[str, datetime], prefix: str, offset: int, limit: int
) -> list[SitemapUrl]:
    """A page of `query` (selecting slug, last change; in a stable order) as URLs `prefix/slug`."""
    rows = await session.execute(query.offset(offset).limit(limit))
    return [SitemapUrl(f"{prefix}/{slug}", updated) for slug, updated in rows]


@cache
def sources() -> tuple[SitemapSource, ...]:
    return tuple(importlib.import_module(path).source for path in SOURCES)
