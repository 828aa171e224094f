"""Endpoints of the use-cases that span commerce and payments."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from authorhub.auth.dependencies import AdminUser, AppSettings, CurrentUser, VerifiedUser
from authorhub.db import DbSession
from authorhub.events.schemas import ClaimRequest, EventCancel, TicketRead
from authorhub.flows import events as event_flows
from authorhub.flows import orders as flows
from authorhub.flows import preorders as preorder_flows
from authorhub.kit.pagination import Paging
from authorhub.kit.schemas import Envelope, Page, Pagination, ok
from authorhub.orders import service as orders
from authorhub.orders.schemas import OrderCancel, OrderDetailRead, PreorderRead

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


# --- events: what reaches into orders and payments ------------------------------------------

events_router = APIRouter(tags=["events"])


@events_router.post(
    "/events/{event_id}/waitlist/claim",
    response_model=Envelope[event_flows.ClaimResult],
    status_code=status.HTTP_201_CREATED,
)
async def claim_held_seat(
    event_id: uuid.UUID,
    user: VerifiedUser,
    session: DbSession,
    settings: AppSettings,
    body: ClaimRequest | None = None,
) -> Envelope[event_flows.ClaimResult]:
    """The seat the waiting list holds for the caller: a ticket at a free event, an order of
    one ticket to pay at a paid one (`tierId`, default the cheapest on sale)."""
    return ok(
        await event_flows.claim_seat(
            session,
            event_id=event_id,
            tier_id=body.tier_id if body else None,
            user=user,
            settings=settings,
        )
    )


@events_router.post("/me/tickets/{ticket_id}/cancel", response_model=Envelope[TicketRead])
async def cancel_my_ticket(
    ticket_id: uuid.UUID, user: CurrentUser, session: DbSession, settings: AppSettings
) -> Envelope[TicketRead]:
    """Before the event's cancellation deadline: the seat returns to the waiting list; a paid
    ticket is refunded what the event's refund policy says."""
    return ok(
        await event_flows.cancel_my_ticket(
            session, ticket_id=ticket_id, user=user, settings=settings
        )
    )


@events_router.post("/admin/events/{event_id}/cancel", status_code=status.HTTP_204_NO_CONTENT)
async def cancel_event(
    event_id: uuid.UUID, user: AdminUser, session: DbSession, body: EventCancel | None = None
) -> Response:
    """Every attendee is emailed and every paid ticket refunded (once)."""
    await event_flows.cancel_event(
        session, event_id=event_id, reason=body.reason if body else None, by=user
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- preorders: reading them, and cancelling one (a refund) ----------------------------------

preorders_router = APIRouter(prefix="/me/preorders", tags=["orders"])


@preorders_router.get("", response_model=Page[PreorderRead])
async def my_preorders(user: CurrentUser, session: DbSession, paging: Paging) -> Page[PreorderRead]:
    """What she preordered (paid), soonest release first: "preordered, releases on ...",
    released, or cancelled."""
    rows, total = await orders.my_preorders(session, user=user, paging=paging)
    return Page[PreorderRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@preorders_router.post("/{line_id}/cancel", response_model=Envelope[PreorderRead])
async def cancel_preorder(
    line_id: uuid.UUID, user: CurrentUser, session: DbSession, body: OrderCancel | None = None
) -> Envelope[PreorderRead]:
    """Before release: the preorder is cancelled and refunded through the payment provider
    (its place returns under the cap once the refund is confirmed). After release: 409
    `preorder_released`. Someone else's preorder is 404."""
    return ok(
        await preorder_flows.cancel_preorder(
            session, line_id=line_id, user=user, reason=body.reason if body else None
        )
    )
