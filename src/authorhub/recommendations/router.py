"""GET /api/books/{id}/related and GET /api/me/recommendations."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from authorhub.auth.dependencies import CurrentUser, OptionalUser
from authorhub.db import DbSession
from authorhub.errors import NotFound
from authorhub.kit.schemas import Envelope, ok
from authorhub.recommendations import repository
from authorhub.recommendations.schemas import RecommendedBook
from authorhub.wishlist.repository import published_book_exists

router = APIRouter(tags=["recommendations"])

Limit = Annotated[int, Query(ge=1, le=24)]


@router.get("/books/{book_id}/related", response_model=Envelope[list[RecommendedBook]])
async def related_books(
    book_id: uuid.UUID, session: DbSession, user: OptionalUser, limit: Limit = 8
) -> Envelope[list[RecommendedBook]]:
    """Readers who own this book also own...; then shared tags and the same category. A
    signed-in reader never sees books she owns."""
    if not await published_book_exists(session, book_id):
        raise NotFound("No such book.", code="book_not_found")
    rows = await repository.related(
        session, book_id=book_id, reader=user.id if user else None, limit=limit
    )
    return ok([RecommendedBook.of(row) for row in rows])


@router.get("/me/recommendations", response_model=Envelope[list[RecommendedBook]])
async def my_recommendations(
    user: CurrentUser, session: DbSession, limit: Limit = 12
) -> Envelope[list[RecommendedBook]]:
    """From what she owns and wished; never a book she owns."""
    rows = await repository.for_reader(session, reader=user.id, limit=limit)
    return ok([RecommendedBook.of(row) for row in rows])
