"""GET /rss.xml: the newest published posts as RSS 2.0 (built with feedgen)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from feedgen.feed import FeedGenerator

from authorhub.auth.dependencies import AppSettings
from authorhub.blog import repository
from authorhub.blog.repository import PostFilter
from authorhub.db import DbSession
from authorhub.models import BlogPost

feed_router = APIRouter(tags=["blog"])

FEED_SIZE = 20


@feed_router.get("/rss.xml", response_class=Response, summary="RSS 2.0 feed of the blog")
async def rss_feed(session: DbSession, settings: AppSettings) -> Response:
    rows, _ = await repository.list_posts(session, PostFilter(limit=FEED_SIZE))
    feed = FeedGenerator()
    feed.title("Victoria Chisom — Blog")
    # feedgen writes the last link set as the channel's <link>: the self link goes first.
    feed.link(href=f"{settings.public_url}/rss.xml", rel="self")
    feed.link(href=f"{settings.frontend_base}/blog", rel="alternate")
    feed.description("Essays, news and notes from Victoria Chisom.")
    feed.language("en")
    for row in reversed(rows):  # feedgen puts each new entry first
        post: BlogPost = row.BlogPost
        url = f"{settings.frontend_base}/blog/{post.slug}"
        entry = feed.add_entry()
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(post.title)
        entry.link(href=url)
        entry.description(post.excerpt or post.title)
        entry.content(post.content_html, type="CDATA")
        entry.author(name=row.author_name, email="noreply@victoriachisom.com")
        if row.category_name:
            entry.category(term=row.category_name)
        if post.published_at:
            entry.pubDate(post.published_at)
    if rows:
        feed.lastBuildDate(max(r.BlogPost.updated_at for r in rows))
    return Response(feed.rss_str(pretty=False), media_type="application/rss+xml; charset=utf-8")
