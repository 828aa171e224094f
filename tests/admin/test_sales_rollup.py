"""The dashboard reads the daily sales rollup (orders.sales_rollup); its figures must be the ones
a direct aggregate over the orders gives. Orders are placed, paid through the Flutterwave
sandbox (webhook, job, settlement) and refunded through the admin API, like in production."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, text

from authorhub.admin import dashboard_queries as q
from authorhub.kit.money import format_amount
from authorhub.kit.time import utcnow
from authorhub.models import Role, SalesDay, SalesItemDay
from authorhub.orders import sales_rollup
from authorhub.orders.service import mark_order_paid
from tests.academy.factory import make_course
from tests.admin.conftest import person, sign_in
from tests.events.helpers import make_event
from tests.fixtures.commerce import LAGOS, item
from tests.payments.shop import Shop

# The old dashboard's queries, straight over the orders: the reference the rollup must match.
DIRECT_SERIES = """
    SELECT (paid_at AT TIME ZONE 'UTC')::date, currency, count(*),
           sum(coalesce(amount_paid, total))
      FROM orders WHERE paid_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
"""
DIRECT_REFUNDS = "SELECT currency, sum(amount), count(*) FROM order_refunds GROUP BY 1"
DIRECT_TOP = """
    SELECT coalesce(l.book_id, l.course_id, t.event_id), l.currency, sum(l.quantity),
           sum(l.line_total)
      FROM orders o JOIN order_lines l ON l.order_id = o.id
      LEFT JOIN event_ticket_tiers t ON t.id = l.event_ticket_tier_id
     WHERE o.paid_at IS NOT NULL
     GROUP BY 1, 2
