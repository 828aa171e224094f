"""The events' SQL. Seats move only by conditional UPDATEs (the database settles who gets the
last seat); rows are locked events first, then tiers, each in primary-key order."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import (
    Event,
    EventReminder,
    EventStatus,
    EventTicket,
    EventTicketTier,
    EventWaitlistEntry,
    TicketStatus,
    User,
    WaitlistStatus,
)

# --- seats ----------------------------------------------------------------------------------


async def take_seats(session: AsyncSession, event_id: uuid.UUID, count: int) -> bool:
    """Take `count` free seats of the event, or none (False) when fewer are free."""
    taken = await session.execute(
        update(Event)
        .where(Event.id == event_id, Event.seats_taken + count <= Event.capacity)
        .values(seats_taken=Event.seats_taken + count)
        .returning(Event.id)
    )
    return taken.first() is not None


async def take_tier(session: AsyncSession, tier_id: uuid.UUID, count: int) -> bool:
    """Count `count` more seats against the tier's own limit, or none (False)."""
    taken = await session.execute(
        update(EventTicketTier)
        .where(
            EventTicketTier.id == tier_id,
            (EventTicketTier.quantity_limit.is_(None))
            | (EventTicketTier.sold + count <= EventTicketTier.quantity_limit),
        )
        .values(sold=EventTicketTier.sold + count)
        .returning(EventTicketTier.id)
    )
    return taken.first() is not None


async def free_seats(session: AsyncSession, event_id: uuid.UUID, count: int) -> None:
    await session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(seats_taken=func.greatest(Event.seats_taken - count, 0))
    )


async def free_tier(session: AsyncSession, tier_id: uuid.UUID, count: int) -> None:
    await session.execute(
        update(EventTicketTier)
        .where(EventTicketTier.id == tier_id)
        .values(sold=func.greatest(EventTicketTier.sold - count, 0))
    )


async def lock_event(session: AsyncSession, event_id: uuid.UUID) -> Event | None:
    return await session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


# --- events and tiers -----------------------------------------------------------------------


def by_ref(ref: str) -> Select[Event]:
    """An event by id or slug."""
    try:
        return select(Event).where(Event.id == uuid.UUID(ref))
    except ValueError:
        return select(Event).where(Event.slug == ref)


async def tiers_of(session: AsyncSession, event_ids: Iterable[uuid.UUID]) -> list[EventTicketTier]:
    ids = list(event_ids)
    if not ids:
        return []
    return list(
        await session.scalars(
            select(EventTicketTier)
            .where(EventTicketTier.event_id.in_(ids))
            .order_by(
                EventTicketTier.event_id, EventTicketTier.position, EventTicketTier.created_at
            )
        )
    )


async def tiers_with_events(
    session: AsyncSession, tier_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[EventTicketTier, Event]]:
    ids = list(tier_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(EventTicketTier, Event)
        .join(Event, Event.id == EventTicketTier.event_id)
        .where(EventTicketTier.id.in_(ids))
    )
    return {tier.id: (tier, event) for tier, event in rows}


async def slug_taken(session: AsyncSession, slug: str) -> bool:
    return await session.scalar(select(Event.id).where(Event.slug == slug)) is not None


# --- tickets --------------------------------------------------------------------------------


