"""Endpoints of the use-cases that span commerce and payments."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from authorhub.auth.dependencies import CurrentUser
from authorhub.db import DbSession
from authorhub.flows import orders as flows
from authorhub.kit.schemas import Envelope, ok
from authorhub.orders.schemas import OrderCancel, OrderDetailRead

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("/{order_id}/cancel", response_model=Envelope[OrderDetailRead])
async def cancel_order(
    order_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    body: OrderCancel | None = None,
) -> Envelope[OrderDetailRead]:
    """Owner or admin, before shipping. An unpaid order is cancelled at once; a paid one asks
    the payment provider for a refund."""
    return ok(
        await flows.cancel_order(
            session, order_id=order_id, user=user, reason=body.reason if body else None
        )
    )
