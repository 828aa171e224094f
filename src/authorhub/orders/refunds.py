"""Asking the payment provider to refund an order.

Cancelling a paid order (before it ships) must refund the buyer. The refund goes through the
payment that settled the order (authorhub.payments.refunds): a refund row and its job are
written in this transaction, the job sends it to the provider, and when the provider confirms
it the payments code calls `orders.service.mark_order_refunded`, which moves the order to
refunded and takes back the ebooks. Until then the order stays as it is.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Order, User


async def request_order_refund(
    session: AsyncSession, *, order: Order, requested_by: User, reason: str | None
) -> None:
    """Start a full refund of a paid order with its payment provider (order row locked by the
    caller). 409 `refund_in_progress` when one is already under way."""
    # Imported here: the payments code imports orders.service, which imports this module.
    from authorhub.payments.refunds import request_refund

    await request_refund(
        session,
        order=order,
        requested_by=requested_by,
        amount=None,
        reason=reason or "cancelled by the customer",
    )
