"""Events: reading, registering, the waiting list, tickets, check-in and the admin's edits.

Seat rules (see models/event.py): a seat is taken by a conditional UPDATE before anything is
issued, and whoever frees one calls `seats_freed`, which in the same transaction hands free
seats to the waiting list first (a held offer), so nobody jumps the queue."""

from __future__ import annotations

import csv
import io
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings, get_settings
from authorhub.errors import Conflict, NotFound, Unprocessable
from authorhub.events import notifications, repository
from authorhub.events.schemas import (
    AdminEventRead,
    AttendeeRead,
    CheckInResult,
    EventCreate,
    EventDetail,
    EventStats,
    EventSummary,
    EventUpdate,
    RefundPolicyRead,
    TicketEvent,
    TicketRead,
    TierCreate,
    TierRead,
    TierStats,
    TierUpdate,
    WaitlistRead,
)
from authorhub.kit.listing import page_of
from authorhub.kit.pagination import PageParams
from authorhub.kit.slugs import slugify
from authorhub.kit.time import utc_midnight, utcnow
from authorhub.models import (
    Event,
    EventStatus,
    EventTicket,
    EventTicketTier,
    EventType,
    EventWaitlistEntry,
    RefundPolicy,
    TicketStatus,
    User,
    WaitlistStatus,
)

EVENT_TICKET = "event_ticket"
MEETING_URL_LEAD = timedelta(hours=1)


def event_not_found() -> NotFound:
    return NotFound("This event does not exist.", code="event_not_found")


def ticket_not_found() -> NotFound:
    return NotFound("This ticket does not exist.", code="ticket_not_found")


def new_code() -> str:
    """128 random bits, URL-safe: what the QR code carries."""
    return secrets.token_urlsafe(16)


def _field_error(field: str, message: str, code: str = "validation_error") -> Unprocessable:
    return Unprocessable(message, code=code, details=[{"field": field, "message": message}])


# --- reading --------------------------------------------------------------------------------


def _local(event: Event, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(event.timezone))


def cancellation_deadline(event: Event) -> datetime:
    return event.cancellation_deadline or event.starts_at


def refund_policy(event: Event) -> RefundPolicyRead:
    deadline = cancellation_deadline(event)
    if event.is_free:
        summary = "Free event: cancel any time before the deadline."
    elif event.refund_policy == RefundPolicy.full:
        summary = "Full refund if you cancel before the cancellation deadline."
    elif event.refund_policy == RefundPolicy.none:
        summary = "Tickets are not refundable (unless the event is cancelled)."
    else:
        summary = f"Full refund if you cancel at least {event.refund_days} days before the start."
    return RefundPolicyRead(
        policy=event.refund_policy,
        days=event.refund_days,
        cancellation_deadline=deadline,
        summary=summary,
    )


def refund_due(event: Event, unit_price: int, now: datetime) -> int:
    """What a member cancelling a paid ticket now gets back under the event's policy."""
    if event.refund_policy == RefundPolicy.full:
        return unit_price
    if event.refund_policy == RefundPolicy.until_days and event.refund_days is not None:
        return unit_price if now <= event.starts_at - timedelta(days=event.refund_days) else 0
    return 0


def on_sale(tier: EventTicketTier, now: datetime) -> bool:
    return (
        tier.is_active
        and (tier.sales_start is None or tier.sales_start <= now)
        and (tier.sales_end is None or now < tier.sales_end)
    )


def _tier_read(tier: EventTicketTier, now: datetime) -> TierRead:
    return TierRead(
        id=tier.id,
        name=tier.name,
        price_ngn=tier.price_ngn,
        price_usd=tier.price_usd,
        sales_start=tier.sales_start,
        sales_end=tier.sales_end,
        quantity_limit=tier.quantity_limit,
        sold=tier.sold,
        on_sale=on_sale(tier, now),
    )


