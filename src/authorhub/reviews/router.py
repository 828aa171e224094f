"""Book reviews (/api/books/{id}/reviews, /api/reviews/...) and their moderation
(/api/moderation/reviews, moderators and admins)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from authorhub.auth.dependencies import AppSettings, Client, CurrentUser, ModeratorUser
from authorhub.books.caching import CatalogWrite
from authorhub.db import DbSession
from authorhub.kit.pagination import Paging
from authorhub.kit.schemas import Envelope, Page, Pagination, ok
from authorhub.reviews import service
from authorhub.reviews.schemas import (
    HelpfulVote,
    ReportReceived,
    ReviewCreate,
    ReviewDeleted,
    ReviewModerationRead,
    ReviewRead,
    ReviewReportCreate,
    ReviewSort,
    ReviewUpdate,
)

router = APIRouter(tags=["reviews"])


@router.get("/books/{book_id}/reviews", response_model=Page[ReviewRead])
async def book_reviews(
    book_id: uuid.UUID,
    session: DbSession,
    paging: Paging,
    sort: Annotated[ReviewSort, Query()] = ReviewSort.helpful,
) -> Page[ReviewRead]:
    """A published book's visible reviews: most helpful first (default) or newest."""
    items, total = await service.list_for_book(
        session, book_id=book_id, sort=sort, offset=paging.offset, limit=paging.limit
    )
    return Page[ReviewRead](
        data=items, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@router.post(
    "/books/{book_id}/reviews",
    status_code=status.HTTP_201_CREATED,
    response_model=Envelope[ReviewRead],
)
async def write_review(
    _: CatalogWrite, book_id: uuid.UUID, body: ReviewCreate, user: CurrentUser, session: DbSession
) -> Envelope[ReviewRead]:
    """Review a book once (409 `review_exists` the second time; edit it instead)."""
    return ok(await service.create(session, user=user, book_id=book_id, body=body))


@router.patch("/reviews/{review_id}", response_model=Envelope[ReviewRead])
async def edit_review(
    _: CatalogWrite,
    review_id: uuid.UUID,
    body: ReviewUpdate,
    user: CurrentUser,
    session: DbSession,
) -> Envelope[ReviewRead]:
    """Change the stars or the text of your own review."""
    return ok(await service.update(session, user=user, review_id=review_id, body=body))


@router.delete("/reviews/{review_id}", response_model=Envelope[ReviewDeleted])
async def delete_review(
    _: CatalogWrite, review_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> Envelope[ReviewDeleted]:
    """Delete your own review (the book's rating follows)."""
    await service.delete(session, user=user, review_id=review_id)
    return ok(ReviewDeleted(id=review_id))


@router.put("/reviews/{review_id}/helpful", response_model=Envelope[HelpfulVote])
async def mark_helpful(
    review_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> Envelope[HelpfulVote]:
    """Vote a review helpful (once per member; again changes nothing)."""
    return ok(await service.vote_helpful(session, user=user, review_id=review_id, helpful=True))


@router.delete("/reviews/{review_id}/helpful", response_model=Envelope[HelpfulVote])
async def unmark_helpful(
    review_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> Envelope[HelpfulVote]:
    return ok(await service.vote_helpful(session, user=user, review_id=review_id, helpful=False))


@router.post("/reviews/{review_id}/report", response_model=Envelope[ReportReceived])
async def report_review(
    review_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    body: ReviewReportCreate | None = None,
) -> Envelope[ReportReceived]:
    """Report a review to the moderators; enough distinct reporters hide it at once."""
    reason = body.reason if body else ""
    return ok(
        await service.report(
            session, user=user, review_id=review_id, reason=reason, settings=settings
        )
    )


@router.get("/moderation/reviews", response_model=Page[ReviewModerationRead])
async def reported_reviews_queue(
    moderator: ModeratorUser, session: DbSession, paging: Paging
) -> Page[ReviewModerationRead]:
    """Hidden or reported reviews, most recently touched first."""
    items, total = await service.moderation_queue(session, offset=paging.offset, limit=paging.limit)
    return Page[ReviewModerationRead](
        data=items, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@router.post("/moderation/reviews/{review_id}/hide", response_model=Envelope[ReviewModerationRead])
async def hide_review(
    _: CatalogWrite,
    review_id: uuid.UUID,
    moderator: ModeratorUser,
    session: DbSession,
    client: Client,
) -> Envelope[ReviewModerationRead]:
    return ok(
        await service.moderate(
            session, moderator=moderator, review_id=review_id, hidden=True, client=client
        )
    )


@router.post(
    "/moderation/reviews/{review_id}/restore", response_model=Envelope[ReviewModerationRead]
)
async def restore_review(
    _: CatalogWrite,
    review_id: uuid.UUID,
    moderator: ModeratorUser,
    session: DbSession,
    client: Client,
) -> Envelope[ReviewModerationRead]:
    """Show a hidden review again; its reports so far are settled."""
    return ok(
        await service.moderate(
            session, moderator=moderator, review_id=review_id, hidden=False, client=client
        )
    )
