"""/api/wishlist: the signed-in member's wishlist."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from authorhub.auth.dependencies import CurrentUser
from authorhub.db import DbSession
from authorhub.kit.pagination import Paging
from authorhub.kit.schemas import Envelope, Page, Pagination, ok
from authorhub.wishlist import service
from authorhub.wishlist.schemas import WishlistAdd, WishlistChange, WishlistItemRead

router = APIRouter(prefix="/wishlist", tags=["wishlist"])


@router.get("", response_model=Page[WishlistItemRead], summary="Your wishlist, newest first")
async def my_wishlist(
    user: CurrentUser, session: DbSession, paging: Paging
) -> Page[WishlistItemRead]:
    rows, total = await service.list_items(
        session, user=user, offset=paging.offset, limit=paging.limit
    )
    return Page[WishlistItemRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@router.post("/items", summary="Add a published book (adding it twice changes nothing)")
async def add_to_wishlist(
    body: WishlistAdd, user: CurrentUser, session: DbSession
) -> Envelope[WishlistChange]:
    return ok(await service.change(session, user=user, book_id=body.book_id, action="add"))


@router.delete("/items/{book_id}", summary="Remove a book (removing it twice changes nothing)")
async def remove_from_wishlist(
    book_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> Envelope[WishlistChange]:
    return ok(await service.change(session, user=user, book_id=book_id, action="remove"))