def _summary_fields(event: Event, tiers: list[EventTicketTier]) -> dict[str, object]:
    prices = [t.price_ngn for t in tiers if t.is_active]
    return {
        "id": event.id,
        "slug": event.slug,
        "title": event.title,
        "summary": event.summary,
        "event_type": event.event_type,
        "status": event.status,
        "is_online": event.is_online,
        "location": notifications.where(event),
        "timezone": event.timezone,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "starts_at_local": _local(event, event.starts_at),
        "ends_at_local": _local(event, event.ends_at),
        "is_free": event.is_free,
        "capacity": event.capacity,
        "seats_left": event.seats_left,
        "price_from_ngn": None if event.is_free or not prices else min(prices),
    }


async def _summaries(session: AsyncSession, events: list[Event]) -> list[EventSummary]:
    """A page of events with their cheapest prices (one query for all their tiers)."""
    by_event: dict[uuid.UUID, list[EventTicketTier]] = {}
    for tier in await repository.tiers_of(session, [e.id for e in events]):
        by_event.setdefault(tier.event_id, []).append(tier)
    return [EventSummary.model_validate(_summary_fields(e, by_event.get(e.id, []))) for e in events]


@dataclass(frozen=True, slots=True)
class EventFilters:
    event_type: EventType | None = None
    online: bool | None = None
    free: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    past: bool = False


async def list_events(
    session: AsyncSession, filters: EventFilters, paging: PageParams
) -> tuple[list[EventSummary], int]:
    """Published events: upcoming (not yet ended) by default, soonest first; `past` the ended
    ones, latest first; `from`/`to` whole UTC days of the start."""
    now = utcnow()
    statement = select(Event).where(Event.status == EventStatus.published)
    if filters.event_type is not None:
        statement = statement.where(Event.event_type == filters.event_type)
    if filters.online is not None:
        statement = statement.where(Event.is_online.is_(filters.online))
    if filters.free is not None:
        statement = statement.where(Event.is_free.is_(filters.free))
    if filters.date_from is not None:
        statement = statement.where(Event.starts_at >= utc_midnight(filters.date_from))
    if filters.date_to is not None:
        statement = statement.where(
            Event.starts_at < utc_midnight(filters.date_to + timedelta(days=1))
        )
    if filters.past:
        statement = statement.where(Event.ends_at <= now)
    elif filters.date_from is None:
        statement = statement.where(Event.ends_at > now)
    first = Event.starts_at.desc() if filters.past else Event.starts_at.asc()
    events, total = await page_of(session, statement, paging, first, Event.id)
    return await _summaries(session, events), total


async def _event(session: AsyncSession, ref: str, *, published_only: bool) -> Event:
    event = await session.scalar(repository.by_ref(ref))
    if event is None or (published_only and event.status == EventStatus.draft):
        raise event_not_found()
    return event


async def public_event(session: AsyncSession, ref: str) -> Event:
    """A published (or cancelled) event by id or slug; drafts are 404."""
    return await _event(session, ref, published_only=True)


async def event_detail(
    session: AsyncSession, ref: str, user: User | None, settings: Settings
) -> EventDetail:
    event = await public_event(session, ref)
    return await _detail(session, event, user, settings, EventDetail)


D = TypeVar("D", bound=EventDetail)


async def _detail(
    session: AsyncSession,
    event: Event,
    user: User | None,
    settings: Settings,
    shape: type[D],
    **extra: object,
) -> D:
    now = utcnow()
    tiers = await repository.tiers_of(session, [event.id])
    fields: dict[str, object] = {
        **_summary_fields(event, tiers),
        "description": event.description,
        "agenda": event.agenda,
        "tiers": [_tier_read(t, now) for t in tiers if t.is_active],
        "refund": refund_policy(event),
        "calendar_url": notifications.calendar_url(event, settings),
        **extra,
    }
    if user is not None:
        registered = bool(await repository.active_ticket_event_ids(session, user.id, [event.id]))
        entry = await repository.open_entry(session, event.id, user.id)
        fields.update(
            registered=registered,
            waitlist_status=entry.status.value if entry else None,
            offered_until=entry.offered_until if entry else None,
        )
        if event.is_online and registered:
            opens = event.starts_at - MEETING_URL_LEAD
            fields["meeting_url_available_at"] = opens
            if now >= opens and event.status == EventStatus.published:
                fields["meeting_url"] = event.meeting_url
    return shape.model_validate(fields)


# --- free registration ----------------------------------------------------------------------


