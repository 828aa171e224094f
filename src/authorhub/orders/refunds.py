"""Asking the payment provider to refund an order.

Cancelling a paid order (before it ships) must refund the buyer. Refunds go through the payment
provider, which a later issue builds; until it is wired here, this answers 409
`refund_unavailable` and the order stays as it is. When the provider confirms the refund, the
payments code calls `orders.service.mark_order_refunded`, which moves the order to refunded and
takes back the ebooks.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.errors import Conflict
from authorhub.models import Order, User


async def request_order_refund(
    session: AsyncSession, *, order: Order, requested_by: User, reason: str | None
) -> None:
    """Start a refund of a paid order with its payment provider (order row locked by the caller)."""
    raise Conflict(
        "This order has been paid; refunds are not available yet. Contact us to cancel it.",
        code="refund_unavailable",
        details={"orderId": str(order.id), "status": order.status.value},
    )
