"""Review rules. One review per reader and book; "verified purchase" when the book is in her
library; a review hides itself after enough distinct reports until a moderator restores it.
The book's average and count follow by themselves (a trigger on reviews). Never commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth import audit
from authorhub.config import Settings
from authorhub.errors import Conflict, NotFound
from authorhub.models import User
from authorhub.reviews import repository
from authorhub.reviews.schemas import (
    HelpfulVote,
    ReportReceived,
    ReviewCreate,
    ReviewModerationRead,
    ReviewRead,
    ReviewSort,
    ReviewUpdate,
)

# The wishlist asks the same question of the catalog.
from authorhub.wishlist.repository import published_book_exists


def _review_not_found() -> NotFound:
    return NotFound("No such review.", code="review_not_found")


def _book_not_found() -> NotFound:
    return NotFound("No such book.", code="book_not_found")


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    return row | {
        "author": {
            "name": row["author_name"],
            "handle": row["author_handle"],
            "avatar_url": row["author_avatar_url"],
        }
    }


def review_read(row: dict[str, Any]) -> ReviewRead:
    return ReviewRead.model_validate(_shape(row))


async def _read(session: AsyncSession, review_id: uuid.UUID) -> ReviewRead:
    row = await repository.read(session, review_id)
    if row is None:
        raise _review_not_found()
    return review_read(row)


async def create(
    session: AsyncSession, *, user: User, book_id: uuid.UUID, body: ReviewCreate
) -> ReviewRead:
    if not await published_book_exists(session, book_id):
        raise _book_not_found()
    verified = await repository.owns_book(session, user_id=user.id, book_id=book_id)
    review_id = await repository.add_review(
        session,
        user_id=user.id,
        book_id=book_id,
        rating=body.rating,
        body=body.body,
        verified=verified,
    )
    if review_id is None:
        raise Conflict(
            "You have already reviewed this book; edit your review instead.",
            code="review_exists",
            details=[{"field": "bookId", "message": "already reviewed"}],
        )
    return await _read(session, review_id)


async def update(
    session: AsyncSession, *, user: User, review_id: uuid.UUID, body: ReviewUpdate
) -> ReviewRead:
    """Her own review only (anyone else's is 404). Ownership is checked again, so a review
    edited after buying the book becomes verified."""
    review = await repository.get_own(session, review_id=review_id, user_id=user.id)
    if review is None:
        raise _review_not_found()
    if body.rating is not None:
        review.rating = body.rating
    if body.body is not None:
        review.body = body.body
    review.verified_purchase = await repository.owns_book(
        session, user_id=user.id, book_id=review.book_id
    )
    await session.flush()
    return await _read(session, review.id)


async def delete(session: AsyncSession, *, user: User, review_id: uuid.UUID) -> None:
    if not await repository.delete_own(session, review_id=review_id, user_id=user.id):
        raise _review_not_found()


async def list_for_book(
    session: AsyncSession, *, book_id: uuid.UUID, sort: ReviewSort, offset: int, limit: int
) -> tuple[list[ReviewRead], int]:
    if not await published_book_exists(session, book_id):
        raise _book_not_found()
    rows, total = await repository.page_for_book(
        session, book_id=book_id, sort=sort, offset=offset, limit=limit
    )
    return [review_read(row) for row in rows], total


async def _visible(session: AsyncSession, review_id: uuid.UUID) -> uuid.UUID:
    review = await repository.get_visible(session, review_id)
    if review is None:
        raise _review_not_found()
    return review.user_id


async def vote_helpful(
    session: AsyncSession, *, user: User, review_id: uuid.UUID, helpful: bool
) -> HelpfulVote:
    """One vote per member (voting twice changes nothing); her own review takes no vote."""
    if await _visible(session, review_id) == user.id:
        raise Conflict("You cannot vote on your own review.", code="own_review")
    move = repository.add_vote if helpful else repository.remove_vote
    count = await move(session, review_id=review_id, user_id=user.id)
    return HelpfulVote(review_id=review_id, helpful_count=count, voted=helpful)


async def report(
    session: AsyncSession, *, user: User, review_id: uuid.UUID, reason: str, settings: Settings
) -> ReportReceived:
    if await _visible(session, review_id) == user.id:
        raise Conflict("You cannot report your own review.", code="own_review")
    reported = await repository.add_report(
        session,
        review_id=review_id,
        user_id=user.id,
        reason=reason,
        hide_at=settings.readers.review_auto_hide_reports,
    )
    return ReportReceived(review_id=review_id, reported=reported)


# --- moderators -----------------------------------------------------------------------------


def _moderation_read(row: dict[str, Any]) -> ReviewModerationRead:
    return ReviewModerationRead.model_validate(_shape(row))


async def moderation_queue(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[ReviewModerationRead], int]:
    rows, total = await repository.moderation_page(session, offset=offset, limit=limit)
    return [_moderation_read(row) for row in rows], total


async def moderate(
    session: AsyncSession,
    *,
    moderator: User,
    review_id: uuid.UUID,
    hidden: bool,
    client: audit.ClientInfo,
) -> ReviewModerationRead:
    if not await repository.set_hidden(session, review_id=review_id, hidden=hidden):
        raise _review_not_found()
    await audit.record(
        session,
        "reviews.hidden" if hidden else "reviews.restored",
        client=client,
        actor_id=moderator.id,
        review_id=str(review_id),
    )
    row = await repository.moderation_row(session, review_id)
    assert row is not None, "just updated"
    return _moderation_read(row)
