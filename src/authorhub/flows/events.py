"""Event use-cases that reach into orders and payments: buying a seat held from the waiting
list, cancelling a paid ticket (refunded per the event's policy) and cancelling an event
(every paid ticket refunded, once)."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.errors import Conflict
from authorhub.events import notifications
from authorhub.events import repository as events_repository
from authorhub.events import service as events
from authorhub.events.schemas import TicketRead
from authorhub.kit.schemas import ApiModel
from authorhub.kit.time import utcnow
from authorhub.models import (
    EventStatus,
    EventTicket,
    EventTicketTier,
    EventWaitlistEntry,
    Order,
    OrderLine,
    OrderStatus,
    TicketStatus,
    User,
    WaitlistStatus,
)
from authorhub.orders import repository as orders_repository
from authorhub.orders import service as orders
from authorhub.orders.schemas import OrderCreate, OrderDetailRead, OrderItemInput
from authorhub.orders.status import PAID_STATUSES
from authorhub.payments import refunds


async def buy_held_seat(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    tier_id: uuid.UUID | None,
    user: User,
    settings: Settings,
) -> OrderDetailRead:
    """The seat held for the member becomes an order of one ticket awaiting payment (the
    event row stays locked in between, so nobody else takes the seat)."""
    event = await events.claim_held_seat(session, event_id=event_id, user=user)
    if event.is_free:
        raise Conflict("This event is free: claim the seat to register.", code="free_event")
    tiers = [
        t
        for t in await events_repository.tiers_of(session, [event.id])
        if events.on_sale(t, utcnow())
    ]
    chosen = next((t for t in tiers if t.id == tier_id), None) if tier_id else None
    if chosen is None:
        if tier_id is not None or not tiers:
            raise Conflict("This ticket tier is not on sale.", code="not_on_sale")
        chosen = min(tiers, key=lambda t: t.price_ngn)
    order, _ = await orders.create_order(
        session,
        user=user,
        data=OrderCreate(items=[OrderItemInput(kind=events.EVENT_TICKET, item_id=chosen.id)]),
        idempotency_key=None,
        settings=settings,
    )
    return order


async def cancel_my_ticket(
    session: AsyncSession, *, ticket_id: uuid.UUID, user: User, settings: Settings
) -> TicketRead:
    """Before the event's cancellation deadline. The seat returns (the waiting list first);
    a paid ticket is refunded what the event's policy says, through the payment provider."""
    # Locks in the order a refund's confirmation takes them: order, ticket, event.
    mine = await events.my_ticket(session, ticket_id=ticket_id, user=user)
    order = (
        await orders_repository.get_for_update(session, mine.order_id) if mine.order_id else None
    )
    ticket, event = await events.lock_my_ticket(session, ticket_id=ticket_id, user=user)
    line = (
        next((ln for ln in order.lines if ln.id == ticket.order_line_id), None) if order else None
    )
    refund = 0
    if order is not None and line is not None and order.status in PAID_STATUSES:
        refund = events.refund_due(event, line.unit_price, utcnow())
    await events.cancel_ticket(session, ticket=ticket, event=event, user=user, refund=refund)
    if refund and order is not None and line is not None:
        # The line goes back with the refund only when it has no other live ticket.
        others = await session.scalar(
            select(EventTicket.id).where(
                EventTicket.order_line_id == line.id,
                EventTicket.status == TicketStatus.active,
            )
        )
        await refunds.request_refund(
            session,
            order=order,
            requested_by=user,
            amount=min(refund, order.total - order.refunded_amount),
            reason=f"ticket {ticket.code} cancelled",
            line_ids=None if others else [line.id],
        )
    return await events.ticket_with_event(session, ticket, settings)


