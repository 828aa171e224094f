"""/rss.xml (parsed back with feedparser), /sitemap.xml (books and posts with lastmod, an index
of parts past the per-file limit), /robots.txt."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.app import create_app
from authorhub.config import Settings
from authorhub.db import Database
from authorhub.kit.time import utcnow
from authorhub.models import BookStatus, PostStatus, User
from tests.fixtures.catalog import make_book
from tests.fixtures.content import make_blog_category, make_post

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


async def test_rss_feed_is_valid_and_lists_published_posts_newest_first(
    client: httpx.AsyncClient, db: AsyncSession, admin: User
) -> None:
    category = await make_blog_category(db, "Craft")
    older = await make_post(
        db,
        admin,
        title="Older & wiser",
        category=category,
        published_at=utcnow() - timedelta(days=3),
    )
    newer = await make_post(db, admin, title="Newer", content="<p>Body <b>bold</b></p>")
    await make_post(db, admin, title="Draft", status=PostStatus.draft)
    response = await client.get("/rss.xml")
    assert response.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    assert feed.feed.link == "http://frontend.test/blog"
    assert [e.title for e in feed.entries] == ["Newer", "Older & wiser"]
    assert feed.entries[0].link == f"http://frontend.test/blog/{newer.slug}"
    assert feed.entries[0].content[0].value == "<p>Body <b>bold</b></p>"
    assert feed.entries[1].tags[0].term == "Craft"
    assert feed.entries[1].published_parsed[:3] == older.published_at.timetuple()[:3]  # type: ignore[union-attr]


async def test_sitemap_lists_books_and_posts_with_lastmod(
    client: httpx.AsyncClient, db: AsyncSession, admin: User
) -> None:
    book = await make_book(db, title="Lagos Nights")
    await make_book(db, title="Unpublished", status=BookStatus.draft)
    post = await make_post(db, admin)
    await make_post(db, admin, status=PostStatus.scheduled)
    response = await client.get("/sitemap.xml")
    root = ElementTree.fromstring(  # noqa: S314 - our own output
        response.content
    )
    urls = {
        u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS)
        for u in root.findall("s:url", NS)
    }
    assert set(urls) == {
        f"http://frontend.test/books/{book.slug}",
        f"http://frontend.test/blog/{post.slug}",
    }
    assert all(lastmod and lastmod.endswith("Z") for lastmod in urls.values())


async def test_past_the_limit_the_sitemap_becomes_an_index(
    settings: Settings, test_database: Database, db: AsyncSession, admin: User
) -> None:
    for _ in range(3):
        await make_book(db)
        await make_post(db, admin)
    small = settings.model_copy(
        update={"content": settings.content.model_copy(update={"sitemap_max_urls": 2})}
    )
    app: FastAPI = create_app(small, database=test_database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        index = ElementTree.fromstring(  # noqa: S314 - our own output
            (await client.get("/sitemap.xml")).content
        )
        assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
        parts = [s.findtext("s:loc", namespaces=NS) for s in index.findall("s:sitemap", NS)]
        assert parts == [
            f"http://testserver/sitemaps/{kind}-{n}.xml"
            for kind in ("books", "posts")
            for n in (1, 2)
        ]
        seen = []
        for part in parts:
            assert part is not None
            urlset = ElementTree.fromstring(  # noqa: S314 - our own output
                (await client.get(part.removeprefix("http://testserver"))).content
            )
            seen += [u.findtext("s:loc", namespaces=NS) for u in urlset.findall("s:url", NS)]
        assert len(seen) == len(set(seen)) == 6
        assert (await client.get("/sitemaps/books-3.xml")).status_code == 404
        assert (await client.get("/sitemaps/nothing-1.xml")).status_code == 404


async def test_robots_txt_points_at_the_sitemap(client: httpx.AsyncClient) -> None:
    response = await client.get("/robots.txt")
    assert response.headers["content-type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.text
    assert "Disallow: /api/" in response.text