def _bookable(event: Event, now: datetime) -> None:
    if event.status != EventStatus.published:
        raise Conflict("This event is not taking registrations.", code="event_not_open")
    if event.starts_at <= now:
        raise Conflict("This event has already started.", code="event_started")


def _sold_out(event: Event) -> Conflict:
    return Conflict(
        f"“{event.title}” is full: join the waiting list.",
        code="event_full",
        details={"eventId": str(event.id), "seatsLeft": 0},
    )


async def _issue_free_ticket(session: AsyncSession, event: Event, user: User) -> EventTicket:
    try:
        async with session.begin_nested():
            ticket_id = await repository.issue_ticket(
                session, event_id=event.id, user_id=user.id, code=new_code()
            )
    except IntegrityError as exc:
        raise Conflict(
            "You are already registered for this event.", code="already_registered"
        ) from exc
    ticket = await session.get(EventTicket, ticket_id)
    assert ticket is not None
    await notifications.ticket_confirmed(session, event, user, [ticket])
    return ticket


async def register(session: AsyncSession, *, event_id: uuid.UUID, user: User) -> EventTicket:
    """A seat at a free event: the seat is taken by a conditional UPDATE (never more than the
    capacity), then the ticket is issued (one per member: a unique index)."""
    event = await session.get(Event, event_id)
    if event is None or event.status == EventStatus.draft:
        raise event_not_found()
    _bookable(event, utcnow())
    if not event.is_free:
        raise Conflict(
            "This event sells tickets: add a ticket tier to your cart.", code="paid_event"
        )
    if await repository.active_ticket_event_ids(session, user.id, [event.id]):
        raise Conflict("You are already registered for this event.", code="already_registered")
    if not await repository.take_seats(session, event.id, 1):
        raise _sold_out(event)
    return await _issue_free_ticket(session, event, user)


# --- the waiting list -----------------------------------------------------------------------


async def seats_freed(session: AsyncSession, event_id: uuid.UUID, settings: Settings) -> int:
    """Free seats go to the waiting list first: each of the first in line gets a seat held
    for EVENTS_WAITLIST_HOLD_HOURS (the seat stays taken meanwhile) and an email. The event
    row is locked, so two transactions freeing seats never offer the same one twice."""
    event = await repository.lock_event(session, event_id)
    if event is None or event.status != EventStatus.published or event.starts_at <= utcnow():
        return 0
    free = event.capacity - event.seats_taken
    if free <= 0:
        return 0
    now = utcnow()
    until = now + timedelta(hours=settings.events.waitlist_hold_hours)
    until = min(until, event.starts_at)
    offered = await repository.next_in_line(session, event.id, free)
    for entry, user in offered:
        entry.status = WaitlistStatus.offered
        entry.offered_at = now
        entry.offered_until = until
        await notifications.seat_offered(
            session, event, user, offer_id=f"{entry.id}/{now.isoformat()}", until=until
        )
    if offered:
        event.seats_taken += len(offered)
        await session.flush()
    return len(offered)


async def give_back(
    session: AsyncSession,
    event_id: uuid.UUID,
    tier_id: uuid.UUID | None,
    count: int,
    settings: Settings | None = None,
) -> None:
    """Seats no longer used (a cancelled ticket, an unpaid order) return, waiting list first.
    The event row is locked before the tier (the order reserve() takes them in)."""
    await repository.lock_event(session, event_id)
    await repository.free_seats(session, event_id, count)
    if tier_id is not None:
        await repository.free_tier(session, tier_id, count)
    await seats_freed(session, event_id, settings or get_settings())


async def _position(session: AsyncSession, entry: EventWaitlistEntry) -> int | None:
    if entry.status != WaitlistStatus.waiting:
        return None
    ahead = await session.scalar(
        select(func.count())
        .select_from(EventWaitlistEntry)
        .where(
            EventWaitlistEntry.event_id == entry.event_id,
            EventWaitlistEntry.status == WaitlistStatus.waiting,
            EventWaitlistEntry.created_at < entry.created_at,
        )
    )
    return int(ahead or 0) + 1