async def cancel_event(
    session: AsyncSession, *, event_id: uuid.UUID, reason: str | None, by: User
) -> None:
    """Every attendee is told; every paid ticket's order is refunded for those tickets (one
    refund request per order, in this transaction: a second cancel is a 409, so never twice);
    unpaid orders for it are cancelled; the waiting list closes."""
    # Locks in the order a refund's confirmation takes them: orders, tickets, event.
    for order_id in await events_repository.paid_order_ids(session, event_id):
        await orders_repository.get_for_update(session, order_id)
    event = await events.admin_get(session, event_id, lock=True)
    if event.status == EventStatus.cancelled:
        raise Conflict("This event is already cancelled.", code="event_cancelled")
    event.status = EventStatus.cancelled
    event.cancelled_at = utcnow()
    event.cancel_reason = reason
    await session.flush()

    tickets = await events_repository.lock_active_tickets_of_event(session, event.id)
    paid_by_order: dict[uuid.UUID, list[EventTicket]] = defaultdict(list)
    for ticket, _ in tickets:
        ticket.status = TicketStatus.cancelled
        ticket.cancelled_at = event.cancelled_at
        if ticket.order_id is not None:
            paid_by_order[ticket.order_id].append(ticket)
    await session.flush()

    refunded_orders: set[uuid.UUID] = set()
    for order_id in sorted(paid_by_order):
        order = await orders_repository.get_for_update(session, order_id)
        if order is None or order.status not in PAID_STATUSES:
            continue
        line_prices = {ln.id: ln.unit_price for ln in order.lines}
        amount = sum(
            line_prices[t.order_line_id]
            for t in paid_by_order[order_id]
            if t.order_line_id in line_prices
        )
        amount = min(amount, order.total - order.refunded_amount)
        if amount <= 0:
            continue
        lines = sorted({t.order_line_id for t in paid_by_order[order_id] if t.order_line_id})
        await refunds.request_refund(
            session,
            order=order,
            requested_by=by,
            amount=amount,
            reason=f"event cancelled: {event.title}",
            line_ids=lines,
        )
        refunded_orders.add(order_id)
    for ticket, user in tickets:
        await notifications.event_cancelled(
            session, event, user, ticket=ticket, refunded=ticket.order_id in refunded_orders
        )

    # Orders still awaiting payment for this event's tiers can no longer be paid.
    tier_ids = select(EventTicketTier.id).where(EventTicketTier.event_id == event.id)
    pending = list(
        await session.scalars(
            select(Order.id)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(
                OrderLine.event_ticket_tier_id.in_(tier_ids),
                Order.status == OrderStatus.pending_payment,
            )
            .distinct()
        )
    )
    for order_id in sorted(pending):
        order = await orders_repository.get_for_update(session, order_id)
        if order is not None and order.status == OrderStatus.pending_payment:
            await orders.cancel_unpaid_order(
                session, order=order, user=by, reason=f"event cancelled: {event.title}"
            )

    await session.execute(
        update(EventWaitlistEntry)
        .where(
            EventWaitlistEntry.event_id == event.id,
            EventWaitlistEntry.status.in_((WaitlistStatus.waiting, WaitlistStatus.offered)),
        )
        .values(status=WaitlistStatus.expired)
    )
    # Seats no longer matter for a cancelled event; keep the count truthful.
    event.seats_taken = 0
    await session.flush()


class ClaimResult(ApiModel):
    """A free event's claimed seat is a ticket; a paid event's an order to pay."""

    ticket: TicketRead | None = None
    order: OrderDetailRead | None = None


async def claim_seat(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    tier_id: uuid.UUID | None,
    user: User,
    settings: Settings,
) -> ClaimResult:
    event = await events.admin_get(session, event_id)
    if event.status == EventStatus.draft:
        raise events.event_not_found()
    if event.is_free:
        ticket = await events.claim_free_seat(session, event_id=event_id, user=user)
        return ClaimResult(ticket=await events.ticket_with_event(session, ticket, settings))
    return ClaimResult(
        order=await buy_held_seat(
            session, event_id=event_id, tier_id=tier_id, user=user, settings=settings
        )
    )
