"""Add to, remove from and read a member's wishlist. Never commits."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.errors import NotFound
from authorhub.models import User
from authorhub.wishlist import repository
from authorhub.wishlist.schemas import WishlistChange, WishlistItemRead


async def change(
    session: AsyncSession, *, user: User, book_id: uuid.UUID, action: Literal["add", "remove"]
) -> WishlistChange:
    """Idempotent: adding a book already there (or removing one that is not) changes nothing."""
    if action == "add":
        if not await repository.published_book_exists(session, book_id):
            raise NotFound("No such book.", code="book_not_found")
        changed = await repository.add(session, user_id=user.id, book_id=book_id)
    else:
        changed = await repository.remove(session, user_id=user.id, book_id=book_id)
    return WishlistChange(
        book_id=book_id, in_wishlist=action == "add", changed=changed, action=action
    )


async def list_items(
    session: AsyncSession, *, user: User, offset: int, limit: int
) -> tuple[list[WishlistItemRead], int]:
    rows, total = await repository.page(session, user_id=user.id, offset=offset, limit=limit)
    return [WishlistItemRead.model_validate(row) for row in rows], total


async def seed_demo_wishlist(session: AsyncSession, settings: Settings) -> str:
    """The demo member wishes for two published books (adding them again changes nothing)."""
    from authorhub.auth import repository as auth_repo
    from authorhub.users.service import DEMO_MEMBER_EMAIL

    if settings.is_production:
        return "wishlist: skipped in production"
    member = await auth_repo.get_user_by_email(session, DEMO_MEMBER_EMAIL)
    if member is None:
        return "wishlist: no demo member"
    added = 0
    for book_id in await repository.some_published_books(session, limit=2):
        added += await repository.add(session, user_id=member.id, book_id=book_id)
    return f"wishlist: {added} book(s) added for {DEMO_MEMBER_EMAIL}"
