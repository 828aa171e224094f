"""Demo reviews: the demo readers rate the first demo books (idempotent: one per reader and
book, so seeding again adds nothing)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.community.seed import MEMBERS
from authorhub.config import Settings
from authorhub.models import User
from authorhub.reviews import repository
from authorhub.users.service import DEMO_MEMBER_EMAIL
from authorhub.wishlist.repository import some_published_books

# The demo readers: the seeded member and the community's two members (their seeders run first).
_AMAKA, _TUNDE = (email for email, _name, _handle in MEMBERS)

# (reader's email, stars and text for the 1st, 2nd and 3rd demo book)
_DEMO_REVIEWS = {
    DEMO_MEMBER_EMAIL: [
        (5, "I read it in one sitting. Lagos has never felt so close."),
        (4, "Warm and funny; the middle drags a little."),
    ],
    _AMAKA: [
        (4, "Beautiful sentences. I bought the paperback for my mother."),
        (5, "My favourite of hers so far."),
        (3, "Good, not her best."),
    ],
    _TUNDE: [(5, "Every page rings true.")],
}


async def seed_demo_reviews(session: AsyncSession, settings: Settings) -> str:
    if settings.is_production:
        return "reviews: skipped in production"
    books = await some_published_books(session, limit=3)
    readers = {
        user.email: user
        for user in await session.scalars(select(User).where(User.email.in_(_DEMO_REVIEWS)))
    }
    added = 0
    for email, reviews in _DEMO_REVIEWS.items():
        reader = readers.get(email)
        if reader is None:
            continue
        for book_id, (rating, body) in zip(books, reviews, strict=False):
            verified = await repository.owns_book(session, user_id=reader.id, book_id=book_id)
            added += (
                await repository.add_review(
                    session,
                    user_id=reader.id,
                    book_id=book_id,
                    rating=rating,
                    body=body,
                    verified=verified,
                )
                is not None
            )
    return f"reviews: {added} demo review(s) added"