async def _waitlist_read(session: AsyncSession, entry: EventWaitlistEntry) -> WaitlistRead:
    return WaitlistRead(
        event_id=entry.event_id,
        status=entry.status.value,
        position=await _position(session, entry),
        offered_until=entry.offered_until,
    )


async def join_waitlist(session: AsyncSession, *, event_id: uuid.UUID, user: User) -> WaitlistRead:
    """Only a full event has a waiting list (with seats left, register or buy instead)."""
    event = await repository.lock_event(session, event_id)
    if event is None or event.status == EventStatus.draft:
        raise event_not_found()
    _bookable(event, utcnow())
    if event.seats_taken < event.capacity:
        raise Conflict(
            "Seats are still available: register or buy a ticket instead.",
            code="seats_available",
            details={"seatsLeft": event.seats_left},
        )
    if await repository.active_ticket_event_ids(session, user.id, [event.id]):
        raise Conflict("You already have a ticket for this event.", code="already_registered")
    entry = await repository.open_entry(session, event.id, user.id)
    if entry is None:
        entry = EventWaitlistEntry(event_id=event.id, user_id=user.id)
        session.add(entry)
        await session.flush()
    return await _waitlist_read(session, entry)


async def my_waitlist_entry(
    session: AsyncSession, *, event_id: uuid.UUID, user: User
) -> WaitlistRead:
    entry = await repository.open_entry(session, event_id, user.id)
    if entry is None:
        raise NotFound("You are not on this event's waiting list.", code="not_on_waitlist")
    return await _waitlist_read(session, entry)


async def leave_waitlist(session: AsyncSession, *, event_id: uuid.UUID, user: User) -> None:
    """Leaving with a seat held for you passes that seat to the next in line."""
    await repository.lock_event(session, event_id)
    entry = await repository.open_entry(session, event_id, user.id, lock=True)
    if entry is None:
        raise NotFound("You are not on this event's waiting list.", code="not_on_waitlist")
    held = entry.status == WaitlistStatus.offered
    entry.status = WaitlistStatus.left
    await session.flush()
    if held:
        await give_back(session, event_id, None, 1)


async def claim_held_seat(session: AsyncSession, *, event_id: uuid.UUID, user: User) -> Event:
    """Turn the seat held for the member back into a free seat, within this transaction: the
    event row stays locked until it commits, so the member's own registration or order (made
    next, in the same transaction) is the only one that can take it."""
    event = await repository.lock_event(session, event_id)
    if event is None or event.status == EventStatus.draft:
        raise event_not_found()
    _bookable(event, utcnow())
    entry = await repository.open_entry(session, event_id, user.id, lock=True)
    if (
        entry is None
        or entry.status != WaitlistStatus.offered
        or entry.offered_until is None
        or entry.offered_until <= utcnow()
    ):
        raise Conflict("No seat is held for you at this event.", code="no_held_seat")
    entry.status = WaitlistStatus.claimed
    await repository.free_seats(session, event.id, 1)
    await session.refresh(event)
    return event


async def claim_free_seat(session: AsyncSession, *, event_id: uuid.UUID, user: User) -> EventTicket:
    event = await claim_held_seat(session, event_id=event_id, user=user)
    if not event.is_free:
        raise Conflict("This event sells tickets.", code="paid_event")
    if not await repository.take_seats(session, event.id, 1):  # pragma: no cover - locked
        raise _sold_out(event)
    return await _issue_free_ticket(session, event, user)


async def expire_offers(session: AsyncSession, *, limit: int = 100) -> int:
    """Holds past their time pass to the next in line. Each event is locked before its entry
    (the order claiming takes), and an entry claimed meanwhile is left alone."""
    now = utcnow()
    expired = 0
    for event_id, entry_id in await repository.expired_offers(session, now, limit):
        await repository.lock_event(session, event_id)
        entry = await session.get(
            EventWaitlistEntry, entry_id, with_for_update=True, populate_existing=True
        )
        if entry is None or entry.status != WaitlistStatus.offered:
            continue
        assert entry.offered_until is not None
        if entry.offered_until > now:
            continue
        entry.status = WaitlistStatus.expired
        await session.flush()
        await give_back(session, event_id, None, 1)
        expired += 1
    return expired


