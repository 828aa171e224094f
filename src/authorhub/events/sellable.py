"""Ticket tiers as a sellable kind (commerce/sellable.py): the item sold is a tier of a paid
event. Reserving takes a seat of the event and one of the tier's own limit (conditional
UPDATEs, events locked before tiers, each in primary-key order); releasing gives them back
(the waiting list first); paying issues the tickets, once; a refund cancels the tickets still
active and frees their seats. Importing this module registers it."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.commerce import sellable
from authorhub.commerce.sellable import Offer, Problem
from authorhub.errors import Conflict, NotFound
from authorhub.events import notifications, repository, service
from authorhub.kit.time import utcnow
from authorhub.models import (
    Event,
    EventStatus,
    EventTicket,
    EventTicketTier,
    Order,
    OrderLine,
    TicketStatus,
    User,
)

EVENT_TICKET = service.EVENT_TICKET
MAX_TICKETS_PER_ORDER = 10


def price(tier: EventTicketTier, currency: str) -> int | None:
    return {"NGN": tier.price_ngn, "USD": tier.price_usd}.get(currency)


def purchase_problem(
    tier: EventTicketTier, event: Event, quantity: int, *, held_for_user: bool
) -> Problem | None:
    now = utcnow()
    if event.status != EventStatus.published or not tier.is_active:
        return Problem("unavailable", f"Tickets for “{event.title}” are not on sale.")
    if event.starts_at <= now:
        return Problem("unavailable", f"“{event.title}” has already started.")
    if not service.on_sale(tier, now):
        return Problem(
            "not_on_sale", f"“{tier.name}” tickets for “{event.title}” are not on sale now."
        )
    if held_for_user:
        return Problem(
            "seat_held_for_you",
            f"A seat at “{event.title}” is held for you: claim it at "
            f"POST /api/events/{event.id}/waitlist/claim.",
        )
    # Seat counts are settled by reserve(); these codes let the cart say so ahead of time.
    if event.seats_left <= 0:
        return Problem("out_of_stock", f"“{event.title}” is full: join the waiting list.")
    if event.seats_left < quantity:
        return Problem(
            "insufficient_stock", f"Only {event.seats_left} seats left at “{event.title}”."
        )
    return None


class EventTickets:
    kind = EVENT_TICKET

    async def offers(
        self,
        session: AsyncSession,
        item_ids: Iterable[uuid.UUID],
        *,
        currency: str,
        user: User | None,
        quantities: dict[uuid.UUID, int] | None = None,
    ) -> dict[uuid.UUID, Offer]:
        found = await repository.tiers_with_events(session, item_ids)
        held = (
            await repository.users_with_live_offers(
                session, {event.id for _, event in found.values()}, utcnow()
            )
            if user is not None
            else {}
        )
        return {
            tier.id: Offer(
                kind=EVENT_TICKET,
                item_id=tier.id,
                title=f"{event.title} — {tier.name}",
                sku=f"EVT-{tier.id.hex[:12].upper()}",
                category="events",
                unit_price=price(tier, currency),
                currency=currency,
                max_quantity=MAX_TICKETS_PER_ORDER,
                problem=purchase_problem(
                    tier,
                    event,
                    (quantities or {}).get(tier.id, 1),
                    held_for_user=user is not None and user.id in held.get(event.id, set()),
                ),
                ref={"tierId": str(tier.id), "eventId": str(event.id)},
                columns={"event_ticket_tier_id": tier.id},
                display={
                    "event_id": event.id,
                    "slug": event.slug,
                    "tier_name": tier.name,
                    "starts_at": event.starts_at.isoformat(),
                    "seats_left": event.seats_left,
                },
            )
            for tier, event in found.values()
        }

    def not_found(self, item_ids: Sequence[uuid.UUID]) -> NotFound:
        return NotFound(
            "This ticket tier does not exist.",
            code="tier_not_found",
            details={"tierIds": [str(item_id) for item_id in item_ids]},
        )

    async def reserve(self, session: AsyncSession, quantities: dict[uuid.UUID, int]) -> None:
        """Seats of each event (events in id order), then each tier's own limit (tiers in id
        order): all or nothing, settled by the database."""
        found = await repository.tiers_with_events(session, quantities)
        per_event: Counter[uuid.UUID] = Counter()
        for tier_id, count in quantities.items():
            per_event[found[tier_id][1].id] += count
        events = {event.id: event for _, event in found.values()}
        for event_id in sorted(per_event):
            if not await repository.take_seats(session, event_id, per_event[event_id]):
                event = events[event_id]
                await session.refresh(event)
                raise Conflict(
                    f"Not enough seats left at “{event.title}”: join the waiting list.",
                    code="out_of_stock",
                    details={
                        "eventId": str(event_id),
                        "requested": per_event[event_id],
                        "available": event.seats_left,
                    },
                )
        for tier_id in sorted(quantities):
            if not await repository.take_tier(session, tier_id, quantities[tier_id]):
                tier, event = found[tier_id]
                raise Conflict(
                    f"“{tier.name}” tickets for “{event.title}” are sold out.",
                    code="out_of_stock",
                    details={"tierId": str(tier_id), "requested": quantities[tier_id]},
                )

    async def release(self, session: AsyncSession, lines: Sequence[OrderLine]) -> None:
        await _give_back(session, [(line, line.quantity) for line in lines])

    async def fulfil(self, session: AsyncSession, order: Order, lines: Sequence[OrderLine]) -> None:
        """One ticket per seat bought, each with its own code; (order line, seat) is unique,
        so running this twice issues nothing more."""
        if order.user_id is None:
            return
        found = await repository.tiers_with_events(session, [line.item_id for line in lines])
        user = await session.get(User, order.user_id)
        assert user is not None
        for line in sorted(lines, key=lambda ln: ln.position):
            tier, event = found[line.item_id]
            issued: list[EventTicket] = []
            for seat in range(1, line.quantity + 1):
                ticket_id = await repository.issue_ticket(
                    session,
                    event_id=event.id,
                    user_id=order.user_id,
                    code=service.new_code(),
                    tier_id=tier.id,
                    order_id=order.id,
                    order_line_id=line.id,
                    seat_number=seat,
                )
                if ticket_id is not None:
                    ticket = await session.get(EventTicket, ticket_id)
                    assert ticket is not None
                    issued.append(ticket)
            if issued:
                await notifications.ticket_confirmed(session, event, user, issued)

    async def revoke(
        self, session: AsyncSession, order: Order, lines: Sequence[OrderLine]
    ) -> list[str]:
        """Tickets still active are cancelled and their seats freed (a ticket the member
        cancelled first already gave its seat back)."""
        tickets = await repository.lock_active_tickets_of_lines(session, [ln.id for ln in lines])
        now = utcnow()
        per_line: Counter[uuid.UUID] = Counter()
        for ticket in tickets:
            ticket.status = TicketStatus.cancelled
            ticket.cancelled_at = now
            assert ticket.order_line_id is not None
            per_line[ticket.order_line_id] += 1
        await session.flush()
        await _give_back(session, [(ln, per_line[ln.id]) for ln in lines if per_line[ln.id]])
        return [line.title for line in lines if per_line[line.id]]


async def _give_back(session: AsyncSession, counted: Sequence[tuple[OrderLine, int]]) -> None:
    if not counted:
        return
    found = await repository.tiers_with_events(session, [line.item_id for line, _ in counted])
    per_tier: Counter[uuid.UUID] = Counter()
    for line, count in counted:
        per_tier[line.item_id] += count
    for tier_id in sorted(per_tier, key=lambda t: (found[t][1].id, t)):
        await service.give_back(session, found[tier_id][1].id, tier_id, per_tier[tier_id])


sellable.register(EventTickets())
