"""The demo data set `make run` loads. Each domain registers a seeder here; every seeder must be
idempotent (running it twice changes nothing) and returns a line saying what it did."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.db import Database, set_database
from authorhub.kit.http_clients import close_http_clients

Seeder = Callable[[AsyncSession, Settings], Awaitable[str]]

# (label, path) printed by `make run` under the URLs it serves; domains append theirs.
DEV_LINKS: list[tuple[str, str]] = [("Payment sandbox", "/sandbox"), ("Catalog", "/api/books")]
DEV_LINKS.append(("Community", "/api/discussions"))
DEV_LINKS += [("Blog", "/api/blog"), ("RSS feed", "/rss.xml"), ("Sitemap", "/sitemap.xml")]
DEV_LINKS.append(("Events", "/api/events"))
DEV_LINKS.append(("Academy", "/api/courses"))


def _seeders() -> list[Seeder]:
    # Imported here so that seeding never runs at import time; append domain seeders in order.
    from authorhub.academy.seed import seed_courses
    from authorhub.blog.seed import seed_blog
    from authorhub.books.seed import seed_catalog
    from authorhub.community.seed import seed_community
    from authorhub.coupons.service import seed_demo_coupon
    from authorhub.email_templates.service import seed_email_templates
    from authorhub.events.seed import seed_events
    from authorhub.newsletter.seed import seed_newsletter
    from authorhub.reviews.seed import seed_demo_reviews
    from authorhub.users.service import seed_demo_member
    from authorhub.wishlist.service import seed_demo_wishlist

    return [
        seed_demo_member,
        seed_catalog,
        seed_demo_coupon,
        seed_demo_wishlist,
        seed_community,
        seed_blog,
        seed_newsletter,
        seed_email_templates,
        seed_events,
        seed_courses,
        seed_demo_reviews,
    ]


async def run_seeders(settings: Settings) -> list[str]:
    database = Database.from_settings(settings)
    set_database(database)
    lines: list[str] = []
    try:
        for seeder in _seeders():
            async with database.session() as session:
                lines.append(await seeder(session, settings))
    finally:
        await close_http_clients()  # demo covers may have gone to ImageKit
        await database.dispose()
    return lines or ["nothing to seed yet"]
