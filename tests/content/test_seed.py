"""The demo content `make run` loads, and that loading it twice changes nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.blog.seed import seed_blog
from authorhub.config import Settings
from authorhub.models import BlogPost, NewsletterSubscriber
from authorhub.newsletter.seed import seed_newsletter


async def test_seeds_posts_and_subscribers_once(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    assert (await seed_blog(db, settings)).startswith("blog: 6 posts in 3 categories")
    assert await seed_blog(db, settings) == "blog: posts already there"
    assert (await seed_newsletter(db, settings)).startswith("newsletter: 6 demo")
    assert (await seed_newsletter(db, settings)).startswith("newsletter: 0 demo")
    assert await db.scalar(select(func.count()).select_from(BlogPost)) == 6
    assert await db.scalar(select(func.count()).select_from(NewsletterSubscriber)) == 6
    public = (await client.get("/api/blog")).json()
    assert public["pagination"]["total"] == 4
    assert (await client.get("/api/blog/featured")).json()["data"][
        "slug"
    ] == "why-i-write-about-lagos"
