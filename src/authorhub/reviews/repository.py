"""Every review query. Counters move by conditional UPDATEs next to the row that justifies
them (a vote, a report), so concurrent members never lose one another's count."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, case, delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import (
    Book,
    LibraryEntry,
    Review,
    ReviewReport,
    ReviewVote,
    User,
)
from authorhub.reviews.schemas import ReviewSort

_COLUMNS = (
    Review.id,
    Review.book_id,
    Review.rating,
    Review.body,
    Review.verified_purchase,
    Review.helpful_count,
    Review.created_at,
    Review.updated_at,
    User.name.label("author_name"),
    User.handle.label("author_handle"),
    User.avatar_url.label("author_avatar_url"),
)


def _with_author() -> Any:
    return select(*_COLUMNS).join(User, User.id == Review.user_id)


async def owns_book(session: AsyncSession, *, user_id: uuid.UUID, book_id: uuid.UUID) -> bool:
    """She has the book in her library now (bought or claimed, not refunded)."""
    owned = await session.scalar(
        select(
            exists().where(
                LibraryEntry.user_id == user_id,
                LibraryEntry.book_id == book_id,
                LibraryEntry.revoked_at.is_(None),
            )
        )
    )
    return bool(owned)


async def add_review(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    book_id: uuid.UUID,
    rating: int,
    body: str,
    verified: bool,
) -> uuid.UUID | None:
    """The new review's id; None when she has already reviewed the book (even concurrently)."""
    return await session.scalar(
        insert(Review)
        .values(
            user_id=user_id, book_id=book_id, rating=rating, body=body, verified_purchase=verified
        )
        .on_conflict_do_nothing(index_elements=["user_id", "book_id"])
        .returning(Review.id)
    )


async def read(session: AsyncSession, review_id: uuid.UUID) -> dict[str, Any] | None:
    row = (await session.execute(_with_author().where(Review.id == review_id))).first()
    return dict(row._mapping) if row is not None else None


async def get_own(
    session: AsyncSession, *, review_id: uuid.UUID, user_id: uuid.UUID
) -> Review | None:
    return await session.scalar(
        select(Review)
        .where(Review.id == review_id, Review.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def get_visible(session: AsyncSession, review_id: uuid.UUID) -> Review | None:
    return await session.scalar(
        select(Review).where(Review.id == review_id, Review.hidden_at.is_(None))
    )


async def delete_own(session: AsyncSession, *, review_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    deleted = await session.scalar(
        delete(Review).where(Review.id == review_id, Review.user_id == user_id).returning(Review.id)
    )
    return deleted is not None


def _order(sort: ReviewSort) -> list[ColumnElement[Any]]:
    newest: list[ColumnElement[Any]] = [Review.created_at.desc(), Review.id.desc()]
    if sort == ReviewSort.helpful:
        return [Review.helpful_count.desc(), *newest]
    return newest


async def page_for_book(
    session: AsyncSession, *, book_id: uuid.UUID, sort: ReviewSort, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the book's visible reviews (an index per order) and their total, which is
    the book's own review_count (kept by the database), read in the same statement."""
    total = select(Book.review_count).where(Book.id == book_id).scalar_subquery()
    rows = await session.execute(
        _with_author()
        .add_columns(total.label("total"))
        .where(Review.book_id == book_id, Review.hidden_at.is_(None))
        .order_by(*_order(sort))
        .offset(offset)
        .limit(limit)
    )
    items = [dict(row._mapping) for row in rows]
    if items:
        return items, int(items[0]["total"])
    count = await session.scalar(select(Book.review_count).where(Book.id == book_id))
    return items, int(count or 0)


async def add_vote(session: AsyncSession, *, review_id: uuid.UUID, user_id: uuid.UUID) -> int:
    """Count her vote once; the review's helpful count afterwards."""
    added = await session.scalar(
        insert(ReviewVote)
        .values(review_id=review_id, user_id=user_id)
        .on_conflict_do_nothing(index_elements=["review_id", "user_id"])
        .returning(ReviewVote.id)
    )
    step = 1 if added is not None else 0
    return await _move_helpful(session, review_id, step)


async def remove_vote(session: AsyncSession, *, review_id: uuid.UUID, user_id: uuid.UUID) -> int:
    removed = await session.scalar(
        delete(ReviewVote)
        .where(ReviewVote.review_id == review_id, ReviewVote.user_id == user_id)
        .returning(ReviewVote.id)
    )
    return await _move_helpful(session, review_id, -1 if removed is not None else 0)


async def _move_helpful(session: AsyncSession, review_id: uuid.UUID, step: int) -> int:
    if step == 0:
        count = await session.scalar(select(Review.helpful_count).where(Review.id == review_id))
        return int(count or 0)
    count = await session.scalar(
        update(Review)
        .where(Review.id == review_id)
        .values(helpful_count=Review.helpful_count + step)
        .returning(Review.helpful_count)
    )
    return int(count or 0)


async def add_report(
    session: AsyncSession,
    *,
    review_id: uuid.UUID,
    user_id: uuid.UUID,
    reason: str,
    hide_at: int,
) -> bool:
    """Record her report once; the review hides itself when `hide_at` distinct members have
    reported it since a moderator last restored it (one conditional UPDATE: concurrent
    reports each count, and exactly one of them hides it)."""
    added = await session.scalar(
        insert(ReviewReport)
        .values(review_id=review_id, user_id=user_id, reason=reason)
        .on_conflict_do_nothing(index_elements=["review_id", "user_id"])
        .returning(ReviewReport.id)
    )
    if added is None:
        return False
    reached = Review.report_count + 1 >= hide_at
    await session.execute(
        update(Review)
        .where(Review.id == review_id)
        .values(
            report_count=Review.report_count + 1,
            hidden_at=case(
                (Review.hidden_at.is_(None) & reached, func.now()), else_=Review.hidden_at
            ),
            updated_at=func.now(),
        )
    )
    return True


# --- moderation -----------------------------------------------------------------------------

_NEEDS_LOOK = (Review.hidden_at.is_not(None)) | (Review.report_count > 0)


async def moderation_page(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Hidden or reported reviews, most recently touched first (a partial index)."""
    rows = await session.execute(
        _with_author()
        .add_columns(Book.title.label("book_title"), Review.report_count, Review.hidden_at)
        .join(Book, Book.id == Review.book_id)
        .where(_NEEDS_LOOK)
        .order_by(Review.updated_at.desc(), Review.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(Review).where(_NEEDS_LOOK))
    return [dict(row._mapping) for row in rows], int(total or 0)


async def moderation_row(session: AsyncSession, review_id: uuid.UUID) -> dict[str, Any] | None:
    row = (
        await session.execute(
            _with_author()
            .add_columns(Book.title.label("book_title"), Review.report_count, Review.hidden_at)
            .join(Book, Book.id == Review.book_id)
            .where(Review.id == review_id)
        )
    ).first()
    return dict(row._mapping) if row is not None else None


async def set_hidden(session: AsyncSession, *, review_id: uuid.UUID, hidden: bool) -> bool:
    """Hide (keeps the reports) or restore (the reports so far are settled: the count starts
    again from zero, and those reporters cannot report it again)."""
    values: dict[str, Any] = {"hidden_at": func.now() if hidden else None, "updated_at": func.now()}
    if not hidden:
        values["report_count"] = 0
    changed = await session.scalar(
        update(Review).where(Review.id == review_id).values(**values).returning(Review.id)
    )
    return changed is not None
