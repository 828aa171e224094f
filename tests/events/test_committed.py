"""What needs real commits: free registration under concurrency over a real socket, and the
reminder job run by two workers at once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import func, select, update

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.events.tasks import send_reminders
from authorhub.kit.time import utcnow
from authorhub.models import (
    Event,
    EventReminder,
    EventTicket,
    MailMessage,
    Role,
    TicketStatus,
    User,
)
from tests.events.helpers import make_event
from tests.fixtures.auth import bearer, make_user


async def _users(committed: Database, settings: Settings, n: int) -> list[dict[str, str]]:
    async with committed.session() as session:
        users = [await make_user(session) for _ in range(n)]
    return [bearer(settings, user) for user in users]


async def test_a_hundred_concurrent_registrations_for_ten_free_seats(
    live_server: str, committed: Database, settings: Settings
) -> None:
    admin = bearer(settings, await _admin(committed))
    members = await _users(committed, settings, 100)
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        event = await make_event(http, admin, capacity=10)
        answers = await asyncio.gather(
            *(http.post(f"/api/events/{event['id']}/register", headers=h) for h in members)
        )
        # One member asking 20 times at once still gets one ticket.
        twenty = await asyncio.gather(
            *(
                http.post(f"/api/events/{event['id']}/register", headers=members[0])
                for _ in range(20)
            )
        )
    assert sorted(a.status_code for a in answers) == [201] * 10 + [409] * 90
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"event_full"}
    assert {a.status_code for a in twenty} == {409}
    async with committed.session() as session:
        tickets = await session.scalar(
            select(func.count())
            .select_from(EventTicket)
            .where(EventTicket.event_id == uuid.UUID(event["id"]))
        )
        seats = await session.scalar(
            select(Event.seats_taken).where(Event.id == uuid.UUID(event["id"]))
        )
    assert (tickets, seats) == (10, 10)


async def _admin(committed: Database) -> User:
    async with committed.session() as session:
        return await make_user(session, role=Role.admin)


async def test_reminders_go_once_per_attendee_even_with_two_workers(
    committed_client: httpx.AsyncClient, committed: Database, settings: Settings
) -> None:
    admin = bearer(settings, await _admin(committed))
    soon = await make_event(committed_client, admin, title="Soon")
    later = await make_event(committed_client, admin, title="Later")
    attendees = await _users(committed, settings, 3)
    for headers in attendees:
        for event in (soon, later):
            answer = await committed_client.post(
                f"/api/events/{event['id']}/register", headers=headers
            )
            assert answer.status_code == 201, answer.text
    # One attendee cancels the sooner one; the later event is cancelled by the author.
    [ticket] = [
        t
        for t in (await committed_client.get("/api/me/tickets", headers=attendees[0])).json()[
            "data"
        ]
        if t["event"]["id"] == soon["id"]
    ]
    await committed_client.post(f"/api/me/tickets/{ticket['id']}/cancel", headers=attendees[0])
    await committed_client.post(f"/api/admin/events/{later['id']}/cancel", json={}, headers=admin)
    async with committed.session() as session:
        for event, hours in ((soon, 20), (later, 20)):
            start = utcnow() + timedelta(hours=hours)
            await session.execute(
                update(Event)
                .where(Event.id == uuid.UUID(event["id"]))
                .values(starts_at=start, ends_at=start + timedelta(hours=2))
            )

    async def worker() -> int:
        async with committed.session() as session:
            return await send_reminders(session)

    sent = await asyncio.gather(worker(), worker())
    assert sum(sent) == 2, sent  # between them, each of the two tickets once
    assert await _reminder_mails(committed, "Soon") == 2  # two active tickets, once each
    assert await _reminder_mails(committed, "Later") == 0  # cancelled event
    assert sum(await asyncio.gather(worker(), worker())) == 0  # nothing twice

    # An hour before: the 1-hour reminder, once.
    async with committed.session() as session:
        start = utcnow() + timedelta(minutes=50)
        await session.execute(
            update(Event)
            .where(Event.id == uuid.UUID(soon["id"]))
            .values(starts_at=start, ends_at=start + timedelta(hours=2))
        )
    assert sum(await asyncio.gather(worker(), worker())) == 2
    async with committed.session() as session:
        kinds = list(
            await session.execute(
                select(EventReminder.reminder, func.count())
                .join(EventTicket, EventTicket.id == EventReminder.ticket_id)
                .where(EventTicket.status == TicketStatus.active)
                .group_by(EventReminder.reminder)
                .order_by(EventReminder.reminder)
            )
        )
    assert [tuple(k) for k in kinds] == [("1h", 2), ("24h", 2)]


async def _reminder_mails(committed: Database, title: str) -> int:
    async with committed.session() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(MailMessage)
                .where(MailMessage.subject.startswith(f"Reminder: {title} "))
            )
            or 0
        )
