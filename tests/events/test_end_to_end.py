"""Issue 13's "done when", over a real socket with the job worker and the payment sandbox:
100 members try to buy 10 seats at once and exactly 10 get tickets; the 11th joins the waiting
list, a cancellation offers her the seat (held: nobody else can buy it), she buys it through
the sandbox; check-in admits once; the .ics parses; cancelling the event refunds every paid
ticket exactly once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from icalendar import Calendar
from sqlalchemy import func, select

from authorhub.models import (
    EventTicket,
    MailMessage,
    Order,
    OrderStatus,
    PaymentRefund,
    TicketStatus,
)
from tests.events.helpers import make_event
from tests.payments.shop import PAYSTACK, Shop, eventually

PRICE = 500_000  # ₦5,000


async def _active_tickets(shop: Shop, event_id: str) -> int:
    return await shop.count(
        EventTicket,
        EventTicket.event_id == uuid.UUID(event_id),
        EventTicket.status == TicketStatus.active,
    )


async def _pay(shop: Shop, order: dict[str, Any], headers: dict[str, str]) -> None:
    started = await shop.initialize(PAYSTACK, order, headers)
    await shop.checkout(started, "pay")


async def test_a_hundred_members_ten_seats_waiting_list_check_in_and_event_cancelled(
    live_shop: Shop,
) -> None:
    shop = live_shop
    _, admin = await shop.admin()
    event = await make_event(
        shop.http,
        admin,
        capacity=10,
        refundPolicy="full",
        tiers=[{"name": "Regular", "priceNgn": PRICE}],
    )
    [tier] = event["tiers"]
    item = {"kind": "event_ticket", "itemId": tier["id"]}
    members = [await shop.customer() for _ in range(100)]

    # 100 members at once, for 10 seats: the database settles it.
    async def buy(headers: dict[str, str]) -> Any:
        return await shop.http.post("/api/orders", json={"items": [item]}, headers=headers)

    answers = await asyncio.gather(*(buy(headers) for _, headers in members))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 10 + [409] * 90, statuses
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"out_of_stock"}
    winners = [
        (members[i][1], answers[i].json()["data"])
        for i in range(100)
        if answers[i].status_code == 201
    ]
    await asyncio.gather(*(_pay(shop, order, headers) for headers, order in winners))
    await eventually(lambda: _ten(shop, event["id"]), timeout=60)
    detail = (await shop.http.get(f"/api/events/{event['id']}")).json()["data"]
    assert detail["seatsLeft"] == 0

    # The 11th joins the waiting list.
    eleventh = next(
        headers for i, (_, headers) in enumerate(members) if answers[i].status_code == 409
    )
    joined = await shop.http.post(f"/api/events/{event['id']}/waitlist", headers=eleventh)
    assert joined.status_code == 201, joined.text
    assert joined.json()["data"]["position"] == 1

    # An attendee cancels: refunded in full (the policy), the seat held for the 11th.
    leaver_headers, leaver_order = winners[0]
    [leaver_ticket] = (await shop.http.get("/api/me/tickets", headers=leaver_headers)).json()[
        "data"
    ]
    cancelled = await shop.http.post(
        f"/api/me/tickets/{leaver_ticket['id']}/cancel", headers=leaver_headers
    )
    assert cancelled.status_code == 200, cancelled.text
    mine = (await shop.http.get(f"/api/events/{event['id']}", headers=eleventh)).json()["data"]
    assert (mine["waitlistStatus"], mine["seatsLeft"]) == ("offered", 0)
    someone_else = members[-1][1] if members[-1][1] is not eleventh else members[-2][1]
    refused = await buy(someone_else)
    assert (refused.status_code, refused.json()["code"]) == (409, "out_of_stock")
    direct = await buy(eleventh)
    assert (direct.status_code, direct.json()["code"]) == (409, "seat_held_for_you")

    # She claims it: an order of one ticket, paid through the sandbox.
    claimed = await shop.http.post(f"/api/events/{event['id']}/waitlist/claim", headers=eleventh)
    assert claimed.status_code == 201, claimed.text
    her_order = claimed.json()["data"]["order"]
    assert her_order["total"] == PRICE
    await _pay(shop, her_order, eleventh)

    async def her_ticket() -> Any:
        tickets = (await shop.http.get("/api/me/tickets", headers=eleventh)).json()["data"]
        return tickets[0] if tickets else None

    ticket = await eventually(her_ticket, timeout=30)
    assert await _active_tickets(shop, event["id"]) == 10
    await eventually(
        lambda: _order_status(shop, leaver_order["id"], OrderStatus.refunded), timeout=30
    )

    # The door admits her once.
    door = f"/api/admin/events/{event['id']}/check-in"
    first = await shop.http.post(door, json={"code": ticket["code"]}, headers=admin)
    second = await shop.http.post(door, json={"code": ticket["code"]}, headers=admin)
    assert first.status_code == 200 and first.json()["data"]["admitted"] is True
    assert (second.status_code, second.json()["code"]) == (409, "already_checked_in")

    # The calendar file parses.
    ics = await shop.http.get(f"/api/events/{event['slug']}/calendar.ics")
    [entry] = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(entry["summary"]) == event["title"]

    # The author cancels the event: every paid ticket refunded, exactly once, even if asked twice.
    gone, again = await asyncio.gather(
        shop.http.post(f"/api/admin/events/{event['id']}/cancel", json={}, headers=admin),
        shop.http.post(f"/api/admin/events/{event['id']}/cancel", json={}, headers=admin),
    )
    assert sorted((gone.status_code, again.status_code)) == [204, 409]
    paid_orders = [order["id"] for _, order in winners] + [her_order["id"]]
    for order_id in paid_orders:
        await eventually(
            lambda o=order_id: _order_status(shop, o, OrderStatus.refunded), timeout=60
        )
    async with shop.database.session() as session:
        refunds = dict(
            (
                await session.execute(
                    select(PaymentRefund.order_id, func.count())
                    .where(PaymentRefund.order_id.in_([uuid.UUID(o) for o in paid_orders]))
                    .group_by(PaymentRefund.order_id)
                )
            ).all()
        )
        refunded = await session.scalar(
            select(func.sum(Order.refunded_amount)).where(
                Order.id.in_([uuid.UUID(o) for o in paid_orders])
            )
        )
        told = await session.scalar(
            select(func.count())
            .select_from(MailMessage)
            .where(MailMessage.subject == f"Cancelled: {event['title']}")
        )
    assert sorted(refunds.values()) == [1] * 11, refunds
    assert refunded == 11 * PRICE
    assert told == 10  # the ten attendees holding a ticket when it was cancelled
    assert await _active_tickets(shop, event["id"]) == 0


async def _ten(shop: Shop, event_id: str) -> bool:
    return await _active_tickets(shop, event_id) == 10


async def _order_status(shop: Shop, order_id: str, status: OrderStatus) -> bool:
    return (await shop.order_row(order_id)).status == status