# --- tickets --------------------------------------------------------------------------------


def _ticket_read(
    ticket: EventTicket, event: Event, tier: EventTicketTier | None, settings: Settings
) -> TicketRead:
    base = f"{settings.public_url.rstrip('/')}/api/me/tickets/{ticket.id}/qr"
    return TicketRead(
        id=ticket.id,
        code=ticket.code,
        status=ticket.status.value,
        tier_name=tier.name if tier else None,
        order_id=ticket.order_id,
        checked_in_at=ticket.checked_in_at,
        cancelled_at=ticket.cancelled_at,
        created_at=ticket.created_at,
        qr_png_url=f"{base}.png",
        qr_svg_url=f"{base}.svg",
        event=TicketEvent(
            id=event.id,
            slug=event.slug,
            title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            starts_at_local=_local(event, event.starts_at),
            timezone=event.timezone,
            location=notifications.where(event),
            status=event.status,
        ),
    )


async def my_tickets(
    session: AsyncSession, *, user: User, paging: PageParams, settings: Settings
) -> tuple[list[TicketRead], int]:
    statement = (
        select(EventTicket, Event, EventTicketTier)
        .join(Event, Event.id == EventTicket.event_id)
        .outerjoin(EventTicketTier, EventTicketTier.id == EventTicket.tier_id)
        .where(EventTicket.user_id == user.id)
    )
    rows, total = await page_of(
        session, statement, paging, Event.starts_at.desc(), EventTicket.seat_number, EventTicket.id
    )
    return [_ticket_read(t, e, tier, settings) for t, e, tier in rows], total


async def my_ticket(session: AsyncSession, *, ticket_id: uuid.UUID, user: User) -> EventTicket:
    """The member's own ticket; anyone else's is 404."""
    ticket = await session.get(EventTicket, ticket_id)
    if ticket is None or ticket.user_id != user.id:
        raise ticket_not_found()
    return ticket


async def lock_my_ticket(
    session: AsyncSession, *, ticket_id: uuid.UUID, user: User
) -> tuple[EventTicket, Event]:
    """The member's active ticket and its event, locked (ticket before event, the order a
    refund's revoke() takes them in), if it may still be cancelled."""
    ticket = await my_ticket(session, ticket_id=ticket_id, user=user)
    await session.refresh(ticket, with_for_update=True)
    event = await repository.lock_event(session, ticket.event_id)
    assert event is not None
    if ticket.status != TicketStatus.active:
        raise Conflict("This ticket is already cancelled.", code="ticket_cancelled")
    if utcnow() >= cancellation_deadline(event):
        raise Conflict(
            "The cancellation deadline of this event has passed.",
            code="cancellation_closed",
            details={"cancellationDeadline": cancellation_deadline(event).isoformat()},
        )
    return ticket, event


async def cancel_ticket(
    session: AsyncSession, *, ticket: EventTicket, event: Event, user: User, refund: int
) -> None:
    """The ticket ends and its seat returns (the waiting list first)."""
    ticket.status = TicketStatus.cancelled
    ticket.cancelled_at = utcnow()
    await session.flush()
    await give_back(session, event.id, ticket.tier_id, 1)
    await notifications.registration_cancelled(session, event, user, ticket, refund)


async def ticket_with_event(
    session: AsyncSession, ticket: EventTicket, settings: Settings
) -> TicketRead:
    event = await session.get(Event, ticket.event_id)
    tier = await session.get(EventTicketTier, ticket.tier_id) if ticket.tier_id else None
    assert event is not None
    return _ticket_read(ticket, event, tier, settings)


# --- admin: events and tiers ----------------------------------------------------------------


def _check_event(event: Event, tiers: list[EventTicketTier]) -> None:
    """The rules that span fields; each error names the field to fix."""
    if event.ends_at <= event.starts_at:
        raise _field_error("endsAt", "endsAt must be after startsAt")
    if not event.is_online and not event.location:
        raise _field_error("location", "an in-person event needs a location")
    if event.refund_policy == RefundPolicy.until_days and event.refund_days is None:
        raise _field_error("refundDays", "refundDays is required with refundPolicy until_days")
    if event.refund_policy != RefundPolicy.until_days:
        event.refund_days = None
    if event.cancellation_deadline is not None and event.cancellation_deadline > event.starts_at:
        raise _field_error("cancellationDeadline", "cancellationDeadline must be before startsAt")
    if event.capacity < event.seats_taken:
        raise _field_error(
            "capacity", f"capacity cannot go below the {event.seats_taken} seats already taken"
        )
    if event.is_free and tiers:
        raise _field_error("isFree", "an event with ticket tiers cannot be free")
    for tier in tiers:
        _check_tier(event, tier)


