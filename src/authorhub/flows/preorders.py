"""Preorder use-cases that reach into payments: cancelling a preorder before its release
refunds it through the payment provider (the line's places go back under the cap when the
provider confirms the refund, in the refund flow's revoke)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import User
from authorhub.orders import service as orders
from authorhub.orders.schemas import PreorderRead
from authorhub.payments import refunds


async def cancel_preorder(
    session: AsyncSession, *, line_id: uuid.UUID, user: User, reason: str | None
) -> PreorderRead:
    """The buyer's own preorder (anyone else's is 404), before release (409 after). The line
    is marked cancelled under the order's lock, so the release job never delivers it, and the
    refund is asked in the same transaction: the whole order's remainder when nothing else of
    it is still live (shipping included), else the line's price."""
    order, line = await orders.lock_my_preorder(session, line_id=line_id, user=user)
    orders.mark_preorder_cancelled(order, line)
    live = [
        other
        for other in order.lines
        if other.id != line.id and other.refunded_at is None and other.preorder_cancelled_at is None
    ]
    amount = min(line.line_total, order.total - order.refunded_amount) if live else None
    await refunds.request_refund(
        session,
        order=order,
        requested_by=user,
        amount=amount,
        reason=reason or f"preorder of “{line.title}” cancelled before release",
        line_ids=[line.id],
    )
    await session.flush()
    return PreorderRead.of(line, order)
