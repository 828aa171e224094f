"""The events' screens over HTTP: the check-in screen for moderators and admins (admits once,
then says when; refuses an unknown code), the events list and an event's page for admins
(publish, cancel with a reason through `flows.events`), roles, forged forms, statement counts."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.events import service as events
from authorhub.events.schemas import EventCreate
from authorhub.kit.time import utcnow
from authorhub.models import AuditLog, Event, EventStatus, EventTicket, Role, TicketStatus
from tests.admin.conftest import Signed, csrf_of, person, sign_in, statements_of


async def _audit(db: AsyncSession) -> list[str]:
    rows = await db.scalars(
        select(AuditLog.event)
        .where(AuditLog.event.startswith("admin."))
        .order_by(AuditLog.created_at)
    )
    return list(rows)


async def _event(
    db: AsyncSession, *, title: str = "Story Craft Workshop", publish: bool = True, **fields: Any
) -> Event:
    start = utcnow().replace(microsecond=0) + timedelta(days=10)
    event = await events.create_event(
        db,
        EventCreate(
            title=title,
            event_type="workshop",
            is_online=False,
            location="Terra Kulture, Lagos",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            capacity=10,
            is_free=True,
            **fields,
        ),
    )
    if publish:
        await events.publish_event(db, event.id)
    await db.flush()
    return event


async def _ticket(db: AsyncSession, event: Event, name: str = "Ada Attendee") -> EventTicket:
    attendee = await person(db, Role.member, name=name)
    return await events.register(db, event_id=event.id, user=attendee)


async def _signed(db: AsyncSession, http: httpx.AsyncClient, role: Role) -> Signed:
    user = await person(db, role)
    assert (await sign_in(http, user.email)).status_code == 303
    return Signed(http, user)


class TestRoles:
    async def test_a_moderator_checks_in_but_cannot_open_or_change_events(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        event = await _event(db)
        await _signed(db, admin_http, Role.moderator)
        page = await admin_http.get(f"/admin/events/checkin?event={event.id}")
        assert page.status_code == 200
        assert '<a href="/admin/events/checkin" aria-current="page">Check-in' in page.text
        assert 'href="/admin/events"' not in page.text  # not in a moderator's navigation
        for path in (
            "/admin/events",
            f"/admin/events/{event.id}",
            f"/admin/events/{event.id}/attendees.csv",
        ):
            assert (await admin_http.get(path)).status_code == 403, path
        token = csrf_of(page.text)
        for action in ("publish", "cancel"):
            refused = await admin_http.post(
                f"/admin/events/{event.id}/{action}", data={"csrf_token": token, "reason": "x"}
            )
            assert refused.status_code == 403, action
        await db.refresh(event)
        assert event.status == EventStatus.published
        assert await _audit(db) == []

    async def test_a_member_gets_403(self, db: AsyncSession, admin_http: httpx.AsyncClient) -> None:
        event = await _event(db)
        await _signed(db, admin_http, Role.member)
        for path in ("/admin/events/checkin", "/admin/events", f"/admin/events/{event.id}"):
            assert (await admin_http.get(path)).status_code == 403, path


class TestCheckIn:
    async def test_a_code_is_admitted_once_then_already_checked_in(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        event = await _event(db)
        ticket = await _ticket(db, event)
        signed = await _signed(db, admin_http, Role.moderator)
        page = await admin_http.get(f"/admin/events/checkin?event={event.id}")
        assert "0 of 1" in page.text
        form = {"code": ticket.code, "csrf_token": csrf_of(page.text)}

        first = await admin_http.post(f"/admin/events/{event.id}/checkin", data=form)
        assert first.status_code == 303
        shown = await admin_http.get(first.headers["location"])
        assert "Admitted: Ada Attendee." in shown.text
        assert "1 of 1 (100.0%)" in shown.text
        await db.refresh(ticket)
        assert ticket.checked_in_at is not None
        assert ticket.checked_in_by_id == signed.user.id

        again = await admin_http.post(f"/admin/events/{event.id}/checkin", data=form)
        shown = html.unescape((await admin_http.get(again.headers["location"])).text)
        assert f"{ticket.code}: Already checked in at {ticket.checked_in_at.isoformat()}" in shown
        assert await _audit(db) == ["admin.event.check_in"]  # audited only when admitted

    async def test_unknown_codes_and_other_events_codes_are_refused(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        event = await _event(db)
        other = await _event(db, title="Another evening")
        ticket = await _ticket(db, other)
        await _signed(db, admin_http, Role.admin)
        token = csrf_of((await admin_http.get(f"/admin/events/checkin?event={event.id}")).text)
        for code in ("NOPE-1234", ticket.code):
            response = await admin_http.post(
                f"/admin/events/{event.id}/checkin", data={"code": code, "csrf_token": token}
            )
            shown = (await admin_http.get(response.headers["location"])).text
            assert "No ticket of this event has this code." in shown
        await db.refresh(ticket)
        assert ticket.checked_in_at is None

    async def test_a_forged_form_is_refused(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        event = await _event(db)
        ticket = await _ticket(db, event)
        await _signed(db, admin_http, Role.moderator)
        response = await admin_http.post(
            f"/admin/events/{event.id}/checkin", data={"code": ticket.code, "csrf_token": "forged"}
        )
        assert response.status_code == 403
        await db.refresh(ticket)
        assert ticket.checked_in_at is None


class TestEventPages:
    async def test_list_filters_by_status_in_a_fixed_number_of_statements(
        self, db: AsyncSession, signed_admin: Signed, engine: AsyncEngine
    ) -> None:
        await _event(db, title="Published one")
        await _event(db, title="Draft one", publish=False)
        drafts = (await signed_admin.http.get("/admin/events?status=draft")).text
        assert "Draft one" in drafts and "Published one" not in drafts
        few = await statements_of(engine, signed_admin.http, "/admin/events")
        for i in range(15):
            await _event(db, title=f"More {i}")
        many = await statements_of(engine, signed_admin.http, "/admin/events")
        assert len(few) == len(many) <= 5, many

    async def test_detail_shows_attendees_in_a_fixed_number_of_statements(
        self, db: AsyncSession, signed_admin: Signed, engine: AsyncEngine
    ) -> None:
        event = await _event(db)
        await _ticket(db, event, name="Bola Reader")
        path = f"/admin/events/{event.id}"
        page = await signed_admin.http.get(path)
        assert "Bola Reader" in page.text
        assert f'href="/admin/events/{event.id}/attendees.csv"' in page.text
        few = await statements_of(engine, signed_admin.http, path)
        for i in range(5):
            await _ticket(db, event, name=f"Reader {i}")
        many = await statements_of(engine, signed_admin.http, path)
        assert len(few) == len(many), many
        csv = await signed_admin.http.get(f"{path}/attendees.csv")
        assert csv.status_code == 200 and csv.text.count("\n") == 7  # heading and six people

    async def test_publish_then_cancel_with_a_reason(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        event = await _event(db, publish=False)
        ticket = await _ticket_after_publish(db, signed_admin, event)
        token = csrf_of((await signed_admin.http.get(f"/admin/events/{event.id}")).text)
        no_reason = await signed_admin.http.post(
            f"/admin/events/{event.id}/cancel", data={"csrf_token": token, "reason": " "}
        )
        assert "say why" in (await signed_admin.http.get(no_reason.headers["location"])).text
        await db.refresh(event)
        assert event.status == EventStatus.published
        done = await signed_admin.http.post(
            f"/admin/events/{event.id}/cancel",
            data={"csrf_token": token, "reason": "The venue flooded"},
        )
        assert "Cancelled" in (await signed_admin.http.get(done.headers["location"])).text
        await db.refresh(event)
        await db.refresh(ticket)
        assert event.status == EventStatus.cancelled
        assert event.cancel_reason == "The venue flooded"
        assert ticket.status == TicketStatus.cancelled
        twice = await signed_admin.http.post(
            f"/admin/events/{event.id}/cancel", data={"csrf_token": token, "reason": "again"}
        )
        assert "already cancelled" in (await signed_admin.http.get(twice.headers["location"])).text
        assert await _audit(db) == ["admin.event.publish", "admin.event.cancel"]


async def _ticket_after_publish(db: AsyncSession, signed: Signed, event: Event) -> EventTicket:
    page = await signed.http.get(f"/admin/events/{event.id}")
    published = await signed.http.post(
        f"/admin/events/{event.id}/publish", data={"csrf_token": csrf_of(page.text)}
    )
    assert "Published." in (await signed.http.get(published.headers["location"])).text
    await db.refresh(event)
    assert event.status == EventStatus.published
    return await _ticket(db, event)


class TestEventForm:
    async def test_create_then_edit_and_a_refusal_keeps_what_was_typed(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        token = csrf_of((await http.get("/admin/events/new")).text)
        form = {
            "csrf_token": token,
            "title": "Poetry Night",
            "event_type": "meet_greet",
            "location": "Freedom Park, Lagos",
            "starts_at": "2031-03-01T18:00",
            "ends_at": "2031-03-01T21:00",
            "capacity": "40",
            "is_free": "on",
        }
        created = await http.post("/admin/events/new", data=form)
        assert created.status_code == 303, created.text
        event = await db.scalar(select(Event).where(Event.title == "Poetry Night"))
        assert event is not None
        assert event.status == EventStatus.draft and event.capacity == 40 and event.is_free
        assert event.starts_at.isoformat() == "2031-03-01T18:00:00+00:00"

        refused = await http.post(
            f"/admin/events/{event.id}/edit",
            data={**form, "title": "Poetry Night, moved", "ends_at": "2031-03-01T17:00"},
        )
        assert refused.status_code == 422
        assert "Poetry Night, moved" in refused.text  # what was typed stays
        await db.refresh(event)
        assert event.title == "Poetry Night"

        saved = await http.post(
            f"/admin/events/{event.id}/edit", data={**form, "capacity": "60", "is_free": ""}
        )
        assert saved.status_code == 303
        await db.refresh(event)
        assert event.capacity == 60 and event.is_free  # free stays as created
        assert await _audit(db) == ["admin.event.create", "admin.event.update"]

    async def test_a_moderator_cannot_create_events(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        await _signed(db, admin_http, Role.moderator)
        assert (await admin_http.get("/admin/events/new")).status_code == 403


class TestSeededEvents:
    async def test_every_demo_event_and_a_bare_agenda_item_render(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        """`make run`'s events open in the admin (their agenda once lacked `startsAt`, a 500),
        and so does an agenda item stored with a title alone."""
        from authorhub.config import get_settings
        from authorhub.events.seed import seed_events

        await seed_events(db, get_settings())
        bare = await _event(db, title="Bare agenda")
        bare.agenda = [{"title": "Only a title"}]
        await db.flush()
        await _signed(db, admin_http, Role.admin)
        seeded = list(await db.scalars(select(Event)))
        assert len(seeded) >= 4
        for event in seeded:
            page = await admin_http.get(f"/admin/events/{event.id}")
            assert page.status_code == 200, (event.slug, page.text[:300])
            for item in event.agenda:
                assert html.escape(item["title"]) in page.text
        workshop = next(e for e in seeded if e.slug == "lagos-story-craft-workshop")
        page = await admin_http.get(f"/admin/events/{workshop.id}")
        assert "UTC</span> <strong>Character</strong>" in page.text