def _check_tier(event: Event, tier: EventTicketTier) -> None:
    if tier.quantity_limit is not None and tier.quantity_limit > event.capacity:
        raise _field_error(
            "quantityLimit", f"quantityLimit cannot exceed the event's capacity ({event.capacity})"
        )
    if tier.quantity_limit is not None and tier.quantity_limit < tier.sold:
        raise _field_error("quantityLimit", f"{tier.sold} tickets of this tier are already sold")
    if tier.sales_start is not None and tier.sales_start >= event.starts_at:
        raise _field_error("salesStart", "the sale window must open before the event starts")
    if tier.sales_end is not None and tier.sales_end > event.starts_at:
        raise _field_error("salesEnd", "the sale window must close by the event's start")
    if tier.sales_start and tier.sales_end and tier.sales_end <= tier.sales_start:
        raise _field_error("salesEnd", "salesEnd must be after salesStart")


async def admin_get(session: AsyncSession, event_id: uuid.UUID, *, lock: bool = False) -> Event:
    event = (
        await repository.lock_event(session, event_id)
        if lock
        else await session.get(Event, event_id)
    )
    if event is None:
        raise event_not_found()
    return event


async def admin_read(session: AsyncSession, event: Event, settings: Settings) -> AdminEventRead:
    return await _detail(
        session,
        event,
        None,
        settings,
        AdminEventRead,
        seats_taken=event.seats_taken,
        published_at=event.published_at,
        cancelled_at=event.cancelled_at,
        cancel_reason=event.cancel_reason,
        admin_meeting_url=event.meeting_url,
        status=event.status,
    )


async def admin_list(
    session: AsyncSession, *, status: EventStatus | None, paging: PageParams
) -> tuple[list[EventSummary], int]:
    statement = select(Event)
    if status is not None:
        statement = statement.where(Event.status == status)
    events, total = await page_of(session, statement, paging, Event.starts_at.desc(), Event.id)
    return await _summaries(session, events), total


def _apply(event: Event, data: EventCreate | EventUpdate) -> None:
    values = data.model_dump(exclude_unset=True, exclude={"agenda", "meeting_url"})
    for name, value in values.items():
        setattr(event, name, value)
    if "meeting_url" in data.model_fields_set:
        event.meeting_url = str(data.meeting_url) if data.meeting_url else None
    if data.agenda is not None:
        event.agenda = [item.model_dump(mode="json", by_alias=True) for item in data.agenda]


