"""Order use-cases that reach into payments: cancelling a paid order refunds it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import OrderStatus, User
from authorhub.orders import service as orders
from authorhub.orders.schemas import OrderDetailRead
from authorhub.orders.status import CANCELLABLE_WITH_REFUND
from authorhub.payments import refunds


async def cancel_order(
    session: AsyncSession, *, order_id: uuid.UUID, user: User, reason: str | None
) -> OrderDetailRead:
    """Owner or admin. Unpaid: cancelled at once, its reservations released. Paid and not yet
    shipped: a full refund is asked of the payment provider (the order becomes refunded when the
    provider confirms it). Later: 409 `order_not_cancellable`."""
    order = await orders.lock_visible_order(session, order_id=order_id, user=user)
    if order.status == OrderStatus.pending_payment:
        await orders.cancel_unpaid_order(session, order=order, user=user, reason=reason)
    elif order.status in CANCELLABLE_WITH_REFUND:
        # Preorders not yet released are cancelled with it (the release job skips them from
        # now on); once one has been released the order stays.
        for line in order.lines:
            if line.release_date is not None and line.refunded_at is None:
                if line.released_at is None and line.preorder_cancelled_at is None:
                    orders.mark_preorder_cancelled(order, line)
                elif line.released_at is not None:
                    raise orders.not_cancellable(order)
        await refunds.request_refund(
            session,
            order=order,
            requested_by=user,
            amount=None,
            reason=reason or "cancelled by the customer",
        )
    else:
        raise orders.not_cancellable(order)
    return await orders.order_detail(session, order)
