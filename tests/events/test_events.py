"""Events through the API in one rolled-back transaction: the admin's edits and their 422s,
the public list and detail, free registration, the waiting list, tickets and their QR codes,
calendar files, check-in and the attendee list."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.config import Settings
from authorhub.kit.time import utcnow
from authorhub.models import Event, EventWaitlistEntry, MailMessage, Role
from tests.events.helpers import event_body, make_event
from tests.fixtures.auth import bearer, make_user

TIERS = [
    {"name": "Early bird", "priceNgn": 1_000_000, "quantityLimit": 3},
    {"name": "Regular", "priceNgn": 2_000_000, "priceUsd": 2_000},
]


async def _people(db: AsyncSession, settings: Settings, n: int) -> list[dict[str, str]]:
    return [bearer(settings, await make_user(db)) for _ in range(n)]


def _fields(response: httpx.Response) -> list[str]:
    return [d["field"] for d in response.json().get("details") or []]


# --- the admin's edits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endsAt": "2020-01-01T00:00:00Z"}, "endsAt"),
        ({"eventType": "rave"}, "eventType"),
        ({"capacity": 0}, "capacity"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"isOnline": False, "location": None}, "location"),
        ({"refundPolicy": "until_days"}, "refundDays"),
        ({"startsAt": "not a date"}, "startsAt"),
        ({"title": "x\x00y"}, "title"),
        ({"seatsTaken": 3}, "seatsTaken"),
    ],
)
async def test_bad_event_input_is_a_422_naming_the_field_and_stores_nothing(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    db: AsyncSession,
    change: dict[str, Any],
    field: str,
) -> None:
    response = await client.post(
        "/api/admin/events", json=event_body(**change), headers=admin_headers
    )
    assert response.status_code == 422, response.text
    assert any(field in f for f in _fields(response)), response.json()
    assert await db.scalar(select(Event.id)) is None


async def test_tier_rules_are_422s_naming_the_field(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    event = await make_event(client, admin_headers, isFree=False, publish=False)
    url = f"/api/admin/events/{event['id']}/tiers"
    too_many = await client.post(
        url, json={"name": "VIP", "priceNgn": 100, "quantityLimit": 11}, headers=admin_headers
    )
    late = await client.post(
        url,
        json={"name": "VIP", "priceNgn": 100, "salesEnd": event["endsAt"]},
        headers=admin_headers,
    )
    free = await make_event(client, admin_headers, publish=False, title="Free one")
    on_free = await client.post(
        f"/api/admin/events/{free['id']}/tiers",
        json={"name": "VIP", "priceNgn": 100},
        headers=admin_headers,
    )
    assert (too_many.status_code, _fields(too_many)) == (422, ["quantityLimit"])
    assert (late.status_code, _fields(late)) == (422, ["salesEnd"])
    assert (on_free.status_code, _fields(on_free)) == (422, ["isFree"])
    unpublishable = await client.post(
        f"/api/admin/events/{event['id']}/publish", headers=admin_headers
    )
    assert (unpublishable.status_code, _fields(unpublishable)) == (422, ["tiers"])


async def test_only_admins_edit_and_moderators_only_read_and_check_in(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, admin_headers: dict[str, str]
) -> None:
    moderator = bearer(settings, await make_user(db, role=Role.moderator))
    member = bearer(settings, await make_user(db))
    event = await make_event(client, admin_headers)
    for headers, expected in ((moderator, 403), (member, 403)):
        edit = await client.patch(
            f"/api/admin/events/{event['id']}", json={"capacity": 50}, headers=headers
        )
        create = await client.post("/api/admin/events", json=event_body(), headers=headers)
        assert (edit.status_code, create.status_code) == (expected, expected)
    assert (
        await client.get(f"/api/admin/events/{event['id']}/stats", headers=moderator)
    ).status_code == 200
    assert (
        await client.get(f"/api/admin/events/{event['id']}/stats", headers=member)
    ).status_code == 403


# --- reading --------------------------------------------------------------------------------


async def test_the_list_shows_published_upcoming_events_filtered_without_n_plus_one(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    db: AsyncSession,
    engine: AsyncEngine,
) -> None:
    for n in range(6):
        await make_event(
            client, admin_headers, title=f"Workshop {n}", tiers=TIERS if n % 2 else None
        )
    webinar = await make_event(
        client,
        admin_headers,
        title="Webinar",
        eventType="webinar",
        isOnline=True,
        location=None,
        meetingUrl="https://meet.example.com/x",
    )
    await make_event(client, admin_headers, title="Draft", publish=False)
    past = await make_event(client, admin_headers, title="Past")
    await db.execute(
        update(Event)
        .where(Event.id == uuid.UUID(past["id"]))
        .values(
            starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=3, hours=-2)
        )
    )

    statements: list[str] = []

    def count(*args: Any) -> None:
        if "SAVEPOINT" not in args[2]:
            statements.append(args[2])

    sa_event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        listed = await client.get("/api/events?limit=5")
    finally:
        sa_event.remove(engine.sync_engine, "before_cursor_execute", count)
    body = listed.json()
    assert listed.status_code == 200
    assert body["pagination"]["total"] == 7  # no draft, no past event
    assert len(body["data"]) == 5
    assert len(statements) == 3, statements  # count, page, the page's tiers
    assert [e["title"] for e in (await client.get("/api/events?type=webinar")).json()["data"]] == [
        "Webinar"
    ]
    online = (await client.get("/api/events?online=true")).json()["data"]
    assert [e["location"] for e in online] == ["online"]
    paid = (await client.get("/api/events?free=false&limit=100")).json()["data"]
    assert {e["priceFromNgn"] for e in paid} == {1_000_000}
    assert [e["title"] for e in (await client.get("/api/events?when=past")).json()["data"]] == [
        "Past"
    ]
    assert (await client.get("/api/events?type=rave")).status_code == 422
    detail = (await client.get(f"/api/events/{webinar['slug']}")).json()["data"]
    assert detail["startsAtLocal"].endswith("+01:00")  # Africa/Lagos
    assert detail["meetingUrl"] is None  # a visitor never sees it


async def test_a_draft_is_404_for_the_public(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    draft = await make_event(client, admin_headers, publish=False)
    assert (await client.get(f"/api/events/{draft['id']}")).status_code == 404
    assert (await client.get(f"/api/events/{draft['slug']}/calendar.ics")).status_code == 404


async def test_the_calendar_file_parses(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    event = await make_event(client, admin_headers, agenda=[{"title": "Welcome"}])
    response = await client.get(f"/api/events/{event['id']}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    [entry] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(entry["summary"]) == event["title"]
    assert entry.decoded("dtstart").isoformat() == event["startsAt"].replace("Z", "+00:00")
    assert str(entry["location"]) == "Terra Kulture, Lagos"


# --- registering, the waiting list ----------------------------------------------------------


async def test_free_registration_waiting_list_and_a_held_seat(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    db: AsyncSession,
    settings: Settings,
    run_jobs: Any,
) -> None:
    event = await make_event(client, admin_headers, capacity=2)
    first, second, third, fourth = await _people(db, settings, 4)
    url = f"/api/events/{event['id']}"
    one = await client.post(f"{url}/register", headers=first)
    assert one.status_code == 201, one.text
    again = await client.post(f"{url}/register", headers=first)
    assert again.json()["code"] == "already_registered"
    early_wait = await client.post(f"{url}/waitlist", headers=third)
    assert early_wait.json()["code"] == "seats_available"
    assert (await client.post(f"{url}/register", headers=second)).status_code == 201
    full = await client.post(f"{url}/register", headers=third)
    assert (full.status_code, full.json()["code"]) == (409, "event_full")

    joined = await client.post(f"{url}/waitlist", headers=third)
    assert joined.status_code == 201 and joined.json()["data"]["position"] == 1
    assert (await client.post(f"{url}/waitlist", headers=fourth)).json()["data"]["position"] == 2

    # The first attendee cancels: the seat is held for the first in line, not sold.
    [ticket] = (await client.get("/api/me/tickets", headers=first)).json()["data"]
    cancelled = await client.post(f"/api/me/tickets/{ticket['id']}/cancel", headers=first)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["data"]["status"] == "cancelled"
    held = (await client.get(url, headers=third)).json()["data"]
    assert held["waitlistStatus"] == "offered" and held["seatsLeft"] == 0
    offer_mail = await db.scalar(
        select(MailMessage).where(MailMessage.subject.startswith("A seat is free for you"))
    )
    assert offer_mail is not None and "claim=1" in offer_mail.text_body
    newcomer = bearer(settings, await make_user(db))
    assert (await client.post(f"{url}/register", headers=newcomer)).json()["code"] == "event_full"
    assert (await client.post(f"{url}/waitlist/claim", headers=fourth)).json()["code"] == (
        "no_held_seat"
    )

    claimed = await client.post(f"{url}/waitlist/claim", headers=third)
    assert claimed.status_code == 201, claimed.text
    assert claimed.json()["data"]["ticket"]["status"] == "active"

    # Leaving the list.
    left = await client.delete(f"{url}/waitlist", headers=fourth)
    assert left.status_code == 204
    assert (await client.get(f"{url}/waitlist", headers=fourth)).status_code == 404


async def test_an_expired_hold_passes_to_the_next_in_line(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    db: AsyncSession,
    settings: Settings,
) -> None:
    from authorhub.events.service import expire_offers

    event = await make_event(client, admin_headers, capacity=1)
    holder, first, second = await _people(db, settings, 3)
    url = f"/api/events/{event['id']}"
    await client.post(f"{url}/register", headers=holder)
    await client.post(f"{url}/waitlist", headers=first)
    await client.post(f"{url}/waitlist", headers=second)
    [ticket] = (await client.get("/api/me/tickets", headers=holder)).json()["data"]
    await client.post(f"/api/me/tickets/{ticket['id']}/cancel", headers=holder)
    assert (await client.get(url, headers=first)).json()["data"]["waitlistStatus"] == "offered"

    await db.execute(
        update(EventWaitlistEntry)
        .where(EventWaitlistEntry.status == "offered")
        .values(offered_until=utcnow() - timedelta(minutes=1))
    )
    assert await expire_offers(db) == 1
    assert (await client.get(url, headers=first)).json()["data"]["waitlistStatus"] is None
    assert (await client.get(url, headers=second)).json()["data"]["waitlistStatus"] == "offered"
    assert (await client.post(f"{url}/waitlist/claim", headers=first)).status_code == 409
    assert (await client.post(f"{url}/waitlist/claim", headers=second)).status_code == 201


# --- tickets --------------------------------------------------------------------------------


async def test_tickets_qr_codes_and_another_members_ticket_is_404(
    client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession, settings: Settings
) -> None:
    event = await make_event(client, admin_headers)
    owner, other = await _people(db, settings, 2)
    await client.post(f"/api/events/{event['id']}/register", headers=owner)
    [ticket] = (await client.get("/api/me/tickets", headers=owner)).json()["data"]
    assert len(ticket["code"]) >= 20  # 128 random bits
    png = await client.get(f"/api/me/tickets/{ticket['id']}/qr.png", headers=owner)
    svg = await client.get(f"/api/me/tickets/{ticket['id']}/qr.svg", headers=owner)
    assert png.content.startswith(b"\x89PNG") and png.headers["content-type"] == "image/png"
    assert b"<svg" in svg.content
    for path in ("", "/qr.png", "/cancel"):
        method = client.post if path == "/cancel" else client.get
        stranger = await method(f"/api/me/tickets/{ticket['id']}{path}", headers=other)
        assert stranger.status_code == 404, path
    assert (await client.get("/api/me/tickets", headers=other)).json()["data"] == []
    confirmation = await db.scalar(
        select(MailMessage).where(MailMessage.subject.startswith("You're in"))
    )
    assert confirmation is not None
    assert "calendar.google.com" in confirmation.text_body
    assert f"/api/events/{event['id']}/calendar.ics" in confirmation.text_body


async def test_the_meeting_link_shows_to_attendees_from_an_hour_before(
    client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession, settings: Settings
) -> None:
    event = await make_event(
        client,
        admin_headers,
        isOnline=True,
        location=None,
        meetingUrl="https://meet.example.com/secret",
    )
    attendee, outsider = await _people(db, settings, 2)
    url = f"/api/events/{event['id']}"
    await client.post(f"{url}/register", headers=attendee)
    early = (await client.get(url, headers=attendee)).json()["data"]
    assert early["meetingUrl"] is None and early["meetingUrlAvailableAt"]
    start = utcnow() + timedelta(minutes=30)
    await db.execute(
        update(Event)
        .where(Event.id == uuid.UUID(event["id"]))
        .values(starts_at=start, ends_at=start + timedelta(hours=1))
    )
    assert (await client.get(url, headers=attendee)).json()["data"]["meetingUrl"] == (
        "https://meet.example.com/secret"
    )
    assert (await client.get(url, headers=outsider)).json()["data"]["meetingUrl"] is None


async def test_cancelling_after_the_deadline_is_refused(
    client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession, settings: Settings
) -> None:
    event = await make_event(client, admin_headers)
    [member] = await _people(db, settings, 1)
    await client.post(f"/api/events/{event['id']}/register", headers=member)
    await db.execute(
        update(Event)
        .where(Event.id == uuid.UUID(event["id"]))
        .values(cancellation_deadline=utcnow() - timedelta(minutes=1))
    )
    [ticket] = (await client.get("/api/me/tickets", headers=member)).json()["data"]
    refused = await client.post(f"/api/me/tickets/{ticket['id']}/cancel", headers=member)
    assert (refused.status_code, refused.json()["code"]) == (409, "cancellation_closed")


# --- the door -------------------------------------------------------------------------------


async def test_check_in_admits_once_and_refuses_unknown_and_other_events_codes(
    client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession, settings: Settings
) -> None:
    event = await make_event(client, admin_headers)
    other_event = await make_event(client, admin_headers, title="Another")
    moderator = bearer(settings, await make_user(db, role=Role.moderator, name="Door Keeper"))
    attendee = await make_user(db, name="Ada Attendee")
    member = bearer(settings, attendee)
    [other_member] = await _people(db, settings, 1)
    await client.post(f"/api/events/{event['id']}/register", headers=member)
    await client.post(f"/api/events/{other_event['id']}/register", headers=other_member)
    [ticket] = (await client.get("/api/me/tickets", headers=member)).json()["data"]
    [foreign] = (await client.get("/api/me/tickets", headers=other_member)).json()["data"]
    url = f"/api/admin/events/{event['id']}/check-in"

    first = await client.post(url, json={"code": ticket["code"]}, headers=moderator)
    assert first.status_code == 200, first.text
    assert first.json()["data"]["admitted"] is True
    second = await client.post(url, json={"code": ticket["code"]}, headers=moderator)
    assert (second.status_code, second.json()["code"]) == (409, "already_checked_in")
    assert second.json()["error"].startswith("Already checked in at ")
    unknown = await client.post(url, json={"code": "nope"}, headers=moderator)
    elsewhere = await client.post(url, json={"code": foreign["code"]}, headers=moderator)
    assert unknown.status_code == elsewhere.status_code == 404
    missing = await client.post(url, json={}, headers=moderator)
    assert (missing.status_code, _fields(missing)) == (422, ["body.code"])
    as_member = await client.post(url, json={"code": ticket["code"]}, headers=member)
    assert as_member.status_code == 403

    stats = (await client.get(f"/api/admin/events/{event['id']}/stats", headers=moderator)).json()[
        "data"
    ]
    assert (stats["ticketsActive"], stats["checkedIn"], stats["attendanceRate"]) == (1, 1, 1.0)

    listed = await client.get(f"/api/admin/events/{event['id']}/attendees", headers=moderator)
    assert [a["checkedInAt"] is not None for a in listed.json()["data"]] == [True]
    exported = await client.get(f"/api/admin/events/{event['id']}/attendees.csv", headers=moderator)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["name"], r["email"], r["code"]) for r in rows] == [
        ("Ada Attendee", attendee.email, ticket["code"])
    ]


async def test_a_larger_capacity_offers_seats_to_the_waiting_list(
    client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession, settings: Settings
) -> None:
    event = await make_event(client, admin_headers, capacity=2)
    first, second, waiting = await _people(db, settings, 3)
    for attendee in (first, second):
        await client.post(f"/api/events/{event['id']}/register", headers=attendee)
    await client.post(f"/api/events/{event['id']}/waitlist", headers=waiting)
    shrink = await client.patch(
        f"/api/admin/events/{event['id']}", json={"capacity": 1}, headers=admin_headers
    )
    assert (shrink.status_code, _fields(shrink)) == (422, ["capacity"])
    switch = await client.patch(
        f"/api/admin/events/{event['id']}", json={"isFree": False}, headers=admin_headers
    )
    assert (switch.status_code, _fields(switch)) == (422, ["isFree"])
    grown = await client.patch(
        f"/api/admin/events/{event['id']}", json={"capacity": 3}, headers=admin_headers
    )
    assert grown.status_code == 200, grown.text
    detail = (await client.get(f"/api/events/{event['id']}", headers=waiting)).json()["data"]
    assert detail["waitlistStatus"] == "offered"


# --- paid tickets in the cart, refund policies -----------------------------------------------


async def test_a_tier_goes_in_the_cart_and_shows_the_refund_policy_before_purchase(
    client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession, settings: Settings
) -> None:
    event = await make_event(
        client, admin_headers, tiers=TIERS, refundPolicy="until_days", refundDays=7
    )
    detail = (await client.get(f"/api/events/{event['slug']}")).json()["data"]
    assert detail["refund"]["policy"] == "until_days"
    assert "7 days before" in detail["refund"]["summary"]
    assert [t["name"] for t in detail["tiers"]] == ["Early bird", "Regular"]
    [member] = await _people(db, settings, 1)
    early = detail["tiers"][0]["id"]
    added = await client.post(
        "/api/cart/items",
        json={"kind": "event_ticket", "itemId": early, "quantity": 2},
        headers=member,
    )
    assert added.status_code == 200, added.text
    [line] = added.json()["data"]["items"]
    assert (line["unitPrice"], line["title"]) == (1_000_000, "Story Craft Workshop — Early bird")
    # The Early-bird limit (3) holds at checkout.
    too_many = await client.post(
        "/api/orders",
        json={"items": [{"kind": "event_ticket", "itemId": early, "quantity": 4}]},
        headers=member,
    )
    assert (too_many.status_code, too_many.json()["code"]) == (409, "out_of_stock")
    free_register = await client.post(f"/api/events/{event['id']}/register", headers=member)
    assert free_register.json()["code"] == "paid_event"


def test_refund_due_follows_the_policy() -> None:
    from authorhub.events.service import refund_due
    from authorhub.models import RefundPolicy

    now = utcnow()
    event = Event(starts_at=now + timedelta(days=5), refund_policy=RefundPolicy.full)
    assert refund_due(event, 1000, now) == 1000
    event.refund_policy = RefundPolicy.none
    assert refund_due(event, 1000, now) == 0
    event.refund_policy, event.refund_days = RefundPolicy.until_days, 7
    assert refund_due(event, 1000, now) == 0  # five days before: too late
    event.refund_days = 3
    assert refund_due(event, 1000, now) == 1000


async def test_paid_tickets_issue_once_and_unpaid_or_refunded_seats_go_to_the_waiting_list(
    client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession, settings: Settings
) -> None:
    from authorhub.models import EventTicket, Order
    from authorhub.orders.service import (
        expire_unpaid_orders,
        mark_order_paid,
        mark_order_refunded,
    )

    event = await make_event(client, admin_headers, capacity=2, tiers=[TIERS[1]])
    regular = event["tiers"][0]["id"]
    buyer, late, waiting = await _people(db, settings, 3)
    url = f"/api/events/{event['id']}"

    def order_of(headers: dict[str, str], quantity: int) -> Any:
        return client.post(
            "/api/orders",
            json={"items": [{"kind": "event_ticket", "itemId": regular, "quantity": quantity}]},
            headers=headers,
        )

    paid = (await order_of(buyer, 1)).json()["data"]
    unpaid = (await order_of(late, 1)).json()["data"]
    assert (await order_of(waiting, 1)).json()["code"] == "out_of_stock"
    assert (await client.post(f"{url}/waitlist", headers=waiting)).status_code == 201

    # Paying twice issues one ticket.
    for _ in range(2):
        await mark_order_paid(
            db,
            order_id=uuid.UUID(paid["id"]),
            payment_reference="ref-1",
            amount=2_000_000,
            currency="NGN",
        )
    tickets = list(
        await db.scalars(select(EventTicket).where(EventTicket.order_id == uuid.UUID(paid["id"])))
    )
    assert [t.status.value for t in tickets] == ["active"]

    # The unpaid order expires: its seat is offered to the waiting list, not put on sale.
    await db.execute(
        update(Order)
        .where(Order.id == uuid.UUID(unpaid["id"]))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    assert await expire_unpaid_orders(db) == 1
    assert (await client.get(url, headers=waiting)).json()["data"]["waitlistStatus"] == "offered"
    assert (await client.get(url)).json()["data"]["seatsLeft"] == 0

    # A refund confirmed by the provider cancels the ticket and frees its seat.
    await mark_order_refunded(
        db,
        order_id=uuid.UUID(paid["id"]),
        amount=2_000_000,
        currency="NGN",
        refund_reference="rf-1",
    )
    await db.refresh(tickets[0])
    assert tickets[0].status.value == "cancelled"
    assert (await client.get(url)).json()["data"]["seatsLeft"] == 1


async def test_deleting_a_draft_and_a_tier_that_sold_is_taken_off_sale(
    client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession, settings: Settings
) -> None:
    draft = await make_event(client, admin_headers, publish=False)
    assert (
        await client.delete(f"/api/admin/events/{draft['id']}", headers=admin_headers)
    ).status_code == 204
    assert (
        await client.get(f"/api/admin/events/{draft['id']}", headers=admin_headers)
    ).status_code == 404

    event = await make_event(client, admin_headers, tiers=TIERS)
    early, regular = (t["id"] for t in event["tiers"])
    [member] = await _people(db, settings, 1)
    placed = await client.post(
        "/api/orders", json={"items": [{"kind": "event_ticket", "itemId": early}]}, headers=member
    )
    assert placed.status_code == 201, placed.text
    refused = await client.delete(f"/api/admin/events/{event['id']}", headers=admin_headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "event_not_deletable")
    for tier in (early, regular):
        gone = await client.delete(
            f"/api/admin/events/{event['id']}/tiers/{tier}", headers=admin_headers
        )
        assert gone.status_code == 204
    shown = (await client.get(f"/api/events/{event['id']}")).json()["data"]
    assert shown["tiers"] == []  # the sold one is off sale, the other deleted
    stats = (
        await client.get(f"/api/admin/events/{event['id']}/stats", headers=admin_headers)
    ).json()["data"]
    assert [(t["name"], t["sold"]) for t in stats["tiers"]] == [("Early bird", 1)]