async def _unique_slug(session: AsyncSession, wanted: str) -> str:
    base = slugify(wanted, max_length=100) or "event"
    slug, n = base, 1
    while await repository.slug_taken(session, slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


async def create_event(session: AsyncSession, data: EventCreate) -> Event:
    event = Event(seats_taken=0, agenda=[], timezone="Africa/Lagos")
    _apply(event, data)
    if data.slug is not None and await repository.slug_taken(session, data.slug):
        raise _field_error("slug", "this slug is taken", code="slug_taken")
    event.slug = data.slug or await _unique_slug(session, data.title)
    _check_event(event, [])
    session.add(event)
    await session.flush()
    return event


async def update_event(
    session: AsyncSession, event_id: uuid.UUID, data: EventUpdate, settings: Settings
) -> Event:
    event = await admin_get(session, event_id, lock=True)
    if event.status == EventStatus.cancelled:
        raise Conflict("A cancelled event cannot be edited.", code="event_cancelled")
    if (
        data.slug is not None
        and data.slug != event.slug
        and await repository.slug_taken(session, data.slug)
    ):
        raise _field_error("slug", "this slug is taken", code="slug_taken")
    tiers = await repository.tiers_of(session, [event.id])  # before the change (autoflush)
    if data.is_free is not None and data.is_free != event.is_free and event.seats_taken:
        raise _field_error("isFree", "seats are taken: the event cannot switch free/paid now")
    _apply(event, data)
    _check_event(event, tiers)
    await session.flush()
    await seats_freed(session, event.id, settings)  # a larger capacity may free seats
    return event


async def publish_event(session: AsyncSession, event_id: uuid.UUID) -> Event:
    event = await admin_get(session, event_id, lock=True)
    if event.status != EventStatus.draft:
        raise Conflict(f"The event is {event.status.value}.", code="event_not_draft")
    tiers = await repository.tiers_of(session, [event.id])
    if not event.is_free and not any(t.is_active for t in tiers):
        raise _field_error("tiers", "a paid event needs at least one ticket tier to publish")
    event.status = EventStatus.published
    event.published_at = utcnow()
    await session.flush()
    return event


async def delete_event(session: AsyncSession, event_id: uuid.UUID) -> None:
    event = await admin_get(session, event_id, lock=True)
    if event.status != EventStatus.draft or event.seats_taken:
        raise Conflict(
            "Only a draft event nobody holds a seat at can be deleted; cancel it instead.",
            code="event_not_deletable",
        )
    for tier in await repository.tiers_of(session, [event.id]):
        await session.delete(tier)
    await session.flush()
    await session.delete(event)
    await session.flush()


async def create_tier(
    session: AsyncSession, event_id: uuid.UUID, data: TierCreate
) -> EventTicketTier:
    event = await admin_get(session, event_id, lock=True)
    if event.is_free:
        raise _field_error("isFree", "a free event has no ticket tiers", code="free_event")
    if event.status == EventStatus.cancelled:
        raise Conflict("A cancelled event cannot be edited.", code="event_cancelled")
    tier = EventTicketTier(event_id=event.id, sold=0, is_active=True, position=0)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(tier, name, value)
    _check_tier(event, tier)
    session.add(tier)
    await session.flush()
    return tier


async def _admin_tier(
    session: AsyncSession, event_id: uuid.UUID, tier_id: uuid.UUID
) -> tuple[Event, EventTicketTier]:
    event = await admin_get(session, event_id, lock=True)
    tier = await session.get(EventTicketTier, tier_id, with_for_update=True)
    if tier is None or tier.event_id != event.id:
        raise NotFound("This ticket tier does not exist.", code="tier_not_found")
    return event, tier


async def update_tier(
    session: AsyncSession, event_id: uuid.UUID, tier_id: uuid.UUID, data: TierUpdate
) -> EventTicketTier:
    event, tier = await _admin_tier(session, event_id, tier_id)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(tier, name, value)
    _check_tier(event, tier)
    await session.flush()
    return tier


async def delete_tier(session: AsyncSession, event_id: uuid.UUID, tier_id: uuid.UUID) -> None:
    """A tier that sold is deactivated (orders point at it); an unsold one is deleted."""
    _, tier = await _admin_tier(session, event_id, tier_id)
    sold_before = await session.scalar(
        select(func.count()).select_from(EventTicket).where(EventTicket.tier_id == tier.id)
    )
    if tier.sold or sold_before:
        tier.is_active = False
    else:
        await session.delete(tier)
    await session.flush()


def tier_read(tier: EventTicketTier) -> TierRead:
    return _tier_read(tier, utcnow())


# --- admin: attendees, check-in, stats ------------------------------------------------------


def _attendees(event_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return (
        select(EventTicket, User, EventTicketTier)
        .join(User, User.id == EventTicket.user_id)
        .outerjoin(EventTicketTier, EventTicketTier.id == EventTicket.tier_id)
        .where(EventTicket.event_id == event_id)
    )


def _attendee(ticket: EventTicket, user: User, tier: EventTicketTier | None) -> AttendeeRead:
    return AttendeeRead(
        ticket_id=ticket.id,
        name=user.name,
        email=user.email,
        tier_name=tier.name if tier else None,
        status=ticket.status.value,
        code=ticket.code,
        order_id=ticket.order_id,
        checked_in_at=ticket.checked_in_at,
        registered_at=ticket.created_at,
    )


async def attendees(
    session: AsyncSession, event_id: uuid.UUID, paging: PageParams
) -> tuple[list[AttendeeRead], int]:
    await admin_get(session, event_id)
    rows, total = await page_of(
        session, _attendees(event_id), paging, EventTicket.created_at, EventTicket.id
    )
    return [_attendee(t, u, tier) for t, u, tier in rows], total


CSV_COLUMNS = ["name", "email", "tier", "status", "code", "checked_in_at", "registered_at"]


async def attendees_csv(session: AsyncSession, event_id: uuid.UUID) -> str:
    await admin_get(session, event_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = await session.execute(
        _attendees(event_id).order_by(EventTicket.created_at, EventTicket.id)
    )
    for ticket, user, tier in rows:
        writer.writerow(
            [
                _csv_safe(user.name),
                _csv_safe(user.email),
                _csv_safe(tier.name if tier else ""),
                ticket.status.value,
                ticket.code,
                ticket.checked_in_at.isoformat() if ticket.checked_in_at else "",
                ticket.created_at.isoformat(),
            ]
        )
    return out.getvalue()


def _csv_safe(value: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: quote it out."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


async def check_in(
    session: AsyncSession, *, event_id: uuid.UUID, code: str, by: User
) -> CheckInResult:
    """First scan admits; a second says when the ticket was admitted; a cancelled ticket, an
    unknown code or another event's code is refused."""
    await admin_get(session, event_id)
    admitted = await repository.check_in(
        session, event_id=event_id, code=code, by=by.id, at=utcnow()
    )
    ticket = admitted or await session.scalar(
        select(EventTicket).where(EventTicket.event_id == event_id, EventTicket.code == code)
    )
    if ticket is None:
        raise NotFound("No ticket of this event has this code.", code="ticket_not_found")
    if admitted is None:
        if ticket.status != TicketStatus.active:
            raise Conflict("This ticket was cancelled.", code="ticket_cancelled")
        assert ticket.checked_in_at is not None
        raise Conflict(
            f"Already checked in at {ticket.checked_in_at.isoformat()}.",
            code="already_checked_in",
            details={"checkedInAt": ticket.checked_in_at.isoformat()},
        )
    user = await session.get(User, ticket.user_id)
    tier = await session.get(EventTicketTier, ticket.tier_id) if ticket.tier_id else None
    assert user is not None and ticket.checked_in_at is not None
    return CheckInResult(
        admitted=True,
        ticket_id=ticket.id,
        attendee_name=user.name,
        tier_name=tier.name if tier else None,
        checked_in_at=ticket.checked_in_at,
    )


async def stats(session: AsyncSession, event_id: uuid.UUID) -> EventStats:
    event = await admin_get(session, event_id)
    counts = (
        await session.execute(
            select(
                func.count().filter(EventTicket.status == TicketStatus.active),
                func.count().filter(EventTicket.status == TicketStatus.cancelled),
                func.count().filter(
                    EventTicket.status == TicketStatus.active,
                    EventTicket.checked_in_at.is_not(None),
                ),
            ).where(EventTicket.event_id == event_id)
        )
    ).one()
    waiting = (
        await session.execute(
            select(
                func.count().filter(EventWaitlistEntry.status == WaitlistStatus.waiting),
                func.count().filter(EventWaitlistEntry.status == WaitlistStatus.offered),
            ).where(EventWaitlistEntry.event_id == event_id)
        )
    ).one()
    active, cancelled, checked_in = (int(c) for c in counts)
    tiers = await repository.tiers_of(session, [event.id])
    return EventStats(
        capacity=event.capacity,
        seats_taken=event.seats_taken,
        seats_left=event.seats_left,
        tickets_active=active,
        tickets_cancelled=cancelled,
        checked_in=checked_in,
        attendance_rate=round(checked_in / active, 4) if active else 0.0,
        waitlist_waiting=int(waiting[0]),
        waitlist_offered=int(waiting[1]),
        tiers=[
            TierStats(tier_id=t.id, name=t.name, sold=t.sold, quantity_limit=t.quantity_limit)
            for t in tiers
        ],
    )
