"""The demo reviews `make run` loads: written by the seeded readers, once."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books.seed import seed_catalog
from authorhub.community.seed import seed_community
from authorhub.config import Settings
from authorhub.models import Review
from authorhub.reviews.seed import seed_demo_reviews
from authorhub.users.service import seed_demo_member


async def test_the_demo_readers_review_the_demo_books_once(
    db: AsyncSession, settings: Settings
) -> None:
    for seeder in (seed_demo_member, seed_catalog, seed_community):
        await seeder(db, settings)

    assert await seed_demo_reviews(db, settings) == "reviews: 6 demo review(s) added"
    assert await seed_demo_reviews(db, settings) == "reviews: 0 demo review(s) added"
    assert await db.scalar(select(func.count()).select_from(Review)) == 6
