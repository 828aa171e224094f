"""What the payment return page shows: a payment's order and where it stands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Order, OrderLine, OrderStatus, Payment, PaymentStatus

PaymentState = Literal["paid", "pending", "failed", "review", "unknown"]

_FAILED = {PaymentStatus.failed, PaymentStatus.abandoned}
_PAID_ORDER = {OrderStatus.paid, OrderStatus.processing, OrderStatus.shipped, OrderStatus.delivered}


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    state: PaymentState
    order_number: str = ""
    has_ebooks: bool = False


async def payment_outcome(session: AsyncSession, reference: str) -> PaymentOutcome:
    """Where the payment `reference` stands. The reference is the customer's unguessable
    secret from the provider's redirect; the page shows only its order's number and state."""
    row = (
        await session.execute(
            select(Payment.status, Order.id, Order.number, Order.status)
            .join(Order, Order.id == Payment.order_id)
            .where(Payment.reference == reference)
        )
    ).first()
    if row is None:
        return PaymentOutcome("unknown")
    payment_status, order_id, number, order_status = row
    has_ebooks = bool(
        await session.scalar(
            select(OrderLine.id)
            .where(OrderLine.order_id == order_id, OrderLine.is_print.is_(False))
            .limit(1)
        )
    )
    if payment_status == PaymentStatus.succeeded and order_status in _PAID_ORDER:
        return PaymentOutcome("paid", number, has_ebooks)
    if payment_status == PaymentStatus.pending:
        return PaymentOutcome("pending", number)
    if payment_status in _FAILED:
        return PaymentOutcome("failed", number)
    # Refunding, refunded, or held for a person to look at: the customer is emailed.
    return PaymentOutcome("review", number)
