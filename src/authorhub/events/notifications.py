"""The emails of events: ticket confirmed (with the calendar file and an "add to calendar"
link), a seat offered from the waiting list, reminders, cancellations."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings, get_settings
from authorhub.mail.service import send_mail
from authorhub.models import Event, EventTicket, User


def local_time(event: Event, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(event.timezone)).strftime(
        f"%A %d %B %Y, %H:%M ({event.timezone})"
    )


def where(event: Event) -> str:
    return "online" if event.is_online else (event.location or "to be announced")


def calendar_url(event: Event, settings: Settings) -> str:
    return f"{settings.public_url.rstrip('/')}/api/events/{event.id}/calendar.ics"


def add_to_google_calendar(event: Event) -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    query = urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{event.starts_at.strftime(stamp)}/{event.ends_at.strftime(stamp)}",
            "details": event.summary or "",
            "location": where(event),
        }
    )
    return f"https://calendar.google.com/calendar/render?{query}"


def event_page(event: Event, settings: Settings) -> str:
    return f"{settings.frontend_base}/events/{event.slug}"


async def _notice(
    session: AsyncSession,
    user: User,
    *,
    key: str,
    subject: str,
    paragraphs: list[str],
    action_label: str,
    action_url: str,
) -> None:
    await send_mail(
        session,
        to=user.email,
        template="notice",
        context={
            "name": user.name,
            "subject": subject,
            "paragraphs": paragraphs,
            "action_label": action_label,
            "action_url": action_url,
        },
        idempotency_key=key,
    )


async def ticket_confirmed(
    session: AsyncSession, event: Event, user: User, tickets: list[EventTicket]
) -> None:
    settings = get_settings()
    count = len(tickets)
    await _notice(
        session,
        user,
        key=f"event_ticket/{tickets[0].id}",
        subject=f"You're in: {event.title}",
        paragraphs=[
            f"Your {'ticket is' if count == 1 else f'{count} tickets are'} confirmed for "
            f"“{event.title}”, {local_time(event, event.starts_at)}, {where(event)}.",
            "Ticket code(s): "
            + ", ".join(t.code for t in tickets)
            + ". Show the QR code from My tickets at the door.",
            f"Calendar file: {calendar_url(event, settings)}",
        ],
        action_label="Add to calendar",
        action_url=add_to_google_calendar(event),
    )


async def seat_offered(
    session: AsyncSession, event: Event, user: User, *, offer_id: str, until: datetime
) -> None:
    settings = get_settings()
    await _notice(
        session,
        user,
        key=f"event_offer/{offer_id}",
        subject=f"A seat is free for you: {event.title}",
        paragraphs=[
            f"A seat at “{event.title}” ({local_time(event, event.starts_at)}) has been freed "
            "and is held for you as the first on the waiting list.",
            f"It is yours until {local_time(event, until)}; after that it goes to the next "
            "person in line.",
        ],
        action_label="Claim your seat",
        action_url=f"{event_page(event, settings)}?claim=1",
    )


async def reminder(
    session: AsyncSession, event: Event, user: User, ticket: EventTicket, which: str
) -> None:
    settings = get_settings()
    soon = "in an hour" if which == "1h" else "tomorrow"
    await _notice(
        session,
        user,
        key=f"event_reminder/{ticket.id}/{which}",
        subject=f"Reminder: {event.title} starts {soon}",
        paragraphs=[
            f"“{event.title}” starts {local_time(event, event.starts_at)}, {where(event)}.",
            f"Your ticket code: {ticket.code}.",
        ],
        action_label="Event details",
        action_url=event_page(event, settings),
    )


async def event_cancelled(
    session: AsyncSession, event: Event, user: User, *, ticket: EventTicket, refunded: bool
) -> None:
    settings = get_settings()
    paragraphs = [
        f"We are sorry: “{event.title}” ({local_time(event, event.starts_at)}) has been cancelled."
    ]
    if event.cancel_reason:
        paragraphs.append(event.cancel_reason)
    if refunded:
        paragraphs.append("Your ticket will be refunded in full to your original payment method.")
    await _notice(
        session,
        user,
        key=f"event_cancelled/{ticket.id}",
        subject=f"Cancelled: {event.title}",
        paragraphs=paragraphs,
        action_label="Other events",
        action_url=f"{settings.frontend_base}/events",
    )


async def registration_cancelled(
    session: AsyncSession, event: Event, user: User, ticket: EventTicket, refund: int
) -> None:
    settings = get_settings()
    paragraphs = [f"Your ticket {ticket.code} for “{event.title}” is cancelled."]
    if refund:
        paragraphs.append("The refund under the event's policy is on its way.")
    await _notice(
        session,
        user,
        key=f"event_ticket_cancelled/{ticket.id}",
        subject=f"Ticket cancelled: {event.title}",
        paragraphs=paragraphs,
        action_label="Event details",
        action_url=event_page(event, settings),
    )