async def active_ticket_event_ids(
    session: AsyncSession, user_id: uuid.UUID, event_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    ids = list(event_ids)
    if not ids:
        return set()
    return set(
        await session.scalars(
            select(EventTicket.event_id).where(
                EventTicket.user_id == user_id,
                EventTicket.event_id.in_(ids),
                EventTicket.status == TicketStatus.active,
            )
        )
    )


async def issue_ticket(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    user_id: uuid.UUID,
    code: str,
    tier_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    order_line_id: uuid.UUID | None = None,
    seat_number: int = 1,
) -> uuid.UUID | None:
    """Insert a ticket; None when this (order line, seat) was issued already."""
    statement = (
        insert(EventTicket)
        .values(
            id=uuid.uuid4(),
            event_id=event_id,
            user_id=user_id,
            code=code,
            tier_id=tier_id,
            order_id=order_id,
            order_line_id=order_line_id,
            seat_number=seat_number,
        )
        .on_conflict_do_nothing(index_elements=["order_line_id", "seat_number"])
        .returning(EventTicket.id)
    )
    return await session.scalar(statement)


async def lock_active_tickets_of_lines(
    session: AsyncSession, line_ids: Sequence[uuid.UUID]
) -> list[EventTicket]:
    if not line_ids:
        return []
    return list(
        await session.scalars(
            select(EventTicket)
            .where(
                EventTicket.order_line_id.in_(line_ids),
                EventTicket.status == TicketStatus.active,
            )
            .order_by(EventTicket.id)
            .with_for_update()
        )
    )


async def lock_active_tickets_of_event(
    session: AsyncSession, event_id: uuid.UUID
) -> list[tuple[EventTicket, User]]:
    rows = await session.execute(
        select(EventTicket, User)
        .join(User, User.id == EventTicket.user_id)
        .where(EventTicket.event_id == event_id, EventTicket.status == TicketStatus.active)
        .order_by(EventTicket.id)
        .with_for_update(of=EventTicket)
    )
    return [(ticket, user) for ticket, user in rows]


async def check_in(
    session: AsyncSession, *, event_id: uuid.UUID, code: str, by: uuid.UUID, at: datetime
) -> EventTicket | None:
    """Admit the ticket if it is this event's, active and not yet checked in (one statement:
    two scanners at two doors cannot both admit it)."""
    return await session.scalar(
        update(EventTicket)
        .where(
            EventTicket.event_id == event_id,
            EventTicket.code == code,
            EventTicket.status == TicketStatus.active,
            EventTicket.checked_in_at.is_(None),
        )
        .values(checked_in_at=at, checked_in_by_id=by)
        .returning(EventTicket)
    )


# --- waiting list ---------------------------------------------------------------------------


async def next_in_line(
    session: AsyncSession, event_id: uuid.UUID, count: int
) -> list[tuple[EventWaitlistEntry, User]]:
    rows = await session.execute(
        select(EventWaitlistEntry, User)
        .join(User, User.id == EventWaitlistEntry.user_id)
        .where(
            EventWaitlistEntry.event_id == event_id,
            EventWaitlistEntry.status == WaitlistStatus.waiting,
        )
        .order_by(EventWaitlistEntry.created_at, EventWaitlistEntry.id)
        .limit(count)
        .with_for_update(of=EventWaitlistEntry)
    )
    return [(entry, user) for entry, user in rows]


async def open_entry(
    session: AsyncSession, event_id: uuid.UUID, user_id: uuid.UUID, *, lock: bool = False
) -> EventWaitlistEntry | None:
    statement = select(EventWaitlistEntry).where(
        EventWaitlistEntry.event_id == event_id,
        EventWaitlistEntry.user_id == user_id,
        EventWaitlistEntry.status.in_((WaitlistStatus.waiting, WaitlistStatus.offered)),
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def users_with_live_offers(
    session: AsyncSession, event_ids: Iterable[uuid.UUID], now: datetime
) -> dict[uuid.UUID, set[uuid.UUID]]:
    ids = list(event_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(EventWaitlistEntry.event_id, EventWaitlistEntry.user_id).where(
            EventWaitlistEntry.event_id.in_(ids),
            EventWaitlistEntry.status == WaitlistStatus.offered,
            EventWaitlistEntry.offered_until > now,
        )
    )
    held: dict[uuid.UUID, set[uuid.UUID]] = {}
    for event_id, user_id in rows:
        held.setdefault(event_id, set()).add(user_id)
    return held


async def expired_offers(
    session: AsyncSession, now: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(event id, entry id) of holds past their time, not locked (the caller locks the event
    first, then the entry)."""
    rows = await session.execute(
        select(EventWaitlistEntry.event_id, EventWaitlistEntry.id)
        .where(
            EventWaitlistEntry.status == WaitlistStatus.offered,
            EventWaitlistEntry.offered_until <= now,
        )
        .order_by(EventWaitlistEntry.event_id, EventWaitlistEntry.id)
        .limit(limit)
    )
    return [(event_id, entry_id) for event_id, entry_id in rows]


# --- reminders ------------------------------------------------------------------------------


async def claim_reminders(
    session: AsyncSession, *, reminder: str, starting_after: datetime, starting_before: datetime
) -> list[tuple[EventTicket, Event, User]]:
    """Claim the `reminder` of every active ticket of a published event starting in the window:
    one row per (ticket, reminder) inserted with ON CONFLICT DO NOTHING, so of two workers only
    one gets each ticket back. Returns what this call claimed."""
    due = (
        select(
            EventTicket.id,
            literal(reminder, EventReminder.reminder.type),
            # The model's Python defaults would be one constant for every row.
            func.gen_random_uuid(),
            func.now(),
            func.now(),
        )
        .join(Event, Event.id == EventTicket.event_id)
        .where(
            EventTicket.status == TicketStatus.active,
            Event.status == EventStatus.published,
            Event.starts_at > starting_after,
            Event.starts_at <= starting_before,
        )
    )
    claimed = list(
        await session.scalars(
            insert(EventReminder)
            .from_select(["ticket_id", "reminder", "id", "created_at", "updated_at"], due)
            .on_conflict_do_nothing(index_elements=["ticket_id", "reminder"])
            .returning(EventReminder.ticket_id)
        )
    )
    if not claimed:
        return []
    rows = await session.execute(
        select(EventTicket, Event, User)
        .join(Event, Event.id == EventTicket.event_id)
        .join(User, User.id == EventTicket.user_id)
        .where(EventTicket.id.in_(claimed))
    )
    return [(t, e, u) for t, e, u in rows]


async def paid_order_ids(session: AsyncSession, event_id: uuid.UUID) -> list[uuid.UUID]:
    return sorted(
        set(
            await session.scalars(
                select(EventTicket.order_id).where(
                    EventTicket.event_id == event_id,
                    EventTicket.status == TicketStatus.active,
                    EventTicket.order_id.is_not(None),
                )
            )
        )
    )
