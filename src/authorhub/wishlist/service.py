"""Add to, remove from and read a member's wishlist. Never commits."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.errors import NotFound
from authorhub.jobs import TaskRef
from authorhub.kit.money import format_amount
from authorhub.mail.service import send_mail
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


ALERT_BATCH = 100
ALERT_TASK = TaskRef(
    name="wishlist.send_alerts", queue="default", queueing_lock="wishlist.send_alerts"
)


def _alert_reason(row: dict[str, Any]) -> str | None:
    """Why she should hear about this row now, or None (dearer, sold out, first look)."""
    price, seen_price = row["price"], row["seen_price_ngn"]
    if price is not None and seen_price is not None and price < seen_price:
        return "price_drop"
    if row["in_stock"] and row["seen_in_stock"] is False:
        return "back_in_stock"
    return None


async def send_alerts_batch(session: AsyncSession, *, settings: Settings) -> tuple[bool, int]:
    """One batch of changed wishlist rows: mail the members they favour, record what each has
    now seen. Returns (no rows left, mails queued)."""
    rows = await repository.changed_items(session, limit=ALERT_BATCH)
    sent = 0
    for row in rows:
        reason = _alert_reason(row)
        if reason is not None and row["is_active"] and row["price"] is not None:
            await send_mail(
                session,
                to=row["email"],
                template="wishlist_alert",
                context={
                    "name": row["member_name"],
                    "reason": reason,
                    "title": row["title"],
                    "author": row["author_name"],
                    "price": format_amount(row["price"]),
                    "old_price": format_amount(row["seen_price_ngn"] or row["price"]),
                    "book_url": f"{settings.frontend_base}/books/{row['slug']}",
                },
                settings=settings,
            )
            sent += 1
        await repository.mark_seen(
            session, item_id=row["id"], price=row["price"], in_stock=row["in_stock"]
        )
    return len(rows) < ALERT_BATCH, sent


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
