"""Orders: reading one, fulfilment moves, refunds (the payments service sends them)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import User
from authorhub.orders import service as orders
from authorhub.orders.schemas import AdminOrderUpdate, OrderDetailRead
from authorhub.payments import service as payments
from authorhub.payments.schemas import RefundRead


async def get_order(session: AsyncSession, order_id: uuid.UUID, admin: User) -> OrderDetailRead:
    return await orders.get_order(session, order_id=order_id, user=admin)


async def fulfil(
    session: AsyncSession, order_id: uuid.UUID, admin: User, data: AdminOrderUpdate
) -> OrderDetailRead:
    return await orders.admin_update_order(session, order_id=order_id, admin=admin, data=data)


async def refund(
    session: AsyncSession,
    order_id: uuid.UUID,
    admin: User,
    *,
    amount: int | None,
    reason: str,
) -> RefundRead:
    """Full (amount None) or partial; the order changes when the provider confirms it."""
    return await payments.refund_order(
        session, order_id=order_id, admin=admin, amount=amount, reason=reason, line_ids=None
    )