"""


async def _paid(shop: Shop, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    placed = await shop.http.post("/api/orders", json=body, headers=headers)
    assert placed.status_code == 201, placed.text
    order: dict[str, Any] = placed.json()["data"]
    started = await shop.initialize("flutterwave", order, headers)
    await shop.checkout(started, "pay")
    [delivery] = await shop.captured("flutterwave")
    assert (await shop.forward("flutterwave", delivery)).status_code == 200
    await shop.run_jobs()
    assert (await shop.order_row(order["id"])).status.value == "paid"
    return order


async def _refund(shop: Shop, admin: dict[str, str], order: dict[str, Any], **body: Any) -> None:
    asked = await shop.http.post(
        f"/api/admin/orders/{order['id']}/refund",
        json={"reason": "customer asked", **body},
        headers=admin,
    )
    assert asked.status_code == 202, asked.text
    await shop.run_jobs()  # Flutterwave completes refunds at once


async def _rollup(shop: Shop) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    async with shop.database.session() as session:
        days = await session.execute(select(SalesDay).order_by(SalesDay.day, SalesDay.currency))
        items = await session.execute(
            select(SalesItemDay).order_by(SalesItemDay.kind, SalesItemDay.item_id)
        )
        return (
            [(d.day, d.currency, d.paid_orders, d.revenue, d.refunds, d.refunded) for (d,) in days],
            [(i.kind, i.day, i.currency, i.item_id, i.units, i.revenue) for (i,) in items],
        )


async def test_dashboard_figures_equal_a_direct_aggregate_over_the_orders(
    captured_shop: Shop,
) -> None:
    shop = captured_shop
    _, admin = await shop.admin()
    novel, essays = await shop.book(title="The River Novel"), await shop.book(title="Essays")
    async with shop.database.session() as session:
        course = await make_course(
            session, title="Draft to Novel", price_ngn=2_000_000, price_usd=5_000
        )
    event = await make_event(
        shop.http, admin, capacity=20, tiers=[{"name": "Regular", "priceNgn": 500_000}]
    )
    tier = event["tiers"][0]["id"]
    (_, ada), (_, bola), (_, chidi) = [await shop.customer() for _ in range(3)]

    print_order = await _paid(
        shop,
        ada,
        {"items": [item(novel.ebook), item(novel.paperback, 2)], "shippingAddress": LAGOS},
    )
    await _paid(shop, ada, {"items": [{"kind": "course", "itemId": course.id}], "currency": "USD"})
    mixed = await _paid(
        shop,
        bola,
        {
            "items": [item(essays.ebook), {"kind": "event_ticket", "itemId": tier, "quantity": 3}],
        },
    )
    await _paid(shop, chidi, {"items": [item(novel.ebook)]})
    unpaid = await shop.http.post(
        "/api/orders", json={"items": [item(essays.ebook)]}, headers=chidi
    )
    assert unpaid.status_code == 201  # placed, never paid: in no figure

    ebook_line = next(line for line in print_order["lines"] if line["format"] == "ebook")
    await _refund(
        shop, admin, print_order, amount=ebook_line["lineTotal"], lineIds=[ebook_line["id"]]
    )
    await _refund(shop, admin, mixed)  # in full

    # The rollup the settlements and refunds kept equals one rebuilt from the orders.
    kept = await _rollup(shop)
    async with shop.database.session() as session:
        await sales_rollup.rebuild(session)
    assert await _rollup(shop) == kept

    today = utcnow().date()
    r = q.Range(start=today - timedelta(days=6), end=today, period="day")
    async with shop.database.session() as session:
        direct_series = [tuple(row) for row in await session.execute(text(DIRECT_SERIES))]
        direct_refunds = {
            row[0]: (row[1], row[2]) for row in await session.execute(text(DIRECT_REFUNDS))
        }
        direct_top = {tuple(row) for row in await session.execute(text(DIRECT_TOP))}
        rolled_top = {
            (t.id, t.currency, t.units, t.revenue)
            for of in ("books", "courses", "events")
            for t in await q.top(session, r, of)  # type: ignore[arg-type]
        }
    assert rolled_top == direct_top
    assert {(row[0], row[1]) for row in direct_top} >= {
        (novel.book.id, "NGN"),
        (uuid.UUID(course.id), "USD"),
        (uuid.UUID(event["id"]), "NGN"),
    }
    assert set(direct_refunds) == {"NGN"} and direct_refunds["NGN"][1] == 2

    # What the admin sees: the page and its CSV.
    async with shop.database.session() as session:
        boss = await person(session, Role.admin)
    transport = httpx.ASGITransport(app=shop.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        assert (await sign_in(http, boss.email)).status_code == 303
        query = f"from={r.start.isoformat()}&to={today.isoformat()}&period=day"
        page = await http.get(f"/admin?{query}")
        report = await http.get(f"/admin/dashboard.csv?{query}")
    assert page.status_code == 200, page.text
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert [
        (row["period_start"], row["currency"], int(row["paid_orders"]), int(row["revenue_minor"]))
        for row in rows
    ] == [(day.isoformat(), currency, n, revenue) for day, currency, n, revenue in direct_series]
    amount, count = direct_refunds["NGN"]
    assert f"Refunded {format_amount(amount, 'NGN')} ({count})" in page.text
    for title in ("The River Novel", "Essays", "Draft to Novel", event["title"]):
        assert title in page.text
    assert "→ 5 orders → 4 paid" in page.text  # the funnel: one unpaid order
    for heading in ("Top books", "Top courses", "Top events"):
        assert heading in page.text


async def test_twenty_settlements_at_once_all_count(captured_shop: Shop) -> None:
    """Every settlement adds to the same day's row and the same ebook's row: none is lost and
    none deadlocks (rows are written in key order)."""
    shop = captured_shop
    book = await shop.book(title="Popular")
    orders = []
    for _ in range(20):
        _, headers = await shop.customer()
        orders.append(await shop.order(headers, book, paperback=False))

    async def settle(order: dict[str, Any]) -> None:
        async with shop.database.session() as session:
            result = await mark_order_paid(
                session,
                order_id=uuid.UUID(order["id"]),
                payment_reference=f"FLW-{uuid.uuid4().hex[:12]}",
                amount=order["total"],
                currency=order["currency"],
            )
            assert result.outcome.value == "paid"

    await asyncio.gather(*(settle(order) for order in orders))
    days, items = await _rollup(shop)
    total = sum(order["total"] for order in orders)
    assert [(d[1], d[2], d[3]) for d in days] == [("NGN", 20, total)]
    assert [(i[0], i[3], i[4], i[5]) for i in items] == [("book_format", book.ebook.id, 20, total)]
